"""Experiments (ADR 0036): the list with each experiment's status and verdict; one
experiment's variants with their renders and videos and its plain-words verdict with the
numbers; render, analyse and apply; a new experiment from a project with a few factors (hook
lines, caption styles, lengths). Linking published videos is done from the CLI or the API."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from video_orchestrator.analytics.experiment import percent, signed
from video_orchestrator.errors import InputError, VoError
from video_orchestrator.services.experiment_runs import (
    AGE_DAYS,
    METRICS,
    ExperimentCreate,
    ExperimentOut,
)
from video_orchestrator.spec.vocabulary import CAPTION_PRESETS
from video_orchestrator.ui.common import Failed, advice, call, when
from video_orchestrator.ui.env import UiEnv

#: Linked videos named per variant (the rest counted).
SHOWN = 4
STATUS = {
    "planned": "Planned",
    "rendering": "Rendering",
    "analysed": "Analysed",
    "applied": "Applied",
}


def factors_from(hooks: str, styles: list[str], lengths: str) -> dict[str, list[Any]]:
    """The factors a form gives: hook lines (one a line), caption styles, lengths in
    seconds (comma-separated); a factor with fewer than two levels is left out."""
    factors: dict[str, list[Any]] = {}
    lines = [line.strip() for line in hooks.splitlines() if line.strip()]
    if len(lines) >= 2:
        factors["hook"] = lines
    if len(styles) >= 2:
        factors["caption_style"] = list(styles)
    seconds: list[Any] = []
    for part in lengths.replace(";", ",").split(","):
        if part.strip():
            try:
                seconds.append(int(part.strip()))
            except ValueError:
                raise VoError(
                    f"a length is a whole number of seconds, not {part.strip()!r}"
                ) from None
    if len(seconds) >= 2:
        factors["length"] = seconds
    return factors


def _numbers(experiment: ExperimentOut) -> list[str]:
    """The analysis's figures, one line each."""
    analysis = experiment.analysis or {}
    lines: list[str] = []
    for arm in analysis.get("arms", []):
        best = arm.get("chance_to_be_best")
        chance = f", chance to be best {percent(best)}" if best is not None else ""
        lines.append(f"{arm['name']}: {arm['posts']} posts, typical {arm['typical']:.4g}{chance}")
    for item in analysis.get("comparisons", []):
        low, high = item["lift_interval"]
        more = item.get("more_posts")
        lines.append(
            f"{item['variant']} vs {item['control']}: chance to beat "
            f"{percent(item['chance_to_beat_control'])}, lift {signed(item['lift'])} "
            f"({signed(low)} to {signed(high)}), expected loss {item['risk']:.3g}, "
            f"{item['test']['name']} p (Holm) = {item['p_adjusted']:.3g}"
            + (f"; about {more} more posts per variant would settle it" if more else "")
        )
    srm = analysis.get("srm")
    if srm and srm.get("mismatch"):
        lines.append(f"Sample-ratio mismatch: p = {srm['p_value']:.1g}")
    measured = analysis.get("measured") or {}
    if measured.get("young") or measured.get("unmeasured"):
        lines.append(
            f"Left out: {measured.get('young', 0)} too young for {experiment.age}, "
            f"{measured.get('unmeasured', 0)} with no metrics at that age"
        )
    return lines


async def show(env: UiEnv) -> None:
    ws = env.ws
    chosen: dict[str, str | None] = {"id": None}

    ui.label("Experiments").classes("text-h5").props('role="heading" aria-level="1"')

    @ui.refreshable
    def listing() -> None:
        items = ws.experiments.find()
        if not items:
            ui.label("No experiments yet. Start one from a project below.").classes(
                "text-body2 experiments-empty"
            )
            return
        with ui.column().classes("w-full gap-2"):
            for item in items:
                with ui.card().classes("w-full experiment-card").props("flat bordered"):
                    with ui.row().classes("w-full items-center gap-2"):
                        ui.label(item.name).classes("text-subtitle1 font-bold")
                        ui.badge(STATUS.get(item.status, item.status)).props("outline")
                        ui.space()
                        ui.button("Open", on_click=lambda i=item.id: open_experiment(i)).props(
                            "flat no-caps"
                        ).mark(f"open-{item.id}")
                    ui.label(
                        f"{item.variants} variants · {item.videos} videos · "
                        f"{METRICS.get(item.metric, ('', item.metric))[1]} at "
                        f"{item.age} · created {when(item.created_at)}"
                    ).classes("text-body2")
                    ui.label(item.verdict or "Not analysed yet.").classes("text-body2")

    @ui.refreshable
    def detail() -> None:
        if chosen["id"] is None:
            return
        experiment = ws.experiments.get(chosen["id"])
        with ui.card().classes("w-full experiment-detail").props("flat bordered"):
            ui.label(experiment.name).classes("text-h6").props('role="heading" aria-level="2"')
            ui.label(str(experiment.design.get("note", ""))).classes("text-body2")
            rows = [
                {
                    "variant": item.label + (" (control)" if item.control else ""),
                    "levels": ", ".join(f"{k} = {v}" for k, v in item.levels.items()),
                    "render": item.job_status or "not rendered",
                    "videos": len(item.videos),
                }
                for item in experiment.items
            ]
            columns = [
                {"name": key, "label": key.capitalize(), "field": key, "align": "left"}
                for key in ("variant", "levels", "render", "videos")
            ]
            ui.table(columns=columns, rows=rows, row_key="variant").classes(
                "w-full variants-table"
            ).props("flat dense wrap-cells")
            for item in experiment.items:
                if item.videos:
                    shown = ", ".join(f"{v.platform}:{v.remote_id}" for v in item.videos[:SHOWN])
                    more = len(item.videos) - SHOWN
                    tail = f" and {more} more" if more > 0 else ""
                    ui.label(f"{item.label}'s videos: {shown}{tail}").classes(
                        "text-caption variant-videos"
                    )
            if experiment.verdict:
                ui.label(experiment.verdict).classes("text-subtitle1 verdict")
                for line in _numbers(experiment):
                    ui.label(line).classes("text-body2 verdict-number")
            if experiment.feedback is not None:
                for change in experiment.feedback["changes"]:
                    ui.label(
                        f"Applied to the project: {change['setting']} {change['from']} → "
                        f"{change['to']} ({change['evidence']})"
                    ).classes("text-body2 applied-change")
                for kept in experiment.feedback["kept"]:
                    ui.label(f"Kept {kept['setting']}: {kept['why']}").classes("text-body2")
            with ui.row().classes("gap-2"):
                ui.button(
                    "Render all variants",
                    icon="movie",
                    on_click=lambda: act(ws.experiments.render, "Rendering as one batch"),
                ).props("no-caps").set_enabled(experiment.batch_id is None)
                ui.button(
                    "Analyse",
                    icon="insights",
                    on_click=lambda: act(ws.experiments.analyse, "Analysed"),
                ).props("no-caps outline")
                ui.button(
                    "Apply the winner",
                    icon="done_all",
                    on_click=lambda: act(ws.experiments.apply, "Applied"),
                ).props("no-caps outline")

    async def open_experiment(experiment_id: str) -> None:
        chosen["id"] = experiment_id
        detail.refresh()

    async def act(fn: Any, done: str) -> None:
        try:
            await call(fn, chosen["id"])
        except Failed:
            return
        ui.notify(done, type="positive")
        listing.refresh()
        detail.refresh()

    listing()
    detail()

    projects = {p.id: p.name for p in ws.projects.find(limit=200).items}
    with ui.card().classes("w-full new-experiment").props("flat bordered"):
        ui.label("New experiment").classes("text-h6").props('role="heading" aria-level="2"')
        project = ui.select(projects, label="Project").classes("w-full").mark("experiment-project")
        hooks = (
            ui.textarea("Hook lines, one a line")
            .props('hint="The first is the control\'s; the project needs a script"')
            .classes("w-full")
            .mark("experiment-hooks")
        )
        styles = (
            ui.select(list(CAPTION_PRESETS), multiple=True, label="Caption styles to compare")
            .props("use-chips")
            .classes("w-full")
            .mark("experiment-styles")
        )
        lengths = (
            ui.input("Lengths in seconds")
            .props('hint="e.g. 30, 45 — for a project without a script"')
            .classes("w-full")
        )
        with ui.row().classes("gap-2 w-full"):
            metric = ui.select(
                {k: v[1] for k, v in METRICS.items()},
                value="average_view_duration",
                label="Judged on",
            ).classes("w-64")
            age = ui.select(list(AGE_DAYS), value="72h", label="At post age").classes("w-32")
        message = ui.label("").classes("text-negative experiment-error")

        async def create() -> None:
            message.text = ""
            try:
                factors = factors_from(hooks.value or "", list(styles.value or []), lengths.value)
                if not project.value:
                    raise InputError("choose the project the variants are made from")
                if not factors:
                    raise InputError(
                        "give at least one factor two levels: two hook lines, two caption "
                        "styles or two lengths"
                    )
                data = ExperimentCreate(
                    project_id=project.value, factors=factors, metric=metric.value, age=age.value
                )
                made = await call(ws.experiments.create, data, shown_by_caller=(VoError,))
            except VoError as exc:
                message.text = advice(exc)
                return
            except Failed:
                return  # told already
            ui.notify(f"Planned {len(made.items)} variants", type="positive")
            chosen["id"] = made.id
            listing.refresh()
            detail.refresh()

        ui.button("Create experiment", icon="science", on_click=create).props("no-caps").mark(
            "create-experiment"
        )
