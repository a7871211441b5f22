"""Render jobs: submit, batch, list, get, cancel, retry, progress (SSE), outputs, check."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from video_orchestrator.api.deps import WS
from video_orchestrator.api.files import send_file
from video_orchestrator.api.limits import ClientSlots
from video_orchestrator.errors import InputError, VoError
from video_orchestrator.services.jobs import (
    BatchOut,
    Idempotency,
    JobOut,
    JobPage,
    JobStatus,
    parse_batch,
)

router = APIRouter(prefix="/renders", tags=["renders"])

MAX_BATCH_BYTES = 1_000_000

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[!-~]+$",
        description=(
            "Send the same key again (within 24 h) to get the jobs the first request created "
            "instead of new ones; the same key with a different body is refused (409)."
        ),
    ),
]


def _idempotency(request: Request, key: str | None) -> Idempotency | None:
    """The key, scoped to who sent it (the API key's id, or the address without keys)."""
    if key is None:
        return None
    return Idempotency(client=str(getattr(request.state, "client", "unknown")), key=key)


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    project_id: str = Field(min_length=1, max_length=64)
    platforms: list[str] | None = Field(None, min_length=1, max_length=8)


class RuleOut(BaseModel):
    rule: str
    passed: bool
    expected: str
    actual: str


class CheckOut(BaseModel):
    platform: str
    passed: bool
    rules: list[RuleOut]


@router.post("", response_model=list[JobOut], status_code=status.HTTP_202_ACCEPTED)
def submit(
    ws: WS, body: SubmitIn, request: Request, idempotency_key: IdempotencyKey = None
) -> list[JobOut]:
    """Queue one job per platform. 202 once the jobs are stored, even while the job broker
    is unreachable: they are sent when it is back."""
    return ws.jobs.submit_project(
        body.project_id, body.platforms, idempotency=_idempotency(request, idempotency_key)
    )


@router.post(
    "/batch",
    response_model=BatchOut,
    status_code=status.HTTP_202_ACCEPTED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/BatchItem"},
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def submit_batch(
    ws: WS, request: Request, idempotency_key: IdempotencyKey = None
) -> BatchOut:
    raw = await request.body()
    if len(raw) > MAX_BATCH_BYTES:
        raise InputError(f"a batch is at most {MAX_BATCH_BYTES // 1000} kB")
    try:
        text = raw.decode("utf-8-sig")  # a spreadsheet's byte-order mark is not a column
    except UnicodeDecodeError as exc:
        raise InputError("the batch is not UTF-8 text") from exc
    items = parse_batch(text, request.headers.get("content-type", "application/json"))
    idempotency = _idempotency(request, idempotency_key)
    return await run_in_threadpool(lambda: ws.jobs.submit_batch(items, idempotency=idempotency))


@router.get("", response_model=JobPage)
def list_jobs(
    ws: WS,
    status_: Annotated[JobStatus | None, Query(alias="status")] = None,
    project_id: str | None = Query(None, max_length=64),
    batch_id: str | None = Query(None, max_length=64),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> JobPage:
    return ws.jobs.find(
        status=status_, project_id=project_id, batch_id=batch_id, limit=limit, offset=offset
    )


@router.get("/{job_id}", response_model=JobOut)
def get_job(ws: WS, job_id: str) -> JobOut:
    return ws.jobs.get(job_id)


@router.delete("/{job_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_job(ws: WS, job_id: str) -> Response:
    """Forget a finished job and delete its files (409 while it is queued or running)."""
    ws.delete_job(job_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{job_id}/cancel", response_model=JobOut)
def cancel(ws: WS, job_id: str) -> JobOut:
    return ws.jobs.cancel(job_id)


@router.post("/{job_id}/retry", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def retry(ws: WS, job_id: str) -> JobOut:
    return ws.jobs.retry(job_id)


@router.get(
    "/{job_id}/events",
    responses={200: {"content": {"text/event-stream": {}}, "description": "progress events"}},
)
async def events(ws: WS, job_id: str, request: Request) -> StreamingResponse:
    """Server-Sent Events: a ``progress`` event each time the job changes, then ``end``.
    Waiting holds no thread, so any number of clients can watch."""
    await run_in_threadpool(ws.jobs.get, job_id)  # 404 before the stream starts
    slots: ClientSlots = request.app.state.stream_slots
    client = str(getattr(request.state, "client", "unknown"))
    slots.take(client)  # 429 when this client has too many open

    async def stream() -> AsyncIterator[str]:
        try:
            async for job in ws.jobs.watch(job_id, stop=request.is_disconnected):
                yield f"event: progress\nid: {job.progress:.4f}\ndata: {job.model_dump_json()}\n\n"
                if job.status in ("succeeded", "failed", "cancelled"):
                    yield f"event: end\ndata: {json.dumps({'status': job.status})}\n\n"
                    return
        except VoError as exc:
            yield f"event: error\ndata: {json.dumps({'detail': str(exc)})}\n\n"
        finally:
            slots.give_back(client)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get(
    "/{job_id}/outputs/{output}",
    responses={200: {"content": {"video/mp4": {}}}, 206: {"description": "a byte range"}},
)
def download(ws: WS, job_id: str, output: str, request: Request) -> Response:
    """An output by kind (video, thumbnail, srt, vtt, metadata, spec) or id; Range supported."""
    info, key = ws.jobs.output(job_id, output)
    return send_file(
        request,
        size=info.size,
        media_type=info.media_type,
        filename=info.filename,
        chunks=lambda start, end: ws.file_stream(key, start, end),
        inline=request.query_params.get("inline") == "1",
    )


@router.get("/{job_id}/check", response_model=CheckOut)
def check(ws: WS, job_id: str, platform: str | None = Query(None, max_length=40)) -> CheckOut:
    results = ws.check_output(job_id, platform)
    name = platform or ws.jobs.get(job_id).platform or "tiktok"
    rules = [
        RuleOut(rule=r.rule, passed=r.ok, expected=r.expected, actual=r.actual) for r in results
    ]
    return CheckOut(platform=name, passed=all(r.passed for r in rules), rules=rules)
