"""ASS document building and escaping (render/ass.py, render/ass_escape.py)."""

from __future__ import annotations

import itertools
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from video_orchestrator.errors import SpecError
from video_orchestrator.render.ass import (
    GRADIENT_BANDS,
    PACKAGED_FONT_HEIGHTS,
    ass_colour,
    ass_time,
    build_ass,
    frame_to_centiseconds,
)
from video_orchestrator.render.ass_escape import (
    BACKSLASH_GUARD,
    escape_text,
    libass_visible_text,
    unguard,
)
from video_orchestrator.spec.model import (
    CaptionPosition,
    CaptionStyle,
    CaptionTrack,
    ColourClip,
    Output,
    RenderSpec,
    TextOverlay,
    Word,
)

HOSTILE = '{\\b1}Hi\\N "x", [y]; a:b \\\\ 🙂 שלום'
TRICKY = st.lists(
    st.sampled_from([*"{}\\Nnh b1 ,;:[]\"'\u200b\u00a0🙂שלום\t\n\r", "\\N", "{\\b1}", "\\h"]),
    max_size=30,
).map("".join)
ANY_TEXT = st.one_of(TRICKY, st.text(max_size=60))


def _expected(text: str, newline: str) -> str:
    """What must be drawn: the text, line breaks normalised, other controls dropped."""
    text = re.sub("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]", newline, text)
    text = text.replace("\t", " ")
    return "".join(c for c in text if c == "\n" or not (ord(c) < 32 or 127 <= ord(c) < 160))


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
def test_escaped_text_is_drawn_literally(text: str) -> None:
    escaped = escape_text(text, newlines="break")
    assert "\n" not in escaped and "\r" not in escaped
    assert unguard(libass_visible_text(escaped)) == _expected(text, "\n")


@settings(max_examples=400, deadline=None)
@given(ANY_TEXT)
def test_caption_words_become_one_line(text: str) -> None:
    escaped = escape_text(text, newlines="space")
    assert unguard(libass_visible_text(escaped)) == _expected(text, " ")


def _override_blocks(event: str) -> list[str]:
    """Override blocks as libass finds them (escapes skipped, an open block runs to the end)."""
    blocks: list[str] = []
    index = 0
    while index < len(event):
        if event[index] == "{":
            close = event.find("}", index)
            close = len(event) - 1 if close < 0 else close
            blocks.append(event[index : close + 1])
            index = close + 1
        elif event[index] == "\\" and event[index + 1 : index + 2] in ("N", "n", "h", "{", "}"):
            index += 2
        else:
            index += 1
    return blocks


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, ANY_TEXT)
def test_escaped_text_cannot_break_out_of_its_place(before: str, after: str) -> None:
    # Nothing the user typed opens an override block, and one we put after it still works.
    tag = "{\\1c&H0000FF&}"
    event = escape_text(before) + tag + escape_text(after)
    assert _override_blocks(event) == [tag]


def test_override_blocks_and_escapes_are_neutralised() -> None:
    escaped = escape_text(HOSTILE)
    assert escaped == (
        "\\{\\"
        + BACKSLASH_GUARD
        + "b1\\}Hi\\"
        + BACKSLASH_GUARD
        + 'N "x", [y]; a:b \\'
        + BACKSLASH_GUARD
        + "\\"
        + BACKSLASH_GUARD
        + " 🙂 שלום"
    )
    assert unguard(libass_visible_text(escaped)) == HOSTILE


def test_edge_spaces_are_kept_as_hard_spaces() -> None:
    assert escape_text("  hi ", keep_edge_spaces=True) == "\\h\\hhi\\h"
    assert escape_text("a\n b", keep_edge_spaces=True) == "a\\N\\hb"


def test_libass_model() -> None:
    assert libass_visible_text("{\\b1}a\\Nb\\hc\\{d\\}{unclosed") == "a\nb\u00a0c{d}"
    assert libass_visible_text("a\\nb", wrap_style=0) == "a b"
    assert libass_visible_text("a\\qb") == "a\\qb"


# ---------------------------------------------------------------- timing


@pytest.mark.parametrize("fps", [24, 25, 30, 50, 60, 120, Fraction(30000, 1001)])
def test_frame_times_never_early_and_back_to_back(fps: int | Fraction) -> None:
    rate = Fraction(fps)
    for frame in range(0, 400):
        centis = frame_to_centiseconds(frame, fps)
        ms = 10 * centis
        if frame > 0:
            # Never visible on the frame before (libass shows while start <= now).
            assert Fraction(ms) > Fraction(1000 * (frame - 1)) / rate
        if rate <= 100 and frame > 0:
            # Visible on its own frame even if FFmpeg's float time is 1 ms low.
            assert ms <= (1000 * frame) // rate - 1 or ms == 0
        following = frame_to_centiseconds(frame + 1, fps)
        # Centiseconds separate every frame up to 100 fps; above, neighbours may share one.
        assert following > centis if rate <= 100 else following >= centis


def test_ass_time_format() -> None:
    assert ass_time(0, 30) == "0:00:00.00"
    assert ass_time(30, 30) == "0:00:00.99"
    assert ass_time(31, 30) == "0:00:01.03"
    assert ass_time(30 * 3661, 30) == "1:01:00.99"


def test_colours() -> None:
    assert ass_colour("#FFE14D") == "&H004DE1FF"
    assert ass_colour("#11223380") == "&H7F332211"  # AA is opacity in the spec
    assert ass_colour("#000000", opacity=0.5) == "&H7F000000"


# ---------------------------------------------------------------- documents


def _spec(
    words: list[Word] | None = None,
    overlays: list[TextOverlay] | None = None,
    **style: object,
) -> RenderSpec:
    captions = None
    if words is not None:
        captions = CaptionTrack(words=words, style=CaptionStyle(**style))  # type: ignore[arg-type]
    return RenderSpec(
        output=Output(width=1080, height=1920, fps=30),
        clips=[ColourClip(duration=90)],
        captions=captions,
        overlays=overlays or [],
    )


WORDS = [
    Word(text="Three", start=6, end=15),
    Word(text="hearts", start=15, end=24),
    Word(text="beat", start=30, end=40, sentence_end=True),
]


def _events(document: str) -> list[list[str]]:
    lines = [line for line in document.splitlines() if line.startswith("Dialogue:")]
    return [line.removeprefix("Dialogue: ").split(",", 9) for line in lines]


def test_nothing_to_draw_gives_none() -> None:
    assert build_ass(_spec()) is None
    assert build_ass(_spec(words=[])) is None


def test_header_and_caption_style() -> None:
    document = build_ass(_spec(WORDS))
    assert document is not None
    assert "PlayResX: 1080\nPlayResY: 1920" in document
    assert "WrapStyle: 2" in document
    style = next(line for line in document.splitlines() if line.startswith("Style: Caption,"))
    fields = style.removeprefix("Style: ").split(",")
    assert fields[1] == "Anton"
    assert float(fields[2]) == pytest.approx(92 * PACKAGED_FONT_HEIGHTS["anton"], abs=0.01)
    assert fields[3] == "&H00FFFFFF" and fields[4] == "&H004DE1FF"
    assert fields[19:22] == ["65", "180", "670"]  # margins from the safe box


def test_karaoke_highlight_follows_each_word() -> None:
    document = build_ass(_spec(WORDS, preset="karaoke"))
    assert document is not None
    events = _events(document)
    assert [(e[1], e[2]) for e in events] == [
        (ass_time(6, 30), ass_time(15, 30)),
        (ass_time(15, 30), ass_time(30, 30)),
        (ass_time(30, 30), ass_time(40 + 18, 30)),
    ]
    highlight = "{\\1c&H4DE1FF&\\1a&H00&}"
    for event, word in zip(events, ["THREE", "HEARTS", "BEAT"], strict=True):
        text = event[9]
        assert f"{highlight}{word}{{" in text
        assert unguard(libass_visible_text(text)) == "THREE HEARTS BEAT"
        assert "\\an2\\pos(482.5,1250)" in text


def test_pop_shows_one_word_at_a_time_with_a_scale_animation() -> None:
    document = build_ass(_spec(WORDS, preset="pop", uppercase=False))
    assert document is not None
    events = _events(document)
    assert [unguard(libass_visible_text(e[9])) for e in events] == ["Three", "hearts", "beat"]
    assert all("\\t(0," in e[9] and "\\fscx" in e[9] for e in events)


def test_gradient_bands_are_slices_that_tile_each_line() -> None:
    """Each band of a ``gradient`` cue fills only its own slice of every line: the slices
    meet edge to edge (no seam, no overlap: each fill pixel is blended once, not up to 15
    times) and the last one runs to the line's foot."""
    words = [Word(text=f"word{i}", start=i * 5, end=i * 5 + 5) for i in range(4)]
    document = build_ass(_spec(words, preset="gradient", max_chars_per_line=12))
    assert document is not None
    first_span = [e for e in _events(document) if e[1] == ass_time(0, 30)]
    bands = [e for e in first_span if "\\clip(" in e[9]]
    assert len(bands) == GRADIENT_BANDS - 1
    assert [int(e[0]) for e in bands] == sorted(int(e[0]) for e in bands)  # in layer order
    rows: list[list[tuple[int, int]]] = []  # per band: (top, bottom) of each line's slice
    for event in bands:
        clip = re.search(r"\\clip\(([^)]*)\)", event[9])
        assert clip is not None
        shapes = [[int(v) for v in m.split() if v != "l"] for m in clip.group(1).split("m ")[1:]]
        rows.append([(shape[1], shape[5]) for shape in shapes])
    lines = len(rows[0])
    assert lines == 2
    for line in range(lines):
        slices = [band[line] for band in rows]
        assert all(top < bottom for top, bottom in slices[:-1])
        for (_, bottom), (top, _) in itertools.pairwise(slices):
            assert top == bottom, "slices meet edge to edge"
    # The first line's last slice ends at its foot, where the second line's box starts.
    assert rows[-1][0][1] < rows[0][1][0]


def test_clean_is_plain_lines() -> None:
    words = [Word(text=f"word{i}", start=i * 5, end=i * 5 + 5) for i in range(6)]
    document = build_ass(_spec(words, preset="clean", max_chars_per_line=12))
    assert document is not None
    events = _events(document)
    assert len(events) == 2
    assert all("\\t(" not in e[9] and "\\1c" not in e[9] for e in events)
    # Balanced lines; on a tie the lower line is the longer one.
    assert libass_visible_text(events[0][9]) == "WORD0\nWORD1 WORD2"


def test_hostile_caption_and_overlay_text_are_literal() -> None:
    words = [Word(text=t, start=i * 5, end=i * 5 + 5) for i, t in enumerate(HOSTILE.split(" "))]
    overlay = TextOverlay(text=HOSTILE + "\nsecond", box_colour="#000000")
    document = build_ass(
        _spec(
            words, [overlay], preset="clean", uppercase=False, max_chars_per_line=80, max_words=20
        )
    )
    assert document is not None
    caption = [e for e in _events(document) if e[3] == "Caption"]
    shown = [unguard(libass_visible_text(e[9])) for e in caption]
    assert shown == [HOSTILE]
    (overlay_event,) = (e for e in _events(document) if e[3] == "Text1")
    assert unguard(libass_visible_text(overlay_event[9])) == HOSTILE + "\nsecond"
    assert overlay_event[5:8] == ["80", "80", "300"]
    box_style = next(line for line in document.splitlines() if line.startswith("Style: Text1,"))
    assert box_style.split(",")[15] == "3"  # BorderStyle 3: opaque box


def test_overlay_times_and_order() -> None:
    overlays = [
        TextOverlay(text="late", start=45, end=60),
        TextOverlay(text="early", start=0, anchor="center"),
    ]
    document = build_ass(_spec(overlays=overlays))
    assert document is not None
    events = _events(document)
    assert [e[1:3] for e in events] == [
        [ass_time(0, 30), ass_time(90, 30)],
        [ass_time(45, 30), ass_time(60, 30)],
    ]
    assert "\\an5\\pos(540,1110)" in events[0][9]


def test_caption_anchor_top_and_center() -> None:
    for anchor, tag in [("top", "\\an8\\pos(482.5,270)"), ("center", "\\an5\\pos(482.5,760)")]:
        spec = RenderSpec(
            clips=[ColourClip(duration=90)],
            captions=CaptionTrack(words=WORDS, position=CaptionPosition(anchor=anchor)),
        )
        document = build_ass(spec)
        assert document is not None and tag in document


def test_font_names_that_would_break_the_file_are_refused() -> None:
    with pytest.raises(SpecError, match="font"):
        build_ass(_spec(WORDS, font="Evil,Font"))


def test_no_raw_newlines_inside_events() -> None:
    words = [Word(text="a\nb\r\nc", start=0, end=5)]
    overlay = TextOverlay(text="x\ny\u2028z")
    document = build_ass(_spec(words, [overlay]))
    assert document is not None
    for line in document.splitlines():
        assert (
            line == ""
            or line.startswith(("[", ";", "Dialogue:", "Style:", "Format:"))
            or (":" in line)
        )
    assert len(_events(document)) == 2
