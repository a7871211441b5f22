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
import sys
from pathlib import Path

from _common import measure, script_words
from versus import EMOJI, FADE, FOLLOW_UP_IN, PATTERNS, SOURCE_SECONDS

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

    from video_orchestrator.render.compiler import compile_spec
    from video_orchestrator.render.fonts import font_environment
    from video_orchestrator.render.renderer import _write_files
    from video_orchestrator.render.text_measure import FontMeasure
    from video_orchestrator.render.threads import thread_plan

    ffmpeg = str(imageio_ffmpeg.get_ffmpeg_exe())
    spec = spec_for(args, args.work / "media")
    runs = args.work / "memdiag" / (args.label or "run")
    workdir = runs / "workdir"
    workdir.mkdir(parents=True, exist_ok=True)
    fonts = font_environment(args.work / "cache")
    plan = thread_plan(os.cpu_count() or 1)
    compiled = compile_spec(
        spec,
        output=runs / "out.mp4",
        workdir=workdir,
        fonts_dir=workdir / "fonts",
        ffmpeg=ffmpeg,
        audio_gain_db=-3.0,
        decoder_threads=plan.decoder,
        measure=FontMeasure(fonts),
        encoder_threads=plan.encoder,
        encoder_args=plan.lookahead_args(),
    )
    _write_files(compiled, workdir, fonts)
    argv = list(compiled.argv)
    for remedy in filter(None, args.remedy.split(",")):
        argv = REMEDIES[remedy](argv)
    if args.md5:
        cut = argv.index("-c:v")
        argv = [*argv[:cut], "-frames:v", str(spec.duration), "-f", "framemd5", str(args.md5)]
    if args.null:
        argv = [*argv[: argv.index("-c:v")], "-f", "null", "-"]
    graph = argv[argv.index("-filter_complex") + 1]
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
        return timeline(["nice", "-n", "19", *argv])
    result = measure(["nice", "-n", "19", *argv])
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


REMEDIES = {
    "emoji1": merge_emoji,
    "tqs1": lambda argv: _before_inputs(argv, ["-thread_queue_size", "1"]),
    "fct1": lambda argv: [*argv[:4], "-filter_complex_threads", "1", *argv[4:]],
}


if __name__ == "__main__":
    sys.exit(main())
