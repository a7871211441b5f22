"""Bad input ends as one readable line and a non-zero exit, never a traceback or a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import VoRunner


def assert_one_line_error(result, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode != 0, result.stdout
    # progress lines ("… Writing the script") may precede the error; the error is one line
    lines = [
        line for line in result.stderr.splitlines() if line.strip() and not line.startswith("…")
    ]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:"), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_empty_topic(vo: VoRunner, tmp_path: Path) -> None:
    result = vo("make", "--topic", "   ", "-o", "out")
    assert_one_line_error(result, "topic is empty")
    assert not (tmp_path / "out").exists()


def test_neither_topic_nor_script(vo: VoRunner) -> None:
    assert_one_line_error(vo("make"), "--topic", "--from FILE_OR_URL", "--script FILE")


def test_a_topic_without_a_language_model_says_no_writer_is_configured(
    vo: VoRunner, tmp_path: Path
) -> None:
    result = vo("make", "--topic", "why are octopuses so smart?", "-o", "out")
    assert_one_line_error(
        result, "no script writer is configured", "--from FILE_OR_URL", "VO_LLM_PRESET=ollama"
    )
    assert "octopuses" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_from_a_file_that_does_not_exist(vo: VoRunner) -> None:
    assert_one_line_error(vo("make", "--from", "nowhere.md"), "nowhere.md", "not a file")


def test_unknown_genre(vo: VoRunner) -> None:
    assert_one_line_error(vo("make", "--topic", "cats", "--genre", "poetry"), "poetry", "facts")


def test_unknown_caption_style(vo: VoRunner) -> None:
    assert_one_line_error(vo("make", "--topic", "cats", "--caption-style", "wavy"), "wavy")


def test_unknown_platform(vo: VoRunner) -> None:
    assert_one_line_error(vo("make", "--topic", "cats", "--platform", "myspace"), "myspace")


def test_missing_and_empty_script_files(vo: VoRunner, tmp_path: Path) -> None:
    assert_one_line_error(vo("make", "--script", "nope.txt"), "does not exist")
    (tmp_path / "empty.txt").write_text("  \n\n")
    assert_one_line_error(vo("make", "--script", "empty.txt"), "empty")


def test_script_far_longer_than_the_platform_allows(vo: VoRunner, tmp_path: Path) -> None:
    long_text = "\n\n".join(" ".join(f"word{i}x{j}" for j in range(200)) + "." for i in range(6))
    (tmp_path / "long.txt").write_text(long_text)
    result = vo("make", "--script", "long.txt", "--platform", "facebook-reels", "-o", "out")
    assert_one_line_error(result, "--trim", "facebook-reels")
    assert not (tmp_path / "out").exists()


def test_unknown_voice(vo: VoRunner, tmp_path: Path) -> None:
    result = vo("make", "--topic", "cats", "--voice", "xx_XX-nobody", "-o", "out")
    assert_one_line_error(result, "xx_XX-nobody", "not installed")
    assert not list((tmp_path).glob("out/*.mp4"))


def test_language_without_a_voice(vo: VoRunner) -> None:
    result = vo("make", "--topic", "Katzen", "--lang", "de", "-o", "out")
    assert_one_line_error(result, "de")


def test_unreadable_music(vo: VoRunner, tmp_path: Path) -> None:
    (tmp_path / "song.mp3").write_text("this is not audio")
    result = vo("make", "--topic", "cats", "--music", "song.mp3", "-o", "out")
    assert_one_line_error(result, "song.mp3")
    assert not (tmp_path / "out").exists()


def test_media_folder_that_does_not_exist(vo: VoRunner) -> None:
    assert_one_line_error(vo("make", "--topic", "cats", "--media", "nowhere"), "nowhere")


def test_a_script_no_packaged_font_covers_names_the_missing_font(
    vo: VoRunner, tmp_path: Path
) -> None:
    # Japanese is covered since ADR 0032 (Noto Sans CJK JP); runes are not.
    (tmp_path / "runes.txt").write_text("ᚠᚢᚦ ᚨᚱᚲ. ᚷᚹᚺ ᚾᛁᛃ. ᛇᛈᛉ ᛊᛏᛒ.")
    result = vo("make", "--script", "runes.txt", "-o", "out")
    assert_one_line_error(result)
    assert "font" in result.stderr.lower()


def test_bad_spec_files(vo: VoRunner, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"clips": [')
    assert_one_line_error(vo("render", "broken.json", "-o", "x.mp4"), "not valid JSON")
    (tmp_path / "wrong.json").write_text('{"clips": [{"kind": "colour", "duration": -4}]}')
    assert_one_line_error(vo("spec", "validate", "wrong.json"), "duration")
    (tmp_path / "missing.json").write_text(
        '{"clips": [{"kind": "video", "duration": 30, "path": "gone.mp4"}]}'
    )
    assert_one_line_error(vo("render", "missing.json", "-o", "x.mp4"), "gone.mp4")
    assert not (tmp_path / "x.mp4").exists()


def test_check_of_a_non_media_file(vo: VoRunner, tmp_path: Path) -> None:
    (tmp_path / "notes.mp4").write_text("hello")
    assert_one_line_error(vo("check", "notes.mp4"), "notes.mp4")


@pytest.mark.parametrize("speed", ["0.1", "5"])
def test_speed_out_of_range(vo: VoRunner, speed: str) -> None:
    assert_one_line_error(vo("make", "--topic", "cats", "--speed", speed), "speed")


def test_an_invalid_setting_is_one_line_naming_it(
    vo: VoRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VO_WORKERS", "many")
    result = vo("voices")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "VO_WORKERS" in result.stderr and "Traceback" not in result.stderr
