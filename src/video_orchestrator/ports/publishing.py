"""Publishing port: a video posted to one platform account, one protocol step at a time,
resumable, and never twice.

Adapters (one per platform: ``providers/youtube``, ``providers/tiktok``,
``providers/instagram``, ``providers/facebook``) register under the entry-point group
``ports.PUBLISHER_ENTRY_POINTS`` and subclass ``ports.provider.Provider`` like every adapter
(ADR 0012). Each is two things:

- a :class:`Connector`: the platform's OAuth 2 (authorisation URL with PKCE, code exchange,
  refresh, revoke) and who the token belongs to (:class:`AccountIdentity`);
- a :class:`Publisher`: the platform's upload protocol cut into steps.

How a post moves (the caller is ``services``; it owns the state machine in the database):

1. The caller loads the post's last :class:`Checkpoint` (``Checkpoint.start()`` for a new
   post) and calls :meth:`Publisher.step`. The adapter does ONE step of the protocol (open
   an upload session, send one chunk, finish, publish, poll the status once) and returns a
   :class:`StepResult` holding the next checkpoint. The caller commits that checkpoint to
   the database *before* it calls ``step`` again, so a crash loses at most one step.
2. A step whose outcome is unknown (a timeout or a dropped connection after the request was
   sent, a crash in the middle of a step) raises :class:`OutcomeUnknown` — or, after a
   crash, is simply not known to have finished. The caller then marks the post "unknown" and
   the next attempt calls :meth:`Publisher.reconcile` first: the adapter asks the platform
   what happened (YouTube: ``PUT`` with ``Content-Range: bytes */SIZE`` on the session, or
   the channel's recent uploads searched for the post's marker; TikTok:
   ``status/fetch``; Instagram: the container's ``status_code`` and the account's recent
   media; Facebook: the video's status) and returns the checkpoint that matches the
   platform's truth. Only then is a step retried. Anything that *creates* a post sends
   ``PostContent.marker`` (an idempotency key) where the platform can carry it, so
   reconciling can recognise its own post.
3. ``StepResult.state`` tells the caller where the post is: still ``uploading`` or
   ``processing`` (call ``step`` again, after ``wait_seconds``), ``published`` (with its
   URL and remote id), ``failed`` (the platform refused; ``message`` is the platform's own
   words), or ``needs_attention`` (a person must act: re-connect the account, accept a
   consent, wait for a daily cap; ``message`` says what).

Tokens: a publisher never stores a token. It is handed a :class:`TokenSource` and calls
``current()`` for each request; on a 401 it calls ``refresh()`` once and repeats the
request (the caller's token source refreshes through the :class:`Connector` and stores the
new token encrypted).

Errors are those of :mod:`video_orchestrator.errors` (``ProviderAuthError`` when a refresh
does not help, ``ProviderRateLimited`` with the platform's advice, ``ProviderUnavailable``,
``ProviderError``) plus :class:`OutcomeUnknown` (defined there, re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from video_orchestrator.errors import OutcomeUnknown
from video_orchestrator.ports.provider import ProviderKind

__all__ = [
    "AccountHealth",
    "AccountIdentity",
    "Checkpoint",
    "Connector",
    "OutcomeUnknown",
    "PostContent",
    "PostState",
    "Publisher",
    "StepResult",
    "TokenSet",
    "TokenSource",
]

PlatformName = Literal["youtube", "tiktok", "instagram", "facebook"]
PostState = Literal["uploading", "processing", "published", "failed", "needs_attention"]
Privacy = Literal["public", "unlisted", "private", "followers", "friends"]


@dataclass(frozen=True, slots=True)
class TokenSet:
    """What a token endpoint returned. ``expires_at`` is absolute (UTC); ``scopes`` as
    granted, which may be fewer than asked for."""

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountIdentity:
    """Who a token belongs to: the platform's id (channel id, TikTok ``open_id``, Instagram
    user id, Facebook Page id) and the name a person recognises (channel title, TikTok
    nickname shown as the protocol requires, @username, Page name)."""

    remote_id: str
    name: str
    avatar_url: str | None = None


@dataclass(frozen=True, slots=True)
class AccountHealth:
    """An account's state as the platform reports it now: whether the token works, the
    scopes it has, what is left of the platform's quotas (``quota_left`` by name, e.g.
    ``{"youtube_units": 8400}`` or ``{"instagram_posts_24h": 47}``) and platform facts the
    posting form must honour (TikTok ``creator_info``: privacy options, max duration,
    whether comments/duet/stitch are disabled), each as text."""

    token_valid: bool
    scopes: tuple[str, ...] = ()
    quota_left: Mapping[str, int] = field(default_factory=dict)
    facts: Mapping[str, str] = field(default_factory=dict)
    problem: str | None = None


@runtime_checkable
class TokenSource(Protocol):
    """The account's token for a publisher's requests, refreshed by the caller."""

    def current(self) -> str:
        """The access token to send now (refreshed first when it expires within a minute)."""
        ...

    def refresh(self) -> str:
        """A new access token after the platform answered 401; raises ``ProviderAuthError``
        when the account must be connected again."""
        ...


@dataclass(frozen=True, slots=True)
class PostContent:
    """What is posted: the file and its words, as tailored for this platform.

    ``marker`` is the post's idempotency key (stable across attempts); adapters send it where
    the platform carries one and use it to recognise the post when reconciling.
    ``publish_at`` asks the platform to publish later (YouTube ``publishAt`` with private
    status) where it can; otherwise the caller's schedule decides when ``step`` starts.
    ``options`` are the platform's own switches, by the platform's names (TikTok
    ``disable_comment``, ``brand_content_toggle`` …); ``made_with_ai`` maps to the
    platform's disclosure (``is_aigc``, ``containsSyntheticMedia``)."""

    video: Path
    size: int
    title: str
    description: str
    marker: str
    hashtags: tuple[str, ...] = ()
    privacy: Privacy = "private"
    cover: Path | None = None
    publish_at: datetime | None = None
    made_with_ai: bool = True
    duration_seconds: float | None = None
    options: Mapping[str, str | int | bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Where a post is in the platform's protocol, as data the caller stores as JSON.

    ``stage`` is the adapter's own name for the next thing to do (``"start"`` for a new post);
    ``remote`` holds the ids and URLs the platform gave (upload URL, video id, publish id,
    container id); ``confirmed_bytes`` is how much of the file the platform has confirmed
    (the next chunk starts there)."""

    stage: str
    remote: Mapping[str, str] = field(default_factory=dict)
    confirmed_bytes: int = 0

    @staticmethod
    def start() -> Checkpoint:
        return Checkpoint("start")

    def moved(self, stage: str, *, confirmed_bytes: int | None = None, **remote: str) -> Checkpoint:
        """This checkpoint at ``stage``, with ``remote`` ids added."""
        return replace(
            self,
            stage=stage,
            remote={**self.remote, **remote},
            confirmed_bytes=self.confirmed_bytes if confirmed_bytes is None else confirmed_bytes,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "remote": dict(self.remote),
            "confirmed_bytes": self.confirmed_bytes,
        }

    @staticmethod
    def from_json(data: Mapping[str, object]) -> Checkpoint:
        remote = data.get("remote") or {}
        confirmed = data.get("confirmed_bytes") or 0
        return Checkpoint(
            stage=str(data.get("stage") or "start"),
            remote={str(k): str(v) for k, v in dict(remote).items()}
            if isinstance(remote, Mapping)
            else {},
            confirmed_bytes=int(confirmed) if isinstance(confirmed, int | str) else 0,
        )


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one step did: the checkpoint to store, where the post is, how long to wait
    before the next step (a status poll), the platform's own words for a failure or a
    needed action, and the published post's URL and id."""

    checkpoint: Checkpoint
    state: PostState
    wait_seconds: float = 0.0
    message: str | None = None
    url: str | None = None
    remote_id: str | None = None


@runtime_checkable
class Connector(Protocol):
    """A platform's OAuth 2 and account identity."""

    name: str
    platform: PlatformName
    kind: ProviderKind
    configured: bool
    #: The scopes asked for when connecting.
    scopes: tuple[str, ...]

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        """Where the user's browser goes to grant access (PKCE S256 where supported)."""
        ...

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str) -> TokenSet:
        """The tokens for an authorisation code."""
        ...

    def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens (a platform may rotate the refresh token too)."""
        ...

    def revoke(self, token: str) -> None:
        """Give the access back (idempotent: an already revoked token is not an error)."""
        ...

    def identity(self, tokens: TokenSource) -> AccountIdentity:
        """The account the token belongs to."""
        ...


@runtime_checkable
class Publisher(Protocol):
    """A platform's upload protocol, one step per call (see the module's docstring)."""

    name: str
    platform: PlatformName
    kind: ProviderKind
    configured: bool

    def health(self, tokens: TokenSource) -> AccountHealth:
        """The account's state now (token, scopes, quotas, posting facts)."""
        ...

    def step(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        """Do the next step from ``at``; raises :class:`OutcomeUnknown` when the request may
        have taken effect but its answer was lost."""
        ...

    def reconcile(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        """After an unknown outcome: ask the platform what is true and return the checkpoint
        that matches it (never creates anything)."""
        ...
