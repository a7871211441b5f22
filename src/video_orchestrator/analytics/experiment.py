"""A/B(/n) analysis of posted variants at a fixed post age (ADR 0028).

Input: per arm, one observation per post (views at 72 h, average view duration …), or per post
successes out of trials for a rate (likes out of views); which arm is the control; the metric's
kind. Output: an :class:`ExperimentResult` — per-variant chance to beat the control, expected
loss in the metric's units, the credible interval of the lift, the frequentist cross-check,
the sample-ratio and minimum-sample checks, a decision and one plain sentence.

Models (ADR 0028 gives the reasons):

- ``rate``: Beta-Binomial per arm, Beta(1, 1) prior, on the arm's *effective* trials: the
  pooled rate's delta-method (cluster) variance over posts gives how many independent trials
  the posts are worth, so a viral post's million views do not count as a million independent
  trials. Cross-check: the two-proportion z with the same delta-method variances.
- ``count`` (``log(1 + x)``) and ``duration`` (``log x``): Normal on the log scale with the
  reference prior, so each arm's log mean is Student-t; the lift is the ratio of geometric
  means (the typical post). Cross-check: Welch's t on the log scale. Per-post baselines,
  when given, are taken out first (CUPED on the log scale).
- Both: seeded Monte Carlo draws of each arm's posterior, then a Normal(0, ``prior_sd``²)
  prior on each variant's log-lift over the control, applied to the draws as the
  Normal–Normal update (the lift's draws pulled toward 0: their mean × k, their spread × √k,
  ``k = τ² / (τ² + se²)``; exact for a Normal likelihood; ``prior_sd=None``: flat).

Decision (in this order): sample-ratio mismatch (χ², p < 0.001) → stop; an arm below the
minimum posts → too few posts; a variant whose Holm-adjusted chance to beat the control
reaches the threshold → that variant wins (the control wins when every variant is below it
the other way); every lift's interval inside ±``equivalence`` → no difference; else no winner
yet, with an estimate of the posts that would settle it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from video_orchestrator.analytics.experiment_metrics import MetricKind
from video_orchestrator.analytics.stats import (
    FloatArray,
    TestResult,
    chi_square_goodness_of_fit,
    holm,
    normal_ppf,
    two_proportion_z,
    welch,
)
from video_orchestrator.errors import InputError

METRIC_KINDS: tuple[MetricKind, ...] = ("rate", "count", "duration")
Decision = Literal["winner", "no_winner_yet", "no_difference", "stop_srm", "too_few_posts"]
#: No "more posts" figure is given past this many per variant: the difference is too small.
MAX_MORE_POSTS = 1000
#: Relative size below which a spread on the log scale is rounding noise.
_NOISE = 1e-9


@dataclass(frozen=True)
class Arm:
    """One variant's posts: ``values`` (count, duration) or ``successes``/``trials`` (rate),
    one entry per post; ``planned_share`` is its share of posts in the plan (any scale)."""

    name: str
    values: tuple[float, ...] = ()
    successes: tuple[float, ...] = ()
    trials: tuple[float, ...] = ()
    planned_share: float = 1.0
    #: Optional, per post (count, duration): the same metric's typical value for the account
    #: just before the post (e.g. the median of its previous ten posts), in the metric's units.
    #: It removes the account's ups and downs from the comparison (CUPED).
    baseline: tuple[float, ...] = ()

    @classmethod
    def of(
        cls,
        name: str,
        values: Iterable[float],
        planned_share: float = 1.0,
        baseline: Iterable[float] = (),
    ) -> Arm:
        return cls(
            name,
            values=tuple(float(v) for v in values),
            planned_share=planned_share,
            baseline=tuple(float(b) for b in baseline),
        )

    @classmethod
    def rate(
        cls,
        name: str,
        successes: Iterable[float],
        trials: Iterable[float],
        planned_share: float = 1.0,
    ) -> Arm:
        return cls(
            name,
            successes=tuple(float(s) for s in successes),
            trials=tuple(float(t) for t in trials),
            planned_share=planned_share,
        )

    @property
    def posts(self) -> int:
        return len(self.trials) if self.trials else len(self.values)


@dataclass(frozen=True)
class AnalysisSettings:
    """The decision rule's figures (ADR 0028)."""

    threshold: float = 0.95  # chance to beat the control that names a winner
    min_posts: int = 10  # per arm, below which there is no verdict
    srm_alpha: float = 0.001  # sample-ratio mismatch flagged below this p
    alpha: float = 0.05  # the frequentist cross-check's family-wise level (Holm)
    interval: float = 0.90  # credible interval of the lift
    prior_sd: float | None = 0.3  # Normal prior on the log-lift; None: flat
    equivalence: float = 0.05  # |lift| within this counts as no difference
    draws: int = 20_000
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0.5 < self.threshold < 1:
            raise InputError(
                f"the decision threshold must be between 0.5 and 1, not {self.threshold}"
            )
        if self.min_posts < 3:
            raise InputError(
                f"the minimum posts per variant must be at least 3, not {self.min_posts}"
            )
        if not 0 < self.interval < 1:
            raise InputError(f"the interval must be between 0 and 1, not {self.interval}")
        if self.prior_sd is not None and self.prior_sd <= 0:
            raise InputError(f"the prior's spread must be positive, not {self.prior_sd}")
        if self.draws < 1000:
            raise InputError(f"at least 1000 Monte Carlo draws are needed, not {self.draws}")


@dataclass(frozen=True)
class ArmSummary:
    name: str
    posts: int
    #: The typical post in the metric's units: the geometric mean (count, duration; for a
    #: count ``exp(mean log(1 + x)) − 1``) or the pooled rate.
    typical: float
    chance_to_be_best: float | None


@dataclass(frozen=True)
class Comparison:
    """One variant against the control."""

    variant: str
    control: str
    chance_to_beat_control: float
    #: Holm-adjusted chance (1 − adjusted error) the decision compares with the threshold.
    adjusted_chance: float
    lift: float  # median relative lift of the typical post, 0.18 = +18 %
    lift_interval: tuple[float, float]
    risk: float  # expected loss of switching to the variant, in the metric's units
    control_risk: float  # expected loss of keeping the control instead
    #: The data's own log-lift (flat prior) and its standard error: what a later experiment's
    #: prior learns from (:func:`prior_sd_from`).
    estimate: float
    standard_error: float
    test: TestResult
    p_adjusted: float  # Holm across the variants
    significant: bool  # p_adjusted < alpha
    #: Posts per arm still needed for the leading side of this comparison to reach the
    #: threshold if the difference holds at its current size (0: already there; None: more
    #: than MAX_MORE_POSTS or no difference to speak of).
    more_posts: int | None


@dataclass(frozen=True)
class SampleRatioCheck:
    observed: tuple[int, ...]
    planned_shares: tuple[float, ...]
    p_value: float
    mismatch: bool


@dataclass(frozen=True)
class ExperimentResult:
    decision: Decision
    winner: str | None
    verdict: str
    kind: MetricKind
    metric: str
    control: str
    arms: tuple[ArmSummary, ...]
    comparisons: tuple[Comparison, ...]
    srm: SampleRatioCheck
    #: Posts each arm still needs before any verdict (too_few_posts only).
    posts_needed: dict[str, int] = field(default_factory=dict)
    settings: AnalysisSettings = field(default_factory=AnalysisSettings)

    def comparison(self, variant: str) -> Comparison:
        for item in self.comparisons:
            if item.variant == variant:
                return item
        raise KeyError(variant)


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Fit:
    """One arm on the analysis scale."""

    name: str
    posts: int
    mean: float = 0.0  # log scale (count, duration)
    sd: float = 0.0
    successes: float = 0.0  # rate
    trials: float = 0.0
    #: What the posts are worth in independent trials (delta method), at most ``trials``.
    effective: float = 0.0

    @property
    def rate(self) -> float:
        return self.successes / self.trials if self.trials else 0.0


def _validate(arms: Sequence[Arm], control: str, kind: str) -> None:
    if kind not in METRIC_KINDS:
        raise InputError(f"the metric kind must be one of {', '.join(METRIC_KINDS)}, not {kind!r}")
    if len(arms) < 2:
        raise InputError("an experiment needs a control and at least one variant")
    names = [arm.name for arm in arms]
    if len(set(names)) != len(names):
        raise InputError(f"variant names must differ: {', '.join(names)}")
    if control not in names:
        raise InputError(f"the control {control!r} is not one of the variants {', '.join(names)}")
    for arm in arms:
        if not (arm.planned_share > 0 and math.isfinite(arm.planned_share)):
            raise InputError(f"{arm.name}: the planned share must be a positive number")
        if kind == "rate":
            if arm.values or arm.baseline:
                raise InputError(f"{arm.name}: a rate takes successes and trials, not values")
            if len(arm.successes) != len(arm.trials):
                raise InputError(
                    f"{arm.name}: {len(arm.successes)} success counts for "
                    f"{len(arm.trials)} trial counts (one of each per post)"
                )
            for index, (s, t) in enumerate(zip(arm.successes, arm.trials, strict=True)):
                if not (math.isfinite(s) and math.isfinite(t) and t > 0 and 0 <= s <= t):
                    raise InputError(
                        f"{arm.name}, post {index + 1}: successes must be 0 to trials and "
                        f"trials positive (got {s:g} of {t:g})"
                    )
        else:
            if arm.successes or arm.trials:
                raise InputError(f"{arm.name}: a {kind} takes one value per post, not successes")
            if any(a.baseline for a in arms) and len(arm.baseline) != len(arm.values):
                raise InputError(
                    f"{arm.name}: {len(arm.baseline)} baselines for {len(arm.values)} posts "
                    f"(give one per post for every variant, or none)"
                )
            for index, value in enumerate(arm.baseline):
                if not math.isfinite(value) or (value <= 0 if kind == "duration" else value < 0):
                    raise InputError(f"{arm.name}, post {index + 1}: a baseline of {value:g}")
            for index, value in enumerate(arm.values):
                below = value <= 0 if kind == "duration" else value < 0
                if not math.isfinite(value) or below:
                    need = "positive" if kind == "duration" else "zero or more"
                    raise InputError(
                        f"{arm.name}, post {index + 1}: a {kind} must be {need}, not {value:g}"
                    )


def _log(kind: MetricKind, values: Sequence[float]) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    return np.log1p(array) if kind == "count" else np.log(array)


def _typical(kind: MetricKind, log_mean: FloatArray) -> FloatArray:
    return np.expm1(log_mean) if kind == "count" else np.exp(log_mean)


def _fits(arms: Sequence[Arm], kind: MetricKind) -> list[_Fit]:
    if kind == "rate":
        return [
            _Fit(
                arm.name,
                arm.posts,
                successes=sum(arm.successes),
                trials=sum(arm.trials),
                effective=effective_trials(arm.successes, arm.trials),
            )
            for arm in arms
        ]
    logs = _adjusted(kind, arms, [_log(kind, arm.values) for arm in arms])
    # A spread at floating-point noise level (every post the same) counts as none.
    sds = [float(np.std(x, ddof=1)) if len(x) > 1 else 0.0 for x in logs]
    sds = [
        s if s > _NOISE * max(1.0, float(np.max(np.abs(x))) if len(x) else 1.0) else 0.0
        for s, x in zip(sds, logs, strict=True)
    ]
    pooled = float(np.sqrt(np.mean([s**2 for s in sds]))) if sds else 0.0
    return [
        _Fit(
            arm.name,
            arm.posts,
            mean=float(np.mean(x)) if len(x) else 0.0,
            sd=(s if s > 0 else (pooled if pooled > 0 else _NOISE)),
        )
        for arm, x, s in zip(arms, logs, sds, strict=True)
    ]


def _adjusted(kind: MetricKind, arms: Sequence[Arm], logs: list[FloatArray]) -> list[FloatArray]:
    """CUPED on the log scale: each post's log value minus θ × (its baseline's log − the mean
    baseline log), θ the within-arm pooled regression slope (so the treatment cannot leak into
    it). Unchanged when no arm has baselines."""
    if not any(arm.baseline for arm in arms):
        return logs
    covariates = [_log(kind, arm.baseline) for arm in arms]
    products = squares = 0.0
    for x, y in zip(covariates, logs, strict=True):
        dx = x - x.mean()
        products += float(np.sum(dx * (y - y.mean())))
        squares += float(np.sum(dx**2))
    if squares <= 0:
        return logs
    theta = products / squares
    centre = float(np.mean(np.concatenate(covariates)))
    return [y - theta * (x - centre) for x, y in zip(covariates, logs, strict=True)]


def effective_trials(successes: Sequence[float], trials: Sequence[float]) -> float:
    """How many independent trials an arm's posts are worth: ``R(1 − R) / Var(R)`` with the
    pooled rate ``R = Σs / Σt`` and its delta-method variance over posts
    ``Σ(s − R t)² / (Σt)² · n / (n − 1)``; never more than ``Σt`` (the binomial's)."""
    total = float(sum(trials))
    n = len(trials)
    if n < 2 or total <= 0:
        return total
    r = sum(successes) / total
    residuals = np.asarray(successes, dtype=np.float64) - r * np.asarray(trials, dtype=np.float64)
    variance = float(np.sum(residuals**2)) / total**2 * n / (n - 1)
    if variance <= 0 or r in (0.0, 1.0):
        return total
    return min(total, r * (1 - r) / variance)


def _draws(fits: Sequence[_Fit], kind: MetricKind, rng: np.random.Generator, n: int) -> FloatArray:
    """Per arm (rows): flat-prior posterior draws of the log of the typical value."""
    logs = np.empty((len(fits), n))
    for row, fit in enumerate(fits):
        if kind == "rate":
            a = 1 + fit.rate * fit.effective
            b = 1 + (1 - fit.rate) * fit.effective
            logs[row] = np.log(rng.beta(a, b, size=n))
        else:
            scale = fit.sd / math.sqrt(fit.posts)
            logs[row] = fit.mean + scale * rng.standard_t(fit.posts - 1, size=n)
    return logs


def shrink(deltas: FloatArray, prior_sd: float) -> FloatArray:
    """Each row of log-lift draws updated by a Normal(0, prior_sd²) prior: with the draws'
    mean d and variance se², the posterior is Normal(k·d, k·se²), ``k = τ²/(τ² + se²)``;
    the draws keep their shape (Student-t tails) and move to that mean and spread."""
    out = np.empty_like(deltas)
    for row, draws in enumerate(deltas):
        mean = float(draws.mean())
        variance = float(draws.var())
        k = prior_sd**2 / (prior_sd**2 + variance)
        out[row] = k * mean + math.sqrt(k) * (draws - mean)
    return out


def _typical_point(fit: _Fit, kind: MetricKind) -> float:
    if kind == "rate":
        return fit.successes / fit.trials if fit.trials else 0.0
    return float(_typical(kind, np.asarray(fit.mean)))


def _delta_se(control: _Fit, variant: _Fit, kind: MetricKind, more: int) -> float:
    """Standard error of the log-lift with ``more`` posts added to each arm."""
    if kind != "rate":
        # the variance of a Student-t posterior: scale² · df / (df − 2), as the draws have it
        total = 0.0
        for fit in (control, variant):
            n = fit.posts + more
            total += fit.sd**2 / n * ((n - 1) / (n - 3) if n > 3 else 3.0)
        return math.sqrt(total)
    total = 0.0
    for fit in (control, variant):
        p = min(max(fit.rate, 1e-9), 1 - 1e-9)
        effective = max(fit.effective, 1.0) * (fit.posts + more) / fit.posts
        total += (1 - p) / (p * effective)
    return math.sqrt(total)


def _more_posts_needed(
    chance: float,
    target: float,
    control: _Fit,
    variant: _Fit,
    kind: MetricKind,
    prior_sd: float | None,
) -> int | None:
    """Posts per arm after which the leading side's chance would reach ``target`` if the
    estimated difference stays as it is (the median outcome): the current z (from the Monte
    Carlo chance) is scaled by how much the posterior's precision grows (ADR 0028)."""
    leading = max(chance, 1 - chance)
    if leading >= target:
        return 0
    z0 = normal_ppf(min(max(leading, 1e-9), 1 - 1e-9))
    if z0 <= 1e-6:
        return None
    z_target = normal_ppf(target)

    def scale(more: int) -> float:
        se = _delta_se(control, variant, kind, more)
        shrink = 1.0 if prior_sd is None else prior_sd**2 / (prior_sd**2 + se**2)
        return math.sqrt(shrink) / se

    base = scale(0)
    low, high = 0, MAX_MORE_POSTS
    if z0 * scale(high) / base < z_target:
        return None
    while high - low > 1:
        middle = (low + high) // 2
        if z0 * scale(middle) / base >= z_target:
            high = middle
        else:
            low = middle
    return high


# --------------------------------------------------------------------------- the analysis


def analyse_experiment(
    arms: Sequence[Arm],
    *,
    control: str,
    kind: MetricKind,
    metric: str = "the metric",
    settings: AnalysisSettings | None = None,
) -> ExperimentResult:
    """Analyse an experiment's posts at one post age (see the module's docstring)."""
    settings = settings or AnalysisSettings()
    _validate(arms, control, kind)
    ordered = sorted(arms, key=lambda arm: arm.name != control)  # the control first
    srm = _srm(ordered, settings)
    fits = _fits(ordered, kind)

    def result(
        decision: Decision,
        winner: str | None,
        verdict: str,
        summaries: tuple[ArmSummary, ...],
        comparisons: tuple[Comparison, ...] = (),
        posts_needed: dict[str, int] | None = None,
    ) -> ExperimentResult:
        return ExperimentResult(
            decision=decision,
            winner=winner,
            verdict=verdict,
            kind=kind,
            metric=metric,
            control=control,
            arms=summaries,
            comparisons=comparisons,
            srm=srm,
            posts_needed=posts_needed or {},
            settings=settings,
        )

    plain = tuple(ArmSummary(f.name, f.posts, _typical_point(f, kind), None) for f in fits)
    if srm.mismatch:
        return result("stop_srm", None, _srm_sentence(ordered, srm), plain)
    short = {
        arm.name: settings.min_posts - arm.posts
        for arm in ordered
        if arm.posts < settings.min_posts
    }
    if short:
        verdict = _too_few_sentence(short, settings.min_posts)
        return result("too_few_posts", None, verdict, plain, posts_needed=short)
    rng = np.random.default_rng(settings.seed)
    logs = _draws(fits, kind, rng, settings.draws)
    deltas = logs[1:] - logs[0]
    flat = tuple((float(d.mean()), float(d.std())) for d in deltas)
    if settings.prior_sd is not None:
        deltas = shrink(deltas, settings.prior_sd)
        logs = np.vstack([logs[:1], logs[0] + deltas])
    values = np.minimum(np.exp(logs), 1.0) if kind == "rate" else _typical(kind, logs)
    best = np.argmax(values, axis=0)
    chance_best = [float(np.mean(best == row)) for row in range(len(fits))]
    summaries = tuple(
        ArmSummary(f.name, f.posts, _typical_point(f, kind), chance_best[row])
        for row, f in enumerate(fits)
    )
    comparisons = _comparisons(fits, kind, deltas, values, flat, settings)
    decision, winner = _decide(comparisons, settings, control, chance_best, fits)
    verdict = _verdict(decision, winner, comparisons, metric, settings, len(fits))
    return result(decision, winner, verdict, summaries, comparisons)


def _srm(arms: Sequence[Arm], settings: AnalysisSettings) -> SampleRatioCheck:
    observed = tuple(arm.posts for arm in arms)
    shares = tuple(arm.planned_share for arm in arms)
    p = chi_square_goodness_of_fit(observed, shares) if sum(observed) else 1.0
    return SampleRatioCheck(observed, shares, p, p < settings.srm_alpha)


def _comparisons(
    fits: Sequence[_Fit],
    kind: MetricKind,
    deltas: FloatArray,
    values: FloatArray,
    flat: Sequence[tuple[float, float]],
    settings: AnalysisSettings,
) -> tuple[Comparison, ...]:
    control = fits[0]
    variants = fits[1:]
    tail = (1 - settings.interval) / 2
    chances: list[float] = []
    tests: list[TestResult] = []
    for row, fit in enumerate(variants):
        chances.append(float(np.mean(deltas[row] > 0)))
        if kind == "rate":
            tests.append(two_proportion_z(control.rate, control.effective, fit.rate, fit.effective))
        else:
            tests.append(
                welch(control.mean, control.sd, control.posts, fit.mean, fit.sd, fit.posts)
            )
    adjusted_errors = holm([1 - c for c in chances])
    adjusted_p = holm([t.p_value for t in tests])
    # A variant's target for "more posts": Bonferroni's level, which Holm never asks more than.
    variant_target = 1 - (1 - settings.threshold) / len(variants)
    result: list[Comparison] = []
    for row, fit in enumerate(variants):
        lifts = np.expm1(deltas[row])
        median, low, high = (float(q) for q in np.quantile(lifts, (0.5, tail, 1 - tail)))
        target = variant_target if chances[row] >= 0.5 else settings.threshold
        result.append(
            Comparison(
                variant=fit.name,
                control=control.name,
                chance_to_beat_control=chances[row],
                adjusted_chance=1 - adjusted_errors[row],
                lift=median,
                lift_interval=(low, high),
                risk=float(np.mean(np.maximum(values[0] - values[row + 1], 0.0))),
                control_risk=float(np.mean(np.maximum(values[row + 1] - values[0], 0.0))),
                estimate=flat[row][0],
                standard_error=flat[row][1],
                test=tests[row],
                p_adjusted=adjusted_p[row],
                significant=adjusted_p[row] < settings.alpha,
                more_posts=_more_posts_needed(
                    chances[row], target, control, fit, kind, settings.prior_sd
                ),
            )
        )
    return tuple(result)


def _decide(
    comparisons: Sequence[Comparison],
    settings: AnalysisSettings,
    control: str,
    chance_best: Sequence[float],
    fits: Sequence[_Fit],
) -> tuple[Decision, str | None]:
    best_of = {fit.name: chance_best[row] for row, fit in enumerate(fits)}
    winners = [c for c in comparisons if c.adjusted_chance >= settings.threshold]
    if winners:
        top = max(winners, key=lambda c: (best_of[c.variant], c.chance_to_beat_control))
        return "winner", top.variant
    if all(c.chance_to_beat_control <= 1 - settings.threshold for c in comparisons):
        return "winner", control
    band = settings.equivalence
    if all(-band <= c.lift_interval[0] and c.lift_interval[1] <= band for c in comparisons):
        return "no_difference", None
    return "no_winner_yet", None


# --------------------------------------------------------------------------- the prior

#: Past comparisons needed before the prior is learned from them.
MIN_PAST_COMPARISONS = 20
#: The learned prior's spread is never below this (a lift of about ±2 %).
MIN_PRIOR_SD = 0.02


def prior_sd_from(past: Sequence[Comparison]) -> float | None:
    """The prior's spread learned from a user's past comparisons (empirical Bayes, method of
    moments): the true log-lifts' variance is what the estimates vary by beyond their own
    noise, ``mean(d²) − mean(se²)``. None below :data:`MIN_PAST_COMPARISONS` (keep the default).

    The default prior (0.3) is calibrated when real lifts are about that large; when a user's
    variants truly differ by a few per cent, a prior that says so keeps "95 %" meaning 95 %
    (ADR 0028 gives the figures)."""
    if len(past) < MIN_PAST_COMPARISONS:
        return None
    estimates = np.array([c.estimate for c in past])
    errors = np.array([c.standard_error for c in past])
    variance = float(np.mean(estimates**2) - np.mean(errors**2))
    return max(MIN_PRIOR_SD, math.sqrt(max(variance, 0.0)))


# --------------------------------------------------------------------------- the words


def chance_bound(chance: float) -> tuple[str, int]:
    """A probability as ("more than" | "less than" | "", whole per cent), never rounded up
    past what it is (94.6 % is 94): what :func:`percent` and the studio word."""
    if chance >= 0.995:
        return "more than", 99
    if chance < 0.01:
        return "less than", 1
    return "", math.floor(chance * 100 + 1e-9)


def percent(chance: float) -> str:
    """A probability in words, never rounded up past what it is (94.6 % reads 94 %)."""
    bound, whole = chance_bound(chance)
    return f"{bound} {whole} %" if bound else f"{whole} %"


def signed(lift: float) -> str:
    text = f"{lift * 100:+.0f} %"
    return text.replace("-", "−")


def leading(
    variant: str, control: str, chance: float, lift: float, interval: tuple[float, float]
) -> tuple[str, str, float, float, tuple[float, float]]:
    """(better, worse, chance, lift, interval) from the side that leads: when the control
    leads, its chance and its lift over the variant, the interval flipped."""
    if chance >= 0.5:
        return variant, control, chance, lift, interval
    low, high = interval
    flipped = (1 / (1 + high) - 1, 1 / (1 + low) - 1)
    return control, variant, 1 - chance, 1 / (1 + lift) - 1, flipped


def _leading(comparison: Comparison) -> tuple[str, str, float, float, tuple[float, float]]:
    c = comparison
    return leading(c.variant, c.control, c.chance_to_beat_control, c.lift, c.lift_interval)


#: Below this chance the leading side is "level", not "better".
LEVEL_BELOW = 0.6


def _claim(comparison: Comparison, metric: str, settings: AnalysisSettings) -> str:
    better, worse, chance, lift, (low, high) = _leading(comparison)
    level = round(settings.interval * 100)
    figures = f"({signed(lift)} {metric}, {level} % interval {signed(low)} to {signed(high)})"
    if chance < LEVEL_BELOW:
        return (
            f"No clear leader yet: {better} leads {worse} with only {percent(chance)} "
            f"probability {figures}"
        )
    return f"{better} is better than {worse} with {percent(chance)} probability {figures}"


def _verdict(
    decision: Decision,
    winner: str | None,
    comparisons: Sequence[Comparison],
    metric: str,
    settings: AnalysisSettings,
    arm_count: int,
) -> str:
    threshold = f"{round(settings.threshold * 100)} %"
    if decision == "winner" and winner is not None:
        if winner == comparisons[0].control:
            closest = max(comparisons, key=lambda c: c.chance_to_beat_control)
            return _claim(closest, metric, settings) + "; keep it."
        chosen = next(c for c in comparisons if c.variant == winner)
        extra = "" if arm_count == 2 else f", the best of {arm_count} variants"
        return _claim(chosen, metric, settings) + extra + "."
    if decision == "no_difference":
        band = round(settings.equivalence * 100)
        names = ", ".join([comparisons[0].control, *(c.variant for c in comparisons)])
        return f"{names} perform alike: every difference in {metric} is within ±{band} %."
    # The comparison that keeps a verdict away: the best variant (when it leads, it must
    # win; when the control leads every variant, this is the one it beats least surely).
    lead = max(comparisons, key=lambda c: c.chance_to_beat_control)
    more = lead.more_posts
    if more == 0:
        tail = ""
    elif more is None:
        tail = (
            f"; the difference is too small for {MAX_MORE_POSTS} more posts per variant to settle"
        )
    else:
        tail = (
            f"; about {more} more post{'s' if more != 1 else ''} per variant would make it "
            f"{threshold} if the difference holds"
        )
    return _claim(lead, metric, settings) + tail + "."


def _srm_sentence(arms: Sequence[Arm], srm: SampleRatioCheck) -> str:
    total_share = sum(srm.planned_shares)
    actual = ", ".join(f"{arm.name} {arm.posts}" for arm in arms)
    planned = " / ".join(f"{round(100 * s / total_share)} %" for s in srm.planned_shares)
    return (
        f"Stop: the posts per variant ({actual}) do not match the plan ({planned}) — a "
        f"sample-ratio mismatch (p = {srm.p_value:.1g}); find out why posts are missing or extra "
        f"before reading the results."
    )


def _too_few_sentence(short: dict[str, int], minimum: int) -> str:
    needs = ", ".join(f"{name} {count} more" for name, count in short.items())
    return f"Too few posts for a verdict: at least {minimum} per variant are needed ({needs})."
