"""Unlinking a video from an experiment variant (ADR 0044, the studio's picker): the link and
the metrics store's mirror link to the variant go; a video that was never linked is named."""

from __future__ import annotations

import pytest

from tests.analytics.test_experiment_runs import NOW, _linked, _posts, _project, _runs
from video_orchestrator.errors import NotFoundError
from video_orchestrator.services.experiment_runs import ExperimentCreate
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.store import Database


def test_unlink_removes_the_link_and_the_variant_mirror(db: Database) -> None:
    runs = _runs(db)
    created = runs.create(
        ExperimentCreate(
            project_id=_project(db), factors={"caption_style": ["karaoke", "pop"]}, age="72h"
        )
    )
    runs.render(created.id)  # the variants' projects: an imported video's link is mirrored
    rows = [r for r in _posts(seed=3, lift=0.0) if str(r[1]).endswith(("x000", "x001"))]
    _linked(db, runs, created.id, rows)
    linked = runs.get(created.id)
    assert sum(len(v.videos) for v in linked.items) == 4
    metrics = MetricsService(db, clock=lambda: NOW)

    after = runs.unlink(created.id, "tiktok", "B3x001")
    assert [v.remote_id for v in after.items[1].videos] == ["B3x000"]
    assert [v.remote_id for v in after.items[0].videos] == ["A3x000", "A3x001"]
    videos = {v.remote_id: v for v in metrics.videos(limit=10).items}
    assert videos["B3x001"].variant_id is None  # no longer counted for B anywhere
    assert videos["B3x000"].variant_id == f"{created.id}:B"

    with pytest.raises(NotFoundError, match="not linked"):
        runs.unlink(created.id, "tiktok", "B3x001")
