"""YouTube as a ``ports.publishing`` Connector and Publisher (ADR 0026).

The documented protocols (YouTube Data API v3, Google OAuth 2 for installed and web apps):

* OAuth: the browser goes to ``{accounts}/o/oauth2/v2/auth`` (``response_type=code``,
  ``code_challenge_method=S256``, ``access_type=offline`` and ``prompt=consent`` so a
  refresh token comes back); the code is exchanged at ``{oauth}/token``
  (``grant_type=authorization_code`` with the ``code_verifier``), refreshed there
  (``grant_type=refresh_token``; Google does not rotate it), revoked at ``{oauth}/revoke``
  (400 ``invalid_token`` for a token already revoked: not an error here).
* Upload (resumable): ``POST {api}/upload/youtube/v3/videos?uploadType=resumable&part=
  snippet,status`` with the video resource and ``X-Upload-Content-Length``/``-Type`` → 200
  and the session URI in ``Location`` (no video exists yet). ``PUT`` the bytes to it in
  chunks that are multiples of 262,144 bytes (the last may be shorter) with ``Content-Range:
  bytes a-b/TOTAL`` → ``308 Resume Incomplete`` with ``Range: bytes=0-N`` (the next chunk
  starts at N+1; no ``Range``: nothing stored) or, for the last byte, 200/201 with the
  video resource. ``PUT`` with ``Content-Range: bytes */TOTAL`` and no body asks where the
  session is (308 + Range, or 200/201 when the upload completed); 404/410: the session
  expired. 5xx: ask the session, then resume.
* Errors: ``{"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}``;
  403 ``quotaExceeded`` (the project's 10,000 daily units are used: an upload costs 1,600;
  they come back at midnight Pacific time), 400 ``uploadLimitExceeded`` (the channel's daily
  uploads), 403 ``rateLimitExceeded``/``userRateLimitExceeded`` or 429 (slow down), 401
  (refresh the token once, then repeat).
* ``thumbnails.set``: ``POST {api}/upload/youtube/v3/thumbnails/set?videoId=`` with the
  picture's bytes (50 units); ``videos.list?part=status,processingDetails&id=`` (1 unit) for
  the processing status; ``channels.list?mine=true`` for who the token belongs to and the
  uploads playlist; ``playlistItems.list`` of that playlist for the recent uploads.

The post's marker is sent as a video **tag** ``vo-<marker>``: tags are returned to the
channel's owner by ``videos.list?part=snippet`` and are not shown to viewers, so a
reconciling client can recognise its own upload without writing anything a viewer reads.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx

from video_orchestrator.errors import (
    ConfigError,
    OutcomeUnknown,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.provider import Provider, ProviderKind, ProviderSettings
from video_orchestrator.ports.publishing import (
    AccountHealth,
    AccountIdentity,
    Checkpoint,
    PlatformName,
    PostContent,
    StepResult,
    TokenSet,
    TokenSource,
)
from video_orchestrator.providers import transport
from video_orchestrator.providers._publishing import consent_url

#: A resumable upload's chunks are multiples of this (the last one excepted).
CHUNK_UNIT = 262_144
SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload",
    "https://www.googleapis.com/auth/youtube.readonly",
    "https://www.googleapis.com/auth/yt-analytics.readonly",  # the metric pulls (ADR 0038)
)
#: Quota units per call (YouTube Data API v3 quota table; 10,000 a day by default).
UPLOAD_UNITS = 1600
PACIFIC = ZoneInfo("America/Los_Angeles")
_RANGE = re.compile(r"bytes=0-(\d+)")
_UNSAFE_TEXT = re.compile(r"[<>]")


class YouTubeSettings(ProviderSettings):
    """``VO_YOUTUBE_*`` and the publishing timeout."""

    required: ClassVar[str] = "VO_YOUTUBE_CLIENT_ID"

    youtube_client_id: str | None = None
    youtube_client_secret: str | None = None
    youtube_accounts_url: str = "https://accounts.google.com"
    youtube_oauth_url: str = "https://oauth2.googleapis.com"
    youtube_api_url: str = "https://www.googleapis.com"
    youtube_chunk_bytes: int = 8 * 1024 * 1024
    youtube_category_id: str = "22"
    publish_timeout: float = 60.0


def next_pacific_midnight(now: datetime) -> datetime:
    """When YouTube's daily quota comes back: the next midnight in Pacific time (UTC)."""
    local = now.astimezone(PACIFIC)
    midnight = datetime(local.year, local.month, local.day, tzinfo=PACIFIC) + timedelta(days=1)
    return midnight.astimezone(UTC)


def google_reasons(response: httpx.Response) -> tuple[list[str], str]:
    """The ``errors[].reason`` list and the message of a Google error body."""
    try:
        body: Any = response.json()
    except ValueError:
        return [], response.text.strip()[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, str):  # OAuth endpoints: {"error": "invalid_grant", ...}
        described = body.get("error_description") if isinstance(body, dict) else None
        return [error], str(described or error)
    if not isinstance(error, dict):
        return [], ""
    reasons = [
        str(item.get("reason"))
        for item in error.get("errors") or []
        if isinstance(item, dict) and item.get("reason")
    ]
    return reasons, str(error.get("message") or error.get("status") or "")


def _text(value: str, limit: int) -> str:
    return _UNSAFE_TEXT.sub("", value).strip()[:limit]


class YouTube(Provider[YouTubeSettings]):
    """A YouTube channel: connect it (Google OAuth), upload to it (resumable), follow the
    video's processing, and find out what happened after a lost answer."""

    name = "youtube"
    platform: PlatformName = "youtube"
    kind: ProviderKind = "cloud"
    settings_model = YouTubeSettings
    scopes: tuple[str, ...] = SCOPES

    @classmethod
    def from_settings(cls, settings: YouTubeSettings) -> YouTube | None:
        return cls(
            client_id=settings.youtube_client_id,
            client_secret=settings.youtube_client_secret,
            accounts_url=settings.youtube_accounts_url,
            oauth_url=settings.youtube_oauth_url,
            api_url=settings.youtube_api_url,
            chunk_bytes=settings.youtube_chunk_bytes,
            category_id=settings.youtube_category_id,
            timeout=settings.publish_timeout,
        )

    def __init__(
        self,
        *,
        client_id: str | None,
        client_secret: str | None = None,
        accounts_url: str = "https://accounts.google.com",
        oauth_url: str = "https://oauth2.googleapis.com",
        api_url: str = "https://www.googleapis.com",
        chunk_bytes: int = 8 * 1024 * 1024,
        category_id: str = "22",
        timeout: float = 60.0,
        client: httpx.Client | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if chunk_bytes <= 0 or chunk_bytes % CHUNK_UNIT:
            raise ConfigError(
                f"VO_YOUTUBE_CHUNK_BYTES must be a positive multiple of {CHUNK_UNIT} "
                f"(256 KiB), not {chunk_bytes}"
            )
        self.configured = bool(client_id)
        self._client_id = client_id or ""
        self._client_secret = client_secret or ""
        self._accounts = accounts_url.rstrip("/")
        self._oauth = oauth_url.rstrip("/")
        self._api = api_url.rstrip("/")
        self.chunk_bytes = chunk_bytes
        self._category = category_id
        self._client = client or httpx.Client(timeout=timeout)
        self._clock = clock
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"YouTube(api_url={self._api!r})"

    # ------------------------------------------------------------------ HTTP

    def _redact(self, text: str, *secrets: str | None) -> str:
        return transport.redact(text, (self._client_secret, *secrets), limit=300)

    def _send(
        self,
        method: str,
        url: str,
        *,
        creates: bool = False,
        retries: int = 2,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request. ``creates``: a lost answer may mean it took effect (OutcomeUnknown);
        otherwise 429/5xx are retried and transport failures are ``ProviderUnavailable``."""

        def lost(exc: Exception) -> ProviderError:
            if creates and not isinstance(exc, httpx.ConnectError):
                return OutcomeUnknown(
                    f"YouTube's answer was lost ({type(exc).__name__}); the post will be "
                    "checked with YouTube before anything is sent again"
                )
            return ProviderUnavailable(f"cannot reach YouTube ({type(exc).__name__}); try later")

        return transport.send(
            self._client,
            method,
            url,
            retry=transport.RetryPolicy(
                max_retries=0 if creates else retries, base_delay=0.5, max_delay=5.0
            ),
            label="YouTube",
            sleep=self._sleep,
            on_timeout=lost,
            on_unreachable=lost,
            **kwargs,
        )

    def _authorised(
        self,
        tokens: TokenSource,
        method: str,
        url: str,
        *,
        creates: bool = False,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """A request with the account's token; on 401 the token is refreshed once and the
        request repeated (a 401 means it was refused, so repeating it is safe)."""
        token = tokens.current()
        for attempt in range(2):
            response = self._send(
                method,
                url,
                creates=creates,
                headers={**(headers or {}), "Authorization": f"Bearer {token}"},
                **kwargs,
            )
            if response.status_code != 401:
                return response
            if attempt == 0:
                token = tokens.refresh()
        raise ProviderAuthError(
            "YouTube refused the account's token even after a refresh; connect the account "
            "again (vo accounts connect youtube)"
        )

    def _error(self, response: httpx.Response, what: str) -> ProviderError:
        """The error of the tree for an error answer, in YouTube's own words."""
        reasons, message = google_reasons(response)
        said = self._redact(f"{', '.join(reasons) or f'HTTP {response.status_code}'}: {message}")
        if "quotaExceeded" in reasons or "dailyLimitExceeded" in reasons:
            wait = (next_pacific_midnight(self._clock()) - self._clock()).total_seconds()
            return ProviderRateLimited(
                f"YouTube's daily API quota is used up ({said}); it comes back at midnight "
                "Pacific time",
                retry_after=wait,
            )
        if "uploadLimitExceeded" in reasons:
            return ProviderRateLimited(
                f"the channel reached YouTube's daily upload limit ({said}); try again tomorrow",
                retry_after=24 * 3600.0,
            )
        if response.status_code == 429 or {"rateLimitExceeded", "userRateLimitExceeded"} & set(
            reasons
        ):
            return ProviderRateLimited(
                f"YouTube is rate limiting requests ({said}); slowing down",
                retry_after=transport.advised_wait(response) or 60.0,
            )
        if response.status_code in (401, 403):
            return ProviderAuthError(f"YouTube refused to {what} ({said}); connect it again")
        if response.status_code >= 500:
            return ProviderUnavailable(f"YouTube failed to {what} ({said}); try again later")
        return ProviderError(f"YouTube refused to {what} ({said})")

    def _json(self, response: httpx.Response, what: str) -> dict[str, Any]:
        if response.status_code >= 400:
            raise self._error(response, what)
        body = transport.json_body(response, "YouTube")
        if not isinstance(body, dict):
            raise ProviderError(f"YouTube sent an unexpected answer to {what}")
        return body

    # ------------------------------------------------------------------ Connector

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        self._need_client()
        return consent_url(
            f"{self._accounts}/o/oauth2/v2/auth",
            {"client_id": self._client_id},
            " ".join(self.scopes),
            state=state,
            code_challenge=code_challenge,
            redirect_uri=redirect_uri,
            access_type="offline",
            prompt="consent",
            include_granted_scopes="true",
        )

    def _need_client(self) -> None:
        if not self.configured:
            raise ConfigError(
                "YouTube is not configured: set VO_YOUTUBE_CLIENT_ID (and "
                "VO_YOUTUBE_CLIENT_SECRET) from an OAuth client of your Google Cloud project"
            )

    def _token_call(self, form: dict[str, str], what: str) -> TokenSet:
        self._need_client()
        form = {"client_id": self._client_id, **form}
        if self._client_secret:
            form["client_secret"] = self._client_secret
        response = self._send("POST", f"{self._oauth}/token", data=form)
        if response.status_code >= 400:
            reasons, message = google_reasons(response)
            said = self._redact(f"{', '.join(reasons)}: {message}", *form.values())
            if response.status_code in (400, 401) and {"invalid_grant", "invalid_client"} & set(
                reasons
            ):
                raise ProviderAuthError(f"Google refused to {what} ({said}); connect it again")
            raise self._error(response, what)
        body = transport.json_body(response, "Google")
        if not isinstance(body, dict) or not body.get("access_token"):
            raise ProviderError(f"Google's token endpoint sent no access token to {what}")
        expires = body.get("expires_in")
        return TokenSet(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]) if body.get("refresh_token") else None,
            expires_at=self._clock() + timedelta(seconds=float(expires))
            if isinstance(expires, int | float)
            else None,
            scopes=tuple(str(body.get("scope") or "").split()),
        )

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str) -> TokenSet:
        return self._token_call(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": code_verifier,
                "redirect_uri": redirect_uri,
            },
            "exchange the authorisation code",
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        tokens = self._token_call(
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            "refresh the account's token",
        )
        if tokens.refresh_token is None:  # Google keeps the refresh token as it was
            tokens = TokenSet(tokens.access_token, refresh_token, tokens.expires_at, tokens.scopes)
        return tokens

    def revoke(self, token: str) -> None:
        response = self._send("POST", f"{self._oauth}/revoke", data={"token": token})
        if response.status_code < 400:
            return
        reasons, _ = google_reasons(response)
        if response.status_code == 400 and "invalid_token" in reasons:
            return  # already revoked or expired: the access is gone, as asked
        raise self._error(response, "revoke the account's token")

    def _channel(self, tokens: TokenSource) -> dict[str, Any]:
        query = urlencode({"part": "snippet,contentDetails", "mine": "true"})
        body = self._json(
            self._authorised(tokens, "GET", f"{self._api}/youtube/v3/channels?{query}"),
            "show the channel",
        )
        items = body.get("items") or []
        if not items or not isinstance(items[0], dict):
            raise ProviderError(
                "this Google account has no YouTube channel; create one on youtube.com first"
            )
        channel: dict[str, Any] = items[0]
        return channel

    def identity(self, tokens: TokenSource) -> AccountIdentity:
        channel = self._channel(tokens)
        snippet = channel.get("snippet") or {}
        thumbs = snippet.get("thumbnails") or {}
        avatar = (thumbs.get("default") or {}).get("url")
        return AccountIdentity(
            remote_id=str(channel.get("id")),
            name=str(snippet.get("title") or channel.get("id")),
            avatar_url=str(avatar) if avatar else None,
        )

    # ------------------------------------------------------------------ Publisher

    def health(self, tokens: TokenSource) -> AccountHealth:
        try:
            token = tokens.current()
            info = self._send(
                "GET", f"{self._oauth}/tokeninfo?{urlencode({'access_token': token})}"
            )
            scopes: tuple[str, ...] = ()
            if info.status_code < 400:
                data = transport.json_body(info, "Google")
                scopes = (
                    tuple(str(data.get("scope") or "").split()) if isinstance(data, dict) else ()
                )
            channel = self._channel(tokens)
        except ProviderAuthError as exc:
            return AccountHealth(token_valid=False, problem=str(exc))
        missing = [s for s in SCOPES[:1] if scopes and s not in scopes]
        return AccountHealth(
            token_valid=True,
            scopes=scopes,
            facts={
                "channel": str((channel.get("snippet") or {}).get("title") or ""),
                "uploads_per_day": "about 6 with the default 10,000 daily quota units "
                f"({UPLOAD_UNITS} units per upload; Google shows what is left in the Cloud "
                "console only)",
            },
            problem=f"the token lacks the scope {missing[0]}: connect again" if missing else None,
        )

    def step(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        stage = at.stage
        if stage == "start":
            return self._initiate(tokens, content, at)
        if stage == "upload":
            return self._upload_chunk(tokens, content, at)
        if stage == "query":
            return self._query(tokens, content, at)
        if stage == "thumbnail":
            return self._thumbnail(tokens, content, at)
        if stage == "processing":
            return self._poll(tokens, content, at)
        if stage == "published":
            return StepResult(
                at, "published", url=at.remote.get("url"), remote_id=at.remote.get("video_id")
            )
        raise ProviderError(f"unknown YouTube checkpoint stage {stage!r}")

    def reconcile(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        if at.stage == "start":
            # Opening a session creates no video: a lost answer leaves an unused session.
            return StepResult(at, "uploading")
        if at.stage in ("upload", "query"):
            return self._query(tokens, content, at)
        if at.stage == "thumbnail":
            return StepResult(at, "uploading")  # thumbnails.set replaces: safe to repeat
        return self.step(tokens, content, at)  # processing, published: read-only

    # -- the steps

    def resource(self, content: PostContent) -> dict[str, Any]:
        """The video resource sent when the upload session is opened."""
        tags = [_text(tag.lstrip("#"), 100) for tag in content.hashtags if tag.strip("# ")]
        tags.append(marker_tag(content.marker))
        hashtags = " ".join(f"#{tag.lstrip('#')}" for tag in content.hashtags if tag.strip("# "))
        description = "\n\n".join(part for part in (content.description, hashtags) if part)
        privacy = content.privacy if content.privacy in ("public", "unlisted") else "private"
        status: dict[str, Any] = {
            "privacyStatus": privacy,
            "selfDeclaredMadeForKids": bool(content.options.get("made_for_kids", False)),
            "containsSyntheticMedia": content.made_with_ai,
        }
        if content.publish_at is not None:  # publishAt needs private until that time
            status["privacyStatus"] = "private"
            status["publishAt"] = (
                content.publish_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
            )
        return {
            "snippet": {
                "title": _text(content.title, 100) or "Untitled",
                "description": _text(description, 5000),
                "tags": tags,
                "categoryId": str(content.options.get("category_id", self._category)),
            },
            "status": status,
        }

    def _initiate(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        query = urlencode({"uploadType": "resumable", "part": "snippet,status"})
        response = self._authorised(
            tokens,
            "POST",
            f"{self._api}/upload/youtube/v3/videos?{query}",
            headers={
                "Content-Type": "application/json; charset=UTF-8",
                "X-Upload-Content-Length": str(content.size),
                "X-Upload-Content-Type": "video/mp4",
            },
            content=json.dumps(self.resource(content)).encode(),
        )
        if response.status_code >= 400:
            return self._refused(response, at, "open an upload session")
        session = response.headers.get("location")
        if not session:
            raise ProviderError("YouTube opened no upload session (no Location header)")
        return StepResult(at.moved("upload", confirmed_bytes=0, session=session), "uploading")

    def _refused(self, response: httpx.Response, at: Checkpoint, what: str) -> StepResult:
        """A refusal: rate limits, auth and 5xx are raised (the caller waits, asks the user
        to reconnect, or tries later); anything else is the post's failure, in YouTube's
        words."""
        error = self._error(response, what)
        if isinstance(error, ProviderRateLimited | ProviderAuthError | ProviderUnavailable):
            raise error
        return StepResult(at, "failed", message=str(error))

    def _upload_chunk(
        self, tokens: TokenSource, content: PostContent, at: Checkpoint
    ) -> StepResult:
        start = at.confirmed_bytes
        size = content.size
        end = min(start + self.chunk_bytes, size)
        with content.video.open("rb") as handle:
            handle.seek(start)
            data = handle.read(end - start)
        if len(data) != end - start:
            raise ProviderError(
                f"the video file {content.video.name} changed since the post was made "
                f"({size} bytes expected)"
            )
        response = self._authorised(
            tokens,
            "PUT",
            at.remote["session"],
            creates=True,
            headers={
                "Content-Type": "video/mp4",
                "Content-Range": f"bytes {start}-{end - 1}/{size}",
            },
            content=data,
        )
        return self._session_answer(tokens, content, at, response)

    def _query(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        if "session" not in at.remote:
            return StepResult(at.moved("start", confirmed_bytes=0), "uploading")
        response = self._authorised(
            tokens,
            "PUT",
            at.remote["session"],
            headers={"Content-Range": f"bytes */{content.size}", "Content-Length": "0"},
        )
        return self._session_answer(tokens, content, at, response)

    def _session_answer(
        self, tokens: TokenSource, content: PostContent, at: Checkpoint, response: httpx.Response
    ) -> StepResult:
        """What the session said, after a chunk or a status question."""
        status = response.status_code
        if status == 308:
            match = _RANGE.search(response.headers.get("range", ""))
            confirmed = int(match.group(1)) + 1 if match else 0
            return StepResult(at.moved("upload", confirmed_bytes=confirmed), "uploading")
        if status in (200, 201):
            video = self._json(response, "finish the upload")
            return self._uploaded(content, at, str(video.get("id")))
        if status in (404, 410):
            return self._session_gone(tokens, content, at)
        if status >= 500:
            # The chunk may be partly stored: ask the session where it is, then resume.
            return StepResult(
                at.moved("query"),
                "uploading",
                wait_seconds=2.0,
                message=f"YouTube answered HTTP {status}; asking where the upload is",
            )
        return self._refused(response, at, "take the video's bytes")

    def _uploaded(self, content: PostContent, at: Checkpoint, video_id: str) -> StepResult:
        url = f"https://www.youtube.com/shorts/{video_id}"
        moved = at.moved(
            "thumbnail" if content.cover is not None else "processing",
            confirmed_bytes=content.size,
            video_id=video_id,
            url=url,
        )
        return StepResult(
            moved,
            "processing" if content.cover is None else "uploading",
            remote_id=video_id,
            url=url,
        )

    def _session_gone(
        self, tokens: TokenSource, content: PostContent, at: Checkpoint
    ) -> StepResult:
        """The session expired: the video exists if it was completed (look for the marker
        among the channel's uploads), otherwise start again."""
        found = self.find_by_marker(tokens, content.marker)
        if found is not None:
            return self._uploaded(content, at, found)
        fresh = Checkpoint(stage="start", remote={}, confirmed_bytes=0)
        return StepResult(fresh, "uploading", message="the upload session expired; starting again")

    def recent_uploads(self, tokens: TokenSource, count: int = 50) -> list[dict[str, Any]]:
        """The channel's most recent uploads (videos.list resources with their snippet)."""
        channel = self._channel(tokens)
        playlist = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get(
            "uploads"
        )
        if not playlist:
            return []
        query = urlencode(
            {"part": "contentDetails", "playlistId": playlist, "maxResults": str(count)}
        )
        items = (
            self._json(
                self._authorised(tokens, "GET", f"{self._api}/youtube/v3/playlistItems?{query}"),
                "list the channel's uploads",
            ).get("items")
            or []
        )
        ids = [
            str((item.get("contentDetails") or {}).get("videoId"))
            for item in items
            if isinstance(item, dict)
        ]
        return self._videos(tokens, ids, "snippet,status") if ids else []

    def _videos(self, tokens: TokenSource, ids: Sequence[str], part: str) -> list[dict[str, Any]]:
        query = urlencode({"part": part, "id": ",".join(ids)})
        body = self._json(
            self._authorised(tokens, "GET", f"{self._api}/youtube/v3/videos?{query}"),
            "show the video",
        )
        return [item for item in body.get("items") or [] if isinstance(item, dict)]

    def find_by_marker(self, tokens: TokenSource, marker: str) -> str | None:
        tag = marker_tag(marker)
        for video in self.recent_uploads(tokens):
            if tag in ((video.get("snippet") or {}).get("tags") or []):
                return str(video.get("id"))
        return None

    def _thumbnail(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        assert content.cover is not None
        video_id = at.remote["video_id"]
        suffix = content.cover.suffix.lower()
        media = "image/png" if suffix == ".png" else "image/jpeg"
        response = self._authorised(
            tokens,
            "POST",
            f"{self._api}/upload/youtube/v3/thumbnails/set?{urlencode({'videoId': video_id})}",
            headers={"Content-Type": media},
            content=content.cover.read_bytes(),
        )
        message = None
        if response.status_code >= 400:
            error = self._error(response, "set the thumbnail")
            if isinstance(error, ProviderRateLimited | ProviderUnavailable):
                raise error
            # The video is up; a channel that may not set custom thumbnails keeps YouTube's.
            message = f"the cover was not set: {error}"
        return StepResult(
            at.moved("processing"),
            "processing",
            message=message,
            remote_id=video_id,
            url=at.remote.get("url"),
        )

    def _poll(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        video_id = at.remote["video_id"]
        videos = self._videos(tokens, [video_id], "status,processingDetails")
        url = at.remote.get("url")
        if not videos:
            return StepResult(
                at,
                "needs_attention",
                remote_id=video_id,
                url=url,
                message="the video is no longer on the channel (deleted in "
                "YouTube Studio?); post it again if it should be there",
            )
        video = videos[0]
        status = video.get("status") or {}
        upload_status = str(status.get("uploadStatus") or "")
        processing = str((video.get("processingDetails") or {}).get("processingStatus") or "")
        if upload_status == "rejected":
            reason = status.get("rejectionReason") or "rejected"
            return StepResult(
                at,
                "failed",
                remote_id=video_id,
                url=url,
                message=f"YouTube rejected the video ({reason})",
            )
        if upload_status == "failed" or processing in ("failed", "terminated"):
            reason = status.get("failureReason") or processing or "failed"
            return StepResult(
                at,
                "failed",
                remote_id=video_id,
                url=url,
                message=f"YouTube could not process the video ({reason})",
            )
        if upload_status == "processed" or processing == "succeeded":
            return StepResult(at.moved("published"), "published", remote_id=video_id, url=url)
        return StepResult(at, "processing", wait_seconds=10.0, remote_id=video_id, url=url)


def marker_tag(marker: str) -> str:
    """The tag that carries a post's marker (see the module's docstring)."""
    return f"vo-{marker}"
