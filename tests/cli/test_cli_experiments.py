"""``vo experiments`` end to end (few runs: each is a process): create from a project, render
(the variants queued as one batch), analyse (no videos yet: too few posts, said so); bad
input in one line. The planted verdict through stored rows is tested in
tests/analytics/test_experiment_runs.py and through the API."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.conftest import VoRunner
from tests.cli.test_cli_errors import assert_one_line_error
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.store import Database


def _project(tmp_path: Path) -> str:
    (tmp_path / "data").mkdir(exist_ok=True)
    db = Database(f"sqlite:///{tmp_path / 'data' / 'vo.db'}")
    db.migrate()
    try:
        data = ProjectCreate.model_validate({"topic": "glow", "captions": {"style": "karaoke"}})
        return ProjectService(db).create(data).id
    finally:
        db.dispose()


def test_create_render_analyse_and_bad_input(vo: VoRunner, tmp_path: Path) -> None:
    project_id = _project(tmp_path)
    created = vo("experiments", "create", project_id, "--factor", "caption_style=karaoke|pop")
    assert created.returncode == 0, created.stderr
    assert "all 2 combinations" in created.stdout and "planned" in created.stdout
    match = re.search(r"\(([0-9a-f]{32})\)", created.stdout)
    assert match, created.stdout
    experiment_id = match.group(1)

    rendered = vo("experiments", "render", experiment_id)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout.count("queued") == 2 and "rendering" in rendered.stdout

    analysed = vo("experiments", "analyse", experiment_id)
    assert analysed.returncode == 0, analysed.stderr
    assert "Too few posts for a verdict" in analysed.stdout

    assert_one_line_error(
        vo("experiments", "create", project_id, "--factor", "caption_style"), "name=level|level"
    )
    assert_one_line_error(
        vo("experiments", "link", experiment_id, "C", "--video", "tiktok:x"), "no variant 'C'"
    )


def test_link_and_unlink_an_imported_video(vo: VoRunner, tmp_path: Path) -> None:
    project_id = _project(tmp_path)
    created = vo("experiments", "create", project_id, "--factor", "caption_style=karaoke|pop")
    match = re.search(r"\(([0-9a-f]{32})\)", created.stdout)
    assert match, created.stdout
    experiment_id = match.group(1)
    csv = tmp_path / "one.csv"
    csv.write_text("platform,video_id,date,views\ntiktok,clip01,2026-11-01,120\n")
    assert vo("analytics", "import", str(csv)).returncode == 0

    linked = vo("experiments", "link", experiment_id, "B", "--video", "tiktok:clip01")
    assert linked.returncode == 0, linked.stderr
    assert re.search(r"│ B\s+│.*│ 1\s+│", linked.stdout), linked.stdout
    unlinked = vo("experiments", "unlink", experiment_id, "tiktok:clip01")
    assert unlinked.returncode == 0, unlinked.stderr
    assert re.search(r"│ B\s+│.*│ 0\s+│", unlinked.stdout), unlinked.stdout
    assert_one_line_error(vo("experiments", "unlink", experiment_id, "tiktok:clip01"), "not linked")
