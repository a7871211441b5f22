"""Assemble the render spec of a short from its script, narration and media.

The narration decides the length: every scene's background lasts exactly as long as its
spoken part (the hook joins the first scene, the call to action the last), crossfades
overlap neighbouring clips, and the captions are the narration's own word timings.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from video_orchestrator.domain.script import Script
from video_orchestrator.pipeline.media import MILDEST_RATE, MIN_FOLLOW_SECONDS, MediaItem
from video_orchestrator.pipeline.scene_look import palette_for
from video_orchestrator.pipeline.script_writer import stop_words_for
from video_orchestrator.pipeline.typography import key_phrase, phrase_colours
from video_orchestrator.pipeline.voice import Narration
from video_orchestrator.spec import (
    AudioTracks,
    Box,
    CaptionPosition,
    CaptionTrack,
    Clip,
    Ducking,
    GeneratedClip,
    ImageClip,
    ImageOverlay,
    KenBurns,
    KineticText,
    Loudness,
    Metadata,
    MusicBed,
    Output,
    RenderSpec,
    SoundEffect,
    TextOverlay,
    Transition,
    VideoClip,
    VoiceTrack,
    Word,
)
from video_orchestrator.spec.captions import display_text, text_width
from video_orchestrator.spec.kinetic import UNIT_EMS, phrase_height
from video_orchestrator.spec.options import (
    AudioSettings,
    CaptionSettings,
    VideoOptions,
    caption_style,
)
from video_orchestrator.spec.timeline import Timebase, clip_starts
from video_orchestrator.spec.vocabulary import QUALITY, SPEC_ANCHORS
from video_orchestrator.text import ends_sentence, tokenize, uses_spaces, words_of

PATTERNS: tuple[Literal["aurora", "gradient", "bokeh"], ...] = ("aurora", "gradient", "bokeh")
PANS = ("left-to-right", "right-to-left", "bottom-to-top", "top-to-bottom", "center")


@dataclass(frozen=True)
class VideoFormat:
    """What the platform asks of the file and where captions may go."""

    width: int = 1080
    height: int = 1920
    fps: int = 30
    max_bitrate_kbps: int | None = 8000
    safe: Box = field(default_factory=lambda: Box(top=270, bottom=670, left=65, right=180))
    loudness_lufs: float = -14.0
    true_peak_db: float = -1.0
    audio_bitrate_kbps: int = 192


LEAD_IN_SECONDS = 0.15
TAIL_SECONDS = 0.6
TRANSITION_FRAMES = 9
SLOWEST_RATE = 0.5
"""A clip shorter than its scene is slowed down to this speed at most (then its last frame
is held): never looped, never slower than half speed, where motion starts to stutter."""
ILLUSTRATION_WIDTH = 0.56
"""An illustration's width, as a share of the frame's width."""
ILLUSTRATION_BESIDE_PHRASE = 0.62
"""An illustration under a key phrase (look "both") is this share of its usual size."""
PHRASE_SIZE = 0.066
"""A key phrase's em size, as a share of the frame's height (127 px at 1920) …"""
PHRASE_MIN_SIZE = 0.036
"""… down to this when its longest word would not fit the safe zone's width otherwise."""
PHRASE_GAP = 0.03
"""Room between the safe zone's top (or, with captions at the top, the frame's middle) and
the phrase, as a share of the frame's height."""
PHRASE_STAGGER_SECONDS = 0.17
PHRASE_ENTER_SECONDS = 0.33
PHRASE_EXIT_SECONDS = 0.27


def fit_video(
    seconds: float | None, frames: int, fps: int, slowest: float = SLOWEST_RATE
) -> tuple[float, Literal["freeze"]]:
    """How a video of ``seconds`` fills ``frames``: its playback rate, then its last frame
    held for what is left. A clip long enough plays at its speed; a short one is slowed
    just enough to fill the scene, down to ``slowest``. Never a loop."""
    needed = frames / fps
    if seconds is None or seconds <= 0 or seconds >= needed:
        return 1.0, "freeze"
    return max(slowest, round(seconds / needed, 3)), "freeze"


def scene_boundaries(
    narration: Narration,
    scenes: int,
    tb: Timebase,
    lead_in: int,
    total: int,
    transition_frames: int = TRANSITION_FRAMES,
) -> list[int]:
    """Frame where each scene's background starts, plus ``total`` at the end.

    Parts are hook, scenes…, [call to action]; the hook belongs to scene 1 and the call to
    action to the last scene. The transition into the next scene (``transition_frames``
    long; 0 for a cut) is centred on the middle of the silence between two parts.
    """
    spans = list(narration.part_spans)
    scene_spans = spans[1 : 1 + scenes] if len(spans) >= scenes + 1 else spans[:scenes]
    cuts = [0]
    for before, after in itertools.pairwise(scene_spans):
        middle = (before[1] + after[0]) / 2
        cuts.append(max(lead_in + tb.to_frames(middle) - transition_frames // 2, cuts[-1] + 1))
    cuts.append(total)
    return cuts


def _clips_for(
    item: MediaItem | None,
    index: int,
    duration: int,
    transition: Transition,
    *,
    colours: Sequence[str],
    fps: int,
    ken_burns: bool = True,
) -> list[Clip]:
    """A scene's background: one clip, or two cut together when its video is too short
    (:func:`~video_orchestrator.pipeline.media.add_follow_ups`)."""
    if item is None:
        return [
            GeneratedClip(
                duration=duration,
                transition=transition,
                pattern=PATTERNS[index % len(PATTERNS)],
                colours=list(colours),
                seed=index,
            )
        ]
    if item.kind == "image":
        return [
            ImageClip(
                duration=duration,
                transition=transition,
                path=str(item.path),
                ken_burns=(
                    KenBurns(zoom_from=1.0, zoom_to=1.18, pan=PANS[index % len(PANS)])
                    if ken_burns
                    else None
                ),
            )
        ]
    follow = item.follow
    if follow is not None and item.duration and follow.duration:
        # Two cuts rather than one clip slowed past MILDEST_RATE (add_follow_ups chose the
        # second): the first plays whole at its speed, the second fills the rest of the scene.
        first = math.floor(item.duration * fps)
        rest = duration - first
        if first >= 1 and first < duration * MILDEST_RATE and rest >= MIN_FOLLOW_SECONDS * fps:
            rate, fit = fit_video(follow.duration, rest, fps, MILDEST_RATE)
            return [
                VideoClip(
                    duration=first,
                    transition=Transition(kind="cut", frames=0),
                    path=str(item.path),
                    fit="freeze",
                ),
                VideoClip(
                    duration=rest, transition=transition, path=str(follow.path), fit=fit, rate=rate
                ),
            ]
    rate, fit = fit_video(item.duration, duration, fps)
    return [
        VideoClip(duration=duration, transition=transition, path=str(item.path), fit=fit, rate=rate)
    ]


def illustration_overlay(
    path: str,
    start: int,
    frames: int,
    fmt: VideoFormat,
    fade: int,
    *,
    below: KineticText | None = None,
    lowest: int | None = None,
) -> ImageOverlay:
    """A scene's illustration: large, centred above the captions, floating, faded in and out
    over the scene's transitions; ``below`` a key phrase (look "both"): smaller, under it,
    and not reaching below the row ``lowest`` (where the captions may begin) if it can help."""
    margin = fmt.safe.top + round(fmt.height * 0.04)
    width = illustration_size(fmt.width)
    if below is not None:
        margin = below.area.top + phrase_height(below) + round(fmt.height * 0.015)
        width = round(width * ILLUSTRATION_BESIDE_PHRASE)
        if lowest is not None:  # smaller still rather than reach into the captions
            width = max(min(width, lowest - margin), round(fmt.width * 0.15))
        width = max(8, 2 * (width // 2))
    return ImageOverlay(
        path=path,
        start=start,
        end=start + frames,
        corner="top",
        margin=margin,
        width=width,
        opacity=1.0,
        motion="float",
        fade=max(fade, 1),
    )


def captions_top(captions: CaptionSettings, fmt: VideoFormat) -> int:
    """About the highest row the captions reach (all their lines at the style's size), below
    which a picture under a key phrase should not go; the safe zone's bottom when the
    captions are at the top."""
    style = caption_style(captions)
    block = round(style.max_lines * style.size * 1.3)
    bottom = fmt.height - fmt.safe.bottom
    if captions.anchor == "bottom":
        return bottom - block
    if captions.anchor == "middle":
        return (fmt.safe.top + bottom) // 2 - block // 2
    return bottom


def phrase_overlay(
    narration: str, keywords: Sequence[str], language: str, palette: Sequence[str]
) -> KineticText | None:
    """A scene's key phrase (``pipeline/typography.py``) in its palette's colours, not yet
    placed or timed (:func:`place_phrase`); None when the narration has none."""
    found = key_phrase(narration, language, keywords)
    if found is None:
        return None
    colour, accent_colour, outline_colour = phrase_colours(palette)
    return KineticText(
        words=list(found.words),
        accent=found.accent,
        colour=colour,
        accent_colour=accent_colour,
        outline_colour=outline_colour,
        language=language,
    )


def _hook_phrase(
    script: Script,
    narration: Narration,
    span: tuple[int, int],
    palette: Sequence[str],
    fmt: VideoFormat,
    options: VideoOptions,
    lead_in: int,
) -> tuple[KineticText | None, tuple[int, int]]:
    """The hook's key phrase over the first scene's frames while the hook is said (to the
    middle of the pause after it), and the span left for the scene's own phrase. The whole
    ``span`` stays the scene's when the hook has no phrase or its time is too short."""
    spans = narration.part_spans
    if not script.hook.strip() or len(spans) < len(script.scenes) + 1:
        return None, span  # no hook part said before the scenes
    tb = Timebase.of(fmt.fps)
    turn = lead_in + tb.to_frames((spans[0][1] + spans[1][0]) / 2)
    if not span[0] < turn < span[1]:
        return None, span
    found = phrase_overlay(script.hook, (), script.language, palette)
    placed = place_phrase(found, (span[0], turn), fmt, options.captions.anchor) if found else None
    return (placed, (turn, span[1])) if placed is not None else (None, span)


def _tallest(phrases: Sequence[KineticText | None]) -> KineticText | None:
    """Of the phrases shown over one scene, the one reaching lowest (a picture goes under)."""
    shown = [p for p in phrases if p is not None]
    return max(shown, key=lambda p: p.area.top + phrase_height(p), default=None)


def place_phrase(
    phrase: KineticText, span: tuple[int, int], fmt: VideoFormat, captions_anchor: str
) -> KineticText | None:
    """``phrase`` shown over the frames ``span`` (its words arriving one after another), large
    in the upper part of the platform's safe zone, above the captions; in the lower half when
    the captions are at the top. None when the span is too short to show it."""
    start, end = span
    tb = Timebase.of(fmt.fps)
    enter = max(tb.to_frames(PHRASE_ENTER_SECONDS), 1)
    exit_ = tb.to_frames(PHRASE_EXIT_SECONDS)
    if end - start < enter + exit_ + 1:
        return None
    safe = fmt.safe
    room = fmt.width - safe.left - safe.right
    longest = max(text_width(display_text(word)) for word in phrase.words)
    fitted = min(round(fmt.height * PHRASE_SIZE), math.floor(room / (UNIT_EMS * longest)))
    size = max(fitted, round(fmt.height * PHRASE_MIN_SIZE))
    top = safe.top + round(fmt.height * PHRASE_GAP)
    if captions_anchor == "top":
        top = fmt.height // 2 + round(fmt.height * PHRASE_GAP)
    return phrase.model_copy(
        update={
            "start": start,
            "end": end,
            "stagger": tb.to_frames(PHRASE_STAGGER_SECONDS),
            "enter": enter,
            "exit": exit_,
            "area": Box(top=top, left=safe.left, right=safe.right),
            "size": max(size, 8),
            "max_chars_per_line": max(math.floor(room / (UNIT_EMS * size)), 2),
            "outline": max(round(size * 0.06), 2),
            "shadow": max(round(size * 0.03), 1),
        }
    )


def illustration_size(width: int) -> int:
    """The side of an illustration, in px, for a frame ``width`` px wide (even)."""
    return max(8, 2 * round(width * ILLUSTRATION_WIDTH / 2))


def sequence_starts(clips: Sequence[Clip]) -> list[int]:
    """The frame each clip starts on, laid end to end with their transitions' overlaps."""
    return clip_starts([c.duration for c in clips], [c.transition.frames for c in clips[:-1]])


def caption_words(narration: Narration, tb: Timebase, lead_in: int, total: int) -> list[Word]:
    words: list[Word] = []
    last_start = 0
    for timing in narration.words:
        start = max(lead_in + tb.to_frames(timing.start), last_start)
        if start >= total:
            break
        end = min(max(lead_in + tb.to_frames(timing.end), start + 1), total)
        words.append(Word(text=timing.text, start=start, end=end, sentence_end=timing.sentence_end))
        last_start = start
    return words


def caption_track(
    words: list[Word], captions: CaptionSettings, fmt: VideoFormat, language: str
) -> CaptionTrack:
    """The captions of a video (or a preview): ``words`` drawn as ``captions`` say, placed in
    the platform's safe zone."""
    return CaptionTrack(
        words=words,
        style=caption_style(captions),
        position=CaptionPosition(safe=fmt.safe, anchor=SPEC_ANCHORS[captions.anchor]),
        language=language,
    )


def music_bed(path: str, audio: AudioSettings, **fades: int) -> MusicBed:
    """The music bed at ``path`` as ``audio`` sets it (``fades``: frames, default the spec's)."""
    return MusicBed(
        path=path,
        gain_db=audio.music_gain_db,
        ducking=Ducking(enabled=audio.ducking, ratio=audio.ducking_strength),
        **fades,
    )


def sound_effect(path: str, at: int, audio: AudioSettings) -> SoundEffect:
    return SoundEffect(path=path, at=at, gain_db=audio.sfx_gain_db)


def loudness(fmt: VideoFormat, audio: AudioSettings) -> Loudness:
    """The loudness target: the user's, else the platform's."""
    integrated = audio.loudness_lufs if audio.loudness_lufs is not None else fmt.loudness_lufs
    return Loudness(integrated=integrated, true_peak=fmt.true_peak_db)


def _effect_at(cut: int, transition_frames: int, onset: float | None, tb: Timebase) -> int:
    """The frame an effect starts on: at the cut, or with its onset on the change's middle."""
    if onset is None:
        return cut
    return max(cut + transition_frames // 2 - tb.to_frames(onset), 0)


def build_spec(
    script: Script,
    narration: Narration,
    media: Sequence[MediaItem | None],
    *,
    fmt: VideoFormat,
    options: VideoOptions | None = None,
    music: str | None = None,
    effect: str | None = None,
    effect_onset: float | None = None,
    platform: str | None = None,
    illustrations: Sequence[str | None] = (),
) -> RenderSpec:
    """The whole video as a render spec (no I/O).

    ``options`` are the user's settings (default: ``VideoOptions()``): the captions' style and
    place in the platform's safe zone, the transition joining the scenes (a cut has no
    overlap), Ken Burns on still images, the music's level and ducking, the sound effect's
    level, the loudness target and the encoder's quality (see ``QUALITY``). ``music`` and
    ``effect`` are the files of the music bed and of the sound that marks each scene after the
    first; ``effect_onset`` (seconds into the effect: a whoosh's loudest point, a riser's end)
    places each effect so that moment falls on the middle of the scene change (None: the
    effect starts where the change starts); ``platform`` is the preset's name, for the
    metadata. ``illustrations`` are the pictures (PNG files) of the generated scenes, one
    entry per scene (None: no picture); a scene with footage or a photo shows none.
    """
    options = options or VideoOptions()
    background, audio = options.background, options.audio
    tb = Timebase.of(fmt.fps)
    lead_in = tb.to_frames(LEAD_IN_SECONDS)
    total = lead_in + tb.ceil_frames(narration.duration + TAIL_SECONDS)
    scenes = max(len(script.scenes), 1)
    frames = 0 if background.transition == "cut" else TRANSITION_FRAMES
    cuts = scene_boundaries(narration, scenes, tb, lead_in, total, frames)
    # Scenes too short to carry the transition (a very short narration part) are cut to.
    lengths = [b - a for a, b in itertools.pairwise(cuts)]
    clips: list[Clip] = []
    scene_first: list[int] = []  # the index in clips of each scene's first clip
    for index, length in enumerate(lengths):
        last = index == len(lengths) - 1
        overlap = 0 if last else min(frames, max(lengths[index + 1] - 1, 0), max(length - 1, 0))
        into_next = (
            Transition(kind=background.transition, frames=overlap)
            if overlap
            else Transition(kind="cut", frames=0)
        )
        item = media[index] if index < len(media) else None
        scene = script.scenes[index] if index < len(script.scenes) else None
        colours = palette_for(scene.keywords, scene.narration) if scene else palette_for([])
        scene_first.append(len(clips))
        clips.extend(
            _clips_for(
                item,
                index,
                length + overlap,
                into_next,
                colours=colours,
                fps=fmt.fps,
                ken_burns=background.ken_burns,
            )
        )
    starts = sequence_starts(clips)
    phrases: dict[int, KineticText] = {}  # scene index → its kinetic typography
    hook_phrases: list[KineticText] = []  # the hook's, before the first scene's own
    if background.typography:
        for index, first in enumerate(scene_first):
            scene = script.scenes[index] if index < len(script.scenes) else None
            if scene is None or not isinstance(clips[first], GeneratedClip):
                continue
            out = clips[first].transition.frames if first < len(clips) - 1 else 0
            into = clips[first - 1].transition.frames if first > 0 else 0
            span = (starts[first] + into, starts[first] + clips[first].duration - out // 2)
            colours = palette_for(scene.keywords, scene.narration)
            if index == 0:  # the hook is said over the first scene: its phrase shows first
                said, span = _hook_phrase(script, narration, span, colours, fmt, options, lead_in)
                if said is not None:
                    hook_phrases.append(said)
            found = phrase_overlay(scene.narration, scene.keywords, script.language, colours)
            placed = place_phrase(found, span, fmt, options.captions.anchor) if found else None
            if placed is not None:
                phrases[index] = placed
    overlays: list[ImageOverlay | KineticText] = [
        illustration_overlay(
            picture,
            starts[first],
            clips[first].duration,
            fmt,
            frames,
            below=_tallest([phrases.get(index), *(hook_phrases if index == 0 else [])]),
            lowest=captions_top(options.captions, fmt),
        )
        for index, (first, picture) in enumerate(zip(scene_first, illustrations, strict=False))
        if picture is not None
        and isinstance(clips[first], GeneratedClip)
        and background.illustrations
    ]
    overlays.extend([*hook_phrases, *phrases.values()])
    preset, crf = QUALITY[options.export.quality]
    output = Output(
        width=fmt.width,
        height=fmt.height,
        fps=fmt.fps,
        preset=preset,
        crf=crf,
        max_bitrate_kbps=fmt.max_bitrate_kbps,
        audio_bitrate_kbps=fmt.audio_bitrate_kbps,
        loudness=loudness(fmt, audio),
    )
    tracks = AudioTracks(
        voice=VoiceTrack(path=str(narration.audio_path), start=lead_in),
        music=music_bed(music, audio) if music else None,
        effects=(
            [
                sound_effect(effect, _effect_at(start, frames, effect_onset, tb), audio)
                for start in cuts[1:-1]
                if start < total
            ]
            if effect
            else []
        ),
    )
    return RenderSpec(
        output=output,
        clips=clips,
        overlays=overlays,
        captions=caption_track(
            caption_words(narration, tb, lead_in, total), options.captions, fmt, script.language
        ),
        audio=tracks,
        metadata=Metadata(
            title=script.title,
            description=script.description,
            hashtags=list(script.hashtags),
            platform=platform,
            language=script.language,
        ),
    )


#: A thumbnail carries a few punchy words of the hook, not the whole sentence.
COVER_MIN_WORDS, COVER_MAX_WORDS = 3, 5
#: The same for a language written without spaces, in characters of whole phrases: the
#: cover's type (thumbnail_spec) sets 6 full-width characters a line, so 4–12 characters
#: make the two or three lines that 3–5 words make in English.
COVER_MIN_CHARS, COVER_MAX_CHARS = 4, 12
_COVER_CLAUSE_MARKS = re.compile(r"[,;:—–!?.()、。！？：；「」『』（）]+")
#: Particles that end a phrase of Japanese and leave a cover line hanging (生き物が → 生き物).
_HANGING_PARTICLES = ("が", "は", "を", "に", "で", "と", "も", "の", "へ", "や")
_CONTENT_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々\u30a1-\u30faー]")


def cover_words(hook: str, language: str = "en") -> str:
    """3–5 words of ``hook`` for the thumbnail: the hook's first clause when it is that short,
    else the run of at most five words carrying the most meaning (fewest stop words, the
    earliest on a tie), without stop words at its ends. Languages written without spaces
    take whole phrases the same way (:func:`_unspaced_cover`)."""
    clauses = [c.strip() for c in _COVER_CLAUSE_MARKS.split(hook) if c.strip()]
    if not clauses:
        return hook.strip()
    if not uses_spaces(language):
        return _unspaced_cover(clauses, language)
    stops = stop_words_for(language)
    first = words_of(clauses[0])
    if COVER_MIN_WORDS <= len(first) <= COVER_MAX_WORDS:
        return " ".join(first)
    words = [w for clause in clauses for w in words_of(clause)]
    if len(words) <= COVER_MAX_WORDS:
        return " ".join(words)

    def meaningful(word: str) -> bool:
        return word.casefold() not in stops and len(word) > 1

    best: list[str] = words[:COVER_MAX_WORDS]
    best_score = -1
    for start in range(len(words) - COVER_MAX_WORDS + 1):
        window = words[start : start + COVER_MAX_WORDS]
        while len(window) > COVER_MIN_WORDS and not meaningful(window[0]):
            window = window[1:]
        while len(window) > COVER_MIN_WORDS and not meaningful(window[-1]):
            window = window[:-1]
        score = sum(meaningful(w) for w in window)
        if score > best_score:
            best, best_score = window, score
    return " ".join(best)


def _unspaced_cover(clauses: list[str], language: str) -> str:
    """The first clause when it has :data:`COVER_MIN_CHARS`–:data:`COVER_MAX_CHARS`
    characters, else the run of whole phrases (BudouX, as captions break) of one clause, at
    most :data:`COVER_MAX_CHARS` long, with the most kanji and katakana (the content words;
    the earliest on a tie); never a phrase cut in two, no particle left hanging at its end."""
    first = clauses[0]
    if COVER_MIN_CHARS <= len(first) <= COVER_MAX_CHARS:
        return _unhung(first)
    best, best_score = tokenize(first, language)[:1], -1
    for clause in clauses:
        phrases = tokenize(clause, language)
        for start in range(len(phrases)):
            for stop in range(start + 1, len(phrases) + 1):
                text = "".join(phrases[start:stop])
                if len(text) > COVER_MAX_CHARS and stop > start + 1:
                    break
                score = len(_CONTENT_CHAR.findall(text))
                if score > best_score:
                    best, best_score = phrases[start:stop], score
    return _unhung("".join(best))


def _unhung(text: str) -> str:
    """``text`` without one particle hanging at its end (a content word stays whole)."""
    if len(text) > 2 and text.endswith(_HANGING_PARTICLES) and _CONTENT_CHAR.match(text[-2]):
        return text[:-1]
    return text


#: The draft preview: fastest encoder settings (a preview is watched once, in a small frame).
DRAFT_PRESET = "ultrafast"
DRAFT_CRF = 30


def draft_spec(spec: RenderSpec, height: int) -> RenderSpec:
    """``spec`` at ``height`` pixels high (the width to scale, both even) with the fastest
    encoder settings: every size in output pixels (captions, their safe zone, overlays) scaled
    with it, every time (frames) unchanged, so the draft shows the same cut, the same
    backgrounds and the same caption style as the final render, only smaller."""
    factor = height / spec.output.height

    def px(value: float, least: int = 0) -> int:
        return max(round(value * factor), least)

    def box(b: Box) -> Box:
        return Box(top=px(b.top), bottom=px(b.bottom), left=px(b.left), right=px(b.right))

    output = spec.output.model_copy(
        update={
            "width": px(spec.output.width / 2, 8) * 2,
            "height": px(spec.output.height / 2, 8) * 2,
            "preset": DRAFT_PRESET,
            "crf": DRAFT_CRF,
            "max_bitrate_kbps": None,
        }
    )
    overlays: list[TextOverlay | ImageOverlay | KineticText] = []
    for overlay in spec.overlays:
        if isinstance(overlay, KineticText):
            overlays.append(
                overlay.model_copy(
                    update={
                        "size": px(overlay.size, 8),
                        "area": box(overlay.area),
                        "outline": overlay.outline * factor,
                        "shadow": overlay.shadow * factor,
                    }
                )
            )
        elif isinstance(overlay, TextOverlay):
            overlays.append(
                overlay.model_copy(
                    update={
                        "size": px(overlay.size, 8),
                        "margins": box(overlay.margins),
                        "outline": overlay.outline * factor,
                    }
                )
            )
        else:
            overlays.append(
                overlay.model_copy(
                    update={"margin": px(overlay.margin), "width": px(overlay.width, 8)}
                )
            )
    captions = spec.captions
    if captions is not None:
        style = captions.style.model_copy(
            update={
                "size": px(captions.style.size, 8),
                "outline": captions.style.outline * factor,
                "shadow": captions.style.shadow * factor,
            }
        )
        position = captions.position.model_copy(update={"safe": box(captions.position.safe)})
        captions = captions.model_copy(update={"style": style, "position": position})
    return spec.model_copy(update={"output": output, "overlays": overlays, "captions": captions})


def thumbnail_spec(spec: RenderSpec, text: str) -> RenderSpec:
    """The first scene with the hook in big letters: the cover frame of the video."""
    first = spec.clips[0]
    margins = Box(left=90, right=90, top=0, bottom=0)
    size = max(int(spec.output.height * 0.075), 12)  # a few big words (cover_words)
    language = spec.captions.language if spec.captions is not None else "en"
    shown = text[:500]
    if not uses_spaces(language):
        shown = phrase_lines(shown, language, (spec.output.width - 180) // size)
    overlay = TextOverlay(text=shown, anchor="center", margins=margins, size=size)
    return spec.model_copy(
        update={
            "clips": [first.model_copy(update={"transition": Transition(kind="cut", frames=0)})],
            "overlays": [overlay],
            "captions": None,
            "audio": AudioTracks(),
        }
    )


def phrase_lines(text: str, language: str, ems: int) -> str:
    """``text`` of a language written without spaces as lines of whole phrases, each at most
    ``ems`` full-width characters wide (a longer phrase gets a line of its own), a new line
    after each sentence: libass wraps only at spaces, so a Japanese hook would otherwise run
    off the picture (ADR 0032). A sentence takes as few lines as fit and its phrases are
    spread evenly over them (海の / 一番深い所, not 海の一番深い / 所)."""
    limit = max(2 * ems, 2)  # display cells: a full-width character is two
    sentences: list[list[str]] = [[]]
    for phrase in tokenize(text, language):
        sentences[-1].append(phrase)
        if ends_sentence(phrase):
            sentences.append([])
    lines: list[str] = []
    for phrases in sentences:
        if phrases:
            lines.extend(_even_lines(phrases, limit))
    return "\n".join(lines)


def _even_lines(phrases: list[str], limit: int) -> list[str]:
    """``phrases`` in the fewest lines of at most ``limit`` display cells (a phrase wider
    than that alone on its line), broken where the widest line is narrowest."""
    count, width = 0, limit + 1
    for phrase in phrases:  # the fewest lines: fill each as far as it goes
        if width + text_width(phrase) > limit:
            count, width = count + 1, 0
        width += text_width(phrase)
    n = len(phrases)
    start = list(itertools.accumulate((text_width(p) for p in phrases), initial=0))
    # widest[k][j]: the narrowest widest line setting the first j phrases in k lines
    widest = [[math.inf] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    widest[0][0] = 0
    for k in range(1, count + 1):
        for j in range(k, n + 1):
            for i in range(j - 1, k - 2, -1):  # the last line: phrases i..j, longer each step
                wide = start[j] - start[i]
                if wide > limit and j - i > 1:
                    break
                value = max(widest[k - 1][i], wide)
                if value < widest[k][j]:
                    widest[k][j], cut[k][j] = value, i
    lines: list[str] = []
    j = n
    for k in range(count, 0, -1):
        i = cut[k][j]
        lines.append("".join(phrases[i:j]))
        j = i
    return lines[::-1]
