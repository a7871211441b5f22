"""Scheduling posts (ADR 0026): one render (or library video) to one or several accounts at
once, each at a time in the account's own time zone or at the platform's "best time", fitted
into the account's queue so the platform's daily caps and a minimum gap are respected, with
the post text tailored per platform (the optimisation profile of ``pipeline/optimise.py``).

The "best time" is a documented default until the analytics issue measures it per account:
:data:`BEST_HOURS` (local hours commonly reported by scheduling tools for short video); the
daily caps (:data:`DAILY_CAPS`) are the platforms' published API limits or, for YouTube, what
the default quota allows (10,000 units a day at 1,600 per upload: 6).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from video_orchestrator.domain.script import Script
from video_orchestrator.errors import InputError, NotFoundError, VoError
from video_orchestrator.pipeline.optimise import post_metadata
from video_orchestrator.platforms import get_preset, load_presets
from video_orchestrator.services.accounts import AccountOut, AccountService
from video_orchestrator.services.assets import AssetService
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.posts import NewPost, PostOut, PostService, Privacy, marker_for
from video_orchestrator.services.projects import ProjectService
from video_orchestrator.services.publishers import PRESET_OF
from video_orchestrator.store import FileStorage

#: Local hours a post goes out at when "best time" is asked (until analytics measures it).
BEST_HOURS: dict[str, tuple[int, ...]] = {
    "youtube": (12, 15, 19),
    "tiktok": (9, 12, 19),
    "instagram": (11, 13, 19),
    "facebook": (9, 13, 15),
}
#: Posts per account in any 24 hours (YouTube: the default quota; the others: their API caps,
#: Instagram's lowest tier — it is read again at run time by its publisher).
DAILY_CAPS: dict[str, int] = {"youtube": 6, "tiktok": 15, "instagram": 25, "facebook": 30}
#: The least time between two posts of one account.
MIN_GAP = timedelta(minutes=10)
DAY = timedelta(hours=24)


class PostText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=10_000)
    hashtags: list[str] | None = Field(None, max_length=60)


class ScheduleIn(BaseModel):
    """Post a render's video (``job_id``) or a library video (``asset_id``) to accounts.
    ``at`` with a zone is that instant; without one it is read in each account's time zone;
    neither (and ``best_time``) picks the platform's next best hour; neither at all: now."""

    model_config = ConfigDict(extra="forbid")

    job_id: str | None = Field(None, max_length=64)
    asset_id: str | None = Field(None, max_length=64)
    accounts: list[str] = Field(min_length=1, max_length=16)
    at: datetime | None = None
    best_time: bool = False
    privacy: Privacy = "private"
    made_with_ai: bool = True
    text: PostText = Field(default_factory=PostText)
    per_platform: dict[str, PostText] = Field(default_factory=dict)
    options: dict[str, str | int | bool] = Field(default_factory=dict)
    draft: bool = False


def best_time(platform: str, timezone: str, now: datetime) -> datetime:
    """The next of the platform's best local hours at least ten minutes from ``now``."""
    zone = ZoneInfo(timezone)
    local = (now + timedelta(minutes=10)).astimezone(zone)
    hours = BEST_HOURS.get(platform, (12,))
    for days in range(0, 3):
        day = (local + timedelta(days=days)).date()
        for hour in hours:
            candidate = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
            if candidate >= local:
                return candidate.astimezone(now.tzinfo)
    raise AssertionError("unreachable: a best hour is always within three days")


def fit_slot(
    wanted: datetime,
    taken: Sequence[datetime],
    *,
    cap: int,
    gap: timedelta = MIN_GAP,
    horizon: timedelta = timedelta(days=30),
) -> datetime:
    """The first time from ``wanted`` at least ``gap`` from every taken time and with fewer
    than ``cap`` taken times in the 24 hours before it and in the 24 hours after it."""
    times = sorted(taken)
    at = wanted
    while at < wanted + horizon:
        near = [t for t in times if abs(t - at) < gap]
        if near:
            at = max(near) + gap
            continue
        before = [t for t in times if at - DAY < t <= at]
        if len(before) >= cap:
            at = before[len(before) - cap] + DAY
            continue
        after = [t for t in times if at <= t < at + DAY]
        if len(after) >= cap:
            at = after[-1] + gap
            continue
        return at
    raise InputError(
        f"no free slot within {horizon.days} days: the account's queue is full; cancel or "
        "move some posts"
    )


def local_time(at: datetime, timezone: str) -> datetime:
    """``at`` as an instant: a time without a zone is read in ``timezone``."""
    return at if at.tzinfo is not None else at.replace(tzinfo=ZoneInfo(timezone))


class Scheduler:
    def __init__(
        self,
        posts: PostService,
        accounts: AccountService,
        jobs: JobService,
        projects: ProjectService,
        files: FileStorage,
        assets: AssetService,
    ) -> None:
        self.assets = assets
        self.posts = posts
        self.accounts = accounts
        self.jobs = jobs
        self.projects = projects
        self.files = files

    def schedule(
        self, request: ScheduleIn, *, idempotency: tuple[str, str] | None = None
    ) -> list[PostOut]:
        """One post per account. With ``idempotency`` (client, key), the same request again
        returns the same posts."""
        if (request.job_id is None) == (request.asset_id is None):
            raise InputError("name the video to post: a render's job_id or an asset_id")
        video_key, size, cover_key, base, project_id = self._video(request)
        now = self.posts.clock()
        accounts = [self.accounts.find(name) for name in request.accounts]
        if len({a.id for a in accounts}) != len(accounts):
            raise InputError("an account is named twice")
        # Every account's words and time first: a request that cannot be met for one account
        # creates no post for any.
        plans = [
            (
                account,
                self._text(account.platform, base, project_id, request),
                self._time(account, request, now),
            )
            for account in accounts
        ]
        made: list[PostOut] = []
        for account, text, at in plans:
            marker = marker_for(*idempotency, account.id) if idempotency else None
            made.append(
                self.posts.create(
                    NewPost(
                        account_id=account.id,
                        video_key=video_key,
                        size=size,
                        title=text.title or "Untitled",
                        description=text.description or "",
                        hashtags=text.hashtags or [],
                        privacy=request.privacy,
                        made_with_ai=request.made_with_ai,
                        cover_key=cover_key,
                        options=request.options,
                        job_id=request.job_id,
                        at=at,
                        draft=request.draft,
                    ),
                    marker=marker,
                )
            )
        return made

    def _time(self, account: AccountOut, request: ScheduleIn, now: datetime) -> datetime:
        if request.at is not None:
            wanted = local_time(request.at, account.timezone)
        elif request.best_time:
            wanted = best_time(account.platform, account.timezone, now)
        else:
            wanted = now
        if wanted < now - timedelta(minutes=1):
            raise InputError(f"{wanted.isoformat()} is in the past; pick a later time")
        taken = [
            p.scheduled_at
            for p in self.posts.list(account_id=account.id, start=wanted - DAY, limit=10_000)
            if p.scheduled_at is not None and p.state not in ("cancelled", "failed", "draft")
        ]
        return fit_slot(max(wanted, now), taken, cap=DAILY_CAPS.get(account.platform, 25))

    def _video(self, request: ScheduleIn) -> tuple[str, int, str | None, PostText, str | None]:
        """The video's storage key and size, a cover, the render's own text, its project."""
        if request.asset_id is not None:
            asset, key = self.assets.get_with_key(request.asset_id)
            if asset.kind != "video":
                raise InputError(f"the asset {asset.id} is a {asset.kind}, not a video")
            title = Path(asset.filename).stem.replace("_", " ").replace("-", " ").strip()
            return key, asset.size, None, PostText(title=title or None), None
        job = self.jobs.get(request.job_id or "")
        if job.status != "succeeded":
            raise InputError(
                f"the render {job.id} is {job.status}: only a finished one can be posted"
            )
        info, key = self.jobs.output(job.id, "video")
        cover = None
        with contextlib.suppress(NotFoundError):
            cover = self.jobs.output(job.id, "thumbnail")[1]
        base = PostText()
        try:
            _, meta_key = self.jobs.output(job.id, "metadata")
            with self.files.open(meta_key) as handle:
                meta = json.loads(handle.read().decode("utf-8"))
            base = PostText(
                title=str(meta.get("title") or "") or None,
                description=str(meta.get("description") or ""),
                hashtags=[str(h) for h in meta.get("hashtags") or []],
            )
        except (NotFoundError, ValueError, OSError):
            pass
        return key, info.size, cover, base, job.project_id

    def _text(
        self, platform: str, base: PostText, project_id: str | None, request: ScheduleIn
    ) -> PostText:
        script = None
        if project_id is not None:
            with contextlib.suppress(VoError):
                script = self.projects.get(project_id).script
        return tailored_text(platform, script, base, request)


def tailored_text(
    platform: str, script: Script | None, base: PostText, request: ScheduleIn
) -> PostText:
    """The post's words on ``platform``: the user's for this platform, else the user's for
    all, else the project's script fitted to the platform's profile (title cut to its
    limit, description fitted to its caption limit), else the render's metadata."""
    fitted = base
    if script is not None:
        meta = post_metadata(script, get_preset(PRESET_OF[platform], load_presets()))
        fitted = PostText(
            title=meta.title or script.title,
            description=meta.description,
            hashtags=meta.hashtags,
        )
    mine = request.per_platform.get(platform, PostText())

    def pick(field: str) -> Any:
        for source in (mine, request.text, fitted):
            value = getattr(source, field)
            if value is not None:
                return value
        return None

    return PostText(title=pick("title"), description=pick("description"), hashtags=pick("hashtags"))
