"""A thumbnail carries 3–5 punchy words of the hook (whole phrases of a Japanese one);
download names are cut between words."""

from __future__ import annotations

from pathlib import Path

import pytest

from video_orchestrator.languages.slug import MAX_CHARS, slugify
from video_orchestrator.pipeline.build_spec import (
    COVER_MAX_CHARS,
    COVER_MIN_CHARS,
    cover_words,
    phrase_lines,
)
from video_orchestrator.services.make import output_paths
from video_orchestrator.text import tokenize


@pytest.mark.parametrize(
    ("hook", "expected"),
    [
        ("Did you know octopuses have three hearts?", "octopuses have three hearts"),
        (
            "Here is the thing about volcanoes in Iceland that most people never hear about.",
            "volcanoes in Iceland",
        ),
        ("Why the deep ocean glows", "Why the deep ocean glows"),
    ],
)
def test_cover_words_are_a_few_meaningful_words_of_the_hook(hook: str, expected: str) -> None:
    assert cover_words(hook) == expected


def test_cover_words_are_three_to_five_words_of_the_hook_in_order() -> None:
    hook = "The pressure at the bottom of the Mariana Trench is more than a thousand times that"
    words = cover_words(hook).split()
    assert 3 <= len(words) <= 5
    assert " ".join(words) in hook
    assert words[0].lower() not in {"the", "at", "of", "is", "a"}


def test_a_long_title_is_cut_between_words_never_inside_one() -> None:
    title = "Here is the thing about volcanoes in Iceland that most people never hear about"
    slug = slugify(title)
    assert len(slug) <= MAX_CHARS
    assert slug == "here-is-the-thing-about-volcanoes-in-iceland-that-most"
    assert title.lower().replace(" ", "-").startswith(slug)
    made = output_paths(Path("out"), "Why the deep ocean glows!")
    assert made["video"].name == "why-the-deep-ocean-glows.mp4"
    assert slugify("Știați că în București există un lac " * 3).startswith("stiati-ca-in-bucuresti")
    assert not slugify("Știați că în București există un lac " * 3).endswith("-")


@pytest.mark.parametrize(
    ("hook", "expected"),
    [
        # the first clause when it is short: two lines of the cover's type
        ("今日は海の話をします。深海には不思議な生き物がいます。", "今日は海の話をします"),
        # a long clause: the whole phrases with the most content, no particle left hanging
        ("深海には不思議な生き物がたくさんいます。", "深海には不思議な生き物"),
        # a clause too short to say anything: the next one's phrases
        ("実は、タコには心臓が三つあるって知ってた？", "タコには心臓が三つ"),
    ],
)
def test_a_japanese_cover_is_whole_phrases_of_the_hook(hook: str, expected: str) -> None:
    words = cover_words(hook, "ja")
    assert words == expected
    assert COVER_MIN_CHARS <= len(words) <= COVER_MAX_CHARS
    # never a phrase cut in two: the cover starts and ends on BudouX phrase boundaries
    # of the hook (the hanging particle after its last phrase aside)
    phrases = tokenize(hook, "ja")
    starts = {len("".join(phrases[:i])) for i in range(len(phrases) + 1)}
    at = hook.index(words)
    assert at in starts
    assert at + len(words) in starts or at + len(words) + 1 in starts


def test_a_japanese_cover_takes_as_few_lines_as_an_english_one() -> None:
    """The cover's type sets 6 full-width characters a line (thumbnail_spec): 2–3 lines,
    like 3–5 English words, each line whole phrases spread evenly."""
    for hook in (
        "深海には不思議な生き物がたくさんいます。",
        "海の一番深い所は、ほぼ十一キロの深さがある。",
    ):
        lines = phrase_lines(cover_words(hook, "ja"), "ja", 6).split("\n")
        assert 2 <= len(lines) <= 3, lines
    assert phrase_lines("海の一番深い所", "ja", 6).split("\n") == ["海の一番", "深い所"]


def test_english_covers_are_unchanged_by_the_japanese_rules() -> None:
    # the clause marks of Japanese (、。！？) are no English ones; words as before
    assert cover_words("Wait… the deep ocean glows, and nobody sees it", "en") == (
        "Wait the deep ocean glows"
    )
