"""``vo make --background-look`` (ADR 0050): the choice reaches the render spec, a wrong one
is one readable line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import VoRunner
from tests.cli.test_cli_errors import assert_one_line_error
from video_orchestrator.services.facade import make_request

SCRIPT = "Octopuses have three hearts. Their blood is blue because of copper.\n"


def _request(look: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    script = tmp_path / "script.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    return make_request(
        topic=None, script=script, genre="facts", platform="tiktok", voice=None, speed=1.0,
        media=None, music=None, caption_style="karaoke", lang=None, trim=False, seconds=None,
        output=tmp_path / "out", background_look=look,
    )  # fmt: skip


@pytest.mark.parametrize("look", ["illustration", "typography", "both", "plain"])
def test_each_look_reaches_the_options(look: str, tmp_path: Path) -> None:
    background = _request(look, tmp_path).options.background
    assert background.look == look
    assert background.typography == (look in ("typography", "both"))
    assert background.illustrations == (look in ("illustration", "both"))


def test_an_unknown_look_is_one_line_naming_the_choices(vo: VoRunner, tmp_path: Path) -> None:
    (tmp_path / "script.txt").write_text(SCRIPT, encoding="utf-8")
    result = vo("make", "--script", "script.txt", "--background-look", "sparkles")
    assert_one_line_error(result, "sparkles", "typography", "plain")
    assert not (tmp_path / "out").exists()


@pytest.mark.render
@pytest.mark.voice
def test_make_with_typography_puts_the_scenes_key_phrase_in_the_spec(
    vo: VoRunner, tmp_path: Path
) -> None:
    (tmp_path / "script.txt").write_text(SCRIPT, encoding="utf-8")
    result = vo(
        "make", "--script", "script.txt", "--no-music", "--background-look", "typography",
        "-o", "out",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    video = tmp_path / result.stdout.strip().splitlines()[-1]  # printed relative to the cwd
    assert video.is_file()
    spec = json.loads(video.with_suffix(".spec.json").read_text(encoding="utf-8"))
    kinds = [overlay["kind"] for overlay in spec["overlays"]]
    # no illustration with this look; the hook's phrase, then the scene's own
    assert kinds == ["kinetic", "kinetic"]
    for phrase in spec["overlays"]:
        # 2-5 words of what is said over it, in order, as spoken
        assert 2 <= len(phrase["words"]) <= 5
        assert " ".join(phrase["words"]) in SCRIPT
        assert phrase["start"] < phrase["end"] <= sum(c["duration"] for c in spec["clips"])
    hook, scene = spec["overlays"]
    assert hook["end"] <= scene["start"]
