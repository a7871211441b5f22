"""Predictions from the stored history (ADR 0043), on SQLite and PostgreSQL: a planted
effect imported through the generic CSV moves the prediction the planted way, the reported
cross-validated error matches the error on held-out synthetic videos, 19 videos refuse with
the exact reason, and the trained model is kept until the history changes."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np

from tests.analytics_exports import csv_text, encoded
from tests.prediction_history import (
    NOW,
    POP_LIFT,
    draft_fields,
    planted,
    store_history,
)
from video_orchestrator.analytics.predict import PredictionSettings
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.services.prediction_features import hook_type_of, project_features
from video_orchestrator.services.predictions import PredictionOut, Predictions, RefusalOut
from video_orchestrator.services.projects import (
    ProjectCreate,
    ProjectOut,
    ProjectService,
    ProjectUpdate,
)
from video_orchestrator.store import Database

AT = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)


def _draft(db: Database, style: str) -> str:
    return ProjectService(db).create(ProjectCreate.model_validate(draft_fields(style))).id


def test_a_planted_caption_style_moves_the_prediction_and_the_error_is_honest(
    db: Database,
) -> None:
    history = planted(60, seed=3)
    store_history(db, history)
    service = Predictions(db, clock=lambda: NOW)
    pop, clean = _draft(db, "pop"), _draft(db, "clean")

    with_pop = service.predict(pop, platform="tiktok", at=AT)
    without = service.predict(clean, platform="tiktok", at=AT)
    assert isinstance(with_pop, PredictionOut) and isinstance(without, PredictionOut)
    assert with_pop.history.used == 60 and with_pop.history.linked == 60
    ratio = with_pop.views.value / without.views.value
    assert 1.4 < ratio < 1.45 * POP_LIFT, ratio  # planted ×2, shrunk a little by the ridge
    # the average view duration follows the length (planted 0.45 × length; draft 40 s)
    assert 12 < with_pop.average_view_duration.value < 24
    # every figure carries its cross-validated error and interval
    for figure in (with_pop.views, with_pop.average_view_duration):
        assert figure.low < figure.value < figure.high
        assert figure.error.videos == 60 and figure.error.folds == 5
        assert "typically off by" in figure.sentence

    # held-out: 300 new synthetic videos through the same feature path
    trained = service.trained()
    assert not isinstance(trained.model, RefusalOut)
    model = trained.model
    assert hasattr(model, "predict")
    errors = []
    for video in planted(300, seed=99):
        project = ProjectOut.model_validate(
            {**video.fields, "id": "x", "version": 1, "created_at": NOW, "updated_at": NOW}
        )
        features = project_features(project, "tiktok", video.published, length_s=video.length_s)
        predicted = model.predict(features.features).views.value  # type: ignore[union-attr]
        errors.append(abs(predicted / video.views - 1))
    held_out = float(np.median(errors))
    reported = with_pop.views.error.median_ape
    assert 0.6 < reported / held_out < 1.6, (reported, held_out)


def test_nineteen_videos_refuse_with_the_exact_reason(db: Database) -> None:
    store_history(db, planted(19, seed=5))
    service = Predictions(db, clock=lambda: NOW)
    answer = service.predict(_draft(db, "pop"), platform="tiktok", at=AT)
    assert isinstance(answer, RefusalOut)
    assert answer.reason == (
        "Predictions need at least 20 published videos with metrics; there are 19, so 1 more."
    )
    assert (answer.videos, answer.needed) == (19, 20)
    model = service.model()
    assert not model.ready and model.reason == answer.reason


def test_young_and_unmeasured_videos_are_left_out_and_counted(db: Database) -> None:
    history = planted(20, seed=6)
    store_history(db, history)
    # two posts younger than 7 days and one with views but no average view duration
    rows: list[list[object]] = []
    for index, published in enumerate((NOW - timedelta(days=2), NOW - timedelta(days=3))):
        day = published.date()
        rows.append(["tiktok", f"young{index}", day.isoformat(), published.isoformat(), 900, 12])
    old = datetime(2026, 9, 1, 10, tzinfo=UTC)
    rows.append(["tiktok", "noavd", old.date().isoformat(), old.isoformat(), 900, ""])
    header = ["platform", "video_id", "date", "published_at", "views", "average_view_duration"]
    MetricsService(db, clock=lambda: NOW).import_file(encoded(csv_text([header, *rows])), "y.csv")
    service = Predictions(db, clock=lambda: NOW)
    model = service.model()
    assert model.ready
    assert (model.history.used, model.history.young, model.history.unmeasured) == (20, 2, 1)


def test_unlinked_videos_count_with_what_their_export_says(db: Database) -> None:
    store_history(db, planted(12, seed=7))
    rows: list[list[object]] = []
    rng = np.random.default_rng(1)
    for index in range(10):
        published = datetime(2026, 7, 1, 9, tzinfo=UTC) + timedelta(days=index)
        day = published.date()
        rows.append([
            "youtube", f"yt{index}", day.isoformat(), (day + timedelta(days=6)).isoformat(),
            published.isoformat(), f"Why is the sky blue? part {index}", 30,
            round(1000 * math.exp(rng.normal(0, 0.4))), 14,
        ])  # fmt: skip
    header = [
        "platform", "video_id", "date", "date_to", "published_at", "title", "duration_seconds",
        "views", "average_view_duration",
    ]  # fmt: skip
    MetricsService(db, clock=lambda: NOW).import_file(encoded(csv_text([header, *rows])), "u.csv")
    service = Predictions(db, clock=lambda: NOW)
    history = service.history()
    assert (history.summary.used, history.summary.linked) == (22, 12)
    unlinked = [v.features for v in history.videos if v.features.platform == "youtube"]
    assert {f.caption_style for f in unlinked} == {"unknown"}
    assert {f.hook_type for f in unlinked} == {"question"}
    assert {f.hour for f in unlinked} == {9}
    answer = service.predict(_draft(db, "pop"), platform="youtube-shorts", at=AT)
    assert isinstance(answer, PredictionOut) and answer.platform == "youtube"


def test_the_model_is_kept_until_the_history_changes(db: Database) -> None:
    ids = store_history(db, planted(24, seed=8))
    service = Predictions(db, clock=lambda: NOW)
    draft = _draft(db, "clean")
    service.predict(draft, at=AT)
    service.predict(draft, at=AT)
    service.model()
    assert service.trainings == 1
    # editing the draft changes no history; editing a linked project does
    projects = ProjectService(db)
    version = projects.get(draft).version
    projects.update(draft, ProjectUpdate(version=version, topic="moon dust"))
    service.predict(draft, at=AT)
    assert service.trainings == 1
    linked = projects.get(ids[0])
    projects.update(ids[0], ProjectUpdate(version=linked.version, topic="octopus hearts"))
    service.model()
    assert service.trainings == 2
    store_history(db, planted(3, seed=9, start=datetime(2026, 6, 1, tzinfo=UTC)), name="more.csv")
    answer = service.predict(draft, at=AT)
    assert service.trainings == 3
    assert isinstance(answer, PredictionOut) and answer.history.used == 27


def test_hook_types_are_read_from_the_words() -> None:
    assert hook_type_of("Why does the sea glow?") == "question"
    assert hook_type_of("7 facts about octopus hearts") == "list"
    assert hook_type_of("Only 2% of people know this") == "statistic"
    assert hook_type_of("How to cook rice in a kettle") == "how_to"
    assert hook_type_of("Nobody tells you this secret") == "secret"
    assert hook_type_of("The ocean is louder than a jet") == "bold_claim"


def test_a_second_process_reads_the_stored_model_and_a_changed_history_trains_again(
    db: Database,
) -> None:
    store_history(db, planted(24, seed=8))
    draft = _draft(db, "clean")
    web = Predictions(db, clock=lambda: NOW)
    first = web.predict(draft, at=AT)
    assert (web.trainings, web.loads) == (1, 0)
    # a worker (another instance, as another process would make) over the same database
    worker = Predictions(Database(db.url.render_as_string(hide_password=False)), clock=lambda: NOW)
    again = worker.predict(draft, at=AT)
    assert (worker.trainings, worker.loads) == (0, 1)  # read, not trained
    assert again == first  # the stored model predicts exactly what the trained one did
    assert worker.model() == web.model()
    # a changed history: the next reader trains, and the first process then reads its model
    store_history(db, planted(3, seed=9, start=datetime(2026, 6, 1, tzinfo=UTC)), name="more.csv")
    changed = worker.predict(draft, at=AT)
    assert (worker.trainings, worker.loads) == (1, 1)
    assert isinstance(changed, PredictionOut) and changed.history.used == 27
    assert web.predict(draft, at=AT) == changed
    assert (web.trainings, web.loads) == (1, 1)
    # other settings are another model
    strict = Predictions(db, clock=lambda: NOW, settings=PredictionSettings(min_videos=30))
    refused = strict.predict(draft, at=AT)
    assert isinstance(refused, RefusalOut) and (strict.trainings, strict.loads) == (1, 0)
    assert isinstance(Predictions(db, clock=lambda: NOW).predict(draft, at=AT), PredictionOut)
