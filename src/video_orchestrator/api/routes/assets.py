"""The asset library: upload (streamed, size-limited, type probed), import from a URL, list,
get, content, delete; music; background search."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.types import Message

from video_orchestrator.api.boundary import is_media_type
from video_orchestrator.api.deps import WS
from video_orchestrator.api.files import send_file
from video_orchestrator.api.limits import ClientSlots
from video_orchestrator.errors import (
    InputError,
    MediaError,
    PayloadTooLarge,
    StorageError,
    os_reason,
)
from video_orchestrator.services.assets import AssetKind, AssetOut, AssetPage
from video_orchestrator.services.workspace import Workspace

router = APIRouter(tags=["assets"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}
MEDIA_TYPES = {"video": "video/mp4", "image": "image/jpeg", "audio": "audio/mpeg"}


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=8, max_length=2000)


class SearchOut(BaseModel):
    query: str
    local: list[AssetOut]
    stock: list[dict[str, object]] = Field(
        default_factory=list, description="results of the configured stock providers"
    )
    notices: list[str] = Field(default_factory=list, description="providers that failed")


def _limited(request: Request, limit: int) -> Request:
    """The request with its body counted as it arrives: the form parser spools a file part
    to disk whole, so an over-long upload is stopped here, before it fills the disk."""
    seen = 0
    receive = request.receive

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit + 64_000:  # the form's own fields and boundaries
                raise PayloadTooLarge(f"the upload is over the {limit:,}-byte limit")
        return message

    return Request(request.scope, counted)


async def _receive(ws: Workspace, request: Request) -> tuple[Path, str | None]:
    """Stream the request's file to a temporary file, enforcing the size limit as it comes."""
    limit = ws.ctx.settings.upload_max_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 64_000:
        raise PayloadTooLarge(f"the upload is {int(declared):,} bytes; the limit is {limit:,}")
    target = ws.incoming_file()
    filename = request.query_params.get("filename")
    try:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            form = await _limited(request, limit).form(max_files=1, max_fields=5)
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise InputError("the form has no file field named 'file'")
            filename = filename or upload.filename
            size = 0
            with target.open("wb") as handle:
                while block := await upload.read(1 << 16):
                    size += len(block)
                    if size > limit:
                        raise PayloadTooLarge(f"the upload is over the {limit:,}-byte limit")
                    handle.write(block)
            await form.close()
        else:
            if not is_media_type(content_type):
                raise MediaError(
                    f"an upload's Content-Type must be its media type (video/…, image/…, "
                    f"audio/… or application/octet-stream), not {content_type or 'missing'!r}; "
                    "or send a multipart form with a 'file' field"
                )
            size = 0
            with target.open("wb") as handle:
                async for block in request.stream():
                    size += len(block)
                    if size > limit:
                        raise PayloadTooLarge(f"the upload is over the {limit:,}-byte limit")
                    handle.write(block)
        if size == 0:
            raise MediaError("the upload is empty")
    except OSError as exc:  # the server's disk, not the client's file
        target.unlink(missing_ok=True)
        raise StorageError(f"the server cannot store the upload: {os_reason(exc)}") from exc
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, filename


async def _add(ws: WS, request: Request, response: Response, want: set[str] | None) -> AssetOut:
    path, filename = await _receive(ws, request)
    try:
        asset, created = await run_in_threadpool(ws.assets.add_file, path, filename)
    finally:
        path.unlink(missing_ok=True)
    if want is not None and asset.kind not in want:
        raise MediaError(f"{asset.filename} is {asset.kind}, not {'/'.join(sorted(want))}")
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"/assets/{asset.id}"
    return asset


@router.post(
    "/assets",
    response_model=AssetOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_BODY,
    responses={200: {"description": "the same content was already in the library"}},
)
async def upload(
    ws: WS,
    request: Request,
    response: Response,
    filename: str | None = Query(None, max_length=255),
) -> AssetOut:
    """Upload a video, image or audio file: the raw bytes (``?filename=`` names it) or a
    multipart form with a ``file`` field. Its type is decided by probing the content."""
    return await _add(ws, request, response, None)


@router.post("/assets/import", response_model=AssetOut, status_code=status.HTTP_201_CREATED)
def import_url(ws: WS, body: ImportIn, request: Request, response: Response) -> AssetOut:
    """Fetch a public http(s) URL into the library (local and private addresses are refused).
    A few imports run at once per client and in all (429 beyond), each within a deadline and
    above a minimum transfer rate, so no import holds the server for long."""
    slots: ClientSlots = request.app.state.import_slots
    with slots.held(str(getattr(request.state, "client", "unknown"))):
        asset, created = ws.import_url(body.url)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return asset


class StockImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    provider: Literal["pexels", "pixabay"]
    id: str = Field(min_length=1, max_length=64)
    query: str = Field(min_length=1, max_length=200, description="the search that found it")
    kind: Literal["video", "photo"] = "video"


@router.post("/assets/from-stock", response_model=AssetOut, status_code=status.HTTP_201_CREATED)
def import_stock(ws: WS, body: StockImportIn, response: Response) -> AssetOut:
    """Bring a stock clip or photo from a search into the library, with its attribution."""
    asset, created = ws.ideas.import_stock(ws.assets, body.provider, body.id, body.query, body.kind)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return asset


@router.get("/assets", response_model=AssetPage)
def list_assets(
    ws: WS,
    kind: AssetKind | None = None,
    q: str | None = Query(None, max_length=200),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> AssetPage:
    return ws.assets.find(kind=kind, query=q, limit=limit, offset=offset)


@router.get("/assets/{asset_id}", response_model=AssetOut)
def get_asset(ws: WS, asset_id: str) -> AssetOut:
    return ws.assets.get(asset_id)


@router.get("/assets/{asset_id}/content", responses={206: {"description": "a byte range"}})
def asset_content(ws: WS, asset_id: str, request: Request) -> Response:
    asset, key = ws.assets.get_with_key(asset_id)
    return send_file(
        request,
        size=asset.size,
        media_type=MEDIA_TYPES.get(asset.kind, "application/octet-stream"),
        filename=asset.filename,
        chunks=lambda start, end: ws.file_stream(key, start, end),
        inline=True,
    )


@router.delete("/assets/{asset_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_asset(ws: WS, asset_id: str) -> Response:
    ws.assets.delete(asset_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/music", response_model=AssetPage, tags=["music"])
def list_music(
    ws: WS, limit: int = Query(50, ge=1, le=200), offset: int = Query(0, ge=0, le=1_000_000)
) -> AssetPage:
    return ws.assets.find(kind="audio", limit=limit, offset=offset)


@router.post(
    "/music",
    response_model=AssetOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_BODY,
    tags=["music"],
)
async def upload_music(
    ws: WS,
    request: Request,
    response: Response,
    filename: str | None = Query(None, max_length=255),
) -> AssetOut:
    return await _add(ws, request, response, {"audio"})


@router.get("/backgrounds/search", response_model=SearchOut, tags=["assets"])
def search_backgrounds(
    ws: WS,
    q: str = Query(min_length=1, max_length=200),
    kind: Literal["video", "image"] | None = None,
    limit: int = Query(20, ge=1, le=50),
) -> SearchOut:
    """Local assets matching the words, and stock footage when providers are configured."""
    local = [a for a in ws.assets.search(q, kind, limit) if a.kind in ("video", "image")]
    stock_kind = "photo" if kind == "image" else "video"
    stock, notices = ws.ideas.stock_search(
        q, kind=stock_kind, provider=None, platform=None, limit=limit
    )
    return SearchOut(query=q, local=local, stock=stock, notices=notices)
