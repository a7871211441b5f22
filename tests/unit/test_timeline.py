import itertools
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from video_orchestrator.spec.timeline import Timebase, clip_starts, sequence_length

fps_values = st.sampled_from([24, 25, 30, 50, 60, Fraction(30000, 1001)])


@given(fps=fps_values, frames=st.integers(min_value=0, max_value=10**7))
def test_frames_round_trip_through_seconds(fps: Fraction, frames: int) -> None:
    tb = Timebase.of(fps)
    assert tb.to_frames(tb.to_seconds(frames)) == frames


@given(fps=fps_values, seconds=st.floats(min_value=0, max_value=3600, allow_nan=False))
def test_nearest_frame_is_within_half_a_frame(fps: Fraction, seconds: float) -> None:
    tb = Timebase.of(fps)
    frame = tb.to_frames(seconds)
    assert abs(tb.to_seconds(frame) - Fraction(seconds)) <= Fraction(1, 2) / tb.fps
    assert tb.ceil_frames(seconds) >= frame


@given(
    clips=st.lists(st.integers(min_value=10, max_value=500), min_size=1, max_size=12),
    data=st.data(),
)
def test_sequence_length_and_starts_agree(clips: list[int], data: st.DataObject) -> None:
    overlaps = [
        data.draw(st.integers(min_value=0, max_value=min(a, b) - 1))
        for a, b in itertools.pairwise(clips)
    ]
    starts = clip_starts(clips, overlaps)
    assert starts[0] == 0
    assert starts[-1] + clips[-1] == sequence_length(clips, overlaps)
    for index in range(1, len(clips)):
        assert starts[index] == starts[index - 1] + clips[index - 1] - overlaps[index - 1]


def test_seconds_string_is_exact_to_the_microsecond() -> None:
    tb = Timebase.of(30)
    assert tb.seconds_str(45) == "1.5"
    assert tb.seconds_str(0) == "0"
    assert tb.seconds_str(1) == "0.033333"
