"""The statistical building blocks against scipy's reference implementations, and properties
of the analysis that must hold whatever the data (units, symmetry)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from video_orchestrator.analytics.experiment import (
    AnalysisSettings,
    Arm,
    analyse_experiment,
    effective_trials,
)
from video_orchestrator.analytics.stats import (
    chi_square_goodness_of_fit,
    holm,
    welch,
)

FAST = AnalysisSettings(draws=4000, min_posts=5)


def test_holm_matches_the_textbook_step_down() -> None:
    # p = .01, .04, .03, .005 → sorted .005×4=.02, .01×3=.03, .03×2=.06, .04×1 → max(.06,.04)
    assert np.allclose(holm([0.01, 0.04, 0.03, 0.005]), (0.03, 0.06, 0.06, 0.02))
    assert holm([0.5]) == (0.5,)
    assert holm([0.9, 0.8]) == (1.0, 1.0)  # 0.8 × 2 capped at 1; monotone


def test_welch_matches_scipy() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 25), rng.normal(0.4, 2, 18)
    mine = welch(a.mean(), a.std(ddof=1), 25, b.mean(), b.std(ddof=1), 18)
    reference = sps.ttest_ind(b, a, equal_var=False)
    assert math.isclose(mine.statistic, float(reference.statistic), rel_tol=1e-9)
    assert math.isclose(mine.p_value, float(reference.pvalue), rel_tol=1e-9)


def test_chi_square_matches_scipy() -> None:
    expected = [30, 15, 15]
    mine = chi_square_goodness_of_fit([36, 10, 14], [2, 1, 1])
    assert math.isclose(mine, float(sps.chisquare([36, 10, 14], expected).pvalue), rel_tol=1e-9)


def test_effective_trials_equal_the_views_for_binomial_posts_and_fall_for_spread_ones() -> None:
    rng = np.random.default_rng(2)
    trials = rng.integers(1000, 5000, 40)
    binomial = effective_trials(rng.binomial(trials, 0.05), trials)
    spread = effective_trials(rng.binomial(trials, rng.beta(2, 38, 40)), trials)
    assert binomial > 0.5 * trials.sum()
    assert spread < 0.1 * trials.sum()


@given(
    st.lists(st.floats(1, 1000), min_size=5, max_size=12),
    st.lists(st.floats(1, 1000), min_size=5, max_size=12),
    st.floats(0.001, 1000),
)
def test_a_duration_in_other_units_gives_the_same_answer(
    a: list[float], b: list[float], factor: float
) -> None:
    arms = [Arm.of("A", a), Arm.of("B", b)]
    scaled = [Arm.of("A", [x * factor for x in a]), Arm.of("B", [x * factor for x in b])]
    one = analyse_experiment(arms, control="A", kind="duration", settings=FAST)
    other = analyse_experiment(scaled, control="A", kind="duration", settings=FAST)
    assert one.decision == other.decision
    c1, c2 = one.comparisons, other.comparisons
    if c1:
        assert math.isclose(
            c1[0].chance_to_beat_control, c2[0].chance_to_beat_control, abs_tol=1e-6
        )
        assert math.isclose(c1[0].lift, c2[0].lift, rel_tol=1e-6, abs_tol=1e-9)


@given(
    st.lists(st.floats(0, 1e6), min_size=5, max_size=12),
    st.lists(st.floats(0, 1e6), min_size=5, max_size=12),
)
def test_swapping_the_control_swaps_the_chance(a: list[float], b: list[float]) -> None:
    ab = analyse_experiment(
        [Arm.of("A", a), Arm.of("B", b)], control="A", kind="count", settings=FAST
    )
    ba = analyse_experiment(
        [Arm.of("A", a), Arm.of("B", b)], control="B", kind="count", settings=FAST
    )
    if ab.comparisons and ba.comparisons:
        total = ab.comparisons[0].chance_to_beat_control + ba.comparisons[0].chance_to_beat_control
        assert abs(total - 1) < 0.05  # two independent Monte Carlo runs of one probability
