"""Baselines (CUPED): when the account's recent performance explains much of each post's
views, taking it out narrows the lift's interval without raising the false-positive rate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from video_orchestrator.analytics.experiment import AnalysisSettings, Arm, analyse_experiment
from video_orchestrator.errors import InputError


def arm(rng: np.random.Generator, name: str, lift: float, n: int, with_baseline: bool) -> Arm:
    """Each post's log views = the account's level when it went out (varies a lot: sd 0.9)
    + the variant's lift + the post's own luck (sd 0.4)."""
    level = rng.normal(7, 0.9, n)
    views = np.expm1(level + math.log1p(lift) + rng.normal(0, 0.4, n))
    baseline = np.expm1(level) if with_baseline else ()
    return Arm.of(name, views, baseline=baseline)


def test_baselines_narrow_the_interval_of_a_planted_lift() -> None:
    widths = {}
    for with_baseline in (False, True):
        rng = np.random.default_rng(5)
        arms = [arm(rng, "A", 0.0, 25, with_baseline), arm(rng, "B", 0.25, 25, with_baseline)]
        result = analyse_experiment(arms, control="A", kind="count", metric="views")
        b = result.comparison("B")
        widths[with_baseline] = b.lift_interval[1] - b.lift_interval[0]
        if with_baseline:
            assert result.winner == "B"
            assert b.lift_interval[0] < 0.25 < b.lift_interval[1]
    print(f"\n90 % interval width: {widths[False]:.2f} without baselines, {widths[True]:.2f} with")
    assert widths[True] < 0.6 * widths[False]


def test_baselines_keep_the_false_positive_rate() -> None:
    rng = np.random.default_rng(6)
    runs = 1000
    wins = 0
    for seed in range(runs):
        arms = [arm(rng, "A", 0.0, 20, True), arm(rng, "B", 0.0, 20, True)]
        settings = AnalysisSettings(draws=2000, prior_sd=None, seed=seed)
        wins += analyse_experiment(arms, control="A", kind="count", settings=settings).winner == "B"
    print(f"\nno effect, with baselines: B named winner in {wins / runs:.3f}")
    assert abs(wins / runs - 0.05) <= 3 * math.sqrt(0.05 * 0.95 / runs)


def test_baselines_must_cover_every_post_of_every_variant() -> None:
    arms = [Arm.of("A", [10.0] * 10, baseline=[9.0] * 10), Arm.of("B", [11.0] * 10)]
    with pytest.raises(InputError, match="B: 0 baselines for 10 posts"):
        analyse_experiment(arms, control="A", kind="count")
