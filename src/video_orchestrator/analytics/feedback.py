"""Winners feed back: proposed changes to the hook scorer's weights and to the optimisation
profile's defaults, from the user's own results, with the evidence — never applied here
(ADR 0028).

Hook weights (``data/hook_templates.json`` ``scoring.weights``: timing, curiosity,
specificity, numbers, you, length; they add up to 100). Each posted hook's components are
taken as the share of its maximum it earned (0–1); the outcome (e.g. the log of views at 72 h,
or the share of viewers still watching at 3 s) is regressed on them by least squares. A
component moves only when its effect is credible (|t| ≥ ``min_t``): up when it helps, down
when it hurts, by at most ``max_step`` points, then all weights are rescaled to add up to 100.
Components without credible evidence keep their share.

Profile defaults (caption style, target length, pace …): from experiment results per level
(each level against the current default), a level replaces the default when it beats it with
at least the decision threshold's probability over enough posts; the best such level wins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from video_orchestrator.analytics.experiment import ExperimentResult, percent, signed
from video_orchestrator.errors import InputError

MIN_HOOK_POSTS = 20
MAX_STEP = 5.0  # points of 100 a weight may move in one proposal
MIN_T = 2.0


@dataclass(frozen=True)
class HookEvidence:
    """One posted hook: the share (0–1) of each score component it earned, and its outcome."""

    components: Mapping[str, float]
    outcome: float


@dataclass(frozen=True)
class WeightChange:
    component: str
    current: float
    proposed: float
    effect: float  # outcome change from none to all of the component's points
    interval: tuple[float, float]  # 90 % confidence interval of the effect
    t: float
    reason: str


@dataclass(frozen=True)
class WeightProposal:
    current: dict[str, float]
    proposed: dict[str, float]  # equal to current when nothing is credible
    changes: tuple[WeightChange, ...]  # every component, moved or not, with its evidence
    posts: int
    summary: str


def propose_hook_weights(
    current: Mapping[str, float],
    evidence: Sequence[HookEvidence],
    *,
    min_posts: int = MIN_HOOK_POSTS,
    max_step: float = MAX_STEP,
    min_t: float = MIN_T,
) -> WeightProposal:
    names = list(current)
    if not names or abs(sum(current.values()) - 100) > 1e-6:
        raise InputError("the current hook weights must name the components and add up to 100")
    for index, item in enumerate(evidence):
        missing = set(names) - set(item.components)
        if missing:
            raise InputError(f"hook {index + 1} has no share for {', '.join(sorted(missing))}")
        if not all(0 <= item.components[n] <= 1 for n in names) or not math.isfinite(item.outcome):
            raise InputError(f"hook {index + 1}: shares must be 0 to 1 and the outcome a number")
    n = len(evidence)
    if n < min_posts:
        return WeightProposal(
            dict(current),
            dict(current),
            (),
            n,
            f"no change: the weights learn from at least {min_posts} posted hooks with results; "
            f"there are {n}, so {min_posts - n} more",
        )
    x = np.array([[1.0, *(e.components[c] for c in names)] for e in evidence])
    y = np.array([e.outcome for e in evidence])
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = y - x @ beta
    df = max(n - x.shape[1], 1)
    sigma2 = float(residual @ residual) / df
    covariance = sigma2 * np.linalg.pinv(x.T @ x)
    quantile = float(sps.t.ppf(0.95, df))
    raw: dict[str, float] = {}
    changes: list[WeightChange] = []
    scale = float(np.std(y)) or 1.0
    for index, name in enumerate(names, start=1):
        effect = float(beta[index])
        se = math.sqrt(max(float(covariance[index, index]), 0.0))
        varies = float(np.ptp(x[:, index])) > 0
        t = effect / se if se > 0 and varies else 0.0
        if abs(t) >= min_t:
            step = max_step * math.tanh(abs(effect) / scale)
            raw[name] = max(0.0, current[name] + math.copysign(step, effect))
            reason = (
                f"{'helps' if effect > 0 else 'hurts'}: {effect:+.2f} on the outcome "
                f"from none to all of its points (t = {t:.1f})"
            )
        else:
            raw[name] = current[name]
            reason = "no credible effect yet" if varies else "every hook scored the same on it"
        changes.append(
            WeightChange(
                name,
                current[name],
                0.0,
                effect,
                (effect - quantile * se, effect + quantile * se),
                t,
                reason,
            )
        )
    proposed = _to_hundred(raw)
    changes = [
        WeightChange(
            c.component, c.current, proposed[c.component], c.effect, c.interval, c.t, c.reason
        )
        for c in changes
    ]
    moved = [c for c in changes if abs(c.proposed - c.current) >= 0.05]
    summary = (
        "propose: "
        + "; ".join(f"{c.component} {c.current:g} → {c.proposed:g} ({c.reason})" for c in moved)
        if moved
        else f"no change: no component has a credible effect over {n} posted hooks"
    )
    return WeightProposal(dict(current), proposed, tuple(changes), n, summary)


def _to_hundred(raw: Mapping[str, float]) -> dict[str, float]:
    """Rescale to add up to exactly 100, at one decimal (the rounding rest goes to the
    largest weight)."""
    total = sum(raw.values())
    scaled = {k: round(v * 100 / total, 1) for k, v in raw.items()}
    rest = round(100 - sum(scaled.values()), 1)
    largest = max(scaled, key=lambda k: scaled[k])
    scaled[largest] = round(scaled[largest] + rest, 1)
    return scaled


# --------------------------------------------------------------------------- profile defaults


@dataclass(frozen=True)
class LevelResult:
    """One level of a setting against the setting's current default, from an experiment."""

    setting: str  # e.g. "captions.style", "script.ideal_max_s", "pace.ideal_wpm"
    level: str | float
    against: str | float  # the level it was compared with (the current default)
    chance_to_beat: float
    lift: float
    lift_interval: tuple[float, float]
    posts: int
    metric: str


@dataclass(frozen=True)
class DefaultChange:
    setting: str
    current: str | float
    proposed: str | float
    evidence: str


@dataclass(frozen=True)
class DefaultsProposal:
    changes: tuple[DefaultChange, ...]
    kept: tuple[tuple[str, str], ...]  # (setting, why it stays)


def level_results(
    result: ExperimentResult, setting: str, level_of: Mapping[str, str | float]
) -> tuple[LevelResult, ...]:
    """An experiment's comparisons as results per level of one setting (``level_of`` maps
    each arm to its level of ``setting``)."""
    missing = {result.control, *(c.variant for c in result.comparisons)} - set(level_of)
    if missing:
        raise InputError(f"no level of {setting} given for {', '.join(sorted(missing))}")
    control_posts = next((a.posts for a in result.arms if a.name == result.control), 0)
    posts = {a.name: a.posts for a in result.arms}
    return tuple(
        LevelResult(
            setting=setting,
            level=level_of[c.variant],
            against=level_of[c.control],
            chance_to_beat=c.chance_to_beat_control,
            lift=c.lift,
            lift_interval=c.lift_interval,
            posts=posts[c.variant] + control_posts,
            metric=result.metric,
        )
        for c in result.comparisons
    )


def propose_defaults(
    current: Mapping[str, str | float],
    results: Sequence[LevelResult],
    *,
    threshold: float = 0.95,
    min_posts: int = 20,
) -> DefaultsProposal:
    changes: list[DefaultChange] = []
    kept: list[tuple[str, str]] = []
    for setting, default in current.items():
        relevant = [r for r in results if r.setting == setting and r.against == default]
        if not relevant:
            kept.append((setting, f"no experiment compared anything with {default!r}"))
            continue
        winners = [r for r in relevant if r.chance_to_beat >= threshold and r.posts >= min_posts]
        if not winners:
            best = max(relevant, key=lambda r: r.chance_to_beat)
            kept.append(
                (
                    setting,
                    f"{best.level!r} beats {default!r} with only {percent(best.chance_to_beat)} "
                    f"probability over {best.posts} posts (needs {percent(threshold)} "
                    f"and {min_posts} posts)",
                )
            )
            continue
        top = max(winners, key=lambda r: (r.lift, r.chance_to_beat))
        low, high = top.lift_interval
        changes.append(
            DefaultChange(
                setting,
                default,
                top.level,
                f"{top.level!r} beat {default!r} with {percent(top.chance_to_beat)} probability "
                f"({signed(top.lift)} {top.metric}, interval {signed(low)} to {signed(high)}) "
                f"over {top.posts} posts",
            )
        )
    return DefaultsProposal(tuple(changes), tuple(kept))
