"""API keys, rate limits, security headers: what every request passes through."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from video_orchestrator.api.problems import problem, status_of
from video_orchestrator.errors import AccessError, RateLimitedError, VoError

#: Paths that never need a key: liveness and readiness probes, and the API's own description.
OPEN_PATHS = ("/health", "/docs", "/openapi.json", "/redoc")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"


def bearer_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


def is_open(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in OPEN_PATHS)


async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Authenticate (when required), rate-limit, then add the security headers."""
    state = request.app.state
    path = request.url.path
    client = request.client.host if request.client else "unknown"
    try:
        if not is_open(path):
            key = bearer_key(request)
            if state.require_api_key:
                info = await run_in_threadpool(state.services.apikeys.verify, key)
                client = f"key:{info.id}"
            await run_in_threadpool(state.limiter.check, client)
    except (AccessError, RateLimitedError) as exc:
        status, slug = status_of(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if isinstance(exc, RateLimitedError):
            headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        response: Response = problem(status, str(exc), slug=slug, instance=path, headers=headers)
    except VoError as exc:
        status, slug = status_of(exc)
        response = problem(status, str(exc), slug=slug, instance=path)
    else:
        response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not path.startswith(("/docs", "/redoc")):
        response.headers.setdefault("Content-Security-Policy", API_CSP)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


__all__ = ["JSONResponse", "bearer_key", "guard", "is_open"]
