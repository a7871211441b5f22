"""Posts: one video to one connected account, as a durable state machine (ADR 0026).

::

    draft ─► scheduled ─► uploading ─► processing ─► published
                 │            │             │
                 └────────────┴─────────────┴──► failed (the platform's words)
                                                 needs_attention (what to do next)
    (cancelled: by the user, before anything reached the platform)

:meth:`PostService.step_once` does ONE protocol step of the platform's publisher
(``ports.publishing``) and stores its checkpoint before the next one, so a crash loses at
most one step. Never twice:

- before the call, the step's name is written to ``in_flight`` (committed); after it, the
  result replaces it. A post found with ``in_flight`` set whose lease ran out (its worker
  died mid-step) — or marked ``unknown`` (the publisher raised ``OutcomeUnknown``) — is
  **reconciled** first: the publisher asks the platform what is true (never creating
  anything) and only then is a step retried;
- the claim and the result are conditional on the row's ``version``: a worker whose claim
  was taken over writes nothing;
- every post carries a ``marker`` (its idempotency key, sent to the platform); a create
  sent twice with the same idempotency key returns the first post.

Waits are data, not sleeps: a rate limit, a daily cap, a status poll or a transient failure
sets ``not_before``; the caller (a task job, the schedule ticker, a test's clock) comes back
then.
"""

from __future__ import annotations

import builtins
import hashlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from video_orchestrator.errors import (
    InputError,
    InvalidStateError,
    NotFoundError,
    OutcomeUnknown,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
    VoError,
)
from video_orchestrator.ports.publishing import Checkpoint, PostContent, StepResult
from video_orchestrator.services.accounts import AccountService
from video_orchestrator.services.projects import new_id
from video_orchestrator.store import Database
from video_orchestrator.store.tables import Post, PostEvent, utcnow

PostStateName = Literal[
    "draft",
    "scheduled",
    "uploading",
    "processing",
    "published",
    "failed",
    "needs_attention",
    "cancelled",
]
Privacy = Literal["public", "unlisted", "private", "followers", "friends"]
#: States in which the post moves by itself.
ACTIVE = ("scheduled", "uploading", "processing")
FINAL = ("published", "failed", "needs_attention", "cancelled")
Clock = Callable[[], datetime]
Step = Literal["more", "waiting", "busy", "done"]


class NewPost(BaseModel):
    """What one post is made of (the file is a storage key, resolved on the worker)."""

    account_id: str = Field(min_length=1, max_length=64)
    video_key: str = Field(min_length=1)
    size: int = Field(gt=0)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=10_000)
    hashtags: list[str] = Field(default_factory=list, max_length=60)
    privacy: Privacy = "private"
    made_with_ai: bool = True
    cover_key: str | None = None
    duration_seconds: float | None = None
    options: dict[str, str | int | bool] = Field(default_factory=dict)
    job_id: str | None = None
    at: datetime | None = None  # None: now
    draft: bool = False


class PostOut(BaseModel):
    id: str
    account_id: str
    platform: str
    marker: str
    job_id: str | None
    title: str
    description: str
    hashtags: list[str]
    privacy: str
    made_with_ai: bool
    state: str
    scheduled_at: datetime | None
    not_before: datetime | None
    stage: str
    confirmed_bytes: int
    size: int
    in_flight: str | None
    unknown: bool
    remote_id: str | None
    url: str | None
    message: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class EventOut(BaseModel):
    at: datetime
    step: str
    outcome: str
    detail: str


def _out(row: Post) -> PostOut:
    checkpoint = Checkpoint.from_json(row.checkpoint or {})
    return PostOut(
        id=row.id,
        account_id=row.account_id,
        platform=row.platform,
        marker=row.marker,
        job_id=row.job_id,
        title=row.title,
        description=row.description,
        hashtags=[str(h) for h in row.hashtags or []],
        privacy=row.privacy,
        made_with_ai=row.made_with_ai,
        state=row.state,
        scheduled_at=row.scheduled_at,
        not_before=row.not_before,
        stage=checkpoint.stage,
        confirmed_bytes=checkpoint.confirmed_bytes,
        size=row.size,
        in_flight=row.in_flight,
        unknown=row.unknown,
        remote_id=row.remote_id,
        url=row.url,
        message=row.message,
        attempts=row.attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
    )


def marker_for(client: str, key: str, account_id: str) -> str:
    """The marker of a post created with an idempotency key: the same request for the same
    account always names the same post."""
    return hashlib.sha256(f"{client}\n{key}\n{account_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class _Claim:
    post_id: str
    version: int
    step: str
    reconcile: bool


class PostService:
    def __init__(
        self,
        db: Database,
        accounts: AccountService,
        resolve: Callable[[str], Path],
        *,
        clock: Clock = utcnow,
        lease: timedelta = timedelta(minutes=5),
        max_transient: int = 8,
    ) -> None:
        """``resolve`` turns a stored file's key into a local path (the file storage).
        ``lease``: how long a step may be in flight before its worker is taken for dead
        (longer than any request's timeout)."""
        self.db = db
        self.accounts = accounts
        self.resolve = resolve
        self.clock = clock
        self.lease = lease
        self.max_transient = max_transient

    # ------------------------------------------------------------------ records

    def create(self, new: NewPost, *, marker: str | None = None) -> PostOut:
        """A post (scheduled at ``new.at``, or now; a draft when asked). With a ``marker``
        already used, the post it made is returned and nothing is created."""
        account = self.accounts.get(new.account_id)
        marker = marker or uuid.uuid4().hex
        existing = self._by_marker(marker)
        if existing is not None:
            return existing
        now = self.clock()
        at = new.at or now
        if at.tzinfo is None:
            raise InputError("a post's time needs a time zone (or use the account's)")
        row = Post(
            id=new_id(),
            account_id=account.id,
            platform=account.platform,
            marker=marker,
            job_id=new.job_id,
            video_key=new.video_key,
            cover_key=new.cover_key,
            size=new.size,
            duration_seconds=new.duration_seconds,
            title=new.title,
            description=new.description,
            hashtags=list(new.hashtags),
            privacy=new.privacy,
            made_with_ai=new.made_with_ai,
            options=dict(new.options),
            state="draft" if new.draft else "scheduled",
            scheduled_at=at,
            not_before=at,
            checkpoint=Checkpoint.start().to_json(),
            unknown=False,
            attempts=0,
            version=1,
            created_at=now,
            updated_at=now,
        )
        try:
            with self.db.session() as session:
                session.add(row)
                session.add(
                    PostEvent(
                        post_id=row.id,
                        at=now,
                        step="create",
                        outcome=row.state,
                        detail=f"for {at.isoformat()}",
                    )
                )
                session.flush()
                return _out(row)
        except IntegrityError:
            twin = self._by_marker(marker)  # the same request, sent twice at once
            if twin is None:
                raise
            return twin

    def _by_marker(self, marker: str) -> PostOut | None:
        with self.db.session() as session:
            row = session.scalars(select(Post).where(Post.marker == marker)).one_or_none()
            return None if row is None else _out(row)

    def get(self, post_id: str) -> PostOut:
        with self.db.session() as session:
            return _out(self._row(session, post_id))

    @staticmethod
    def _row(session: Any, post_id: str) -> Post:
        row = session.get(Post, post_id)
        if row is None:
            raise NotFoundError(f"no post {post_id!r} (see vo posts list)")
        assert isinstance(row, Post)
        return row

    def list(
        self,
        *,
        state: str | None = None,
        account_id: str | None = None,
        platform: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = 200,
    ) -> list[PostOut]:
        """Posts by scheduled time (a calendar's range: ``start`` ≤ time < ``end``)."""
        query = select(Post).order_by(Post.scheduled_at, Post.created_at).limit(limit)
        if state is not None:
            query = query.where(Post.state == state)
        if account_id is not None:
            query = query.where(Post.account_id == account_id)
        if platform is not None:
            query = query.where(Post.platform == platform)
        if start is not None:
            query = query.where(Post.scheduled_at >= start)
        if end is not None:
            query = query.where(Post.scheduled_at < end)
        with self.db.session() as session:
            return [_out(row) for row in session.scalars(query).all()]

    def events(self, post_id: str) -> builtins.list[EventOut]:
        with self.db.session() as session:
            self._row(session, post_id)
            rows = session.scalars(
                select(PostEvent).where(PostEvent.post_id == post_id).order_by(PostEvent.id)
            ).all()
            return [
                EventOut(at=r.at, step=r.step, outcome=r.outcome, detail=r.detail) for r in rows
            ]

    def due(self, now: datetime | None = None, limit: int = 100) -> builtins.list[str]:
        """Posts that can move now (active, their time come, no step of a live worker in
        flight)."""
        now = now or self.clock()
        with self.db.session() as session:
            rows = session.scalars(
                select(Post)
                .where(
                    Post.state.in_(ACTIVE), (Post.not_before.is_(None)) | (Post.not_before <= now)
                )
                .order_by(Post.not_before)
                .limit(limit)
            ).all()
            return [r.id for r in rows if r.in_flight is None or r.updated_at <= now - self.lease]

    # ------------------------------------------------------------------ the user's actions

    def _change(self, post_id: str, allowed: tuple[str, ...], verb: str, **values: Any) -> PostOut:
        now = self.clock()
        with self.db.session() as session:
            row = self._row(session, post_id)
            if row.state not in allowed or row.in_flight is not None:
                doing = f"a step is being sent ({row.in_flight})" if row.in_flight else row.state
                raise InvalidStateError(f"the post {post_id} cannot be {verb}: it is {doing}")
            for name, value in values.items():
                setattr(row, name, value)
            row.version += 1
            row.updated_at = now
            session.add(PostEvent(post_id=row.id, at=now, step=verb, outcome=row.state, detail=""))
            session.flush()
            return _out(row)

    def cancel(self, post_id: str) -> PostOut:
        """Cancel a post nothing of which is on the platform yet (a draft, or scheduled and
        not started)."""
        post = self.get(post_id)
        if post.state == "scheduled" and (post.stage != "start" or post.unknown):
            raise InvalidStateError(
                f"the post {post_id} has started uploading; let it finish, then delete the "
                "video on the platform"
            )
        return self._change(post_id, ("draft", "scheduled"), "cancelled", state="cancelled")

    def reschedule(self, post_id: str, at: datetime) -> PostOut:
        if at.tzinfo is None:
            raise InputError("a post's time needs a time zone")
        post = self.get(post_id)
        if post.stage != "start" or post.unknown:
            raise InvalidStateError(f"the post {post_id} has started uploading: it cannot move")
        return self._change(
            post_id,
            ("draft", "scheduled"),
            "rescheduled",
            state="scheduled",
            scheduled_at=at,
            not_before=at,
        )

    def publish_now(self, post_id: str) -> PostOut:
        now = self.clock()
        return self._change(
            post_id,
            ("draft", "scheduled"),
            "published now",
            state="scheduled",
            scheduled_at=now,
            not_before=now,
        )

    def retry(self, post_id: str) -> PostOut:
        """Try a failed or stuck post again, from where it stopped (after reconciling, when
        its last step's outcome is unknown)."""
        now = self.clock()
        return self._change(
            post_id,
            ("failed", "needs_attention"),
            "retried",
            state="scheduled",
            not_before=now,
            attempts=0,
            message=None,
        )

    # ------------------------------------------------------------------ moving

    def advance(
        self, post_id: str, *, stop: threading.Event | None = None, max_steps: int = 500
    ) -> PostOut:
        """Step the post until it waits, ends, or another worker holds it."""
        for _ in range(max_steps):
            if stop is not None and stop.is_set():
                break
            if self.step_once(post_id) != "more":
                break
        return self.get(post_id)

    def step_once(self, post_id: str) -> Step:
        """One protocol step (or one reconciliation) of the post, recorded."""
        claimed = self._claim(post_id)
        if isinstance(claimed, str):
            return claimed
        claim, content, at, account_id, platform, attempts = claimed
        try:
            tokens = self.accounts.tokens_for(account_id, platform)
            publisher = self.accounts.adapter(platform)
            if claim.reconcile:
                result = publisher.reconcile(tokens, content, at)
            else:
                result = publisher.step(tokens, content, at)
        except OutcomeUnknown as exc:
            return self._transient(claim, attempts, str(exc), unknown=True)
        except ProviderRateLimited as exc:
            wait = exc.retry_after if exc.retry_after is not None else 60.0
            self._settle(
                claim,
                "rate_limited",
                str(exc),
                unknown=claim.reconcile,
                not_before=self.clock() + timedelta(seconds=wait),
                message=str(exc),
            )
            return "waiting"
        except ProviderAuthError as exc:
            self._settle(
                claim,
                "needs_attention",
                str(exc),
                unknown=claim.reconcile,
                state="needs_attention",
                message=f"{exc}; then retry the post",
            )
            return "done"
        except ProviderUnavailable as exc:
            return self._transient(claim, attempts, str(exc), unknown=claim.reconcile)
        except ProviderError as exc:
            if claim.reconcile:  # we do not know what is true: a person must look
                self._settle(
                    claim,
                    "needs_attention",
                    str(exc),
                    unknown=True,
                    state="needs_attention",
                    message=f"could not check the post with the platform ({exc}); "
                    "retry it once the platform answers",
                )
            else:
                self._settle(
                    claim, "failed", str(exc), unknown=False, state="failed", message=str(exc)
                )
            return "done"
        except VoError as exc:  # a missing file, an account no longer connected …
            self._settle(
                claim,
                "needs_attention",
                str(exc),
                unknown=claim.reconcile,
                state="needs_attention",
                message=str(exc),
            )
            return "done"
        return self._result(claim, result)

    def _claim(self, post_id: str) -> tuple[_Claim, PostContent, Checkpoint, str, str, int] | Step:
        """Take the post for one step: ``in_flight`` written (and committed) before anything
        is sent, conditional on the version read."""
        now = self.clock()
        with self.db.session() as session:
            row = self._row(session, post_id)
            if row.state not in ACTIVE:
                return "done"
            if row.not_before is not None and row.not_before > now:
                return "waiting"
            if row.in_flight is not None and row.updated_at > now - self.lease:
                return "busy"
            reconcile = row.unknown or row.in_flight is not None
            at = Checkpoint.from_json(row.checkpoint or {})
            step = "reconcile" if reconcile else at.stage
            content = PostContent(
                video=self.resolve(row.video_key),
                size=row.size,
                title=row.title,
                description=row.description,
                marker=row.marker,
                hashtags=tuple(str(h) for h in row.hashtags or []),
                privacy=cast(Privacy, row.privacy),
                cover=self.resolve(row.cover_key) if row.cover_key else None,
                made_with_ai=row.made_with_ai,
                duration_seconds=row.duration_seconds,
                options=dict(row.options or {}),
            )
            account_id, platform, attempts = row.account_id, row.platform, row.attempts
            version = row.version
            if row.in_flight is not None:
                session.add(
                    PostEvent(
                        post_id=post_id,
                        at=now,
                        step=row.in_flight,
                        outcome="interrupted",
                        detail="the worker stopped during this step",
                    )
                )
            moved = session.execute(
                update(Post)
                .where(Post.id == post_id, Post.version == version)
                .values(
                    in_flight=step,
                    unknown=reconcile,
                    state="uploading" if row.state == "scheduled" else row.state,
                    version=version + 1,
                    updated_at=now,
                )
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                return "busy"
        claim = _Claim(post_id, version + 1, step, reconcile)
        return claim, content, at, account_id, platform, attempts

    def _settle(
        self, claim: _Claim, outcome: str, detail: str, *, unknown: bool, **values: Any
    ) -> bool:
        now = self.clock()
        with self.db.session() as session:
            moved = session.execute(
                update(Post)
                .where(Post.id == claim.post_id, Post.version == claim.version)
                .values(
                    in_flight=None,
                    unknown=unknown,
                    version=claim.version + 1,
                    updated_at=now,
                    **values,
                )
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                return False  # taken over: this worker's result is not the truth any more
            session.add(
                PostEvent(
                    post_id=claim.post_id,
                    at=now,
                    step=claim.step,
                    outcome=outcome,
                    detail=detail[:2000],
                )
            )
        return True

    def _transient(self, claim: _Claim, attempts: int, detail: str, *, unknown: bool) -> Step:
        attempts += 1
        if attempts >= self.max_transient:
            self._settle(
                claim,
                "needs_attention",
                detail,
                unknown=unknown,
                state="needs_attention",
                attempts=attempts,
                message=f"the platform kept failing ({detail}); retry the post later",
            )
            return "done"
        wait = min(2.0 ** (attempts - 1), 300.0)
        self._settle(
            claim,
            "unknown" if unknown else "unavailable",
            detail,
            unknown=unknown,
            attempts=attempts,
            not_before=self.clock() + timedelta(seconds=wait),
        )
        return "waiting"

    def _result(self, claim: _Claim, result: StepResult) -> Step:
        now = self.clock()
        values: dict[str, Any] = {
            "checkpoint": result.checkpoint.to_json(),
            "state": result.state,
            "attempts": 0,
            "not_before": now + timedelta(seconds=result.wait_seconds)
            if result.wait_seconds > 0
            else None,
        }
        if result.remote_id:
            values["remote_id"] = result.remote_id
        if result.url:
            values["url"] = result.url
        if result.message or result.state in FINAL:
            values["message"] = result.message
        if result.state == "published":
            values["published_at"] = now
        detail = (
            result.message
            or f"stage {result.checkpoint.stage}, "
            f"{result.checkpoint.confirmed_bytes} bytes confirmed"
        )
        if not self._settle(claim, result.state, detail, unknown=False, **values):
            return "busy"
        if result.state in FINAL:
            return "done"
        return "waiting" if result.wait_seconds > 0 else "more"
