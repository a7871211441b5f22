r"""Captions, text overlays and kinetic typography (``render/kinetic.py``) as one ASS (v4+)
document for libass.

``build_ass(spec)`` is pure: the render compiler writes the result to a file and burns it in
with ``subtitles=filename=…:fontsdir=…`` (FFmpeg run with ``font_environment(…).env``).

* ``PlayResX``/``PlayResY`` equal the output size, so every number here is in output pixels.
* ``WrapStyle: 2``: libass never re-wraps captions; lines come from ``group_words`` as
  ``\N``. Text overlays turn smart wrapping back on per event (``\q0``) inside their margins.
* Caption presets: ``karaoke`` (the whole cue, the spoken word in ``highlight_colour``, one
  event per word so the highlight follows the word timings to the frame), ``pop`` (one word
  at a time with a quick scale pop-in) and ``clean`` (plain lines, no animation).
* Frames become ASS centisecond times with ``frame_to_centiseconds``: an event starting at
  frame *f* is visible from frame *f* on, never on frame *f - 1* (see that function).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from video_orchestrator.render.ass_escape import escape_text, style_name_field
from video_orchestrator.render.ass_units import ass_colour as ass_colour
from video_orchestrator.render.ass_units import ass_size as _ass_size
from video_orchestrator.render.ass_units import ass_time as ass_time
from video_orchestrator.render.ass_units import colour_tag as _colour_tag
from video_orchestrator.render.ass_units import frame_to_centiseconds as frame_to_centiseconds
from video_orchestrator.render.ass_units import num as _num
from video_orchestrator.render.ass_units import rgba as _rgba
from video_orchestrator.render.ass_units import style_line as _style_line
from video_orchestrator.render.caption_emoji import EmojiLayout, EmojiPlacement, merge, split_emoji
from video_orchestrator.render.emoji import colour_emoji
from video_orchestrator.render.kinetic import kinetic_events, kinetic_style
from video_orchestrator.render.text_measure import TextMeasure
from video_orchestrator.spec.caption_styles import caption_design
from video_orchestrator.spec.captions import (
    CaptionCue,
    display_text,
    emphasised_words,
    group_words,
    highlight_spans,
)
from video_orchestrator.spec.model import CaptionTrack, KineticText, RenderSpec, TextOverlay, Word
from video_orchestrator.spec.scripts import font_for_text

CAPTION_STYLE = "Caption"
CAPTION_BOX_STYLE = "CaptionBox"
CAPTION_LAYER = 10
OVERLAY_LAYER = 5
POP_GROW_MS = 70
POP_SETTLE_MS = 70
POP_SCALE = 125  # percent: a single word on screen is drawn larger than a cue
ACTIVE_SCALE = 115  # percent: the spoken word of a bouncing style, once it has grown
SLAM_SCALE = 165  # percent: a slammed word starts this large …
SLAM_MS = 110  # … and lands at its size after this long
POP_ACTIVE_SCALE = 112  # percent: the spoken word of a popping style, once settled …
POP_ACTIVE_PEAK = 126  # … after overshooting to this
SWEEP_MS = 120  # the spoken word's colour sweeps from the text colour to the highlight
_ACTIVE_SCALES = {"scale": ACTIVE_SCALE, "pop": POP_ACTIVE_SCALE}
GRADIENT_BANDS = 16  # fill bands from the top colour to the bottom colour, per line
_STYLE_FORMAT = (
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
    "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
    "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding"
)
_EVENT_FORMAT = "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"
_ALIGN = {"top": 8, "center": 5, "bottom": 2}
#: ``(usWinAscent + usWinDescent) / unitsPerEm`` of the packaged fonts (``fonts.font_heights``
#: measures any font). libass makes that height equal to the ASS font size; the spec's size is
#: the em size in px (as in CSS or PIL), so the ASS size is ``size * height``.
PACKAGED_FONT_HEIGHTS: Mapping[str, float] = {
    "anton": 1.7334,
    "montserrat": 1.562,
    "noto sans": 1.519,
    "noto sans cjk jp": 1.448,
}


# ---------------------------------------------------------------- styles


def _caption_style(
    track: CaptionTrack, heights: Mapping[str, float], *, name: str = CAPTION_STYLE
) -> str:
    """The caption style line; ``name`` ``CAPTION_BOX_STYLE``: the same text as an opaque box
    in ``box_colour`` (drawn under the spoken word by the "box" marking)."""
    style = track.style
    design = caption_design(style.preset)
    safe = track.position.safe
    anchor = track.position.anchor
    margin_v = safe.bottom if anchor == "bottom" else safe.top
    primary = ass_colour(style.colour)
    edge, back = style.outline_colour, ass_colour(style.outline_colour, opacity=0.55)
    border_style = 1
    if design.shadow_colour is not None:
        back = ass_colour(design.shadow_colour)
    box = style.box_colour if style.box_colour is not None else style.outline_colour
    font = _caption_font(track)
    outline, shadow = _edges(track, name)
    if name == CAPTION_BOX_STYLE:
        # BorderStyle 3: an opaque box in OutlineColour, padded by Outline pixels.
        edge, back, border_style = box, ass_colour(box), 3
    elif design.border == "box":
        edge, back, border_style = box, ass_colour(box), 3
    elif design.border == "hollow":
        primary = ass_colour(style.colour, opacity=0)
    return _style_line(
        name,
        font=style_name_field(font, "caption font"),
        size=_ass_size(style.size, font, heights),
        primary=primary,
        secondary=ass_colour(style.highlight_colour),
        outline_colour=ass_colour(edge),
        back=back,
        border_style=border_style,
        outline=outline,
        shadow=shadow,
        alignment=_ALIGN[anchor],
        margins=(safe.left, safe.right, margin_v),
        weight=design.weight,
    )


def _caption_font(track: CaptionTrack) -> str:
    """The caption font; Chinese, Japanese and Korean captions are set in the packaged CJK
    face (ADR 0032)."""
    return font_for_text(track.style.font, track.language, (word.text for word in track.words))


def _edges(track: CaptionTrack, name: str) -> tuple[float, float]:
    """Outline and shadow of the caption style ``name`` (the text, or the box under it)."""
    style = track.style
    if name == CAPTION_BOX_STYLE:
        return max(round(style.size * 0.12), 4), 0
    if caption_design(style.preset).border == "box":
        return style.outline, 0
    return style.outline, style.shadow


def _overlay_style(name: str, overlay: TextOverlay, heights: Mapping[str, float]) -> str:
    margins = overlay.margins
    margin_v = margins.bottom if overlay.anchor == "bottom" else margins.top
    boxed = overlay.box_colour is not None
    # BorderStyle 3: an opaque box in OutlineColour, padded by Outline pixels.
    edge = overlay.box_colour if overlay.box_colour is not None else overlay.outline_colour
    font = font_for_text(overlay.font, "", (overlay.text,))
    return _style_line(
        name,
        font=style_name_field(font, "text overlay font"),
        size=_ass_size(overlay.size, font, heights),
        primary=ass_colour(overlay.colour),
        secondary=ass_colour(overlay.colour),
        outline_colour=ass_colour(edge),
        back=ass_colour(edge) if boxed else ass_colour(edge, opacity=0.55),
        border_style=3 if boxed else 1,
        outline=max(overlay.outline, round(overlay.size * 0.22)) if boxed else overlay.outline,
        shadow=0 if boxed else min(overlay.outline / 2, 4),
        alignment=_ALIGN[overlay.anchor],
        margins=(margins.left, margins.right, margin_v),
    )


# ---------------------------------------------------------------- events


def _dialogue(
    layer: int, start: str, end: str, style: str, text: str, margins: str = "0,0,0"
) -> str:
    return f"Dialogue: {layer},{start},{end},{style},,{margins},,{text}"


def _caption_anchor(track: CaptionTrack, width: int, height: int) -> str:
    """``\\an`` + ``\\pos`` at the anchor of the safe box (clamped to the frame)."""
    x, y = _anchor_point(track, width, height)
    return f"\\an{_ALIGN[track.position.anchor]}\\pos({_num(x)},{_num(y)})"


def _anchor_point(track: CaptionTrack, width: int, height: int) -> tuple[float, float]:
    """The anchor of the safe box (clamped to the frame): lines centre on its x."""
    safe = track.position.safe
    left, right = min(safe.left, width - 1), max(min(width - safe.right, width), 1)
    top, bottom = min(safe.top, height - 1), max(min(height - safe.bottom, height), 1)
    if right <= left:
        left, right = 0, width
    if bottom <= top:
        top, bottom = 0, height
    x = (left + right) / 2
    anchor = track.position.anchor
    y = {"top": top, "bottom": bottom, "center": (top + bottom) / 2}[anchor]
    return x, y


def _shown(text: str, uppercase: bool) -> str:
    shown = display_text(text)
    return shown.upper() if uppercase else shown


@dataclass(frozen=True)
class _Spacers:
    """Colour emoji of the captions: each one's place in the line held by an invisible
    drawing (``render/caption_emoji.py``). ``edges``: outline and shadow of each style, put
    back after the drawing; ``boxed``: the styles drawn as boxes (BorderStyle 3), whose box
    goes on under the picture (a cap-high drawing with no fill); ``fill_alpha``: the fill's
    transparency put back after it (None: the fill stays hidden, as in the box layer)."""

    layout: EmojiLayout
    edges: Mapping[str, tuple[float, float]]
    boxed: Mapping[str, str | None]

    def spacer(self, style: str) -> str:
        width = self.layout.gap()
        if style in self.boxed:
            restore = self.boxed[style]
            after = f"\\1a&H{restore}&" if restore is not None else ""
            high, low = self.layout.box_extent()
            return (
                f"{{\\1a&HFF&\\pbo{low}\\p1}}m 0 0 l {width} 0 {width} {high + low} "
                f"0 {high + low}{{\\p0\\pbo0{after}}}"
            )
        outline, shadow = self.edges[style]
        return (
            f"{{\\bord0\\shad0\\p1}}m 0 0 l {self.layout.gap()} 0"
            f"{{\\p0\\bord{_num(outline)}\\shad{_num(shadow)}}}"
        )


def _word_text(
    text: str, uppercase: bool, spacers: _Spacers | None = None, style: str = CAPTION_STYLE
) -> str:
    shown = _shown(text, uppercase)
    if spacers is None:
        return escape_text(shown, newlines="space")
    return "".join(
        spacers.spacer(style) if emoji else escape_text(run, newlines="space")
        for run, emoji in split_emoji(shown, spacers.layout.drawable)
    )


@dataclass(frozen=True)
class _Marks:
    """Override tags of one style: the normal text, the spoken word, emphasised words."""

    normal: str
    active: str
    active_end: str
    emphasis: str | None
    keywords: frozenset[int]  # ids of the emphasised words
    spacers: _Spacers | None = None


def _cue_text(cue: CaptionCue, uppercase: bool, highlight: int | None, marks: _Marks) -> str:
    """Lines joined with ``\\N``; word number ``highlight`` (and emphasised words) in tags."""
    parts: list[str] = []
    index = 0
    for line in cue.lines:
        pieces: list[str] = []
        for word in line:
            text = _word_text(word.text, uppercase, marks.spacers)
            if index == highlight:
                text = f"{{{marks.active}}}{text}{{{marks.active_end}}}"
            elif marks.emphasis is not None and id(word) in marks.keywords:
                text = f"{{{marks.emphasis}}}{text}{{{marks.normal}}}"
            pieces.append(text)
            index += 1
        parts.append(escape_text(cue.joiner, newlines="space").join(pieces))
    return "\\N".join(parts)


_HIDDEN = "\\alpha&HFF&"
_BOX_SHOWN = "\\3a&H00&"


def _box_text(
    cue: CaptionCue, uppercase: bool, highlight: int, spacers: _Spacers | None = None
) -> str:
    """The cue as invisible text except the box behind word number ``highlight``: laid out
    exactly as the text drawn over it, so the box sits under that word."""
    parts: list[str] = []
    index = 0
    for line in cue.lines:
        pieces: list[str] = []
        for word in line:
            text = _word_text(word.text, uppercase, spacers, CAPTION_BOX_STYLE)
            if index == highlight:
                text = f"{{{_BOX_SHOWN}}}{text}{{{_HIDDEN}}}"
            pieces.append(text)
            index += 1
        parts.append(escape_text(cue.joiner, newlines="space").join(pieces))
    return f"{{{_HIDDEN}}}" + "\\N".join(parts)


def _marks(
    track: CaptionTrack,
    words: Sequence[Word],
    spacers: _Spacers | None = None,
    *,
    fill: str | None = None,
) -> _Marks:
    """The style's override tags; with ``fill``, every colour is that one (a gradient band)."""
    style = track.style
    design = caption_design(style.preset)
    normal = _colour_tag(fill or style.colour)
    if design.border == "hollow":
        normal = normal.replace("\\1a&H00&", "\\1a&HFF&")
    active, active_end = _colour_tag(fill or style.highlight_colour), normal
    if design.active == "pop":
        # Grows past its size and settles, its colour sweeping in from the text colour.
        peak, settle = POP_ACTIVE_PEAK, POP_ACTIVE_SCALE
        active = (
            f"{normal}\\t(0,{SWEEP_MS},{_colour_tag(fill or style.highlight_colour)})"
            f"\\t(0,{POP_GROW_MS},\\fscx{peak}\\fscy{peak})"
            f"\\t({POP_GROW_MS},{POP_GROW_MS + POP_SETTLE_MS},\\fscx{settle}\\fscy{settle})"
        )
        active_end += "\\fscx100\\fscy100"
    if design.active == "scale":
        grow, settle = ACTIVE_SCALE * 11 // 10, ACTIVE_SCALE
        active += (
            f"\\t(0,{POP_GROW_MS},\\fscx{grow}\\fscy{grow})"
            f"\\t({POP_GROW_MS},{POP_GROW_MS + POP_SETTLE_MS},\\fscx{settle}\\fscy{settle})"
        )
        active_end += "\\fscx100\\fscy100"
    emphasis = None
    keywords: frozenset[int] = frozenset()
    if design.emphasis:
        emphasis = _colour_tag(fill or style.emphasis_colour or style.colour)
        keywords = frozenset(id(words[i]) for i in emphasised_words(words))
    return _Marks(normal, active, active_end, emphasis, keywords, spacers)


_ENTRANCES: Mapping[str, str] = {
    "none": "",
    "settle": "\\fscx92\\fscy92\\t(0,90,\\fscx100\\fscy100)",
    "pop": (
        f"\\fscx{POP_SCALE * 3 // 4}\\fscy{POP_SCALE * 3 // 4}"
        f"\\t(0,{POP_GROW_MS},\\fscx{POP_SCALE * 11 // 10}\\fscy{POP_SCALE * 11 // 10})"
        f"\\t({POP_GROW_MS},{POP_GROW_MS + POP_SETTLE_MS},\\fscx{POP_SCALE}\\fscy{POP_SCALE})"
    ),
    "slam": f"\\fscx{SLAM_SCALE}\\fscy{SLAM_SCALE}\\t(0,{SLAM_MS},\\fscx100\\fscy100)",
}


def _emoji_layout(
    track: CaptionTrack,
    width: int,
    height: int,
    measure: TextMeasure,
    drawable: Callable[[str], bool],
) -> EmojiLayout:
    x, y = _anchor_point(track, width, height)
    weight = caption_design(track.style.preset).weight or 700
    return EmojiLayout(
        measure,
        _caption_font(track),
        weight,
        float(track.style.size),
        x,
        y,
        track.position.anchor,
        drawable,
    )


def _mix(top: str, bottom: str, share: float) -> str:
    """The colour ``share`` of the way from ``top`` to ``bottom`` (``#RRGGBB``)."""
    a, b = _rgba(top), _rgba(bottom)
    mixed = (round(x + (y - x) * share) for x, y in zip(a[:3], b[:3], strict=True))
    return "#" + "".join(f"{value:02X}" for value in mixed)


def _gradient_bands(
    track: CaptionTrack,
    width: int,
    height: int,
    heights: Mapping[str, float],
    letters: tuple[float, float] = (0.3, 0.8),
) -> list[tuple[Callable[[Sequence[float]], str], str]]:
    r"""A vertical gradient fill as bands: each is the cue again in one colour, clipped
    (``\clip``, one rectangle per line) to its own slice of every line, the last slice to the
    line's foot; the cue's own event (the first colour, outline and shadow) shows above the
    first slice. Slices do not overlap: libass blends each pixel of the fill once more, not
    up to 15 times, and antialiased edges are not stacked into hard ones (ADR 0051). The
    bands run across the letters: ``letters`` is where capitals start and stand in a line box
    (``size × height`` high), as shares of it."""
    style = track.style
    design = caption_design(style.preset)
    assert design.gradient is not None
    top_colour, bottom_colour = design.gradient
    line_height = _ass_size(style.size, _caption_font(track), heights)
    y = _anchor_point(track, width, height)[1]
    anchor = track.position.anchor
    first, last = letters
    bands: list[tuple[Callable[[Sequence[float]], str], str]] = []
    for band in range(1, GRADIENT_BANDS):
        share = band / (GRADIENT_BANDS - 1)

        def clip(scales: Sequence[float], band: int = band) -> str:
            """The band's slice of each line; ``scales``: how much each line has grown."""
            heights_px = [line_height * scale for scale in scales]
            block = sum(heights_px)
            top = {"top": y, "bottom": y - block, "center": y - block / 2}[anchor]
            shapes: list[str] = []
            for line_px in heights_px:
                step = (last - first) * line_px / GRADIENT_BANDS
                upper = top + first * line_px + band * step
                # Only the band's own slice (rows rounded alike, so slices meet without a
                # seam); the last band runs to the line's foot (the descenders).
                lower = top + first * line_px + (band + 1) * step
                if band == GRADIENT_BANDS - 1:
                    lower = top + line_px
                y0, y1 = round(upper), round(lower)
                shapes.append(f"m 0 {y0} l {width} {y0} {width} {y1} 0 {y1}")
                top += line_px
            return f"\\clip({' '.join(shapes)})"

        bands.append((clip, _mix(top_colour, bottom_colour, share)))
    return bands


def _caption_events(
    track: CaptionTrack,
    width: int,
    height: int,
    total: int,
    fps: int,
    heights: Mapping[str, float],
    layout: EmojiLayout | None = None,
    placements: list[EmojiPlacement] | None = None,
) -> list[tuple[int, str]]:
    """The caption events; with ``layout``, emoji become gaps and their pictures'
    placements are added to ``placements``."""
    style = track.style
    design = caption_design(style.preset)
    position = _caption_anchor(track, width, height)
    spacers = None
    if layout is not None and any(layout.has_emoji(word.text) for word in track.words):
        edges = {name: _edges(track, name) for name in (CAPTION_STYLE, CAPTION_BOX_STYLE)}
        boxed: dict[str, str | None] = {CAPTION_BOX_STYLE: None}
        if design.border == "box":
            boxed[CAPTION_STYLE] = f"{255 - _rgba(style.colour)[3]:02X}"
        spacers = _Spacers(layout, edges, boxed)
    steady = POP_SCALE / 100 if design.entrance == "pop" else 1.0
    if design.glow:
        position += f"\\blur{_num(design.glow)}"
    entrance = _ENTRANCES[design.entrance]
    events: list[tuple[int, str]] = []

    def add(start: int, end: int, text: str, layer: int = CAPTION_LAYER, name: str = "") -> None:
        if end <= start:
            return
        line = _dialogue(
            layer, ass_time(start, fps), ass_time(end, fps), name or CAPTION_STYLE, text
        )
        events.append((start, line))

    if design.one_word:
        track = track.model_copy(
            update={"style": style.model_copy(update={"max_words": 1, "max_lines": 1})}
        )
    marks = _marks(track, track.words, spacers)
    cues = group_words(track, total, fps=fps)

    bands = []
    if design.gradient is not None:
        letters = (0.3, 0.8)
        if layout is not None:  # the font's own: from the capitals' top to the baseline
            metrics = layout.measure.metrics(layout.family, layout.weight)
            line_box = metrics.ascent + metrics.descent
            letters = ((metrics.ascent - metrics.cap_height) / line_box, metrics.ascent / line_box)
        bands = _gradient_bands(track, width, height, heights, letters)
    # Bands draw fill only: a gap in them puts back no outline or shadow.
    flat = None
    if spacers is not None:
        flat = _Spacers(spacers.layout, {CAPTION_STYLE: (0, 0)}, {})
    band_marks = [_marks(track, track.words, flat, fill=colour) for _, colour in bands]

    def show(cue: CaptionCue, highlight: int | None, start: int, end: int, tags: str) -> None:
        """The cue from ``start`` to ``end`` (word ``highlight`` marked), over its gradient
        bands and under its emoji pictures."""
        if end <= start:
            return
        add(start, end, f"{{{position}{tags}}}" + _cue_text(cue, style.uppercase, highlight, marks))
        scales = [steady] * sum(len(line) for line in cue.lines)
        if highlight is not None and design.active in ("scale", "pop"):
            scales[highlight] = _ACTIVE_SCALES[design.active] / 100
        line_scales: list[float] = []
        for line in cue.lines:
            counted = sum(len(before) for before in cue.lines[: len(line_scales)])
            line_scales.append(max(scales[counted : counted + len(line)], default=1.0))
        for number, ((clip, _), fill) in enumerate(zip(bands, band_marks, strict=True)):
            text = _cue_text(cue, style.uppercase, highlight, fill)
            add(
                start,
                end,
                f"{{{position}{tags}\\bord0\\shad0\\blur0{clip(line_scales)}{fill.normal}}}{text}",
                CAPTION_LAYER + 1 + number,
            )
        if spacers is None or placements is None:
            return
        lines = [[_shown(word.text, style.uppercase) for word in line] for line in cue.lines]
        placements.extend(spacers.layout.place(lines, cue.joiner, scales, start, end))

    for cue in cues:
        if design.active == "none" or design.one_word:
            show(cue, None, cue.start, cue.end, entrance)
            continue
        # One event per spoken word: the whole cue shown, that word marked.
        covered = cue.start
        for word_index, start, end in highlight_spans(cue):
            if start > covered:  # before the first highlight (never, but keep the cue shown)
                show(cue, None, covered, start, "")
            arrive = entrance if start == cue.start else ""
            show(cue, word_index, start, end, arrive)
            if design.active == "box":
                box = _box_text(cue, style.uppercase, word_index, spacers)
                add(
                    start, end, f"{{{position}{arrive}}}{box}", CAPTION_LAYER - 1, CAPTION_BOX_STYLE
                )
            covered = end
        if covered < cue.end:
            show(cue, None, covered, cue.end, "")
    return events


def _overlay_event(
    name: str, overlay: TextOverlay, width: int, height: int, total: int, fps: int
) -> tuple[int, str]:
    end = overlay.end if overlay.end is not None else total
    end = min(end, total)
    margins = overlay.margins
    tags = "\\q0"
    if overlay.anchor == "center":
        left, right = margins.left, width - margins.right
        top, bottom = margins.top, height - margins.bottom
        if right <= left:
            left, right = 0, width
        if bottom <= top:
            top, bottom = 0, height
        tags += f"\\an5\\pos({_num((left + right) / 2)},{_num((top + bottom) / 2)})"
    text = escape_text(overlay.text, newlines="break", keep_edge_spaces=True)
    margin_v = margins.bottom if overlay.anchor == "bottom" else margins.top
    line = _dialogue(
        OVERLAY_LAYER,
        ass_time(overlay.start, fps),
        ass_time(end, fps),
        name,
        f"{{{tags}}}{text}",
        margins=f"{margins.left},{margins.right},{margin_v}",
    )
    return overlay.start, line


# ---------------------------------------------------------------- document


@dataclass(frozen=True)
class Captions:
    """The ASS document (None: nothing to burn in) and the colour emoji to lay over it."""

    document: str | None
    emoji: tuple[EmojiPlacement, ...] = ()


def build_ass(spec: RenderSpec, *, font_heights: Mapping[str, float] | None = None) -> str | None:
    """The ASS document for the spec's captions and text overlays, or None if there are none.

    ``font_heights`` maps lower-case family names to their libass height per em (see
    ``PACKAGED_FONT_HEIGHTS``, the default, and ``fonts.font_heights``) so that a spec size
    of N px gives an N px em whatever the font; unknown families are sized as libass does.
    Emoji stay text (libass draws them in one colour); :func:`build_captions` with a
    ``measure`` draws them in colour.
    """
    return build_captions(spec, font_heights=font_heights).document


def build_captions(
    spec: RenderSpec,
    *,
    font_heights: Mapping[str, float] | None = None,
    measure: TextMeasure | None = None,
    drawable: Callable[[str], bool] = colour_emoji,
) -> Captions:
    """:func:`build_ass`, and with ``measure`` (the fonts' advances) every caption emoji
    that ``drawable`` says the emoji font has becomes a gap in its line and an
    :class:`EmojiPlacement` of its colour picture (``render/caption_emoji.py``, ADR 0040)."""
    heights = {**PACKAGED_FONT_HEIGHTS, **(font_heights or {})}
    track = spec.captions if spec.captions is not None and spec.captions.words else None
    overlays = [o for o in spec.overlays if isinstance(o, TextOverlay)]
    phrases = [o for o in spec.overlays if isinstance(o, KineticText)]
    if track is None and not overlays and not phrases:
        return Captions(None)
    width, height, fps = spec.output.width, spec.output.height, spec.output.fps
    total = spec.duration

    styles: list[str] = []
    events: list[tuple[int, str]] = []
    placements: list[EmojiPlacement] = []
    for number, overlay in enumerate(overlays, start=1):
        name = f"Text{number}"
        styles.append(_overlay_style(name, overlay, heights))
        if overlay.start < total:
            events.append(_overlay_event(name, overlay, width, height, total, fps))
    for number, phrase in enumerate(phrases, start=1):  # kinetic typography (ADR 0050)
        name = f"Kinetic{number}"
        styles.append(kinetic_style(name, phrase, heights))
        events.extend(kinetic_events(name, phrase, width, total, fps))
    if track is not None:
        styles.insert(0, _caption_style(track, heights))
        if caption_design(track.style.preset).active == "box":
            styles.insert(1, _caption_style(track, heights, name=CAPTION_BOX_STYLE))
        layout = None
        if measure is not None:
            layout = _emoji_layout(track, width, height, measure, drawable)
        events.extend(
            _caption_events(track, width, height, total, fps, heights, layout, placements)
        )
    events.sort(key=lambda item: item[0])

    lines = [
        "[Script Info]",
        "; Generated by Video Orchestrator",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 2",
        "ScaledBorderAndShadow: yes",
        "Kerning: yes",
        "",
        "[V4+ Styles]",
        _STYLE_FORMAT,
        *styles,
        "",
        "[Events]",
        _EVENT_FORMAT,
        *(line for _, line in events),
        "",
    ]
    return Captions("\n".join(lines), tuple(merge(placements)))
