"""Every error as ``application/problem+json`` (RFC 9457), from ONE mapping of the product's
exception tree to HTTP statuses. Nothing else in the API chooses an error status."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from video_orchestrator import errors as e

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "tag:video-orchestrator,2026:problem/"

#: Most specific class first.
STATUS: list[tuple[type[e.VoError], int, str]] = [
    (e.NotFoundError, 404, "not-found"),
    (e.PayloadTooLarge, 413, "payload-too-large"),
    (e.MediaError, 415, "unsupported-media"),
    (e.BlockedUrlError, 422, "blocked-url"),
    (e.MetricsFileError, 422, "invalid-metrics-file"),
    (e.SpecError, 422, "invalid-spec"),
    (e.NoScriptWriter, 422, "no-script-writer"),
    (e.NoTranslator, 422, "no-translator"),
    (e.ScriptError, 422, "invalid-script"),
    (e.FontCoverageError, 422, "font-coverage"),
    (e.InputError, 422, "invalid-input"),
    (e.StaleVersionError, 409, "stale-version"),
    (e.InvalidStateError, 409, "invalid-state"),
    (e.NotEnoughHistory, 409, "not-enough-history"),
    (e.ConflictError, 409, "conflict"),
    (e.ForbiddenError, 403, "forbidden"),
    (e.AccessError, 401, "unauthorized"),
    (e.RateLimitedError, 429, "rate-limited"),
    (e.VoiceLanguageMismatch, 422, "voice-language-mismatch"),
    (e.VoiceNotFoundError, 422, "voice-not-found"),
    (e.ConfigError, 503, "server-misconfigured"),
    (e.ProviderRateLimited, 503, "provider-rate-limited"),
    (e.ProviderUnavailable, 503, "provider-unavailable"),
    (e.OutcomeUnknown, 502, "outcome-unknown"),
    (e.ProviderError, 502, "provider-error"),
    (e.StorageError, 503, "storage-unavailable"),
    (e.RenderCancelled, 409, "cancelled"),
    (e.RenderError, 500, "render-failed"),
    (e.CheckFailed, 422, "check-failed"),
]

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    416: "Range not satisfiable",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """An error (RFC 9457)."""

    type: str = Field(description="a tag URI naming the kind of problem, or about:blank")
    title: str
    status: int
    detail: str = Field(description="what went wrong and what to do, in one sentence")
    instance: str | None = None
    errors: list[dict[str, str]] | None = Field(
        None, description="for invalid requests: each field ('where') and its problem"
    )


def _documented(status: int) -> dict[str, Any]:
    return {
        "description": TITLES.get(status, "Error"),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


#: Declared on every operation, so clients (and schemathesis) know the error shapes.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: _documented(status) for status in (400, 401, 404, 409, 413, 415, 422, 429, 503)
}


def status_of(exc: e.VoError) -> tuple[int, str]:
    for cls, status, slug in STATUS:
        if isinstance(exc, cls):
            return status, slug
    return 500, "error"


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"{TYPE_BASE}{slug}" if slug else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(e.VoError)
    async def vo_error(request: Request, exc: e.VoError) -> JSONResponse:
        status, slug = status_of(exc)
        headers = None
        if isinstance(exc, e.RateLimitedError):
            headers = {"Retry-After": str(max(1, round(exc.retry_after)))}
        if status >= 500:
            logger.warning("%s %s failed: %s", request.method, request.url.path, exc)
        extra: dict[str, Any] = {}
        if isinstance(exc, e.NotEnoughHistory):  # ADR 0043: what there is and what is needed
            extra = {"videos": exc.videos, "needed": exc.needed}
        return problem(
            status, str(exc), slug=slug, instance=request.url.path, headers=headers, **extra
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"where": _where(err.get("loc", ())), "message": err.get("msg", "invalid")}
            for err in exc.errors()
        ]
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            return problem(
                400,
                "the request body is not valid JSON",
                slug="malformed-json",
                instance=request.url.path,
                errors=errors,
            )
        first = errors[0] if errors else {"where": "body", "message": "invalid"}
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return problem(
            422,
            f"{first['where']}: {first['message']}{more}",
            slug="invalid-request",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        return problem(
            exc.status_code,
            detail,
            instance=request.url.path,
            headers=dict(exc.headers) if exc.headers else None,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            500,
            "an internal error occurred; it has been logged",
            slug="internal",
            instance=request.url.path,
        )
