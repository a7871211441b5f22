"""``vo analytics hook-weights`` end to end (ADR 0044): posted hooks planted in the CLI's own
database; propose changes nothing, apply stores the learned weights (and ``vo hooks`` scores
with them), history, reset; a refusal is one readable line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import VoRunner
from tests.cli.test_cli_errors import assert_one_line_error
from tests.hook_posts import plant_posts
from video_orchestrator.config import Settings
from video_orchestrator.store import Database


def _plant(tmp_path: Path, posts: int) -> None:
    db = Database(Settings(data_dir=tmp_path / "data").database())
    db.migrate()
    plant_posts(db, posts=posts)
    db.dispose()


def test_propose_apply_show_history_reset(vo: VoRunner, tmp_path: Path) -> None:
    _plant(tmp_path, 32)
    proposed = vo("analytics", "hook-weights", "propose")
    assert proposed.returncode == 0, proposed.stderr
    assert "32 posted hooks measured" in proposed.stdout
    assert "hooks with a number got" in proposed.stdout and "over 32 posts" in proposed.stdout
    shown = json.loads(vo("analytics", "hook-weights", "show", "--json").stdout)
    assert shown["source"] == "shipped"  # proposing changed nothing

    applied = vo("analytics", "hook-weights", "apply", "--json")
    assert applied.returncode == 0, applied.stderr
    change = json.loads(applied.stdout)
    assert change["action"] == "apply" and change["applied_by"].startswith("cli")
    learned = change["to_weights"]
    assert learned["numbers"] > 15

    shown = json.loads(vo("analytics", "hook-weights", "show", "--json").stdout)
    assert shown["source"] == "learned" and shown["weights"] == learned
    hooks = json.loads(vo("hooks", "--topic", "how octopuses dream", "--json").stdout)
    parts = {p["name"]: p["max_points"] for p in hooks["hooks"][0]["components"]}
    assert parts == learned  # vo hooks scores with the workspace's weights

    history = vo("analytics", "hook-weights", "history")
    assert history.returncode == 0 and "apply" in history.stdout and "numbers 15→" in history.stdout
    reset = vo("analytics", "hook-weights", "reset")
    assert reset.returncode == 0, reset.stderr
    assert json.loads(vo("analytics", "hook-weights", "show", "--json").stdout)["source"] == (
        "shipped"
    )
    again = vo("analytics", "hook-weights", "reset")
    assert_one_line_error(again, "already the shipped")


def test_too_few_posts_say_why(vo: VoRunner, tmp_path: Path) -> None:
    _plant(tmp_path, 10)
    proposed = vo("analytics", "hook-weights", "propose")
    assert proposed.returncode == 0, proposed.stderr
    assert "no proposal" in proposed.stdout and "at least 20 posted hooks" in proposed.stdout
    assert_one_line_error(vo("analytics", "hook-weights", "apply"), "nothing to apply", "10 more")
