"""Planning an experiment's size: the formula's figure detects the planted lift with the
stated power when simulated."""

from __future__ import annotations

import math

import numpy as np
import pytest

from video_orchestrator.analytics.power import log_spread, posts_per_variant
from video_orchestrator.analytics.stats import welch
from video_orchestrator.errors import InputError


def test_the_textbook_sixteen_sigma_squared_over_delta_squared() -> None:
    n = posts_per_variant(1.0, 0.20)
    assert abs(n - 16 / math.log(1.2) ** 2) / n < 0.03  # 472 vs 16σ²/Δ² = 481
    assert posts_per_variant(1.0, 0.20, variants=3) > n  # Bonferroni over three comparisons
    assert posts_per_variant(0.25, 0.20) < 40  # durations spread less: far fewer posts


def test_that_many_posts_detect_the_planted_lift_with_the_stated_power() -> None:
    sigma, lift = 0.6, 0.25
    n = posts_per_variant(sigma, lift)
    rng = np.random.default_rng(0)
    runs = 400
    detected = 0
    for _ in range(runs):
        a = rng.normal(5, sigma, n)
        b = rng.normal(5 + math.log1p(lift), sigma, n)
        test = welch(a.mean(), a.std(ddof=1), n, b.mean(), b.std(ddof=1), n)
        detected += test.p_value < 0.05 and test.statistic > 0
    print(f"\n{n} posts per arm: lift detected in {detected / runs:.3f} (planned 0.80)")
    assert abs(detected / runs - 0.80) <= 3 * math.sqrt(0.8 * 0.2 / runs)


def test_the_spread_comes_from_the_accounts_history_and_bad_input_is_refused() -> None:
    values = np.random.default_rng(1).lognormal(7, 0.9, 400)
    assert abs(log_spread(values) - 0.9) < 0.1
    with pytest.raises(InputError, match="at least 3 past posts"):
        log_spread([1.0, 2.0])
    with pytest.raises(InputError, match="not zero"):
        posts_per_variant(1.0, 0.0)
