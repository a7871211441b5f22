"""Merging and ranking trends (pipeline/trend_ranking.py), on synthetic lists with known
answers. The ranking table below documents the ordering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from video_orchestrator.pipeline.trend_ranking import (
    KnownTrend,
    Observation,
    item_scores,
    merge,
    rank,
    same_subject,
    subject_terms,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def seen(key: str, source: str, title: str, score: float, region: str | None = None) -> Observation:
    return Observation(key=key, source_id=source, title=title, score=score, region=region)


def test_subject_terms_are_folded_singular_content_words() -> None:
    assert subject_terms("The Lunar Eclipses of Décembre") == {"lunar", "eclipse", "decembre"}


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Lunar eclipse", "Tonight's lunar eclipse is the longest this century", True),
        ("Eurovision", "Eurovision 2026 winner", True),  # a one-word subject
        ("Eurovison song contest", "Eurovision song contest final", True),  # a typo
        ("World Cup", "Cup noodles recipe", False),  # one shared word of two is not enough
        ("Taylor Swift tour", "Taylor Lautner news", False),
    ],
)
def test_same_subject(a: str, b: str, same: bool) -> None:
    assert same_subject(subject_terms(a), subject_terms(b)) is same


def test_item_scores_by_metric_on_a_log_scale_else_by_place() -> None:
    assert item_scores([100_000.0, 200.0]) == pytest.approx([1.0, 0.4606], abs=1e-4)
    assert item_scores([None, 5.0, 1.0, 3.0]) == [1.0, 0.75, 0.5, 0.25]
    assert item_scores([]) == []


def test_regions_keep_subjects_apart_unless_one_is_everywhere() -> None:
    subjects = merge(
        [
            seen("1", "google-ro", "Eclipsa de luna", 1.0, "RO"),
            seen("2", "google-us", "Eclipsa de luna", 1.0, "US"),
            seen("3", "reddit", "Eclipsa de luna explained", 0.5, None),
        ]
    )
    assert sorted((s.region, len(s.observations)) for s in subjects) == [("RO", 2), ("US", 1)]


def test_the_ranking_table() -> None:
    """| subject | sources now | strength before → now | first seen | watched | score |
    | A rising        | 3 | 0   → 3.0 | now     | no  | 3 + 1.5 + 0.5         = 5.0   |
    | C watched niche | 1 | 0   → 0.5 | now     | yes | 0.5 + 0.5 + 0.5 + 1   = 2.5   |
    | E new, small    | 1 | 0   → 1.0 | now     | no  | 1 + 0.5 + 0.5         = 2.0   |
    | B big, steady   | 2 | 2.0 → 2.0 | 12 h ago| no  | 0 + 1 + 0.125         = 1.125 |
    | D falling       | 1 | 2.0 → 0.5 | 6 h ago | no  | −1.5 + 0.5 + 0.25     = −0.75 |
    """
    known = [
        KnownTrend("B", "Budget vote in parliament", None, None, 2.0, NOW - timedelta(hours=12)),
        KnownTrend("D", "Dinosaur fossil found", None, None, 2.0, NOW - timedelta(hours=6)),
    ]
    observations = [
        seen("a1", "google", "Aurora borealis tonight", 1.0),
        seen("a2", "reddit", "Aurora borealis photos from tonight", 1.0),
        seen("a3", "hn", "Why the aurora borealis is so strong", 1.0),
        seen("b1", "google", "Budget vote in parliament", 1.0),
        seen("b2", "feed", "Parliament budget vote delayed", 1.0),
        seen("c1", "feed", "Sourdough bread trick", 0.5),
        seen("d1", "wiki", "Dinosaur fossil found", 0.5),
        seen("e1", "youtube", "Electric kettle review", 1.0),
    ]
    ranked = rank(
        merge(observations, known),
        previous={"B": 2.0, "D": 2.0},
        first_seen={k.id: k.first_seen_at for k in known},
        niches=["sourdough"],
        now=NOW,
    )
    table = [(r.subject.title.split()[0], round(r.score, 3)) for r in ranked]
    assert table == [
        ("Aurora", 5.0),
        ("Sourdough", 2.5),
        ("Electric", 2.0),
        ("Budget", 1.125),
        ("Dinosaur", -0.75),
    ]
    budget = next(r for r in ranked if r.subject.trend_id == "B")
    assert budget.momentum == 0 and budget.breadth == 2  # continued, not a new trend
