"""Keywords and hashtags a creator would keep (pipeline/keywords.py), in the eight languages:
the subject's nouns in their dictionary form, never its verbs, units, numbers or a second
form of the same word (``#octopus`` and ``#octopuses``)."""

from __future__ import annotations

import pytest

from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.languages import SUPPORTED
from video_orchestrator.pipeline.keywords import hashtags_from, tag_key
from video_orchestrator.pipeline.optimise import hashtag_candidates, plan_hashtags
from video_orchestrator.pipeline.script_import import script_from_text
from video_orchestrator.pipeline.source_script import SourceText, script_from_source
from video_orchestrator.platforms import get_preset

#: The same three paragraphs about octopuses in each language (written for this test), with
#: the tags a creator would keep and the ones that must never appear: the plural twin, a
#: unit, a number and the verbs ("begins", "live", "have").
CASES: dict[str, tuple[str, set[str], set[str]]] = {
    "en": (
        "Octopuses have three hearts and blue blood.\n\n"
        "An octopus can squeeze through any hole bigger than its beak. "
        "Its arms hold two thirds of its neurons, so each arm begins to act on its own.\n\n"
        "Some octopuses live at depths of four thousand metres. "
        "The deepest one ever filmed was seen at almost seven thousand metres.",
        {"octopus", "heart", "arm"},
        {"octopuses", "metres", "metre", "begins", "begin", "thousand", "live", "bigger"},
    ),
    "ro": (
        "Caracatițele au trei inimi și sânge albastru.\n\n"
        "O caracatiță poate trece prin orice gaură mai mare decât ciocul ei. "
        "Fiecare braț începe să acționeze singur.\n\n"
        "Unele caracatițe trăiesc la patru mii de metri adâncime.",
        {"caracatiță", "inimă"},
        {"caracatițele", "caracatițe", "metri", "metru", "mii", "începe", "trăiesc"},
    ),
    "es": (
        "Los pulpos tienen tres corazones y sangre azul.\n\n"
        "Un pulpo puede pasar por cualquier agujero más grande que su pico. "
        "Cada brazo empieza a actuar por su cuenta.\n\n"
        "Algunos pulpos viven a cuatro mil metros de profundidad.",
        {"pulpo", "corazón"},
        {"pulpos", "metros", "metro", "mil", "empieza", "viven", "tienen"},
    ),
    "fr": (
        "Les pieuvres ont trois cœurs et le sang bleu.\n\n"
        "Une pieuvre peut passer par n'importe quel trou plus grand que son bec. "
        "Chaque bras commence à agir seul.\n\n"
        "Certaines pieuvres vivent à quatre mille mètres de profondeur.",
        {"pieuvre", "cœur"},
        {"pieuvres", "cœurs", "mètres", "mètre", "mille", "commence", "vivent"},
    ),
    "de": (
        "Kraken haben drei Herzen und blaues Blut.\n\n"
        "Ein Krake passt durch jedes Loch, das größer ist als sein Schnabel. "
        "Jeder Arm beginnt, selbst zu handeln.\n\n"
        "Manche Kraken leben in viertausend Metern Tiefe.",
        {"krake", "herz"},
        {"kraken", "herzen", "metern", "meter", "beginnt", "leben", "haben", "blaues"},
    ),
    "pt": (
        "Os polvos têm três corações e sangue azul.\n\n"
        "Um polvo consegue passar por qualquer buraco maior do que o seu bico. "
        "Cada braço começa a agir sozinho.\n\n"
        "Alguns polvos vivem a quatro mil metros de profundidade.",
        {"polvo", "coração"},
        {"polvos", "corações", "metros", "metro", "mil", "começa", "vivem", "têm"},
    ),
    "it": (
        "I polpi hanno tre cuori e il sangue blu.\n\n"
        "Un polpo può passare da qualsiasi buco più grande del suo becco. "
        "Ogni braccio comincia ad agire da solo.\n\n"
        "Alcuni polpi vivono a quattromila metri di profondità.",
        {"polpo", "cuore"},
        {"polpi", "cuori", "metri", "metro", "comincia", "vivono", "hanno"},
    ),
    "ja": (
        "タコには心臓が三つあり、血は青い。\n\n"
        "タコはくちばしより大きい穴なら通り抜けられる。それぞれの腕が自分で動き始める。\n\n"
        "深さ四千メートルに住むタコもいる。",
        {"タコ", "心臓"},
        {"メートル", "四千", "三つ"},
    ),
}


def test_every_language_has_a_case() -> None:
    assert set(CASES) == set(SUPPORTED)


def _check(tags: list[str], language: str) -> None:
    _, wanted, banned = CASES[language]
    folded = [t.casefold() for t in tags]
    assert 3 <= len(tags) <= 5, tags
    assert wanted <= set(folded), (language, tags)
    assert not banned & set(folded), (language, tags)
    assert len({tag_key(t, language) for t in tags}) == len(tags), ("twins", tags)
    assert not any(ch.isdigit() for t in tags for ch in t)
    if language == "ja":  # nouns, never a phrase with its particles (海の, 心臓が)
        assert all(len(t) <= 6 and not any("\u3041" <= ch <= "\u3096" for ch in t) for t in tags)


@pytest.mark.parametrize("language", SUPPORTED)
def test_a_pasted_script_gets_its_nouns_as_hashtags(language: str) -> None:
    script = script_from_text(CASES[language][0], language=language)
    _check(script.hashtags, language)


@pytest.mark.parametrize("language", [code for code in SUPPORTED if code != "ja"])
def test_a_script_from_notes_gets_its_nouns_as_hashtags(language: str) -> None:
    source = SourceText(text=CASES[language][0], title=None, origin="notes.txt")
    script = script_from_source(source, language=language, target_seconds=30)
    _check(script.hashtags, language)


@pytest.mark.parametrize("language", SUPPORTED)
def test_scene_keywords_are_lemmas_without_verbs_units_or_twins(language: str) -> None:
    script = script_from_text(CASES[language][0], language=language)
    _, _, banned = CASES[language]
    for scene in script.scenes:
        keys = [k.casefold() for k in scene.keywords]
        assert keys and len(keys) <= 8
        assert not banned & set(keys), (language, keys)
        assert len({tag_key(k, language) for k in keys}) == len(keys), keys


def test_the_english_cases_seen_by_a_user() -> None:
    """#metres, #begins and #octopus beside #octopuses, as the lead saw them."""
    tags = hashtags_from(CASES["en"][0], "en")
    assert tags[0] == "octopus"
    assert not {"metres", "begins", "octopuses", "thousand"} & set(tags)


def test_planned_hashtags_add_nouns_of_the_topic_and_scenes_once() -> None:
    script = Script(
        topic="why octopuses are so smart",
        genre="facts",
        language="en",
        title="Why octopuses are so smart",
        hook="An octopus can open a jar from the inside.",
        scenes=[
            Scene(
                narration="Each arm begins to act on its own.",
                keywords=["begins", "metres", "octopuses", "octopus", "tentacles", "3"],
            )
        ],
        call_to_action="Follow for more.",
        description="",
        hashtags=["octopus"],
    )
    candidates = hashtag_candidates(script)
    assert candidates[:2] == ["octopus", "tentacle"]
    planned = plan_hashtags(script, get_preset("tiktok"))
    assert planned == ["octopus", "tentacle"]  # fewer than three rather than a weak one
    assert not {"begins", "metres", "metre", "octopuses", "smart", "3"} & set(planned)
