"""The phone-shaped preview beside the editor: the whole video as a draft render (360×640,
``services/preview.py``) that plays in the page, made again a moment after each saved change,
with a button per scene that jumps to it (its real background and the chosen caption style)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from nicegui import ui

from video_orchestrator.services.preview import DraftPreview
from video_orchestrator.ui.common import Failed, call
from video_orchestrator.ui.i18n import number, tr
from video_orchestrator.ui.media import in_page, preview_url

if TYPE_CHECKING:
    from video_orchestrator.ui.project_state import ProjectState

#: Seconds after the last saved change before a new draft is made (typing is not rendering).
SETTLE_SECONDS = 2.0


class PreviewPanel:
    def __init__(self, state: ProjectState) -> None:
        self.state = state
        self.running = False
        self.again = False  # a change came while a draft was being made
        self.wait: ui.timer | None = None
        self.started = 0.0
        with (
            ui.column()
            .classes("w-full items-center gap-2 draft-preview")
            .props(f'role="region" aria-label="{tr("Preview")}"') as self.box
        ):
            ui.label(tr("Preview")).classes("text-subtitle1 self-start").props(
                'role="heading" aria-level="2"'
            )
            with (
                ui.element("div")
                .classes(
                    "w-[240px] aspect-[9/16] rounded-[22px] bg-black overflow-hidden relative "
                    "border-[6px] shadow-4 phone-frame"
                )
                .style("border-color: #3a3a3a")
            ):
                self.video = (
                    ui.element("video")
                    .classes("w-full h-full draft-player")
                    .props(
                        "controls playsinline preload=metadata "
                        f'aria-label="{tr("Preview of the video")}"'
                    )
                )
                self.video.set_visibility(False)
                with ui.column().classes(
                    "absolute inset-0 items-center justify-center text-white text-center p-4"
                ) as self.cover:
                    self.spinner = ui.spinner(size="lg", color="white").props('aria-hidden="true"')
                    self.cover_text = ui.label("").classes("text-body2")
            self.status = (
                ui.label("").classes("text-caption draft-status").props('aria-live="polite"')
            )
            self.scenes = ui.row().classes("gap-1 justify-center draft-scenes")
            self.button = (
                ui.button(tr("Update the preview"), icon="refresh", on_click=self.make)
                .props("flat no-caps dense")
                .classes("draft-update")
            )
        state.on_change(self.soon)

    async def start(self) -> None:
        """Show the draft of the project as it is (from the cache), or make it."""
        if self.state.project.script is None:
            self._empty()
            return
        try:
            found = await call(self.state.ws.previews.cached, self.state.project.id)
        except Failed:
            return
        if found is not None:
            self._show(found)
        else:
            await self.make()

    def soon(self) -> None:
        """A change was saved: make a new draft once the edits settle."""
        if self.wait is not None:
            self.wait.cancel()
        with self.box:  # the panel's own: a tab redrawn meanwhile must not take the timer
            self.wait = ui.timer(SETTLE_SECONDS, self.make, once=True)

    async def make(self) -> None:
        if self.state.project.script is None:
            self._empty()
            return
        if self.running:
            self.again = True
            return
        self.running, self.again = True, False
        self.started = time.monotonic()
        self.button.disable()
        self.spinner.set_visibility(True)
        self.cover.set_visibility(True)
        self.cover_text.text = tr("Making the preview…")
        with self.box:
            clock = ui.timer(1.0, self._tick)
        try:
            draft = await call(self.state.ws.previews.make, self.state.project.id)
        except Failed:
            self.cover_text.text = tr("No preview: see the message")
            self.status.text = ""
            return
        finally:
            clock.cancel()
            self.running = False
            self.button.enable()
            self.spinner.set_visibility(False)
        self._show(draft)
        if self.again:
            self.soon()

    def _tick(self) -> None:
        seconds = time.monotonic() - self.started
        self.status.text = tr(
            "Making the preview of your latest edits… {seconds} s", seconds=number(seconds)
        )

    def _empty(self) -> None:
        self.video.set_visibility(False)
        self.cover.set_visibility(True)
        self.spinner.set_visibility(False)
        self.cover_text.text = tr("The preview appears here once the script is written.")
        self.status.text = ""

    def _show(self, draft: DraftPreview) -> None:
        self.video.props(f'src="{in_page(preview_url(draft.path))}"')
        self.video.set_visibility(True)
        self.cover.set_visibility(False)
        text = tr("Draft of your latest edits · {seconds} s long", seconds=number(draft.duration))
        if not draft.cached:
            text += " · " + tr("made in {seconds} s", seconds=number(draft.seconds))
        self.status.text = text
        self.scenes.clear()
        with self.scenes:
            ui.label(tr("Scenes")).classes("text-caption self-center")
            for index, start in enumerate(draft.starts):
                ui.button(str(index + 1), on_click=lambda s=start: self._seek(s)).props(
                    "dense outline no-caps aria-label="
                    f'"{tr("Play scene {number} in the preview", number=index + 1)}"'
                ).classes("min-w-[2rem]")

    def _seek(self, seconds: float) -> None:
        ui.run_javascript(
            f"const v = document.querySelector('.draft-player'); if (v) {{"
            f" v.currentTime = {seconds + 0.05:.3f}; v.muted = false;"
            " v.play().catch(() => {}); }"
        )
