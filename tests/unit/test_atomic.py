"""The one atomic-write helper: the target holds the old file or the whole new one."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from video_orchestrator import atomic


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_write_text_creates_folders_and_is_readable_by_all(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "notes.txt"
    atomic.write_text(target, "héllo\n")
    assert target.read_text(encoding="utf-8") == "héllo\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert _leftovers(target.parent) == []


def test_write_bytes_replaces_the_old_content(tmp_path: Path) -> None:
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert _leftovers(tmp_path) == []


def test_a_failed_block_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.wav"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.replacing(target, suffix=".part") as temporary:
        assert temporary.parent == tmp_path and temporary.name.endswith(".part")
        temporary.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_without_create_the_block_makes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "video.mp4"
    with atomic.replacing(target, suffix=".partial.mp4", create=False) as temporary:
        assert not temporary.exists()
        assert temporary.name.endswith(".partial.mp4")
        temporary.write_bytes(b"frames")
    assert target.read_bytes() == b"frames"


def test_copy_file_links_or_copies(tmp_path: Path) -> None:
    source = tmp_path / "source.mp4"
    source.write_bytes(b"clip")
    for link in (False, True):
        target = tmp_path / "out" / f"copy-{link}.mp4"
        atomic.copy_file(source, target, link=link)
        assert target.read_bytes() == b"clip"
    assert _leftovers(tmp_path / "out") == []
