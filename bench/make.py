"""`vo make` end to end for a ~45 s short, against the x264 encoder floor for that video.

Three runs in one go, each a child process measured the same way (`_common.measure`):

1. **make, cold** — `vo make --script … --media …` with an empty cache: script import, Piper
   voice, media probing, spec, loudness analysis, the one-pass render, thumbnail and sidecars.
2. **make, warm** — the same command with another caption style and the cache kept: the
   voice is not synthesised again, so this is what iterating on a video costs.
3. **floor** — x264 alone encoding the frames of the cold run's output (decoded to raw YUV
   beforehand, not measured) with the same preset, CRF, profile, VBV and GOP settings.

Target (issue 14): cold `vo make` ≤ 1.5× the floor. Usage:
`python bench/make.py [--seconds 45] [--max-wait 120]`; writes a section to bench/RESULTS.md.

`--baseline CHECKOUT --pairs N` instead runs N pairs of cold `vo make`, the code of CHECKOUT
(its `src` first on PYTHONPATH) and this code alternated, and prints each run's CPU, wall and
largest process with the load, and the medians (no floor, nothing recorded): what a change
to `vo make` saves, measured in one sitting.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import imageio_ffmpeg
from _common import (
    landscape_source,
    machine_summary,
    measure,
    run_ffmpeg,
    wait_for_quiet,
)
from render import piper_text, probe, ratio, record, x264_args

from video_orchestrator.spec import RenderSpec

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "make"


def vo(*args: str) -> list[str]:
    return [sys.executable, "-m", "video_orchestrator", *args]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=45, help="narration length to aim for")
    parser.add_argument("--max-wait", type=float, default=120, help="wait for a quiet machine")
    parser.add_argument("--baseline", type=Path, help="a checkout of the code to compare")
    parser.add_argument("--pairs", type=int, default=3, help="with --baseline: pairs of runs")
    args = parser.parse_args()
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    WORK.mkdir(parents=True, exist_ok=True)

    media = WORK / "media"
    media.mkdir(exist_ok=True)
    clip_seconds = max(10, args.seconds // 2)
    landscape_source(ffmpeg, media / "ocean-waves.mp4", "gradients", clip_seconds)
    landscape_source(ffmpeg, media / "city-lights.mp4", "testsrc2", clip_seconds)
    script = WORK / "script.txt"
    words = round(args.seconds * 2.55)
    text = piper_text(words)
    sentences = [s.strip() + "." for s in text.split(".") if s.strip()]
    per = max(1, len(sentences) // 4)
    paragraphs = [" ".join(sentences[i : i + per]) for i in range(0, len(sentences), per)]
    script.write_text("\n\n".join(paragraphs), encoding="utf-8")

    cache = WORK / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {**os.environ, "VO_CACHE_DIR": str(cache), "VO_DATA_DIR": str(WORK / "data")}
    env.pop("VO_LLM_BASE_URL", None)

    def quiet() -> None:
        wait_for_quiet(args.max_wait)

    common = ["make", "--script", str(script), "--media", str(media), "--platform", "tiktok"]
    if args.baseline is not None:
        return compare_cold(args, env, common, cache)
    print("1/3 vo make, cold cache …", flush=True)
    quiet()
    cold = measure(vo(*common, "-o", str(WORK / "cold.mp4")), env=env)
    print(f"    {cold.wall:.1f} s wall, {cold.cpu:.1f} s CPU", flush=True)
    print("2/3 vo make, warm cache, another caption style …", flush=True)
    quiet()
    warm = measure(vo(*common, "--caption-style", "pop", "-o", str(WORK / "warm.mp4")), env=env)
    print(f"    {warm.wall:.1f} s wall, {warm.cpu:.1f} s CPU", flush=True)

    spec = RenderSpec.model_validate(
        json.loads((WORK / "cold.spec.json").read_text(encoding="utf-8"))
    )
    frames, duration, size = probe(WORK / "cold.mp4")
    raw = WORK / "cold.yuv"
    run_ffmpeg(
        ffmpeg,
        ["-i", str(WORK / "cold.mp4"), "-an", "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw)],
    )
    o = spec.output
    print("3/3 floor: x264 on the same frames …", flush=True)
    try:
        with raw.open("rb") as handle:
            while handle.read(1 << 24):
                pass
        quiet()
        floor = measure(
            [
                ffmpeg,
                *("-hide_banner", "-loglevel", "error", "-nostdin", "-y"),
                *("-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", size, "-r", str(o.fps)),
                *("-i", str(raw), "-an", "-c:v", "libx264", "-preset", o.preset),
                *("-pix_fmt", o.pix_fmt),
                *x264_args(o),
                str(WORK / "floor.mp4"),
            ]
        )
    finally:
        raw.unlink(missing_ok=True)
    print(f"    {floor.wall:.1f} s wall, {floor.cpu:.1f} s CPU", flush=True)

    met = "met" if cold.cpu / floor.cpu <= 1.5 else "NOT met"
    lines = [
        f"## `vo make` end to end, {duration:.0f} s short — {time.strftime('%Y-%m-%d')}",
        "",
        f"Machine: {machine_summary()}. Output {size}, {o.fps} fps, {frames} frames, "
        f"x264 `{o.preset}` CRF {o.crf}; two 1080p landscape clips from `--media`, Piper voice, "
        "karaoke captions (warm run: pop). Produced by `bench/make.py`.",
        "",
        "| run | wall s | CPU s | peak RSS MB (largest process) | other load (CPUs) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, m in (
        ("vo make, cold cache", cold),
        ("vo make, warm cache", warm),
        ("floor: x264 on the same frames", floor),
    ):
        lines.append(
            f"| {name} | {m.wall:.1f} | {m.cpu:.1f} | {m.max_rss_mb:.0f} | {m.others:.2f} |"
        )
    lines += [
        "",
        f"- cold `vo make` / floor: **{ratio(cold.wall, floor.wall)}** wall, "
        f"{ratio(cold.cpu, floor.cpu)} CPU (target ≤ 1.5×, in CPU: {met})",
        f"- warm `vo make` / floor: {ratio(warm.wall, floor.wall)} wall "
        f"(the voice comes from the cache)",
        "",
    ]
    section = "\n".join(lines)
    print(section)
    record(HERE / "RESULTS.md", section)
    return 0


def compare_cold(
    args: argparse.Namespace, env: dict[str, str], common: list[str], cache: Path
) -> int:
    """``--baseline``: cold runs of the baseline's code and this code, alternated."""
    ours = str(Path(__file__).resolve().parent.parent / "src")
    code = {"baseline": str(args.baseline.resolve() / "src"), "ours": ours}
    runs: dict[str, list[tuple[float, float, float]]] = {"baseline": [], "ours": []}
    for number in range(1, args.pairs + 1):
        for name in ("baseline", "ours"):
            shutil.rmtree(cache, ignore_errors=True)
            wait_for_quiet(args.max_wait)
            load = os.getloadavg()[0]
            paths = [code[name], env.get("PYTHONPATH", "")]
            run_env = {**env, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
            out = WORK / f"pair-{name}.mp4"
            m = measure(vo(*common, "-o", str(out)), env=run_env)
            runs[name].append((m.cpu, m.wall, m.max_rss_mb))
            print(
                f"| {number} | {name} | {m.cpu:.1f} | {m.wall:.1f} | {m.max_rss_mb:.0f} | "
                f"{load:.1f}→{os.getloadavg()[0]:.1f} |",
                flush=True,
            )
    for name, rows in runs.items():
        cpu, wall, rss = (statistics.median(column) for column in zip(*rows, strict=True))
        print(f"median {name}: {cpu:.1f} s CPU, {wall:.1f} s wall, {rss:.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
