"""The script of a trend from its evidence (pipeline/trend_script.py): offline, only the
evidence's sentences; with a model, the evidence as numbered sources and the instruction to
keep to them; a failing model falls back to the evidence's sentences with a notice."""

from __future__ import annotations

import pytest

from video_orchestrator.errors import ProviderUnavailable, ScriptError
from video_orchestrator.pipeline.trend_script import Evidence, script_from_evidence
from video_orchestrator.providers.fake.llm import FakeLLM

EVIDENCE = [
    Evidence(
        "Glacier in Patagonia lost 30 metres of ice this summer",
        "https://a.example/glacier",
        "A News",
        "Scientists measured the retreat with drones over twelve weeks.",
    ),
    Evidence(
        "Why Patagonian glaciers are melting faster",
        "https://b.example/why",
        "B Times",
        "Warmer ocean water reaches the glacier front earlier every year.",
    ),
    Evidence("Glacier in Patagonia lost 30 metres of ice this summer", "https://c.example/dup"),
]
ANSWER = {
    "title": "Patagonia's glacier retreat",
    "hook": "A glacier lost 30 metres of ice in one summer.",
    "scenes": [
        {"narration": "Scientists measured it with drones.", "keywords": ["glacier", "drone"]},
        {"narration": "Warmer ocean water reaches it earlier.", "keywords": ["ocean"]},
        {"narration": "That is the news from Patagonia.", "keywords": ["mountain"]},
    ],
    "call_to_action": "",
    "description": "A glacier in Patagonia is retreating fast.",
    "hashtags": ["glacier", "patagonia", "climate"],
}


def test_offline_every_sentence_is_the_evidences_and_the_links_follow() -> None:
    made = script_from_evidence("Patagonia glacier", EVIDENCE, target_seconds=30)
    assert made.source == "source" and made.llm is None
    material = " ".join(f"{e.title}. {e.summary}" for e in EVIDENCE)
    for part in made.script.spoken_parts():
        for sentence in part.split(". "):
            assert sentence.strip(" .") in material
    assert "30 metres" in " ".join(made.script.spoken_parts())
    assert made.script.description.endswith(
        "\n\nSources:\n- A News: https://a.example/glacier\n- B Times: https://b.example/why"
    )  # a repeated headline is one source


def test_a_model_gets_the_sources_and_the_instruction_to_keep_to_them() -> None:
    llm = FakeLLM(answer=ANSWER)
    made = script_from_evidence("Patagonia glacier", EVIDENCE, llm=llm, target_seconds=30)
    assert made.source == "llm" and made.llm is not None and made.llm["provider"] == "fake"
    (request,) = llm.requests
    assert "Use ONLY what the sources say" in request.system
    assert "[1] " in request.user and "Warmer ocean water" in request.user
    assert request.user.count("Glacier in Patagonia lost 30 metres") == 1  # duplicates once
    assert made.script.description.startswith("A glacier in Patagonia is retreating fast.")
    assert "https://a.example/glacier" in made.script.description


def test_a_failing_model_falls_back_to_the_evidence_with_a_notice() -> None:
    llm = FakeLLM(error=ProviderUnavailable("the model is down"))
    made = script_from_evidence("Patagonia glacier", EVIDENCE, llm=llm)
    assert made.source == "source" and made.notice and "model is down" in made.notice


def test_no_or_thin_evidence_is_a_clear_error() -> None:
    with pytest.raises(ScriptError, match="no evidence"):
        script_from_evidence("Nothing", [])
    with pytest.raises(ScriptError, match="too thin"):
        script_from_evidence("Thin", [Evidence("Short headline", "https://x.example")])


def test_a_summary_that_restates_its_headline_is_said_with_its_facts() -> None:
    # The headline and its summary share most words: the writer keeps one of two duplicates,
    # and before this it kept the short headline and dropped the summary's "58 minutes".
    evidence = [
        Evidence(
            "Lunar eclipse visible across Europe on Sunday night",
            "https://news.example/a",
            summary="A total lunar eclipse will turn the Moon red for 58 minutes on Sunday, "
            "visible from all of Europe if skies are clear.",
        ),
        Evidence(
            "How to watch Sunday's lunar eclipse without a telescope",
            "https://news.example/b",
            summary="No equipment is needed: the eclipse is safe to watch with the naked eye, "
            "unlike a solar eclipse.",
        ),
    ]
    script = script_from_evidence("Lunar eclipse", evidence).script
    said = " ".join([script.hook, *(scene.narration for scene in script.scenes)])
    assert "58 minutes" in said
    assert "visible across Europe on Sunday night" not in said  # not said twice over
