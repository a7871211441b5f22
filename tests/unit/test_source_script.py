"""The offline writer (ADR 0020): the user's material becomes a script of its own sentences;
a topic alone, without a language model, becomes no script at all."""

from __future__ import annotations

import re

import pytest

from video_orchestrator.domain.script import GENRES, Genre
from video_orchestrator.errors import NoScriptWriter, ScriptError
from video_orchestrator.pipeline.script import generate_script
from video_orchestrator.pipeline.source_script import (
    SourceText,
    read_source,
    script_from_source,
)

ARTICLE = """# How honeybees make honey

Honeybees make honey from the nectar of flowers. A forager visits hundreds of flowers on a
single trip and carries the nectar home in a special honey stomach.

Back at the hive, the forager passes the nectar to house bees. They chew it and add an enzyme
called invertase (from their glands), which splits the sugars into glucose and fructose [2].

The bees spread the nectar thinly across the wax cells of the comb. Fanning their wings, they
evaporate water until the honey is only about 17 to 18 percent water. However, this takes
several days of work.

When the honey is ready, the bees seal each cell with a cap of fresh wax. Sealed honey keeps
for years because it is too sugary and too dry for most microbes to grow in it.

A strong colony can gather well over 50 kilograms of honey in a good summer. Most of it is
eaten by the bees themselves during the winter.

- Subscribe to our newsletter for more bee facts!
- A single worker bee makes about a twelfth of a teaspoon of honey in her whole life.
"""

PAGE = f"""<!doctype html><html><head><title>Honey | Bee Blog</title></head><body>
<nav><a href="/">Home</a> <a href="/shop">Shop our honey</a></nav>
<article><h1>How honeybees make honey</h1>
{"".join(f"<p>{p}</p>" for p in ARTICLE.split(chr(10) + chr(10))[1:-1])}
</article>
<footer>Copyright 2026 Bee Blog. All rights reserved. Accept cookies?</footer></body></html>"""

TRANSCRIPT = """WEBVTT

NOTE recorded at the bee farm

00:00:00.000 --> 00:00:03.000
Honeybees make honey from the nectar of flowers.

00:00:03.000 --> 00:00:07.500
<v Guide>A forager visits hundreds of flowers on a single trip.

00:00:07.500 --> 00:00:07.900
<v Guide>A forager visits hundreds of flowers on a single trip.

00:00:08.000 --> 00:00:12.000
The bees fan their wings until the honey is only about 18 percent water.
"""


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.casefold())


def _source_sentences(text: str) -> set[str]:
    flat = " ".join(text.split())
    return {" ".join(_words(s)) for s in re.split(r"(?<=[.!?])\s+", flat)}


def _said(script_text: str) -> list[str]:
    return [" ".join(_words(s)) for s in re.split(r"(?<=[.!?])\s+", script_text) if _words(s)]


def test_every_sentence_said_is_the_sources_own() -> None:
    script = script_from_source(read_source(ARTICLE, origin="bees.md"), target_seconds=40)
    spoken = " ".join(script.spoken_parts())
    for sentence in _said(spoken):
        # the sentence's words appear in order in the source (asides may be dropped)
        pattern = r"\b" + r"\b.*?\b".join(map(re.escape, sentence.split())) + r"\b"
        assert re.search(pattern, " ".join(_words(ARTICLE))), sentence
    assert "(from their glands)" not in spoken and "[2]" not in spoken
    assert not spoken.startswith("However") and "However," not in spoken
    assert "newsletter" not in spoken.casefold()


def test_the_script_has_a_hook_scenes_keywords_and_names_its_source() -> None:
    script = script_from_source(read_source(ARTICLE, origin="bees.md"), target_seconds=40)
    assert 3 <= len(script.scenes) <= 6
    assert script.title == "How honeybees make honey"
    assert script.description.endswith("Source: How honeybees make honey")
    assert script.call_to_action == ""
    for scene in script.scenes:
        scene_words = set(_words(scene.narration))
        assert scene.keywords
        assert all(any(w.startswith(k[:4]) for w in scene_words) for k in scene.keywords)
    assert " ".join(_words(script.hook)) in " ".join(_words(ARTICLE))
    assert "honey" in script.hashtags


@pytest.mark.parametrize("seconds", [20, 40, 60])
def test_the_length_follows_the_target(seconds: int) -> None:
    script = script_from_source(read_source(ARTICLE, origin="bees.md"), target_seconds=seconds)
    budget = seconds * 150 / 60
    assert script.word_count() <= budget * 1.1
    if seconds == 20:
        longer = script_from_source(read_source(ARTICLE, origin="bees.md"), target_seconds=60)
        assert longer.word_count() > script.word_count()


def test_an_html_page_loses_its_menus_and_footer_and_keeps_its_title() -> None:
    source = read_source(PAGE.encode(), origin="https://example.org/honey")
    assert "Shop our honey" not in source.text and "cookies" not in source.text
    assert "invertase" in source.text
    script = script_from_source(source, target_seconds=30)
    assert script.description.endswith("Source: " + (source.title or ""))
    assert source.title and "honey" in source.title.casefold()


def test_a_transcript_loses_timestamps_tags_and_repeated_cues() -> None:
    source = read_source(TRANSCRIPT, origin="talk.vtt")
    assert "-->" not in source.text and "<v" not in source.text and "NOTE" not in source.text
    assert source.text.count("A forager visits") == 1
    script = script_from_source(source, target_seconds=20)
    assert script.description.endswith("Source: talk.vtt")


def test_a_url_without_a_title_is_named_by_its_address() -> None:
    source = SourceText(text=ARTICLE.split("\n", 2)[2], title=None, origin="https://x.org/a")
    assert script_from_source(source).description.endswith("Source: https://x.org/a")


def test_material_without_sentences_is_refused_plainly() -> None:
    with pytest.raises(ScriptError, match="too few complete sentences"):
        script_from_source(read_source("bees honey wax\n\nflowers", origin="notes.txt"))


AWKWARD_TOPICS = [
    "why are octopuses so smart?",
    "the surprisingly long and complicated history of the humble paperclip in offices",
    "Marie Curie",
    "NASA's Artemis II",
    "how to bake sourdough bread",
    "bees",
    "🐙 octopus facts 🌊",
    "what if the Moon disappeared",
]


@pytest.mark.parametrize("genre", GENRES)
@pytest.mark.parametrize("topic", AWKWARD_TOPICS)
def test_a_topic_alone_without_a_model_is_never_pasted_into_a_script(
    topic: str, genre: Genre
) -> None:
    with pytest.raises(NoScriptWriter) as caught:
        generate_script(topic, genre, language="en", target_seconds=40, llm=None)
    message = str(caught.value)
    assert topic not in message  # no slot filled with it, not even in the error
    assert message.startswith("no script writer is configured: ")
    for way_out in ("--from FILE_OR_URL", "--script FILE", "VO_LLM_PRESET=ollama", "key"):
        assert way_out in message
