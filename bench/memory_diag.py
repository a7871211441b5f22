"""Which part of a render grows in memory with the video's length (issue 14, diagnosis).

Builds the ``--versus`` composition (bench/versus.py) with ONE factor varied — clip count,
length, caption style, emoji, music, encoder — compiles it with the product's compiler
(the 2-core thread plan) and runs FFmpeg alone under ``nice -n 19``, printing its peak RSS
(``ru_maxrss``), CPU time and the size of its filter graph. Remedies are argv rewrites of the
same command (``--remedy``). Media and fonts are the versus bench's (``bench/work``: run
``bench/render.py --versus --seconds 300 --variants ours`` once to make the three sources,
``voice-300s.wav`` and ``music-36s.wav``).

    python bench/memory_diag.py --seconds 60 --clips 3 --style gradient --emoji --music
    python bench/memory_diag.py --seconds 60 --clips 12 --style none --null
    python bench/memory_diag.py --seconds 300 --clips 15 --render segmented  # whole tree
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _common import measure, script_words
from versus import EMOJI, FADE, FOLLOW_UP_IN, PATTERNS, SOURCE_SECONDS

if TYPE_CHECKING:
    from video_orchestrator.render.compiler import CompiledRender
    from video_orchestrator.render.fonts import FontEnvironment

from video_orchestrator.spec.model import (
    AudioTracks,
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

HERE = Path(__file__).resolve().parent


def compile_into(
    spec: RenderSpec, runs: Path, work: Path, ffmpeg: str, **options: Any
) -> tuple[CompiledRender, Path, FontEnvironment]:
    """``spec`` compiled by the product's compiler into ``runs/workdir`` (its files, emoji
    pictures and fonts written as the renderer writes them), output ``runs/out.mp4``."""
    from video_orchestrator.render.compiler import compile_segment, compile_spec
    from video_orchestrator.render.font_subset import fonts_for, link_fonts
    from video_orchestrator.render.fonts import font_environment, font_files
    from video_orchestrator.render.renderer import _write_files
    from video_orchestrator.render.text_measure import FontMeasure

    workdir = runs / "workdir"
    shutil.rmtree(workdir, ignore_errors=True)  # a run again: fonts are linked afresh
    workdir.mkdir(parents=True)
    fonts = font_environment(work / "cache")
    window = options.pop("window", None)
    compile_ = compile_spec if window is None else partial(compile_segment, window=window)
    compiled = compile_(
        spec,
        output=runs / "out.mp4",
        workdir=workdir,
        fonts_dir=workdir / "fonts",
        ffmpeg=ffmpeg,
        measure=FontMeasure(fonts),
        **options,
    )
    if window is None:
        _write_files(compiled, workdir, fonts)
    else:  # as render_segments: the fonts of the segment's own captions file
        _write_files(compiled, workdir)
        documents = "\n".join(compiled.files.values())
        link_fonts(fonts_for(documents, font_files(fonts)), fonts.fonts_dir, workdir / "fonts")
    return compiled, workdir, fonts


def spec_for(args: argparse.Namespace, media: Path) -> RenderSpec:
    output = Output.model_validate({"fps": 30, "preset": "veryfast", "crf": 21})
    tb = output.timebase
    sources = [media / f"stock-{p}-1080p-{SOURCE_SECONDS}s.mp4" for p in PATTERNS]
    per = args.seconds * 30 // args.clips
    clips = []
    for index in range(args.clips):
        follow_up = index % 2 == 1
        fade = follow_up and index != args.clips - 1
        clips.append(
            VideoClip(
                path=str(sources[index % len(sources)]),
                source_in=FOLLOW_UP_IN if follow_up else 0,
                duration=per + (FADE if fade else 0),
                fit="freeze",
                transition=Transition(kind="fade", frames=FADE)
                if fade
                else Transition(kind="cut", frames=0),
            )
        )
    total = sum(c.duration for c in clips) - sum(c.transition.frames for c in clips[:-1])
    captions = None
    if args.style != "none":
        words = []
        for number, word in enumerate(script_words(float(args.seconds))):
            start = tb.to_frames(word.start)
            end = max(tb.to_frames(word.end), start + 1)
            if start >= total:
                break
            emoji = args.emoji and number % 11 == 10
            text = EMOJI[(number // 11) % len(EMOJI)] if emoji else word.text
            words.append(Word(text=text, start=start, end=end, sentence_end=word.sentence_end))
        captions = CaptionTrack(
            words=words, style=CaptionStyle.model_validate({"preset": args.style})
        )
    voice = media / "voice-300s.wav"
    music = MusicBed(path=str(media / "music-36s.wav")) if args.music else None
    return RenderSpec(
        output=output,
        clips=clips,
        captions=captions,
        audio=AudioTracks(voice=VoiceTrack(path=str(voice)), music=music),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clips", type=int, default=3)
    parser.add_argument("--style", default="gradient", help="caption preset or 'none'")
    parser.add_argument("--emoji", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--music", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--null", action="store_true", help="no encoder: -f null")
    parser.add_argument("--remedy", default="", help="comma-separated argv rewrites")
    parser.add_argument(
        "--window",
        type=int,
        help="FFmpeg of this segment of the renderer's plan (0-based) instead of the whole "
        "single pass (the video only, as a segmented render runs it)",
    )
    parser.add_argument("--label", default="")
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--dry", action="store_true", help="print the argv only")
    parser.add_argument("--md5", type=Path, help="write the frames' MD5s here instead")
    parser.add_argument("--timeline", action="store_true", help="print RSS every second")
    parser.add_argument(
        "--render",
        choices=("single", "segmented"),
        help="run the product's whole Renderer (Python + every FFmpeg it starts) in one pass "
        "or in segments (ADR 0049) and measure the process tree, instead of FFmpeg alone",
    )
    parser.add_argument(
        "--segment-seconds", type=float, default=None, help="segment length (the renderer's)"
    )
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return render_child(args)
    if args.render:
        return render_tree(args)

    import imageio_ffmpeg

    from video_orchestrator.render.threads import thread_plan

    ffmpeg = str(imageio_ffmpeg.get_ffmpeg_exe())
    spec = spec_for(args, args.work / "media")
    runs = args.work / "memdiag" / (args.label or "run")
    plan = thread_plan(os.cpu_count() or 1)
    options: dict[str, Any] = {
        "decoder_threads": plan.decoder,
        "encoder_threads": plan.encoder,
        "encoder_args": plan.lookahead_args(),
    }
    if args.window is None:
        options["audio_gain_db"] = -3.0
    else:
        from video_orchestrator.render.renderer import Renderer

        windows = Renderer(ffmpeg, fonts=None, segment_above=0.0).windows(spec)  # type: ignore[arg-type]
        options["window"] = windows[args.window]
        print(f"window {args.window} of {len(windows)}: frames {windows[args.window]}")
    compiled, workdir, _ = compile_into(spec, runs, args.work, ffmpeg, **options)
    argv = list(compiled.argv)
    for remedy in filter(None, args.remedy.split(",")):
        argv = REMEDIES[remedy](argv)
    if args.md5:
        cut = argv.index("-c:v")
        argv = [
            *argv[:cut],
            *("-frames:v", str(spec.duration), "-pix_fmt", "yuv420p"),
            *("-f", "framemd5", str(args.md5)),
        ]
    if args.null:
        # yuv420p as x264 gets it: left to itself the null muxer's wrapped_avframe asks for
        # yuv444p, and FFmpeg adds a 1080×1920 conversion (~6 % of the floor) the render
        # never does.
        argv = [*argv[: argv.index("-c:v")], "-pix_fmt", "yuv420p", "-f", "null", "-"]
    graph = argv[argv.index("-filter_complex") + 1] if "-filter_complex" in argv else ""
    filters = graph.count(";") + graph.count(",") + 1
    inputs = argv.count("-i")
    (runs / "argv.txt").write_text("\n".join(argv) + "\n", encoding="utf-8")
    events = 0
    ass = workdir / "captions.ass"
    if ass.exists():
        events = sum(1 for line in ass.read_text().splitlines() if line.startswith("Dialogue:"))
    print(
        f"{args.label}: {len(spec.clips)} clips, {spec.duration / 30:.0f} s, inputs {inputs}, "
        f"graph {len(graph)} chars ~{filters} filters, {events} ASS events, "
        f"argv {sum(len(a) + 1 for a in argv)} B",
        flush=True,
    )
    if args.dry:
        return 0
    load = os.getloadavg()[0]
    if args.timeline:
        return timeline(["nice", "-n", os.environ.get("BENCH_NICE", "19"), *argv])
    result = measure(["nice", "-n", os.environ.get("BENCH_NICE", "19"), *argv])
    print(
        f"RESULT {args.label}: peak {result.max_rss_mb:.0f} MB (tree {result.tree_peak_mb:.0f}) "
        f"CPU {result.cpu:.1f} s wall {result.wall:.1f} s load {load:.1f}->"
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return 0


def make_media(media: Path, seconds: int) -> None:
    """The versus bench's sources, voice and music bed, made once (bench/work/media)."""
    import imageio_ffmpeg
    from _common import music_bed, stock_source, voice_like

    ffmpeg = str(imageio_ffmpeg.get_ffmpeg_exe())
    media.mkdir(parents=True, exist_ok=True)
    for pattern in PATTERNS:
        name = media / f"stock-{pattern}-1080p-{SOURCE_SECONDS}s.mp4"
        if not name.exists():
            stock_source(ffmpeg, name, pattern, SOURCE_SECONDS)
    if not (media / "voice-300s.wav").exists():
        voice_like(media / "voice-300s.wav", script_words(300.0), 300.0)
    if not (media / "music-36s.wav").exists():
        music_bed(media / "music-36s.wav", 36.0)


def render_tree(args: argparse.Namespace) -> int:
    """``--render``: the whole product render as a child process, its tree measured."""
    media = args.work / "media"
    make_media(media, args.seconds)
    spec = spec_for(args, media)
    runs = args.work / "memdiag" / (args.label or f"render-{args.render}-{args.seconds}")
    runs.mkdir(parents=True, exist_ok=True)
    spec_path = runs / "spec.json"
    spec_path.write_text(spec.model_dump_json(), encoding="utf-8")
    argv = ["nice", "-n", "19", sys.executable, str(Path(__file__).resolve())]
    argv += ["--render", args.render, "--work", str(args.work)]
    if args.segment_seconds is not None:
        argv += ["--segment-seconds", str(args.segment_seconds)]
    argv += ["--child", str(spec_path), str(runs / "out.mp4")]
    load = os.getloadavg()[0]
    result = measure(argv, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    print(result.stdout.strip(), flush=True)
    print(
        f"RESULT {args.label or args.render} {args.seconds}s: tree peak "
        f"{result.tree_peak_mb:.0f} MB, largest process {result.max_rss_mb:.0f} MB, "
        f"CPU {result.cpu:.1f} s, wall {result.wall:.1f} s, load {load:.1f}->"
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return 0


def render_child(args: argparse.Namespace) -> int:
    """The measured child: one product render with the machine's thread plan."""
    import imageio_ffmpeg

    from video_orchestrator.render.fonts import font_environment
    from video_orchestrator.render.renderer import SEGMENT_SECONDS, Renderer
    from video_orchestrator.render.threads import thread_plan

    spec_path, out = args.child
    spec = RenderSpec.model_validate_json(spec_path.read_text(encoding="utf-8"))
    plan = thread_plan(os.cpu_count() or 1)
    renderer = Renderer(
        str(imageio_ffmpeg.get_ffmpeg_exe()),
        font_environment(args.work / "cache"),
        decoder_threads=plan.decoder,
        encoder_threads=plan.encoder,
        encoder_args=plan.lookahead_args(),
        segment_above=None if args.render == "single" else 0.0,
        segment_seconds=args.segment_seconds or SEGMENT_SECONDS,
    )
    windows = renderer.windows(spec)
    renderer.render(spec, out)
    print(f"{len(windows)} window(s): " + " ".join(f"{w.start}-{w.end}" for w in windows))
    return 0


def timeline(argv: list[str]) -> int:
    """Run ``argv`` and print its resident memory (VmRSS) once a second."""
    import subprocess
    import time

    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    points = []
    while process.poll() is None:
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except OSError:
            break
        rss = next((ln.split()[1] for ln in status.splitlines() if ln.startswith("VmRSS")), "0")
        points.append(f"{time.monotonic() - started:.0f}s:{int(rss) // 1024}")
        time.sleep(1.0)
    print("TIMELINE " + " ".join(points), flush=True)
    return process.wait()


def _before_inputs(argv: list[str], extra: list[str]) -> list[str]:
    """``extra`` options before every ``-i``."""
    out: list[str] = []
    for arg in argv:
        if arg == "-i":
            out += extra
        out.append(arg)
    return out


_OVERLAY = re.compile(
    r"^\[(\w+)\]\[(\w+)\]overlay=x=(\d+):y=(\d+):enable=between\(n\\,(\d+)\\,(\d+)\)\[(\w+)\]$"
)
_SPLIT = re.compile(r"^\[(\d+:v:0)\]split=outputs=\d+((?:\[\w+\])+)$")


def merge_emoji(argv: list[str]) -> list[str]:
    """One overlay per emoji picture (x, y and enable as expressions of the frame number)
    instead of one overlay per placement."""
    at = argv.index("-filter_complex") + 1
    chains = argv[at].split(";")
    source: dict[str, str] = {}
    kept: list[str] = []
    for chain in chains:
        split = _SPLIT.match(chain)
        if split:
            for label in re.findall(r"\[(\w+)\]", split.group(2)):
                source[label] = split.group(1)
            continue
        kept.append(chain)
    placements: dict[str, list[tuple[str, str, str, str]]] = {}
    first: str | None = None
    last = ""
    rest: list[str] = []
    for chain in kept:
        match = _OVERLAY.match(chain)
        if not match:
            rest.append(chain)
            continue
        main, picture, x, y, start, end, out = match.groups()
        if first is None:
            first = main
        placements.setdefault(source.get(picture, picture), []).append((x, y, start, end))
        last = out
    if first is None:
        return argv
    current = first
    for number, (picture, spots) in enumerate(placements.items()):

        def piecewise(index: int, spots: list[tuple[str, str, str, str]] = spots) -> str:
            expr = "0"
            for spot in reversed(spots):
                expr = f"if(between(n\\,{spot[2]}\\,{spot[3]})\\,{spot[index]}\\,{expr})"
            return expr

        enable = "+".join(f"between(n\\,{s[2]}\\,{s[3]})" for s in spots)
        out = last if number == len(placements) - 1 else f"em{number}"
        rest.append(
            f"[{current}][{picture}]overlay=x={piecewise(0)}:y={piecewise(1)}:enable={enable}[{out}]"
        )
        current = out
    return [*argv[:at], ";".join(rest), *argv[at + 1 :]]


def _scale_flags(flags: str) -> Callable[[list[str]], list[str]]:
    """Every clip's ``scale`` with explicit swscale ``flags``."""

    def rewrite(argv: list[str]) -> list[str]:
        at = argv.index("-filter_complex") + 1
        graph = argv[at].replace("scale=w=1080:h=1920:", f"scale=w=1080:h=1920:flags={flags}:")
        return [*argv[:at], graph, *argv[at + 1 :]]

    return rewrite


def _graph_without(text: str) -> Callable[[list[str]], list[str]]:
    def rewrite(argv: list[str]) -> list[str]:
        at = argv.index("-filter_complex") + 1
        return [*argv[:at], argv[at].replace(text, ""), *argv[at + 1 :]]

    return rewrite


def decode_only(argv: list[str]) -> list[str]:
    """The video inputs decoded (same ``-t`` and threads) and nothing else."""
    head = argv[: argv.index("-filter_complex")]
    first = head.index("-i")
    while first > 0 and head[first - 2] in ("-t", "-threads", "-stream_loop"):
        first -= 2
    out = head[:first]
    options: list[str] = []
    count = 0
    index = first
    while index < len(head):
        if head[index] == "-i":
            if head[index + 1].endswith(".mp4"):
                out += [*options, "-i", head[index + 1]]
                count += 1
            options = []
            index += 2
            continue
        options.append(head[index])
        index += 1
    maps = [arg for n in range(count) for arg in ("-map", f"{n}:v:0")]
    return [*out, *maps, "-pix_fmt", "yuv420p", "-f", "null", "-"]


def no_xfade(argv: list[str]) -> list[str]:
    """Fades replaced by cuts (``concat``): what the 4:4:4 round trip that ``xfade`` forces
    on the whole stream costs (xfade takes no subsampled format in FFmpeg 9, so both inputs
    are converted to yuv444p and everything after it runs in 4:4:4). Not the same pixels
    (9 frames per fade differ, the video is 9 frames longer): an upper bound."""
    at = argv.index("-filter_complex") + 1
    graph = re.sub(
        r"xfade=transition=\w+:duration=[\d.]+:offset=[\d.]+", "concat=n=2:v=1:a=0", argv[at]
    )
    return [*argv[:at], graph, *argv[at + 1 :]]


_XFADE = re.compile(
    r"^\[(\w+)\]\[(\w+)\]xfade=transition=(\w+):duration=([\d.]+):offset=([\d.]+)(.*)$"
)


def windowed_xfade(argv: list[str], fps: int = 30) -> list[str]:
    """Only the fade's frames go through ``xfade`` (and its 4:4:4 round trip): each fade
    becomes split → trim (the rest of A, A's last frames, B's first frames, the rest of B)
    → xfade of the two short windows → ``format=yuv420p`` → concat of the three, so the
    rest of the video stays yuv420p and is never converted (a compiler change, prototyped)."""
    at = argv.index("-filter_complex") + 1
    chains = argv[at].split(";")
    out: list[str] = []
    for number, chain in enumerate(chains):
        match = _XFADE.match(chain)
        if not match:
            out.append(chain)
            continue
        a, b, kind, duration, offset, rest = match.groups()
        frames, start = round(float(duration) * fps), round(float(offset) * fps)
        w = f"w{number}"
        out += [
            f"[{a}]split=outputs=2[{w}a0][{w}a1]",
            f"[{w}a0]trim=end_frame={start}[{w}am]",
            f"[{w}a1]trim=start_frame={start},setpts=PTS-STARTPTS[{w}at]",
            f"[{b}]split=outputs=2[{w}b0][{w}b1]",
            f"[{w}b0]trim=end_frame={frames},setpts=PTS-STARTPTS[{w}bh]",
            f"[{w}b1]trim=start_frame={frames},setpts=PTS-STARTPTS[{w}bm]",
            f"[{w}at][{w}bh]xfade=transition={kind}:duration={duration}:offset=0,"
            f"format=yuv420p[{w}x]",
            f"[{w}am][{w}x][{w}bm]concat=n=3:v=1:a=0,settb=expr=1/{fps}{rest}",
        ]
    return [*argv[:at], ";".join(out), *argv[at + 1 :]]


def _without(*options: str) -> Callable[[list[str]], list[str]]:
    """The argv without each of ``options`` and its value."""

    def rewrite(argv: list[str]) -> list[str]:
        out: list[str] = []
        skip = False
        for arg in argv:
            if skip:
                skip = False
            elif arg in options:
                skip = True
            else:
                out.append(arg)
        return out

    return rewrite


def _x264_params(params: str) -> Callable[[list[str]], list[str]]:
    """``-x264-params`` of the output set to ``params`` (the plan's replaced)."""

    def rewrite(argv: list[str]) -> list[str]:
        argv = _without("-x264-params")(argv)
        at = argv.index("-c:v")
        return [*argv[:at], "-x264-params", params, *argv[at:]]

    return rewrite


def _global(*options: str) -> Callable[[list[str]], list[str]]:
    """Global ``options`` before the inputs."""
    return lambda argv: [*argv[:4], *options, *argv[4:]]


def _output(*options: str) -> Callable[[list[str]], list[str]]:
    """Output ``options`` (after the encoder's)."""

    def rewrite(argv: list[str]) -> list[str]:
        at = argv.index("-f", argv.index("-c:v"))
        return [*argv[:at], *options, *argv[at:]]

    return rewrite


REMEDIES = {
    "no_xfade": no_xfade,
    "windowed_xfade": windowed_xfade,
    "bilinear": _scale_flags("bilinear"),
    "fast_bilinear": _scale_flags("fast_bilinear"),
    "lanczos": _scale_flags("lanczos"),
    "bicubic_noacc": _scale_flags("bicubic+accurate_rnd"),
    "no_out_range": _graph_without(":out_range=limited"),
    "no_format": _graph_without(",format=yuv420p"),
    "decode_only": decode_only,
    "emoji1": merge_emoji,
    "tqs1": lambda argv: _before_inputs(argv, ["-thread_queue_size", "1"]),
    "fct1": lambda argv: [*argv[:4], "-filter_complex_threads", "1", *argv[4:]],
    "x264_defaults": _without("-threads:v", "-rc-lookahead", "-x264-params"),
    "x264_threads1": _output("-threads:v", "1"),
    "x264_sliced": _x264_params("sliced-threads=1:sync-lookahead=0"),
    "x264_la_threads1": _x264_params("sync-lookahead=0:lookahead-threads=1"),
    "fbf1": _global("-filter_buffered_frames", "1"),
    "fbf4": _global("-filter_buffered_frames", "4"),
    "mmq": _output("-max_muxing_queue_size", "16"),
    "la3": _output("-rc-lookahead", "3"),
    "x264_frame_threads": _x264_params("sync-lookahead=0"),  # the plan before ADR 0052
    "reference": _output("-crf", "6", "-maxrate", "0"),  # near-lossless, to compare against
    "fbf8": _global("-filter_buffered_frames", "8"),
}


if __name__ == "__main__":
    sys.exit(main())
