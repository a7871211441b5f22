"""The studio words an experiment's stored analysis in its locale (ADR 0042): in English it
says exactly what the analysis's own sentence says, for every decision the analysis makes;
in German and Japanese it says it in those languages with the same figures; a snapshot it
does not understand falls back to the stored sentence."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np
import pytest

from tests.unit.analytics.test_experiment import FAST
from tests.unit.analytics.test_experiment import exact_arm as exact
from tests.unit.analytics.test_experiment import lognormal_arm as arm
from video_orchestrator.analytics.experiment import ExperimentResult, analyse_experiment
from video_orchestrator.analytics.experiment_metrics import METRICS
from video_orchestrator.ui import i18n
from video_orchestrator.ui.experiment_words import (
    METRIC_WORDS,
    decision_words,
    metric_words,
    verdict_words,
)


def stored(result: ExperimentResult) -> dict[str, Any]:
    """The analysis as the service stores it: a JSON snapshot of the whole result."""
    snapshot: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(result)))
    return snapshot


def cases() -> dict[str, ExperimentResult]:
    def rng(seed: int) -> np.random.Generator:
        return np.random.default_rng(seed)

    views = "views at 72h"
    duration = "average view duration at 72h"
    r7, r6, r11, r4, r1, r2, r5 = rng(7), rng(6), rng(11), rng(4), rng(1), rng(2), rng(5)
    return {
        "variant wins": analyse_experiment(
            [arm(r7, "A", 20.0, 0.25, 30), arm(r7, "B", 24.0, 0.25, 30)],
            control="A",
            kind="duration",
            metric=duration,
        ),
        "control wins": analyse_experiment(
            [arm(r6, "A", 30, 0.25, 30), arm(r6, "B", 22, 0.25, 30)],
            control="A",
            kind="duration",
            metric=duration,
        ),
        "best of three": analyse_experiment(
            [arm(r5, "A", 1000, 0.3, 30), arm(r5, "B", 2000, 0.3, 30), arm(r5, "C", 1000, 0.3, 30)],
            control="A",
            kind="count",
            metric=views,
            settings=FAST,
        ),
        "more posts": analyse_experiment(
            [arm(r11, "A", 1000.0, 1.0, 30), arm(r11, "B", 1200.0, 1.0, 30)],
            control="A",
            kind="count",
            metric=views,
        ),
        "level": analyse_experiment(
            [exact("A", 6.0, 1.0, 12), exact("B", 6.0, 1.0, 12)],
            control="A",
            kind="count",
            metric=views,
            settings=FAST,
        ),
        "alike": analyse_experiment(
            [arm(r4, "A", 20, 0.1, 200), arm(r4, "B", 20.1, 0.1, 200)],
            control="A",
            kind="duration",
            metric=duration,
        ),
        "mismatch": analyse_experiment(
            [arm(r1, "A", 20, 0.3, 45), arm(r1, "B", 30, 0.3, 15)], control="A", kind="duration"
        ),
        "too few": analyse_experiment(
            [arm(r2, "A", 20, 0.3, 6), arm(r2, "B", 40, 0.3, 9)], control="A", kind="duration"
        ),
    }


CASES = cases()


def test_the_cases_cover_every_decision_and_wording() -> None:
    decisions = {name: result.decision for name, result in CASES.items()}
    assert decisions == {
        "variant wins": "winner",
        "control wins": "winner",
        "best of three": "winner",
        "more posts": "no_winner_yet",
        "level": "no_winner_yet",
        "alike": "no_difference",
        "mismatch": "stop_srm",
        "too few": "too_few_posts",
    }
    assert CASES["control wins"].winner == "A" and CASES["best of three"].winner == "B"
    assert CASES["level"].verdict.startswith("No clear leader yet")


@pytest.mark.parametrize("name", list(CASES))
def test_in_english_the_studio_says_what_the_analysis_says(name: str) -> None:
    result = CASES[name]
    metric = result.metric if result.metric != "the metric" else "the metric"
    assert verdict_words(stored(result), metric) == result.verdict


def test_in_other_locales_the_verdict_is_their_own_words_with_the_same_figures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(i18n, "current", lambda: "de")
    result = CASES["more posts"]
    lead = result.comparisons[0]
    metric = metric_words("views", "72h")
    words = verdict_words(stored(result), metric)
    assert words is not None
    assert metric == "Aufrufe nach 72h"
    assert "wahrscheinlich" in words.lower() or "wahrscheinlichkeit" in words.lower()
    assert f"{lead.more_posts} " in words and "Aufrufe" in words
    assert "better" not in words and "more posts" not in words
    assert decision_words("winner", "B") == "Gewinner: B"
    monkeypatch.setattr(i18n, "current", lambda: "ja")
    too_few = verdict_words(stored(CASES["too few"]), "x")
    assert too_few is not None and "10" in too_few and "Too few" not in too_few


def test_the_metric_words_are_the_services_words() -> None:
    """The studio's marked copies (translated) say what the service names (ADR 0042)."""
    assert {key: words for key, (_, words) in METRICS.items()} == METRIC_WORDS


def test_a_snapshot_it_does_not_understand_falls_back_to_the_stored_sentence() -> None:
    assert verdict_words({"decision": "winner"}, "views") is None
    assert verdict_words({"decision": "something new", "settings": {}}, "views") is None
    assert decision_words(None, None) == "Not analysed yet."
    assert decision_words("winner", "B") == "Winner: B"
