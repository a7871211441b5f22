"""Use case: the hook score's weights learn from the workspace's own posted hooks (ADR 0044).

- **Evidence** comes from stored data only: every imported or pulled video linked to a project
  (``metric_videos.project_id``) whose project has a script with a hook. The hook is scored
  with the *shipped* rules, so each component's share (0–1 of its points) does not depend on
  the weights in use; the outcome is the log of the video's views at 72 h after its post day
  (``experiment_runs.metric_at_age``: the day rows of the whole age, else a period row within
  it). Young videos and videos without rows there are left out and counted.
- **Proposal**: ``analytics.feedback.propose_hook_weights`` (least squares, |t| ≥ 2, at most
  5 points a step, rescaled to 100), or the reason there is none (fewer than 20 posted
  hooks with results, no credible component). A proposal changes nothing.
- **Apply** computes the proposal again (refusing when it differs from the one the caller
  saw) and stores the change: from → to, the evidence, when, by whom. **Reset** stores a
  change back to the shipped weights. The newest change's weights are the weights in use;
  :meth:`HookFeedback.library` gives the hook library with them, which the hook generator
  receives as a dependency.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from video_orchestrator.analytics.feedback import (
    MAX_STEP,
    MIN_HOOK_POSTS,
    MIN_T,
    HookEvidence,
    WeightProposal,
    propose_hook_weights,
)
from video_orchestrator.domain.script import Script
from video_orchestrator.errors import InputError, InvalidStateError
from video_orchestrator.pipeline.hooks import (
    COMPONENTS,
    HookLibrary,
    bundled_library,
    hook_context,
    score_hook,
)
from video_orchestrator.platforms import PlatformPreset, get_preset
from video_orchestrator.services.experiment_runs import metric_at_age
from video_orchestrator.store import Database
from video_orchestrator.store.tables import (
    HookWeightChange,
    MetricValue,
    MetricVideo,
    Project,
    utcnow,
)

#: The post age the outcome is read at, and its length in days.
OUTCOME_AGE = "72h"
OUTCOME_DAYS = 3
OUTCOME = "log views at 72 h"
#: What each component rewards, in words ("hooks with a number …").
COMPONENT_WORDS: dict[str, str] = {
    "timing": "said within the hook window",
    "curiosity": "an open loop",
    "specificity": "concrete words",
    "numbers": "a number",
    "you": "the viewer addressed as you",
    "length": "a length in the sweet spot",
}
HISTORY_LIMIT = 50


class WeightsOut(BaseModel):
    weights: dict[str, float] = Field(description="the weights the hook scorer uses")
    shipped: dict[str, float] = Field(description="the weights the product ships with")
    source: str = Field(description="learned (an applied proposal) or shipped")
    changed_at: datetime | None
    applied_by: str | None


class ComponentOut(BaseModel):
    component: str
    current: float
    proposed: float
    delta: float = Field(description="proposed − current, in points of 100")
    effect: float = Field(description="change of the outcome from none to all of its points")
    views_change: float = Field(description="the effect as a share of views (e^effect − 1)")
    interval: tuple[float, float] = Field(description="90 % confidence interval of the effect")
    t: float
    credible: bool = Field(description="|t| ≥ the threshold: this component moved")
    reason: str
    words: str = Field(description="the change and its evidence in plain words")


class EvidenceOut(BaseModel):
    videos: int = Field(description="linked videos whose project has a hook")
    used: int = Field(description="of them, measured at the post age")
    young: int = Field(description="not that old yet")
    unmeasured: int = Field(description="no metric rows covering the post age")
    outcome: str
    age: str
    newest_post: datetime | None = Field(description="when the newest measured hook was posted")
    new_since_applied: int | None = Field(
        None, description="measured hooks posted after the newest one of the last applied change"
    )


class ProposalOut(BaseModel):
    possible: bool = Field(description="a change is proposed (false: the reason says why not)")
    reason: str | None
    why: str | None = Field(description="few_posts, no_effect or same_evidence (no proposal)")
    summary: str
    current: dict[str, float]
    proposed: dict[str, float]
    posts: int
    min_posts: int
    min_t: float
    max_step: float
    changes: list[ComponentOut]
    evidence: EvidenceOut


class ChangeOut(BaseModel):
    id: int
    action: str = Field(description="apply or reset")
    from_weights: dict[str, float]
    to_weights: dict[str, float]
    evidence: dict[str, Any]
    applied_by: str
    applied_at: datetime


class HookFeedback:
    """The workspace's hook-score weights: in use, proposed from its results, their history."""

    def __init__(
        self,
        db: Database,
        *,
        shipped: Callable[[], HookLibrary] = bundled_library,
        preset: Callable[[str], PlatformPreset] = get_preset,
        clock: Callable[[], datetime] = utcnow,
        min_posts: int = MIN_HOOK_POSTS,
    ) -> None:
        self.db = db
        self.shipped = shipped
        self.preset = preset
        self.clock = clock
        self.min_posts = min_posts

    # -- the weights in use ----------------------------------------------------------------

    def shipped_weights(self) -> dict[str, float]:
        return {name: float(self.shipped().scoring.weight(name)) for name in COMPONENTS}

    def show(self) -> WeightsOut:
        with self.db.session() as session:
            last = _newest(session)
            if last is None or last.action == "reset":
                return WeightsOut(
                    weights=self.shipped_weights(),
                    shipped=self.shipped_weights(),
                    source="shipped",
                    changed_at=last.applied_at if last else None,
                    applied_by=last.applied_by if last else None,
                )
            return WeightsOut(
                weights=_floats(last.to_weights),
                shipped=self.shipped_weights(),
                source="learned",
                changed_at=last.applied_at,
                applied_by=last.applied_by,
            )

    def weights(self) -> dict[str, float]:
        return self.show().weights

    def library(self) -> HookLibrary:
        """The hook library with the weights in use (the shipped library when they are the
        shipped ones): what the hook generator is given."""
        shipped = self.shipped()
        current = self.show()
        if current.source == "shipped":
            return shipped
        scoring = shipped.scoring.model_copy(update={"weights": dict(current.weights)})
        return shipped.model_copy(update={"scoring": scoring})

    # -- evidence and proposal -------------------------------------------------------------

    def evidence(self) -> tuple[list[HookEvidence], EvidenceOut]:
        """Each measured posted hook's component shares and outcome, and the counts."""
        library = self.shipped()
        now = self.clock()
        items: list[HookEvidence] = []
        counts = {"videos": 0, "young": 0, "unmeasured": 0}
        posted: list[datetime] = []
        with self.db.session() as session:
            videos = session.scalars(
                select(MetricVideo)
                .where(MetricVideo.project_id.is_not(None))
                .order_by(MetricVideo.id)
            ).all()
            for video in videos:
                project = session.get(Project, video.project_id)
                if project is None or not project.script or not project.script.get("hook"):
                    continue
                counts["videos"] += 1
                rows = session.scalars(
                    select(MetricValue).where(MetricValue.video_id == video.id)
                ).all()
                point = metric_at_age(video, rows, OUTCOME_DAYS, now, "views")
                if point == "young":
                    counts["young"] += 1
                    continue
                if point is None:
                    counts["unmeasured"] += 1
                    continue
                shares = self._shares(project, video.platform, library)
                if shares is None:
                    counts["unmeasured"] += 1
                    continue
                items.append(HookEvidence(shares, math.log1p(max(point[0], 0.0))))
                posted.append(_posted_at(video, rows))
        info = EvidenceOut(
            videos=counts["videos"],
            used=len(items),
            young=counts["young"],
            unmeasured=counts["unmeasured"],
            outcome=OUTCOME,
            age=OUTCOME_AGE,
            newest_post=max(posted) if posted else None,
        )
        last = self._last_applied()
        if last is not None:
            since = last.evidence.get("newest_post")
            cut = datetime.fromisoformat(since) if isinstance(since, str) else None
            info.new_since_applied = sum(1 for p in posted if cut is None or p > cut)
        return items, info

    def _last_applied(self) -> ChangeOut | None:
        """The newest change, when it is an applied proposal (its evidence was used)."""
        history = self.history(1)
        return history[0] if history and history[0].action == "apply" else None

    def _shares(
        self, project: Project, platform: str, library: HookLibrary
    ) -> dict[str, float] | None:
        try:
            script = Script.model_validate(project.script)
        except ValueError:
            return None
        names = [platform, *(str(p) for p in project.platforms or []), "tiktok"]
        preset = None
        for name in names:
            try:
                preset = self.preset(name)
                break
            except InputError:
                continue
        if preset is None:
            return None
        context = hook_context(
            script.topic, script, preset, language=project.language, library=library
        )
        scored = score_hook(script.hook, "posted", context, library=library, source="script")
        return {
            part.name: min(1.0, max(0.0, part.points / part.max_points))
            if part.max_points > 0
            else 0.0
            for part in scored.components
        }

    def propose(self) -> ProposalOut:
        """What the evidence says about the weights in use; nothing is changed."""
        current = self.weights()
        items, info = self.evidence()
        proposal = propose_hook_weights(current, items, min_posts=self.min_posts)
        out = _proposal_out(proposal, info, self.min_posts)
        if out.possible and info.new_since_applied == 0:
            # the same posts again would move the weights a second step on the same evidence
            out.possible = False
            out.why = "same_evidence"
            out.proposed = dict(out.current)
            out.reason = (
                "no change: no hook was posted after the ones the weights last learned from "
                f"({info.used} posted hooks, the same evidence); new posts are needed"
            )
        return out

    def apply(self, applied_by: str, *, expected: Mapping[str, float] | None = None) -> ChangeOut:
        """Store the proposal as the weights in use. ``expected``: the proposed weights the
        caller saw; refused when the evidence now proposes others."""
        proposal = self.propose()
        if not proposal.possible:
            raise InvalidStateError(f"nothing to apply: {proposal.reason}")
        if expected is not None and any(
            abs(float(expected.get(k, math.nan)) - v) > 0.05 for k, v in proposal.proposed.items()
        ):
            raise InvalidStateError(
                "the evidence changed since that proposal was made: look at the new proposal "
                "and apply it again"
            )
        evidence = {
            "posts": proposal.posts,
            "outcome": OUTCOME,
            "age": OUTCOME_AGE,
            "summary": proposal.summary,
            "newest_post": (
                proposal.evidence.newest_post.isoformat()
                if proposal.evidence.newest_post is not None
                else None
            ),
            "components": [
                {
                    "component": c.component,
                    "effect": c.effect,
                    "t": c.t,
                    "views_change": c.views_change,
                    "reason": c.reason,
                }
                for c in proposal.changes
            ],
        }
        return self._store("apply", proposal.current, proposal.proposed, evidence, applied_by)

    def reset(self, applied_by: str) -> ChangeOut:
        """Back to the shipped weights (stored as a change, so the history keeps it)."""
        current = self.show()
        if current.source == "shipped":
            raise InvalidStateError("the hook weights are already the shipped ones")
        return self._store("reset", current.weights, self.shipped_weights(), {}, applied_by)

    def history(self, limit: int = HISTORY_LIMIT) -> list[ChangeOut]:
        """The changes, newest first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(HookWeightChange)
                .order_by(HookWeightChange.applied_at.desc(), HookWeightChange.id.desc())
                .limit(max(1, min(limit, 500)))
            ).all()
            return [_change_out(row) for row in rows]

    def _store(
        self,
        action: str,
        before: Mapping[str, float],
        after: Mapping[str, float],
        evidence: dict[str, Any],
        applied_by: str,
    ) -> ChangeOut:
        with self.db.session() as session:
            row = HookWeightChange(
                action=action,
                from_weights=dict(before),
                to_weights=dict(after),
                evidence=evidence,
                applied_by=applied_by.strip()[:200] or "unknown",
                applied_at=self.clock(),
            )
            session.add(row)
            session.flush()
            return _change_out(row)


# --------------------------------------------------------------------------- helpers


def workspace_library(db: Database | None) -> HookLibrary:
    """The hook library with the workspace's weights, for a command that only reads them
    (``vo hooks``, ``vo optimise``): the shipped library when there is no database, which
    this does not create (``AppContext.existing_db``)."""
    return bundled_library() if db is None else HookFeedback(db).library()


def _newest(session: Any) -> HookWeightChange | None:
    row: HookWeightChange | None = session.scalars(
        select(HookWeightChange)
        .order_by(HookWeightChange.applied_at.desc(), HookWeightChange.id.desc())
        .limit(1)
    ).first()
    return row


def _posted_at(video: MetricVideo, rows: Sequence[MetricValue]) -> datetime:
    """When the video was posted: its publish time, else the start of its first row."""
    if video.published_at is not None:
        return video.published_at
    first = min(r.period_start for r in rows)
    return datetime(first.year, first.month, first.day, tzinfo=UTC)


def _floats(weights: Mapping[str, Any]) -> dict[str, float]:
    return {name: float(weights[name]) for name in COMPONENTS if name in weights}


def _change_out(row: HookWeightChange) -> ChangeOut:
    return ChangeOut(
        id=row.id,
        action=row.action,
        from_weights=_floats(row.from_weights),
        to_weights=_floats(row.to_weights),
        evidence=dict(row.evidence or {}),
        applied_by=row.applied_by,
        applied_at=row.applied_at,
    )


def component_words(component: str, delta: float, views_change: float, posts: int, t: float) -> str:
    """ "a number in the hook: +4 points — hooks with a number got 31 % more views at 72 h
    over 26 posts, t = 2.6" """
    what = COMPONENT_WORDS.get(component, component)
    more = "more" if views_change >= 0 else "fewer"
    return (
        f"{component} ({what}): {delta:+.1f} points — hooks with {what} got "
        f"{abs(views_change) * 100:.0f} % {more} views at 72 h over {posts} posts, t = {t:.1f}"
    )


def _proposal_out(proposal: WeightProposal, info: EvidenceOut, min_posts: int) -> ProposalOut:
    changes: list[ComponentOut] = []
    for change in proposal.changes:
        delta = round(change.proposed - change.current, 1)
        views_change = math.expm1(max(min(change.effect, 50.0), -50.0))
        credible = abs(change.t) >= MIN_T
        changes.append(
            ComponentOut(
                component=change.component,
                current=change.current,
                proposed=change.proposed,
                delta=delta,
                effect=change.effect,
                views_change=views_change,
                interval=(_finite(change.interval[0]), _finite(change.interval[1])),
                t=_finite(change.t),
                credible=credible,
                reason=change.reason,
                words=(
                    component_words(change.component, delta, views_change, proposal.posts, change.t)
                    if credible
                    else f"{change.component}: {delta:+.1f} points ({change.reason})"
                ),
            )
        )
    possible = any(abs(c.delta) >= 0.05 for c in changes)
    return ProposalOut(
        possible=possible,
        reason=None if possible else proposal.summary,
        why=None if possible else "few_posts" if proposal.posts < min_posts else "no_effect",
        summary=proposal.summary,
        current=dict(proposal.current),
        proposed=dict(proposal.proposed),
        posts=proposal.posts,
        min_posts=min_posts,
        min_t=MIN_T,
        max_step=MAX_STEP,
        changes=changes,
        evidence=info,
    )


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0


__all__ = [
    "COMPONENT_WORDS",
    "OUTCOME",
    "OUTCOME_AGE",
    "ChangeOut",
    "ComponentOut",
    "EvidenceOut",
    "HookFeedback",
    "ProposalOut",
    "WeightsOut",
    "component_words",
]
