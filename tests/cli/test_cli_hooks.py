"""``vo hooks`` end to end: the table, JSON, the model fallback notice, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import VoRunner
from tests.cli.test_cli_errors import assert_one_line_error
from tests.contract.test_llm_openai_compat import ChatServer, Reply, closed_port, completion
from video_orchestrator.config import Settings
from video_orchestrator.pipeline.hooks import bundled_library
from video_orchestrator.store import Database
from video_orchestrator.store.tables import HookWeightChange

SCRIPT = """Iceland sits on a crack in the Earth, and it is getting wider.

Iceland has 130 active volcanoes. Most of them sleep for centuries.

Eyjafjallajokull stopped 100,000 flights in 2010.
"""


@pytest.fixture
def script_file(tmp_path: Path) -> Path:
    path = tmp_path / "script.txt"
    path.write_text(SCRIPT, encoding="utf-8")
    return path


def test_hooks_for_a_topic_print_a_scored_table(vo: VoRunner) -> None:
    result = vo("hooks", "--topic", "volcanoes in Iceland", "--count", "5")
    assert result.returncode == 0, result.stderr
    assert "Hooks for TikTok (from the templates)" in result.stdout
    for column in ("score", "type", "hook", "reasons"):
        assert column in result.stdout
    assert "timing" in result.stdout and "165 wpm" in result.stdout
    assert "curiosity" in result.stdout and "specificity" in result.stdout


def test_hooks_for_a_script_as_json(vo: VoRunner, script_file: Path) -> None:
    result = vo("hooks", "--script", script_file.name, "--platform", "shorts", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["platform"] == "youtube-shorts" and document["source"] == "template"
    hooks = document["hooks"]
    assert len(hooks) == 8
    assert [h["score"] for h in hooks] == sorted((h["score"] for h in hooks), reverse=True)
    assert "Did you know that Iceland has 130 active volcanoes?" in [h["text"] for h in hooks]
    first = hooks[0]
    assert {c["name"] for c in first["components"]} == {
        "timing", "curiosity", "specificity", "numbers", "you", "length",
    }  # fmt: skip
    assert any("160 wpm" in c["reason"] for c in first["components"])
    assert document["current"]["text"].startswith("Iceland sits on a crack")


def _run_with_model(tmp_path: Path, base_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VO_DATA_DIR": str(tmp_path / "data"),
        "VO_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "VO_LLM_BASE_URL": base_url,
        "VO_LLM_MODEL": "local-model",
        "VO_LLM_TIMEOUT": "3",
        "VO_LLM_RETRIES": "0",
        "VO_LLM_CACHE": "false",
        "COLUMNS": "200",
    }
    env.pop("VO_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "video_orchestrator", "hooks", *args],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )  # fmt: skip


def test_hooks_from_a_configured_model(tmp_path: Path) -> None:
    answer = {
        "hooks": [
            {"text": "Why do 130 volcanoes sleep under Iceland?", "type": "question"},
            {"text": "Iceland is splitting in two, and you can see it.", "type": "bold_claim"},
            {"text": "In 2010 one volcano grounded 100,000 flights.", "type": "statistic"},
        ]
    }
    with ChatServer() as server:
        server.replies.append(Reply(200, completion(json.dumps(answer))))
        result = _run_with_model(
            tmp_path, server.base_url, "--topic", "volcanoes in Iceland", "--count", "3", "--json"
        )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["source"] == "llm"
    assert {h["text"] for h in document["hooks"]} == {h["text"] for h in answer["hooks"]}
    assert "Write 3 hooks" in json.dumps(server.requests[0].body)


def test_with_the_model_down_the_templates_are_used_and_the_user_told(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    result = _run_with_model(tmp_path, url, "--topic", "volcanoes in Iceland", "--count", "5")
    assert result.returncode == 0, result.stderr
    assert "used the hook templates instead" in result.stderr
    assert "Hooks for TikTok (from the templates)" in result.stdout


def test_bad_input_is_one_line(vo: VoRunner, tmp_path: Path) -> None:
    assert_one_line_error(vo("hooks", "--script", "missing.txt"), "does not exist")
    (tmp_path / "empty.txt").write_text("  \n")
    assert_one_line_error(vo("hooks", "--script", "empty.txt"), "empty")
    assert_one_line_error(vo("hooks", "--topic", "cats", "--platform", "myspace"), "myspace")
    assert_one_line_error(vo("hooks"), "--topic")
    assert_one_line_error(vo("hooks", "--topic", "   "), "topic is empty")
    assert_one_line_error(vo("hooks", "--topic", "cats", "--count", "11"), "1 to 10")
    result = vo("hooks", "--script", "missing.txt")
    assert result.returncode == 2


# --- the workspace's hook weights are read, never created (ADR 0044)

WEAK_HOOK = {  # 48 of 100 with the shipped weights: weak (< 50)
    "topic": "why the deep ocean glows",
    "title": "The glowing deep",
    "hook": "Here are 3 things.",
    "scenes": [{"narration": "Deep ocean animals make their own light.", "keywords": []}],
}
LEARNED = {
    "timing": 20.0, "curiosity": 15.0, "specificity": 15.0, "numbers": 30.0, "you": 10.0,
    "length": 10.0,
}  # fmt: skip


def _weights_in(document: dict[str, Any]) -> list[dict[str, float]]:
    return [{c["name"]: c["max_points"] for c in h["components"]} for h in document["hooks"]]


def _weak_hook(vo: VoRunner, tmp_path: Path) -> list[str]:
    (tmp_path / "weak.json").write_text(json.dumps(WEAK_HOOK), encoding="utf-8")
    result = vo("optimise", "--script", "weak.json", "--json")
    assert result.returncode == 0, result.stderr
    return [s["why"] for s in json.loads(result.stdout)["suggestions"] if s["rule"] == "hook.weak"]


def test_in_an_empty_workspace_the_shipped_weights_are_used_and_no_database_is_made(
    vo: VoRunner, tmp_path: Path
) -> None:
    result = vo("hooks", "--topic", "how octopuses dream", "--json")
    assert result.returncode == 0, result.stderr
    shipped = bundled_library().scoring.weights
    assert _weights_in(json.loads(result.stdout)) == [shipped] * 8
    assert _weak_hook(vo, tmp_path) == [
        "the hook scores 48/100 (under 50); weakest: curiosity 0/20, specificity 0/20"
    ]
    data = tmp_path / "data"
    assert Settings(data_dir=data).database() == f"sqlite:///{data / 'vo.db'}"
    assert not list(data.glob("vo.db*"))  # nor its -wal, -shm or .migrate.lock


def test_learned_weights_in_the_workspace_database_are_used(vo: VoRunner, tmp_path: Path) -> None:
    db = Database(Settings(data_dir=tmp_path / "data").database())
    db.migrate()
    with db.session() as session:
        session.add(
            HookWeightChange(
                action="apply",
                from_weights=dict(bundled_library().scoring.weights),
                to_weights=LEARNED,
                evidence={},
                applied_by="test",
            )
        )
    db.dispose()
    result = vo("hooks", "--topic", "how octopuses dream", "--json")
    assert result.returncode == 0, result.stderr
    assert _weights_in(json.loads(result.stdout)) == [LEARNED] * 8
    assert _weak_hook(vo, tmp_path) == []  # the number now earns "Here are 3 things." enough
