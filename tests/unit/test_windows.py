"""The window planner of segment rendering (ADR 0049): every frame once, boundaries on GOP
multiples, never inside a transition, cuts preferred; and what a window shows of each clip."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from video_orchestrator.render.compiler import events_within
from video_orchestrator.spec.model import RenderSpec
from video_orchestrator.spec.window import (
    Piece,
    Window,
    plan_windows,
    transition_spans,
    valid_boundary,
    window_pieces,
)


def spec_of(clips: list[tuple[int, int]]) -> RenderSpec:
    """Colour clips of (duration, frames of the fade into the next; 0 = a cut)."""
    return RenderSpec.model_validate(
        {
            "clips": [
                {
                    "kind": "colour",
                    "duration": duration,
                    "transition": {"kind": "fade" if fade else "cut", "frames": fade},
                }
                for duration, fade in clips
            ]
        }
    )


def check_plan(spec: RenderSpec, windows: list[Window], gop: int) -> None:
    assert windows[0].start == 0 and windows[-1].end == spec.duration
    for before, after in itertools.pairwise(windows):
        assert before.end == after.start  # no gap, no overlap: every frame exactly once
        assert after.start % gop == 0
        for start, end in transition_spans(spec):
            assert not start < after.start < end, f"cut at {after.start} inside {start}..{end}"


def test_a_long_video_is_cut_at_gop_multiples_outside_fades() -> None:
    # 0..600 | fade 591..600 | 591..1200 ; a fade at the GOP multiple 600 would be cut at 600?
    # No: 600 is the fade's end (both clips are in the window before it), 540 is before it.
    spec = spec_of([(600, 9), (609, 0)])
    windows = plan_windows(spec, target=300, gop=60)
    check_plan(spec, windows, 60)
    assert [(w.start, w.end) for w in windows] == [(0, 300), (300, 600), (600, 900), (900, 1200)]


def test_a_boundary_that_would_fall_inside_a_fade_moves_back_a_gop() -> None:
    spec = spec_of([(310, 20), (400, 0)])  # the fade covers 290..310: 300 is inside
    windows = plan_windows(spec, target=300, gop=60)
    check_plan(spec, windows, 60)
    assert windows[0] == Window(0, 240)


def test_a_cut_in_the_second_half_of_a_window_is_preferred() -> None:
    spec = spec_of([(480, 0), (600, 0)])  # a cut at 480: no clip is split there
    windows = plan_windows(spec, target=600, gop=60)
    check_plan(spec, windows, 60)
    assert windows[0] == Window(0, 480)
    assert [piece.clip for piece in window_pieces(spec, windows[0])] == [0]


def test_a_short_video_is_one_window() -> None:
    spec = spec_of([(90, 0)])
    assert plan_windows(spec, target=300, gop=60) == [Window(0, 90)]


def test_window_length_is_rounded_down_to_whole_gops() -> None:
    spec = spec_of([(1000, 0)])
    windows = plan_windows(spec, target=250, gop=60)
    check_plan(spec, windows, 60)
    assert all(w.frames == 240 for w in windows[:-1])


@settings(max_examples=150, deadline=None)
@given(
    clips=st.lists(
        st.tuples(st.integers(20, 400), st.sampled_from([0, 0, 6, 9, 15])), min_size=1, max_size=8
    ),
    gop=st.sampled_from([15, 30, 60]),
    gops=st.integers(1, 12),
)
def test_any_timeline_is_covered_once_at_valid_boundaries(
    clips: list[tuple[int, int]], gop: int, gops: int
) -> None:
    fixed = [(d, min(f, d - 1) if i < len(clips) - 1 else 0) for i, (d, f) in enumerate(clips)]
    for i in range(len(fixed) - 1):  # a fade shorter than both clips it joins
        d, f = fixed[i]
        fixed[i] = (d, min(f, fixed[i + 1][0] - 1))
    spec = spec_of(fixed)
    windows = plan_windows(spec, target=gop * gops, gop=gop)
    check_plan(spec, windows, gop)
    covered = 0
    for window in windows:
        pieces = window_pieces(spec, window)
        overlap = sum(
            spec.clips[p.clip].transition.frames for p in pieces[:-1]
        )  # frames two clips share
        assert sum(p.frames for p in pieces) - overlap == window.frames
        covered += window.frames
    assert covered == spec.duration


def test_pieces_skip_into_a_clip_and_keep_a_whole_fade() -> None:
    spec = spec_of([(100, 10), (100, 0)])  # clip 1 starts at 90; the fade is 90..100
    assert not valid_boundary(spec, 95)
    assert valid_boundary(spec, 90) and valid_boundary(spec, 100)
    assert window_pieces(spec, Window(30, 90)) == [Piece(0, 30, 60)]
    # a window from the fade's first frame has the fade's frames of both clips
    assert window_pieces(spec, Window(90, 150)) == [Piece(0, 90, 10), Piece(1, 0, 60)]
    assert window_pieces(spec, Window(100, 190)) == [Piece(1, 10, 90)]


def test_windows_must_have_frames_and_lie_in_the_video() -> None:
    with pytest.raises(ValueError):
        Window(10, 10)
    with pytest.raises(ValueError):
        window_pieces(spec_of([(50, 0)]), Window(0, 60))


def test_events_within_keeps_only_what_shows_in_the_window() -> None:
    document = "\n".join(
        [
            "[Events]",
            "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
            "Dialogue: 0,0:00:00.00,0:00:01.00,Caption,,0,0,0,,early",
            "Dialogue: 0,0:00:09.50,0:00:10.50,Caption,,0,0,0,,across the start",
            "Dialogue: 0,0:00:15.00,0:00:16.00,Caption,,0,0,0,,inside",
            "Dialogue: 0,0:00:19.95,0:00:21.00,Caption,,0,0,0,,at the end",
            "Dialogue: 0,0:01:00.00,0:01:01.00,Caption,,0,0,0,,late",
        ]
    )
    kept = events_within(document, 10.0, 20.0)
    assert "early" not in kept and "late" not in kept
    for text in ("across the start", "inside", "at the end", "[Events]", "Format:"):
        assert text in kept


def test_a_window_starts_just_after_a_fade_rather_than_on_it() -> None:
    # The bench's scenes: a clip, a follow-up cut, a fade into the next scene at 1200..1209.
    # A window starting at 1200 would decode the whole follow-up clip again for its last 9
    # frames; one starting at 1260 decodes 60 frames of the next clip again.
    spec = spec_of([(600, 0), (609, 9), (600, 0)])
    windows = plan_windows(spec, target=600, gop=60)
    check_plan(spec, windows, 60)
    assert [(w.start, w.end) for w in windows] == [(0, 600), (600, 1260), (1260, 1800)]
    assert window_pieces(spec, windows[2])[0] == Piece(2, 60, 540)
