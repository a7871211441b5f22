"""The user's material for a script (``vo make --from FILE_OR_URL``): a file read from disk or
a page fetched through the safe download (public addresses only, size and time limits), then
reduced to its readable text (:func:`~video_orchestrator.pipeline.source_script.read_source`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from video_orchestrator.config import Settings
from video_orchestrator.errors import ScriptError
from video_orchestrator.pipeline.source_script import SourceText, read_source
from video_orchestrator.providers.web.fetch import download

#: The largest file or page read as material (a long article is a few hundred kB of HTML).
MAX_SOURCE_BYTES = 5_000_000


def is_url(value: str) -> bool:
    return urlsplit(value.strip()).scheme in ("http", "https")


def load_source(value: str, settings: Settings) -> SourceText:
    """The readable text of a file path or an http(s) URL."""
    value = value.strip()
    if not value:
        raise ScriptError("--from needs a file or a URL: an article, notes or a transcript")
    if is_url(value):
        return _fetch(value, settings)
    path = Path(value).expanduser()
    if not path.is_file():
        raise ScriptError(f"the source {value} is not a file or an http(s) URL")
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise ScriptError(f"the source {path.name} is over {MAX_SOURCE_BYTES // 1_000_000} MB")
    return read_source(path.read_bytes(), origin=path.name)


def _fetch(url: str, settings: Settings) -> SourceText:
    with tempfile.TemporaryDirectory(prefix="vo-source-") as folder:
        path, _ = download(
            url,
            Path(folder),
            max_bytes=MAX_SOURCE_BYTES,
            allow_private=settings.allow_private_urls,
            deadline_seconds=settings.import_deadline_seconds,
            min_bytes_per_second=settings.import_min_bytes_per_second,
        )
        data = path.read_bytes()
    return read_source(data, origin=url)
