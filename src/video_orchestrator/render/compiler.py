"""Render spec → one FFmpeg command with one filter graph.

The compiler is pure: it builds an immutable :mod:`graph`, renders it, and returns the argv
plus the text files (the ASS captions) that must exist in ``workdir`` before FFmpeg runs.
Nothing here starts a process or touches the disk.

Video: every clip becomes exactly ``clip.duration`` frames at the output size and rate
(cover-cropped, no black bars), clips are joined with ``xfade`` (offsets from the exact frame
maths of ``spec.timeline``) or ``concat`` for cuts, image watermarks are overlaid, then the
captions and text overlays are burned in by libass. Audio: voice, music bed (looped, faded,
ducked under the voice by ``sidechaincompress``) and sound effects are mixed without
normalisation, brought to the loudness target, and cut to exactly the video's length.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from video_orchestrator.errors import SpecError
from video_orchestrator.render.ass import build_captions
from video_orchestrator.render.caption_emoji import EmojiPlacement
from video_orchestrator.render.graph import (
    Input,
    Stream,
    compile_graph,
    one,
    source,
)
from video_orchestrator.render.text_measure import TextMeasure
from video_orchestrator.render.threads import thread_plan
from video_orchestrator.spec.model import (
    ColourClip,
    GeneratedClip,
    ImageClip,
    ImageOverlay,
    RenderSpec,
    VideoClip,
)
from video_orchestrator.spec.window import Piece, Window, window_pieces

CAPTIONS_FILE = "captions.ass"
GENERATED_SCALE = 4
"""Generated backgrounds are drawn at 1/4 of the output size, then upscaled (they are smooth)."""

# pattern → (gradients type, rotation pace, perlin noise (scale, octaves) or None)
_PATTERNS: dict[str, tuple[str, float, tuple[float, int] | None]] = {
    "gradient": ("linear", 1.0, None),
    "aurora": ("linear", 0.6, (1.0, 3)),
    "bokeh": ("radial", 1.4, (2.0, 2)),
}


@dataclass(frozen=True)
class CompiledRender:
    """The argv to run and the files to make in workdir before running: ``files`` (name →
    text) and ``emoji`` (name → the emoji and the side in px of its colour PNG)."""

    argv: tuple[str, ...]
    files: Mapping[str, str] = field(default_factory=dict)
    emoji: Mapping[str, tuple[str, int]] = field(default_factory=dict)


def compile_spec(
    spec: RenderSpec,
    *,
    output: Path,
    workdir: Path,
    fonts_dir: Path,
    ffmpeg: str = "ffmpeg",
    audio_gain_db: float | None = None,
    decoder_threads: int | None = None,
    measure: TextMeasure | None = None,
    encoder_threads: int | None = None,
    encoder_args: tuple[str, ...] = (),
) -> CompiledRender:
    """The whole render: video and audio, encoded once into ``output`` (MP4).

    With ``audio_gain_db`` (from :func:`compile_loudness_analysis`), loudness is reached by
    that exact gain plus a peak limiter; without it, by single-pass ``loudnorm``.
    ``decoder_threads`` caps the threads of each video clip's decoder (None: FFmpeg's choice;
    see :func:`decoder_threads_for`), ``encoder_threads`` x264's frame threads (None: x264's
    choice; ``render/threads.py``) and ``encoder_args`` further x264 options of the thread
    plan (``ThreadPlan.lookahead_args``). With ``measure`` (the fonts' advances), caption emoji
    are drawn in colour over the captions (``render/caption_emoji.py``).
    """
    build = _Builder(spec, decoder_threads, measure)
    video, files = build.video(workdir, fonts_dir)
    mix = build.audio_mix()
    audio = build.finish_audio(mix, audio_gain_db)
    graph = compile_graph([(video, "vout"), (audio, "aout")])
    out = spec.output
    fps = out.fps
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-y"]
    argv += graph.input_args()
    argv += ["-filter_complex", graph.filter_complex]
    argv += ["-map", graph.maps[0], "-map", graph.maps[1]]
    argv += _video_encoder_args(spec, encoder_threads, encoder_args)
    argv += ["-pix_fmt", out.pix_fmt, "-r", str(fps), "-frames:v", str(spec.duration)]
    argv += _audio_encoder_args(spec)
    argv += ["-movflags", "+faststart", "-f", "mp4", str(output)]
    return CompiledRender(tuple(argv), files, build.emoji_files)


def gop_frames(spec: RenderSpec) -> int:
    """Frames of one closed GOP (``-g``): every segment of a render starts on a multiple."""
    return max(1, round(spec.output.gop_seconds * spec.output.fps))


def _video_encoder_args(
    spec: RenderSpec, encoder_threads: int | None, encoder_args: tuple[str, ...]
) -> list[str]:
    out = spec.output
    argv = ["-c:v", out.video_codec, "-profile:v", out.profile, "-preset", out.preset]
    argv += ["-crf", str(out.crf)]
    if encoder_threads is not None:
        argv += ["-threads:v", str(encoder_threads)]
    argv += list(encoder_args)
    if out.max_bitrate_kbps is not None:
        argv += ["-maxrate", f"{out.max_bitrate_kbps}k", "-bufsize", f"{2 * out.max_bitrate_kbps}k"]
    gop = gop_frames(spec)
    argv += ["-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0", "-flags", "+cgop"]
    return argv


def _audio_encoder_args(spec: RenderSpec) -> list[str]:
    out = spec.output
    codec = ["-c:a", out.audio_codec, "-b:a", f"{out.audio_bitrate_kbps}k"]
    return [*codec, "-ar", str(out.sample_rate), "-ac", "2"]


def segment_captions_file(window: Window) -> str:
    """The name of a segment's captions file in the workdir (its window's events only)."""
    return f"captions-{window.start}.ass"


def compile_segment(
    spec: RenderSpec,
    window: Window,
    *,
    output: Path,
    workdir: Path,
    fonts_dir: Path,
    ffmpeg: str = "ffmpeg",
    decoder_threads: int | None = None,
    measure: TextMeasure | None = None,
    encoder_threads: int | None = None,
    encoder_args: tuple[str, ...] = (),
    digest: bool = False,
) -> CompiledRender:
    """The video of frames ``window`` alone (no audio), encoded as :func:`compile_spec`
    encodes it, into ``output`` (MP4) — or, with ``digest``, its raw frames' MD5s
    (``framemd5``) before any encoding, to compare with the single pass (ADR 0049).

    Only the clips the window shows are opened (``window_pieces``), with only the captions
    events, emoji and overlays that show in it; its frames carry their absolute timestamps
    through every filter animated in time, so the frames are those of the single pass."""
    build = _Builder(spec, decoder_threads, measure, window=window)
    video, files = build.video(workdir, fonts_dir)
    graph = compile_graph([(video, "vout")])
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-y"]
    argv += graph.input_args()
    argv += ["-filter_complex", graph.filter_complex, "-map", graph.maps[0]]
    if digest:
        # every frame the graph makes (no frame-rate conversion), as the encoder gets it
        argv += ["-pix_fmt", spec.output.pix_fmt, "-fps_mode", "passthrough"]
        argv += ["-frames:v", str(window.frames)]
        argv += ["-f", "framemd5", str(output)]
        return CompiledRender(tuple(argv), files, build.emoji_files)
    argv += _video_encoder_args(spec, encoder_threads, encoder_args)
    argv += ["-pix_fmt", spec.output.pix_fmt, "-r", str(spec.output.fps)]
    argv += ["-frames:v", str(window.frames), "-f", "mp4", str(output)]
    return CompiledRender(tuple(argv), files, build.emoji_files)


def compile_audio(
    spec: RenderSpec, *, output: Path, ffmpeg: str = "ffmpeg", audio_gain_db: float | None = None
) -> CompiledRender:
    """The whole video's audio alone, levelled and encoded as :func:`compile_spec` does it,
    into ``output`` (an ``.m4a``): the audio of a segmented render (ADR 0049)."""
    build = _Builder(spec)
    audio = build.finish_audio(build.audio_mix(), audio_gain_db)
    graph = compile_graph([(audio, "aout")])
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-y"]
    argv += graph.input_args()
    argv += ["-filter_complex", graph.filter_complex, "-map", graph.maps[0]]
    argv += _audio_encoder_args(spec)
    argv += ["-f", "mp4", str(output)]
    return CompiledRender(tuple(argv))


def compile_join(
    segment_list: Path, audio: Path, *, output: Path, ffmpeg: str = "ffmpeg"
) -> CompiledRender:
    """The segments (a concat demuxer list) and the audio, copied into ``output`` (MP4) with
    the index at the front: no re-encoding (every segment starts on an IDR frame)."""
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-y"]
    argv += ["-f", "concat", "-safe", "0", "-i", str(segment_list), "-i", str(audio)]
    argv += ["-map", "0:v:0", "-map", "1:a:0", "-c", "copy"]
    argv += ["-movflags", "+faststart", "-f", "mp4", str(output)]
    return CompiledRender(tuple(argv))


def compile_still(
    spec: RenderSpec,
    *,
    at_frame: int,
    output: Path,
    workdir: Path,
    fonts_dir: Path,
    ffmpeg: str = "ffmpeg",
    measure: TextMeasure | None = None,
) -> CompiledRender:
    """One frame (video layers, overlays, captions; no audio) as a JPEG or PNG image."""
    if not 0 <= at_frame < spec.duration:
        raise SpecError(
            f"Frame {at_frame} is outside the video; choose one from 0 to {spec.duration - 1}."
        )
    build = _Builder(spec, measure=measure)
    video, files = build.video(workdir, fonts_dir)
    video = video.filter("trim", start_frame=at_frame, end_frame=at_frame + 1)
    graph = compile_graph([(video, "vout")])
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-y"]
    argv += graph.input_args()
    argv += ["-filter_complex", graph.filter_complex, "-map", graph.maps[0]]
    argv += ["-frames:v", "1", "-update", "1"]
    if output.suffix.lower() in (".jpg", ".jpeg"):
        argv += ["-q:v", "2", "-pix_fmt", "yuvj420p"]
    argv += [str(output)]
    return CompiledRender(tuple(argv), files, build.emoji_files)


def compile_loudness_analysis(
    spec: RenderSpec, *, ffmpeg: str = "ffmpeg", gain_db: float | None = None
) -> CompiledRender | None:
    """An audio-only pass over the same mix, measured by ``ebur128`` (summary in the log).

    ``None`` when the spec has no audio at all (the render then carries silence). Without
    ``gain_db`` it measures the raw mix, true peak included; with it, only the integrated
    loudness of the mix after that gain and the peak limiter, exactly as :func:`compile_spec`
    would level it (to correct for what the limiter takes away). ``ebur128`` is about ten
    times cheaper than ``loudnorm``'s analysis, which resamples everything to 192 kHz.
    """
    build = _Builder(spec)
    mix = build.audio_mix()
    if mix is None:
        return None
    if gain_db is not None:
        mix = build.level(mix, gain_db)
    measured = mix.filter("ebur128", peak="true" if gain_db is None else "none", framelog="quiet")
    graph = compile_graph([(measured, "aout")])
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-y"]
    argv += graph.input_args()
    argv += ["-filter_complex", graph.filter_complex, "-map", graph.maps[0], "-f", "null", "-"]
    return CompiledRender(tuple(argv), {})


def limiter_ceiling_db(spec: RenderSpec) -> float:
    """Sample-peak ceiling of the limiter: 0.5 dB under the true-peak target (inter-sample)."""
    return spec.output.loudness.true_peak - 0.5


# ---------------------------------------------------------------- the builder


def _colour(value: str) -> str:
    """``#RRGGBB[AA]`` → FFmpeg's ``0xRRGGBB`` (opaque; clips have no alpha)."""
    return "0x" + value[1:7].upper()


def _even(value: float) -> int:
    return max(2, 2 * math.ceil(value / 2))


def emoji_lanes(placements: Sequence[EmojiPlacement]) -> list[list[EmojiPlacement]]:
    """Placements grouped into lanes: one picture (emoji and side) per lane, no two of a
    lane shown at the same frame; lanes in order of their first placement."""
    lanes: list[list[EmojiPlacement]] = []
    for placement in sorted(placements, key=lambda p: p.start):
        for lane in lanes:
            last = lane[-1]
            same = (last.emoji, last.side) == (placement.emoji, placement.side)
            if same and last.end <= placement.start:
                lane.append(placement)
                break
        else:
            lanes.append([placement])
    return lanes


def decoder_threads_for(cpus: int) -> int | None:
    """Threads per source decoder for a machine with ``cpus`` cores (``thread_plan``)."""
    return thread_plan(cpus).decoder


_PICTURE: dict[str, str | int | float | Fraction | bool] = {
    "pix_fmts": "yuv420p",
    "color_ranges": "tv",
}
"""Every clip's and the video's pixel format and range (``format`` filter options)."""


class _Builder:
    def __init__(
        self,
        spec: RenderSpec,
        decoder_threads: int | None = None,
        measure: TextMeasure | None = None,
        *,
        window: Window | None = None,
    ) -> None:
        self.spec = spec
        self.window = window
        #: frame of the whole video at which this graph's frames start (``n`` = 0)
        self.origin = window.start if window is not None else 0
        self.pieces = (
            window_pieces(spec, window)
            if window is not None
            else [Piece(index, 0, clip.duration) for index, clip in enumerate(spec.clips)]
        )
        self.piece_of = {piece.clip: piece for piece in self.pieces}
        self.decoder_threads = decoder_threads
        self.measure = measure
        self.emoji_files: dict[str, tuple[str, int]] = {}
        self.emoji_inputs: dict[str, Stream] = {}
        self.out = spec.output
        self.fps = spec.output.fps
        self.width = spec.output.width
        self.height = spec.output.height
        self.rate = spec.output.sample_rate
        self.total_samples = self.samples(spec.duration)
        self.clip_inputs: dict[int, Input] = {}

    # ------------------------------------------------ time

    def seconds(self, frames: int) -> str:
        return self.spec.timebase.seconds_str(frames)

    def samples(self, frames: int) -> int:
        return math.floor(Fraction(frames * self.rate, self.fps) + Fraction(1, 2))

    # ------------------------------------------------ video

    def video(self, workdir: Path, fonts_dir: Path) -> tuple[Stream, dict[str, str]]:
        """The video track; in a window, only what shows in it, its frames stamped with
        their absolute times (for the overlays' and captions' time expressions)."""
        clips = [self.clip(piece) for piece in self.pieces]
        # Each frame's timestamp from its number, exact on the frame grid: concat's own
        # (from its segments' ends) gave a one-frame segment's successor the same time. In a
        # window, numbered from the window's first frame of the whole video (``origin``).
        video = (
            self.join(clips)
            .filter("settb", expr=f"1/{self.fps}")
            .filter("setpts", f"N+{self.origin}" if self.origin else "N")
        )
        window = self.window
        total = self.spec.duration
        for overlay in self.spec.overlays:
            end = overlay.end if overlay.end is not None else total
            if isinstance(overlay, ImageOverlay) and self.shows(overlay.start, end):
                video = self.watermark(video, overlay, total)
        files: dict[str, str] = {}
        captions = build_captions(self.spec, measure=self.measure)
        if captions.document is not None:
            name, document = CAPTIONS_FILE, captions.document
            if window is not None:
                name = segment_captions_file(window)
                document = events_within(
                    document,
                    float(self.spec.timebase.to_seconds(window.start)),
                    float(self.spec.timebase.to_seconds(window.end)),
                )
            files[name] = document
            video = video.filter("ass", filename=str(workdir / name), fontsdir=str(fonts_dir))
        shown = [p for p in captions.emoji if self.shows(p.start, p.end)]
        for lane in emoji_lanes(shown):
            video = self.caption_emoji(video, lane, workdir)
        if self.origin:
            video = video.filter("setpts", "PTS-STARTPTS")
        # What the encoder gets, pinned: left open, FFmpeg negotiates the overlays' pixel
        # format and the clips' range from the whole graph (a window without a video clip
        # came out full-range, one without a fade in yuva420p), so a window's frames would
        # differ from the single pass's (ADR 0049).
        return video.filter("format", **_PICTURE), files

    def shows(self, start: int, end: int) -> bool:
        """Whether frames ``[start, end)`` of the video show in this graph."""
        return self.window is None or self.window.overlaps(start, end)

    def caption_emoji(self, video: Stream, lane: list[EmojiPlacement], workdir: Path) -> Stream:
        """A caption emoji's colour picture over its gaps while its captions show: ONE
        overlay for a lane of placements of the same picture that never overlap in time.
        Each overlay filter keeps ~5 MB of 1080×1920 frames for the whole render
        (bench/RESULTS.md, "Memory vs length"), so one overlay per placement made memory
        grow with the video's length; a lane's count is bounded by the emoji on screen."""
        first = lane[0]
        name = "emoji-{}-{}.png".format("-".join(f"{ord(c):x}" for c in first.emoji), first.side)
        if name not in self.emoji_files:
            self.emoji_files[name] = (first.emoji, first.side)
            self.emoji_inputs[name] = Input(str(workdir / name)).video()
        origin = self.origin  # ``n`` counts this graph's frames
        spans = [f"between(n,{p.start - origin},{p.end - 1 - origin})" for p in lane]
        if len(lane) == 1:
            x: int | str = first.x
            y: int | str = first.y
        else:
            # x and y by time, half a frame inside each span: overlay's ``n`` for x/y runs a
            # frame ahead of the ``n`` its ``enable`` sees (with ``n`` in both, the last frame
            # of every span was drawn at 0,0: measured by frame MD5s against one-per-placement)
            fps = self.fps
            windows = [
                f"gte(t,{(p.start - 0.5) / fps:.5f})*lt(t,{(p.end - 0.5) / fps:.5f})" for p in lane
            ]
            x = "+".join(f"{p.x}*{w}" for p, w in zip(lane, windows, strict=True))
            y = "+".join(f"{p.y}*{w}" for p, w in zip(lane, windows, strict=True))
        return one("overlay", [video, self.emoji_inputs[name]], x=x, y=y, enable="+".join(spans))

    def finish_clip(self, stream: Stream) -> Stream:
        return stream.filter("setsar", "1").filter("format", **_PICTURE)

    def cover(self, stream: Stream, width: int, height: int) -> Stream:
        """Fill ``width``×``height`` with no bars: crop the source to that aspect (centred),
        then scale. Cropping first matters: scaling a 1920×1080 clip to 3413×1920 and then
        throwing two thirds away cost about a fifth of a whole render (bench/RESULTS.md)."""
        cropped = stream.filter(
            "crop",
            w=f"trunc(min(iw,ih*{width}/{height})/2)*2",
            h=f"trunc(min(ih,iw*{height}/{width})/2)*2",
        )
        return cropped.filter("scale", w=width, h=height, out_range="limited")

    def clip(self, piece: Piece) -> Stream:
        """A clip's frames in this graph: the whole clip, or a window's ``piece`` of it
        (the same frames the whole clip has there: the cut is made after everything that
        moves with the clip's own time)."""
        clip = self.spec.clips[piece.clip]
        if isinstance(clip, VideoClip):
            return self.video_clip(clip, self.clip_input(piece.clip), piece)
        if isinstance(clip, ImageClip):
            stream = self.image_clip(clip)
        elif isinstance(clip, GeneratedClip):
            stream = self.generated_clip(clip)
        else:
            stream = self.colour_clip(clip)
        if piece.skip == 0 and piece.frames == clip.duration:
            return stream
        return stream.filter(
            "trim", start_frame=piece.skip, end_frame=piece.skip + piece.frames
        ).filter("setpts", "PTS-STARTPTS")

    def clip_input(self, index: int) -> Input:
        """The one input of a video clip, shared by its picture and (unmuted) sound."""
        if index not in self.clip_inputs:
            clip = self.spec.clips[index]
            assert isinstance(clip, VideoClip)
            options: tuple[str, ...] = ()
            if clip.fit == "loop":
                options = ("-stream_loop", "-1")
            # Read no more than needed (+1 s of slack for the frame-rate conversion).
            piece = self.piece_of.get(index, Piece(index, 0, clip.duration))
            used = piece.skip + piece.frames
            options += ("-t", self.seconds(clip.source_in + used + self.fps))
            if self.decoder_threads is not None:
                options += ("-threads", str(self.decoder_threads))
            self.clip_inputs[index] = Input(clip.path, options)
        return self.clip_inputs[index]

    def video_clip(self, clip: VideoClip, source_file: Input, piece: Piece) -> Stream:
        stream = source_file.video()
        if clip.rate != 1.0:  # slowed: every source frame shown longer, no loop
            stream = stream.filter("setpts", f"PTS/{clip.rate:g}")
        stream = stream.filter("fps", fps=self.fps)
        if clip.fit == "freeze":
            stream = stream.filter("tpad", stop=-1, stop_mode="clone")
        first = clip.source_in + piece.skip  # a window's piece: cut before scaling
        stream = stream.filter("trim", start_frame=first, end_frame=first + piece.frames).filter(
            "setpts", "PTS-STARTPTS"
        )
        return self.finish_clip(self.cover(stream, self.width, self.height))

    def image_clip(self, clip: ImageClip) -> Stream:
        frames = clip.duration
        still = Input(clip.path).video()
        motion = clip.ken_burns
        zoom_max = max(motion.zoom_from, motion.zoom_to) if motion is not None else 1.0
        if motion is None or (zoom_max == 1.0 and motion.pan == "center"):
            base = self.finish_clip(self.cover(still, self.width, self.height))
            return self.hold(base, frames)
        # Decode and cover-scale the still once, at the largest zoom, then loop that frame.
        big_w, big_h = _even(self.width * zoom_max), _even(self.height * zoom_max)
        base = self.cover(still, big_w, big_h).filter("setsar", "1").filter("format", "yuv420p")
        base = self.hold(base, frames)
        # Per frame: scale down to the current zoom (sub-percent steps), crop the window.
        span = max(frames - 1, 1)
        # Progress from the frame time: scale counts n from 1 but crop from 0; t is exact.
        progress = f"(t*{self.fps}/{span})"
        z_from, z_to = motion.zoom_from, motion.zoom_to
        zoom = f"({z_from:g}+{z_to - z_from:g}*{progress})"
        slack_x = f"({self.width}*({zoom}-1))"
        slack_y = f"({self.height}*({zoom}-1))"
        x, y = f"{slack_x}/2", f"{slack_y}/2"
        if motion.pan == "left-to-right":
            x = f"{slack_x}*{progress}"
        elif motion.pan == "right-to-left":
            x = f"{slack_x}*(1-{progress})"
        elif motion.pan == "top-to-bottom":
            y = f"{slack_y}*{progress}"
        elif motion.pan == "bottom-to-top":
            y = f"{slack_y}*(1-{progress})"
        # Rounded (not truncated: 270*0.99999… must stay 270) and never under the output size.
        width = f"max({self.width},round({self.width}*{zoom}))"
        height = f"max({self.height},round({self.height}*{zoom}))"
        moving = base.filter("scale", w=width, h=height, eval="frame").filter(
            "crop", w=self.width, h=self.height, x=x, y=y, exact=1
        )
        return self.finish_clip(moving)

    def hold(self, still: Stream, frames: int) -> Stream:
        """One decoded frame repeated ``frames`` times at the output rate, from t = 0."""
        looped = still.filter("loop", loop=frames - 1, size=1, start=0)
        return (
            looped.filter("settb", expr=f"1/{self.fps}")
            .filter("setpts", "N")
            .filter("fps", fps=self.fps)
        )

    def generated_clip(self, clip: GeneratedClip) -> Stream:
        """A moving gradient of the clip's colours; ``aurora``/``bokeh`` add drifting noise.

        Everything is drawn at 1/4 of the output size (it is all smooth) and upscaled once.
        """
        kind, pace, noise = _PATTERNS[clip.pattern]
        colours = {f"c{i}": _colour(c) for i, c in enumerate(clip.colours)}
        size = f"{_even(self.width / GENERATED_SCALE)}x{_even(self.height / GENERATED_SCALE)}"
        stream = source(
            "gradients",
            "video",
            s=size,
            r=self.fps,
            n=len(clip.colours),
            **colours,
            type=kind,
            speed=min(1.0, 0.01 * clip.speed * pace),
            seed=clip.seed,
        )
        if noise is not None:
            scale, octaves = noise
            texture = source(
                "perlin",
                "video",
                s=size,
                r=self.fps,
                octaves=octaves,
                persistence=0.6,
                xscale=scale,
                yscale=scale,
                tscale=min(10.0, 0.3 * clip.speed),
                random_mode="seed",
                random_seed=clip.seed,
            ).filter("format", "rgba")
            stream = one("blend", [stream, texture], all_mode="softlight", shortest=1)
        # The gradients source draws hard bands where two colours meet; a wide blur at the
        # small working size softens them into a smooth wash for almost no cost.
        sigma = round(self.width / GENERATED_SCALE * 0.09, 1)
        stream = (
            stream.filter("gblur", sigma=sigma)
            .filter("trim", end_frame=clip.duration)
            .filter("scale", w=self.width, h=self.height, flags="bicubic")
        )
        return self.finish_clip(stream)

    def colour_clip(self, clip: ColourClip) -> Stream:
        stream = source(
            "color", "video", c=_colour(clip.colour), s=f"{self.width}x{self.height}", r=self.fps
        )
        return self.finish_clip(stream.filter("trim", end_frame=clip.duration))

    def join(self, clips: list[Stream]) -> Stream:
        """Lay clips end to end: the frames of each transition are one ``xfade`` of the two
        clips' overlapping frames alone; everything is then one ``concat``.

        Only a transition's frames go through ``xfade`` (which works in yuv444p: every frame
        that passed one was converted to 4:4:4 and back, once per later transition when
        xfades were chained), so a frame's pixels depend on its own clip and transition
        only, and a window's graph makes exactly the single pass's frames (ADR 0049)."""
        spec_clips = self.spec.clips
        pieces = self.pieces
        overlaps = [spec_clips[piece.clip].transition.frames for piece in pieces[:-1]]
        heads, tails = [0, *overlaps], [*overlaps, 0]
        if any(h + t > p.frames for h, t, p in zip(heads, tails, pieces, strict=True)):
            return self.chained_join(clips)  # transitions that overlap each other
        parts: list[Stream] = []
        tail: Stream | None = None
        for index, (clip, piece) in enumerate(zip(clips, pieces, strict=True)):
            head, frames = heads[index], piece.frames
            if head:
                assert tail is not None
                transition = spec_clips[pieces[index - 1].clip].transition
                blended = one(
                    "xfade",
                    [tail, self.frames_of(clip, 0, head)],
                    transition=transition.kind,
                    duration=self.seconds(head),
                    offset=0,
                )
                parts.append(blended.filter("format", **_PICTURE))
            if frames - head - tails[index] > 0:
                parts.append(self.frames_of(clip, head, frames - tails[index]))
            tail = self.frames_of(clip, frames - tails[index], frames) if tails[index] else None
        return self.concat(parts)

    def frames_of(self, clip: Stream, start: int, end: int) -> Stream:
        """Frames ``start`` to ``end`` (exclusive) of a clip's stream, from time 0."""
        return clip.filter("trim", start_frame=start, end_frame=end).filter(
            "setpts", "PTS-STARTPTS"
        )

    def chained_join(self, clips: list[Stream]) -> Stream:
        """Runs of cuts → ``concat``, transitions → ``xfade`` of everything so far: for
        transitions that overlap (a clip shorter than its two transitions)."""
        spec_clips = self.spec.clips
        pieces = self.pieces
        run = [clips[0]]
        length = pieces[0].frames  # frames of everything joined so far
        for index in range(1, len(clips)):
            transition = spec_clips[pieces[index - 1].clip].transition
            if transition.kind == "cut":
                run.append(clips[index])
            else:
                joined = self.concat(run)
                if len(run) > 1:
                    # concat hands on a microsecond time base; xfade needs the clips' own (a cut
                    # inside a scene, then a transition into the next: ADR 0041)
                    joined = joined.filter("settb", expr=f"1/{self.fps}")
                run = [
                    one(
                        "xfade",
                        [joined, clips[index]],
                        transition=transition.kind,
                        duration=self.seconds(transition.frames),
                        offset=self.seconds(length - transition.frames),
                    ).filter("format", **_PICTURE)
                ]
            length += pieces[index].frames - transition.frames
        return self.concat(run)

    def concat(self, run: list[Stream]) -> Stream:
        if len(run) == 1:
            return run[0]
        return one("concat", run, n=len(run), v=1, a=0).filter("format", **_PICTURE)

    def watermark(self, video: Stream, overlay: ImageOverlay, total: int) -> Stream:
        if overlay.motion != "none" or overlay.fade > 0:
            return self.moving_overlay(video, overlay, total)
        logo = Input(overlay.path).video().filter("scale", w=overlay.width, h=-1)
        logo = logo.filter("format", "rgba").filter("colorchannelmixer", aa=overlay.opacity)
        m = overlay.margin
        x, y = {
            "top-left": (f"{m}", f"{m}"),
            "top-right": (f"W-w-{m}", f"{m}"),
            "bottom-left": (f"{m}", f"H-h-{m}"),
            "bottom-right": (f"W-w-{m}", f"H-h-{m}"),
            "center": ("(W-w)/2", "(H-h)/2"),
            "top": ("(W-w)/2", f"{m}"),
        }[overlay.corner]
        end = overlay.end if overlay.end is not None else total
        first, last = self.origin, self.origin + len_of(self.window, total)
        if overlay.start <= first and end >= last:
            return one("overlay", [video, logo], x=x, y=y)
        origin = self.origin  # ``n`` counts this graph's frames
        enable = f"between(n,{overlay.start - origin},{end - 1 - origin})"
        return one("overlay", [video, logo], x=x, y=y, enable=enable)

    def moving_overlay(self, video: Stream, overlay: ImageOverlay, total: int) -> Stream:
        """An image shown from ``start`` to ``end``, faded in and out, drifting if it floats.

        The image is decoded once and held for its frames (as stills are), its timestamps
        moved to its start, so the overlay shows nothing before it and nothing after it.
        """
        end = overlay.end if overlay.end is not None else total
        frames = end - overlay.start
        picture = Input(overlay.path).video().filter("scale", w=overlay.width, h=-1)
        picture = picture.filter("format", "rgba")
        if overlay.opacity < 1:
            picture = picture.filter("colorchannelmixer", aa=overlay.opacity)
        picture = self.hold(picture, frames)
        fade = min(overlay.fade, frames // 2)
        if fade > 0:
            picture = picture.filter("fade", t="in", s=0, n=fade, alpha=1).filter(
                "fade", t="out", s=frames - fade, n=fade, alpha=1
            )
        if overlay.start:
            picture = picture.filter("setpts", f"PTS+{overlay.start}/({self.fps}*TB)")
        m = overlay.margin
        x, y = {
            "top-left": (f"{m}", f"{m}"),
            "top-right": (f"W-w-{m}", f"{m}"),
            "bottom-left": (f"{m}", f"H-h-{m}"),
            "bottom-right": (f"W-w-{m}", f"H-h-{m}"),
            "center": ("(W-w)/2", "(H-h)/2"),
            "top": ("(W-w)/2", f"{m}"),
        }[overlay.corner]
        if overlay.motion == "float":
            # A slow bob (4 s) and sway (7 s), a few percent of the picture's size.
            x = f"{x}+w*0.03*sin(2*PI*t/7)"
            y = f"{y}+h*0.04*sin(2*PI*t/4)"
        return one("overlay", [video, picture], x=x, y=y, eof_action="pass")

    # ------------------------------------------------ audio

    def audio_format(self, stream: Stream) -> Stream:
        return stream.filter(
            "aformat", sample_fmts="fltp", sample_rates=self.rate, channel_layouts="stereo"
        )

    def gain(self, stream: Stream, db: float) -> Stream:
        return stream if db == 0 else stream.filter("volume", volume=f"{db:g}dB")

    def delay(self, stream: Stream, frames: int) -> Stream:
        if frames == 0:
            return stream
        return stream.filter("adelay", delays=f"{self.samples(frames)}S", all=1)

    def audio_mix(self) -> Stream | None:
        """Every audio source mixed (no normalisation), or ``None`` when there is none."""
        tracks = self.spec.audio
        parts: list[Stream] = []
        voice: Stream | None = None
        if tracks.voice is not None:
            voice = self.audio_format(Input(tracks.voice.path).audio())
            voice = self.delay(self.gain(voice, tracks.voice.gain_db), tracks.voice.start)
            # Full length, so the side-chain key never ends before the music.
            voice = voice.filter("apad", whole_len=self.total_samples)
            parts.append(voice)
        if tracks.music is not None:
            parts.append(self.music(voice))
        starts = self.spec.clip_starts()
        for index, (clip, start) in enumerate(zip(self.spec.clips, starts, strict=True)):
            if isinstance(clip, VideoClip) and not clip.mute:
                parts.append(self.clip_audio(clip, self.clip_input(index), start))
        for effect in tracks.effects:
            sound = self.audio_format(Input(effect.path).audio())
            parts.append(self.delay(self.gain(sound, effect.gain_db), effect.at))
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return one("amix", parts, inputs=len(parts), duration="longest", normalize=0)

    def music(self, voice: Stream | None) -> Stream:
        bed = self.spec.audio.music
        assert bed is not None
        total = self.spec.duration
        options: tuple[str, ...] = ()
        if bed.loop:
            options = ("-stream_loop", "-1", "-t", self.seconds(total + self.fps))
        music = self.gain(self.audio_format(Input(bed.path, options).audio()), bed.gain_db)
        music = music.filter("apad", whole_len=self.total_samples).filter(
            "atrim", end_sample=self.total_samples
        )
        if bed.fade_in > 0:
            music = music.filter("afade", t="in", st=0, d=self.seconds(min(bed.fade_in, total)))
        if bed.fade_out > 0:
            fade = min(bed.fade_out, total)
            music = music.filter(
                "afade", t="out", st=self.seconds(total - fade), d=self.seconds(fade)
            )
        duck = bed.ducking
        if voice is None or not duck.enabled:
            return music
        return one(
            "sidechaincompress",
            [music, voice],
            threshold=duck.threshold,
            ratio=duck.ratio,
            attack=duck.attack_ms,
            release=duck.release_ms,
        )

    def clip_audio(self, clip: VideoClip, source_file: Input, start: int) -> Stream:
        sound = self.audio_format(source_file.audio())
        sound = sound.filter(
            "atrim",
            start_sample=self.samples(clip.source_in),
            end_sample=self.samples(clip.source_in + clip.duration),
        ).filter("asetpts", "PTS-STARTPTS")
        return self.delay(sound, start)

    def finish_audio(self, mix: Stream | None, gain_db: float | None) -> Stream:
        total = self.total_samples
        if mix is None:
            silence = source("anullsrc", "audio", r=self.rate, cl="stereo")
            return silence.filter("atrim", end_sample=total)
        loud = self.out.loudness
        if gain_db is None:
            level = mix.filter("loudnorm", I=loud.integrated, TP=loud.true_peak, LRA=loud.lra)
            level = level.filter("aresample", self.rate)
        else:
            level = self.level(mix, gain_db)
        return level.filter("apad", whole_len=total).filter("atrim", end_sample=total)

    def level(self, mix: Stream, gain_db: float) -> Stream:
        """The measured gain, then a look-ahead limiter under the true-peak target."""
        limit = min(1.0, 10 ** (limiter_ceiling_db(self.spec) / 20))
        return self.gain(mix, round(gain_db, 2)).filter(
            "alimiter", limit=round(limit, 4), level=0, latency=1
        )


def len_of(window: Window | None, total: int) -> int:
    """Frames of a graph: its window's, or the whole video's."""
    return window.frames if window is not None else total


def _ass_seconds(text: str) -> float:
    hours, minutes, seconds = text.strip().split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def events_within(document: str, start: float, end: float) -> str:
    """An ASS document with only the events that show between ``start`` and ``end``
    seconds (kept with a frame's slack either side; events never shown there draw nothing,
    so the frames are the same, but libass holds no memory for them)."""
    slack = 0.1
    lines: list[str] = []
    for line in document.split("\n"):
        if line.startswith("Dialogue:"):
            fields = line[len("Dialogue:") :].split(",", 3)
            shown_from, shown_to = _ass_seconds(fields[1]), _ass_seconds(fields[2])
            if shown_to < start - slack or shown_from > end + slack:
                continue
        lines.append(line)
    return "\n".join(lines)


__all__ = [
    "CAPTIONS_FILE",
    "CompiledRender",
    "compile_audio",
    "compile_join",
    "compile_loudness_analysis",
    "compile_segment",
    "compile_spec",
    "compile_still",
    "events_within",
    "gop_frames",
    "limiter_ceiling_db",
    "segment_captions_file",
]
