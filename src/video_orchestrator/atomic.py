"""Atomic file writes: readers see the old file or the whole new one, never a part.

Every writer of a finished file (captions, metadata, specs, speech audio, downloads, the
rendered video, stored assets) goes through here: the content goes to a temporary file in
the target's own directory (so the final rename never crosses file systems) and is moved
onto the target with :func:`os.replace` only when it is complete; on any failure the
temporary file is removed and the target is untouched.

* :func:`replacing` is the general form: a temporary path to fill in any way (a handle, a
  library that wants a path, FFmpeg), renamed onto the target when the block succeeds.
* :func:`write_text`, :func:`write_bytes` and :func:`copy_file` are the common cases.

Only the standard library: every layer (render, store, providers, pipeline, services) uses it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

__all__ = ["copy_file", "replacing", "write_bytes", "write_text"]


@contextlib.contextmanager
def replacing(
    target: Path,
    *,
    suffix: str = "",
    mode: int | None = None,
    create: bool = True,
) -> Iterator[Path]:
    """A temporary path beside ``target``, moved onto it only if the block completes.

    The temporary name is ``.{target.name}.<random>{suffix}`` (hidden, unique). With
    ``create`` (the default) it exists, empty, when the block starts; without, the block is
    expected to create it (FFmpeg refuses nothing, but a caller may check that it did).
    ``mode`` sets the permissions before the rename (temporary files are private, 0600).
    The target's directory is created when missing. On an exception the temporary file is
    removed and the exception propagates.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if create:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
        os.close(handle)
        temporary = Path(name)
    else:
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}{suffix}")
    try:
        yield temporary
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_text(target: Path, text: str, *, mode: int | None = 0o644) -> None:
    """Write ``text`` (UTF-8) to ``target`` atomically; readable by all by default."""
    with replacing(target, mode=mode) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_bytes(
    target: Path, data: bytes, *, suffix: str = ".part", mode: int | None = None
) -> None:
    """Write ``data`` to ``target`` atomically."""
    with replacing(target, suffix=suffix, mode=mode) as temporary:
        temporary.write_bytes(data)


def copy_file(source: Path, target: Path, *, link: bool = False, mode: int | None = None) -> None:
    """Copy ``source`` to ``target`` atomically; with ``link``, a hard link when the file
    system allows one (no bytes copied), a copy otherwise."""
    with replacing(target, mode=mode) as temporary:
        if link:
            temporary.unlink()
            try:
                os.link(source, temporary)
            except OSError:
                shutil.copyfile(source, temporary)
        else:
            shutil.copyfile(source, temporary)
