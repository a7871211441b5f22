"""Loudness of a file's audio (EBU R128 / ITU-R BS.1770), measured by FFmpeg's ``ebur128``.

Runs ``ffmpeg -i FILE -vn -af ebur128=peak=true -f null -`` (through ``render.ffmpeg``) and
parses the summary that the filter logs at the end.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from video_orchestrator.errors import RenderError
from video_orchestrator.render.ffmpeg import run_ffmpeg

__all__ = ["Loudness", "measure_loudness", "parse_ebur128_summary"]


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


def measure_loudness(path: Path, ffmpeg: str) -> Loudness:
    """Integrated loudness, true peak and loudness range of ``path``'s first audio stream.

    Raises ``RenderError`` when FFmpeg cannot be started, fails (no audio stream, unreadable
    file) or does not print a summary.
    """
    argv = [
        ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-vn",
        "-sn",
        "-dn",
        "-af",
        "ebur128=peak=true:framelog=quiet",
        "-f",
        "null",
        "-",
    ]
    name = Path(path).name
    try:
        log_lines = run_ffmpeg(argv)
    except RenderError as exc:
        if "could not be started" in str(exc):
            raise RenderError(
                f"cannot start FFmpeg at {ffmpeg} to measure {name}; set VO_FFMPEG to a "
                "working ffmpeg"
            ) from exc
        raise RenderError(
            f"cannot measure the loudness of {name}: {exc}; check that the file has a "
            "readable audio stream"
        ) from exc
    loudness = parse_ebur128_summary("\n".join(log_lines))
    if loudness is None:
        raise RenderError(
            f"cannot measure the loudness of {name}: FFmpeg printed no ebur128 summary; "
            "use an FFmpeg build with the ebur128 filter"
        )
    return loudness
