"""The project being edited: :class:`ProjectState` holds the project as last saved, saves each
change at once (autosave), keeps the last change for undo, and tells the user when another
tab or person saved the project first (optimistic concurrency: the later save is refused).

The editor page and every tab use it; it imports neither, so the tabs and the editor form no
import circle."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui
from pydantic import ValidationError

from video_orchestrator.errors import NotFoundError, StaleVersionError
from video_orchestrator.services.facade import condense
from video_orchestrator.services.projects import ProjectOut, ProjectUpdate
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui.common import Failed, call
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import number, tr


class ProjectState:
    """The project being edited and how to change it."""

    def __init__(self, env: UiEnv, project: ProjectOut) -> None:
        self.env = env
        self.project = project
        self._undo: dict[str, Any] | None = None
        self._pending: dict[str, Any] | None = None
        self._listeners: list[Callable[[], object]] = []
        self._changed: list[Callable[[], object]] = []
        self.status: ui.label | None = None
        self.undo_button: ui.button | None = None
        self.conflict: ui.element | None = None
        self._saving = asyncio.Lock()  # one save at a time, each on the version the last left
        #: set by the Export tab: check and submit a render (the sticky Render button uses it)
        self.render: Callable[[], Awaitable[None]] | None = None
        #: set by the editor: show one tab (by key)
        self.open_tab: Callable[[str], None] | None = None

    @property
    def ws(self) -> Workspace:
        return self.env.ws

    def on_reload(self, listener: Callable[[], object]) -> None:
        """``listener`` redraws a part of the page after the project was reloaded or undone."""
        self._listeners.append(listener)

    def on_change(self, listener: Callable[[], object]) -> None:
        """``listener`` hears of every saved change (an edit, an undo, a reload)."""
        self._changed.append(listener)

    def changed(self) -> None:
        for listener in self._changed:
            listener()

    def show_status(self, text: str, colour: str = "text-grey-7") -> None:
        if self.status is not None:
            self.status.text = text
            self.status.classes(replace=f"save-status text-caption {colour}")

    @staticmethod
    def saved_text(version: int) -> str:
        """What the status says after a save: every change is in ``version``."""
        return tr("All changes saved · version {number}", number=number(version))

    def refuse(self, exc: ValidationError) -> None:
        """Say why a change cannot be saved (its first problem), and save nothing."""
        text = tr("Not saved: {reason}", reason=condense(exc, limit=1))
        self.show_status(text, "text-negative")
        ui.notify(text, type="warning")

    async def save(self, **changes: Any) -> bool:
        """Save ``changes`` (ProjectUpdate fields) now; ``False`` when it was refused."""
        async with self._saving:
            return await self._save(changes)

    async def save_part(
        self,
        section: str,
        edit: Callable[[dict[str, Any]], None] | None = None,
        **fields: Any,
    ) -> bool:
        """Change ``fields`` of one settings section (``voice``, ``background``, ``audio`` …),
        which is saved whole. The change is applied to the section as last saved, under the
        same lock as every save, so quick changes (a slider, then a switch) never undo each
        other. ``edit`` may change the merged section further (e.g. one scene's entry)."""
        async with self._saving:
            merged = {**getattr(self.project, section).model_dump(mode="json"), **fields}
            if edit is not None:
                edit(merged)
            return await self._save({section: merged})

    async def _save(self, changes: dict[str, Any]) -> bool:
        try:
            patch = ProjectUpdate(version=self.project.version, **changes)
        except ValidationError as exc:
            self.refuse(exc)
            return False
        before = self.project.model_dump(mode="json", include=set(changes))
        self.show_status(tr("Saving…"))
        try:
            saved = await call(self.ws.projects.update, self.project.id, patch)
        except Failed as failed:
            if isinstance(failed.__cause__, StaleVersionError):
                self._pending = changes
                self.show_status(tr("Not saved: changed elsewhere"), "text-negative")
                self._conflict_banner()
            elif isinstance(failed.__cause__, NotFoundError):
                self.show_status(tr("This project was deleted elsewhere"), "text-negative")
            else:
                self.show_status(tr("Not saved"), "text-negative")
            return False
        self.project = saved
        self.changed()
        self._undo = before
        self.show_status(self.saved_text(saved.version), "text-positive")
        if self.undo_button is not None:
            self.undo_button.enable()
        return True

    async def undo(self) -> None:
        if self._undo is None:
            return
        previous, self._undo = self._undo, None
        if await self.save(**previous):
            self._undo = None  # one level: undoing the undo is not offered
            if self.undo_button is not None:
                self.undo_button.disable()
            self.redraw()
            ui.notify(tr("Undone"))

    async def reload(self) -> None:
        try:
            self.project = await call(self.ws.projects.get, self.project.id)
        except Failed:
            return
        self._undo = None
        self._pending = None
        if self.conflict is not None:
            self.conflict.set_visibility(False)
        self.show_status(tr("Reloaded · version {number}", number=number(self.project.version)))
        self.redraw()

    async def keep_mine(self) -> None:
        """Save my refused change over the newer version (the user chose to)."""
        pending = self._pending
        try:
            self.project = await call(self.ws.projects.get, self.project.id)
        except Failed:
            return
        if self.conflict is not None:
            self.conflict.set_visibility(False)
        if pending and await self.save(**pending):
            self._pending = None
        self.redraw()

    def redraw(self) -> None:
        for listener in self._listeners:
            listener()
        self.changed()

    def _conflict_banner(self) -> None:
        if self.conflict is not None:
            self.conflict.set_visibility(True)
