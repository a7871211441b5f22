"""Experiments end to end over the stored metric rows (ADR 0036): a planted effect is found
and named with the probability the analysis states, no effect names no winner, a winner is
applied to the project with the change stored; the post age picks the right rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from tests.analytics_exports import csv_text, encoded
from video_orchestrator.analytics.experiment import percent
from video_orchestrator.errors import InputError, InvalidStateError, NotFoundError
from video_orchestrator.services.experiment_runs import ExperimentCreate, ExperimentRuns, LinkIn
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.store import Database

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
HEADER = ["platform", "video_id", "date", "published_at", "title", "views", "average_view_duration"]
POSTS = 30


def _runs(db: Database) -> ExperimentRuns:
    metrics = MetricsService(db, clock=lambda: NOW)
    return ExperimentRuns(db, JobService(db, None), metrics, clock=lambda: NOW)


def _project(db: Database, **fields: object) -> str:
    data = ProjectCreate.model_validate({"topic": "why the deep ocean glows", **fields})
    return ProjectService(db).create(data).id


def _posts(seed: int, lift: float) -> list[list[object]]:
    """POSTS posts per arm, three days each from their post day: heavy-tailed views
    (log-normal, σ 1), average view duration log-normal (σ 0.25) with B's ``lift`` planted."""
    rng = np.random.default_rng(seed)
    rows: list[list[object]] = []
    for arm, factor in (("A", 1.0), ("B", 1.0 + lift)):
        for index in range(POSTS):
            published = datetime(2026, 10, 1, 18, 0, tzinfo=UTC) + timedelta(days=index)
            duration = float(14.0 * factor * rng.lognormal(0.0, 0.25))
            views = rng.lognormal(7.0, 1.0, size=3)
            for day in range(3):
                when = published.date() + timedelta(days=day)
                rows.append([
                    "tiktok", f"{arm}{seed}x{index:03d}", when.isoformat(),
                    published.isoformat(), f"post {arm} {index}", int(views[day]) + 1,
                    round(duration, 3),
                ])  # fmt: skip
    return rows


def _linked(
    db: Database, runs: ExperimentRuns, experiment_id: str, rows: list[list[object]]
) -> None:
    MetricsService(db, clock=lambda: NOW).import_file(
        encoded(csv_text([HEADER, *rows])), "posts.csv"
    )
    for remote_id in dict.fromkeys(str(row[1]) for row in rows):
        runs.link(
            experiment_id, LinkIn(variant=remote_id[0], platform="tiktok", remote_id=remote_id)
        )


def test_a_planted_lift_names_b_with_the_stated_probability_and_applies_it(db: Database) -> None:
    runs = _runs(db)
    project_id = _project(db, captions={"style": "karaoke"})
    created = runs.create(
        ExperimentCreate(
            project_id=project_id,
            factors={"caption_style": ["karaoke", "pop"]},
            metric="average_view_duration",
            age="72h",
        )
    )
    assert [v.label for v in created.items] == ["A", "B"]
    assert created.items[1].options == {"captions": {"style": "pop"}}
    _linked(db, runs, created.id, _posts(seed=7, lift=0.20))

    analysed = runs.analyse(created.id)
    analysis = analysed.analysis
    assert analysis is not None
    assert analysis["measured"] == {"young": 0, "unmeasured": 0, "measured": 2 * POSTS}
    assert analysis["prior"] == "the default (0.3)"
    assert analysis["decision"] == "winner" and analysis["winner"] == "B"
    (comparison,) = analysis["comparisons"]
    chance = comparison["chance_to_beat_control"]
    assert chance >= 0.95
    assert 0.08 < comparison["lift"] < 0.35  # the planted +20 %, within the sampling spread
    assert f"B is better than A with {percent(chance)} probability" in analysis["verdict"]
    assert comparison["test"]["p_value"] < 0.05 and comparison["significant"]
    assert analysis["srm"]["mismatch"] is False
    assert analysed.status == "analysed" and analysed.winner == "B"

    listed = runs.find()
    assert [(e.id, e.winner, e.decision) for e in listed] == [(created.id, "B", "winner")]

    applied = runs.apply(created.id)
    assert applied.status == "applied" and applied.feedback is not None
    (change,) = applied.feedback["changes"]
    assert (change["setting"], change["from"], change["to"]) == ("captions.style", "karaoke", "pop")
    assert ProjectService(db).get(project_id).captions.style == "pop"


def test_no_effect_names_no_winner(db: Database) -> None:
    runs = _runs(db)
    created = runs.create(
        ExperimentCreate(
            project_id=_project(db), factors={"caption_style": ["karaoke", "pop"]}, age="72h"
        )
    )
    _linked(db, runs, created.id, _posts(seed=11, lift=0.0))
    analysis = runs.analyse(created.id).analysis
    assert analysis is not None
    assert analysis["winner"] is None
    assert analysis["decision"] in ("no_winner_yet", "no_difference")
    applied = runs.apply(created.id)
    assert applied.feedback is not None and applied.feedback["changes"] == []
    assert ProjectService(db).get(created.project_id or "").captions.style == "karaoke"


def test_the_post_age_takes_only_its_days_and_waits_for_young_videos(db: Database) -> None:
    runs = _runs(db)
    created = runs.create(
        ExperimentCreate(
            project_id=_project(db), factors={"caption_style": ["karaoke", "pop"]},
            metric="views", age="24h",
        )
    )  # fmt: skip
    old = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    young = NOW - timedelta(hours=5)
    rows: list[list[object]] = [
        ["tiktok", "old1", "2026-11-01", old.isoformat(), "old", 100, 10.0],
        ["tiktok", "old1", "2026-11-02", old.isoformat(), "old", 900, 10.0],  # after 24 h
        ["tiktok", "young1", young.date().isoformat(), young.isoformat(), "young", 50, 9.0],
    ]
    MetricsService(db, clock=lambda: NOW).import_file(encoded(csv_text([HEADER, *rows])), "a.csv")
    runs.link(created.id, LinkIn(variant="a", platform="tiktok", remote_id="old1"))
    runs.link(created.id, LinkIn(variant="B", platform="tiktok", remote_id="young1"))
    analysis = runs.analyse(created.id).analysis
    assert analysis is not None
    assert analysis["measured"] == {"young": 1, "unmeasured": 0, "measured": 1}
    assert analysis["decision"] == "too_few_posts"
    control = next(arm for arm in analysis["arms"] if arm["name"] == "A")
    assert control["posts"] == 1 and control["typical"] == pytest.approx(100.0)


def test_bad_requests_are_named(db: Database) -> None:
    runs = _runs(db)
    project_id = _project(db)
    with pytest.raises(NotFoundError):
        runs.create(
            ExperimentCreate(project_id="nope", factors={"caption_style": ["pop", "clean"]})
        )
    with pytest.raises(InputError, match="unknown factor"):
        runs.create(ExperimentCreate(project_id=project_id, factors={"colour": ["red", "blue"]}))
    with pytest.raises(InputError, match="hook factor"):
        runs.create(ExperimentCreate(project_id=project_id, factors={"hook": ["a b c", "d e f"]}))
    with pytest.raises(InputError, match="unknown metric"):
        runs.create(
            ExperimentCreate(
                project_id=project_id, factors={"caption_style": ["pop", "clean"]}, metric="vibes"
            )
        )
    created = runs.create(
        ExperimentCreate(project_id=project_id, factors={"caption_style": ["pop", "clean"]})
    )
    with pytest.raises(InputError, match="no variant 'C'"):
        runs.link(created.id, LinkIn(variant="C", platform="tiktok", remote_id="x"))
    with pytest.raises(NotFoundError, match="import its metrics first"):
        runs.link(created.id, LinkIn(variant="A", platform="tiktok", remote_id="x"))
    rows: list[list[object]] = [["tiktok", "v1", "2026-11-01", "", "t", 10, 5.0]]
    MetricsService(db, clock=lambda: NOW).import_file(encoded(csv_text([HEADER, *rows])), "b.csv")
    runs.link(created.id, LinkIn(variant="A", platform="tiktok", remote_id="v1"))
    runs.link(created.id, LinkIn(variant="A", platform="tiktok", remote_id="v1"))  # again: no-op
    with pytest.raises(InvalidStateError, match="already counts for variant A"):
        runs.link(created.id, LinkIn(variant="B", platform="tiktok", remote_id="v1"))
    assert len(runs.get(created.id).items[0].videos) == 1


def test_render_makes_one_batch_of_variant_projects(db: Database) -> None:
    jobs = JobService(db, None)  # the jobs stay queued: nothing renders here
    runs = ExperimentRuns(db, jobs, MetricsService(db), clock=lambda: NOW)
    script = {
        "title": "Glow", "topic": "ocean glow", "hook": "The deep ocean glows.",
        "scenes": [{"narration": "Light made by living things."}],
    }  # fmt: skip
    project_id = _project(db, script=script, captions={"style": "karaoke"})
    created = runs.create(
        ExperimentCreate(
            project_id=project_id,
            factors={"hook": ["The deep ocean glows.", "Nobody expected this glow."],
                     "caption_style": ["karaoke", "pop"]},
        )
    )  # fmt: skip
    rendered = runs.render(created.id)
    assert rendered.status == "rendering" and rendered.batch_id
    batch = jobs.find(batch_id=rendered.batch_id).items
    assert len(rendered.items) == 4
    assert sorted(j.id for j in batch) == sorted(v.job_id or "" for v in rendered.items)
    projects = ProjectService(db)
    for variant in rendered.items:
        assert variant.job_status == "queued"
        made = projects.get(variant.project_id or "")
        assert made.script is not None and made.script.hook == variant.levels["hook"]
        assert made.captions.style == variant.levels["caption_style"]
        assert made.platforms == ["tiktok"]
    assert projects.get(project_id).captions.style == "karaoke"  # the base is untouched
    with pytest.raises(InvalidStateError, match="already sent to render"):
        runs.render(created.id)


def test_a_date_is_a_date() -> None:  # the helper the snapshot relies on
    from video_orchestrator.services.experiment_runs import _jsonable

    assert _jsonable({"d": date(2026, 1, 2), "x": (1.0, float("inf"))}) == {
        "d": "2026-01-02",
        "x": [1.0, None],
    }


def test_the_prior_is_learned_from_earlier_experiments_on_the_metric(db: Database) -> None:
    """25 earlier comparisons whose lifts were ±5 % measured to ±1 %: the prior's spread
    becomes √(0.05² − 0.01²) ≈ 0.049 (ADR 0028), and the snapshot says so."""
    from video_orchestrator.store.tables import Experiment

    runs = _runs(db)
    project_id = _project(db)
    comparison = {
        "variant": "B", "control": "A", "chance_to_beat_control": 0.5, "adjusted_chance": 0.5,
        "lift": 0.0, "lift_interval": [-0.1, 0.1], "risk": 0.0, "control_risk": 0.0,
        "standard_error": 0.01, "p_adjusted": 1.0, "significant": False, "more_posts": None,
        "test": {"name": "welch", "statistic": 0.0, "df": None, "p_value": 1.0},
    }  # fmt: skip
    with db.session() as session:
        for index in range(25):
            estimate = 0.05 if index % 2 else -0.05
            session.add(
                Experiment(
                    id=f"past{index:02d}", name="past", project_id=project_id,
                    platform="tiktok", metric="average_view_duration", age="72h", design={},
                    status="analysed", analysed_at=NOW,
                    analysis={"comparisons": [{**comparison, "estimate": estimate}]},
                )
            )  # fmt: skip
    created = runs.create(
        ExperimentCreate(project_id=project_id, factors={"caption_style": ["karaoke", "pop"]})
    )
    _linked(db, runs, created.id, _posts(seed=7, lift=0.20))
    analysis = runs.analyse(created.id).analysis
    assert analysis is not None
    assert analysis["settings"]["prior_sd"] == pytest.approx(0.049, abs=0.001)
    assert analysis["prior"].startswith("learned from 25 earlier comparisons")


def test_two_render_requests_at_once_make_one_batch(db: Database) -> None:
    import threading

    jobs = JobService(db, None)
    runs = ExperimentRuns(db, jobs, MetricsService(db), clock=lambda: NOW)
    created = runs.create(
        ExperimentCreate(project_id=_project(db), factors={"caption_style": ["karaoke", "pop"]})
    )
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def render() -> None:
        start.wait()
        try:
            runs.render(created.id)
            outcomes.append("rendered")
        except InvalidStateError:
            outcomes.append("refused")

    threads = [threading.Thread(target=render) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "rendered"]
    batch_id = runs.get(created.id).batch_id
    assert len(jobs.find(batch_id=batch_id).items) == 2
    assert jobs.find().total == 2  # no second batch anywhere
