"""An experiment's verdict in the studio's locale (ADR 0042).

The analysis (``analytics/experiment.py``) writes its verdict as an English sentence for the
CLI and the API and stores the whole result beside it: the decision, each arm's posts, each
comparison's chance, lift and interval, the posts still needed, the sample-ratio check and
the settings. The studio words the same cases from those values through the catalogues, so
its English is the analysis's sentence (a test holds the two together) and every other
locale reads its own words with the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from video_orchestrator.analytics.experiment import (
    LEVEL_BELOW,
    MAX_MORE_POSTS,
    chance_bound,
    leading,
    signed,
)
from video_orchestrator.ui.i18n import marked, tr, tr_n

#: The metrics an experiment is judged on, in words (the service's keys).
METRIC_WORDS: dict[str, str] = {
    "average_view_duration": marked("average view duration"),
    "average_percentage_viewed": marked("share of the video viewed"),
    "views": marked("views"),
    "likes": marked("likes"),
    "shares": marked("shares"),
    "like_rate": marked("likes per view"),
    "share_rate": marked("shares per view"),
}
#: The decision in a few words, for the list of experiments.
DECISION_WORDS: dict[str, str] = {
    "no_winner_yet": marked("No winner yet"),
    "no_difference": marked("The variants perform alike"),
    "stop_srm": marked("Stopped: the posts do not match the plan"),
    "too_few_posts": marked("Too few posts for a verdict"),
}


def metric_words(metric: str, age: str) -> str:
    """ "average view duration at 72h", in this locale."""
    return tr("{metric} at {age}", metric=tr(METRIC_WORDS.get(metric, metric)), age=age)


def decision_words(decision: str | None, winner: str | None) -> str:
    """The decision in a few words ("Winner: B"); "Not analysed yet." before any analysis."""
    if decision is None:
        return tr("Not analysed yet.")
    if decision == "winner" and winner is not None:
        return tr("Winner: {variant}", variant=winner)
    return tr(DECISION_WORDS.get(decision, decision))


def chance_words(chance: float) -> str:
    """A probability never rounded up past what it is (94.6 % reads 94 %)."""
    bound, whole = chance_bound(chance)
    if bound == "more than":
        return tr("more than {percent}", percent=f"{whole} %")
    if bound == "less than":
        return tr("less than {percent}", percent=f"{whole} %")
    return f"{whole} %"


def verdict_words(analysis: Mapping[str, Any], metric: str) -> str | None:
    """The stored analysis's verdict in this locale; ``metric`` is :func:`metric_words`'
    text. ``None`` when the snapshot is not one this version understands (the caller shows
    the stored English sentence)."""
    try:
        return _verdict(analysis, metric)
    except (KeyError, TypeError, ValueError, IndexError, StopIteration):
        return None


def _verdict(analysis: Mapping[str, Any], metric: str) -> str | None:
    decision = analysis["decision"]
    settings = analysis["settings"]
    comparisons = analysis.get("comparisons") or []
    if decision == "stop_srm":
        return _srm(analysis)
    if decision == "too_few_posts":
        needs = ", ".join(
            tr("{variant} {count} more", variant=name, count=count)
            for name, count in analysis["posts_needed"].items()
        )
        return tr(
            "Too few posts for a verdict: at least {minimum} per variant are needed ({needs}).",
            minimum=settings["min_posts"],
            needs=needs,
        )
    winner = analysis.get("winner")
    if decision == "winner" and winner is not None:
        if winner == comparisons[0]["control"]:
            closest = max(comparisons, key=lambda c: c["chance_to_beat_control"])
            return tr("{claim}; keep it.", claim=_claim(closest, metric, settings))
        chosen = next(c for c in comparisons if c["variant"] == winner)
        claim = _claim(chosen, metric, settings)
        arms = len(analysis["arms"])
        if arms == 2:
            return tr("{claim}.", claim=claim)
        return tr("{claim}, the best of {count} variants.", claim=claim, count=arms)
    if decision == "no_difference":
        names = ", ".join([comparisons[0]["control"], *(c["variant"] for c in comparisons)])
        return tr(
            "{names} perform alike: every difference in {metric} is within ±{band} %.",
            names=names,
            metric=metric,
            band=round(settings["equivalence"] * 100),
        )
    if decision != "no_winner_yet":
        return None
    lead = max(comparisons, key=lambda c: c["chance_to_beat_control"])
    claim = _claim(lead, metric, settings)
    more = lead.get("more_posts")
    if more == 0:
        return tr("{claim}.", claim=claim)
    if more is None:
        return tr(
            "{claim}; the difference is too small for {count} more posts per variant to settle.",
            claim=claim,
            count=MAX_MORE_POSTS,
        )
    return tr_n(
        "{claim}; about {count} more post per variant would make it {threshold} if the "
        "difference holds.",
        "{claim}; about {count} more posts per variant would make it {threshold} if the "
        "difference holds.",
        int(more),
        claim=claim,
        threshold=f"{round(settings['threshold'] * 100)} %",
    )


def _claim(comparison: Mapping[str, Any], metric: str, settings: Mapping[str, Any]) -> str:
    """Which side leads, how surely and by how much (the analysis's ``_claim``)."""
    first, last = (float(x) for x in comparison["lift_interval"])
    better, worse, chance, lift, (low, high) = leading(
        comparison["variant"],
        comparison["control"],
        float(comparison["chance_to_beat_control"]),
        float(comparison["lift"]),
        (first, last),
    )
    figures = tr(
        "({lift} {metric}, {level} % interval {low} to {high})",
        lift=signed(lift),
        metric=metric,
        level=round(settings["interval"] * 100),
        low=signed(low),
        high=signed(high),
    )
    if chance < LEVEL_BELOW:
        return tr(
            "No clear leader yet: {better} leads {worse} with only {chance} probability {figures}",
            better=better,
            worse=worse,
            chance=chance_words(chance),
            figures=figures,
        )
    return tr(
        "{better} is better than {worse} with {chance} probability {figures}",
        better=better,
        worse=worse,
        chance=chance_words(chance),
        figures=figures,
    )


def _srm(analysis: Mapping[str, Any]) -> str:
    srm = analysis["srm"]
    shares = srm["planned_shares"]
    total = sum(shares)
    actual = ", ".join(f"{arm['name']} {arm['posts']}" for arm in analysis["arms"])
    planned = " / ".join(f"{round(100 * s / total)} %" for s in shares)
    return tr(
        "Stop: the posts per variant ({actual}) do not match the plan ({planned}) — a "
        "sample-ratio mismatch (p = {p}); find out why posts are missing or extra before "
        "reading the results.",
        actual=actual,
        planned=planned,
        p=f"{srm['p_value']:.1g}",
    )
