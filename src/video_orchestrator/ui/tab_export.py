"""Tab 6, Export: the platforms to render for, quality and trimming, what the sticky bar's
Render does (it first says what is missing instead of starting a render that would fail),
each render's live progress, the finished video with its downloads and the platform check,
and Post or schedule (``post_dialog.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from video_orchestrator.errors import NotFoundError
from video_orchestrator.services.jobs import JobOut
from video_orchestrator.services.projects import ProjectOut
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.spec.options import ExportSettings
from video_orchestrator.spec.vocabulary import QUALITIES, Quality
from video_orchestrator.ui.common import Failed, call
from video_orchestrator.ui.i18n import marked, tr
from video_orchestrator.ui.jobs_view import JobList
from video_orchestrator.ui.post_dialog import open_post_dialog
from video_orchestrator.ui.predictions_panel import prediction_line

if TYPE_CHECKING:
    from video_orchestrator.ui.project_state import ProjectState

QUALITY_NAMES: dict[Quality, str] = {
    "draft": marked("Draft: quickest, for checking the cut"),
    "standard": marked("Standard: good for posting"),
    "high": marked("High: slower, sharpest"),
}
CHOICES = {quality: QUALITY_NAMES.get(quality, quality) for quality in QUALITIES}


def choices() -> dict[str, str]:
    """The qualities as the radio lists them, in this browser's locale."""
    return {quality: tr(name) for quality, name in CHOICES.items()}


PREVIOUS_RENDERS = 30


def missing_assets(ws: Workspace, project: ProjectOut) -> set[str]:
    """The assets ``project`` uses that no longer exist. Reads the assets (call it off the
    event loop)."""
    used = [*project.background.assets, project.audio.music_asset, project.audio.sfx_asset]
    gone: set[str] = set()
    for asset_id in used:
        if asset_id is None or asset_id in gone:
            continue
        try:
            ws.assets.get(asset_id)
        except NotFoundError:
            gone.add(asset_id)
    return gone


def problems(project: ProjectOut, platforms: list[str], missing: set[str]) -> list[str]:
    """Why a render of ``project`` would fail before it starts, each with what to do, in this
    browser's locale (so on the event loop); an empty list when it can be submitted.
    ``missing``: the assets that no longer exist (:func:`missing_assets`)."""
    found: list[str] = []
    if not platforms:
        found.append(tr("Choose at least one platform to render for."))
    if project.script is None and not project.topic.strip():
        found.append(
            tr(
                "The project has no script and no topic: write or generate a script in "
                "Story & Script first."
            )
        )

    for index, asset_id in enumerate(project.background.assets, start=1):
        if asset_id is not None and asset_id in missing:
            found.append(
                tr(
                    "The background of scene {number} no longer exists (its file was "
                    "deleted): choose another or a generated one in the Background tab.",
                    number=index,
                )
            )
    if project.audio.music_asset and project.audio.music_asset in missing:
        found.append(
            tr(
                "The music no longer exists (its file was deleted): choose other music or "
                "none in the Audio tab."
            )
        )
    if project.audio.sfx_asset and project.audio.sfx_asset in missing:
        found.append(
            tr(
                "The sound effect no longer exists (its file was deleted): choose another or "
                "none in the Audio tab."
            )
        )
    return found


def newest_per_platform(job: JobOut, jobs: list[JobOut]) -> bool:
    """Whether ``job`` is the newest finished render of its platform (shown in full)."""
    if job.status != "succeeded":
        return False
    newest = next((j for j in jobs if j.status == "succeeded" and j.platform == job.platform), None)
    return newest is not None and newest.id == job.id


async def build(state: ProjectState) -> None:
    ws: Workspace = state.ws
    presets = ws.ctx.presets
    names = {name: preset.display_name for name, preset in presets.items()}
    chosen: dict[str, bool] = {}

    @ui.refreshable
    def settings_part() -> None:
        project = state.project
        chosen.clear()
        chosen.update({name: name in project.platforms for name in presets})
        with ui.row().classes("w-full items-start gap-8"):
            with (
                ui.column().classes("gap-1").props(f'role="group" aria-label="{tr("Render for")}"')
            ):
                ui.label(tr("Render for")).classes("text-subtitle1")
                for name, label in names.items():
                    ui.checkbox(label).bind_value(chosen, name).classes(f"platform-{name}").mark(
                        f"platform-{name}"
                    )
                ui.label(tr("One video per platform, each in its own format.")).classes(
                    "text-caption text-grey-7"
                )
            with ui.column().classes("gap-1"):
                ui.label(tr("Quality")).classes("text-subtitle1")

                async def set_quality(value: str) -> None:
                    if value != state.project.export.quality:
                        await state.save(
                            export=ExportSettings.model_validate(
                                {**state.project.export.model_dump(), "quality": value}
                            )
                        )

                ui.radio(
                    choices(),
                    value=project.export.quality,
                    on_change=lambda e: set_quality(e.value),
                ).props(f'aria-label="{tr("Quality")}"').classes("export-quality").mark(
                    "export-quality"
                )
            with ui.column().classes("gap-1 max-w-sm"):
                ui.label(tr("Length")).classes("text-subtitle1")

                async def set_trim(value: bool) -> None:
                    if value != state.project.export.trim:
                        await state.save(
                            export=ExportSettings.model_validate(
                                {**state.project.export.model_dump(), "trim": value}
                            )
                        )

                ui.switch(
                    tr("Trim to fit the platform’s time limit"),
                    value=project.export.trim,
                    on_change=lambda e: set_trim(bool(e.value)),
                ).classes("export-trim").mark("export-trim")
                ui.label(
                    tr(
                        "When the narration runs longer than the platform allows, scenes are "
                        "dropped from the end. Off: a too-long video fails with a message "
                        "instead."
                    )
                ).classes("text-caption text-grey-7")

    settings_part()
    state.on_reload(settings_part.refresh)

    notice = ui.column().classes("w-full render-problems").props('role="alert"')
    notice.set_visibility(False)

    busy = {"now": False}

    async def render() -> None:
        """The sticky bar's Render (the editor's one Render button, in reach from every tab)."""
        if busy["now"]:
            return
        busy["now"] = True
        platforms = [name for name, on in chosen.items() if on]
        try:
            gone = await call(missing_assets, ws, state.project)
            found = problems(state.project, platforms, gone)
            notice.clear()
            notice.set_visibility(bool(found))
            if found:
                with notice, ui.card().classes("w-full bg-orange-1 text-black"):
                    ui.label(tr("Not rendered yet:")).classes("text-subtitle1")
                    for text in found:
                        ui.label("• " + text).classes("text-body2 render-problem").mark(
                            "render-problem"
                        )
                ui.notify(found[0], type="warning", multi_line=True)
                return
            jobs = await call(ws.jobs.submit_project, state.project.id, platforms)
        except Failed:
            return
        finally:
            busy["now"] = False
        ui.notify(
            tr(
                "Rendering for {platforms}: the progress is shown below.",
                platforms=", ".join(names.get(j.platform or "", "?") for j in jobs),
            ),
            type="positive",
        )
        await renders.refresh()

    state.render = render
    ui.label(
        tr(
            "Press Render at the bottom of the screen. Renders run in the background: you can "
            "keep editing, or leave and follow them in the Queue."
        )
    ).classes("text-body2 text-grey-8")
    await prediction_line(ws, lambda: state.project)  # ADR 0043

    async def post() -> None:
        try:
            finished = await call(
                lambda: (
                    ws.jobs.find(
                        project_id=state.project.id, status="succeeded", limit=PREVIOUS_RENDERS
                    ).items
                )
            )
        except Failed:
            return
        await open_post_dialog(ws, finished)

    with ui.row().classes("w-full items-center gap-4"):
        ui.button(tr("Post or schedule"), icon="send", on_click=post).props(
            "no-caps outline"
        ).classes("post-button").mark("post-button")
        ui.label(
            tr(
                "A finished render to YouTube, TikTok, Instagram or Facebook (connect accounts "
                "in Accounts); follow the posts in the Calendar."
            )
        ).classes("text-body2 text-grey-8")

    ui.label(tr("Renders of this project")).classes("text-h6 mt-4")
    renders = JobList(
        ws,
        lambda: ws.jobs.find(project_id=state.project.id, limit=PREVIOUS_RENDERS),
        platforms=names,
        empty=tr("No renders yet: press Render."),
        full=newest_per_platform,
    )
    await renders.refresh()
