"""A grid of every caption style at the same moment, drawn by the real renderer, to look at.

    .venv/bin/python bench/caption_styles.py [--out bench/work/caption-styles.png] [--at 1.25]

Each style renders one still (1080x1920 over a generated background, the sample narration of
``tests/golden/test_caption_styles.py`` at ``--at`` seconds); the stills are scaled down and
tiled with their names under them. Not a test: nothing is asserted, a person looks.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.golden.test_caption_styles import sample_spec  # noqa: E402

from video_orchestrator.render.fonts import font_environment  # noqa: E402
from video_orchestrator.render.renderer import Renderer  # noqa: E402
from video_orchestrator.spec.model import GeneratedClip  # noqa: E402
from video_orchestrator.spec.vocabulary import CAPTION_PRESETS  # noqa: E402

TILE_W, TILE_H, LABEL = 270, 480, 28


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "work" / "caption-styles.png")
    parser.add_argument("--at", type=float, default=1.25, help="seconds into the sample")
    parser.add_argument("--columns", type=int, default=6)
    parser.add_argument("--styles", nargs="*", default=list(CAPTION_PRESETS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vo-styles-") as temp:
        work = Path(temp)
        renderer = Renderer(imageio_ffmpeg.get_ffmpeg_exe(), font_environment(work / "cache"))
        tiles: list[tuple[str, Image.Image]] = []
        for style in args.styles:
            spec = sample_spec(style)
            spec = spec.model_copy(
                update={"clips": [GeneratedClip(duration=spec.duration, pattern="aurora")]}
            )
            still = work / f"{style}.png"
            renderer.render_still(spec, round(args.at * spec.output.fps), still)
            with Image.open(still) as image:
                tiles.append((style, image.convert("RGB").resize((TILE_W, TILE_H))))
    rows = -(-len(tiles) // args.columns)
    grid = Image.new("RGB", (TILE_W * args.columns, (TILE_H + LABEL) * rows), (24, 24, 24))
    draw = ImageDraw.Draw(grid)
    for number, (style, tile) in enumerate(tiles):
        x, y = (number % args.columns) * TILE_W, (number // args.columns) * (TILE_H + LABEL)
        grid.paste(tile, (x, y))
        draw.text((x + 8, y + TILE_H + 6), style, fill=(240, 240, 240))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    grid.save(args.out)
    print(args.out)


if __name__ == "__main__":
    main()
