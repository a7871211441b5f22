"""Which export a file is, and reading it: a zip (YouTube Studio, or TikTok Studio's CSVs
zipped), a TikTok Studio CSV, or the generic CSV."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date

from video_orchestrator.errors import MetricsFileError
from video_orchestrator.metrics import generic_csv, tiktok_studio, youtube_studio
from video_orchestrator.metrics.records import ParsedExport
from video_orchestrator.metrics.table import decode

#: The largest export accepted (a Studio export is kilobytes to a few megabytes).
MAX_FILE_BYTES = 50_000_000


def read_export(data: bytes, name: str, *, as_of: date, account: str = "") -> ParsedExport:
    """Everything in one export file. ``name`` is how errors name it; ``as_of`` is the day
    the export was made (it dates TikTok's year-less days); ``account`` the handle the
    videos belong to when the file does not say."""
    if len(data) > MAX_FILE_BYTES:
        raise MetricsFileError(f"{name} is over {MAX_FILE_BYTES:,} bytes: export fewer days")
    if not data.strip():
        raise MetricsFileError(f"{name} is empty")
    if data[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as exc:
            raise MetricsFileError(f"{name} is not a readable zip file") from exc
        if youtube_studio.is_studio_zip(names):
            return youtube_studio.read_zip(data, name, account=account)
        if tiktok_studio.is_tiktok_zip(names):
            return tiktok_studio.read_zip(data, name, as_of=as_of, account=account)
        raise MetricsFileError(
            f"{name} is a zip of neither YouTube Studio ({youtube_studio.TABLE_DATA}) nor "
            f"TikTok Studio ({', '.join(tiktok_studio.PARTS)})"
        )
    text = decode(data, name)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if generic_csv.is_generic(first):
        return generic_csv.read(text, name)
    part = tiktok_studio.part_of(first)
    if part is not None:
        return tiktok_studio.read_parts({part: text}, name, as_of=as_of, account=account)
    if first.lstrip("\ufeff").lower().startswith(('"content"', "content")):
        raise MetricsFileError(
            f"{name} looks like YouTube Studio's Table data.csv alone: import the whole zip "
            "(it dates the figures)"
        )
    raise MetricsFileError(
        f"{name} is not a known export: a YouTube Studio zip, a TikTok Studio CSV "
        "(Overview, Content, FollowerActivity) or the generic CSV (platform, video_id, date, …)",
        row=1,
    )


def fingerprint(data: bytes) -> str:
    """What identifies an export's content: the SHA-256 of the bytes, or for a zip of its
    members' names and contents (the same export zipped again, with other timestamps, is
    the same export)."""
    if data[:4] != b"PK\x03\x04":
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256(b"zip-members\n")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.is_dir() or info.file_size > MAX_FILE_BYTES:
                    continue
                digest.update(info.filename.rsplit("/", 1)[-1].encode() + b"\0")
                digest.update(hashlib.sha256(archive.read(info)).digest())
    except (zipfile.BadZipFile, OSError):
        return hashlib.sha256(data).hexdigest()
    return digest.hexdigest()
