"""Japanese captions (ADR 0032): set in the packaged CJK face, broken and animated by phrase.

Pure checks of the font choice and the ASS, then real libass renders (360×640) checked by
pixels: the karaoke highlight moves phrase by phrase, the highlight box sits under the
spoken phrase, pop shows one phrase at a time, and every kana and kanji is a real glyph.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tests.integration.test_caption_render import (
    SMALL_SAFE,
    _ink,
    _render,
    _save,
    _white,
    _yellow,
)
from video_orchestrator.pipeline.build_spec import thumbnail_spec
from video_orchestrator.render.ass import build_ass
from video_orchestrator.render.fonts import FontEnvironment
from video_orchestrator.spec.captions import group_words
from video_orchestrator.spec.model import (
    CaptionStyle,
    CaptionTrack,
    ColourClip,
    Output,
    RenderSpec,
    TextOverlay,
    Word,
)
from video_orchestrator.spec.scripts import CJK_FONT, font_for_text
from video_orchestrator.text import tokenize

WIDTH, HEIGHT, FPS = 360, 640, 30
SCRIPT = "深海には不思議な生き物がたくさんいます。"
PHRASES = tokenize(SCRIPT, "ja")  # 深海には / 不思議な / 生き物が / たくさんいます。


def _words(phrases: list[str] = PHRASES, every: int = 10) -> list[Word]:
    return [
        Word(text=p, start=5 + i * every, end=5 + (i + 1) * every, sentence_end=p.endswith("。"))
        for i, p in enumerate(phrases)
    ]


def _spec(preset: str, language: str = "ja", words: list[Word] | None = None) -> RenderSpec:
    return RenderSpec(
        output=Output(width=WIDTH, height=HEIGHT, fps=FPS),
        clips=[ColourClip(duration=60)],
        captions=CaptionTrack(
            words=words or _words(),
            style=CaptionStyle(preset=preset, size=30, outline=3, shadow=1),  # type: ignore[arg-type]
            position=SMALL_SAFE,
            language=language,
        ),
    )


# --- pure ---------------------------------------------------------------------------------


def test_the_cjk_face_is_chosen_by_language_or_by_text() -> None:
    assert PHRASES == ["深海には", "不思議な", "生き物が", "たくさんいます。"]
    assert font_for_text("Anton", "ja", ["hello"]) == CJK_FONT
    assert font_for_text("Montserrat", "ko-KR", []) == CJK_FONT
    assert font_for_text("Anton", "en", ["Tokyo", "東京"]) == CJK_FONT
    assert font_for_text("Anton", "en", ["Tokyo", "café", "שלום", "🙂"]) == "Anton"


def test_ass_sets_japanese_captions_and_overlays_in_the_cjk_face() -> None:
    spec = _spec("karaoke").model_copy(
        update={
            "overlays": [TextOverlay(text="深海の秘密", end=30), TextOverlay(text="Hi", end=30)]
        }
    )
    document = build_ass(spec)
    assert document is not None
    styles = {
        line.split(",")[0][7:]: line.split(",")
        for line in document.splitlines()
        if line.startswith("Style: ")
    }
    assert styles["Caption"][1] == CJK_FONT
    assert float(styles["Caption"][2]) == pytest.approx(30 * 1.448)  # em-sized like the others
    assert styles["Text1"][1] == CJK_FONT
    assert styles["Text2"][1] == "Anton"
    english = build_ass(_spec("karaoke", "en", [Word(text="Hello", start=0, end=10)]))
    assert english is not None and "Style: Caption,Anton," in english


def test_lines_and_cues_break_only_between_phrases() -> None:
    long = (
        "今日は海の話をします。深海には不思議な生き物がたくさんいます。"
        "水深二百メートルより深い海です。"
    )
    phrases = tokenize(long, "ja")
    track = CaptionTrack(
        words=_words(phrases, every=6),
        style=CaptionStyle(preset="karaoke", max_chars_per_line=12),
        language="ja",
    )
    cues = group_words(track, 10_000)
    assert [w.text for cue in cues for w in cue.words] == phrases
    for cue in cues:
        for line, text in zip(cue.lines, cue.text_lines(), strict=True):
            assert text == "".join(w.text for w in line)  # no spaces between phrases
    # Every line of the ASS is whole phrases: none starts or ends inside one.
    document = build_ass(RenderSpec(clips=[ColourClip(duration=10_000)], captions=track))
    assert document is not None
    for line in re.findall(r"^Dialogue: .*$", document, flags=re.M):
        shown = re.sub(r"\{[^}]*\}", "", line.split(",,", 1)[1].split(",", 4)[-1])
        for piece in shown.split("\\N"):
            rest = piece
            while rest:
                phrase = next((p for p in phrases if rest.startswith(p)), None)
                assert phrase is not None, (piece, rest)
                rest = rest[len(phrase) :]


# --- rendered -----------------------------------------------------------------------------


@pytest.mark.render
def test_karaoke_lights_up_one_phrase_after_another(fonts: FontEnvironment, tmp_path: Path) -> None:
    frames = _render(_spec("karaoke"), fonts, tmp_path)
    assert not _ink(frames[4]).any()
    centres = []
    for index in (8, 18, 28, 38):
        frame = frames[index]
        yellow = _yellow(frame)
        assert yellow.sum() > 40, f"no highlighted phrase on frame {index}"
        assert _white(frame).sum() > 40
        rows, cols = np.nonzero(yellow)
        centres.append((rows.mean(), cols.mean()))
    _save(frames[18], "ja-karaoke-360.png")
    # Cue 1 is one line (深海には不思議な): the highlight moves right along it. Cue 2 is two
    # lines (生き物が / たくさんいます。): the highlight moves down to the second line.
    (r0, c0), (r1, c1), (r2, _c2), (r3, _c3) = centres
    assert abs(r0 - r1) < 5 and c0 + 30 < c1
    assert r3 > r2 + 20


@pytest.mark.render
def test_highlight_box_and_pop_animate_phrases(fonts: FontEnvironment, tmp_path: Path) -> None:
    boxed = _render(_spec("highlight"), fonts, tmp_path)
    purple = [
        (lambda f: (f[..., 0] > 90) & (f[..., 0] < 160) & (f[..., 2] > 180) & (f[..., 1] < 100))(
            frame.astype(int)
        )
        for frame in (boxed[8], boxed[18])
    ]
    assert purple[0].sum() > 100 and purple[1].sum() > 100
    assert np.nonzero(purple[0])[1].mean() < np.nonzero(purple[1])[1].mean()
    _save(boxed[18], "ja-highlight-360.png")
    pop = _render(_spec("pop"), fonts, tmp_path)
    widths = []
    for index in (10, 20, 30, 42):  # one phrase at a time, after its pop settles
        cols = np.nonzero(_ink(pop[index]))[1]
        widths.append(cols.max() - cols.min())
    # たくさんいます。 (8 characters) is wider than 深海には (4).
    assert widths[3] > widths[0] * 1.5
    _save(pop[42], "ja-pop-360.png")


@pytest.mark.render
def test_kana_and_kanji_are_real_glyphs_not_boxes(fonts: FontEnvironment, tmp_path: Path) -> None:
    texts = ["あ", "ア", "海", "語"]
    overlays = [
        TextOverlay(
            text=text,
            anchor="top",
            margins={"top": 40, "left": i * 80, "right": WIDTH - (i + 1) * 80},  # type: ignore[arg-type]
            size=44,
            outline=0,
        )
        for i, text in enumerate(texts)
    ]
    spec = RenderSpec(
        output=Output(width=WIDTH, height=HEIGHT, fps=FPS),
        clips=[ColourClip(duration=2)],
        overlays=overlays,
    )
    frame = _render(spec, fonts, tmp_path)[0]
    masks = [_ink(frame[30:140, i * 80 : (i + 1) * 80]) for i in range(len(texts))]
    assert all(mask.sum() > 30 for mask in masks)
    for a in range(len(masks)):
        for b in range(a + 1, len(masks)):
            assert (masks[a] != masks[b]).sum() > 30  # boxes would all look the same


@pytest.mark.render
def test_a_japanese_thumbnail_hook_stays_inside_the_picture(
    fonts: FontEnvironment, tmp_path: Path
) -> None:
    hook = "今日は海の話をします。深海には不思議な生き物がいます。"
    thumb = thumbnail_spec(_spec("karaoke"), hook)
    text = thumb.overlays[0].text  # type: ignore[union-attr]
    assert text.replace("\n", "") == hook and text.count("\n") >= 3
    frame = _render(thumb, fonts, tmp_path)[0]
    rows, cols = np.nonzero(_ink(frame))
    assert cols.min() > 10 and cols.max() < WIDTH - 10  # libass would not wrap it itself
    assert rows.max() - rows.min() > 4 * 30  # four lines or more
    _save(frame, "ja-thumbnail-360.png")
