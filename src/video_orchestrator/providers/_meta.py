"""What the Instagram and Facebook adapters share: Meta's Graph API (settings, error bodies,
Facebook Login) and its resumable upload host.

* Every Graph error answers ``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}``; :func:`refusal` maps it: code 190 (an expired or invalid token) is
  refreshed once by :class:`~video_orchestrator.providers._publishing.PlatformHTTP`, then
  :class:`ProviderAuthError`; codes 4, 17, 32, 613 and HTTP 429 are rate limits; code 9 with
  subcode 2207042 (Instagram) or the Page's Reels limit (Facebook) is the 24-hour cap, a
  ``needs_attention``; codes 1 and 2 are the platform's own transient failures
  (:class:`OutcomeUnknown` for a write); anything else refuses the post (``failed``) in
  Meta's words.
* Facebook Login (``/dialog/oauth`` with PKCE, ``/oauth/access_token`` for the code and
  for ``fb_exchange_token``): a long-lived user token lasts about 60 days and is "refreshed"
  by exchanging it, while it is still valid, for a new one; Meta has no refresh token.
* The upload host (``rupload.facebook.com``) takes ``POST`` with ``Authorization: OAuth``,
  ``offset`` and ``file_size`` headers and the bytes from ``offset``; an interrupted upload
  resumes from the offset the platform reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self

import httpx

from video_orchestrator.errors import (
    ConfigError,
    OutcomeUnknown,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.publishing import (
    Checkpoint,
    PostContent,
    StepResult,
    TokenSet,
    TokenSource,
)
from video_orchestrator.providers import transport
from video_orchestrator.providers._publishing import (
    Platform,
    PlatformHTTP,
    consent_url,
    json_of,
    poll_later,
    read_range,
)

MIB = 1024 * 1024
RATE_CODES = frozenset({4, 17, 32, 613, 80001, 80002})
TRANSIENT_CODES = frozenset({1, 2})
AUTH_CODES = frozenset({102, 190})


class MetaSettings(ProviderSettings):
    """``VO_META_*``: the Meta app (Facebook Login) shared by Instagram and Facebook, the
    hosts and Graph API version, the upload piece size and the status poll interval."""

    required: ClassVar[str] = "VO_META_APP_ID and VO_META_APP_SECRET"

    meta_app_id: str | None = None
    meta_app_secret: str | None = None
    meta_graph_url: str = "https://graph.facebook.com"
    meta_upload_url: str = "https://rupload.facebook.com"
    meta_dialog_url: str = "https://www.facebook.com"
    meta_api_version: str = "v21.0"
    meta_upload_chunk_bytes: int = 8 * MIB
    meta_poll_seconds: float = 5.0
    facebook_page_id: str | None = None
    publish_timeout: float = 120.0
    publish_max_retries: int = 2


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of a Graph answer (``{}`` when there is none)."""
    error = json_of(response).get("error")
    return error if isinstance(error, dict) else {}


def words(response: httpx.Response) -> str:
    error = error_of(response)
    if not error:
        debug = json_of(response).get("debug_info")
        if isinstance(debug, dict) and debug.get("message"):
            return str(debug["message"])
        return transport.response_detail(response) or f"HTTP {response.status_code}"
    parts = [f"code {error.get('code')}"]
    if error.get("error_subcode"):
        parts.append(f"subcode {error['error_subcode']}")
    if error.get("fbtrace_id"):
        parts.append(f"fbtrace_id {error['fbtrace_id']}")
    message = error.get("error_user_msg") or error.get("message") or "no message"
    return f"{message} ({', '.join(parts)})"


def token_refused(response: httpx.Response) -> bool:
    """Graph's expired or invalid token (code 190 or 102): refreshed once, then an error."""
    return error_of(response).get("code") in AUTH_CODES


def platform(label: str) -> Platform:
    return Platform(
        label=label,
        authorize=lambda token: {"Authorization": f"OAuth {token}"},
        auth_failed=token_refused,
        words=words,
    )


def refusal(
    http: PlatformHTTP,
    response: httpx.Response,
    at: Checkpoint,
    *,
    write: bool,
    cap: Callable[[dict[str, Any]], str | None] = lambda _: None,
) -> StepResult | None:
    """None for a success; else the post's state after Meta's refusal (``failed``, or
    ``needs_attention`` when ``cap`` recognises a limit a person must wait out), or the
    error to raise (see the module docstring)."""
    error = error_of(response)
    if response.status_code < 400 and not error:
        return None
    label = http.platform.label
    said = http.redacted(response)
    raise_refused(label, said, response, granting="the publishing permissions")
    waited = cap(error)
    if waited is not None:
        return StepResult(at, "needs_attention", message=f"{waited} ({label}: {said})")
    if transient(response):
        if write:
            raise OutcomeUnknown(
                f"{label} failed while acting ({said}); it is asked what "
                "happened before anything is retried."
            )
        raise ProviderUnavailable(f"{label} failed ({said}); try again later.")
    return StepResult(at, "failed", message=f"{label} refused the post ({said}).")


def raise_refused(label: str, said: str, response: httpx.Response, *, granting: str) -> None:
    """Raise the error of a Graph answer that refuses the account's access (reconnect,
    ``granting`` the permissions named) or rate limits it; return for any other answer.
    ``said`` is Meta's words for it, without tokens."""
    code = error_of(response).get("code")
    if code in AUTH_CODES or code == 10 or (isinstance(code, int) and 200 <= code < 300):
        raise ProviderAuthError(
            f"{label} refused the account's access ({said}); connect the account again, "
            f"granting {granting}."
        )
    if response.status_code == 429 or code in RATE_CODES:
        raise ProviderRateLimited(
            f"{label} is rate limiting this app or account ({said}); try again later.",
            retry_after=transport.advised_wait(response),
        )


def transient(response: httpx.Response) -> bool:
    """The platform's own passing failure (5xx, codes 1 and 2, ``is_transient``)."""
    error = error_of(response)
    return (
        response.status_code >= 500
        or error.get("code") in TRANSIENT_CODES
        or bool(error.get("is_transient"))
    )


def upload_piece(
    http: PlatformHTTP,
    tokens: TokenSource,
    url: str,
    content: PostContent,
    offset: int,
    piece: int,
) -> httpx.Response:
    """Send the bytes from ``offset`` (at most ``piece`` of them) to the upload host."""
    size = content.video.stat().st_size
    return http.write(
        tokens,
        "POST",
        url,
        content=read_range(content.video, offset, min(piece, size - offset)),
        headers={
            "offset": str(offset),
            "file_size": str(size),
            "Content-Type": "application/octet-stream",
        },
    )


def account_only(at: Checkpoint) -> dict[str, str]:
    """The account (``account_id``) of a checkpoint, without the ids of an upload."""
    return {k: v for k, v in at.remote.items() if k == "account_id"}


class MetaPublisher(Provider[MetaSettings]):
    """What the Instagram and Facebook publishers share: built from the Meta settings, one
    :class:`PlatformHTTP` for the platform, a Graph reader on it, and the resumable upload
    step of the upload host (a piece per step)."""

    settings_model = MetaSettings
    label: ClassVar[str] = "Meta"

    @classmethod
    def from_settings(cls, settings: MetaSettings) -> Self | None:
        if not (settings.meta_app_id and settings.meta_app_secret):
            return None
        return cls(
            graph_url=settings.meta_graph_url,
            upload_url=settings.meta_upload_url,
            api_version=settings.meta_api_version,
            piece_bytes=settings.meta_upload_chunk_bytes,
            poll_seconds=settings.meta_poll_seconds,
            timeout=settings.publish_timeout,
            max_retries=settings.publish_max_retries,
        )

    def __init__(
        self,
        *,
        graph_url: str = "https://graph.facebook.com",
        upload_url: str = "https://rupload.facebook.com",
        api_version: str = "v21.0",
        piece_bytes: int = 8 * MIB,
        poll_seconds: float = 5.0,
        timeout: float = 120.0,
        max_retries: int = 2,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._graph = f"{graph_url.rstrip('/')}/{api_version}"
        self._upload = f"{upload_url.rstrip('/')}/ig-api-upload/{api_version}"
        self._piece = max(1, piece_bytes)
        self._poll = poll_seconds
        self._http = PlatformHTTP(
            platform(self.label),
            client=client,
            timeout=timeout,
            max_retries=max_retries,
            sleep=sleep,
        )
        self._reader = MetaConnector(
            app_id=None,
            app_secret=None,
            graph_url=graph_url,
            api_version=api_version,
            client=self._http.client,
        )
        self._reader.http = self._http

    def __repr__(self) -> str:
        return f"{type(self).__name__}(graph={self._graph!r})"

    def _status(
        self,
        tokens: TokenSource,
        content: PostContent,
        at: Checkpoint,
        *,
        reconciling: bool = False,
    ) -> StepResult:
        """Where the platform says the post stands (each platform reads its own status)."""
        raise NotImplementedError

    def _upload_piece(
        self, tokens: TokenSource, content: PostContent, at: Checkpoint
    ) -> StepResult | int:
        """Send the next piece: the bytes now confirmed, or the post's state when the
        platform refused the piece or (a 4xx from the upload host) stands elsewhere."""
        size = content.video.stat().st_size
        response = upload_piece(
            self._http, tokens, at.remote["upload_url"], content, at.confirmed_bytes, self._piece
        )
        if 400 <= response.status_code < 500:
            # the upload host disagrees about the offset: ask the platform where it stands
            told = self._status(tokens, content, at, reconciling=True)
            if told.checkpoint.confirmed_bytes != at.confirmed_bytes or told.state != "uploading":
                return told
        failed = refusal(self._http, response, at, write=True)
        if failed is not None:
            return failed
        return min(size, at.confirmed_bytes + self._piece)

    def _poll_later(self, at: Checkpoint, size: int) -> StepResult:
        return poll_later(at, size, self._poll)


class MetaConnector(Provider[MetaSettings]):
    """Facebook Login (OAuth 2 with PKCE) for one Meta app; the platform's adapters say
    which scopes they ask for and whose account a token is."""

    settings_model = MetaSettings
    scopes: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: MetaSettings) -> Self | None:
        if not (settings.meta_app_id and settings.meta_app_secret):
            return None
        return cls(
            app_id=settings.meta_app_id,
            app_secret=settings.meta_app_secret,
            graph_url=settings.meta_graph_url,
            dialog_url=settings.meta_dialog_url,
            api_version=settings.meta_api_version,
            page_id=settings.facebook_page_id,
            timeout=settings.publish_timeout,
        )

    def __init__(
        self,
        *,
        app_id: str | None,
        app_secret: str | None,
        graph_url: str = "https://graph.facebook.com",
        dialog_url: str = "https://www.facebook.com",
        api_version: str = "v21.0",
        page_id: str | None = None,
        timeout: float = 60.0,
        client: httpx.Client | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.configured = bool(app_id and app_secret)
        self._app_id = app_id or ""
        self._secret = app_secret or ""
        self.graph = f"{graph_url.rstrip('/')}/{api_version}"
        self._dialog = f"{dialog_url.rstrip('/')}/{api_version}/dialog/oauth"
        self.page_id = page_id
        self._now = now
        self.http = PlatformHTTP(platform(self.label), client=client, timeout=timeout, sleep=sleep)

    label = "Meta"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(graph={self.graph!r})"

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        self._need_app()
        return consent_url(
            self._dialog,
            {"client_id": self._app_id},
            ",".join(self.scopes),
            state=state,
            code_challenge=code_challenge,
            redirect_uri=redirect_uri,
        )

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str) -> TokenSet:
        short = self._token(
            {"code": code, "redirect_uri": redirect_uri, "code_verifier": code_verifier},
            secret=code,
        )
        return self.long_lived(short.access_token)

    def refresh(self, refresh_token: str) -> TokenSet:
        return self.long_lived(refresh_token)

    def long_lived(self, token: str) -> TokenSet:
        """A long-lived user token for a valid user token (``fb_exchange_token``)."""
        return self._token(
            {"grant_type": "fb_exchange_token", "fb_exchange_token": token}, secret=token
        )

    def revoke(self, token: str) -> None:
        self._need_app()
        response = self.http.plain(
            "DELETE",
            f"{self.graph}/me/permissions",
            write=False,
            headers={"Authorization": f"OAuth {token}"},
        )
        if response.status_code < 400 or error_of(response).get("code") in AUTH_CODES:
            return  # revoked now, or the token no longer works: nothing left to give back
        raise transport.status_error(
            response.status_code,
            f"{self.label} did not revoke the access "
            f"({transport.redact(words(response), (token,))}).",
        )

    def _need_app(self) -> None:
        if not self.configured:
            raise ConfigError(
                f"{self.label} is not configured: set VO_META_APP_ID and VO_META_APP_SECRET "
                "(the Meta app's id and secret from developers.facebook.com)."
            )

    def _token(self, params: dict[str, str], *, secret: str) -> TokenSet:
        self._need_app()
        response = self.http.plain(
            "GET",
            f"{self.graph}/oauth/access_token",
            write=False,
            params={"client_id": self._app_id, "client_secret": self._secret, **params},
        )
        body = json_of(response)
        if response.status_code >= 400 or not body.get("access_token"):
            said = transport.redact(words(response), (secret, self._secret))
            if response.status_code >= 500 or error_of(response).get("code") in TRANSIENT_CODES:
                raise ProviderUnavailable(f"{self.label} failed to issue a token ({said}).")
            raise ProviderAuthError(
                f"{self.label} refused the authorisation ({said}); connect the account again."
            )
        expires = body.get("expires_in")
        return TokenSet(
            access_token=str(body["access_token"]),
            refresh_token=str(body["access_token"]),
            expires_at=self._now() + timedelta(seconds=int(expires))
            if isinstance(expires, int)
            else None,
            scopes=self.scopes,
        )

    def get(self, tokens: TokenSource, path: str, **params: str) -> dict[str, Any]:
        """A Graph read, its JSON; a refusal raised in the platform's words."""
        response = self.http.read(tokens, "GET", f"{self.graph}/{path}", params=params)
        failed = refusal(self.http, response, Checkpoint.start(), write=False)
        if failed is not None:
            raise ProviderError(failed.message or f"{self.label} refused the request")
        return json_of(response)
