"""Experiments (ADR 0036): the list with each experiment's status and verdict; one
experiment's variants with their renders and videos and its plain-words verdict with the
numbers; render, analyse and apply; a new experiment from a project with a few factors (hook
lines, caption styles, lengths). A variant's published videos are linked with a picker (a
published post, or a video whose metrics were imported) and unlinked one by one (ADR 0044)."""

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
    LinkIn,
)
from video_orchestrator.spec.vocabulary import CAPTION_PRESETS
from video_orchestrator.ui.common import Failed, advice, call, when
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.experiment_words import (
    METRIC_WORDS,
    decision_words,
    metric_words,
    verdict_words,
)
from video_orchestrator.ui.i18n import marked, tr, tr_n

#: Linked videos named per variant (the rest counted).
SHOWN = 4
STATUS = {
    "planned": marked("Planned"),
    "rendering": marked("Rendering"),
    "analysed": marked("Analysed"),
    "applied": marked("Applied"),
}
#: Choices offered by the video picker at most, of posts and of imported videos each.
PICKABLE = 200
#: The variants table's columns.
COLUMNS = {
    "variant": marked("Variant"),
    "levels": marked("Levels"),
    "render": marked("Render"),
    "videos": marked("Videos"),
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
                    tr(
                        "a length is a whole number of seconds, not {value}",
                        value=repr(part.strip()),
                    )
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
        line = tr(
            "{name}: {posts}, typical {typical}",
            name=arm["name"],
            posts=tr_n("{count} post", "{count} posts", arm["posts"]),
            typical=f"{arm['typical']:.4g}",
        )
        if best is not None:
            line += tr(", chance to be best {chance}", chance=percent(best))
        lines.append(line)
    for item in analysis.get("comparisons", []):
        low, high = item["lift_interval"]
        more = item.get("more_posts")
        line = tr(
            "{variant} vs {control}: chance to beat {chance}, lift {lift} ({low} to {high}), "
            "expected loss {risk}, {test} p (Holm) = {p}",
            variant=item["variant"],
            control=item["control"],
            chance=percent(item["chance_to_beat_control"]),
            lift=signed(item["lift"]),
            low=signed(low),
            high=signed(high),
            risk=f"{item['risk']:.3g}",
            test=item["test"]["name"],
            p=f"{item['p_adjusted']:.3g}",
        )
        if more:
            line += tr("; about {more} more posts per variant would settle it", more=more)
        lines.append(line)
    srm = analysis.get("srm")
    if srm and srm.get("mismatch"):
        lines.append(tr("Sample-ratio mismatch: p = {p}", p=f"{srm['p_value']:.1g}"))
    measured = analysis.get("measured") or {}
    if measured.get("young") or measured.get("unmeasured"):
        lines.append(
            tr(
                "Left out: {young} too young for {age}, {unmeasured} with no metrics at that age",
                young=measured.get("young", 0),
                age=experiment.age,
                unmeasured=measured.get("unmeasured", 0),
            )
        )
    return lines


async def show(env: UiEnv) -> None:
    ws = env.ws
    chosen: dict[str, str | None] = {"id": None}

    ui.label(tr("Experiments")).classes("text-h5").props('role="heading" aria-level="1"')

    @ui.refreshable
    def listing() -> None:
        items = ws.experiments.find()
        if not items:
            ui.label(tr("No experiments yet. Start one from a project below.")).classes(
                "text-body2 experiments-empty"
            )
            return
        with ui.column().classes("w-full gap-2"):
            for item in items:
                with ui.card().classes("w-full experiment-card").props("flat bordered"):
                    with ui.row().classes("w-full items-center gap-2"):
                        ui.label(item.name).classes("text-subtitle1 font-bold")
                        status = STATUS.get(item.status)
                        ui.badge(tr(status) if status else item.status).props("outline")
                        ui.space()
                        ui.button(tr("Open"), on_click=lambda i=item.id: open_experiment(i)).props(
                            "flat no-caps"
                        ).mark(f"open-{item.id}")
                    ui.label(
                        " · ".join(
                            (
                                tr_n("{count} variant", "{count} variants", item.variants),
                                tr_n("{count} video", "{count} videos", item.videos),
                                metric_words(item.metric, item.age),
                                tr("created {moment}", moment=when(item.created_at)),
                            )
                        )
                    ).classes("text-body2")
                    ui.label(decision_words(item.decision, item.winner)).classes(
                        "text-body2 decision"
                    )

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
                    "variant": (
                        tr("{label} (control)", label=item.label) if item.control else item.label
                    ),
                    "levels": ", ".join(f"{k} = {v}" for k, v in item.levels.items()),
                    "render": item.job_status or tr("not rendered"),
                    "videos": len(item.videos),
                }
                for item in experiment.items
            ]
            columns = [
                {"name": key, "label": tr(label), "field": key, "align": "left"}
                for key, label in COLUMNS.items()
            ]
            ui.table(columns=columns, rows=rows, row_key="variant").classes(
                "w-full variants-table"
            ).props("flat dense wrap-cells")
            for item in experiment.items:
                if item.videos:
                    with ui.row().classes("items-center gap-1 variant-videos"):
                        ui.label(tr("{label}'s videos:", label=item.label)).classes("text-caption")
                        for video in item.videos[:SHOWN]:
                            name = f"{video.platform}:{video.remote_id}"
                            with ui.row().classes("items-center gap-0 linked-video"):
                                ui.label(name).classes("text-caption")
                                ui.button(
                                    icon="link_off",
                                    on_click=lambda v=video: unlink(v.platform, v.remote_id),
                                ).props(
                                    "flat dense round size=sm "
                                    f'aria-label="{tr("Unlink {video}", video=name)}"'
                                ).mark(f"unlink-{name}")
                        more = len(item.videos) - SHOWN
                        if more > 0:
                            ui.label(tr("and {more} more", more=more)).classes("text-caption")
            linker(experiment)
            if experiment.verdict:
                words = verdict_words(
                    experiment.analysis or {}, metric_words(experiment.metric, experiment.age)
                )
                ui.label(words or experiment.verdict).classes("text-subtitle1 verdict")
                for line in _numbers(experiment):
                    ui.label(line).classes("text-body2 verdict-number")
            if experiment.feedback is not None:
                for change in experiment.feedback["changes"]:
                    ui.label(
                        tr(
                            "Applied to the project: {setting} {old} → {new} ({evidence})",
                            setting=change["setting"],
                            old=change["from"],
                            new=change["to"],
                            evidence=change["evidence"],
                        )
                    ).classes("text-body2 applied-change")
                for kept in experiment.feedback["kept"]:
                    ui.label(
                        tr("Kept {setting}: {why}", setting=kept["setting"], why=kept["why"])
                    ).classes("text-body2")
            with ui.row().classes("gap-2"):
                ui.button(
                    tr("Render all variants"),
                    icon="movie",
                    on_click=lambda: act(ws.experiments.render, tr("Rendering as one batch")),
                ).props("no-caps").set_enabled(experiment.batch_id is None)
                ui.button(
                    tr("Analyse"),
                    icon="insights",
                    on_click=lambda: act(ws.experiments.analyse, tr("Analysed")),
                ).props("no-caps outline")
                ui.button(
                    tr("Apply the winner"),
                    icon="done_all",
                    on_click=lambda: act(ws.experiments.apply, tr("Applied")),
                ).props("no-caps outline")

    def linker(experiment: ExperimentOut) -> None:
        """A variant and a published video (a post or an imported video) picked, and linked."""
        taken = {(v.platform, v.remote_id) for item in experiment.items for v in item.videos}
        choices: dict[str, str] = {}
        targets: dict[str, LinkIn] = {}
        for post in ws.publishing.posts.list(state="published", limit=PICKABLE):
            if post.remote_id and (post.platform, post.remote_id) not in taken:
                key = f"p{len(choices)}"
                choices[key] = tr(
                    "Post · {platform} · {title} ({remote_id})",
                    platform=post.platform,
                    title=post.title,
                    remote_id=post.remote_id,
                )
                targets[key] = LinkIn(variant="A", post_id=post.id)
        for imported in ws.analytics.metrics.videos(limit=PICKABLE).items:
            if (imported.platform, imported.remote_id) not in taken:
                key = f"v{len(choices)}"
                choices[key] = tr(
                    "Imported · {platform} · {title} ({remote_id})",
                    platform=imported.platform,
                    title=imported.title or "—",
                    remote_id=imported.remote_id,
                )
                targets[key] = LinkIn(
                    variant="A", platform=imported.platform, remote_id=imported.remote_id
                )
        labels = [item.label for item in experiment.items]
        with ui.row().classes("w-full items-end gap-2 link-video"):
            variant = (
                ui.select(labels, value=labels[0] if labels else None, label=tr("Variant"))
                .classes("w-28")
                .mark("link-variant")
            )
            video = (
                ui.select(choices, label=tr("Published post or imported video"), with_input=True)
                .classes("grow")
                .mark("link-video")
            )
            if not choices:
                ui.label(
                    tr(
                        "No published post or imported video left to link: publish one, or "
                        "import its metrics on the Analytics page."
                    )
                ).classes("text-caption link-empty")

            async def link() -> None:
                target = targets.get(video.value or "")
                if target is None or not variant.value:
                    ui.notify(tr("Choose a variant and a video to link"), type="warning")
                    return
                data = target.model_copy(update={"variant": variant.value})
                try:
                    await call(ws.experiments.link, chosen["id"], data)
                except Failed:
                    return
                ui.notify(tr("Linked to variant {label}", label=variant.value), type="positive")
                listing.refresh()
                detail.refresh()

            ui.button(tr("Link"), icon="link", on_click=link).props("no-caps outline").mark(
                "link-button"
            )

    async def unlink(platform: str, remote_id: str) -> None:
        try:
            await call(ws.experiments.unlink, chosen["id"], platform, remote_id)
        except Failed:
            return
        ui.notify(tr("Unlinked {video}", video=f"{platform}:{remote_id}"), type="positive")
        listing.refresh()
        detail.refresh()

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
        ui.label(tr("New experiment")).classes("text-h6").props('role="heading" aria-level="2"')
        project = (
            ui.select(projects, label=tr("Project")).classes("w-full").mark("experiment-project")
        )
        hint = tr("The first is the control's; the project needs a script")
        hooks = (
            ui.textarea(tr("Hook lines, one a line"))
            .props(f'hint="{hint}"')
            .classes("w-full")
            .mark("experiment-hooks")
        )
        styles = (
            ui.select(list(CAPTION_PRESETS), multiple=True, label=tr("Caption styles to compare"))
            .props("use-chips")
            .classes("w-full")
            .mark("experiment-styles")
        )
        lengths = (
            ui.input(tr("Lengths in seconds"))
            .props(f'hint="{tr("e.g. 30, 45 — for a project without a script")}"')
            .classes("w-full")
        )
        with ui.row().classes("gap-2 w-full"):
            metric = ui.select(
                {key: tr(METRIC_WORDS.get(key, key)) for key in METRICS},
                value="average_view_duration",
                label=tr("Judged on"),
            ).classes("w-64")
            age = ui.select(list(AGE_DAYS), value="72h", label=tr("At post age")).classes("w-32")
        message = ui.label("").classes("text-negative experiment-error")

        async def create() -> None:
            message.text = ""
            try:
                factors = factors_from(hooks.value or "", list(styles.value or []), lengths.value)
                if not project.value:
                    raise InputError(tr("choose the project the variants are made from"))
                if not factors:
                    raise InputError(
                        tr(
                            "give at least one factor two levels: two hook lines, two caption "
                            "styles or two lengths"
                        )
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
            ui.notify(
                tr_n("Planned {count} variant", "Planned {count} variants", len(made.items)),
                type="positive",
            )
            chosen["id"] = made.id
            listing.refresh()
            detail.refresh()

        ui.button(tr("Create experiment"), icon="science", on_click=create).props("no-caps").mark(
            "create-experiment"
        )
