"""Predictions in the studio (ADR 0043): the Analytics page's "Predictions" section (the
model's quality — videos used, cross-validated error — and each recent draft's prediction or
the refusal) and the editor's one line on the Export tab. Every figure is shown with the
model's typical error on past videos; the model is the one the service keeps, so a page
view does not train it again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nicegui import ui

from video_orchestrator.services.facade import FigureOut, ModelOut, PredictionOut, RefusalOut
from video_orchestrator.services.projects import ProjectOut
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui.common import Failed, call, duration_text
from video_orchestrator.ui.i18n import marked, number, tr, tr_n

#: Drafts predicted on the Analytics page.
DRAFTS = 5
#: How often the editor's line checks whether the project changed.
RECHECK_SECONDS = 3.0
#: The post ages the history is read at, as the page names them.
AGE_NAMES = {"24h": marked("24 hours"), "72h": marked("72 hours"), "7d": marked("7 days")}
PLATFORM_NAMES = {
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "other": "other",
}


def percent(share: float) -> str:
    return number(round(share * 100))


def views_text(figure: FigureOut) -> str:
    return tr(
        "≈ {views} views (typical error ±{error} %)",
        views=number(_rounded(figure.value)),
        error=percent(figure.error.median_ape),
    )


def duration_figure_text(figure: FigureOut) -> str:
    return tr(
        "≈ {duration} average view duration (typical error ±{error} %)",
        duration=duration_text(figure.value),
        error=percent(figure.error.median_ape),
    )


def _rounded(value: float) -> float:
    """Two significant figures: a prediction this uncertain has no more."""
    if value < 100:
        return round(value)
    digits = len(str(int(value))) - 2
    return round(value, -digits)


#: Why there is no prediction when every video has the same value of one metric.
SAME_METRIC = {
    "views": marked(
        "No prediction: every video has the same number of views, so there is nothing to learn."
    ),
    "average_view_duration": marked(
        "No prediction: every video has the same average view duration, so there is nothing "
        "to learn."
    ),
}


def refusal_text(same: str | None, videos: int, needed: int) -> str:
    """Why there is no prediction: every video has the same ``same`` metric, or there are
    ``videos`` of the ``needed`` published videos with metrics."""
    if same in SAME_METRIC:
        return tr(SAME_METRIC[same])
    return tr(
        "No prediction yet: {videos} of the {needed} published videos with metrics it needs.",
        videos=number(videos),
        needed=number(needed),
    )


def line_text(answer: PredictionOut | RefusalOut) -> str:
    """The editor's one line: both predictions with their error, or the refusal."""
    if isinstance(answer, RefusalOut):
        return refusal_text(answer.same, answer.videos, answer.needed)
    return tr(
        "Predicted on {platform}: {views} · {duration}",
        platform=PLATFORM_NAMES.get(answer.platform, answer.platform),
        views=views_text(answer.views),
        duration=duration_figure_text(answer.average_view_duration),
    )


def quality_text(model: ModelOut) -> str:
    history = model.history
    age = tr(AGE_NAMES[history.age]) if history.age in AGE_NAMES else history.age
    used = tr_n(
        "Learned from {count} video at {age}",
        "Learned from {count} videos at {age}",
        history.used,
        age=age,
    )
    linked = tr_n("{count} linked to a project", "{count} linked to a project", history.linked)
    text = f"{used} ({linked})."
    if history.young:
        text += " " + tr_n(
            "{count} younger than {age} left out.",
            "{count} younger than {age} left out.",
            history.young,
            age=age,
        )
    if history.unmeasured:
        text += " " + tr_n(
            "{count} without views and average view duration at {age} left out.",
            "{count} without views and average view duration at {age} left out.",
            history.unmeasured,
            age=age,
        )
    return text


def error_text(model: ModelOut) -> str:
    if model.views_error is None or model.duration_error is None:
        return ""
    return tr(
        "Typical error on past videos it had not seen (repeated {folds}-fold "
        "cross-validation): views ±{views} %, average view duration ±{duration} %.",
        folds=model.views_error.folds,
        views=percent(model.views_error.median_ape),
        duration=percent(model.duration_error.median_ape),
    )


@dataclass(frozen=True)
class Board:
    model: ModelOut
    drafts: list[tuple[str, str, PredictionOut | RefusalOut]]


def load(ws: Workspace) -> Board:
    predictions = ws.analytics.predictions
    model = predictions.model()
    drafts: list[tuple[str, str, PredictionOut | RefusalOut]] = []
    if model.ready:
        for project_id, name in predictions.drafts(DRAFTS):
            drafts.append((project_id, name, predictions.predict(project_id)))
    return Board(model, drafts)


def predictions_section(ws: Workspace) -> None:
    """The Analytics page's section; filled off the event loop once the page is drawn."""
    label = tr("Predictions")
    with ui.card().classes("w-full predictions-card").props(f'flat bordered aria-label="{label}"'):
        ui.label(label).classes("text-h6")
        body = ui.column().classes("w-full gap-1").props('aria-live="polite"')
        with body:
            ui.spinner(size="sm").props(f'aria-label="{tr("Training the model…")}"')

    async def fill() -> None:
        try:
            board = await call(load, ws)
        except Failed:
            body.clear()
            return
        body.clear()
        with body:
            draw_board(board)

    ui.timer(0.05, fill, once=True)


def draw_board(board: Board) -> None:
    model = board.model
    ui.label(quality_text(model)).classes("text-body2 prediction-quality").mark(
        "prediction-quality"
    )
    if not model.ready:
        videos = model.needed - (model.more_needed or 0)
        ui.label(refusal_text(model.same, videos, model.needed)).classes(
            "text-body1 prediction-refusal"
        ).mark("prediction-refusal")
        return
    ui.label(error_text(model)).classes("text-body2 prediction-error").mark("prediction-error")
    if not board.drafts:
        ui.label(
            tr("No drafts to predict: every project has a published video linked to it.")
        ).classes("text-caption text-grey-8")
        return
    draft_rows(board.drafts)
    ui.label(
        tr(
            "Each draft for its first platform at the next full hour (UTC); from a terminal: "
            "vo analytics predict PROJECT --platform tiktok --at 2026-12-08T18:00."
        )
    ).classes("text-caption text-grey-8")


def draft_rows(drafts: Sequence[tuple[str, str, PredictionOut | RefusalOut]]) -> None:
    with ui.column().classes("w-full gap-1 prediction-drafts"):
        for project_id, name, answer in drafts:
            with (
                ui.row()
                .classes("w-full items-baseline gap-2")
                .props(f'data-project="{project_id}"')
            ):
                ui.link(name, f"/projects/{project_id}").classes("text-body1")
                ui.label(line_text(answer)).classes("text-body2 prediction-draft")


async def prediction_line(ws: Workspace, current: Callable[[], ProjectOut]) -> None:
    """The editor's line (Export tab): this draft for its first platform at the next hour,
    predicted again when a saved edit changes the project (checked every few seconds; the
    model itself is kept by the service)."""
    line = ui.label(tr("Predicting…")).classes("text-body2 text-grey-8 prediction-line")
    line.mark("prediction-line")
    line.tooltip(
        tr(
            "From your own published videos' figures at 7 days; the typical error is how far "
            "off the model was on past videos it had not seen."
        )
    )
    shown = {"version": -1}

    async def update() -> None:
        project = current()
        if project.version == shown["version"]:
            return
        shown["version"] = project.version
        try:
            answer = await call(ws.analytics.predictions.predict, project.id)
        except Failed:
            line.set_text(tr("No prediction: it could not be made."))
            return
        line.set_text(line_text(answer))

    await update()
    ui.timer(RECHECK_SECONDS, update)
