"""``vo make --langs`` (ADR 0039): one script, one video per language through the render
queue, named with the language; a missing voice or translator is one line, before any work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import VoRunner
from tests.translation_server import ADAPTED, SCRIPT, llm_url, translation_server

FAKE_EN = {"VO_DEFAULT_VOICE": "fake:fake-en"}


@pytest.fixture
def script_file(tmp_path: Path) -> Path:
    path = tmp_path / "octopus.json"
    path.write_text(json.dumps(SCRIPT), encoding="utf-8")
    return path


def one_line_error(stderr: str) -> str:
    """The one error line (progress lines such as "… Writing the script" may precede it)."""
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert "Traceback" not in stderr
    assert len(errors) == 1, stderr
    return errors[0]


def test_a_missing_voice_is_one_line_naming_the_install_command(
    vo: VoRunner, script_file: Path, tmp_path: Path
) -> None:
    done = vo("make", "--script", str(script_file), "--langs", "en,ro", settings=FAKE_EN)
    assert done.returncode != 0
    line = one_line_error(done.stderr)
    assert "no installed voice speaks Romanian (ro)" in line
    assert "vo voices download --lang ro" in line
    assert not (tmp_path / "out").exists()


def test_no_translator_is_said_plainly(vo: VoRunner, script_file: Path) -> None:
    settings = {**FAKE_EN, "VO_LOCAL_VOICE_PROVIDER": "espeak-ng"}
    done = vo("make", "--script", str(script_file), "--langs", "en,es", settings=settings)
    assert done.returncode != 0
    line = one_line_error(done.stderr)
    assert "no translator is configured for English (en) → Spanish (es)" in line


def test_unknown_language_is_refused(vo: VoRunner, script_file: Path) -> None:
    done = vo("make", "--script", str(script_file), "--langs", "en,xx", settings=FAKE_EN)
    assert done.returncode != 0
    assert "xx is not one of en, ro, es" in one_line_error(done.stderr)


@pytest.mark.render
def test_two_languages_from_one_script(vo: VoRunner, script_file: Path, tmp_path: Path) -> None:
    with translation_server() as llm:
        settings = {
            **FAKE_EN,
            "VO_LOCAL_VOICE_PROVIDER": "espeak-ng",
            "VO_LLM_BASE_URL": llm_url(llm),
            "VO_LLM_MODEL": "local-model",
            "VO_LLM_CACHE": "false",
        }
        done = vo("make", "--script", str(script_file), "--langs", "en,ro", settings=settings)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    assert done.stdout.split() == ["out/octopus-facts-en.mp4", "out/fapte-despre-caracatite-ro.mp4"]
    assert "Romanian (ro): translated and adapted by the language model" in done.stderr
    meta = json.loads((out / "fapte-despre-caracatite-ro.json").read_text(encoding="utf-8"))
    assert meta["language"] == "ro" and meta["voice"]["provider"] == "espeak-ng"
    srt = (out / "fapte-despre-caracatite-ro.srt").read_text(encoding="utf-8")
    assert ADAPTED["ro"].split()[-3] in srt  # "kilometri", the adaptation's word
