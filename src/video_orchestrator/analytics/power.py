"""How many posts per variant an experiment needs before it starts (ADR 0028).

For a metric analysed on the log scale with spread ``log_sd`` between posts (the account's
own, from its history), the posts per arm that detect a relative ``lift`` with the given power
at two-sided level ``alpha`` (Bonferroni-split over ``variants`` comparisons with the control):
``n = 2 (z₁₋α/2m + z_power)² σ² / log(1 + lift)²`` — the textbook ``16 σ² / Δ²`` at α = 0.05,
80 % power.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from video_orchestrator.analytics.stats import normal_ppf
from video_orchestrator.errors import InputError


def posts_per_variant(
    log_sd: float, lift: float, *, alpha: float = 0.05, power: float = 0.8, variants: int = 1
) -> int:
    if not (log_sd > 0 and math.isfinite(log_sd)):
        raise InputError(f"the spread between posts must be a positive number, not {log_sd}")
    if not (lift > -1 and lift != 0 and math.isfinite(lift)):
        raise InputError(f"the lift to detect must be above −100 % and not zero, not {lift}")
    if not (0 < alpha < 1 and 0 < power < 1) or variants < 1:
        raise InputError("alpha and power must be between 0 and 1, and variants at least 1")
    z = normal_ppf(1 - alpha / (2 * variants)) + normal_ppf(power)
    return math.ceil(2 * z**2 * log_sd**2 / math.log1p(lift) ** 2)


def log_spread(values: Sequence[float], *, kind: str = "count") -> float:
    """The spread between posts on the analysis scale (``log(1 + x)`` for counts, ``log x``
    for durations), from an account's history."""
    array = np.asarray(values, dtype=np.float64)
    if len(array) < 3:
        raise InputError(f"the spread needs at least 3 past posts, not {len(array)}")
    if np.any(array < 0) or (kind == "duration" and np.any(array <= 0)):
        raise InputError("past values must be zero or more (durations positive)")
    logs = np.log(array) if kind == "duration" else np.log1p(array)
    return float(np.std(logs, ddof=1))
