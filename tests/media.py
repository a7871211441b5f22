"""Media fixtures generated at test time with FFmpeg's lavfi sources (never committed).

``materialize_examples(root)`` creates every file the example specs in ``examples/specs``
refer to (``../media/<name>``) under ``root/media``; load a spec with ``load_example`` and
``resolve_paths(root / "specs")`` to point it at them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg

from video_orchestrator.spec.model import RenderSpec

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "specs"


def ffmpeg_exe() -> str:
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def _run(*args: str) -> None:
    argv = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)


def make_video(
    path: Path, *, width: int = 640, height: int = 360, seconds: float = 1.0, fps: int = 25
) -> Path:
    """A moving test pattern (testsrc2) with a tone, H.264 + AAC."""
    _run(
        "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}",
        "-f", "lavfi", "-i", f"sine=f=330:r=48000:d={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-shortest", str(path),
    )  # fmt: skip
    return path


def make_colour_video(
    path: Path, colour: str, *, width: int = 360, height: int = 640, seconds: float = 1.0
) -> Path:
    """A clip of one solid colour (an FFmpeg colour name or 0xRRGGBB), H.264, no sound."""
    _run(
        "-f", "lavfi", "-i", f"color=c={colour}:s={width}x{height}:r=25:d={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path


def make_image(path: Path, *, width: int = 800, height: int = 600) -> Path:
    """A detailed still (one testsrc2 frame) as PNG or JPEG by extension."""
    _run("-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r=1:d=1", "-frames:v", "1", str(path))
    return path


def make_logo(path: Path, *, size: int = 120) -> Path:
    """A PNG with alpha: a white square with a transparent margin."""
    _run(
        "-f", "lavfi", "-i", f"color=c=white@1.0:s={size}x{size}:d=1,format=rgba,"
        f"pad=w={size + 20}:h={size + 20}:x=10:y=10:color=black@0.0",
        "-frames:v", "1", str(path),
    )  # fmt: skip
    return path


def make_tone(path: Path, *, seconds: float = 2.0, frequency: int = 220) -> Path:
    """A steady sine tone (the music bed)."""
    _run("-f", "lavfi", "-i", f"sine=f={frequency}:r=48000:d={seconds}", str(path))
    return path


def make_voice(path: Path, *, seconds: float = 2.0) -> Path:
    """Speech-like audio: a buzzy tone with harmonics, gated at a syllable rate, mono 24 kHz."""
    envelope = "abs(sin(2*PI*3*t))"
    _run(
        "-f", "lavfi", "-i",
        f"aevalsrc=exprs='(0.5*sin(2*PI*170*t)+0.25*sin(2*PI*510*t)"
        f"+0.1*sin(2*PI*1190*t))*{envelope}':s=24000:d={seconds}",
        "-ac", "1", str(path),
    )  # fmt: skip
    return path


def make_click(path: Path) -> Path:
    """A short sound effect."""
    _run("-f", "lavfi", "-i", "sine=f=1200:r=48000:d=0.25,afade=t=out:st=0.05:d=0.2", str(path))
    return path


EXAMPLE_MEDIA = {
    "landscape.mp4": lambda p: make_video(p, width=640, height=360, seconds=1.0),
    "portrait.mp4": lambda p: make_video(p, width=360, height=640, seconds=2.0),
    "photo-1.jpg": lambda p: make_image(p, width=800, height=600),
    "photo-2.png": lambda p: make_image(p, width=600, height=900),
    "logo.png": lambda p: make_logo(p),
    "voice.wav": lambda p: make_voice(p, seconds=2.5),
    "music.wav": lambda p: make_tone(p, seconds=1.0),
    "whoosh.wav": make_click,
}


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("*.json"))


def load_example(name: str) -> RenderSpec:
    return RenderSpec.model_validate(json.loads((EXAMPLES / f"{name}.json").read_text()))


def materialize_examples(root: Path) -> Path:
    """Create ``root/media/*`` for the example specs; returns ``root/specs`` (spec base dir)."""
    media = root / "media"
    media.mkdir(parents=True, exist_ok=True)
    for name, maker in EXAMPLE_MEDIA.items():
        target = media / name
        if not target.exists():
            maker(target)
    specs = root / "specs"
    specs.mkdir(exist_ok=True)
    return specs


if __name__ == "__main__":
    # `python -m tests.media` makes examples/media/ so the example specs render as they are.
    materialize_examples(EXAMPLES.parent)
    sys.stdout.write(f"example media written to {EXAMPLES.parent / 'media'}\n")
