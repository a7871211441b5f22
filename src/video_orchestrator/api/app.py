"""``create_app``: the FastAPI application — routes, one error mapping, security, life cycle.

The app owns a :class:`Workspace` (services + executor) for its lifetime: started when the
server starts (recovering jobs a crash left behind), stopped when it stops.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from video_orchestrator import __version__
from video_orchestrator.api import docs, problems
from video_orchestrator.api.boundary import BrowserPolicy
from video_orchestrator.api.limits import (
    ClientSlots,
    CounterStore,
    FailureThrottle,
    FallbackStore,
    MemoryStore,
    RateLimiter,
    RedisStore,
)
from video_orchestrator.api.routes import (
    analytics,
    assets,
    catalog,
    experiments,
    hook_weights,
    ideas,
    languages,
    predictions,
    projects,
    publishing,
    renders,
    spec,
    system,
    trends,
)
from video_orchestrator.api.security import Guard
from video_orchestrator.config import Settings
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.workspace import Workspace

DESCRIPTION = """
Video Orchestrator's REST API: projects, assets, render jobs with live progress, and the
low-level render-spec API. Errors are `application/problem+json` (RFC 9457). When the server
listens beyond localhost every route except `/health*` needs `Authorization: Bearer <key>`
(make a key with `vo apikey create NAME`).
"""


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def key_required(settings: Settings) -> bool:
    if settings.require_api_key is not None:
        return settings.require_api_key
    return not is_loopback(settings.api_host)


def counter_store(settings: Settings) -> CounterStore:
    return FallbackStore(RedisStore(settings.redis_url)) if settings.redis_url else MemoryStore()


def create_app(
    settings: Settings | None = None,
    *,
    workspace: Workspace | None = None,
    start_executor: bool = True,
    ui: bool = False,
) -> FastAPI:
    """The API. Give ``workspace`` to share services with another interface or with a test;
    otherwise one is built from ``settings`` when the server starts. ``ui`` mounts the web UI
    at ``/ui`` (NiceGUI keeps one UI per process: ask for it once)."""
    if settings is None:
        settings = workspace.ctx.settings if workspace is not None else Settings.load()
    resolved: Settings = settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ws = workspace or Workspace(AppContext(resolved))
        app.state.services = ws
        if start_executor:
            ws.start()
        try:
            yield
        finally:
            if start_executor:
                ws.stop()

    app = FastAPI(
        title="Video Orchestrator",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by docs.install from the installed package, not a CDN
        redoc_url=None,
    )
    store = counter_store(resolved)
    app.state.require_api_key = key_required(resolved)
    app.state.browser_policy = BrowserPolicy.of(
        allowed_hosts=resolved.allowed_hosts,
        key_required=app.state.require_api_key,
        cors_origins=resolved.cors_origins,
    )
    app.state.limiter = RateLimiter(store, resolved.rate_limit_per_minute)
    app.state.auth_failures = FailureThrottle(store, resolved.auth_failures_per_minute)
    app.state.stream_slots = ClientSlots("progress streams", per_client=resolved.streams_per_client)
    app.state.import_slots = ClientSlots(
        "URL imports", per_client=resolved.imports_per_client, total=resolved.imports_at_once
    )
    app.state.cache = store
    if workspace is not None:
        app.state.services = workspace

    problems.install(app)
    docs.install(app, title=app.title)

    app.add_middleware(Guard)
    if resolved.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=resolved.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "Range"],
            expose_headers=["Content-Range", "Location", "Retry-After"],
        )
    for module in (
        system,
        projects,
        languages,
        assets,
        renders,
        catalog,
        spec,
        ideas,
        analytics,
        experiments,
        predictions,
        hook_weights,
        trends,
        publishing,
    ):
        app.include_router(module.router, responses=problems.RESPONSES)
    schema = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = schema()
            document["components"]["schemas"]["Problem"] = problems.Problem.model_json_schema()
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    if ui:
        from video_orchestrator.services.secrets_store import secret_key
        from video_orchestrator.ui import mount_ui

        storage_secret = hashlib.sha256(b"vo-ui-session:" + secret_key(resolved)).hexdigest()
        mount_ui(
            app,
            storage_secret=storage_secret,
            require_login=app.state.require_api_key,
            state_dir=resolved.data_dir / "ui-state",
            auth_failures=app.state.auth_failures,
            cookie_max_age=(
                round(resolved.ui_session_max_hours * 3600) if app.state.require_api_key else None
            ),
        )
    return app
