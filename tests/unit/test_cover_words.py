"""A thumbnail carries 3–5 punchy words of the hook; download names are cut between words."""

from __future__ import annotations

from pathlib import Path

import pytest

from video_orchestrator.languages.slug import MAX_CHARS, slugify
from video_orchestrator.pipeline.build_spec import cover_words
from video_orchestrator.services.make import output_paths


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
