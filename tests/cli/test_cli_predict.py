"""``vo analytics predict`` (ADR 0043): a table with the error beside every figure from a
history imported through the real path; too little history in one readable line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import VoRunner
from tests.cli.test_cli_errors import assert_one_line_error
from tests.prediction_history import draft_fields, planted, store_history
from video_orchestrator.config import Settings
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.store import Database


def _database(tmp_path: Path) -> Database:
    db = Database(Settings(data_dir=tmp_path / "data").database())
    db.migrate()
    return db


def test_predict_prints_a_table_with_the_error(vo: VoRunner, tmp_path: Path) -> None:
    db = _database(tmp_path)
    store_history(db, planted(30, seed=21))
    draft = ProjectService(db).create(ProjectCreate.model_validate(draft_fields("pop"))).id
    db.dispose()
    shown = vo("analytics", "predict", draft, "--platform", "tiktok", "--at", "2026-12-08T18:00")
    assert shown.returncode == 0, shown.stderr
    assert "tiktok at 2026-12-08 18:00 UTC" in shown.stdout
    assert "views" in shown.stdout and "average view duration" in shown.stdout
    assert "Trained on 30 videos at 7d (30 linked to a project)" in shown.stdout
    as_json = vo("analytics", "predict", draft, "--at", "2026-12-08T18:00", "--json")
    body = json.loads(as_json.stdout)
    error = body["views"]["error"]["median_ape"]
    assert f"±{error:.0%}" in shown.stdout  # the table states the same error


def test_predict_refuses_in_one_line(vo: VoRunner, tmp_path: Path) -> None:
    db = _database(tmp_path)
    store_history(db, planted(19, seed=22))
    draft = ProjectService(db).create(ProjectCreate.model_validate(draft_fields("pop"))).id
    db.dispose()
    assert_one_line_error(
        vo("analytics", "predict", draft),
        "Predictions need at least 20 published videos with metrics; there are 19, so 1 more.",
    )
    assert_one_line_error(vo("analytics", "predict", draft, "--at", "soon"), "posting time")
    assert_one_line_error(vo("analytics", "predict", "nope"), "nope")
