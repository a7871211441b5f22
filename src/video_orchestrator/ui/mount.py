"""Mount the NiceGUI application under ``/ui`` of the API's FastAPI app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from video_orchestrator.ui.env import UI_PATH, AuthThrottle, UiEnv


def mount_ui(
    api: FastAPI,
    *,
    storage_secret: str,
    require_login: bool,
    state_dir: Path,
    auth_failures: AuthThrottle | None = None,
    cookie_max_age: int | None = None,
) -> UiEnv:
    """Serve the web UI at ``/ui`` (and redirect ``/`` there). NiceGUI keeps one application
    per process, so call this once per process. Per-browser UI state (theme, sign-in) is kept
    in ``state_dir``, not in the working directory. ``auth_failures``: the API's throttle of
    wrong keys, which the sign-in form shares; ``cookie_max_age``: seconds the browser keeps
    its storage cookie (NiceGUI's default, 14 days, when None)."""
    from nicegui import app as nicegui_app
    from nicegui import ui
    from nicegui.storage import Storage

    from video_orchestrator.ui import media, shell, webfont

    Storage.path = state_dir  # NiceGUI reads it as a class attribute
    env = UiEnv(
        services=lambda: api.state.services,
        require_login=require_login,
        auth_failures=auth_failures,
    )
    media.register(nicegui_app, env)
    webfont.register(nicegui_app)

    @api.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(UI_PATH + "/")

    ui.run_with(
        api,
        root=lambda: shell.root(env),
        mount_path=UI_PATH,
        title="Video Orchestrator",
        storage_secret=storage_secret,
        session_middleware_kwargs=(
            {"max_age": cookie_max_age} if cookie_max_age is not None else None
        ),
        show_welcome_message=False,
        reconnect_timeout=30.0,
        language="en-US",
    )
    return env
