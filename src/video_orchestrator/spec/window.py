"""Time windows of a spec's timeline, for rendering a long video in segments (ADR 0049).

A *window* is a half-open range of output frames ``[start, end)``. A long render is cut into
windows whose boundaries are multiples of the GOP (so every segment starts on an IDR frame
and the segments join with ``-c copy``) and never fall inside a transition (a fade needs
both of its clips in one graph). A boundary may fall inside a clip: the next window plays the
same clip from where the last one stopped.

:func:`window_pieces` is the one place that says which part of which clip a window shows;
everything else animated in absolute time (captions, overlays, emoji) keeps its absolute
frames and times: the compiler gives a window's frames their absolute timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass

from video_orchestrator.spec.model import RenderSpec


@dataclass(frozen=True, slots=True)
class Window:
    """Output frames ``start`` (inclusive) to ``end`` (exclusive) of the whole video."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"a window must have frames: {self.start}..{self.end}")

    @property
    def frames(self) -> int:
        return self.end - self.start

    def overlaps(self, start: int, end: int) -> bool:
        """Whether frames ``[start, end)`` show in this window."""
        return start < self.end and end > self.start


@dataclass(frozen=True, slots=True)
class Piece:
    """The part of clip ``clip`` a window shows: ``frames`` frames after skipping ``skip``."""

    clip: int
    skip: int
    frames: int


def transition_spans(spec: RenderSpec) -> list[tuple[int, int]]:
    """``[start, end)`` of every transition on the timeline (both clips play there)."""
    starts = spec.clip_starts()
    spans: list[tuple[int, int]] = []
    for index, clip in enumerate(spec.clips[:-1]):
        frames = clip.transition.frames
        if frames:
            spans.append((starts[index + 1], starts[index] + clip.duration))
    return spans


def valid_boundary(spec: RenderSpec, frame: int) -> bool:
    """Whether a window may end (and the next begin) at ``frame``: not inside a transition."""
    return all(not start < frame < end for start, end in transition_spans(spec))


def window_pieces(spec: RenderSpec, window: Window) -> list[Piece]:
    """The clips a window shows, in order, each with the frames it skips and shows."""
    if window.end > spec.duration:
        raise ValueError(f"window {window} is past the video's end ({spec.duration} frames)")
    pieces: list[Piece] = []
    for index, (clip, start) in enumerate(zip(spec.clips, spec.clip_starts(), strict=True)):
        end = start + clip.duration
        if not window.overlaps(start, end):
            continue
        skip = max(0, window.start - start)
        pieces.append(Piece(index, skip, min(end, window.end) - start - skip))
    return pieces


def plan_windows(spec: RenderSpec, *, target: int, gop: int) -> list[Window]:
    """Windows that cover the video once, each about ``target`` frames.

    Every boundary is a multiple of ``gop`` and outside every transition. A window's first
    clip is decoded from its start again up to the window (``Piece.skip`` frames in vain), so
    a boundary at most one GOP into a clip (a cut, or just after a fade) is preferred when one
    lies between half the target and one GOP past it — the one that skips least; else the
    last valid boundary within the target. ``target`` is rounded down to a GOP multiple (at
    least one GOP).
    """
    if gop <= 0 or target <= 0:
        raise ValueError("the GOP and the window length must be positive")
    total = spec.duration
    target = max(gop, target - target % gop)

    def skipped(frame: int) -> int:
        return window_pieces(spec, Window(frame, total))[0].skip

    windows: list[Window] = []
    start = 0
    while total - start > target:
        reach = [
            frame
            for frame in range(start + gop, min(start + target + gop, total - 1) + 1, gop)
            if valid_boundary(spec, frame)
        ]
        cheap = [
            (skipped(frame), -frame)
            for frame in reach
            if frame - start >= target // 2 and skipped(frame) <= gop
        ]
        within = [frame for frame in reach if frame - start <= target]
        if cheap:
            end = -min(cheap)[1]
        elif within:
            end = within[-1]
        else:  # a transition longer than the window covers every GOP multiple in reach
            end = next(
                (f for f in range(start + target + gop, total, gop) if valid_boundary(spec, f)),
                total,
            )
        windows.append(Window(start, end))
        start = end
    if start < total:
        windows.append(Window(start, total))
    return windows
