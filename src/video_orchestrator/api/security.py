"""API keys, rate limits, body limits, NUL refusal, the browser rules (``boundary.py``) and
security headers: what every request passes through.

A plain ASGI middleware (not Starlette's ``BaseHTTPMiddleware``, which costs a task and a
stream per request): it checks the request, then adds the headers as the response starts.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from video_orchestrator.api.boundary import BrowserPolicy
from video_orchestrator.api.limits import MemoryStore
from video_orchestrator.api.problems import problem, status_of
from video_orchestrator.errors import (
    AccessError,
    ForbiddenError,
    InputError,
    PayloadTooLarge,
    RateLimitedError,
    VoError,
)

#: Paths that never need a key: liveness and readiness probes, and the API's own description
#: (each with what lies below it), and the OAuth callback (its one-use ``state`` is the
#: credential: ADR 0026); "/" itself (a redirect to /ui) is open, nothing under it.
OPEN_PATHS = ("/health", "/docs", "/openapi.json", "/redoc", "/accounts/callback")
#: Routes that take a file (streamed to disk under their own size limit, ``upload_max_bytes``);
#: every other request body is held to ``json_max_bytes``.
UPLOAD_PATHS = ("/assets", "/music", "/analytics/imports")
#: The web UI signs its users in itself (a session cookie), loads many small files and keeps a
#: websocket open: it gets its own policy, and neither API keys nor the API's rate limit.
UI_PATHS = ("/ui",)
UI_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "font-src 'self' data:; connect-src 'self' ws: wss:; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
MULTIPART_OVERHEAD = 64_000  # the form's boundaries and part headers around one file
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")  # \u0000 not preceded by an odd "\"


def bearer_key(headers: Headers) -> str | None:
    header = headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return headers.get("x-api-key") or None


def is_open(path: str) -> bool:
    return path == "/" or any(path == p or path.startswith(p + "/") for p in OPEN_PATHS + UI_PATHS)


def is_upload(scope: Scope) -> bool:
    return scope.get("method") == "POST" and (
        scope.get("path", "") in UPLOAD_PATHS or is_ui_upload(scope)
    )


def is_ui(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in UI_PATHS)


def is_ui_upload(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return scope.get("method") == "POST" and is_ui(path) and "/upload/" in path


def check_ui_upload(headers: Headers, limit: int) -> None:
    """The UI's uploads (NiceGUI's multipart route) are refused before a byte is read when they
    declare more than the upload limit, or declare nothing (only a hand-made client does)."""
    length = headers.get("content-length", "")
    if not length.isdigit():
        raise PayloadTooLarge("an upload must say its size (Content-Length); send it again")
    if int(length) > limit + MULTIPART_OVERHEAD:
        raise PayloadTooLarge(
            f"the file is too big: at most {limit // 1_000_000} MB per upload"
            if limit >= 1_000_000
            else f"the file is too big: at most {limit} bytes per upload"
        )


def _too_large(limit: int) -> str:
    return f"the request body is over the {limit:,}-byte limit of this server (VO_JSON_MAX_BYTES)"


def refuse_nul_in_url(scope: Scope) -> None:
    query = scope.get("query_string", b"")
    if "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query:
        raise InputError("the request contains a NUL character (%00), which no field accepts")


class Guard:
    """Authenticate (when required), rate-limit, refuse NUL characters, add the headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        headers = Headers(scope=scope)
        state: Any = scope["app"].state
        try:
            policy: BrowserPolicy = state.browser_policy
            policy.check(scope.get("method", "GET"), headers)
            refuse_nul_in_url(scope)
            settings = state.services.ctx.settings
            if is_upload(scope):
                if is_ui_upload(scope):
                    check_ui_upload(headers, settings.upload_max_bytes)
            else:
                receive = await self._checked_body(headers, receive, settings.json_max_bytes)
            if not is_open(path):
                client = scope["client"][0] if scope.get("client") else "unknown"
                if state.require_api_key:
                    info = await self._verified(state, client, bearer_key(headers))
                    client = f"key:{info.id}"
                scope.setdefault("state", {})["client"] = client  # who, for per-client caps
                limiter = state.limiter
                if isinstance(limiter.store, MemoryStore):
                    limiter.check(client)  # in memory: no I/O, no thread hop
                else:
                    await run_in_threadpool(limiter.check, client)
        except VoError as exc:
            status, slug = status_of(exc)
            extra: dict[str, str] = {}
            if isinstance(exc, AccessError) and not isinstance(exc, ForbiddenError):
                extra["WWW-Authenticate"] = "Bearer"
            if isinstance(exc, RateLimitedError):
                extra["Retry-After"] = str(max(1, round(exc.retry_after)))
            response = problem(status, str(exc), slug=slug, instance=path, headers=extra)
            await response(scope, receive, self._with_headers(send, path))
            return
        await self.app(scope, receive, self._with_headers(send, path))

    @staticmethod
    async def _verified(state: Any, address: str, key: str | None) -> Any:
        """The key's record; a client address that keeps sending wrong keys must wait."""
        failures = state.auth_failures
        failures.refuse_if_over(address)
        try:
            return await run_in_threadpool(state.services.apikeys.verify, key)
        except AccessError:
            failures.count(address)
            raise

    @staticmethod
    async def _checked_body(headers: Headers, receive: Receive, limit: int) -> Receive:
        """Read a request's body (JSON, CSV …: anything but an upload) up to ``limit`` bytes,
        refuse a bigger one (413) before parsing, refuse a NUL in JSON, and replay it."""
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            raise PayloadTooLarge(_too_large(limit))
        if not (length.isdigit() and int(length) > 0) and "transfer-encoding" not in headers:
            return receive  # no body
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > limit:
                raise PayloadTooLarge(_too_large(limit))
            if not message.get("more_body", False):
                break
        if headers.get("content-type", "").startswith("application/json") and _JSON_NUL.search(
            body
        ):
            raise InputError(
                "the JSON body contains a NUL character (\\u0000), which no field accepts"
            )

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        return replay

    @staticmethod
    def _with_headers(send: Send, path: str) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in response_headers:
                        response_headers[name] = value
                if "content-security-policy" not in response_headers:
                    if is_ui(path):
                        response_headers["content-security-policy"] = UI_CSP
                    elif not path.startswith(("/docs", "/redoc")):
                        response_headers["content-security-policy"] = API_CSP
                if "cache-control" not in response_headers and not is_ui(path):
                    response_headers["cache-control"] = "no-store"
            await send(message)

        return sending
