"""Experiment design (variant matrix, fractions, posting plan) and winners feeding back (hook
weights, profile defaults), on planted data."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from video_orchestrator.analytics.design import (
    KNOWN_FACTORS,
    Factor,
    design_variants,
    main_effects_estimable,
    merged,
)
from video_orchestrator.analytics.experiment import Arm, analyse_experiment
from video_orchestrator.analytics.feedback import (
    HookEvidence,
    LevelResult,
    level_results,
    propose_defaults,
    propose_hook_weights,
)
from video_orchestrator.analytics.plan import (
    PlannedPost,
    Slot,
    imbalance,
    posting_plan,
    weekly_slots,
)
from video_orchestrator.errors import InputError
from video_orchestrator.pipeline.hooks import COMPONENTS, ScoringRules, bundled_library
from video_orchestrator.spec.options import VideoOptions

SIX = [
    Factor.of("hook", ["Why is the sea salty?", "The sea is 3.5 % salt", "Nobody tells you this"]),
    Factor.of("caption_style", ["karaoke", "pop"]),
    Factor.of("background", ["generated", "asset-123"]),
    Factor.of("music", ["calm", "upbeat", "none"]),
    Factor.of("length", [30, 45]),
    Factor.of("thumbnail_text", ["SALT?", "3.5 %"]),
]


# --------------------------------------------------------------------------- design


def test_a_small_matrix_is_full_factorial_with_option_overrides_that_validate() -> None:
    design = design_variants([*SIX[1:4:2], Factor.of("voice_speed", [1.0, 1.15])])
    assert design.strategy == "full" and design.dropped == 0
    assert len(design.variants) == 2 * 3 * 2
    combos = {tuple(v.levels.values()) for v in design.variants}
    assert len(combos) == 12
    assert design.control.id == "A"
    assert design.control.levels == {
        "caption_style": "karaoke",
        "music": "calm",
        "voice_speed": 1.0,
    }
    base = VideoOptions().model_dump()
    for variant in design.variants:
        options = VideoOptions.model_validate(merged(base, variant.options))
        assert options.captions.style == variant.levels["caption_style"]
        assert options.audio.music == variant.levels["music"]
        assert options.voice.speed == variant.levels["voice_speed"]


def test_every_known_option_path_is_a_video_options_field() -> None:
    samples: dict[str, str | float] = {
        "captions.style": "neon",
        "captions.anchor": "top",
        "audio.music": "upbeat",
        "background.transition": "cut",
        "voice.voice": "en_US-joe-medium",
        "voice.speed": 1.1,
    }
    base = VideoOptions().model_dump()
    for name, path in KNOWN_FACTORS.items():
        if path is None:
            continue
        override = design_variants([Factor.of(name, [samples[path], "x"])]).variants[0].options
        section, field = path.split(".")
        assert getattr(getattr(VideoOptions.model_validate(merged(base, override)), section), field)
    with pytest.raises(ValueError):  # a level the options refuse is caught by the caller's check
        bad = design_variants([Factor.of("caption_style", ["karaoke", "sparkly"])]).variants[1]
        VideoOptions.model_validate(merged(base, bad.options))


def test_a_large_matrix_becomes_a_balanced_main_effects_fraction_and_says_what_was_dropped() -> (
    None
):
    design = design_variants(SIX, max_variants=16)
    assert design.strategy == "fraction"
    assert design.full_size == 3 * 2 * 2 * 3 * 2 * 2 == 144
    assert len(design.variants) == 12  # the smallest size each level count divides
    assert design.dropped == 132
    assert "132 combinations dropped" in design.note and "interactions" in design.note
    assert main_effects_estimable(design)
    assert design.control.levels == {f.name: f.levels[0] for f in SIX}
    for factor in SIX:
        counts = Counter(v.levels[factor.name] for v in design.variants)
        assert set(counts.values()) == {12 // len(factor.levels)}  # every level equally often
    assert design.control.content == {
        "hook": "Why is the sea salty?",
        "background": "generated",
        "length": 30,
        "thumbnail_text": "SALT?",
    }
    assert design == design_variants(SIX, max_variants=16)  # seeded: the same plan again


def test_one_factor_at_a_time_and_limits() -> None:
    design = design_variants(SIX, strategy="one_at_a_time")
    assert len(design.variants) == 1 + 2 + 1 + 1 + 2 + 1 + 1
    control = design.control.levels
    for variant in design.variants[1:]:
        assert sum(variant.levels[k] != control[k] for k in control) == 1
    with pytest.raises(InputError, match="needs at least 9 variants, more than the limit of 8"):
        design_variants(SIX, max_variants=8)
    with pytest.raises(InputError, match="unknown factor 'font'"):
        Factor.of("font", ["a", "b"])
    with pytest.raises(InputError, match="at least two levels"):
        Factor.of("music", ["calm"])


# --------------------------------------------------------------------------- posting plan


def test_the_posting_plan_balances_weekday_and_hour_where_round_robin_confounds_them() -> None:
    slots = weekly_slots(weeks=2, weekdays=range(7), hours=[9, 18])
    plan = posting_plan(list("ABCD"), 7, slots)
    assert len(plan.posts) == 28 and plan.unused_slots == 0
    assert Counter(p.variant for p in plan.posts) == dict.fromkeys("ABCD", 7)
    assert plan.imbalance == {"weekday": 0, "hour": 1, "account": 0}  # 7 posts: 4 + 3 at best
    naive = [PlannedPost(slot, "ABCD"[i % 4]) for i, slot in enumerate(slots)]
    assert imbalance(naive, list("ABCD"))["hour"] == 7  # A always at 09:00, B always at 18:00
    # every round of four consecutive slots has each variant once: time is spread evenly
    for start in range(0, 28, 4):
        assert {p.variant for p in plan.posts[start : start + 4]} == set("ABCD")


def test_the_posting_plan_balances_accounts_and_refuses_too_few_slots() -> None:
    slots = weekly_slots(weeks=3, weekdays=[0, 2, 4], hours=[12, 19], accounts=["a", "b"])
    plan = posting_plan(list("ABC"), 10, slots)
    assert plan.imbalance["account"] <= 1 and plan.imbalance["hour"] <= 1
    assert plan.imbalance["weekday"] <= 1
    assert plan.unused_slots == 6
    with pytest.raises(InputError, match="need 40 slots; there are 36 \\(4 more needed\\)"):
        posting_plan(list("ABCD"), 10, slots)
    with pytest.raises(InputError, match="hour 0–23"):
        Slot(0, 1, 24)


# --------------------------------------------------------------------------- feedback


def hook_evidence(rng: np.random.Generator, n: int) -> list[HookEvidence]:
    """Planted: curiosity helps (+0.8 log views from none to full), length hurts (−0.6),
    the rest does nothing."""
    rows = []
    for _ in range(n):
        shares = {c: float(rng.uniform(0, 1)) for c in COMPONENTS}
        outcome = 7 + 0.8 * shares["curiosity"] - 0.6 * shares["length"] + rng.normal(0, 0.3)
        rows.append(HookEvidence(shares, outcome))
    return rows


def test_hook_weights_move_toward_what_worked_and_stay_a_valid_scoring() -> None:
    current = dict(bundled_library().scoring.weights)
    proposal = propose_hook_weights(current, hook_evidence(np.random.default_rng(1), 80))
    assert proposal.current == current
    assert proposal.proposed["curiosity"] > current["curiosity"]
    assert proposal.proposed["length"] < current["length"]
    assert math.isclose(sum(proposal.proposed.values()), 100, abs_tol=1e-9)
    for change in proposal.changes:
        assert abs(change.proposed - change.current) <= 5 + 2  # one step, plus the rescaling
    curiosity = next(c for c in proposal.changes if c.component == "curiosity")
    assert curiosity.interval[0] < 0.8 < curiosity.interval[1]
    assert "curiosity" in proposal.summary and "helps" in curiosity.reason
    rules = bundled_library().scoring.model_dump()
    rules["weights"] = proposal.proposed
    ScoringRules.model_validate(rules)  # the proposal is a scoring the hook scorer accepts


def test_hook_weights_stay_put_without_credible_evidence_or_enough_posts() -> None:
    current = dict(bundled_library().scoring.weights)
    rng = np.random.default_rng(2)
    noise = [
        HookEvidence({c: float(rng.uniform(0, 1)) for c in COMPONENTS}, float(rng.normal(7, 0.3)))
        for _ in range(60)
    ]
    unchanged = propose_hook_weights(current, noise, min_t=3.5)
    assert unchanged.proposed == current
    assert unchanged.summary.startswith("no change")
    few = propose_hook_weights(current, noise[:12])
    assert few.proposed == current and few.changes == ()
    assert "there are 12, so 8 more" in few.summary


def test_a_winning_caption_style_is_proposed_as_the_default_with_its_evidence() -> None:
    rng = np.random.default_rng(3)
    arms = [
        Arm.of("A", rng.lognormal(math.log(15), 0.25, 30)),
        Arm.of("B", rng.lognormal(math.log(18), 0.25, 30)),
        Arm.of("C", rng.lognormal(math.log(15), 0.25, 30)),
    ]
    result = analyse_experiment(arms, control="A", kind="duration", metric="average view duration")
    levels = level_results(result, "captions.style", {"A": "karaoke", "B": "pop", "C": "neon"})
    proposal = propose_defaults({"captions.style": "karaoke", "pace.ideal_wpm": 165}, levels)
    assert [(c.setting, c.current, c.proposed) for c in proposal.changes] == [
        ("captions.style", "karaoke", "pop")
    ]
    assert "'pop' beat 'karaoke' with" in proposal.changes[0].evidence
    assert "over 60 posts" in proposal.changes[0].evidence
    assert dict(proposal.kept)["pace.ideal_wpm"] == "no experiment compared anything with 165"


def test_a_level_short_of_the_threshold_is_not_proposed() -> None:
    weak = LevelResult("script.ideal_max_s", 45, 34, 0.9, 0.1, (-0.02, 0.22), 40, "views")
    proposal = propose_defaults({"script.ideal_max_s": 34}, [weak])
    assert proposal.changes == ()
    assert "only 90 % probability over 40 posts" in dict(proposal.kept)["script.ideal_max_s"]


def test_full_factorial_rows_are_unique() -> None:
    design = design_variants(SIX[:3])
    seen = [tuple(v.levels.values()) for v in design.variants]
    assert sorted(seen) == sorted(itertools.product(*(f.levels for f in SIX[:3])))


# --------------------------------------------------------------------------- properties


@given(
    st.lists(st.integers(2, 4), min_size=1, max_size=6),
    st.integers(6, 24),
    st.integers(0, 3),
)
@settings(max_examples=60)
def test_any_design_is_unique_within_its_limit_and_measures_every_main_effect(
    level_counts: list[int], limit: int, seed: int
) -> None:
    factors = [
        Factor(f"f{i}", tuple(f"l{j}" for j in range(n)), None) for i, n in enumerate(level_counts)
    ]
    needed = 1 + sum(n - 1 for n in level_counts)
    if needed > limit:
        with pytest.raises(InputError, match=f"at least {needed} variants"):
            design_variants(factors, max_variants=limit, seed=seed)
        return
    design = design_variants(factors, max_variants=limit, seed=seed)
    rows = [tuple(v.levels.values()) for v in design.variants]
    assert len(rows) == len(set(rows)) <= limit
    assert design.control.levels == {f.name: f.levels[0] for f in factors}
    assert design.dropped == design.full_size - len(rows)
    assert main_effects_estimable(design)


@given(st.integers(2, 6), st.integers(1, 6), st.integers(0, 4), st.integers(0, 3))
@settings(max_examples=40)
def test_any_plan_posts_each_variant_its_count_once_per_round(
    variants: int, posts: int, spare: int, seed: int
) -> None:
    names = [chr(ord("A") + i) for i in range(variants)]
    slots = weekly_slots(weeks=8, weekdays=range(7), hours=[9, 13, 18])[: variants * posts + spare]
    plan = posting_plan(names, posts, slots, seed=seed)
    assert Counter(p.variant for p in plan.posts) == dict.fromkeys(names, posts)
    assert plan.unused_slots == spare
    assert [p.slot for p in plan.posts] == sorted(p.slot for p in plan.posts)
    for start in range(0, len(plan.posts), variants):
        chunk = [p.variant for p in plan.posts[start : start + variants]]
        assert len(chunk) == len(set(chunk))


def test_a_matrix_too_big_to_list_is_sampled_and_still_balanced() -> None:
    factors = [Factor(f"f{i}", tuple(range(5)), None) for i in range(6)]  # 15 625 combinations
    design = design_variants(factors, max_variants=30)
    assert design.strategy == "fraction" and design.full_size == 15_625
    assert len(design.variants) == 25  # 1 + 6 × 4 = 25, which 5 divides
    assert main_effects_estimable(design)
    for factor in factors:  # 5 each where the greedy search finds it, never off by more than 1
        assert set(Counter(v.levels[factor.name] for v in design.variants).values()) <= {4, 5, 6}
