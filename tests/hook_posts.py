"""Posted hooks with stored results, for the hook-weight feedback tests (ADR 0044): projects
whose scripts open with hooks that vary in a number, "you", an open loop and their length,
each posted once with three day rows of views, linked to its project through the metrics
store. The planted truth: a number in the hook multiplies views at 72 h by e^``lift``; the
other components do nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import numpy as np

from tests.analytics_exports import csv_text, encoded
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.store import Database

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
HEADER = ["platform", "video_id", "date", "published_at", "title", "views"]
TOPIC = "why the deep ocean glows"
#: A planted lift of log views for a hook with a number (e^0.5 ≈ +65 % views).
LIFT = 0.5
SEED = 3
#: The first post goes out then, the others one a day after it.
FIRST_POST = datetime(2026, 10, 1, 18, 0, tzinfo=UTC)


def hook_text(number: bool, you: bool, loop: bool, long: bool) -> str:
    words = ["Why" if loop else "How", "3" if number else "these", "deep ocean animals"]
    words.append("glow in the dark")
    if you:
        words.append("for you")
    if long:
        words.append("every single night down there")
    return " ".join(words) + ("?" if loop else ".")


def _script(hook: str) -> dict[str, object]:
    return {
        "topic": TOPIC,
        "title": "The glowing deep",
        "hook": hook,
        "scenes": [{"narration": "Deep ocean animals make their own light.", "keywords": []}],
    }


def plant_posts(
    db: Database,
    *,
    posts: int = 32,
    lift: float = LIFT,
    seed: int = SEED,
    prefix: str = "v",
    first: datetime = FIRST_POST,
) -> list[str]:
    """``posts`` posted hooks with results (a balanced design over the four parts, repeated),
    stored through the real project and metrics services; their projects' ids."""
    rng = np.random.default_rng(seed)
    projects = ProjectService(db)
    metrics = MetricsService(db, clock=lambda: NOW)
    designs = list(product((False, True), repeat=4))
    rows: list[list[object]] = []
    made: list[tuple[str, str]] = []
    for index in range(posts):
        number, you, loop, long = designs[index % len(designs)]
        hook = hook_text(number, you, loop, long)
        project = projects.create(
            ProjectCreate.model_validate({"topic": TOPIC, "script": _script(hook)})
        )
        remote_id = f"{prefix}{seed}x{index:03d}"
        made.append((remote_id, project.id))
        outcome = 7.0 + (lift if number else 0.0) + rng.normal(0.0, 0.25)
        total = float(np.exp(outcome))
        published = first + timedelta(days=index)
        for day, share in enumerate((0.5, 0.3, 0.2)):
            when = published.date() + timedelta(days=day)
            rows.append([
                "tiktok", remote_id, when.isoformat(), published.isoformat(),
                f"post {index}", round(total * share),
            ])  # fmt: skip
    metrics.import_file(encoded(csv_text([HEADER, *rows])), "posts.csv")
    for remote_id, project_id in made:
        metrics.link("tiktok", remote_id, project_id=project_id)
    return [project_id for _, project_id in made]
