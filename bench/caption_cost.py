"""What a caption style costs libass alone: peak RSS and CPU of FFmpeg burning in one style's
captions over a plain 1080×1920 picture (issue 14, part C).

The captions are the ``--versus`` composition's (bench/memory_diag.py: ~2.5 words/s, every
eleventh word an emoji, which becomes a gap as in the product), built by the product's code
(``compile_spec`` + the renderer's files: the ASS document and only the fonts it uses). The
picture is a ``color`` source, so decoding, scaling and x264 are not in the figures: what is
left is libass (and FFmpeg's fixed few MB). ``--stills`` writes PNGs of chosen frames instead
(to look at a caption line before and after a change).

    python bench/caption_cost.py --style gradient --label after
    python bench/caption_cost.py --style gradient --ass bench/work/captioncost/before/captions.ass
    python bench/caption_cost.py --style gradient --stills 40,75,300
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from _common import measure
from memory_diag import compile_into, spec_for

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--style", default="gradient")
    parser.add_argument("--label", default="run")
    parser.add_argument("--ass", type=Path, help="burn this ASS document instead of building one")
    parser.add_argument("--stills", default="", help="comma-separated frame numbers: PNGs only")
    parser.add_argument("--background", default="color=c=0x2A4A6A", help="lavfi source")
    parser.add_argument("--work", type=Path, default=HERE / "work")
    args = parser.parse_args()

    import imageio_ffmpeg

    ffmpeg = str(imageio_ffmpeg.get_ffmpeg_exe())
    ns = argparse.Namespace(
        seconds=args.seconds, clips=3, style=args.style, emoji=True, music=False
    )
    spec = spec_for(ns, args.work / "media")
    runs = args.work / "captioncost" / args.label
    _, workdir, fonts = compile_into(spec, runs, args.work, ffmpeg, audio_gain_db=0.0)
    ass = workdir / "captions.ass"
    if args.ass is not None:
        shutil.copyfile(args.ass, ass)
    lines = ass.read_text().splitlines() if ass.exists() else []
    events = sum(1 for line in lines if line.startswith("Dialogue:"))
    env = {**os.environ, **fonts.env}
    source = f"{args.background}:s=1080x1920:r=30:d={spec.duration / 30:.3f}"
    burn = f"ass=filename={ass}:fontsdir={workdir / 'fonts'}" if lines else "null"
    head = [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]
    if args.stills:
        frames = [int(f) for f in args.stills.split(",")]
        picks = "+".join(f"eq(n\\,{f})" for f in frames)
        argv = [
            *head,
            *("-f", "lavfi", "-i", source, "-vf", f"{burn},select={picks}"),
            *("-fps_mode", "passthrough", str(runs / "still-%02d.png")),
        ]
        measure(["nice", "-n", "10", *argv], env=env)
        print(f"stills of frames {frames}: {runs}/still-NN.png")
        return 0
    argv = [*head, "-f", "lavfi", "-i", source, "-vf", burn, "-f", "null", "-"]
    load = os.getloadavg()[0]
    result = measure(["nice", "-n", "10", *argv], env=env)
    print(
        f"RESULT {args.label}: {args.style}, {events} ASS events, peak {result.max_rss_mb:.0f} MB "
        f"CPU {result.cpu:.1f} s wall {result.wall:.1f} s load {load:.1f}->"
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
