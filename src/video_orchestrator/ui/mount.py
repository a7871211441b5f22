"""Mount the NiceGUI application under ``/ui`` of the API's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from video_orchestrator.ui.env import UiEnv

UI_PATH = "/ui"


def mount_ui(api: FastAPI, *, storage_secret: str, require_login: bool) -> UiEnv:
    """Serve the web UI at ``/ui`` (and redirect ``/`` there). NiceGUI keeps one application
    per process, so call this once per process."""
    from nicegui import app as nicegui_app
    from nicegui import ui

    from video_orchestrator.ui import media, shell

    env = UiEnv(services=lambda: api.state.services, require_login=require_login)
    media.register(nicegui_app, env)

    @api.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(UI_PATH + "/")

    ui.run_with(
        api,
        root=lambda: shell.root(env),
        mount_path=UI_PATH,
        title="Video Orchestrator",
        storage_secret=storage_secret,
        show_welcome_message=False,
        reconnect_timeout=30.0,
    )
    return env
