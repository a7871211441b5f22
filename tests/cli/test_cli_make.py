"""``vo make`` end to end with the real Piper voice and a real render, checked by measurement."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest

from tests.cli.conftest import VoRunner
from video_orchestrator.render.probe import probe

pytestmark = [pytest.mark.render, pytest.mark.voice]


def make_clip(path: Path, size: str, seconds: float = 2.0) -> None:
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={size}:rate=30:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        check=True,
    )


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> tuple[Path, str]:
    """One real ``vo make`` run shared by the assertions below (it takes several seconds)."""
    work = tmp_path_factory.mktemp("make")
    media = work / "media"
    media.mkdir()
    make_clip(media / "ocean-waves.mp4", "640x360")
    (media / "broken-clip.mp4").write_bytes(b"\x00\x01 not a video")
    (media / "readme.txt").write_text("not media")
    notes = work / "notes.md"  # the user's material: the script is made of its sentences
    notes.write_text(
        "# The deep ocean\n\nThe deep ocean is dark below a thousand metres. "
        "Ocean waves never reach the deep sea floor.\n\nSubscribe for more!\n",
        encoding="utf-8",
    )
    import os

    env = {
        **os.environ,
        "VO_CACHE_DIR": str(shared_cache),
        "VO_DATA_DIR": str(work / "data"),
        "XDG_CONFIG_HOME": str(work / "config"),
    }
    env.pop("VO_LLM_BASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "video_orchestrator",
            "make",
            "--from",
            str(notes),
            "--genre",
            "facts",
            "--seconds",
            "8",
            "--media",
            str(media),
            "-o",
            str(work / "out"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=work,
    )
    assert result.returncode == 0, result.stderr
    video = Path(result.stdout.strip().splitlines()[-1])
    return video, result.stderr


def test_make_prints_the_path_of_a_platform_ready_video(made: tuple[Path, str]) -> None:
    video, _ = made
    assert video.is_file() and video.suffix == ".mp4"
    info = probe(video)
    assert info.video is not None and info.audio is not None
    assert (info.video.width, info.video.height) == (1080, 1920)
    assert info.video.codec == "h264"
    assert info.audio.sample_rate == 48000
    assert info.moov_before_mdat is True
    assert 5.0 < (info.duration or 0) < 60.0


def test_sidecars_are_written_beside_the_video(made: tuple[Path, str]) -> None:
    video, _ = made
    meta = json.loads(video.with_suffix(".json").read_text())
    assert meta["title"] and meta["hashtags"] and meta["platform"] == "tiktok"
    assert meta["script_source"] == "source"
    assert meta["source"] == {"title": "The deep ocean", "from": "notes.md"}
    assert meta["description"].endswith("Source: The deep ocean")
    spoken = video.with_suffix(".srt").read_text().upper()
    assert "THOUSAND" in spoken and "OCEAN WAVES" in spoken and "SUBSCRIBE" not in spoken
    assert abs(meta["duration"] - (probe(video).duration or 0)) < 0.1
    assert video.with_suffix(".srt").read_text().startswith("1\n")
    assert video.with_suffix(".vtt").read_text().startswith("WEBVTT")
    thumb = probe(video.with_suffix(".jpg"))
    assert thumb.video is not None and thumb.video.width == 1080


def test_corrupt_and_non_media_files_are_skipped_with_a_note(made: tuple[Path, str]) -> None:
    _, stderr = made
    assert "skipped broken-clip.mp4" in stderr
    assert "skipped readme.txt" in stderr
    assert "Traceback" not in stderr


def test_check_passes_the_made_video_for_every_platform(
    made: tuple[Path, str], vo: VoRunner
) -> None:
    video, _ = made
    for platform in ("tiktok", "youtube-shorts", "instagram-reels", "facebook-reels"):
        result = vo("check", str(video), "--platform", platform)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "FAIL" not in result.stdout


def test_check_fails_a_landscape_video(vo: VoRunner, tmp_path: Path) -> None:
    make_clip(tmp_path / "wide.mp4", "640x360")
    result = vo("check", str(tmp_path / "wide.mp4"), "--platform", "tiktok")
    assert result.returncode == 1
    assert "FAIL" in result.stdout


def test_voices_lists_the_packaged_piper_voice(vo: VoRunner) -> None:
    result = vo("voices")
    assert result.returncode == 0, result.stderr
    assert "en_US-joe-medium" in result.stdout


def test_spec_schema_is_json(vo: VoRunner) -> None:
    result = vo("spec", "schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert "clips" in json.dumps(schema)
