"""A sandbox platform's state in a file of the workspace, so the sandbox behaves like one
real platform across processes and restarts (ADR 0037).

``VO_PLATFORMS_SANDBOX=1`` serves the fakes inside each process that publishes (``vo
serve``, ``vo app``, or a single ``vo accounts connect`` / ``vo publish``). What a platform
remembers — grants and tokens, the channel or account, upload sessions with their bytes,
videos and their processing state, quotas and rate windows — is kept in
``<data_dir>/sandbox/<platform>.json``: every request a sandbox server answers runs under an
exclusive lock of ``<platform>.lock`` (between threads and between processes), loads the
file when another process changed it (each write leaves a new generation in the lock
file), and writes it back with the project's one atomic
write (:mod:`video_orchestrator.atomic`) when the request changed anything. So an account
connected by one command is known to the next, and a post scheduled before ``vo serve``
stopped publishes after it starts again.

The server also keeps its *home port* there: a later process serves on the same port when it
is free, so an upload URL a post recorded (a resumable session) still reaches the platform
after a restart. When the port is taken (another process serves this sandbox right now) it
serves on a new one; the state is shared all the same.

The fakes of the tests have no state file (:attr:`ServedInThread.store` is None): they are
in memory, exactly as before.

The encoding is JSON: a dataclass is ``{"$": name, field: value…}``, bytes ``{"$b": base64}``,
a finished upload's bytes ``{"$z": base64 of the head, "n": length}`` (:class:`Hollow`),
a datetime ``{"$t": iso}``, a tuple ``{"$tuple": […]}``, a set ``{"$set": […]}`` and a dict
with keys that are not plain strings ``{"$map": [[key, value]…]}``.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import logging
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from video_orchestrator.atomic import write_text

logger = logging.getLogger(__name__)

#: The version of the file's layout: a file of another version is set aside, not read
#: (raise it when a persisted field changes its meaning; a new field needs no change).
FORMAT = 1


@dataclasses.dataclass(frozen=True)
class Hollow:
    """A buffer whose bytes the platform no longer needs (a finished upload: what it made
    keeps its own checksum), kept as its first bytes and its length: it loads as that many
    bytes, zeros after the head. So the file holds the bytes of unfinished uploads only."""

    head: bytes
    size: int

    @classmethod
    def of(cls, data: bytes | bytearray) -> Hollow:
        return cls(bytes(data[:16]), len(data))


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data (see the module's note)."""
    if isinstance(value, Hollow):
        return {"$z": base64.b64encode(value.head).decode(), "n": value.size}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "$": type(value).__name__,
            **{f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, bytes | bytearray):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {"$set": sorted((encode(v) for v in value), key=repr)}
    if isinstance(value, Mapping):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"$map": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def decode(value: Any, types: Mapping[str, type]) -> Any:
    """The inverse of :func:`encode`; ``types`` names the dataclasses that may appear (bytes
    come back as ``bytearray``, which every fake's buffer is)."""
    if isinstance(value, list):
        return [decode(v, types) for v in value]
    if not isinstance(value, dict):
        return value
    if "$" in value:
        cls = types[value["$"]]
        return cls(**{k: decode(v, types) for k, v in value.items() if k != "$"})
    if "$b" in value:
        return bytearray(base64.b64decode(value["$b"]))
    if "$z" in value:
        head = base64.b64decode(value["$z"])
        return bytearray(head) + bytearray(int(value["n"]) - len(head))
    if "$t" in value:
        return datetime.fromisoformat(value["$t"])
    if "$tuple" in value:
        return tuple(decode(v, types) for v in value["$tuple"])
    if "$set" in value:
        return {decode(v, types) for v in value["$set"]}
    if "$map" in value:
        return {decode(k, types): decode(v, types) for k, v in value["$map"]}
    return {k: decode(v, types) for k, v in value.items()}


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[BinaryIO]:
    """An exclusive lock of ``path`` between processes (released when the block ends, or
    by the system when the process dies); the block gets the lock file, open to read and
    write (it holds the state's generation)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b") as handle:
        if sys.platform == "win32":  # pragma: no cover - the sandbox's tests run on POSIX
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield handle
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield handle
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


Stamp = tuple[bytes, int, int, int]


def _stamp(path: Path, lock: BinaryIO) -> Stamp | None:
    """What tells a change: the generation every writer leaves in the lock file (a write
    within the file system's timestamp granularity, of the same size, on a recycled inode
    would look unchanged by its ``stat`` alone), and the file's ``stat`` (an edit by hand)."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    lock.seek(0)
    return (lock.read(64), found.st_ino, found.st_mtime_ns, found.st_size)


class StateFile:
    """One platform's file and its lock. :meth:`request` wraps the answer to one request:
    the state as the last writer (of any process) left it, written back when changed.

    ``dump`` and ``load`` are the server's own (:meth:`ServedInThread.dump_state`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_suffix(".lock")
        self._stamp: Stamp | None = None
        self._text = ""

    @contextlib.contextmanager
    def request(
        self, dump: Callable[[], dict[str, Any]], load: Callable[[dict[str, Any]], None]
    ) -> Iterator[None]:
        """Hold the lock for one request: load the file if another writer changed it, run
        the block, write the state if the block changed it (also when it raised: what the
        platform did before the error is done)."""
        with _file_lock(self.lock_path) as lock:
            self._refresh(load, lock)
            try:
                yield
            finally:
                self._save(dump, lock)

    def _refresh(self, load: Callable[[dict[str, Any]], None], lock: BinaryIO) -> None:
        stamp = _stamp(self.path, lock)
        if stamp is None or stamp == self._stamp:
            return
        text = self.path.read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("format") == FORMAT:
            try:
                load(data["state"])
            except (KeyError, TypeError, ValueError) as exc:
                logger.warning("the sandbox's %s does not fit this version: %s", self.path, exc)
            else:
                self._stamp, self._text = stamp, text
                return
        # Unreadable, or another layout: set aside (the user can look), start afresh.
        os.replace(self.path, self.path.with_name(self.path.name + ".unreadable"))
        self._stamp, self._text = None, ""

    def _save(self, dump: Callable[[], dict[str, Any]], lock: BinaryIO) -> None:
        text = json.dumps({"format": FORMAT, "state": encode(dump())}, sort_keys=True)
        if text == self._text and self._stamp == _stamp(self.path, lock):
            return
        write_text(self.path, text, mode=0o600)
        lock.seek(0)
        lock.truncate()
        lock.write(uuid.uuid4().hex.encode())
        lock.flush()
        self._stamp, self._text = _stamp(self.path, lock), text
