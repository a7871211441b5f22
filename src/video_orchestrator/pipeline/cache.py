"""A content-addressed cache of step outputs.

An entry's key is the SHA-256 of the canonical JSON of everything that determines the output
(the step's name and version, its inputs, the content hashes of the files it reads). Changing
anything that matters gives a new key; changing anything else (say the caption style) reuses
the voice audio and the prepared media already made.

Entries are directories written under a temporary name and renamed into place, so a crash
never leaves a half-written entry that a later run would trust.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def file_digest(path: Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def cache_key(step: str, parts: dict[str, Any]) -> str:
    """Stable key of a step's inputs: canonical JSON, then SHA-256."""
    payload = json.dumps({"step": step, **parts}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ContentCache:
    """Directory-per-entry cache rooted at ``root`` (``<cache_dir>/steps``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hits = 0
        self.misses = 0

    def entry_dir(self, step: str, key: str) -> Path:
        return self.root / step / key[:2] / key

    def get_or_create(
        self,
        step: str,
        parts: dict[str, Any],
        make: Callable[[Path], object],
        load: Callable[[Path], T],
    ) -> T:
        """Return ``load(entry)`` for a cached entry, else ``make(tmpdir)`` then publish it.

        ``make`` writes its files into the (staging) directory it is given;
        ``load`` rebuilds the same result from a published entry directory.
        """
        key = cache_key(step, parts)
        entry = self.entry_dir(step, key)
        if (entry / ".complete").is_file():
            self.hits += 1
            return load(entry)
        self.misses += 1
        entry.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key[:8]}-", dir=entry.parent))
        try:
            make(staging)
            (staging / ".complete").write_text(key, encoding="utf-8")
            try:
                os.replace(staging, entry)
            except OSError:
                # Another process published the same entry first: theirs is as good as ours.
                shutil.rmtree(staging, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return load(entry)

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(self.root)
