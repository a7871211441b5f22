"""Loudness of a file's audio (EBU R128 / ITU-R BS.1770), measured by FFmpeg's ``ebur128``.

Runs ``ffmpeg -i FILE -vn -af ebur128=peak=true -f null -`` and parses the summary that
the filter logs at the end.
"""

from __future__ import annotations

import logging
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from video_orchestrator.errors import RenderError

__all__ = ["Loudness", "measure_loudness", "parse_ebur128_summary"]

log = logging.getLogger(__name__)

_NUMBER = r"(-?inf|[-+]?\d+(?:\.\d+)?)"
_INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*" + _NUMBER + r"\s*LUFS")
_RANGE = re.compile(r"Loudness range:\s*LRA:\s*" + _NUMBER + r"\s*LU\b")
_PEAK = re.compile(r"True peak:\s*Peak:\s*" + _NUMBER + r"\s*dBFS")


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float  # -70.0 for silence (FFmpeg's floor)
    true_peak_dbtp: float  # -inf for digital silence
    lra_lu: float


def _number(text: str) -> float:
    if text.endswith("inf"):
        return -math.inf if text.startswith("-") else math.inf
    return float(text)


def parse_ebur128_summary(log_text: str) -> Loudness | None:
    """The figures of the last ``Summary:`` block of an ``ebur128`` log, or None.

    Without ``peak=true`` the log has no true-peak section: ``true_peak_dbtp`` is then NaN.
    """
    start = log_text.rfind("Summary:")
    if start < 0:
        return None
    summary = log_text[start:]
    integrated = _INTEGRATED.search(summary)
    lra = _RANGE.search(summary)
    peak = _PEAK.search(summary)
    if integrated is None or lra is None:
        return None
    return Loudness(
        integrated_lufs=_number(integrated.group(1)),
        true_peak_dbtp=_number(peak.group(1)) if peak is not None else math.nan,
        lra_lu=_number(lra.group(1)),
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def measure_loudness(path: Path, ffmpeg: str, *, timeout: float | None = None) -> Loudness:
    """Integrated loudness, true peak and loudness range of ``path``'s first audio stream.

    Raises ``RenderError`` when FFmpeg cannot be started, fails (no audio stream, unreadable
    file) or does not print a summary.
    """
    argv = [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-vn",
        "-sn",
        "-dn",
        "-af",
        "ebur128=peak=true:framelog=verbose",
        "-f",
        "null",
        "-",
    ]
    log.debug("measuring loudness: %s", argv)
    try:
        completed = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise RenderError(
            f"cannot start FFmpeg at {ffmpeg}: no such program; set VO_FFMPEG to a working ffmpeg"
        ) from exc
    except PermissionError as exc:
        raise RenderError(
            f"cannot start FFmpeg at {ffmpeg}: permission denied; set VO_FFMPEG to a working ffmpeg"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(
            f"measuring the loudness of {Path(path).name} took longer than {timeout} s; "
            "try again or check the file"
        ) from exc
    if completed.returncode != 0:
        raise RenderError(
            f"cannot measure the loudness of {Path(path).name}: FFmpeg said "
            f"{_last_line(completed.stderr)!r}; check that the file has a readable audio stream"
        )
    loudness = parse_ebur128_summary(completed.stderr)
    if loudness is None:
        raise RenderError(
            f"cannot measure the loudness of {Path(path).name}: FFmpeg printed no ebur128 "
            "summary; use an FFmpeg build with the ebur128 filter"
        )
    return loudness
