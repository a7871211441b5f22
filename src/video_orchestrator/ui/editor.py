"""One project in seven tabs: the page that draws them around one :class:`ProjectState`
(``project_state.py``: autosave, undo, and conflicts when another tab or person saved first)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import app, ui
from nicegui.events import ValueChangeEventArguments

from video_orchestrator.ui import (
    languages_panel,
    tab_audio,
    tab_background,
    tab_captions,
    tab_export,
    tab_script,
    tab_voice,
)
from video_orchestrator.ui.common import Failed, call, tell
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import marked, number, tr
from video_orchestrator.ui.preview_panel import PreviewPanel
from video_orchestrator.ui.project_state import ProjectState

TABS: tuple[tuple[str, str, str, Callable[[ProjectState], Awaitable[None] | None]], ...] = (
    ("script", marked("Story & Script"), "edit_note", tab_script.build),
    ("voice", marked("Voice"), "record_voice_over", tab_voice.build),
    ("background", marked("Background"), "image", tab_background.build),
    ("audio", marked("Audio"), "music_note", tab_audio.build),
    ("captions", marked("Captions"), "subtitles", tab_captions.build),
    ("languages", marked("Languages"), "translate", languages_panel.build),
    ("export", marked("Export"), "file_download", tab_export.build),
)


async def show(env: UiEnv, project_id: str) -> None:
    try:
        project = await call(env.ws.projects.get, project_id)
    except Failed:
        with ui.card().classes("w-full p-8 items-center"):
            ui.label(tr("This project cannot be opened.")).classes("text-h6")
            ui.link(tr("Back to the projects"), "/")
        return
    state = ProjectState(env, project)

    ui.label(tr("Project: {name}", name=project.name)).classes("sr-only").props(
        'role="heading" aria-level="1"'
    )
    with ui.row().classes("w-full items-center gap-2"):
        ui.button(icon="arrow_back", on_click=lambda: ui.navigate.to("/")).props(
            f'flat round aria-label="{tr("Back to the projects")}"'
        )
        name = (
            ui.input(tr("Project name"), value=project.name)
            .props("dense borderless")
            .classes("text-h5 project-name grow min-w-0 sm:min-w-[20rem]")
            .mark("project-name")
        )

        async def rename() -> None:
            if name.value.strip() and name.value.strip() != state.project.name:
                await state.save(name=name.value.strip())

        name.on("blur", rename)
        name.on("keydown.enter", rename)
        ui.space()
        state.status = ui.label(tr("version {number}", number=number(project.version))).classes(
            "save-status text-caption"
        )
        state.undo_button = (
            ui.button(tr("Undo"), icon="undo", on_click=state.undo)
            .props("flat no-caps")
            .tooltip(tr("Undo the last change"))
        )
        state.undo_button.disable()
    with ui.card().classes("w-full bg-red-1 conflict-banner").props('role="alert"') as banner:
        ui.label(
            tr(
                "This project was saved in another tab or by someone else after you opened it, "
                "so your last change was not saved."
            )
        ).classes("text-body1")
        with ui.row():
            ui.button(tr("Load the newer version"), on_click=state.reload).props("no-caps")
            ui.button(tr("Save mine over it"), on_click=state.keep_mine).props(
                "no-caps outline color=negative"
            )
    banner.set_visibility(False)
    state.conflict = banner

    # the tab last open on this project, kept per browser (it survives a reload or restart)
    remembered = f"tab:{project_id}"
    opened = app.storage.user.get(remembered, "script")
    if opened not in {key for key, *_ in TABS}:
        opened = "script"

    def remember(event: ValueChangeEventArguments[Any]) -> None:
        app.storage.user[remembered] = event.value

    with ui.element("div").classes(
        "w-full flex flex-col lg:flex-row lg:flex-nowrap gap-4 items-start"
    ):
        with ui.column().classes("grow min-w-0 w-full lg:w-0 lg:flex-1 gap-2"):
            with ui.tabs().classes("w-full editor-tabs").props("align=left no-caps") as tabs:
                tab_elements = {
                    key: ui.tab(key, label=tr(label), icon=icon) for key, label, icon, _ in TABS
                }
            panels = (
                ui.tab_panels(tabs, value=tab_elements[opened], on_change=remember)
                .classes("w-full")
                .props("keep-alive animated=false")
            )

            def open_tab(key: str) -> None:
                panels.value = key
                tabs.value = key

            state.open_tab = open_tab
            with panels:
                for key, _label, _icon, build in TABS:
                    with ui.tab_panel(tab_elements[key]).classes(f"tab-{key}"):
                        try:
                            result = build(state)
                            if result is not None:
                                await result
                        except Failed:
                            pass
                        except Exception as exc:  # a broken tab must not hide the others
                            tell(exc)

        side = "w-full lg:w-[280px] shrink-0 lg:sticky lg:top-16 preview-column"
        with ui.column().classes(side):
            preview = PreviewPanel(state)
    ui.timer(0.2, preview.start, once=True)  # after the page is drawn

    async def render_now() -> None:
        open_tab("export")
        if state.render is not None:
            await state.render()

    # Render is always in reach: a bar stuck to the bottom of the screen
    with (
        ui.row()
        .classes("w-full render-bar items-center justify-end gap-2 p-2 rounded-borders shadow-2")
        .props(f'role="region" aria-label="{tr("Render")}"')
    ):
        ui.space()
        ui.button(
            tr("Preview"),
            icon="smartphone",
            on_click=lambda: ui.run_javascript(
                "document.querySelector('.draft-preview')"
                "?.scrollIntoView({behavior: 'smooth', block: 'start'})"
            ),
        ).props("flat no-caps").classes("lg:hidden show-preview")
        ui.button(tr("Render"), icon="movie_creation", on_click=render_now).props(
            "no-caps"
        ).classes("sticky-render").mark("sticky-render")
