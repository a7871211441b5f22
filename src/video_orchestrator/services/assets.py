"""Use cases for the asset library: add a file (uploaded or imported), list, get, delete.

A file's type is decided by probing its content, never by its name; its SHA-256 is its
identity, so the same clip uploaded twice is stored once.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import Literal

from PIL import Image
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from video_orchestrator.errors import InvalidStateError, MediaError, NotFoundError
from video_orchestrator.render.probe import MediaInfo, probe
from video_orchestrator.services.projects import new_id
from video_orchestrator.store import Database, FileStorage
from video_orchestrator.store.tables import Asset, Project

AssetKind = Literal["video", "image", "audio"]

MAX_SIDE = 16_384  # pixels: a 50 000 × 50 000 "image" is refused before it is decoded
MAX_PIXELS = 100_000_000
MAX_VIDEO_SIDE = 8_192

_EXTENSIONS = {
    "mp4": ".mp4",
    "mov": ".mov",
    "matroska": ".mkv",
    "webm": ".webm",
    "avi": ".avi",
    "mpegts": ".ts",
    "png_pipe": ".png",
    "jpeg_pipe": ".jpg",
    "image2": ".img",
    "webp_pipe": ".webp",
    "gif": ".gif",
    "wav": ".wav",
    "mp3": ".mp3",
    "ogg": ".ogg",
    "flac": ".flac",
    "aac": ".aac",
    "m4a": ".m4a",
}


class AssetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: AssetKind
    filename: str
    size: int
    sha256: str
    container: str
    duration: float | None
    width: int | None
    height: int | None
    has_audio: bool
    source: str
    source_url: str | None
    attribution: str | None
    tags: list[str]
    created_at: datetime


class AssetPage(BaseModel):
    items: list[AssetOut]
    total: int


def safe_filename(name: str | None, fallback: str = "file") -> str:
    """A display name with no path, control characters or leading dots."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    base = base.strip().lstrip(".").strip()
    return base[:200] or fallback


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _tags(filename: str) -> list[str]:
    stem = filename.rsplit(".", 1)[0].lower()
    return [w for w in re.split(r"[^a-z0-9]+", stem) if len(w) > 2 and not w.isdigit()][:8]


def _check_image_header(path: Path, shown_name: str) -> None:
    """Refuse an over-large picture from its header alone, before anything decodes it."""
    try:
        with Image.open(path) as image:
            width, height = image.size
    except Image.DecompressionBombError as exc:
        raise MediaError(
            f"{shown_name} is a picture of over {MAX_PIXELS // 1_000_000} megapixels, the limit "
            f"({exc.args[0].split(' exceeds')[0] if exc.args else 'too large'})"
        ) from exc
    except (OSError, ValueError, SyntaxError):
        return  # not a picture Pillow knows: the probe decides
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise MediaError(
            f"{shown_name} is {width}×{height} pixels: the limit is {MAX_SIDE} pixels a side "
            f"and {MAX_PIXELS // 1_000_000} megapixels"
        )


def _check_dimensions(info: MediaInfo, shown_name: str) -> None:
    if info.video is None:
        return
    width, height = info.video.width, info.video.height
    limit = MAX_SIDE if info.kind == "image" else MAX_VIDEO_SIDE
    if width > limit or height > limit or width * height > MAX_PIXELS:
        raise MediaError(
            f"{shown_name} is {width}×{height} pixels: the limit is {limit} pixels a side "
            f"and {MAX_PIXELS // 1_000_000} megapixels"
        )


class AssetService:
    def __init__(self, db: Database, files: FileStorage) -> None:
        self.db = db
        self.files = files

    def add_file(
        self,
        path: Path,
        filename: str | None,
        *,
        source: Literal["upload", "url", "stock"] = "upload",
        source_url: str | None = None,
        attribution: str | None = None,
    ) -> tuple[AssetOut, bool]:
        """Store the file at ``path`` as an asset; ``(asset, created)``. Same content → same
        asset (``created`` False)."""
        shown = safe_filename(filename)
        _check_image_header(path, shown)
        try:
            info = probe(path)
        except MediaError as exc:
            reason = str(exc).rpartition(": ")[2]  # the probe's why, without its own lead-in
            raise MediaError(
                f"{shown} is not a video, image or audio file we can read: {reason}"
            ) from exc
        _check_dimensions(info, shown)
        if info.kind == "video" and not info.duration:
            raise MediaError(f"{shown} is a video without a duration we can read")
        digest = sha256_of(path)
        with self.db.session() as session:
            existing = session.scalar(select(Asset).where(Asset.sha256 == digest))
            if existing is not None:
                return AssetOut.model_validate(existing), False
        key = f"assets/{digest}{_EXTENSIONS.get(info.container, '.bin')}"
        self.files.put_file(path, key)
        row = Asset(
            id=new_id(),
            kind=info.kind,
            filename=shown,
            storage_key=key,
            sha256=digest,
            size=path.stat().st_size,
            container=info.container,
            duration=info.duration,
            width=info.video.width if info.video else None,
            height=info.video.height if info.video else None,
            has_audio=info.audio is not None,
            source=source,
            source_url=source_url,
            attribution=attribution,
            tags=_tags(shown),
        )
        with self.db.session() as session:
            raced = session.scalar(select(Asset).where(Asset.sha256 == digest))
            if raced is not None:
                return AssetOut.model_validate(raced), False
            session.add(row)
            session.flush()
            return AssetOut.model_validate(row), True

    def get(self, asset_id: str) -> AssetOut:
        return self.get_with_key(asset_id)[0]

    def get_with_key(self, asset_id: str) -> tuple[AssetOut, str]:
        """The asset and where its file is stored, in one lookup."""
        with self.db.session() as session:
            row = self._row(session, asset_id)
            return AssetOut.model_validate(row), row.storage_key

    def storage_key(self, asset_id: str) -> str:
        return self.get_with_key(asset_id)[1]

    def local_path(self, asset_id: str) -> Path:
        return self.files.local_path(self.storage_key(asset_id))

    def find(
        self,
        *,
        kind: AssetKind | None = None,
        query: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> AssetPage:
        with self.db.session() as session:
            stmt = select(Asset)
            if kind:
                stmt = stmt.where(Asset.kind == kind)
            if query:
                stmt = stmt.where(func.lower(Asset.filename).like(f"%{query.lower()}%"))
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.scalars(
                stmt.order_by(Asset.created_at.desc(), Asset.id).limit(limit).offset(offset)
            ).all()
            return AssetPage(items=[AssetOut.model_validate(r) for r in rows], total=total)

    def search(self, words: str, kind: AssetKind | None = None, limit: int = 20) -> list[AssetOut]:
        """Local assets whose name or tags share a word with ``words``, best match first."""
        wanted = {w for w in re.split(r"[^a-z0-9]+", words.lower()) if len(w) > 2}
        page = self.find(kind=kind, limit=1000)
        scored = []
        for asset in page.items:
            have = set(asset.tags) | set(re.split(r"[^a-z0-9]+", asset.filename.lower()))
            score = len(wanted & have)
            if score:
                scored.append((score, asset))
        scored.sort(key=lambda pair: -pair[0])
        return [asset for _, asset in scored[:limit]]

    def delete(self, asset_id: str) -> None:
        with self.db.session() as session:
            row = self._row(session, asset_id)
            users = [
                p.name
                for p in session.scalars(select(Project)).all()
                if asset_id in (p.background or {}).get("assets", [])
                or asset_id
                in ((p.audio or {}).get("music_asset"), (p.audio or {}).get("sfx_asset"))
            ]
            if users:
                raise InvalidStateError(
                    f"the asset {asset_id} is used by the project {users[0]!r}: "
                    "remove it there first"
                )
            key = row.storage_key
            session.delete(row)
        self.files.delete(key)

    @staticmethod
    def _row(session: Session, asset_id: str) -> Asset:
        row = session.get(Asset, asset_id)
        if row is None:
            raise NotFoundError(f"the asset {asset_id} does not exist")
        return row
