"""Files the UI shows or offers for download, served under ``/ui/media`` to a signed-in
session (ADR 0019): stored assets, render outputs and the preview files the studio makes."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse
from nicegui import app as nicegui_app
from starlette.concurrency import run_in_threadpool

from video_orchestrator.errors import VoError
from video_orchestrator.ui.env import MEDIA_PATH, UI_PATH, UiEnv
from video_orchestrator.ui.session import TOKEN

PREVIEW_NAME = re.compile(r"^[0-9a-f]{16,128}\.(wav|jpg|png|mp3|m4a|mp4)$")
PREVIEW_TYPES = {
    "wav": "audio/wav",
    "jpg": "image/jpeg",
    "png": "image/png",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "mp4": "video/mp4",
}


# The URLs below are paths inside the UI's mount (``/media/...``): NiceGUI's elements
# (ui.image, ui.video, ui.audio, ui.link, ui.navigate) put the mount's prefix (``/ui``) in
# front themselves. A URL written into a raw HTML attribute (a prop such as a video's
# ``poster``) needs the prefix: ``in_page(url)``.


def asset_url(asset_id: str) -> str:
    return f"{MEDIA_PATH}/asset/{quote(asset_id)}"


def output_url(job_id: str, output: str, *, download: bool = False) -> str:
    url = f"{MEDIA_PATH}/render/{quote(job_id)}/{quote(output)}"
    return url + "?download=1" if download else url


def preview_url(path: Path) -> str:
    return f"{MEDIA_PATH}/preview/{path.name}"


def in_page(url: str) -> str:
    """``url`` (one of the above) as the browser requests it, for raw HTML attributes."""
    return UI_PATH + url


def register(app: FastAPI, env: UiEnv) -> None:
    async def allowed() -> None:
        """Only to a live session (its key valid, not signed out nor expired): 401 otherwise."""
        if not env.require_login:
            return
        token = nicegui_app.storage.user.get(TOKEN)
        try:
            await run_in_threadpool(env.ws.ui_sessions.check, token)
        except VoError as exc:
            raise HTTPException(401, "sign in first") from exc

    @app.get(MEDIA_PATH + "/asset/{asset_id}", include_in_schema=False)
    async def asset(asset_id: str) -> FileResponse:
        await allowed()
        try:
            info, key = await run_in_threadpool(env.ws.assets.get_with_key, asset_id)
            path = await run_in_threadpool(env.ws.ctx.files.local_path, key)
        except VoError as exc:
            raise HTTPException(404, str(exc)) from exc
        return FileResponse(path, media_type=_asset_type(info.kind, info.container))

    @app.get(MEDIA_PATH + "/render/{job_id}/{output}", include_in_schema=False)
    async def render_output(job_id: str, output: str, download: bool = False) -> FileResponse:
        await allowed()
        try:
            info, path = await run_in_threadpool(env.ws.output_path, job_id, output)
        except VoError as exc:
            raise HTTPException(404, str(exc)) from exc
        return FileResponse(
            path,
            media_type=info.media_type,
            filename=info.filename if download else None,
            content_disposition_type="attachment" if download else "inline",
        )

    @app.get(MEDIA_PATH + "/preview/{name}", include_in_schema=False)
    async def preview(name: str) -> FileResponse:
        await allowed()
        if not PREVIEW_NAME.match(name):
            raise HTTPException(404, "no such preview")
        path = env.ws.ctx.settings.cache_dir / "previews" / name
        if not path.is_file():
            raise HTTPException(404, "the preview has expired: make it again")
        return FileResponse(path, media_type=PREVIEW_TYPES[name.rsplit(".", 1)[1]])


def _asset_type(kind: str, container: str) -> str:
    container = container.lower()
    if kind == "image":
        return "image/png" if "png" in container else "image/jpeg"
    if kind == "audio":
        if "wav" in container:
            return "audio/wav"
        if "mp3" in container:
            return "audio/mpeg"
        return "audio/mp4"
    return "video/webm" if "webm" in container or "matroska" in container else "video/mp4"
