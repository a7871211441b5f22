"""``vo optimise`` end to end: explained suggestions, JSON, --apply with -o, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import VoRunner
from tests.cli.test_cli_errors import assert_one_line_error
from video_orchestrator.domain.script import Script

SCRIPT = """Here is the thing about volcanoes in Iceland, which most people never hear about.

Iceland has 130 active volcanoes. Most of them sleep for centuries.

Eyjafjallajokull stopped 100,000 flights in 2010. The ash cloud reached Europe in two days.

#fyp #viral #foryou #volcano #iceland #geology #travel #nature #science #earth #explore #trending
"""


@pytest.fixture
def script_file(tmp_path: Path) -> Path:
    path = tmp_path / "script.txt"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def test_suggestions_are_printed_with_reasons(vo: VoRunner, script_file: Path) -> None:
    result = vo("optimise", "--script", script_file.name, "--platform", "tiktok")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Suggestions for TikTok" in out
    for rule in ("pace.too_slow", "hook.too_long", "cta.missing", "hashtags.too_many"):
        assert rule in out
    assert "raise the pace to 165 wpm" in out and "155–185 wpm" in out
    assert "use 3–5 hashtags, not 12" in out
    assert "post text:" in out


def test_json_report(vo: VoRunner, script_file: Path) -> None:
    result = vo("optimise", "--script", script_file.name, "--platform", "reels", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["platform"] == "instagram-reels"
    rules = {s["rule"]: s for s in document["suggestions"]}
    assert rules["captions.style"]["change"] == "use the pop caption style (now karaoke)"
    assert all(
        {"rule", "severity", "change", "why", "auto", "source"} <= set(s) for s in rules.values()
    )
    assert document["metadata"]["title"] is None  # Reels: the title opens the caption
    assert "applied" not in document


def test_apply_writes_a_script_vo_make_can_read(
    vo: VoRunner, script_file: Path, tmp_path: Path
) -> None:
    result = vo("optimise", "--script", script_file.name, "--apply", "-o", "out/better.json")
    assert result.returncode == 0, result.stderr
    assert "applied:" in result.stdout
    assert "make it with: vo make --script out/better.json --platform tiktok --speed 1.1" in (
        result.stdout
    )
    script = Script.model_validate_json((tmp_path / "out" / "better.json").read_text())
    assert script.call_to_action and len(script.hashtags) == 5
    assert len(script.hook.split()) <= 8
    again = vo("optimise", "--script", "out/better.json", "--speed", "1.1", "--json")
    remaining = {s["rule"] for s in json.loads(again.stdout)["suggestions"]}
    assert not remaining & {"pace.too_slow", "cta.missing", "hashtags.too_many", "hook.too_long"}


def test_a_compliant_script_has_no_suggestions(vo: VoRunner, tmp_path: Path) -> None:
    narration = " ".join(["Lava flows slowly across the black fields near Reykjavik."] * 2)
    script = {
        "topic": "volcanoes in Iceland",
        "title": "Why Iceland's volcanoes sleep",
        "hook": "Why do 130 volcanoes sleep under Iceland?",
        "scenes": [{"narration": narration, "keywords": ["lava"]} for _ in range(4)],
        "call_to_action": "Follow for more volcano facts.",
        "description": "Iceland's volcanoes, explained.",
        "hashtags": ["volcano", "iceland", "geology"],
    }
    (tmp_path / "good.json").write_text(json.dumps(script))
    result = vo("optimise", "--script", "good.json", "--speed", "1.1")
    assert result.returncode == 0, result.stderr
    assert "no suggestions: the script suits TikTok" in result.stdout


def test_bad_input_is_one_line(vo: VoRunner, script_file: Path, tmp_path: Path) -> None:
    name = script_file.name
    assert_one_line_error(vo("optimise", "--script", "missing.txt"), "does not exist")
    (tmp_path / "empty.txt").write_text("\n\n")
    assert_one_line_error(vo("optimise", "--script", "empty.txt"), "empty")
    assert_one_line_error(vo("optimise", "--script", name, "--platform", "myspace"), "myspace")
    assert_one_line_error(vo("optimise", "--script", name, "-o", "x.json"), "--apply")
    assert_one_line_error(vo("optimise", "--script", name, "--apply", "-o", "x.txt"), ".json")
    assert_one_line_error(vo("optimise", "--script", name, "--caption-style", "comic"), "comic")
    assert_one_line_error(vo("optimise", "--script", name, "--speed", "3"), "0.5 to 2.0")
    (tmp_path / "broken.json").write_text('{"title": ')
    assert_one_line_error(vo("optimise", "--script", "broken.json"), "JSON")
    result = vo("optimise", "--script", name, "--platform", "myspace")
    assert result.returncode == 2
    assert not (tmp_path / "x.json").exists()
