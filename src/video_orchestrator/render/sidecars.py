"""SRT and WebVTT caption files from caption cues (pure text, no I/O).

Times are the cue frames converted to the nearest millisecond (the same function for starts
and ends, so cues that touch on frames touch in the file and never overlap). Each cue's lines
are its ``text_lines()`` joined with newlines; lines that would be empty are left out, since
a blank line ends a cue in both formats. WebVTT text escapes ``&``, ``<`` and ``>``; SRT has
no escaping, so text goes in as written (tags like ``<i>`` typed by a user may be honoured by
some players).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from video_orchestrator.spec.captions import CaptionCue


def frame_to_ms(frame: int, fps: int | Fraction) -> int:
    """Nearest millisecond to the start of ``frame`` (halves round up)."""
    return math.floor(Fraction(1000 * frame) / Fraction(fps) + Fraction(1, 2))


def _clock(ms: int, separator: str) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _lines(cue: CaptionCue) -> list[str]:
    return [line for line in (" ".join(t.split()) for t in cue.text_lines()) if line]


def to_srt(cues: Sequence[CaptionCue], fps: int | Fraction) -> str:
    """SubRip: numbered cues, ``HH:MM:SS,mmm --> HH:MM:SS,mmm``, a blank line after each."""
    blocks: list[str] = []
    for cue in cues:
        lines = _lines(cue)
        if not lines or cue.end <= cue.start:
            continue
        start = _clock(frame_to_ms(cue.start, fps), ",")
        end = _clock(frame_to_ms(cue.end, fps), ",")
        blocks.append(f"{len(blocks) + 1}\n{start} --> {end}\n" + "\n".join(lines) + "\n")
    return "\n".join(blocks)


def vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(cues: Sequence[CaptionCue], fps: int | Fraction) -> str:
    """WebVTT: ``WEBVTT`` header, ``HH:MM:SS.mmm --> HH:MM:SS.mmm`` cues, text escaped."""
    blocks = ["WEBVTT\n"]
    for cue in cues:
        lines = _lines(cue)
        if not lines or cue.end <= cue.start:
            continue
        start = _clock(frame_to_ms(cue.start, fps), ".")
        end = _clock(frame_to_ms(cue.end, fps), ".")
        text = "\n".join(vtt_escape(line) for line in lines)
        blocks.append(f"{start} --> {end}\n{text}\n")
    return "\n".join(blocks)
