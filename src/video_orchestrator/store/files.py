"""File storage: a local directory by default, any fsspec URL (``s3://bucket/prefix``,
``gcs://…``, ``memory://…``) when configured.

Keys are made by the product (``assets/<sha256>.mp4``, ``outputs/<job>/<attempt>/<name>``),
never taken from a request; :func:`check_key` refuses anything else. FFmpeg needs local files:
for a remote store :meth:`FileStorage.local_path` downloads into a local cache first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import fsspec
from fsspec.implementations.local import LocalFileSystem

from video_orchestrator import atomic
from video_orchestrator.errors import NotFoundError, StorageError, os_reason

_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$")


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key) or ".." in key.split("/"):
        raise StorageError(f"refusing the storage key {key!r}")
    return key


class FileStorage:
    """Files by key under one root (a folder or an fsspec URL)."""

    def __init__(self, root: str | Path, *, cache_dir: Path, **options: Any) -> None:
        text = str(root)
        self.fs: fsspec.AbstractFileSystem
        if "://" in text and not text.startswith("file://"):
            try:
                self.fs, path = fsspec.core.url_to_fs(text, **options)
            except (ImportError, ValueError) as exc:
                raise StorageError(f"cannot use the storage {text!r}: {exc}") from exc
            self.root = path.rstrip("/")
        else:
            local = Path(text.removeprefix("file://")).expanduser().resolve()
            local.mkdir(parents=True, exist_ok=True)
            self.fs = LocalFileSystem()
            self.root = str(local)
        self.url = text
        self.is_local = isinstance(self.fs, LocalFileSystem)
        self.cache_dir = cache_dir

    def __repr__(self) -> str:
        return f"FileStorage({self.url!r})"

    def _path(self, key: str) -> str:
        return f"{self.root}/{check_key(key)}"

    def put_file(self, source: Path, key: str) -> None:
        """Copy ``source`` to ``key``; readers never see a partial file."""
        target = self._path(key)
        try:
            if self.is_local:
                atomic.copy_file(source, Path(target))
            else:  # object stores publish an object only when its upload completes
                self.fs.put_file(str(source), target)
        except OSError as exc:
            raise StorageError(f"cannot store {key}: {os_reason(exc)}") from exc

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(self._path(key)))

    def size(self, key: str) -> int:
        try:
            return int(self.fs.size(self._path(key)))
        except FileNotFoundError as exc:
            raise NotFoundError(f"the stored file {key} does not exist") from exc

    def open(self, key: str) -> IO[bytes]:
        try:
            handle: IO[bytes] = self.fs.open(self._path(key), "rb")
        except FileNotFoundError as exc:
            raise NotFoundError(f"the stored file {key} does not exist") from exc
        return handle

    def iter_bytes(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The bytes ``start``..``end`` (inclusive) of a file, in chunks."""
        chunk = 1 << 16
        with self.open(key) as handle:
            handle.seek(start)
            remaining = None if end is None else end - start + 1
            while remaining is None or remaining > 0:
                block = handle.read(chunk if remaining is None else min(chunk, remaining))
                if not block:
                    return
                if remaining is not None:
                    remaining -= len(block)
                yield block

    def local_path(self, key: str) -> Path:
        """A local file with the content of ``key`` (downloaded and cached when remote)."""
        if self.is_local:
            path = Path(self._path(key))
            if not path.is_file():
                raise NotFoundError(f"the stored file {key} does not exist")
            return path
        target = self.cache_dir / "storage" / check_key(key)
        if target.is_file():
            return target
        try:
            with atomic.replacing(target) as tmp:
                self.fs.get_file(self._path(key), str(tmp))
        except FileNotFoundError as exc:
            raise NotFoundError(f"the stored file {key} does not exist") from exc
        except OSError as exc:
            raise StorageError(f"cannot fetch {key}: {os_reason(exc)}") from exc
        return target

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            if self.fs.exists(path):
                self.fs.rm(path, recursive=True)
        except OSError as exc:
            raise StorageError(f"cannot delete {key}: {os_reason(exc)}") from exc
        cached = self.cache_dir / "storage" / key
        if cached.is_file():
            cached.unlink()

    def ping(self) -> None:
        try:
            self.fs.ls(self.root)
        except FileNotFoundError:
            return
        except Exception as exc:  # any backend failure: the store is not ready
            raise StorageError(f"the file storage {self.url} does not answer: {exc}") from exc
