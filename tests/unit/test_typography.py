"""Kinetic typography's phrase, colours, layout and placement (ADR 0050), pure: no render."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_build_spec import PARTS, narration
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.pipeline.build_spec import (
    VideoFormat,
    build_spec,
    captions_top,
    draft_spec,
    phrase_overlay,
    place_phrase,
)
from video_orchestrator.pipeline.media import MediaItem
from video_orchestrator.pipeline.scene_look import palette_for, tables
from video_orchestrator.pipeline.script_writer import stop_words_for
from video_orchestrator.pipeline.typography import contrast, key_phrase, phrase_colours
from video_orchestrator.spec import ImageOverlay, KineticText
from video_orchestrator.spec.kinetic import entrances, kinetic_lines, phrase_height
from video_orchestrator.spec.options import BackgroundSettings, CaptionSettings, VideoOptions
from video_orchestrator.text import content_words

#: Narrations a phrase picker trips on: questions, fillers, calls to action, numbers,
#: lists, elisions, diacritics, a name, one long run-on sentence, shouting, quotes.
AWKWARD = [
    ("en", "Did you know that octopuses have three hearts?"),
    ("en", "And that is not all, because it gets even stranger from here."),
    ("en", "So, what do you think about that? Let me know below!"),
    ("en", "Honestly, it is what it is, and that is all there is to it."),
    ("en", "At 3,000 metres down, the pressure would crush a car like a soda can."),
    ("en", "Bees, ants, wasps and hornets all live in colonies with a queen."),
    ("en", "NASA's Voyager 1 left the solar system in 2012."),
    ("en", "THIS IS THE MOST INCREDIBLE FACT ABOUT SHARKS YOU WILL EVER HEAR"),
    ("en", '"Never give up," she said, and then she climbed Everest alone.'),
    ("en", "The thing is, most people never really notice it at all, do they?"),
    ("en", "Follow for more facts like this one."),
    ("ro", "Știați că în munții Carpați trăiesc urși bruni?"),
    ("ro", "Ce crezi? Scrie în comentarii!"),
    ("fr", "L'océan couvre plus de soixante-dix pour cent de la Terre."),
    ("es", "¿Sabías que el pulpo tiene tres corazones y sangre azul?"),
    ("de", "Die Tiefsee ist dunkler als jede Nacht auf der Erde."),
    ("it", "Il miele non scade mai, anche dopo migliaia di anni."),
    ("pt", "O coração de uma baleia-azul pesa tanto quanto um carro."),
    ("ja", "深海には光が届かない場所がたくさんあります。"),
    ("ja", "タコには心臓が三つあります。"),
]


def _words(text: str) -> list[str]:
    return [w.strip("\"'“”‘’«»()[]¿¡.,;:!?…") for w in text.split()]


@pytest.mark.parametrize(("language", "text"), AWKWARD)
def test_a_phrase_is_never_a_run_of_stop_words(language: str, text: str) -> None:
    found = key_phrase(text, language)
    if found is None:
        return  # nothing worth showing: no typography for that scene
    assert found.accent is not None and 0 <= found.accent < len(found.words)
    if language == "ja":
        assert "".join(found.words) in text and len("".join(found.words)) <= 10
        assert not found.words[-1].endswith(("が", "は", "を", "に", "の"))
        return
    stops = stop_words_for(language)
    assert 2 <= len(found.words) <= 5
    # the words as spoken, in order: a run of the narration
    assert " ".join(found.words) in " ".join(_words(text))
    # never opens or ends on a stop word, and carries meaning
    assert content_words(found.words[-1], stops), found
    assert (
        content_words(found.words[0], stops)
        or found.words[0][0].isdigit()
        or found.words[0].casefold() in {"three", "tres", "trei", "soixante-dix"}
    ), found
    assert sum(bool(content_words(w, stops)) for w in found.words) >= 1


def test_phrases_a_viewer_would_recognise() -> None:
    # ends on a noun the sentence shows as one ("hearts"), not a possible one ("blood")
    octopus = key_phrase("Octopuses have three hearts and blue blood.", "en")
    assert octopus is not None and octopus.words == ("Octopuses", "have", "three", "hearts")
    # a number that belongs to the word before it does not open a phrase
    voyager = key_phrase("NASA's Voyager 1 left the solar system in 2012.", "en")
    assert voyager is not None and voyager.words[0] != "1"
    found = key_phrase("Honey never spoils. Archaeologists found edible honey in tombs.", "en")
    assert found is not None and "honey" in found.words
    assert key_phrase("Follow for more facts like this!", "en") is None
    assert key_phrase("Wow!", "en") is None
    # a scene keyword steers the choice towards what the scene is about
    steered = key_phrase("Whales sing songs. Octopuses have three hearts.", "en", ["octopus"])
    assert steered is not None and steered.words[0] == "Octopuses"
    # diacritics kept as written
    ro = key_phrase("Știați că în munții Carpați trăiesc urși bruni?", "ro")
    assert ro is not None and any("ș" in w or "ț" in w or "ă" in w for w in ro.words)


def test_colours_come_from_the_palette_with_contrast() -> None:
    for palette in [p.colours for p in tables().palettes] + list(tables().fallback):
        text, accent, outline = phrase_colours(palette)
        assert text == "#FFFFFF"
        assert contrast(text, outline) >= 15  # white on a near-black outline
        assert contrast(accent, outline) >= 7
        assert accent.upper() != "#FFFFFF"
    # the outline is the palette's darkest colour, darkened: blue stays bluish
    _, _, outline = phrase_colours(palette_for(["ocean"]))
    assert int(outline[5:7], 16) > int(outline[1:3], 16)


def _phrase(words: list[str], **fields: object) -> KineticText:
    return KineticText(words=words, **fields)  # type: ignore[arg-type]


def test_lines_are_the_fewest_that_fit_then_balanced() -> None:
    assert kinetic_lines(_phrase(["deep", "sea"], max_chars_per_line=13)) == [[0, 1]]
    lines = kinetic_lines(
        _phrase(["three", "hearts", "and", "blue", "blood"], max_chars_per_line=13)
    )
    # two lines would need 14 cells ("AND BLUE BLOOD"): three, the widest as narrow as can be
    assert lines == [[0], [1, 2], [3, 4]]
    # a word wider than a line has a line of its own
    assert kinetic_lines(_phrase(["bioluminescence", "glows"], max_chars_per_line=8)) == [[0], [1]]
    # Japanese phrases join without spaces, a full-width character counts two
    assert kinetic_lines(
        _phrase(["深海には", "光が", "届かない"], language="ja", max_chars_per_line=13)
    ) == [
        [0, 1],
        [2],
    ]


def test_words_enter_one_after_another_and_squeeze_into_a_short_scene() -> None:
    phrase = _phrase(["a", "b", "c", "d"], start=10, end=100, stagger=6, enter=9, exit=9)
    assert entrances(phrase, 200) == [10, 16, 22, 28]
    short = phrase.model_copy(update={"end": 40})
    arrive = entrances(short, 200)
    assert arrive[0] == 10 and arrive[-1] + short.enter <= 40 - short.exit
    assert arrive == sorted(set(arrive)) or len(set(arrive)) == 1


def test_placed_above_the_captions_inside_the_safe_zone() -> None:
    fmt = VideoFormat()
    found = phrase_overlay("Octopuses have three hearts.", ["octopus"], "en", palette_for([]))
    assert found is not None
    placed = place_phrase(found, (30, 200), fmt, "bottom")
    assert placed is not None
    assert (placed.start, placed.end) == (30, 200)
    assert placed.area.top >= fmt.safe.top
    assert (placed.area.left, placed.area.right) == (fmt.safe.left, fmt.safe.right)
    # the phrase ends well above the bottom-anchored captions' zone
    assert placed.area.top + phrase_height(placed) < fmt.height - fmt.safe.bottom - 300
    # the longest word fits the safe zone's width at this size
    assert placed.size * 0.5 * len("OCTOPUSES") <= fmt.width - fmt.safe.left - fmt.safe.right
    # captions at the top: the phrase goes below the middle
    assert place_phrase(found, (30, 200), fmt, "top").area.top > fmt.height // 2  # type: ignore[union-attr]
    # a scene too short to show it gets none
    assert place_phrase(found, (30, 40), fmt, "bottom") is None


OCEAN = Script(
    topic="the deep ocean",
    title="Deep",
    hook="Octopuses have three hearts.",
    scenes=[
        Scene(narration="The deep sea is darker than any night.", keywords=["ocean"]),
        Scene(narration="Hot vents pour out boiling water.", keywords=["volcano"]),
        Scene(narration="Giant tube worms live beside them.", keywords=["worm"]),
    ],
    call_to_action="Follow.",
)


def _spec(look: str, media: list[MediaItem | None] | None = None, anchor: str = "bottom"):  # type: ignore[no-untyped-def]
    options = VideoOptions(
        background=BackgroundSettings(look=look),  # type: ignore[arg-type]
        captions=CaptionSettings(anchor=anchor),  # type: ignore[arg-type]
    )
    return build_spec(
        OCEAN, narration(PARTS), media or [None] * 3, fmt=VideoFormat(), options=options,
        illustrations=["/c/a.png", "/c/b.png", "/c/c.png"],
    )  # fmt: skip


def test_looks_choose_what_generated_scenes_show() -> None:
    kinds = lambda spec: [o.kind for o in spec.overlays]  # noqa: E731
    assert kinds(_spec("illustration")) == ["image"] * 3
    assert kinds(_spec("plain")) == []
    typography = _spec("typography")
    # the hook is said over the first scene: its phrase, then one per scene
    assert kinds(typography) == ["kinetic"] * 4
    starts = typography.clip_starts()
    hook, *phrases = typography.overlays
    assert isinstance(hook, KineticText)
    assert " ".join(hook.words) in OCEAN.hook.rstrip(".")
    assert hook.start < hook.end <= phrases[0].start  # gone before the scene's own comes
    for index, phrase in enumerate(phrases):
        assert isinstance(phrase, KineticText)
        clip = typography.clips[index]
        # inside its own scene: in after the transition into it, out before the next
        assert starts[index] <= phrase.start < phrase.end <= starts[index] + clip.duration
        assert " ".join(phrase.words) in OCEAN.scenes[index].narration.rstrip(".")
    # footage scenes get no phrase; a first scene with footage none for the hook either
    video = MediaItem(Path("/m/a.mp4"), "video", 9.0, 1920, 1080, frozenset({"a"}))
    assert kinds(_spec("typography", [None, video, None])) == ["kinetic"] * 3
    assert kinds(_spec("typography", [video, None, None])) == ["kinetic"] * 2


def test_both_puts_a_smaller_picture_under_the_phrase() -> None:
    spec = _spec("both")
    pictures = [o for o in spec.overlays if isinstance(o, ImageOverlay)]
    hook, *phrases = [o for o in spec.overlays if isinstance(o, KineticText)]
    assert len(pictures) == len(phrases) == 3
    alone = [o for o in _spec("illustration").overlays if isinstance(o, ImageOverlay)]
    top = captions_top(CaptionSettings(), VideoFormat())
    for index, (picture, phrase, single) in enumerate(zip(pictures, phrases, alone, strict=True)):
        above = [phrase, hook] if index == 0 else [phrase]
        assert all(picture.margin >= p.area.top + phrase_height(p) for p in above)
        assert picture.width < single.width
        assert picture.margin + picture.width <= top  # clear of the captions


def test_a_draft_scales_the_phrase_with_the_frame() -> None:
    spec = _spec("typography")
    draft = draft_spec(spec, 960)
    phrase, small = spec.overlays[0], draft.overlays[0]
    assert isinstance(phrase, KineticText) and isinstance(small, KineticText)
    assert small.size == round(phrase.size / 2)
    assert small.area.top == round(phrase.area.top / 2)
    assert (small.start, small.end, small.words) == (phrase.start, phrase.end, phrase.words)
