"""Small statistical building blocks shared by the analyses: Holm's step-down adjustment,
Welch's t-test, the two-proportion z-test and the sample-ratio chi-square. Pure functions of
numbers; the distribution functions are ``scipy.special``'s (the values of ``scipy.stats`` at
a fraction of the call cost)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

FloatArray = NDArray[np.float64]


def holm(p_values: Sequence[float]) -> tuple[float, ...]:
    """Holm's step-down adjusted p-values (family-wise error control under any dependence)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return tuple(adjusted)


@dataclass(frozen=True)
class TestResult:
    """A two-sided frequentist test: its statistic, degrees of freedom (∞ for z) and p."""

    name: str
    statistic: float
    df: float
    p_value: float


def welch(mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int) -> TestResult:
    """Welch's unequal-variance t-test of b − a, two-sided."""
    va, vb = sd_a**2 / n_a, sd_b**2 / n_b
    se = float(np.sqrt(va + vb))
    if se == 0.0:
        return TestResult("Welch t on the log scale", 0.0, float(n_a + n_b - 2), 1.0)
    t = (mean_b - mean_a) / se
    denominator = va**2 / max(n_a - 1, 1) + vb**2 / max(n_b - 1, 1)
    df = (va + vb) ** 2 / denominator if denominator > 0 else float(n_a + n_b - 2)
    p = float(2 * special.stdtr(df, -abs(t)))
    return TestResult("Welch t on the log scale", float(t), float(df), p)


def two_proportion_z(rate_a: float, trials_a: float, rate_b: float, trials_b: float) -> TestResult:
    """The two-proportion z-test of b − a, two-sided, each rate's variance ``r(1 − r)/n`` over
    its (effective) trials ``n``."""
    variance = rate_a * (1 - rate_a) / trials_a + rate_b * (1 - rate_b) / trials_b
    if variance <= 0:
        return TestResult("two-proportion z", 0.0, float("inf"), 1.0)
    z = (rate_b - rate_a) / float(np.sqrt(variance))
    return TestResult("two-proportion z", float(z), float("inf"), float(2 * special.ndtr(-abs(z))))


def chi_square_goodness_of_fit(observed: Sequence[int], shares: Sequence[float]) -> float:
    """The p-value of Pearson's chi-square test that ``observed`` counts follow ``shares``."""
    total = sum(observed)
    share_sum = sum(shares)
    expected = [total * share / share_sum for share in shares]
    statistic = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True) if e > 0)
    return float(special.chdtrc(len(observed) - 1, statistic))


def normal_ppf(p: float) -> float:
    return float(special.ndtri(p))
