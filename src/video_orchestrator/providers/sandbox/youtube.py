"""A faithful local YouTube: Google OAuth 2 with PKCE and the Data API v3 resumable upload,
with fault injection (ADR 0026). It speaks the documented protocol closely enough to catch
real mistakes:

* OAuth: ``GET /o/oauth2/v2/auth`` (consents at once, as a sandbox: 302 to the redirect URI
  with ``code`` and ``state``; refuses a missing S256 challenge), ``POST /token``
  (authorisation code + ``code_verifier`` checked against the challenge, one use; refresh;
  ``invalid_grant`` in Google's shape), ``POST /revoke`` (the whole grant; ``invalid_token``
  for an unknown one), ``GET /tokeninfo``. Access tokens expire on the server's clock.
* Upload: ``POST /upload/youtube/v3/videos?uploadType=resumable`` (the resource checked:
  title 1–100 characters without ``<``/``>``, ``publishAt`` only with ``private``; 1,600
  quota units) → 200 + ``Location``; ``PUT`` chunks: ``Content-Range`` must start where the
  session is (overlap is ignored, a gap refused), be a multiple of 262,144 bytes unless it
  is the last, and match the declared total → ``308`` + ``Range: bytes=0-N`` (no ``Range``
  when nothing is stored) or 201 with the video; ``bytes */TOTAL`` asks; unknown session 404.
* ``videos.list`` (processing: ``uploaded`` for ``processing_polls`` looks, then
  ``processed``), ``channels.list?mine=true``, ``playlistItems.list`` of the uploads
  playlist, ``thumbnails.set`` (50 units). Quota: 10,000 units a day; over it, 403
  ``quotaExceeded`` until :meth:`next_day`.
* Errors in Google's body shape ``{"error": {"code", "message", "errors": [{"reason"}]}}``.

Faults (:class:`Fault`, queued in ``server.faults`` or drawn by ``server.chaos``):
``drop_mid_chunk`` (half the bytes read, whole 256 KiB blocks of them kept, the connection
closed without an answer), ``drop_after_accept`` (the request takes effect, then the
connection closes without an answer: the timeout after the final chunk was accepted),
``slow_after_accept`` (the request takes effect, the answer comes after ``slow_seconds``:
longer than the client waits), ``error_5xx``, ``rate_429``, ``expire_token`` (the token
expires just before the request), ``quota_exhausted``, ``session_expired``.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
import random
import re
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from zoneinfo import ZoneInfo

from video_orchestrator.providers.sandbox.server import ServedInThread
from video_orchestrator.providers.sandbox.state import Hollow

CHUNK_UNIT = 262_144
QUOTA_PER_DAY = 10_000
#: Assignable video categories (videoCategories.list, region US, in part).
CATEGORIES = frozenset(
    {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28"}
)
COSTS = {"insert": 1600, "list": 1, "thumbnail": 50}
PACIFIC = ZoneInfo("America/Los_Angeles")
_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
_ASK = re.compile(r"bytes \*/(\d+)")

#: Which requests each fault can hit.
FAULT_TARGETS: dict[str, tuple[str, ...]] = {
    "drop_mid_chunk": ("chunk",),
    "drop_after_accept": ("chunk", "initiate", "query", "list", "thumbnail"),
    "slow_after_accept": ("chunk", "initiate"),
    "error_5xx": ("chunk", "initiate", "query", "list", "thumbnail", "token"),
    "rate_429": ("chunk", "initiate", "list"),
    "expire_token": ("chunk", "initiate", "query", "list", "thumbnail"),
    "quota_exhausted": ("initiate", "list"),
    "session_expired": ("chunk", "query"),
}


@dataclass
class Fault:
    kind: str
    on: str = "any"  # a request kind of FAULT_TARGETS, or any that the fault can hit


@dataclass
class Session:
    id: str
    size: int
    resource: dict[str, Any]
    data: bytearray = field(default_factory=bytearray)
    video_id: str | None = None
    channel_id: str = ""


@dataclass
class Video:
    id: str
    resource: dict[str, Any]
    size: int
    sha256: str
    polls_left: int
    thumbnail: bytes | None = None
    channel_id: str = ""


@dataclass
class Grant:
    refresh_token: str
    scope: str
    revoked: bool = False
    channel_id: str = ""


def error_body(code: int, message: str, reason: str, domain: str = "youtube") -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


class FakeYouTube(ServedInThread):
    """``with FakeYouTube() as yt: ... yt.base_url ...``; settings for the adapter are
    :meth:`settings`. ``yt.now`` is the server's clock (tokens expire on it)."""

    client_id = "fake-client.apps.googleusercontent.com"
    client_secret = "fake-secret"

    def __init__(
        self,
        *,
        token_seconds: int = 3599,
        processing_polls: int = 1,
        quota_per_day: int = QUOTA_PER_DAY,
        channel_title: str = "Deep Ocean Facts",
        real_time: bool = False,
    ) -> None:
        self.lock = threading.RLock()
        #: None: the real time (the sandbox); a fixed time that tests move (the default).
        self._now: datetime | None = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
        if real_time:
            self._now = None
        self.token_seconds = token_seconds
        self.processing_polls = processing_polls
        self.quota_per_day = quota_per_day
        self.channel_id = "UC" + secrets.token_hex(11)  # the first channel
        self.channels: dict[str, str] = {self.channel_id: channel_title}
        #: The channel the next consent grants (the Google account the user picks).
        self.consent_as = self.channel_id
        self._caller = self.channel_id
        self.channel_title = channel_title
        self.faults: list[Fault] = []
        self.slow_seconds = 2.0
        self.chaos: Callable[[str], str | None] | None = None
        self.log: list[tuple[str, str, str]] = []  # (kind, method+path, what happened)
        self.reset()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Google's front ends

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

            def do_PUT(self) -> None:
                server._handle(self, "PUT")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.serve(Handler)

    # ------------------------------------------------------------------ state

    #: What the sandbox keeps in its state file (``state.py``): the channels, the grants and
    #: tokens, upload sessions, videos (and their processing), the day's quota.
    persisted_fields = (
        "channel_id", "channels", "consent_as", "channel_title", "codes", "grants", "access",
        "sessions", "videos", "uploads", "quota_used", "quota_day",
    )  # fmt: skip
    state_types = (Grant, Session, Video)

    @property
    def now(self) -> datetime:
        """The server's clock: tokens expire on it."""
        return self._now if self._now is not None else datetime.now(UTC)

    @now.setter
    def now(self, value: datetime) -> None:
        self._now = value

    def reset(self) -> None:
        with self.lock:
            self.codes: dict[str, dict[str, str]] = {}
            self.grants: dict[str, Grant] = {}  # refresh token → grant
            self.access: dict[str, tuple[datetime, Grant]] = {}
            self.sessions: dict[str, Session] = {}
            self.videos: dict[str, Video] = {}
            self.uploads: dict[str, list[str]] = {}  # channel → video ids, newest first
            self.quota_used = 0
            self.quota_day = ""  # the Pacific day the quota is counted for (real time)
            self.faults.clear()
            self.chaos = None
            self.log.clear()
            self.chunk_starts: list[int] = []
            self.requests_seen = 0
            self.last_token_request = -100
            self.injected: Counter[str] = Counter()

    def dump_state(self) -> dict[str, Any]:
        state = super().dump_state()
        state["access"] = {  # a grant once, by its refresh token (relinked on load)
            token: (expiry, grant.refresh_token) for token, (expiry, grant) in self.access.items()
        }
        state["sessions"] = {  # a finished session's bytes are the video's: not kept twice
            key: dataclasses.replace(session, data=Hollow.of(session.data))  # type: ignore[arg-type]
            if session.video_id is not None
            else session
            for key, session in self.sessions.items()
        }
        return state

    def after_load(self) -> None:
        loaded: dict[str, Any] = dict(self.access)
        self.access = {
            token: (expiry, self.grants[refresh])
            for token, (expiry, refresh) in loaded.items()
            if refresh in self.grants
        }

    def settings(self) -> dict[str, Any]:
        """The adapter's settings pointing here."""
        return {
            "youtube_client_id": self.client_id,
            "youtube_client_secret": self.client_secret,
            "youtube_accounts_url": self.base_url,
            "youtube_oauth_url": self.base_url,
            "youtube_api_url": self.base_url,
        }

    def issue_tokens(self, scope: str = "") -> tuple[str, str]:
        """An access and a refresh token, as after a consent (for tests that skip it)."""
        with self.lock:
            grant = Grant(
                "1//" + secrets.token_urlsafe(24),
                scope or self._scopes(),
                channel_id=self.channel_id,
            )
            self.grants[grant.refresh_token] = grant
            return self._access_for(grant), grant.refresh_token

    def _scopes(self) -> str:
        return (
            "https://www.googleapis.com/auth/youtube.upload "
            "https://www.googleapis.com/auth/youtube.readonly"
        )

    def _access_for(self, grant: Grant) -> str:
        token = "ya29." + secrets.token_urlsafe(24)
        self.access[token] = (self.now + timedelta(seconds=self.token_seconds), grant)
        return token

    def add_channel(self, title: str) -> str:
        """Another channel; the next consent grants it (the user picked that account)."""
        with self.lock:
            channel = "UC" + secrets.token_hex(11)
            self.channels[channel] = title
            self.consent_as = channel
            return channel

    def expire_tokens(self) -> None:
        with self.lock:
            for token, (_, grant) in list(self.access.items()):
                self.access[token] = (self.now - timedelta(seconds=1), grant)

    def next_day(self) -> None:
        """Midnight Pacific passed: the quota is back (the clock moves a day)."""
        with self.lock:
            self.quota_used = 0
            self.now += timedelta(days=1)

    def videos_with_tag(self, tag: str) -> list[Video]:
        with self.lock:
            return [
                v for v in self.videos.values() if tag in (v.resource["snippet"].get("tags") or [])
            ]

    # ------------------------------------------------------------------ plumbing

    def _fault_for(self, kind: str) -> str | None:
        with self.lock:
            for index, fault in enumerate(self.faults):
                targets = FAULT_TARGETS.get(fault.kind, ())
                if (fault.on == kind or fault.on == "any") and kind in targets:
                    del self.faults[index]
                    self.injected[fault.kind] += 1
                    return fault.kind
            if self.chaos is not None:
                drawn = self.chaos(kind)
                self.requests_seen += 1
                if kind == "token":
                    self.last_token_request = self.requests_seen
                if drawn == "expire_token" and self.requests_seen - self.last_token_request < 8:
                    drawn = None  # a token made a moment ago lives an hour: it does not expire

                if drawn is not None and kind in FAULT_TARGETS.get(drawn, ()):
                    self.injected[drawn] += 1
                    return drawn
        return None

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        with self.persisted():
            self._handle_request(h, method)

    def _handle_request(self, h: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        length = int(h.headers.get("Content-Length") or 0)
        kind = self._kind(method, path, h.headers)
        fault = self._fault_for(kind) if kind else None
        if fault == "drop_mid_chunk":
            self._drop_mid_chunk(h, query, length)
            return
        body = h.rfile.read(length) if length else b""
        if fault == "error_5xx":
            self._log(kind, method, path, "503")
            return self._send(h, 503, error_body(503, "Backend Error", "backendError", "global"))
        if fault == "rate_429":
            self._log(kind, method, path, "429")
            return self._send(
                h,
                429,
                error_body(429, "Too many requests", "rateLimitExceeded"),
                {"Retry-After": "1"},
            )
        if fault == "expire_token":
            self.expire_tokens()
        if fault == "quota_exhausted":
            with self.lock:
                self.quota_used = self.quota_per_day
        if fault == "session_expired":
            with self.lock:
                session_id = query.get("upload_id", "")
                self.sessions.pop(session_id, None)
        status, payload, headers = self._answer(method, path, query, h.headers, body)
        self._log(kind, method, path, str(status))
        if fault == "slow_after_accept":  # the client's timeout passes before the answer
            self._log(kind, method, path, "slow after accept")
            time.sleep(self.slow_seconds)
        if fault == "drop_after_accept":
            self._log(kind, method, path, "dropped after accept")
            self._close(h)
            return
        self._send(h, status, payload, headers)

    def _log(self, kind: str | None, method: str, path: str, what: str) -> None:
        with self.lock:
            self.log.append((kind or "", f"{method} {path}", what))

    def _kind(self, method: str, path: str, headers: Any) -> str | None:
        if path == "/token":
            return "token"
        if path == "/upload/youtube/v3/videos":
            if method == "POST":
                return "initiate"
            return "query" if _ASK.fullmatch(headers.get("Content-Range", "")) else "chunk"
        if path == "/upload/youtube/v3/thumbnails/set":
            return "thumbnail"
        if path.startswith("/youtube/v3/"):
            return "list"
        return None

    def _close(self, h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        with contextlib.suppress(OSError):
            h.connection.shutdown(socket.SHUT_RDWR)

    def _drop_mid_chunk(
        self, h: BaseHTTPRequestHandler, query: dict[str, str], length: int
    ) -> None:
        part = h.rfile.read(length // 2) if length else b""
        match = _RANGE.fullmatch(h.headers.get("Content-Range", ""))
        with self.lock:
            session = self.sessions.get(query.get("upload_id", ""))
            if session is not None and match and int(match.group(1)) == len(session.data):
                kept = (len(part) // CHUNK_UNIT) * CHUNK_UNIT
                session.data.extend(part[:kept])
        self._log("chunk", "PUT", "/upload/youtube/v3/videos", "dropped mid-chunk")
        self._close(h)

    def _send(
        self,
        h: BaseHTTPRequestHandler,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        try:
            h.send_response(status, "Resume Incomplete" if status == 308 else None)
            if payload is not None:
                h.send_header("Content-Type", "application/json; charset=UTF-8")
            h.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            pass

    # ------------------------------------------------------------------ the protocol

    Answer = tuple[int, Any, dict[str, str]]

    def _answer(
        self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> FakeYouTube.Answer:
        with self.lock:
            if path == "/o/oauth2/v2/auth" and method == "GET":
                return self._authorize(query)
            if path == "/token" and method == "POST":
                return self._token(_form(body))
            if path == "/revoke" and method == "POST":
                return self._revoke(_form(body).get("token", "") or query.get("token", ""))
            if path == "/tokeninfo" and method == "GET":
                return self._tokeninfo(query.get("access_token", ""))
            auth = self._check_auth(headers)
            if auth is not None:
                return auth
            token = headers.get("Authorization", "")[7:]
            self._caller = self.access[token][1].channel_id or self.channel_id
            if path == "/upload/youtube/v3/videos" and method == "POST":
                return self._initiate(query, headers, body)
            if path == "/upload/youtube/v3/videos" and method == "PUT":
                return self._put(query, headers, body)
            if path == "/upload/youtube/v3/thumbnails/set" and method == "POST":
                return self._thumbnail(query, body)
            if path == "/youtube/v3/channels" and method == "GET":
                return self._charged("list") or self._channels(query)
            if path == "/youtube/v3/playlistItems" and method == "GET":
                return self._charged("list") or self._playlist(query)
            if path == "/youtube/v3/videos" and method == "GET":
                return self._charged("list") or self._list_videos(query)
            return 404, error_body(404, "Not Found", "notFound", "global"), {}

    def _charged(self, what: str) -> FakeYouTube.Answer | None:
        cost = COSTS[what]
        if self._now is None:  # the real time (the sandbox): the quota is back at midnight
            day = datetime.now(PACIFIC).date().isoformat()  # Pacific, as YouTube's
            if day != self.quota_day:
                self.quota_day, self.quota_used = day, 0
        if self.quota_used + cost > self.quota_per_day:
            message = (
                "The request cannot be completed because you have exceeded your "
                '<a href="/youtube/v3/getting-started#quota">quota</a>.'
            )
            return 403, error_body(403, message, "quotaExceeded"), {}
        self.quota_used += cost
        return None

    def _check_auth(self, headers: Any) -> FakeYouTube.Answer | None:
        value = headers.get("Authorization", "")
        token = value[7:] if value.startswith("Bearer ") else ""
        found = self.access.get(token)
        if found is None or found[0] <= self.now or found[1].revoked:
            return (
                401,
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid authentication credentials. Expected "
                        "OAuth 2 access token, login cookie or other valid authentication "
                        "credential.",
                        "errors": [
                            {
                                "message": "Invalid Credentials",
                                "domain": "global",
                                "reason": "authError",
                                "location": "Authorization",
                            }
                        ],
                        "status": "UNAUTHENTICATED",
                    }
                },
                {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
        return None

    # -- OAuth

    def _authorize(self, q: dict[str, str]) -> FakeYouTube.Answer:
        redirect = q.get("redirect_uri", "")
        if q.get("client_id") != self.client_id:
            return (
                400,
                {"error": "invalid_client", "error_description": "The OAuth client was not found."},
                {},
            )
        if q.get("response_type") != "code" or not redirect:
            return 400, {"error": "invalid_request", "error_description": "response_type"}, {}
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return (
                400,
                {
                    "error": "invalid_request",
                    "error_description": "code_challenge_method S256 is required",
                },
                {},
            )
        code = "4/" + secrets.token_urlsafe(24)
        self.codes[code] = {
            "challenge": q["code_challenge"],
            "redirect_uri": redirect,
            "scope": q.get("scope", ""),
            "channel": self.consent_as,
        }
        sep = "&" if "?" in redirect else "?"
        target = (
            redirect
            + sep
            + urlencode({"code": code, "state": q.get("state", ""), "scope": q.get("scope", "")})
        )
        return 302, None, {"Location": target}

    def _token(self, form: dict[str, str]) -> FakeYouTube.Answer:
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}, {}
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            pending = self.codes.pop(form.get("code", ""), None)
            if pending is None:
                return (
                    400,
                    {"error": "invalid_grant", "error_description": "Malformed auth code."},
                    {},
                )
            if pending["redirect_uri"] != form.get("redirect_uri"):
                return (
                    400,
                    {"error": "redirect_uri_mismatch", "error_description": "Bad Request"},
                    {},
                )
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if challenge.rstrip(b"=").decode() != pending["challenge"]:
                return (
                    400,
                    {"error": "invalid_grant", "error_description": "Invalid code verifier."},
                    {},
                )
            grant = Grant(
                "1//" + secrets.token_urlsafe(24),
                pending["scope"] or self._scopes(),
                channel_id=pending["channel"],
            )
            self.grants[grant.refresh_token] = grant
            return (
                200,
                {
                    "access_token": self._access_for(grant),
                    "expires_in": self.token_seconds,
                    "refresh_token": grant.refresh_token,
                    "scope": grant.scope,
                    "token_type": "Bearer",
                },
                {},
            )
        if grant_type == "refresh_token":
            found = self.grants.get(form.get("refresh_token", ""))
            if found is None or found.revoked:
                return (
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                    {},
                )
            return (
                200,
                {
                    "access_token": self._access_for(found),
                    "expires_in": self.token_seconds,
                    "scope": found.scope,
                    "token_type": "Bearer",
                },
                {},
            )
        return (
            400,
            {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"},
            {},
        )

    def _revoke(self, token: str) -> FakeYouTube.Answer:
        grant = self.grants.get(token) or (self.access.get(token) or (None, None))[1]
        if grant is None or grant.revoked:
            return (
                400,
                {"error": "invalid_token", "error_description": "Token expired or revoked"},
                {},
            )
        grant.revoked = True
        return 200, {}, {}

    def _tokeninfo(self, token: str) -> FakeYouTube.Answer:
        found = self.access.get(token)
        if found is None or found[0] <= self.now or found[1].revoked:
            return 400, {"error": "invalid_token", "error_description": "Invalid Value"}, {}
        left = int((found[0] - self.now).total_seconds())
        return 200, {"aud": self.client_id, "scope": found[1].scope, "expires_in": str(left)}, {}

    # -- upload

    def _initiate(self, q: dict[str, str], headers: Any, body: bytes) -> FakeYouTube.Answer:
        if q.get("uploadType") != "resumable":
            return 400, error_body(400, "uploadType must be resumable here", "badRequest"), {}
        try:
            resource = json.loads(body or b"{}")
            size = int(headers.get("X-Upload-Content-Length", ""))
        except ValueError:
            return (
                400,
                error_body(400, "Invalid JSON or X-Upload-Content-Length", "parseError", "global"),
                {},
            )
        snippet = resource.get("snippet") or {}
        status = resource.get("status") or {}
        title = str(snippet.get("title") or "")
        if not title or len(title) > 100 or re.search(r"[<>]", title):
            return (
                400,
                error_body(
                    400, "The request metadata specifies an invalid video title.", "invalidTitle"
                ),
                {},
            )
        if re.search(r"[<>]", str(snippet.get("description") or "")):
            return (
                400,
                error_body(
                    400,
                    "The request metadata specifies an invalid video description.",
                    "invalidDescription",
                ),
                {},
            )
        if str(snippet.get("categoryId") or "22") not in CATEGORIES:
            return (
                400,
                error_body(400, "The video category specified is invalid.", "invalidCategoryId"),
                {},
            )
        if status.get("publishAt") and status.get("privacyStatus") != "private":
            return (
                400,
                error_body(
                    400,
                    "The request metadata specifies an invalid scheduled publishing time.",
                    "invalidPublishAt",
                ),
                {},
            )
        if "selfDeclaredMadeForKids" not in status:
            return (
                400,
                error_body(400, "selfDeclaredMadeForKids is required", "invalidVideoMetadata"),
                {},
            )
        charged = self._charged("insert")
        if charged is not None:
            return charged
        session = Session(secrets.token_urlsafe(16), size, resource, channel_id=self._caller)
        self.sessions[session.id] = session
        location = f"{self.base_url}/upload/youtube/v3/videos?" + urlencode(
            {"uploadType": "resumable", "part": "snippet,status", "upload_id": session.id}
        )
        return 200, None, {"Location": location}

    def _put(self, q: dict[str, str], headers: Any, body: bytes) -> FakeYouTube.Answer:
        session = self.sessions.get(q.get("upload_id", ""))
        if session is None:
            return (
                404,
                error_body(
                    404, "The upload session was not found or has expired.", "notFound", "global"
                ),
                {},
            )
        content_range = headers.get("Content-Range", "")
        ask = _ASK.fullmatch(content_range)
        if ask:
            if int(ask.group(1)) != session.size:
                return (
                    400,
                    error_body(400, "Content-Range total does not match", "badRequest", "global"),
                    {},
                )
            return self._session_state(session)
        match = _RANGE.fullmatch(content_range)
        if not match:
            return 400, error_body(400, "Content-Range is required", "badRequest", "global"), {}
        first, last, total = (int(g) for g in match.groups())
        if total != session.size or last >= total or last < first or len(body) != last - first + 1:
            return (
                400,
                error_body(
                    400,
                    "Content-Range does not match the body or the declared size",
                    "badRequest",
                    "global",
                ),
                {},
            )
        if (last - first + 1) % CHUNK_UNIT and last != total - 1:
            return (
                400,
                error_body(
                    400,
                    f"Chunk size must be a multiple of {CHUNK_UNIT} bytes except for the last "
                    "chunk.",
                    "badRequest",
                    "global",
                ),
                {},
            )
        if session.video_id is not None:
            return self._session_state(session)
        held = len(session.data)
        if first > held:
            return (
                400,
                error_body(
                    400, f"Expected the upload to resume at byte {held}", "badRequest", "global"
                ),
                {},
            )
        self.chunk_starts.append(first)
        session.data.extend(body[held - first :])
        return self._session_state(session)

    def _session_state(self, session: Session) -> FakeYouTube.Answer:
        if session.video_id is None and len(session.data) == session.size:
            video = Video(
                id=secrets.token_urlsafe(8).replace("-", "x").replace("_", "y")[:11],
                resource=session.resource,
                size=session.size,
                sha256=hashlib.sha256(bytes(session.data)).hexdigest(),
                polls_left=self.processing_polls,
                channel_id=session.channel_id,
            )
            self.videos[video.id] = video
            self.uploads.setdefault(session.channel_id, []).insert(0, video.id)
            session.video_id = video.id
            return 201, self._video_json(video, "snippet,status"), {}
        if session.video_id is not None:
            return 200, self._video_json(self.videos[session.video_id], "snippet,status"), {}
        if not session.data:
            return 308, None, {}
        return 308, None, {"Range": f"bytes=0-{len(session.data) - 1}"}

    def _thumbnail(self, q: dict[str, str], body: bytes) -> FakeYouTube.Answer:
        video = self.videos.get(q.get("videoId", ""))
        if video is None:
            return 404, error_body(404, "Video not found", "videoNotFound"), {}
        charged = self._charged("thumbnail")
        if charged is not None:
            return charged
        video.thumbnail = body
        return (
            200,
            {
                "kind": "youtube#thumbnailSetResponse",
                "items": [{"default": {"url": f"{self.base_url}/vi/{video.id}/default.jpg"}}],
            },
            {},
        )

    # -- lists

    def _channels(self, q: dict[str, str]) -> FakeYouTube.Answer:
        if q.get("mine") != "true":
            return 400, error_body(400, "mine=true expected by this fake", "badRequest"), {}
        return (
            200,
            {
                "kind": "youtube#channelListResponse",
                "items": [
                    {
                        "kind": "youtube#channel",
                        "id": self._caller,
                        "snippet": {
                            "title": self.channels[self._caller],
                            "thumbnails": {"default": {"url": f"{self.base_url}/avatar.jpg"}},
                        },
                        "contentDetails": {
                            "relatedPlaylists": {"uploads": "UU" + self._caller[2:]}
                        },
                    }
                ],
            },
            {},
        )

    def _playlist(self, q: dict[str, str]) -> FakeYouTube.Answer:
        if q.get("playlistId") != "UU" + self._caller[2:]:
            return 404, error_body(404, "Playlist not found", "playlistNotFound"), {}
        count = min(int(q.get("maxResults", "5")), 50)
        items = [
            {"kind": "youtube#playlistItem", "contentDetails": {"videoId": vid}}
            for vid in self.uploads.get(self._caller, [])[:count]
        ]
        return 200, {"kind": "youtube#playlistItemListResponse", "items": items}, {}

    def _list_videos(self, q: dict[str, str]) -> FakeYouTube.Answer:
        part = q.get("part", "")
        items = []
        for vid in filter(None, q.get("id", "").split(",")):
            video = self.videos.get(vid)
            if video is None:
                continue
            if "processingDetails" in part and video.polls_left > 0:
                video.polls_left -= 1
            items.append(self._video_json(video, part))
        return 200, {"kind": "youtube#videoListResponse", "items": items}, {}

    def _video_json(self, video: Video, part: str) -> dict[str, Any]:
        done = video.polls_left <= 0
        data: dict[str, Any] = {"kind": "youtube#video", "id": video.id}
        if "snippet" in part:
            data["snippet"] = {**video.resource.get("snippet", {}), "channelId": video.channel_id}
        if "status" in part:
            data["status"] = {
                **video.resource.get("status", {}),
                "uploadStatus": "processed" if done else "uploaded",
            }
        if "processingDetails" in part:
            data["processingDetails"] = {"processingStatus": "succeeded" if done else "processing"}
        return data


def _form(body: bytes) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def chaos(
    rng: random.Random, rate: float, kinds: tuple[str, ...] | None = None
) -> Callable[[str], str | None]:
    """A fault drawer for ``server.chaos``: with probability ``rate`` per request, one of the
    faults that can hit that request's kind (the slow answer only when named: it waits)."""
    names = kinds or tuple(name for name in FAULT_TARGETS if name != "slow_after_accept")

    def draw(kind: str) -> str | None:
        if rng.random() >= rate:
            return None
        fitting = [name for name in names if kind in FAULT_TARGETS[name]]
        return rng.choice(fitting) if fitting else None

    return draw
