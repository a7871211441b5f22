"""The page frame: header with navigation and theme, the sign-in gate, and the routes."""

from __future__ import annotations

from nicegui import app, ui

from video_orchestrator.errors import VoError
from video_orchestrator.ui import editor, projects_page, queue_page, settings_page
from video_orchestrator.ui.common import advice
from video_orchestrator.ui.env import UiEnv

NAV = (
    ("Projects", "/", "movie"),
    ("Queue", "/queue", "pending_actions"),
    ("Settings", "/settings", "settings"),
)


def root(env: UiEnv) -> None:
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

    if env.require_login and not app.storage.user.get("signed_in"):
        _sign_in(env)
        return
    with ui.column().classes("w-full max-w-6xl mx-auto p-4 gap-4"):
        ui.sub_pages(
            {
                "/": lambda: projects_page.show(env),
                "/projects/{project_id}": lambda project_id: editor.show(env, project_id),
                "/queue": lambda: queue_page.show(env),
                "/settings": lambda: settings_page.show(env),
            }
        ).classes("w-full")


def _sign_in(env: UiEnv) -> None:
    """This server asks for an API key (it listens beyond this machine)."""
    with ui.card().classes("mx-auto mt-16 w-96"):
        ui.label("Sign in").classes("text-h6")
        ui.label(
            "This server is shared: paste an API key (made with `vo apikey create NAME`)."
        ).classes("text-body2")
        key = ui.input("API key", password=True, password_toggle_button=True).classes("w-full")
        message = ui.label("").classes("text-negative")

        def check() -> None:
            try:
                env.ws.apikeys.verify(key.value.strip() or None)
            except VoError as exc:
                message.text = advice(exc)
                return
            app.storage.user["signed_in"] = True
            ui.navigate.reload()

        key.on("keydown.enter", check)
        ui.button("Sign in", on_click=check).props("no-caps")
