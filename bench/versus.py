"""Ours vs a hand-written FFmpeg command vs the x264 floor, alternated in one run (issue 14).

The same composition three ways, run A B C A B C … so that a burst of other load hurts all
three alike; figures are medians of the per-round ratios:

A. **ours** — ``vo render SPEC -o OUT`` itself (``python -m video_orchestrator``: the CLI's
   start-up, loudness analysis, compile, the segments' FFmpeg commands and the join), with
   the bench's cache and data folders;
B. **hand** — one FFmpeg command for the same composition written the way an expert would
   write it by hand (:func:`hand_argv`): input seeking, crop + scale, concat/xfade, the same
   ASS captions and colour emoji pictures, the voice + ducked music levelled by the same gain,
   the same x264/AAC settings, FFmpeg's own thread and queue defaults;
C. **floor** — x264 alone on the frames of ours' output (decoded to raw YUV once, not timed).

The composition: 1080p sources at ~9 Mbit/s made here from code (gradients, ``testsrc2`` and a
Mandelbrot zoom, all with film grain), cut into 20 s clips; every scene is a clip and a
follow-up clip (a cut, the follow-up starting 1 s into its source, ADR 0041) and scenes are
joined by a 9-frame fade; ~2.5 caption words a second in the product's default ``karaoke``
style, ``gradient`` (16 clipped ASS layers) or another (``--style a,b``: each style's three
variants in every round, one section), every eleventh word a colour emoji; a voice stand-in
and a looping music bed ducked under it. Peak memory is the whole process tree's, sampled
from ``/proc``.

Usage::

    python bench/render.py --versus                         # 60 s, 3 rounds, records RESULTS.md
    python bench/render.py --versus --style karaoke,gradient   # both styles, one section
    python bench/render.py --versus --seconds 300 --rounds 1 --variants ours,hand   # memory
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from _common import (
    Measurement,
    TimedWord,
    ffmpeg_version,
    machine_summary,
    measure,
    music_bed,
    run_ffmpeg,
    script_words,
    stock_source,
    voice_like,
)

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
CLIP_SECONDS = 20
SOURCE_SECONDS = 22
FOLLOW_UP_IN = 30  # frames: a follow-up clip starts 1 s into its source
FADE = 9
EMOJI = ("🐙", "🌊", "🐋", "🔥", "💡")
PATTERNS = ("gradients", "testsrc2", "mandelbrot")


def versus_spec(
    *,
    seconds: int,
    fps: int,
    preset: str,
    crf: int,
    style: str,
    sources: list[Path],
    voice: Path,
    music: Path,
    words: list[TimedWord],
) -> RenderSpec:
    """Scenes of a clip and a follow-up (cut), joined by fades; captions with emoji."""
    output = Output.model_validate({"fps": fps, "preset": preset, "crf": crf})
    tb = output.timebase
    count = max(2, seconds // CLIP_SECONDS)
    per = seconds * fps // count  # 20 s clips; a video under 40 s has two shorter ones
    clips = []
    for index in range(count):
        follow_up = index % 2 == 1
        last = index == count - 1
        fade = follow_up and not last
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
    caption_words = []
    for number, word in enumerate(words):
        start = tb.to_frames(word.start)
        end = max(tb.to_frames(word.end), start + 1)
        if start >= total:
            break
        text = EMOJI[(number // 11) % len(EMOJI)] if number % 11 == 10 else word.text
        caption_words.append(Word(text=text, start=start, end=end, sentence_end=word.sentence_end))
    return RenderSpec(
        output=output,
        clips=clips,
        captions=CaptionTrack(
            words=caption_words, style=CaptionStyle.model_validate({"preset": style})
        ),
        audio=AudioTracks(voice=VoiceTrack(path=str(voice)), music=MusicBed(path=str(music))),
    )


# ---------------------------------------------------------------- the hand-written command


def hand_argv(
    spec: RenderSpec,
    *,
    ffmpeg: str,
    ass: Path,
    fonts_dir: Path,
    emoji: list[tuple[Path, int, int, int, int]],
    gain_db: float,
    limit: float,
    music_seconds: float,
    output: Path,
) -> list[str]:
    """What an expert writes for this composition: ``emoji`` is (picture, x, y, first
    frame, end frame) for each placement; ``gain_db`` and ``limit`` level the mix."""
    o = spec.output
    fps, w, h = o.fps, o.width, o.height
    total = spec.duration
    rate = o.sample_rate
    samples = total * rate // fps
    args = [ffmpeg, "-hide_banner", "-nostdin", "-y"]
    chains: list[str] = []
    for index, clip in enumerate(spec.clips):
        assert isinstance(clip, VideoClip)
        args += ["-ss", f"{clip.source_in / fps:.4f}", "-t", f"{clip.duration / fps + 0.1:.4f}"]
        args += ["-i", clip.path]
        chains.append(
            f"[{index}:v]crop=w='trunc(min(iw,ih*{w}/{h})/2)*2':h='trunc(min(ih,iw*{h}/{w})/2)*2',"
            f"scale={w}:{h},setsar=1,fps={fps},trim=end_frame={clip.duration}[c{index}]"
        )
    # cuts are concatenated, fades are xfades (offset: frames laid so far − the fade)
    run = ["[c0]"]
    length = spec.clips[0].duration
    label = 0
    for index in range(1, len(spec.clips)):
        transition = spec.clips[index - 1].transition
        if transition.kind == "cut":
            run.append(f"[c{index}]")
        else:
            label += 1
            if len(run) > 1:
                chains.append(f"{''.join(run)}concat=n={len(run)}:v=1:a=0,settb=1/{fps}[j{label}]")
                joined = f"[j{label}]"
            else:
                joined = run[0]
            offset = (length - transition.frames) / fps
            chains.append(
                f"{joined}[c{index}]xfade=transition={transition.kind}:"
                f"duration={transition.frames / fps:.4f}:offset={offset:.4f}[x{label}]"
            )
            run = [f"[x{label}]"]
        length += spec.clips[index].duration - transition.frames
    base = f"{''.join(run)}concat=n={len(run)}:v=1:a=0" if len(run) > 1 else None
    head = run[0] if base is None else ""
    video = f"{head}{base + ',' if base else ''}ass=filename={ass}:fontsdir={fonts_dir}"
    # each emoji picture is read once and split for its placements
    pictures: dict[Path, list[int]] = {}
    for number, (picture, *_rest) in enumerate(emoji):
        pictures.setdefault(picture, []).append(number)
    first_input = len(spec.clips)
    picture_label: dict[int, str] = {}
    for offset, (picture, numbers) in enumerate(pictures.items()):
        args += ["-i", str(picture)]
        if len(numbers) == 1:
            picture_label[numbers[0]] = f"[{first_input + offset}:v]"
        else:
            outs = "".join(f"[p{n}]" for n in numbers)
            chains.append(f"[{first_input + offset}:v]split={len(numbers)}{outs}")
            picture_label.update({n: f"[p{n}]" for n in numbers})
    current = "v0"
    chains.append(f"{video}[{current}]")
    for number, (_picture, x, y, start, end) in enumerate(emoji):
        nxt = f"v{number + 1}"
        chains.append(
            f"[{current}]{picture_label[number]}overlay=x={x}:y={y}:"
            f"enable='between(n,{start},{end - 1})'[{nxt}]"
        )
        current = nxt
    # audio: the voice keys the ducking of the music, both mixed, levelled, cut to length
    voice_input = first_input + len(pictures)
    music_input = voice_input + 1
    audio = spec.audio
    assert audio.voice is not None and audio.music is not None
    bed = audio.music
    args += ["-i", audio.voice.path]
    if music_seconds < total / fps:
        args += ["-stream_loop", "-1"]
    args += ["-i", bed.path]
    fmt = f"aformat=sample_fmts=fltp:sample_rates={rate}:channel_layouts=stereo"
    duck = bed.ducking
    chains += [
        f"[{voice_input}:a]{fmt},apad=whole_len={samples},asplit=2[key][spoken]",
        f"[{music_input}:a]{fmt},volume={bed.gain_db:g}dB,atrim=end_sample={samples},"
        f"afade=t=in:d={bed.fade_in / fps:.4f},"
        f"afade=t=out:st={(total - bed.fade_out) / fps:.4f}:d={bed.fade_out / fps:.4f}[bed]",
        f"[bed][key]sidechaincompress=threshold={duck.threshold}:ratio={duck.ratio}:"
        f"attack={duck.attack_ms}:release={duck.release_ms}[ducked]",
        f"[spoken][ducked]amix=inputs=2:duration=longest:normalize=0,volume={gain_db:.2f}dB,"
        f"alimiter=limit={limit:.4f}:level=0:latency=1,atrim=end_sample={samples}[aout]",
    ]
    gop = round(o.gop_seconds * fps)
    args += ["-filter_complex", ";".join(chains), "-map", f"[{current}]", "-map", "[aout]"]
    args += ["-c:v", "libx264", "-profile:v", o.profile, "-preset", o.preset, "-crf", str(o.crf)]
    if o.max_bitrate_kbps is not None:
        args += ["-maxrate", f"{o.max_bitrate_kbps}k", "-bufsize", f"{2 * o.max_bitrate_kbps}k"]
    args += ["-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0", "-flags", "+cgop"]
    args += ["-pix_fmt", o.pix_fmt, "-frames:v", str(total)]
    args += ["-c:a", "aac", "-b:a", f"{o.audio_bitrate_kbps}k", "-ar", str(rate), "-ac", "2"]
    args += ["-movflags", "+faststart", str(output)]
    return args


# ---------------------------------------------------------------- preparing and running


@dataclass(frozen=True, slots=True)
class Prepared:
    spec_path: Path
    hand: list[str]
    ours_argv: tuple[str, ...]
    gain_db: float


def prepare(spec: RenderSpec, runs: Path, cache: Path, ffmpeg: str, hand_out: Path) -> Prepared:
    """Write the spec; build the hand command from the same captions, pictures and gain."""
    from video_orchestrator.render.ass import build_captions
    from video_orchestrator.render.compiler import compile_spec, limiter_ceiling_db
    from video_orchestrator.render.emoji import save_emoji
    from video_orchestrator.render.fonts import font_environment
    from video_orchestrator.render.renderer import Renderer
    from video_orchestrator.render.text_measure import FontMeasure

    spec_path = runs / "spec.json"
    spec_path.write_text(spec.model_dump_json(indent=2), encoding="utf-8")
    fonts = font_environment(cache)
    gain = Renderer(ffmpeg, fonts).measure_gain(spec)
    assert gain is not None
    files = runs / "hand-files"
    files.mkdir(exist_ok=True)
    captions = build_captions(spec, measure=FontMeasure(fonts))
    assert captions.document is not None
    ass = files / "captions.ass"
    ass.write_text(captions.document, encoding="utf-8")
    emoji: list[tuple[Path, int, int, int, int]] = []
    for p in captions.emoji:
        picture = files / f"emoji-{'-'.join(f'{ord(c):x}' for c in p.emoji)}-{p.side}.png"
        if not picture.exists():
            save_emoji(p.emoji, p.side, picture)
        emoji.append((picture, p.x, p.y, p.start, p.end))
    music = spec.audio.music
    assert music is not None
    import av

    with av.open(music.path) as container:
        music_seconds = float(container.duration or 0) / 1_000_000
    hand = hand_argv(
        spec,
        ffmpeg=ffmpeg,
        ass=ass,
        fonts_dir=fonts.fonts_dir,
        emoji=emoji,
        gain_db=gain,
        limit=min(1.0, 10 ** (limiter_ceiling_db(spec) / 20)),
        music_seconds=music_seconds,
        output=hand_out,
    )
    from video_orchestrator.render.threads import thread_plan

    plan = thread_plan(os.cpu_count() or 1)
    ours = compile_spec(
        spec,
        output=runs / "ours.mp4",
        workdir=runs / "ours-workdir",
        fonts_dir=runs / "ours-workdir" / "fonts",  # the render links the captions' fonts there
        ffmpeg=ffmpeg,
        audio_gain_db=gain,
        decoder_threads=plan.decoder,
        measure=FontMeasure(fonts),
        encoder_threads=plan.encoder,
        encoder_args=plan.lookahead_args(),
    )
    (runs / "ours.argv.txt").write_text("\n".join(ours.argv) + "\n", encoding="utf-8")
    (runs / "hand.argv.txt").write_text("\n".join(hand) + "\n", encoding="utf-8")
    return Prepared(spec_path, hand, ours.argv, gain)


@dataclass(frozen=True, slots=True)
class Run:
    variant: str
    round: int
    result: Measurement
    load_before: float
    load_after: float


def timed(variant: str, number: int, argv: list[str], env: dict[str, str]) -> Run:
    before = os.getloadavg()[0]
    result = measure(argv, env=env)
    after = os.getloadavg()[0]
    print(
        f"  round {number} {variant:5s} {result.wall:7.1f} s wall {result.cpu:7.1f} s CPU "
        f"{result.tree_peak_mb:5.0f} MB tree  load {before:.1f}→{after:.1f} "
        f"others {result.others:.2f}",
        flush=True,
    )
    return Run(variant, number, result, before, after)


def median_ratio(runs: list[Run], a: str, b: str, key: str) -> float | None:
    by_round: dict[int, dict[str, Measurement]] = {}
    for run in runs:
        by_round.setdefault(run.round, {})[run.variant] = run.result
    ratios = [
        getattr(r[a], key) / getattr(r[b], key)
        for r in by_round.values()
        if a in r and b in r and getattr(r[b], key) > 0
    ]
    return statistics.median(ratios) if ratios else None


@dataclass(frozen=True, slots=True)
class Style:
    """One caption style's composition, commands and runs (``--style a,b`` runs several)."""

    name: str
    spec: RenderSpec
    commands: dict[str, list[str]]
    env: dict[str, dict[str, str]]
    ours_out: Path
    raw: Path


def ratio_rows(runs: list[Run], label: str) -> list[str]:
    """The median ratios of one style's runs, and its peaks, as table rows."""
    lines: list[str] = []
    pairs: tuple[tuple[str, str, float | None], ...] = (
        ("ours", "hand", 1.05),
        ("ours", "floor", 1.3),
        ("hand", "floor", None),
        ("ours", "before", None),
        ("before", "hand", None),
        ("before", "floor", None),
    )
    for a, b, target in pairs:
        wall = median_ratio(runs, a, b, "wall")
        cpu = median_ratio(runs, a, b, "cpu")
        if wall is None or cpu is None:
            continue
        verdict = "—"
        if target is not None:
            verdict = (
                f"≤ {target}×: wall {'met' if wall <= target else 'NOT met'}, "
                f"CPU {'met' if cpu <= target else 'NOT met'}"
            )
        lines.append(f"| {label} | {a} / {b} | {wall:.2f}× | {cpu:.2f}× | {verdict} |")
    for variant in ("before", "ours", "hand", "floor"):
        peaks = [r.result.tree_peak_mb for r in runs if r.variant == variant]
        if peaks:
            verdict = (
                f"< 400 MB: {'met' if max(peaks) < 400 else 'NOT met'}"
                if variant == "ours"
                else "—"
            )
            lines.append(
                f"| {label} | {variant} peak RSS, whole tree (max of rounds) "
                f"| {max(peaks):.0f} MB | | {verdict} |"
            )
    return lines


def markdown(styles: list[Style], runs: dict[str, list[Run]], ffmpeg: str, note: str) -> str:
    spec = styles[0].spec
    o = spec.output
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert spec.captions is not None
    emoji = sum(1 for w in spec.captions.words if w.text in EMOJI)
    names = ", ".join(f"`{s.name}`" for s in styles)
    lines = [
        f"## Ours vs hand-written vs floor (bench/render.py --versus), {names} — {now}",
        "",
        f"{machine_summary()}; {ffmpeg_version(ffmpeg)}. {spec.duration / o.fps:.0f} s "
        f"{o.width}×{o.height} {o.fps} fps from {len(spec.clips)} clips of three 1080p "
        f"sources at ~9 Mbit/s (scenes of a clip + a follow-up cut 1 s into its source, "
        f"{FADE}-frame fades between scenes), {len(spec.captions.words)} caption words in "
        f"{names} ({emoji} colour emoji), voice + ducked music; x264 `{o.preset}` "
        f"CRF {o.crf}. Variants (and styles) alternated per round; `load` is the 1-minute "
        f"load average before → after each run, `others` the CPUs other processes kept busy "
        f"during it. {note}",
        "",
        "| round | style | variant | wall s | CPU s | peak RSS tree MB | largest process MB "
        "| load | others |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    ordered = sorted(
        ((run, style.name) for style in styles for run in runs[style.name]),
        key=lambda pair: pair[0].round,
    )
    for run, name in ordered:
        r = run.result
        lines.append(
            f"| {run.round} | {name} | {run.variant} | {r.wall:.1f} | {r.cpu:.1f} "
            f"| {r.tree_peak_mb:.0f} | {r.max_rss_mb:.0f} "
            f"| {run.load_before:.1f}→{run.load_after:.1f} | {r.others:.2f} |"
        )
    lines += [
        "",
        "| style | median of the rounds' ratios | wall | CPU | target |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for style in styles:
        lines += ratio_rows(runs[style.name], f"`{style.name}`")
    lines.append("")
    return "\n".join(lines)


def setup(
    args: argparse.Namespace, name: str, ffmpeg: str, sources: list[Path], voice: Path,
    music: Path, words: list[TimedWord],
) -> Style:  # fmt: skip
    """One style's spec, the hand command, ours, the floor (and ``--baseline``'s render)."""
    work: Path = args.work
    runs = work / f"versus-{args.seconds}s-{name}"
    runs.mkdir(parents=True, exist_ok=True)
    spec = versus_spec(
        seconds=args.seconds,
        fps=args.fps,
        preset=args.preset,
        crf=args.crf,
        style=name,
        sources=sources,
        voice=voice,
        music=music,
        words=words,
    )
    ours_out = runs / "ours.mp4"
    prepared = prepare(spec, runs, work / "cache", ffmpeg, runs / "hand.mp4")
    print(f"{name}: spec {prepared.spec_path}; argvs in {runs}/ours.argv.txt and hand.argv.txt")
    raw = runs / "ours.yuv"
    o = spec.output
    gop = round(o.gop_seconds * o.fps)
    floor = [
        ffmpeg,
        *("-hide_banner", "-loglevel", "error", "-nostdin", "-y"),
        *("-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{o.width}x{o.height}"),
        *("-r", str(o.fps), "-i", str(raw), "-an"),
        *("-c:v", "libx264", "-preset", o.preset, "-profile:v", o.profile, "-crf", str(o.crf)),
        *(["-maxrate", f"{o.max_bitrate_kbps}k", "-bufsize", f"{2 * o.max_bitrate_kbps}k"]
          if o.max_bitrate_kbps else []),
        *("-g", str(gop), "-keyint_min", str(gop)),
        *("-sc_threshold", "0", "-flags", "+cgop", "-pix_fmt", o.pix_fmt,
          str(runs / "floor.mp4")),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}
    cache = str(work / "cache")
    ours = [sys.executable, "-m", "video_orchestrator", "render", str(prepared.spec_path)]
    ours += ["-o", str(ours_out)]
    vo_env = {**env, "VO_CACHE_DIR": cache, "VO_DATA_DIR": str(runs / "vo-data")}
    commands = {"ours": ours, "hand": prepared.hand, "floor": floor}
    envs = {"ours": vo_env, "hand": env, "floor": env}
    if args.baseline is not None:  # the renderer alone, from another checkout's sources
        base = Path(args.baseline).resolve()
        before = [sys.executable, str(base / "bench" / "render.py"), "_child", "ours"]
        before += [str(prepared.spec_path), str(runs / "before.mp4"), cache]
        commands["before"] = before
        envs["before"] = {**os.environ, "PYTHONPATH": str(base / "src")}
    return Style(name, spec, commands, envs, ours_out, raw)


def main(args: argparse.Namespace) -> int:
    import imageio_ffmpeg
    from render import record

    ffmpeg = str(imageio_ffmpeg.get_ffmpeg_exe())
    work: Path = args.work
    media = work / "media"
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    names = [s.strip() for s in args.style.split(",") if s.strip()]
    print(f"machine: {machine_summary()}; {ffmpeg_version(ffmpeg)}; load {os.getloadavg()}")
    print("source media (made once, reused) …", flush=True)
    sources = [
        stock_source(ffmpeg, media / f"stock-{p}-1080p-{SOURCE_SECONDS}s.mp4", p, SOURCE_SECONDS)
        for p in PATTERNS
    ]
    for source in sources:
        print(f"  {source.name}: {source.stat().st_size * 8 / SOURCE_SECONDS / 1e6:.1f} Mbit/s")
    words = script_words(float(args.seconds))
    voice = voice_like(media / f"voice-{args.seconds}s.wav", words, float(args.seconds))
    # shorter than the video, so the bed loops as the product's looping music does
    music_seconds = max(10.0, args.seconds * 0.6)
    music = music_bed(media / f"music-{music_seconds:.0f}s.wav", music_seconds)
    styles = [setup(args, name, ffmpeg, sources, voice, music, words) for name in names]
    done: dict[str, list[Run]] = {style.name: [] for style in styles}
    try:
        for number in range(1, args.rounds + 1):
            for style in styles:
                print(f" {style.name}", flush=True)
                for variant in variants:
                    if variant not in style.commands:
                        continue
                    if variant == "floor" and not style.raw.exists():
                        if not style.ours_out.exists():
                            ours = timed("ours", number, style.commands["ours"], style.env["ours"])
                            done[style.name].append(ours)
                        print("  decoding ours to raw YUV for the floor (not timed) …", flush=True)
                        run_ffmpeg(ffmpeg, ["-i", str(style.ours_out), "-an", "-f", "rawvideo",
                                            "-pix_fmt", "yuv420p", str(style.raw)])  # fmt: skip
                        with style.raw.open("rb") as handle:  # into the page cache
                            while handle.read(1 << 24):
                                pass
                    run = timed(variant, number, style.commands[variant], style.env[variant])
                    done[style.name].append(run)
    finally:
        for style in styles:
            style.raw.unlink(missing_ok=True)
    section = markdown(styles, done, ffmpeg, args.note or "")
    print()
    print(section)
    if not args.no_record:
        record(args.results, section)
        print(f"recorded in {args.results}")
    return 0
