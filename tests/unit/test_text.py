"""Tokens, sentences and timing distribution shared by speech providers and captions."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from video_orchestrator.text import (
    distribute,
    ends_sentence,
    primary_language,
    sentence_end_flags,
    split_sentences,
    token_spans,
    tokenize,
    uses_spaces,
)

# Text that mixes scripts, punctuation, emoji, quotes and line breaks.
_ALPHABET = st.sampled_from(
    list("abcXYZ019 \n\t.,!?…;:—-\"'“”()「」『』。、！？")
    + list("今日本語天気東京")
    + list("はのをにすごい")
    + list("タワーカ")
    + ["🎉", "👍🏽", "\u200d", "é", "ไทย"]
)
_TEXT = st.lists(_ALPHABET, max_size=60).map("".join)
_LANGUAGES = st.sampled_from(["en", "en-US", "ro", "ja", "zh-CN", "th"])


def test_space_languages_split_on_whitespace_and_keep_punctuation() -> None:
    text = 'Hello, world! I paid $5.50 — "really" 🎉\nnext line…'
    assert tokenize(text, "en") == [
        "Hello,",
        "world!",
        "I",
        "paid",
        "$5.50",
        "—",
        '"really"',
        "🎉",
        "next",
        "line…",
    ]


def test_japanese_is_segmented_into_phrases() -> None:
    text = "今日は良い天気ですね。「東京タワー」に行きました！"
    tokens = tokenize(text, "ja")
    # BudouX phrases: a compound word (東京タワー) is never cut, particles stay with
    # their word, brackets and punctuation with their phrase.
    assert tokens == ["今日は", "良い", "天気ですね。", "「東京タワー」に", "行きました！"]
    assert "".join(tokens) == text


def test_japanese_phrases_keep_emoji_numbers_and_latin_words_whole() -> None:
    text = "「深海」は、水深200メートルより深い海です🐙！ AIとYouTubeの時代。🎉"
    tokens = tokenize(text, "ja")
    assert tokens == [
        "「深海」は、",
        "水深200メートルより",
        "深い",
        "海です🐙！",
        "AIと",
        "YouTubeの",
        "時代。🎉",
    ]
    assert sentence_end_flags(text, "ja") == [False] * 3 + [True, False, False, True]


def test_opening_brackets_at_a_phrase_end_join_the_next_phrase() -> None:
    assert tokenize("（注）これは「本」です。", "ja") == ["（注）", "これは", "「本」です。"]


def test_chinese_and_thai_are_segmented_into_words() -> None:
    assert tokenize("你好，世界！我们今天去北京。", "zh") == [
        "你",
        "好，",
        "世界！",
        "我们",
        "今天",
        "去",
        "北京。",
    ]
    assert tokenize("你好，世界！", "zh-Hant") == ["你", "好，", "世界！"]
    assert tokenize("สวัสดีครับ วันนี้อากาศดีมาก", "th")[:2] == ["สวัสดี", "ครับ"]


def test_other_spaceless_scripts_fall_back_to_character_classes() -> None:
    assert tokenize("ພາສາລາວ ດີ", "lo") == ["ພາສາລາວ", "ດີ"]


def test_punctuation_after_a_token_closes_it() -> None:
    assert tokenize("すごい、本当に。", "ja") == ["すごい、", "本当に。"]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("world.", True),
        ("Really?!", True),
        ('"done."', True),
        ("(end!)", True),
        ("ですね。", True),
        ("「終わり。」", True),
        ("wait…", True),
        ("rocks...", True),
        ("Hello,", False),
        ("3.5", False),
        ("1,000", False),
        ("“quoted”", False),
    ],
)
def test_ends_sentence(token: str, expected: bool) -> None:
    assert ends_sentence(token) is expected


def test_split_sentences_on_terminators_and_line_breaks() -> None:
    text = "First one. Second one?  Third\nfourth line! Trailing words"
    assert split_sentences(text, "en") == [
        "First one.",
        "Second one?",
        "Third",
        "fourth line!",
        "Trailing words",
    ]
    assert sentence_end_flags(text, "en") == [
        False,
        True,
        False,
        True,
        True,
        False,
        True,
        False,
        True,
    ]


def test_split_sentences_in_japanese() -> None:
    assert split_sentences("今日は晴れ。明日は雨！そうですか", "ja") == [
        "今日は晴れ。",
        "明日は雨！",
        "そうですか",
    ]


def test_empty_and_blank_text() -> None:
    for language in ("en", "ja"):
        assert tokenize("", language) == []
        assert tokenize(" \n\t", language) == []
        assert split_sentences("  ", language) == []
        assert sentence_end_flags("", language) == []


def test_language_helpers() -> None:
    assert primary_language("en_US") == "en"
    assert primary_language(" JA-jp ") == "ja"
    assert uses_spaces("ro-RO")
    assert not uses_spaces("ja")
    assert not uses_spaces("zh_CN")


@given(text=_TEXT, language=_LANGUAGES)
def test_tokens_are_the_non_space_text_in_order(text: str, language: str) -> None:
    spans = token_spans(text, language)
    tokens = tokenize(text, language)
    assert tokens == [text[start:end] for start, end in spans]
    assert all(start < end for start, end in spans)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert not any(char.isspace() for token in tokens for char in token)
    assert "".join(tokens) == "".join(text.split())


@given(text=_TEXT, language=_LANGUAGES)
def test_sentences_partition_the_tokens(text: str, language: str) -> None:
    sentences = split_sentences(text, language)
    regrouped = [token for sentence in sentences for token in tokenize(sentence, language)]
    assert regrouped == tokenize(text, language)
    assert all(sentence and sentence == sentence.strip() for sentence in sentences)
    flags = sentence_end_flags(text, language)
    assert sum(flags) == len(sentences)
    assert not flags or flags[-1]


def test_distribute_by_character_weight() -> None:
    timings = distribute(["a", "bbb", "—", "cccc"], 1.0, 3.25)
    assert [t.text for t in timings] == ["a", "bbb", "—", "cccc"]
    # weights 1, 3, 1 (no letters: minimum 1), 4 → 9 parts of 0.25 s
    assert [(t.start, t.end) for t in timings] == [
        (1.0, 1.25),
        (1.25, 2.0),
        (2.0, 2.25),
        (2.25, 3.25),
    ]
    assert distribute([], 0.0, 1.0) == []
    with pytest.raises(ValueError):
        distribute(["a"], 2.0, 1.0)


@given(
    words=st.lists(st.text(min_size=1, max_size=12), max_size=30),
    start=st.floats(min_value=0, max_value=1e4, allow_nan=False),
    length=st.floats(min_value=0, max_value=1e3, allow_nan=False),
)
def test_distribute_is_contiguous_and_exact(words: list[str], start: float, length: float) -> None:
    end = start + length
    timings = distribute(words, start, end)
    assert [t.text for t in timings] == words
    if not words:
        return
    assert timings[0].start == start
    assert timings[-1].end == end
    for before, after in itertools.pairwise(timings):
        assert before.end == after.start
    for timing in timings:
        assert start <= timing.start <= timing.end <= end
    # Longer words never get less time than shorter ones (same span, by weight).
    if length > 0:
        total = sum(max(1, sum(c.isalnum() for c in w)) for w in words)
        for word, timing in zip(words, timings, strict=True):
            share = max(1, sum(c.isalnum() for c in word)) / total
            assert math.isclose(
                timing.end - timing.start, share * length, abs_tol=1e-6 * end + 1e-9
            )


def test_speakable_drops_emoji_and_keeps_every_other_character() -> None:
    from video_orchestrator.text import speakable

    assert speakable("Hot 🔥 take 👍🏽! 30°C, ©2026 ❤️").split() == [
        "Hot",
        "take",
        "!",
        "30°C,",
        "©2026",
    ]
    assert speakable("日本語 שלום") == "日本語 שלום"
