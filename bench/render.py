"""Render benchmark: the same vertical short rendered three ways in one run.

1. **ours** — a ``RenderSpec`` rendered by ``video_orchestrator.render.renderer.Renderer``
   (one FFmpeg command, one filter graph, one encode);
2. **MoviePy** — the equivalent MoviePy 2 composition, the way MoneyPrinterTurbo renders
   (VideoFileClip → cropped/resized → concatenated with a crossfade → CompositeVideoClip with
   one TextClip per caption group → CompositeAudioClip → ``write_videofile``);
3. **floor** — x264 alone encoding the frames of our own output, decoded beforehand to a raw
   YUV file (only the encode is measured).

All three use the same x264 preset, CRF, profile, VBV cap and GOP. Each variant runs in its own
child process; wall time, CPU time (user+sys of the child and its descendants, from ``wait4``)
and peak memory are measured the same way for all. If the Piper provider is installed its
real-time factor is measured too. See ``bench/README.md``.

Usage::

    .venv/bin/python bench/render.py                 # 60 s 1080x1920, records bench/RESULTS.md
    .venv/bin/python bench/render.py --seconds 10 --no-record
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

from _common import (  # noqa: E402
    Measurement,
    TimedWord,
    ffmpeg_version,
    landscape_source,
    machine_summary,
    measure,
    music_bed,
    run_ffmpeg,
    script_words,
    voice_like,
    wait_for_quiet,
)

from video_orchestrator.spec.model import (  # noqa: E402
    AudioTracks,
    Box,
    CaptionPosition,
    CaptionStyle,
    CaptionTrack,
    MusicBed,
    Output,
    RenderSpec,
    Transition,
    VideoClip,
    VoiceTrack,
    Word,
)

WORK = HERE / "work"
FADE_FRAMES = 9
REFERENCE_HEIGHT = 1920  # the default style and safe zone are given in px at this height

# ---------------------------------------------------------------- the short


def build_spec(
    *,
    seconds: int,
    width: int,
    height: int,
    fps: int,
    preset: str,
    crf: int,
    sources: tuple[Path, Path],
    voice: Path,
    music: Path,
    words: list[TimedWord],
) -> RenderSpec:
    """Two landscape clips with a fade, karaoke captions, a voice and ducked music."""
    output = Output.model_validate(
        {"width": width, "height": height, "fps": fps, "preset": preset, "crf": crf}
    )
    tb = output.timebase
    total = seconds * fps
    first = total // 2 + FADE_FRAMES // 2 + 1
    second = total - first + FADE_FRAMES
    scale = height / REFERENCE_HEIGHT
    default_style = CaptionStyle()
    default_safe = CaptionPosition().safe
    style = default_style.model_copy(
        update={
            "size": max(8, round(default_style.size * scale)),
            "outline": round(default_style.outline * scale, 2),
            "shadow": round(default_style.shadow * scale, 2),
        }
    )
    safe = Box(
        top=round(default_safe.top * scale),
        bottom=round(default_safe.bottom * scale),
        left=round(default_safe.left * width / 1080),
        right=round(default_safe.right * width / 1080),
    )
    caption_words = []
    for word in words:
        start = tb.to_frames(word.start)
        end = max(tb.to_frames(word.end), start + 1)
        if start < total:
            caption_words.append(
                Word(text=word.text, start=start, end=end, sentence_end=word.sentence_end)
            )
    return RenderSpec(
        output=output,
        clips=[
            VideoClip(
                path=str(sources[0]),
                duration=first,
                transition=Transition(kind="fade", frames=FADE_FRAMES),
            ),
            VideoClip(path=str(sources[1]), duration=second),
        ],
        captions=CaptionTrack(
            words=caption_words, style=style, position=CaptionPosition(safe=safe)
        ),
        audio=AudioTracks(voice=VoiceTrack(path=str(voice)), music=MusicBed(path=str(music))),
    )


def x264_args(output: Output) -> list[str]:
    """Encoder options shared by all three variants (MoviePy adds -preset and -pix_fmt itself)."""
    args = ["-profile:v", output.profile, "-crf", str(output.crf)]
    if output.max_bitrate_kbps is not None:
        args += [
            "-maxrate",
            f"{output.max_bitrate_kbps}k",
            "-bufsize",
            f"{2 * output.max_bitrate_kbps}k",
        ]
    gop = max(1, round(output.gop_seconds * output.fps))
    args += ["-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0", "-flags", "+cgop"]
    return args


def caption_groups(captions: CaptionTrack) -> list[list[Word]]:
    """Words shown together: at most ``max_words`` and ``max_chars_per_line * max_lines``
    characters, and a new group after every sentence end."""
    style = captions.style
    budget = style.max_chars_per_line * style.max_lines
    groups: list[list[Word]] = []
    current: list[Word] = []
    for word in captions.words:
        length = sum(len(w.text) + 1 for w in current) + len(word.text)
        if current and (len(current) >= style.max_words or length > budget):
            groups.append(current)
            current = []
        current.append(word)
        if word.sentence_end:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


# ---------------------------------------------------------------- child processes


def child_ours(spec_path: Path, out: Path, cache: Path) -> None:
    from video_orchestrator.render.ffmpeg import ffmpeg_binary
    from video_orchestrator.render.fonts import font_environment
    from video_orchestrator.render.renderer import Renderer

    spec = RenderSpec.model_validate_json(spec_path.read_text(encoding="utf-8"))
    # with the thread plan of this machine, as the product's AppContext makes it
    Renderer.for_machine(ffmpeg_binary(), font_environment(cache), os.cpu_count() or 1).render(
        spec, out
    )


def child_moviepy(spec_path: Path, out: Path, temp: Path) -> None:
    import fontpkg_anton
    from moviepy import (  # type: ignore[import-untyped]
        AudioFileClip,
        CompositeAudioClip,
        CompositeVideoClip,
        TextClip,
        VideoFileClip,
        afx,
        concatenate_videoclips,
        vfx,
    )

    spec = RenderSpec.model_validate_json(spec_path.read_text(encoding="utf-8"))
    o = spec.output
    fps = o.fps
    width, height = o.width, o.height
    total = spec.duration / fps
    font = str(Path(fontpkg_anton.__file__).parent / "files" / "Anton-Regular.ttf")

    def background(clip: Any) -> Any:
        source = VideoFileClip(clip.path, audio=False)
        source = source.subclipped(clip.source_in / fps, (clip.source_in + clip.duration) / fps)
        src_w, src_h = source.size
        cover = max(width / src_w, height / src_h)
        crop_w = min(src_w, 2 * round(width / cover / 2))
        crop_h = min(src_h, 2 * round(height / cover / 2))
        source = source.cropped(x_center=src_w / 2, y_center=src_h / 2, width=crop_w, height=crop_h)
        return source.resized((width, height))

    pieces: list[Any] = []
    for index, clip in enumerate(spec.clips):
        piece = background(clip)
        if index > 0 and spec.clips[index - 1].transition.frames:
            piece = piece.with_effects(
                [vfx.CrossFadeIn(spec.clips[index - 1].transition.frames / fps)]
            )
        pieces.append(piece)
    overlap = spec.clips[0].transition.frames / fps
    base = concatenate_videoclips(pieces, method="compose", padding=-overlap)

    layers: list[Any] = [base]
    captions = spec.captions
    assert captions is not None
    style = captions.style
    safe = captions.position.safe
    box_width = width - safe.left - safe.right
    groups = caption_groups(captions)
    for number, group in enumerate(groups):
        start = group[0].start / fps
        end = groups[number + 1][0].start / fps if number + 1 < len(groups) else total
        end = min(end, group[-1].end / fps + 0.6, total)
        text = " ".join(w.text for w in group)
        text = text.upper() if style.uppercase else text
        caption = TextClip(
            font=font,
            text=text,
            font_size=style.size,
            color=style.colour,
            stroke_color=style.outline_colour,
            stroke_width=max(1, round(style.outline)),
            method="caption",
            size=(box_width, None),
            margin=(0, round(style.outline) + style.size // 4),  # room for stroke and descenders
            text_align="center",
        )
        top = height - safe.bottom - caption.h
        caption = caption.with_position((safe.left, top)).with_start(start).with_end(end)
        layers.append(caption)

    tracks: list[Any] = []
    audio = spec.audio
    if audio.voice is not None:
        voice = AudioFileClip(audio.voice.path).with_start(audio.voice.start / fps)
        if audio.voice.gain_db:
            voice = voice.with_volume_scaled(10 ** (audio.voice.gain_db / 20))
        tracks.append(voice)
    if audio.music is not None:
        music = AudioFileClip(audio.music.path)
        music = (
            music.subclipped(0, total)
            if music.duration >= total
            else music.with_effects([afx.AudioLoop(duration=total)])
        )
        music = music.with_volume_scaled(10 ** (audio.music.gain_db / 20)).with_effects(
            [
                afx.AudioFadeIn(audio.music.fade_in / fps),
                afx.AudioFadeOut(audio.music.fade_out / fps),
            ]
        )
        tracks.append(music)
    video = CompositeVideoClip(layers, size=(width, height)).with_duration(total)
    if tracks:
        video = video.with_audio(CompositeAudioClip(tracks).with_duration(total))
    video.write_videofile(
        str(out),
        fps=fps,
        codec="libx264",
        preset=o.preset,
        ffmpeg_params=x264_args(o),
        audio_codec="aac",
        audio_fps=o.sample_rate,
        audio_bitrate=f"{o.audio_bitrate_kbps}k",
        temp_audiofile_path=str(temp),
        threads=2,
        logger=None,
    )
    video.close()


def child_piper(text_path: Path, out: Path) -> None:
    from video_orchestrator.ports.tts import SpeechRequest
    from video_orchestrator.providers.piper.tts import PiperTTS

    text = text_path.read_text(encoding="utf-8")
    started = time.perf_counter()
    tts = PiperTTS()
    voices = tts.voices()
    voice = next((v.id for v in voices if v.installed), voices[0].id)
    tts.synthesize(SpeechRequest(text="Warming up the voice.", voice=voice), out)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    speech = tts.synthesize(SpeechRequest(text=text, voice=voice), out)
    synth = time.perf_counter() - started
    report = {
        "voice": voice,
        "load_and_warm_up": loaded,
        "synth": synth,
        "audio": speech.duration,
        "words": len(speech.words),
    }
    print(json.dumps(report))


def run_child(argv: list[str]) -> None:
    kind, *rest = argv
    paths = [Path(p) for p in rest]
    if kind == "ours":
        child_ours(*paths)
    elif kind == "moviepy":
        child_moviepy(*paths)
    elif kind == "piper":
        child_piper(*paths)
    else:
        raise SystemExit(f"unknown child {kind!r}")


# ---------------------------------------------------------------- the parent


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    result: Measurement
    output: Path


def best_of(
    times: int,
    before: Callable[[], None],
    argv: list[str],
    env: dict[str, str] | None = None,
) -> Measurement:
    """Run ``argv`` ``times`` times (calling ``before`` first each time); keep the fastest."""
    runs: list[Measurement] = []
    for _ in range(max(1, times)):
        before()
        runs.append(measure(argv, env=env))
    if len(runs) > 1:
        print("    walls: " + ", ".join(f"{r.wall:.1f}" for r in runs), flush=True)
    return min(runs, key=lambda r: r.wall)


def probe(path: Path) -> tuple[int, float, str]:
    """Frames, duration in seconds and 'WxH' of the first video stream (PyAV)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.demux(stream) if _.size)
        duration = float(container.duration or 0) / 1_000_000
        return frames, duration, f"{stream.codec_context.width}x{stream.codec_context.height}"


def piper_available() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("video_orchestrator.providers.piper.tts") is not None
    except ModuleNotFoundError:
        return False


def piper_text(target_words: int = 115) -> str:
    """About 45 s of narration: whole sentences up to ``target_words`` words."""
    words = [w.text for w in script_words(400.0)]
    taken: list[str] = []
    for word in words:
        taken.append(word)
        if len(taken) >= target_words and word.endswith("."):
            break
    return " ".join(taken)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "n/a"


def markdown(
    args: argparse.Namespace,
    ffmpeg: str,
    rows: list[Row],
    piper: dict[str, float] | None,
    piper_cost: Measurement | None,
    spec: RenderSpec,
    words: int,
    groups: int,
) -> str:
    o = spec.output
    today = dt.date.today().isoformat()
    try:
        moviepy_version = metadata.version("moviepy")
    except metadata.PackageNotFoundError:
        moviepy_version = "not installed"
    lines = [
        f"## {today} — {machine_summary()}",
        "",
        f"{args.seconds} s {o.width}×{o.height} {o.fps} fps; two 1920×1080 H.264 sources "
        f"cover-cropped to 9:16 with a {FADE_FRAMES}-frame fade; {words} caption words "
        f"(karaoke in ours, {groups} TextClips in MoviePy); voice + music bed "
        f"(ducked in ours). x264 `{o.preset}` CRF {o.crf} for all three "
        f"(`{' '.join(x264_args(o))}`). {ffmpeg_version(ffmpeg)}, MoviePy {moviepy_version}, "
        f"Python {sys.version.split()[0]}.",
        "",
        "| variant | wall s | CPU s (user+sys) | peak RSS, largest process MB "
        "| peak RSS, whole tree MB | frames | output MB | other processes' load, CPUs |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        r = row.result
        frames, _, _ = probe(row.output)
        size = row.output.stat().st_size / 2**20
        lines.append(
            f"| {row.name} | {r.wall:.1f} | {r.cpu:.1f} | {r.max_rss_mb:.0f} "
            f"| {r.tree_peak_mb:.0f} | {frames} | {size:.1f} | {r.others:.2f} |"
        )
    by = {row.name.split()[0]: row.result for row in rows}
    busiest = max(row.result.others for row in rows)
    if busiest > 0.25:
        lines += [
            "",
            f"**Warning:** other processes kept up to {busiest:.1f} of the machine's CPUs busy "
            "during a variant, so wall times are inflated; the CPU-time ratios are the "
            "trustworthy ones for this run.",
        ]
    lines += ["", "| ratio | wall | CPU | target |", "| --- | ---: | ---: | --- |"]
    ours = by.get("ours")
    floor = by.get("floor")
    mp = by.get("MoviePy")
    if ours and mp:
        met = "met" if mp.wall / ours.wall >= 4 else "NOT met"
        lines.append(
            f"| MoviePy / ours | {ratio(mp.wall, ours.wall)} | {ratio(mp.cpu, ours.cpu)} "
            f"| ours ≥ 4× faster: {met} |"
        )
    if ours and floor:
        met = "met" if ours.wall / floor.wall <= 1.3 else "NOT met"
        lines.append(
            f"| ours / floor | {ratio(ours.wall, floor.wall)} | {ratio(ours.cpu, floor.cpu)} "
            f"| ≤ 1.3×: {met} |"
        )
    if ours:
        met = "met" if ours.tree_peak_mb < 400 else "NOT met"
        lines.append(
            f"| ours peak memory | {ours.tree_peak_mb:.0f} MB (tree) | "
            f"{ours.max_rss_mb:.0f} MB (largest) | < 400 MB: {met} |"
        )
    if piper and piper_cost:
        rtf = piper["synth"] / piper["audio"]
        met = "met" if rtf < 0.15 else "NOT met"
        lines += [
            "",
            f"Piper voice `{piper.get('voice', '?')}`: {piper['audio']:.1f} s of speech "
            f"({int(piper['words'])} words) synthesised in {piper['synth']:.2f} s: "
            f"**real-time factor {rtf:.3f}** (target < 0.15: {met}); loading the voice and a "
            f"warm-up sentence took {piper['load_and_warm_up']:.2f} s; the whole child process "
            f"used {piper_cost.cpu:.1f} s CPU and {piper_cost.max_rss_mb:.0f} MB peak RSS; "
            f"other processes kept {piper_cost.others:.2f} CPUs busy meanwhile.",
        ]
    elif not args.skip_piper:
        lines += [
            "",
            "Piper: `video_orchestrator.providers.piper.tts` not available; not measured.",
        ]
    lines.append("")
    return "\n".join(lines)


def record(results: Path, section: str) -> None:
    preamble = (
        "# Benchmark results\n\n"
        "Produced by `bench/render.py` (method in `bench/README.md`); newest first. "
        "Compare ratios measured in one run, not absolute times across machines.\n\n"
    )
    old = results.read_text(encoding="utf-8") if results.exists() else preamble
    head, sep, rest = old.partition("\n## ")
    body = head.rstrip() + "\n\n" + section.rstrip() + "\n"
    if sep:
        body += "\n## " + rest
    results.write_text(body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=int, default=60, help="length of the short (60)")
    parser.add_argument("--size", default="1080x1920", help="output WxH (1080x1920)")
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--preset", default=Output().preset, help="x264 preset for all three")
    parser.add_argument("--crf", type=int, default=Output().crf, help="x264 CRF for all three")
    parser.add_argument("--skip-moviepy", action="store_true", help="leave MoviePy out")
    parser.add_argument("--skip-piper", action="store_true", help="do not time Piper")
    parser.add_argument("--no-record", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--work", type=Path, default=WORK, help="media and outputs (bench/work)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run ours and the floor this many times and keep the fastest (MoviePy runs once)",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=180.0,
        help="before each variant wait up to this many seconds for other processes to go "
        "quiet (0: do not wait)",
    )
    versus = parser.add_argument_group("--versus: ours vs a hand-written command vs the floor")
    versus.add_argument(
        "--versus",
        action="store_true",
        help="alternate ours, a hand-written FFmpeg command and the x264 floor (bench/versus.py)",
    )
    versus.add_argument("--rounds", type=int, default=3, help="A B C rounds (3)")
    versus.add_argument(
        "--style",
        default="karaoke",
        help="caption style, or styles separated by commas, all in one run and one section "
        "(karaoke: the product's default)",
    )
    versus.add_argument(
        "--variants", default="ours,hand,floor", help="which, in round order (ours,hand,floor)"
    )
    versus.add_argument("--note", default="", help="a sentence for RESULTS.md")
    versus.add_argument(
        "--baseline",
        default=None,
        help="a checkout (e.g. a git worktree of the previous commit): its render is variant "
        "'before', to compare in the same run",
    )
    args = parser.parse_args(argv)
    if args.versus:
        import versus as versus_bench

        return versus_bench.main(args)
    width, height = (int(v) for v in args.size.lower().split("x"))

    import imageio_ffmpeg

    ffmpeg = str(imageio_ffmpeg.get_ffmpeg_exe())
    work: Path = args.work
    media = work / "media"
    runs = work / f"run-{args.seconds}s-{width}x{height}"
    runs.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    this = str(Path(__file__).resolve())
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

    print(f"machine: {machine_summary()}; {ffmpeg_version(ffmpeg)}")

    def quiet() -> None:
        if args.max_wait > 0:
            load = wait_for_quiet(args.max_wait)
            print(f"    other processes keep {load:.2f} CPUs busy", flush=True)

    print("preparing source media in", media, "(reused across runs) …", flush=True)
    clip_seconds = math.ceil(args.seconds / 2 + 1)
    sources = (
        landscape_source(
            ffmpeg, media / f"gradients-1080p-{clip_seconds}s.mp4", "gradients", clip_seconds
        ),
        landscape_source(
            ffmpeg, media / f"testsrc2-1080p-{clip_seconds}s.mp4", "testsrc2", clip_seconds
        ),
    )
    words = script_words(float(args.seconds))
    voice = voice_like(media / f"voice-{args.seconds}s.wav", words, float(args.seconds))
    music = music_bed(media / f"music-{args.seconds + 5}s.wav", float(args.seconds + 5))
    spec = build_spec(
        seconds=args.seconds,
        width=width,
        height=height,
        fps=args.fps,
        preset=args.preset,
        crf=args.crf,
        sources=sources,
        voice=voice,
        music=music,
        words=words,
    )
    assert spec.captions is not None
    spec_path = runs / "spec.json"
    spec_path.write_text(spec.model_dump_json(indent=2), encoding="utf-8")
    print(f"spec: {spec.duration} frames, {len(spec.captions.words)} words → {spec_path}")

    rows: list[Row] = []
    ours_out = runs / "ours.mp4"
    print("1/3 ours …", flush=True)
    ours = best_of(
        args.repeat,
        quiet,
        [python, this, "_child", "ours", str(spec_path), str(ours_out), str(work / "cache")],
        env,
    )
    rows.append(Row("ours (one FFmpeg command)", ours, ours_out))
    print(f"    {ours.wall:.1f} s wall, {ours.cpu:.1f} s CPU", flush=True)

    print("2/3 floor: decoding our output to raw YUV (not measured) …", flush=True)
    raw = runs / "ours.yuv"
    run_ffmpeg(
        ffmpeg, ["-i", str(ours_out), "-an", "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw)]
    )
    floor_out = runs / "floor.mp4"
    o = spec.output
    try:
        # read the file once so the measured encode finds it in the page cache
        with raw.open("rb") as handle:
            while handle.read(1 << 24):
                pass
        print("    encoding raw frames with x264 …", flush=True)
        floor = best_of(
            args.repeat,
            quiet,
            [
                ffmpeg,
                *("-hide_banner", "-loglevel", "error", "-nostdin", "-y"),
                *("-f", "rawvideo", "-pix_fmt", "yuv420p"),
                *("-s", f"{width}x{height}", "-r", str(o.fps), "-i", str(raw), "-an"),
                *("-c:v", "libx264", "-preset", o.preset, "-pix_fmt", o.pix_fmt),
                *x264_args(o),
                str(floor_out),
            ],
        )
    finally:
        raw.unlink(missing_ok=True)
    rows.append(Row("floor (x264 on raw frames)", floor, floor_out))
    print(f"    {floor.wall:.1f} s wall, {floor.cpu:.1f} s CPU", flush=True)

    if not args.skip_moviepy:
        print("3/3 MoviePy …", flush=True)
        mp_out = runs / "moviepy.mp4"
        temp = runs / "moviepy-tmp"
        temp.mkdir(exist_ok=True)
        quiet()
        mp = measure(
            [python, this, "_child", "moviepy", str(spec_path), str(mp_out), str(temp)], env=env
        )
        shutil.rmtree(temp, ignore_errors=True)
        rows.append(Row("MoviePy 2 (write_videofile)", mp, mp_out))
        print(f"    {mp.wall:.1f} s wall, {mp.cpu:.1f} s CPU", flush=True)
    rows = [rows[0], *rows[2:], rows[1]]  # ours, MoviePy, floor

    piper: dict[str, float] | None = None
    piper_cost: Measurement | None = None
    if not args.skip_piper and piper_available():
        print("Piper real-time factor …", flush=True)
        text_path = runs / "piper.txt"
        text_path.write_text(piper_text(), encoding="utf-8")
        quiet()
        piper_cost = measure(
            [python, this, "_child", "piper", str(text_path), str(runs / "piper.wav")], env=env
        )
        piper = json.loads(piper_cost.stdout.strip().splitlines()[-1])

    section = markdown(
        args,
        ffmpeg,
        rows,
        piper,
        piper_cost,
        spec,
        len(spec.captions.words),
        len(caption_groups(spec.captions)),
    )
    print()
    print(section)
    if not args.no_record:
        record(args.results, section)
        print(f"recorded in {args.results}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        run_child(sys.argv[2:])
    else:
        raise SystemExit(main())
