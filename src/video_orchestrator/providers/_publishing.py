"""What the publishing adapters (TikTok, Instagram, Facebook) share: one authorised request
over the one transport, with the never-twice rules of ``ports.publishing``.

* A **read** (a status poll, ``creator_info``, a quota) is retried on 5xx with backoff and a
  lost answer is :class:`ProviderUnavailable`: asking again changes nothing.
* A **write** (``video/init``, a chunk, ``media_publish``, ``upload_phase=finish``) is sent
  once. When its answer is lost after the request may have reached the platform (a timeout,
  a connection dropped while sending or before the answer, a 5xx that may come from a proxy
  behind which the platform acted) it raises :class:`OutcomeUnknown`: the caller reconciles
  before anything is sent again. Only a refused connection (nothing was sent) is
  :class:`ProviderUnavailable`.
* An answer the platform marks as an expired or invalid token (``auth_failed``) makes the
  request be sent once more with ``tokens.refresh()``; a second refusal is
  :class:`ProviderAuthError` in the platform's own words.

The platform's own words for an error come from ``words(response)`` (each adapter knows
its error body); tokens are kept out of every message.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx

from video_orchestrator.errors import (
    NotFoundError,
    OutcomeUnknown,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
)
from video_orchestrator.ports.publishing import (
    AccountHealth,
    AccountIdentity,
    Checkpoint,
    Connector,
    PostContent,
    Publisher,
    StepResult,
    TokenSet,
    TokenSource,
)
from video_orchestrator.providers import transport

#: Statuses a read is retried on.
READ_RETRY = frozenset({500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Platform:
    """How one platform is spoken to: its name in messages, how a token is sent, how an
    answer says the token is no good, and where its own words for an error are."""

    label: str
    authorize: Callable[[str], Mapping[str, str]]
    auth_failed: Callable[[httpx.Response], bool]
    words: Callable[[httpx.Response], str]


class PlatformHTTP:
    """Authorised requests to one platform (see the module docstring)."""

    def __init__(
        self,
        platform: Platform,
        *,
        client: httpx.Client | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.platform = platform
        self.client = client or httpx.Client(timeout=timeout)
        self.timeout = timeout
        self.max_retries = max_retries
        self.sleep = sleep
        #: the account tokens this instance sent lately, kept out of every message
        self.sent: deque[str] = deque(maxlen=4)

    def read(self, tokens: TokenSource, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A request that changes nothing (retried on 5xx)."""
        return self._authorised(tokens, method, url, write=False, **kwargs)

    def write(self, tokens: TokenSource, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """A request that may create or change something (sent once; see the docstring)."""
        return self._authorised(tokens, method, url, write=True, **kwargs)

    def plain(self, method: str, url: str, *, write: bool, **kwargs: Any) -> httpx.Response:
        """A request without the account's token (OAuth endpoints authenticate the app)."""
        return self._send(method, url, write=write, secrets=(), **kwargs)

    def _authorised(
        self, tokens: TokenSource, method: str, url: str, *, write: bool, **kwargs: Any
    ) -> httpx.Response:
        extra = dict(kwargs.pop("headers", None) or {})
        token = tokens.current()
        self.sent.append(token)
        response = self._send(
            method,
            url,
            write=write,
            secrets=(token,),
            headers={**extra, **self.platform.authorize(token)},
            **kwargs,
        )
        if not self.platform.auth_failed(response):
            return response
        fresh = tokens.refresh()
        self.sent.append(fresh)
        response = self._send(
            method,
            url,
            write=write,
            secrets=(token, fresh),
            headers={**extra, **self.platform.authorize(fresh)},
            **kwargs,
        )
        if self.platform.auth_failed(response):
            raise ProviderAuthError(
                f"{self.platform.label} refused the account's token even after a refresh "
                f"({self.redacted(response, (token, fresh))}); connect the account again."
            )
        return response

    def _send(
        self, method: str, url: str, *, write: bool, secrets: tuple[str, ...], **kwargs: Any
    ) -> httpx.Response:
        label = self.platform.label

        def unreachable(exc: httpx.TransportError) -> ProviderError:
            if not write or isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                return ProviderUnavailable(
                    f"could not reach {label} at {transport.origin(url)} "
                    f"({type(exc).__name__}); try again later."
                )
            return OutcomeUnknown(
                f"the connection to {label} broke before it answered ({type(exc).__name__}); "
                "it may have acted on the request, so it is asked before anything is retried."
            )

        response = transport.send(
            self.client,
            method,
            url,
            retry=transport.RetryPolicy(
                max_retries=0 if write else self.max_retries,
                base_delay=1.0,
                max_delay=math.inf,
                statuses=READ_RETRY,
                give_up_over=transport.MAX_RETRY_AFTER,
            ),
            label=label,
            sleep=self.sleep,
            on_timeout=unreachable,
            on_unreachable=unreachable,
            **kwargs,
        )
        if write and response.status_code >= 500:
            raise OutcomeUnknown(
                f"{label} answered HTTP {response.status_code} "
                f"({self.redacted(response, secrets)}); it may have acted on the request, so it "
                "is asked before anything is retried."
            )
        return response

    def redacted(self, response: httpx.Response, secrets: tuple[str, ...] = ()) -> str:
        """The platform's words for an answer, one line, without any token sent."""
        return transport.redact(self.platform.words(response), (*secrets, *self.sent), limit=300)


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of an answer (``{}`` when it is not one)."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


def read_range(path: Path, start: int, length: int) -> bytes:
    """``length`` bytes of ``path`` from ``start`` (the file is never read whole)."""
    with path.open("rb") as handle:
        handle.seek(start)
        return handle.read(length)


def need_file(content: PostContent) -> None:
    """The post's video must still be there (it is read a piece per step)."""
    if not content.video.is_file():
        raise NotFoundError(
            f"the video {content.video.name} of this post is no longer in the storage; "
            "render it again, then retry the post."
        )


def public_only(content: PostContent, at: Checkpoint, where: str) -> StepResult | None:
    """``needs_attention`` unless the post is public: ``where`` (Reels of an Instagram
    professional account, of a Facebook Page) has no other audience, and a video the user
    meant to keep private is never published publicly."""
    if content.privacy == "public":
        return None
    return StepResult(
        at,
        "needs_attention",
        message=(
            f"{where} are seen by everyone; this post is marked {content.privacy}: choose "
            "public to publish it here."
        ),
    )


def poll_later(at: Checkpoint, size: int, seconds: float) -> StepResult:
    """All ``size`` bytes are with the platform: ask for the post's status in ``seconds``."""
    return StepResult(at.moved("status", confirmed_bytes=size), "processing", wait_seconds=seconds)


#: One protocol step of a publisher: ``(tokens, content, checkpoint) → result``.
StepFn = Callable[[TokenSource, PostContent, Checkpoint], StepResult]


class Staged:
    """A publisher whose :meth:`step` runs the step its checkpoint's ``stage`` names
    (``_steps``), once the post's video is known to be there."""

    label: ClassVar[str]

    def _steps(self) -> Mapping[str, StepFn]:
        raise NotImplementedError

    def step(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        need_file(content)
        run = self._steps().get(at.stage)
        if run is None:
            raise ProviderError(f"{self.label} publishing has no step {at.stage!r}")
        return run(tokens, content, at)


def consent_url(
    page: str,
    client: Mapping[str, str],
    scope: str,
    *,
    state: str,
    code_challenge: str,
    redirect_uri: str,
    **extra: str,
) -> str:
    """The platform's consent page for OAuth 2's authorisation code with PKCE (S256): the
    app as the platform names it (``client_id``, TikTok's ``client_key``), the scopes joined
    as the platform wants them, and the platform's ``extra`` parameters."""
    query = {
        **client,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": scope,
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    return f"{page}?{urlencode(query)}"


def caption(title: str, description: str, hashtags: tuple[str, ...]) -> str:
    """One caption: the title, the description, then the hashtags (each once, with ``#``)."""
    tags: list[str] = []
    for tag in hashtags:
        word = "#" + tag.strip().lstrip("#")
        if word != "#" and word.lower() not in {t.lower() for t in tags}:
            tags.append(word)
    parts = [p.strip() for p in (title, description) if p and p.strip()]
    if tags:
        parts.append(" ".join(tags))
    return "\n\n".join(parts)


class Delegating:
    """One platform's adapter as the registry builds it (ADR 0027): its :class:`Connector`
    and its :class:`Publisher` behind one object, each method passed to the one that does
    it. Subclasses set ``connector`` and ``publisher`` in ``__init__``."""

    connector: Connector
    publisher: Publisher

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        return self.connector.authorization_url(
            state=state, code_challenge=code_challenge, redirect_uri=redirect_uri
        )

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str) -> TokenSet:
        return self.connector.exchange(
            code=code, code_verifier=code_verifier, redirect_uri=redirect_uri
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        return self.connector.refresh(refresh_token)

    def revoke(self, token: str) -> None:
        self.connector.revoke(token)

    def identity(self, tokens: TokenSource) -> AccountIdentity:
        return self.connector.identity(tokens)

    def health(self, tokens: TokenSource) -> AccountHealth:
        return self.publisher.health(tokens)

    def step(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        return self.publisher.step(tokens, content, at)

    def reconcile(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        return self.publisher.reconcile(tokens, content, at)
