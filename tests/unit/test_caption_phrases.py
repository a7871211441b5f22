"""Phrase-aware caption line breaks (spec/captions.py): never "trec pe | lângă"."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from video_orchestrator.spec.captions import (
    break_quality,
    emphasised_words,
    group_words,
    leans_on_next,
)
from video_orchestrator.spec.model import CaptionStyle, CaptionTrack, Word

CONTENT = ["ocean", "hearts", "blue", "brains", "octopus", "deep", "noi", "swims"]
FUNCTION = ["pe", "the", "of", "în", "and", "a", "la", "to", "with"]


def _track(texts: list[str], language: str = "en", **style: object) -> CaptionTrack:
    words = [Word(text=t, start=4 * i, end=4 * i + 3) for i, t in enumerate(texts)]
    return CaptionTrack(words=words, style=CaptionStyle(**style), language=language)  # type: ignore[arg-type]


def _line_ends(track: CaptionTrack) -> list[str]:
    """The last word of every line but the narration's very last."""
    ends = [line[-1].text for cue in group_words(track, 10_000) for line in cue.lines]
    return ends[:-1]


def test_the_preposition_stays_with_its_word() -> None:
    track = _track(["eu", "trec", "pe", "lângă", "noi"], "ro", max_chars_per_line=8, max_lines=2)
    lines = [[w.text for w in line] for cue in group_words(track, 1000) for line in cue.lines]
    assert ["pe", "lângă"] in [line[i : i + 2] for line in lines for i in range(len(line))]
    assert all(line[-1] != "pe" for line in lines)


def test_a_break_after_a_comma_is_preferred() -> None:
    track = _track(["Octopuses", "have", "three,", "blue", "blood", "and"], max_chars_per_line=22)
    cue = group_words(track, 1000)[0]
    assert [w.text for w in cue.lines[0]][-1] == "three,"


def test_what_leans_on_the_next_word() -> None:
    assert leans_on_next("pe") and leans_on_next("The") and leans_on_next("în")
    assert not leans_on_next("pe,") and not leans_on_next("ocean") and not leans_on_next("3")
    assert break_quality("hearts,") == 1 and break_quality("of") == -1
    assert break_quality("ocean") == 0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.sampled_from(CONTENT), st.sampled_from(FUNCTION))),
    st.integers(12, 30),
    st.integers(2, 8),
    st.integers(1, 3),
)
def test_no_line_ends_on_a_word_that_leans_on_the_next(
    parts: list[tuple[bool, str, str]], limit: int, max_words: int, max_lines: int
) -> None:
    texts: list[str] = []
    for lead, content, function in parts:  # a function word is always followed by content
        texts += [function, content] if lead else [content]
    if not texts:
        return
    track = _track(texts, max_chars_per_line=limit, max_words=max_words, max_lines=max_lines)
    assert not [end for end in _line_ends(track) if leans_on_next(end)]
    shown = [w.text for cue in group_words(track, 10_000) for w in cue.words]
    assert shown == texts  # every word once, in order


def test_emphasis_picks_numbers_and_each_sentences_key_word() -> None:
    words = [
        Word(text=t, start=i, end=i + 1, sentence_end=t.endswith("."))
        for i, t in enumerate(
            ["Octopuses", "have", "3", "hearts.", "They", "swim", "with", "flippers."]
        )
    ]
    assert [words[i].text for i in emphasised_words(words)] == ["Octopuses", "3", "flippers."]
