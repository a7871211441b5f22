"""Health (liveness), readiness, and provider settings (secrets stored encrypted)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from video_orchestrator import __version__
from video_orchestrator.api.deps import WS
from video_orchestrator.api.limits import FallbackStore
from video_orchestrator.services.secrets_store import SECRET_NAMES, SecretOut

router = APIRouter()


class Health(BaseModel):
    status: str
    version: str


class Ready(BaseModel):
    ready: bool
    checks: dict[str, str]


class ProvidersOut(BaseModel):
    known: list[str]
    stored: list[SecretOut]


class SecretIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(min_length=1, max_length=4000, repr=False)


@router.get("/health", response_model=Health, tags=["health"])
def health() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok", version=__version__)


@router.get(
    "/health/ready",
    response_model=Ready,
    tags=["health"],
    responses={503: {"model": Ready, "description": "something the server needs is not ready"}},
)
def ready(ws: WS, request: Request) -> JSONResponse:
    """Readiness: database, file storage, executor workers, FFmpeg, the Celery broker when
    jobs go through one, and Redis when the API's rate limits live there."""
    result = ws.readiness()
    checks = dict(result.checks)
    store = request.app.state.cache
    if isinstance(store, FallbackStore):
        checks["redis"] = store.health()
    ok = result.ready and checks.get("redis", "ok") == "ok"
    body = Ready(ready=ok, checks=checks).model_dump()
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/settings/providers", response_model=ProvidersOut, tags=["settings"])
def providers(ws: WS) -> ProvidersOut:
    """Stored provider secrets, masked (never returned in full)."""
    return ProvidersOut(known=list(SECRET_NAMES), stored=ws.secrets.all())


@router.put("/settings/providers/{name}", response_model=SecretOut, tags=["settings"])
def put_provider(ws: WS, name: str, body: SecretIn) -> SecretOut:
    return ws.save_secret(name, body.value)


@router.delete(
    "/settings/providers/{name}", status_code=status.HTTP_204_NO_CONTENT, tags=["settings"]
)
def delete_provider(ws: WS, name: str) -> Response:
    ws.delete_secret(name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
