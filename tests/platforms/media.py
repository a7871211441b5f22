"""Small stand-in video files for the publishers: an MP4's first box (``ftyp``) then seeded
bytes — the fakes check the container's signature, never decode the picture."""

from __future__ import annotations

import random
from pathlib import Path

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def video_file(path: Path, size: int, *, seed: int = 0, mp4: bool = True) -> Path:
    rng = random.Random(seed)
    head = MP4_HEAD if mp4 else b"GIF89a-not-a-video-at-all"
    body = rng.randbytes(max(0, size - len(head)))
    path.write_bytes((head + body)[:size])
    return path
