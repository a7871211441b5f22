"""SRT and WebVTT sidecars (render/sidecars.py)."""

from __future__ import annotations

import itertools

from video_orchestrator.render.sidecars import frame_to_ms, to_srt, to_vtt
from video_orchestrator.spec.captions import CaptionCue, group_words
from video_orchestrator.spec.model import CaptionStyle, CaptionTrack, Word


def _cue(lines: list[list[str]], start: int, end: int, joiner: str = " ") -> CaptionCue:
    return CaptionCue(
        lines=tuple(tuple(Word(text=t, start=start, end=end) for t in line) for line in lines),
        start=start,
        end=end,
        joiner=joiner,
    )


def test_srt_numbering_times_and_lines() -> None:
    cues = [_cue([["Hello", "there"], ["friend"]], 0, 45), _cue([["Bye"]], 45, 3661 * 30 + 1)]
    assert to_srt(cues, 30) == (
        "1\n00:00:00,000 --> 00:00:01,500\nHello there\nfriend\n"
        "\n"
        "2\n00:00:01,500 --> 01:01:01,033\nBye\n"
    )


def test_vtt_header_times_and_escaping() -> None:
    cues = [_cue([["a<b>", "&", "c-->d"]], 1, 31)]
    assert to_vtt(cues, 30) == (
        "WEBVTT\n\n00:00:00.033 --> 00:00:01.033\na&lt;b&gt; &amp; c--&gt;d\n"
    )


def test_blank_lines_never_end_a_cue_early() -> None:
    cues = [_cue([["  "], ["real\n\ntext"]], 0, 10)]
    srt = to_srt(cues, 25)
    assert srt == "1\n00:00:00,000 --> 00:00:00,400\nreal text\n"
    assert "\n\n" not in to_vtt(cues, 25).split("\n\n", 1)[1].rstrip("\n")


def test_empty_cues_are_skipped_and_numbering_stays_dense() -> None:
    cues = [_cue([["one"]], 0, 5), _cue([[" "]], 5, 6), _cue([["two"]], 6, 9)]
    srt = to_srt(cues, 30)
    assert "1\n" in srt and "2\n00:00:00,200" in srt and "3\n" not in srt


def test_japanese_lines_join_without_spaces() -> None:
    cues = [_cue([["今日", "は"], ["晴れ"]], 0, 30, joiner="")]
    assert to_vtt(cues, 30).endswith("今日は\n晴れ\n")


def test_times_round_to_the_nearest_millisecond_and_touching_cues_stay_disjoint() -> None:
    assert frame_to_ms(1, 30) == 33
    assert frame_to_ms(2, 30) == 67
    words = [Word(text=f"w{i}", start=i * 7, end=i * 7 + 7) for i in range(20)]
    track = CaptionTrack(words=words, style=CaptionStyle(max_words=2))
    cues = group_words(track, 200, fps=30)
    blocks = to_srt(cues, 30).strip().split("\n\n")
    spans = []
    for block in blocks:
        timing = block.split("\n")[1]
        start, end = (
            sum(
                float(part) * scale
                for part, scale in zip(t.replace(",", ".").split(":"), (3600, 60, 1), strict=True)
            )
            for t in timing.split(" --> ")
        )
        spans.append((start, end))
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert len(blocks) == len(cues)
