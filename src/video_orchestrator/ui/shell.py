"""The page frame: header with navigation, theme and sign-out, the sign-in gate (``session``),
and the routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import app, ui

from video_orchestrator.ui import editor, projects_page, queue_page, session, settings_page
from video_orchestrator.ui.env import UiEnv

NAV = (
    ("Projects", "/", "movie"),
    ("Queue", "/queue", "pending_actions"),
    ("Settings", "/settings", "settings"),
)


async def root(env: UiEnv) -> None:
    signed_in = not env.require_login or await session.verified(env) is not None
    dark = ui.dark_mode(value=app.storage.user.get("dark", False))
    ui.colors(primary="#5B3FD9", secondary="#B8325F", accent="#127A80", positive="#1E7D32")
    ui.add_head_html(
        '<meta name="description" content="Video Orchestrator: make short vertical videos">'
    )
    with ui.header().classes("items-center gap-4 px-4 py-2"):
        ui.label("Video Orchestrator").classes("text-h6 font-bold")
        with ui.row().classes("gap-1").props('role="navigation" aria-label="Main"'):
            for label, path, icon in NAV:
                ui.button(label, icon=icon, on_click=lambda p=path: ui.navigate.to(p)).props(
                    "flat color=white no-caps"
                ).classes("nav-" + label.lower())
        ui.space()

        def toggle() -> None:
            dark.toggle()
            app.storage.user["dark"] = dark.value

        ui.button(icon="dark_mode", on_click=toggle).props(
            'flat round color=white aria-label="Switch light or dark theme"'
        ).tooltip("Light or dark theme")
        if env.require_login and signed_in:
            ui.button("Sign out", icon="logout", on_click=lambda: session.sign_out(env)).props(
                "flat color=white no-caps"
            ).classes("sign-out")

    if not signed_in:
        session.sign_in_form(env)
        return
    if env.require_login:
        session.watch(env)

    async def gate() -> bool:
        """A sub-page (navigated to without a page load) checks the session too."""
        if not env.require_login or await session.verified(env) is not None:
            return True
        ui.navigate.reload()
        return False

    async def projects() -> None:
        if await gate():
            await projects_page.show(env)

    async def project(project_id: str) -> None:
        if await gate():
            await editor.show(env, project_id)

    async def queue() -> None:
        if await gate():
            await queue_page.show(env)

    async def settings() -> None:
        if await gate():
            await settings_page.show(env)

    with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4"):
        pages: dict[str, Callable[..., Any]] = {"/": projects, "/queue": queue}
        pages.update({"/projects/{project_id}": project, "/settings": settings})
        ui.sub_pages(pages).classes("w-full")
