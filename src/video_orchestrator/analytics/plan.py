"""A posting plan: which variant goes out in which slot, balanced so that time and account do
not confound the variant (ADR 0028).

Posts are not randomised by a platform, so the plan does the balancing: slots are taken in
time order in rounds of as many slots as there are variants, each variant at most once per
round (so every variant is spread over the whole period), and within that each slot gets the
variant that has so far been least often on that weekday, then at that hour, then on that
account (seeded tie-breaks). The plan reports, per dimension, the largest spread between
variants' counts of any weekday, hour or account.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from video_orchestrator.errors import InputError


@dataclass(frozen=True, order=True)
class Slot:
    week: int
    weekday: int  # 0 Monday … 6 Sunday
    hour: int  # 0–23, the account's local time
    account: str = "main"

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6 or not 0 <= self.hour <= 23 or self.week < 0:
            raise InputError(
                f"a slot needs week ≥ 0, weekday 0–6 and hour 0–23, "
                f"not {self.week}, {self.weekday}, {self.hour}"
            )


@dataclass(frozen=True)
class PlannedPost:
    slot: Slot
    variant: str


@dataclass(frozen=True)
class PostingPlan:
    posts: tuple[PlannedPost, ...]  # in time order
    per_variant: dict[str, int]
    #: Per dimension (weekday, hour, account): the largest difference between two variants'
    #: counts of the same weekday / hour / account. 0 or 1 is as balanced as slots allow.
    imbalance: dict[str, int]
    unused_slots: int


def weekly_slots(
    *,
    weeks: int,
    weekdays: Sequence[int],
    hours: Sequence[int],
    accounts: Sequence[str] = ("main",),
) -> tuple[Slot, ...]:
    """Every combination, in time order (accounts posting at the same hour side by side)."""
    return tuple(
        sorted(
            Slot(week, day, hour, account)
            for week in range(weeks)
            for day in weekdays
            for hour in hours
            for account in accounts
        )
    )


def posting_plan(
    variants: Sequence[str], posts_per_variant: int, slots: Sequence[Slot], *, seed: int = 0
) -> PostingPlan:
    """Assign ``posts_per_variant`` posts of each variant to ``slots`` (see the module)."""
    if len(set(variants)) != len(variants) or not variants:
        raise InputError("a posting plan needs distinct variant names")
    if posts_per_variant < 1:
        raise InputError(f"each variant needs at least one post, not {posts_per_variant}")
    needed = len(variants) * posts_per_variant
    if len(slots) < needed:
        raise InputError(
            f"{len(variants)} variants × {posts_per_variant} posts need {needed} slots; "
            f"there are {len(slots)} ({needed - len(slots)} more needed)"
        )
    rng = np.random.default_rng(seed)
    tie = {v: float(rng.random()) for v in variants}
    ordered = sorted(slots)[:needed]
    left = dict.fromkeys(variants, posts_per_variant)
    counts: dict[str, Counter[tuple[str, object]]] = {v: Counter() for v in variants}
    posts = []
    round_size = len(variants)
    in_round: set[str] = set()
    for index, slot in enumerate(ordered):
        if index % round_size == 0:
            in_round = set()
        open_ = [v for v in variants if left[v] > 0]
        fresh = [v for v in open_ if v not in in_round] or open_
        chosen = min(
            fresh,
            key=lambda v: (
                counts[v][("weekday", slot.weekday)],
                counts[v][("hour", slot.hour)],
                counts[v][("account", slot.account)],
                -left[v],
                tie[v],
            ),
        )
        left[chosen] -= 1
        in_round.add(chosen)
        for dimension, value in (
            ("weekday", slot.weekday),
            ("hour", slot.hour),
            ("account", slot.account),
        ):
            counts[chosen][(dimension, value)] += 1
        posts.append(PlannedPost(slot, chosen))
    return PostingPlan(
        posts=tuple(posts),
        per_variant={v: posts_per_variant for v in variants},
        imbalance=imbalance(posts, variants),
        unused_slots=len(slots) - needed,
    )


def imbalance(posts: Sequence[PlannedPost], variants: Sequence[str]) -> dict[str, int]:
    """Per dimension, the largest spread of one value's count across variants."""
    result = {}
    for dimension in ("weekday", "hour", "account"):
        values = {getattr(p.slot, dimension) for p in posts}
        spread = 0
        for value in values:
            per = [
                sum(1 for p in posts if p.variant == v and getattr(p.slot, dimension) == value)
                for v in variants
            ]
            spread = max(spread, max(per) - min(per))
        result[dimension] = spread
    return result
