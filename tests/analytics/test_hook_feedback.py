"""The hook score's weights learn from the workspace's own posted hooks (ADR 0044), through the
real stores on SQLite and PostgreSQL: a planted "a number raises views" is found and only it
moves; nothing changes before apply; after apply the hook generator ranks hooks with a number
higher; too few posts are refused with the reason; reset and the history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.hook_posts import NOW, plant_posts
from video_orchestrator.analytics.feedback import MIN_HOOK_POSTS
from video_orchestrator.config import Settings
from video_orchestrator.errors import InvalidStateError
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.hook_feedback import HookFeedback
from video_orchestrator.services.ideas import Ideas
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.store import Database

SHIPPED = {"timing": 25, "curiosity": 20, "specificity": 20, "numbers": 15, "you": 10, "length": 10}


def _feedback(db: Database) -> HookFeedback:
    return HookFeedback(db, clock=lambda: NOW)


def test_a_planted_number_effect_raises_only_the_numbers_weight(db: Database) -> None:
    plant_posts(db, posts=32)
    feedback = _feedback(db)
    proposal = feedback.propose()

    assert proposal.evidence.used == 32 and proposal.evidence.young == 0
    assert proposal.possible and proposal.reason is None
    assert proposal.current == SHIPPED
    assert abs(sum(proposal.proposed.values()) - 100) < 1e-9
    credible = [c.component for c in proposal.changes if c.credible]
    assert credible == ["numbers"]
    numbers = next(c for c in proposal.changes if c.component == "numbers")
    assert 2.0 <= numbers.delta <= 5.0  # up, by at most the 5-point step (then rescaled)
    assert numbers.t >= 2.0
    assert 0.2 < numbers.views_change < 1.2  # the planted e^0.5 − 1 ≈ +65 %, within the spread
    # the rest keep their shares: each scaled by the same factor, within rounding
    scale = (100 - proposal.proposed["numbers"]) / (100 - SHIPPED["numbers"])
    for name, weight in SHIPPED.items():
        if name != "numbers":
            assert proposal.proposed[name] == pytest.approx(weight * scale, abs=0.25)
    assert re.search(
        r"numbers \(a number\): \+\d\.\d points — hooks with a number got \d+ % more views at "
        r"72 h over 32 posts, t = \d\.\d",
        numbers.words,
    )
    # a proposal changes nothing
    assert feedback.show().source == "shipped" and feedback.history() == []


def test_after_apply_the_scorer_ranks_hooks_with_a_number_higher(
    db: Database, tmp_path: Path
) -> None:
    plant_posts(db, posts=32)
    feedback = _feedback(db)
    ctx = AppContext(
        Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"), db=db, llm=None
    )
    ideas = Ideas(ctx, hook_library=feedback.library)  # the workspace's injection
    project = ProjectService(db).create(ProjectCreate(topic="how octopuses dream"))
    before = ideas.hooks(project.id, None, 10)["hooks"]

    proposal = feedback.propose()
    change = feedback.apply("tester", expected=proposal.proposed)
    after = ideas.hooks(project.id, None, 10)["hooks"]

    def ranks(hooks: list[dict[str, object]]) -> dict[str, int]:
        return {str(h["text"]): i for i, h in enumerate(hooks)}

    with_number = {str(h["text"]) for h in before if re.search(r"\d", str(h["text"]))}
    assert with_number, "the templates give at least one hook with a digit"
    rank_before, rank_after = ranks(before), ranks(after)
    assert set(rank_before) == set(rank_after)  # the same hooks, re-ranked
    moved_up = [t for t in with_number if rank_after[t] < rank_before[t]]
    assert moved_up, (before, after)
    assert all(rank_after[t] <= rank_before[t] for t in with_number)
    score_before = {str(h["text"]): h["score"] for h in before}
    for hook in after:
        text = str(hook["text"])
        if text not in with_number and not re.search(r"\b(three|one|two|ten)\b", text, re.I):
            assert hook["score"] <= score_before[text]  # a hook without a number gains nothing

    current = feedback.show()
    assert current.source == "learned" and current.weights == proposal.proposed
    assert current.applied_by == "tester" and current.changed_at == NOW
    (stored,) = feedback.history()
    assert stored.id == change.id and stored.action == "apply"
    assert stored.from_weights == SHIPPED and stored.to_weights == proposal.proposed
    assert stored.evidence["posts"] == 32 and stored.evidence["outcome"] == "log views at 72 h"
    numbers = next(c for c in stored.evidence["components"] if c["component"] == "numbers")
    assert numbers["t"] >= 2.0


def test_after_apply_the_optimiser_judges_the_hook_with_the_learned_weights(
    db: Database, tmp_path: Path
) -> None:
    plant_posts(db, posts=32)
    feedback = _feedback(db)
    ctx = AppContext(
        Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"), db=db, llm=None
    )
    ideas = Ideas(ctx, hook_library=feedback.library)
    script = {
        "topic": "why the deep ocean glows",
        "title": "The glowing deep",
        "hook": "Here are 3 things.",  # 48 of 100 with the shipped weights: weak (< 50)
        "scenes": [{"narration": "Deep ocean animals make their own light.", "keywords": []}],
    }
    project = ProjectService(db).create(ProjectCreate.model_validate({"script": script}))

    def weak() -> bool:
        report, _ = ideas.optimise(project.id, None, apply=False, version=None)
        return any(s["rule"] == "hook.weak" for s in report["suggestions"])

    assert weak()
    feedback.apply("tester")  # numbers 15 → 18.6: the number now earns the hook 50
    assert not weak()


def test_the_same_evidence_does_not_move_the_weights_twice(db: Database) -> None:
    plant_posts(db, posts=32)
    feedback = _feedback(db)
    first = feedback.apply("tester")
    again = feedback.propose()
    assert not again.possible and again.why == "same_evidence"
    assert again.proposed == again.current == first.to_weights
    assert again.reason is not None and "the same evidence" in again.reason
    with pytest.raises(InvalidStateError, match="nothing to apply"):
        feedback.apply("tester")
    # hooks posted later are new evidence: the next step may be taken
    plant_posts(db, posts=16, prefix="w", first=NOW.replace(month=11, day=2, hour=18))
    later = feedback.propose()
    assert later.evidence.used == 48 and later.evidence.new_since_applied == 16
    assert later.possible and later.current == first.to_weights
    assert later.proposed["numbers"] > first.to_weights["numbers"]


def test_fewer_posts_than_the_minimum_are_refused_with_the_reason(db: Database) -> None:
    plant_posts(db, posts=MIN_HOOK_POSTS - 8)
    feedback = _feedback(db)
    proposal = feedback.propose()
    assert not proposal.possible and proposal.proposed == proposal.current == SHIPPED
    assert proposal.why == "few_posts" and proposal.reason is not None
    assert f"at least {MIN_HOOK_POSTS} posted hooks" in proposal.reason
    assert "there are 12, so 8 more" in proposal.reason
    with pytest.raises(InvalidStateError, match="nothing to apply"):
        feedback.apply("tester")
    assert feedback.history() == []


def test_no_effect_proposes_nothing(db: Database) -> None:
    plant_posts(db, posts=32, lift=0.0, seed=5)
    proposal = _feedback(db).propose()
    assert not proposal.possible
    assert proposal.reason is not None and "no component has a credible effect" in proposal.reason


def test_young_videos_are_left_out_and_counted(db: Database) -> None:
    plant_posts(db, posts=24)
    # posts go out daily at 18:00 from 1 October; at noon on 25 October the posts of the
    # 22nd, 23rd and 24th are not 72 h old yet
    early = HookFeedback(db, clock=lambda: NOW.replace(month=10, day=25, hour=12))
    items, info = early.evidence()
    assert info.videos == 24 and info.young == 3 and info.used == 21 == len(items)


def test_apply_is_refused_when_the_evidence_changed(db: Database) -> None:
    plant_posts(db, posts=32)
    feedback = _feedback(db)
    seen = dict(feedback.propose().proposed)
    seen["numbers"] += 1.0
    seen["timing"] -= 1.0
    with pytest.raises(InvalidStateError, match="evidence changed"):
        feedback.apply("tester", expected=seen)


def test_reset_goes_back_to_the_shipped_weights_and_keeps_the_history(db: Database) -> None:
    plant_posts(db, posts=32)
    feedback = _feedback(db)
    with pytest.raises(InvalidStateError, match="already the shipped"):
        feedback.reset("tester")
    applied = feedback.apply("first")
    reset = feedback.reset("second")
    assert reset.from_weights == applied.to_weights and reset.to_weights == SHIPPED
    assert feedback.show().source == "shipped" and feedback.weights() == SHIPPED
    assert feedback.library().scoring.weights == SHIPPED
    assert [(c.action, c.applied_by) for c in feedback.history()] == [
        ("reset", "second"),
        ("apply", "first"),
    ]
