"""probe, measure_loudness and check_file on small files generated with FFmpeg at test time."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import imageio_ffmpeg
import pytest

from video_orchestrator.errors import MediaError, RenderError
from video_orchestrator.platforms import load_presets
from video_orchestrator.render.measure import measure_loudness
from video_orchestrator.render.probe import has_audio, is_audio, is_image, is_video, probe
from video_orchestrator.services.check import check_file, failures

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
PRESETS = load_presets()


def amplitude_for(lufs: float) -> float:
    """Peak amplitude of a mono ~1 kHz sine measuring ``lufs`` (BS.1770: 0 dBFS sine → -3.01)."""
    return float(10 ** ((lufs + 10 * math.log10(2)) / 20))


def sine(lufs: float, seconds: float) -> str:
    # 997 Hz, not 1 kHz: an exactly periodic 1 kHz tone can make FFmpeg's format probe take
    # the WAV for MPEG-TS (sync bytes at a fixed stride); K-weighting is flat enough here.
    return f"aevalsrc={amplitude_for(lufs):.6f}*sin(2*PI*997*t):s=48000:d={seconds}"


def run_ffmpeg(*args: str | Path) -> None:
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *map(str, args)],
        check=True,
        timeout=120,
    )


def encode(out: Path, *, size: str, faststart: bool, seconds: float = 3) -> Path:
    """H.264 High yuv420p + AAC 48 kHz at -14 LUFS, 30 fps."""
    run_ffmpeg(
        "-f", "lavfi", "-i", f"color=c=0x2A5298:s={size}:r=30:d={seconds}",
        "-f", "lavfi", "-i", sine(-14.0, seconds),
        "-c:v", "libx264", "-profile:v", "high", "-preset", "superfast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-shortest",
        *(["-movflags", "+faststart"] if faststart else []),
        out,
    )  # fmt: skip
    return out


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def vertical(media_dir: Path) -> Path:
    return encode(media_dir / "vertical.mp4", size="1080x1920", faststart=True)


@pytest.fixture(scope="module")
def landscape(media_dir: Path) -> Path:
    return encode(media_dir / "landscape.mp4", size="640x480", faststart=False)


# ---------------------------------------------------------------- probe


@pytest.mark.render
def test_probe_describes_a_vertical_short(vertical: Path) -> None:
    info = probe(vertical)
    assert info.kind == "video" and is_video(info) and has_audio(info)
    assert info.container == "mp4"
    assert info.major_brand == "isom"
    assert info.moov_before_mdat is True
    assert info.size_bytes == vertical.stat().st_size
    assert info.duration == pytest.approx(3.0, abs=0.05)
    assert info.bit_rate is not None and info.bit_rate > 0
    video = info.video
    assert video is not None
    assert (video.codec, video.profile, video.pix_fmt) == ("h264", "High", "yuv420p")
    assert (video.width, video.height) == (1080, 1920)
    assert video.fps == pytest.approx(30.0)
    assert video.frames == 90
    assert video.bit_rate is not None and video.bit_rate > 0
    assert video.has_b_frames is True
    audio = info.audio
    assert audio is not None
    assert (audio.codec, audio.profile, audio.sample_rate, audio.channels) == (
        "aac",
        "LC",
        48000,
        1,
    )
    assert audio.bit_rate is not None and 64_000 < audio.bit_rate < 200_000


@pytest.mark.render
def test_probe_sees_moov_after_mdat_without_faststart(landscape: Path) -> None:
    info = probe(landscape)
    assert info.moov_before_mdat is False
    assert info.video is not None
    assert (info.video.width, info.video.height) == (640, 480)


@pytest.mark.render
def test_probe_images_and_audio(media_dir: Path) -> None:
    png = media_dir / "still.png"
    run_ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x48", "-frames:v", "1", png)
    image = probe(png)
    assert is_image(image) and not is_video(image)
    assert image.duration is None
    assert image.video is not None and (image.video.width, image.video.height) == (64, 48)
    assert image.video.frames == 1
    assert image.audio is None and image.moov_before_mdat is None

    wav = media_dir / "tone.wav"
    run_ffmpeg("-f", "lavfi", "-i", sine(-20.0, 1), wav)
    sound = probe(wav)
    assert is_audio(sound) and sound.video is None
    assert sound.audio is not None and sound.audio.sample_rate == 48000
    assert sound.duration == pytest.approx(1.0, abs=0.01)


def test_a_text_file_is_not_media(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Lorem ipsum dolor sit amet.\n" * 200, encoding="utf-8")
    with pytest.raises(MediaError, match=r"^notes\.txt is not a readable video/audio/image file: "):
        probe(notes)


def test_missing_empty_and_corrupt_files_are_media_errors(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"gone\.mp4 is not a readable"):
        probe(tmp_path / "gone.mp4")
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(MediaError, match="empty"):
        probe(empty)
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(MediaError, match=r"corrupt\.mp4"):
        probe(corrupt)


# ---------------------------------------------------------------- loudness


@pytest.mark.render
@pytest.mark.parametrize("target", [-20.0, -14.0])
def test_loudness_of_a_sine_at_a_known_level(tmp_path: Path, target: float) -> None:
    wav = tmp_path / "sine.wav"
    run_ffmpeg("-f", "lavfi", "-i", sine(target, 3), wav)
    loudness = measure_loudness(wav, FFMPEG)
    assert loudness.integrated_lufs == pytest.approx(target, abs=1.0)
    expected_peak = 20 * math.log10(amplitude_for(target))
    assert loudness.true_peak_dbtp == pytest.approx(expected_peak, abs=0.5)


@pytest.mark.render
def test_loudness_of_silence(tmp_path: Path) -> None:
    wav = tmp_path / "silence.wav"
    run_ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "1", wav)
    loudness = measure_loudness(wav, FFMPEG)
    assert loudness.integrated_lufs <= -70.0
    assert loudness.true_peak_dbtp == -math.inf


@pytest.mark.render
def test_measuring_without_audio_or_ffmpeg_is_a_render_error(
    media_dir: Path, tmp_path: Path, vertical: Path
) -> None:
    silent = tmp_path / "silent.mp4"
    run_ffmpeg("-f", "lavfi", "-i", "color=s=64x64:r=10:d=1", "-c:v", "libx264", silent)
    with pytest.raises(RenderError, match=r"silent\.mp4"):
        measure_loudness(silent, FFMPEG)
    with pytest.raises(RenderError, match="cannot start FFmpeg"):
        measure_loudness(vertical, str(tmp_path / "no-such-ffmpeg"))


# ---------------------------------------------------------------- check_file


@pytest.mark.render
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_a_vertical_short_passes_every_platform(vertical: Path, name: str) -> None:
    results = check_file(vertical, PRESETS[name], ffmpeg=FFMPEG)
    assert failures(results) == []
    rules = {r.rule for r in results}
    assert {"duration", "resolution", "video codec", "loudness", "moov at front"} <= rules
    loudness = next(r for r in results if r.rule == "loudness")
    assert loudness.actual.endswith("LUFS")


@pytest.mark.render
def test_a_landscape_file_fails_resolution_aspect_and_faststart(landscape: Path) -> None:
    results = check_file(landscape, PRESETS["tiktok"], ffmpeg=FFMPEG)
    assert {r.rule for r in failures(results)} == {"resolution", "aspect", "moov at front"}
