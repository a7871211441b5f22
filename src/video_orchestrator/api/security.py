"""API keys, rate limits, security headers: what every request passes through."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from video_orchestrator.api.problems import problem, status_of
from video_orchestrator.errors import AccessError, InputError, RateLimitedError, VoError

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


MAX_CHECKED_JSON = 2_000_000
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # \u0000 not preceded by an odd "\"


async def refuse_nul(request: Request) -> None:
    """A NUL character in a path, a query or a JSON body is refused (422) before anything
    stores or compares it: databases differ on NUL, and no name or text needs one."""
    if "\x00" in request.url.path or "%00" in str(request.url.query) + request.url.path:
        raise InputError("the request contains a NUL character (%00), which no field accepts")
    content_type = request.headers.get("content-type", "")
    length = request.headers.get("content-length", "")
    if (
        content_type.startswith("application/json")
        and length.isdigit()
        and int(length) <= MAX_CHECKED_JSON
    ):
        body = await request.body()  # cached by Starlette for the route
        if _JSON_NUL.search(body):
            raise InputError(
                "the JSON body contains a NUL character (\\u0000), which no field accepts"
            )


def is_open(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in OPEN_PATHS)


async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Authenticate (when required), rate-limit, then add the security headers."""
    state = request.app.state
    path = request.url.path
    client = request.client.host if request.client else "unknown"
    try:
        await refuse_nul(request)
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
