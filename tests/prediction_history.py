"""A synthetic history with a planted answer for the prediction tests (ADR 0043): projects
with known features, their videos' figures at 7 days imported through the generic CSV (the
real import path, linked to the projects by its ``project_id`` column).

Planted: a video with the ``pop`` caption style gets ×``POP_LIFT`` views (log-normal noise,
σ ``VIEWS_SIGMA``); the average view duration is ``AVD_SHARE`` of the length (σ 0.2). Every
other feature (hook, hour, weekday, length, topic) varies and does nothing to views."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from tests.analytics_exports import csv_text, encoded
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.store import Database

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
POP_LIFT = 2.0
BASE_VIEWS = 1500.0
VIEWS_SIGMA = 0.5
AVD_SHARE = 0.45
HEADER = [
    "platform", "video_id", "date", "date_to", "published_at", "title", "duration_seconds",
    "project_id", "views", "average_view_duration",
]  # fmt: skip
TOPICS = ("deep ocean light", "octopus hearts", "volcano lightning", "desert rain", "moon dust")
HOOKS = (
    "Why does the {t} happen at night?",
    "Nobody tells you the truth about {t}.",
    "7 facts about {t} in 30 seconds.",
    "I saw {t} for the first time last year.",
)


@dataclass(frozen=True)
class Planted:
    """One synthetic video: its project's fields, its post and its true figures."""

    fields: dict[str, Any]
    platform: str
    published: datetime
    length_s: float
    views: float
    average_view_duration: float

    @property
    def style(self) -> str:
        return str(self.fields["captions"]["style"])


def planted(count: int, seed: int, *, start: datetime | None = None) -> list[Planted]:
    rng = np.random.default_rng(seed)
    first = start or datetime(2026, 8, 1, tzinfo=UTC)
    out: list[Planted] = []
    for index in range(count):
        topic = TOPICS[int(rng.integers(len(TOPICS)))]
        style = ("pop", "karaoke", "clean")[int(rng.integers(3))]
        length = float(rng.uniform(20, 55))
        words = int(length * rng.uniform(2.2, 2.9))
        narration = " ".join(["The", topic, "is", "strange"] * (words // 4 + 1)).split()[:words]
        fields = {
            "name": f"{topic} {seed}-{index}",
            "topic": topic,
            "platforms": ["tiktok"],
            "captions": {"style": style},
            "script": {
                "topic": topic,
                "title": f"{topic} #{seed}-{index}",
                "hook": HOOKS[int(rng.integers(len(HOOKS)))].format(t=topic),
                "scenes": [{"narration": " ".join(narration), "keywords": topic.split()}],
            },
        }
        published = first + timedelta(days=index, hours=int(rng.integers(7, 22)))
        lift = POP_LIFT if style == "pop" else 1.0
        views = BASE_VIEWS * lift * math.exp(float(rng.normal(0, VIEWS_SIGMA)))
        duration = AVD_SHARE * length * math.exp(float(rng.normal(0, 0.2)))
        out.append(Planted(fields, "tiktok", published, length, views, duration))
    return out


def history_csv(videos: list[Planted], project_ids: list[str], tag: str = "h") -> bytes:
    """The generic CSV of the videos' figures at 7 days (one period row each), linked to
    their projects."""
    rows: list[list[object]] = []
    for index, (video, project_id) in enumerate(zip(videos, project_ids, strict=True)):
        day = video.published.date()
        rows.append([
            video.platform, f"v{index:04d}{tag}", day.isoformat(),
            (day + timedelta(days=6)).isoformat(), video.published.isoformat(timespec="seconds"),
            video.fields["script"]["title"], round(video.length_s, 2), project_id,
            round(video.views), round(video.average_view_duration, 3),
        ])  # fmt: skip
    return encoded(csv_text([HEADER, *rows]))


def store_history(db: Database, videos: list[Planted], *, name: str = "history.csv") -> list[str]:
    """The videos' projects created and their figures imported; the project ids."""
    projects = ProjectService(db)
    ids = [projects.create(ProjectCreate.model_validate(v.fields)).id for v in videos]
    MetricsService(db, clock=lambda: NOW).import_file(history_csv(videos, ids, name[:3]), name)
    return ids


def draft_fields(style: str, *, topic: str = "desert rain", length: int = 40) -> dict[str, Any]:
    words = int(length * 2.5)
    narration = " ".join((["Rain", "in", "the", "desert"] * (words // 4 + 1))[:words])
    return {
        "name": f"draft {style}",
        "topic": topic,
        "platforms": ["tiktok"],
        "target_seconds": length,
        "captions": {"style": style},
        "script": {
            "topic": topic,
            "title": f"Draft {style}",
            "hook": f"Why does the {topic} happen at night?",
            "scenes": [{"narration": narration, "keywords": topic.split()}],
        },
    }
