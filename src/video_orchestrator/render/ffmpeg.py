"""Finding and running the FFmpeg binary: progress, cancellation, readable errors.

This module (with ``renderer``) is the only place in the product that starts FFmpeg.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from video_orchestrator.errors import ConfigError, RenderCancelled, RenderError

log = logging.getLogger(__name__)

STDERR_TAIL_LINES = 40
CANCEL_GRACE_SECONDS = 3.0
_POLL_SECONDS = 0.05

# Lines FFmpeg prints after the real error, which say nothing about the cause.
_NOISE = (
    "conversion failed",
    "exiting with exit code",
    "exiting normally",
    "received signal",
    "terminating thread",
    "nothing was written into output file",
    "error while filtering",
    "error closing file",
    "error opening input files",
    "error opening output files",
    "error binding filtergraph",
    "press [q]",
)


def ffmpeg_binary(override: str | None = None) -> str:
    """The FFmpeg executable: ``override`` (a path or a name on PATH), else imageio-ffmpeg's."""
    if override:
        found = shutil.which(override)
        if found is None and Path(override).is_file():
            found = override
        if found is None:
            raise ConfigError(
                f"FFmpeg was not found at {override!r}; set the FFmpeg path to an existing "
                "executable or leave it empty to use the bundled one."
            )
        return found
    try:
        import imageio_ffmpeg

        path = str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise ConfigError(
            f"The bundled FFmpeg is missing ({exc}); reinstall the imageio-ffmpeg package "
            "or configure the path of an FFmpeg binary."
        ) from exc
    if not Path(path).is_file():
        raise ConfigError(f"The bundled FFmpeg at {path} does not exist; reinstall imageio-ffmpeg.")
    return path


@dataclass(frozen=True)
class Progress:
    """How far a running FFmpeg has got: output frames, output seconds, fraction, speed."""

    frame: int
    seconds: float
    fraction: float | None
    speed: float | None


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text.strip().rstrip("x"))
    except ValueError:
        return None


def parse_progress(block: Mapping[str, str], total_seconds: float | None) -> Progress:
    """One ``-progress`` block (key → value) as a :class:`Progress`."""
    frame = int(_number(block.get("frame")) or 0)
    micros = _number(block.get("out_time_us")) or _number(block.get("out_time_ms"))
    seconds = max(0.0, (micros or 0.0) / 1_000_000)
    fraction = None
    if total_seconds:
        fraction = 1.0 if block.get("progress") == "end" else min(1.0, seconds / total_seconds)
    return Progress(frame, seconds, fraction, _number(block.get("speed")))


_CONTEXT = re.compile(r"^\[[^\]]* @ (0x)?[0-9a-fA-F]+\]\s*")
_NO_STREAM = re.compile(
    r"Stream specifier '[^']*?:?([va]):\d+' in filtergraph .* matches no streams"
)


def _tidy(line: str) -> str:
    line = _CONTEXT.sub("", line.strip())
    missing = _NO_STREAM.search(line)
    if missing:
        kind = "video or image" if missing.group(1) == "v" else "audio"
        return f"a media file has no {kind} stream where the spec needs one"
    return line


def meaningful_error(lines: Iterable[str]) -> str:
    """The last stderr line that says what went wrong (not the closing boilerplate)."""
    candidates = [_tidy(line) for line in lines if line.strip()]
    useful = [line for line in candidates if not any(n in line.lower() for n in _NOISE)]
    for line in reversed(useful):
        lowered = line.lower()
        if any(
            word in lowered for word in ("error", "no such file", "invalid", "no audio", "no video")
        ):
            return line
    if useful:
        return useful[-1]
    return candidates[-1] if candidates else "no error message"


def with_progress(argv: Sequence[str]) -> list[str]:
    """``argv`` with ``-progress pipe:1 -nostats`` inserted after the binary."""
    args = list(argv)
    if "-progress" in args:
        return args
    return [args[0], "-progress", "pipe:1", "-nostats", *args[1:]]


def _pump_progress(
    stream: IO[str],
    total_seconds: float | None,
    on_progress: Callable[[Progress], None] | None,
    errors: list[BaseException],
) -> None:
    block: dict[str, str] = {}
    for raw in stream:
        key, sep, value = raw.strip().partition("=")
        if not sep:
            continue
        block[key] = value
        if key == "progress":
            if on_progress is not None and not errors:
                try:
                    on_progress(parse_progress(block, total_seconds))
                except BaseException as exc:  # reported by the caller's thread
                    errors.append(exc)
            block = {}


def _pump_stderr(stream: IO[str], tail: collections.deque[str]) -> None:
    for line in stream:
        tail.append(line.rstrip("\n"))


def run_ffmpeg(
    argv: Sequence[str],
    *,
    total_seconds: float | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """Run FFmpeg to completion, reporting progress; raise on failure or cancellation.

    Returns the last lines FFmpeg logged (filters such as ``ebur128`` print results there).

    ``env`` is added to the current environment. When ``cancel`` is set, FFmpeg is asked to
    stop (SIGTERM), killed after a grace period, and :class:`RenderCancelled` is raised.
    A failing FFmpeg raises :class:`RenderError` with its last meaningful stderr line.
    """
    args = with_progress(argv)
    environment = {**os.environ, **env} if env is not None else None
    log.debug("running %s", subprocess.list2cmdline(args))
    try:
        process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=environment,
        )
    except OSError as exc:
        raise RenderError(
            f"FFmpeg could not be started ({exc}); check the configured FFmpeg path."
        ) from exc
    tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
    callback_errors: list[BaseException] = []
    assert process.stdout is not None and process.stderr is not None
    readers = [
        threading.Thread(
            target=_pump_progress,
            args=(process.stdout, total_seconds, on_progress, callback_errors),
            daemon=True,
        ),
        threading.Thread(target=_pump_stderr, args=(process.stderr, tail), daemon=True),
    ]
    for reader in readers:
        reader.start()
    cancelled = False
    try:
        while process.poll() is None:
            if cancel is not None and cancel.wait(_POLL_SECONDS):
                cancelled = True
                break
            if cancel is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(_POLL_SECONDS)
            if callback_errors:
                break
    finally:
        if process.poll() is None:
            _stop(process)
        for reader in readers:
            reader.join(timeout=CANCEL_GRACE_SECONDS)
        process.stdout.close()
        process.stderr.close()
    if callback_errors:
        raise callback_errors[0]
    if cancelled:
        raise RenderCancelled("The render was cancelled; start it again to get the video.")
    if process.returncode != 0:
        reason = meaningful_error(tail)
        raise RenderError(
            f"FFmpeg failed (exit status {process.returncode}): {reason} "
            "— check the media files and the render spec."
        )
    return tuple(tail)


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(CANCEL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
