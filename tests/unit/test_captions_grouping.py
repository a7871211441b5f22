"""Grouping timed words into caption cues (spec/captions.py)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from video_orchestrator.spec.captions import (
    CaptionCue,
    graphemes,
    group_words,
    highlight_spans,
    joiner_for,
    text_width,
)
from video_orchestrator.spec.model import CaptionStyle, CaptionTrack, Word

WORD_TEXT = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=14),
    st.sampled_from(["🙂", "שלום", "日本", "é", "👍🏽", "🇷🇴", "x\u0301", "a-b", "résumé"]),
    st.text(min_size=1, max_size=25).filter(lambda t: t.strip() != ""),
)


@st.composite
def tracks(draw: st.DrawFn) -> tuple[CaptionTrack, int]:
    count = draw(st.integers(1, 40))
    words: list[Word] = []
    position = draw(st.integers(0, 10))
    for _ in range(count):
        position += draw(st.integers(0, 25))
        length = draw(st.integers(1, 20))
        words.append(
            Word(
                text=draw(WORD_TEXT),
                start=position,
                end=position + length,
                sentence_end=draw(st.booleans()),
            )
        )
    style = CaptionStyle(
        max_chars_per_line=draw(st.integers(4, 30)),
        max_lines=draw(st.integers(1, 4)),
        max_words=draw(st.integers(1, 10)),
    )
    language = draw(st.sampled_from(["en", "ja", "ro", "th", "zh-Hans"]))
    # Room for every cue to get at least one frame of its own.
    total = words[-1].start + count + draw(st.integers(1, 60))
    return CaptionTrack(words=words, style=style, language=language), total


def _line_width(line: tuple[Word, ...], joiner: str) -> int:
    return text_width(joiner.join(" ".join(w.text.split()) for w in line))


@settings(max_examples=150, deadline=None)
@given(tracks())
def test_every_word_once_in_order(data: tuple[CaptionTrack, int]) -> None:
    track, total = data
    cues = group_words(track, total)
    shown = [word for cue in cues for word in cue.words]
    assert shown == list(track.words)


@settings(max_examples=150, deadline=None)
@given(tracks())
def test_layout_limits(data: tuple[CaptionTrack, int]) -> None:
    track, total = data
    style = track.style
    for cue in group_words(track, total):
        assert 1 <= len(cue.lines) <= style.max_lines
        assert len(cue.words) <= style.max_words
        for line in cue.lines:
            assert line, "no empty lines"
            if len(line) > 1:
                assert _line_width(line, cue.joiner) <= style.max_chars_per_line


@settings(max_examples=150, deadline=None)
@given(tracks())
def test_cues_are_ordered_disjoint_and_inside_the_video(data: tuple[CaptionTrack, int]) -> None:
    track, total = data
    cues = group_words(track, total)
    for cue in cues:
        assert 0 <= cue.start < cue.end <= total
        # A cue never starts before its first word is spoken.
        assert cue.start >= cue.words[0].start
    for before, after in itertools.pairwise(cues):
        assert before.end <= after.start


@settings(max_examples=100, deadline=None)
@given(tracks())
def test_sentence_ends_close_a_cue(data: tuple[CaptionTrack, int]) -> None:
    track, total = data
    for cue in group_words(track, total):
        assert not any(w.sentence_end for w in cue.words[:-1])


@settings(max_examples=100, deadline=None)
@given(tracks())
def test_highlight_spans_follow_words_inside_the_cue(data: tuple[CaptionTrack, int]) -> None:
    track, total = data
    for cue in group_words(track, total):
        spans = highlight_spans(cue)
        previous_end = cue.start
        for index, start, end in spans:
            assert cue.start <= start < end <= cue.end
            assert start >= previous_end
            assert start == max(cue.words[index].start, cue.start)
            previous_end = end


def _words(texts: list[str], step: int = 10, gap: int = 0) -> list[Word]:
    return [
        Word(text=t, start=i * (step + gap), end=i * (step + gap) + step)
        for i, t in enumerate(texts)
    ]


def test_long_pause_starts_a_new_cue() -> None:
    words = [
        Word(text="one", start=0, end=10),
        Word(text="two", start=10, end=20),
        Word(text="three", start=60, end=70),  # 40 frames of silence at 30 fps
    ]
    cues = group_words(CaptionTrack(words=words), 200, fps=30)
    assert [[w.text for w in c.words] for c in cues] == [["one", "two"], ["three"]]
    # The first cue holds a moment after "two", then disappears before the pause ends.
    assert 20 < cues[0].end < 60


def test_cue_stays_until_next_cue_when_the_gap_is_short() -> None:
    words = [
        Word(text="Hello", start=0, end=10, sentence_end=True),
        Word(text="again", start=14, end=24),
    ]
    first, second = group_words(CaptionTrack(words=words), 100, fps=30)
    assert first.end == second.start == 14


def test_hold_is_bounded_by_the_video() -> None:
    cues = group_words(CaptionTrack(words=[Word(text="end", start=5, end=9)]), 11, fps=30)
    assert cues[0].end == 11


def test_overlong_word_gets_its_own_line_and_is_not_cut() -> None:
    style = CaptionStyle(max_chars_per_line=6, max_lines=3, max_words=6)
    words = _words(["a", "incomprehensibilities", "b"])
    (cue,) = group_words(CaptionTrack(words=words, style=style), 100)
    assert [[w.text for w in line] for line in cue.lines] == [
        ["a"],
        ["incomprehensibilities"],
        ["b"],
    ]


def test_lines_are_balanced() -> None:
    style = CaptionStyle(max_chars_per_line=18, max_lines=2, max_words=6)
    words = _words(["one", "two", "three", "four", "five", "six"])
    (cue,) = group_words(CaptionTrack(words=words, style=style), 200)
    assert cue.text_lines() == ("one two three", "four five six")


def test_cues_are_balanced_within_a_sentence() -> None:
    style = CaptionStyle(max_words=6)
    words = _words([f"w{i}" for i in range(7)])
    cues = group_words(CaptionTrack(words=words, style=style), 200)
    assert [len(c.words) for c in cues] == [3, 4] or [len(c.words) for c in cues] == [4, 3]


def test_japanese_tokens_join_without_spaces() -> None:
    style = CaptionStyle(max_chars_per_line=8, max_lines=2, max_words=10)
    tokens = ["今日", "は", "とても", "いい", "天気", "です", "ね"]
    cues = group_words(CaptionTrack(words=_words(tokens), style=style, language="ja"), 200)
    text = "".join("".join(c.text_lines()) for c in cues)
    assert text == "今日はとてもいい天気ですね"
    for cue in cues:
        assert cue.joiner == ""
        for line in cue.text_lines():
            assert text_width(line) <= 8  # wide characters count double


def test_joiner_per_language() -> None:
    assert joiner_for("en") == " "
    assert joiner_for("ja") == ""
    assert joiner_for("zh-Hant") == ""
    assert joiner_for("th_TH") == ""
    assert joiner_for("ro") == " "


def test_graphemes_keep_clusters_whole() -> None:
    assert graphemes("e\u0301a") == ["e\u0301", "a"]
    assert graphemes("👍🏽!") == ["👍🏽", "!"]
    assert graphemes("👨\u200d👩\u200d👧") == ["👨\u200d👩\u200d👧"]
    assert graphemes("🇷🇴🇫🇷") == ["🇷🇴", "🇫🇷"]
    assert text_width("日本") == 4
    assert text_width("abc") == 3


def test_same_start_words_never_make_overlapping_or_empty_cues() -> None:
    style = CaptionStyle(max_words=1)
    words = [Word(text=t, start=10, end=12) for t in "abcd"]
    cues = group_words(CaptionTrack(words=words, style=style), 100)
    assert [c.start for c in cues] == [10, 11, 12, 13]
    assert all(c.end > c.start for c in cues)
    assert all(a.end <= b.start for a, b in itertools.pairwise(cues))


def test_cues_that_cannot_start_inside_the_video_are_dropped() -> None:
    style = CaptionStyle(max_words=1)
    words = [Word(text=t, start=8, end=9) for t in "abcd"]
    cues = group_words(CaptionTrack(words=words, style=style), 10)
    assert [c.start for c in cues] == [8, 9]


def test_empty_track() -> None:
    assert group_words(CaptionTrack(), 100) == []


def test_cue_text_lines() -> None:
    cue = CaptionCue(lines=((Word(text="a\nb", start=0, end=1),),), start=0, end=1)
    assert cue.text_lines() == ("a b",)
