"""A fake TikTok: Login Kit OAuth v2 and the Content Posting API's Direct Post, with the
rules the real service documents (``/work/shared/reference/PLATFORMS.md``):

* OAuth: ``/v2/oauth/token/`` checks the client, the code and its PKCE verifier (S256),
  issues access tokens that expire on the server clock and refresh tokens that rotate;
  ``/v2/oauth/revoke/``; ``/v2/user/info/``.
* ``creator_info/query`` (20/min), ``video/init`` (6/min), ``status/fetch`` (30/min) per
  token: over that, 429 ``rate_limit_exceeded``.
* ``video/init`` checks ``post_info`` (title ≤ 2200, ``privacy_level`` among the creator's
  options, SELF_ONLY only for an unaudited client, branded content not private) and the chunk
  rule (chunks ``min_chunk``–``max_chunk``, the final one up to ``max_final``,
  ``total_chunk_count = floor(size / chunk)``, a file under ``min_chunk`` whole); a daily cap
  of posts per creator (403 ``spam_risk_too_many_posts``).
* ``PUT upload_url``: ``Content-Type: video/mp4``, ``Content-Range: bytes a-b/total``
  exactly the next chunk in order, the body that long; 206 per chunk, 201 for the last. The
  URL lives an hour (then 404). A chunk cut by a dropped connection is not kept.
* After the last chunk the publish is ``PROCESSING_UPLOAD`` for ``processing_seconds``, then
  ``PUBLISH_COMPLETE`` — or ``FAILED`` with ``file_format_check_failed`` when the file is not
  an MP4 (no ``ftyp`` box), ``duration_check_failed`` when ``fail_next`` says so.

:attr:`TikTokServer.posts` holds every post made (publish id → title): a duplicate is two
posts with one title.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from video_orchestrator.providers.sandbox.platform import (
    Answer,
    FakeClock,
    PlatformServer,
    RateLimits,
    Request,
    Tokens,
)
from video_orchestrator.providers.sandbox.state import Hollow

MIB = 1024 * 1024
CLIENT_KEY = "tt-client-key"
CLIENT_SECRET = "tt-client-secret"
OPEN_ID = "open-id-ocean-facts"
PRIVACY = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]
RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


@dataclass
class Publish:
    open_id: str
    title: str
    size: int
    chunk: int
    count: int
    upload_token: str
    created: float
    public: bool
    received: int = 0
    chunks: int = 0
    data: bytearray = field(default_factory=bytearray)
    status: str = "PROCESSING_UPLOAD"
    fail_reason: str = ""
    completed: float | None = None
    post_id: str = ""


class TikTokServer(PlatformServer):
    """``with TikTokServer() as tiktok: … tiktok.base_url …``"""

    #: What the sandbox keeps in its state file (``state.py``).
    persisted_fields = (
        "tokens.access", "tokens.refresh", "tokens.used", "tokens.count", "limits.seen",
        "codes", "publishes", "posts", "fail_next", "revoked", "creator",
    )  # fmt: skip
    state_types = (Publish,)

    def __init__(
        self,
        clock: FakeClock | None = None,
        *,
        min_chunk: int = 5 * MIB,
        max_chunk: int = 64 * MIB,
        max_final: int = 128 * MIB,
        audited: bool = True,
        daily_posts: int = 15,
        processing_seconds: float = 20.0,
        token_ttl: float = 7200.0,
    ) -> None:
        super().__init__(clock)
        self.min_chunk, self.max_chunk, self.max_final = min_chunk, max_chunk, max_final
        self.audited = audited
        self.daily_posts = daily_posts
        self.processing_seconds = processing_seconds
        self.token_ttl = token_ttl
        self.tokens = Tokens(self.clock, "tt")
        self.limits = RateLimits(self.clock, {"creator_info": 20, "init": 6, "status": 30})
        self.codes: dict[str, tuple[str, str, str]] = {}  # code → (open_id, challenge, redirect)
        self.publishes: dict[str, Publish] = {}
        self.posts: dict[str, str] = {}  # publish id → title, once the upload completed
        self.fail_next: str = ""
        self.revoked: list[str] = []
        self.creator: dict[str, Any] = {
            "creator_avatar_url": "https://p16.example/avatar.jpeg",
            "creator_username": "oceanfacts",
            "creator_nickname": "Ocean Facts",
            "privacy_level_options": list(PRIVACY),
            "comment_disabled": False,
            "duet_disabled": False,
            "stitch_disabled": True,
            "max_video_post_duration_sec": 600,
        }

    # -- helpers for tests ----------------------------------------------------------------------

    def authorize(self, challenge: str, redirect_uri: str, open_id: str = OPEN_ID) -> str:
        """The user consents in the browser: the code sent to ``redirect_uri``."""
        code = secrets.token_urlsafe(12)
        self.codes[code] = (open_id, challenge, redirect_uri)
        return code

    def grant(self, open_id: str = OPEN_ID) -> tuple[str, str]:
        """Tokens as after a connection (access, refresh)."""
        with self.lock:
            return self.tokens.issue(open_id, self.token_ttl, 180 * 86400)

    def settings(self) -> dict[str, Any]:
        """The settings that point the TikTok adapter here (a sandbox, or a test)."""
        return {"provider_settings": {"tiktok": {
            "tiktok_client_key": CLIENT_KEY, "tiktok_client_secret": CLIENT_SECRET,
            "tiktok_api_url": self.base_url,
            "tiktok_authorize_url": f"{self.base_url}/v2/auth/authorize/",
        }}}  # fmt: skip

    def titles(self) -> list[str]:
        return list(self.posts.values())

    def dump_state(self) -> dict[str, Any]:
        state = super().dump_state()
        state["publishes"] = {  # an uploaded file's bytes are checked: not kept
            key: replace(publish, data=Hollow.of(publish.data))  # type: ignore[arg-type]
            if publish.chunks >= publish.count
            else publish
            for key, publish in self.publishes.items()
        }
        return state

    # -- routing ------------------------------------------------------------------------------

    def route(self, request: Request) -> str:
        path, method = request.path, request.method
        if path.startswith("/upload/") and method == "PUT":
            return "upload"
        return {
            ("GET", "/v2/auth/authorize/"): "consent",
            ("POST", "/v2/oauth/token/"): "token",
            ("POST", "/v2/oauth/revoke/"): "revoke",
            ("GET", "/v2/user/info/"): "user_info",
            ("POST", "/v2/post/publish/creator_info/query/"): "creator_info",
            ("POST", "/v2/post/publish/video/init/"): "init",
            ("POST", "/v2/post/publish/status/fetch/"): "status",
        }.get((method, path), "unknown")

    def error(self, route: str, status: int) -> Answer:
        code = {429: "rate_limit_exceeded", 500: "internal_error", 503: "internal_error"}
        return _error(status, code.get(status, "internal_error"), "Something went wrong.")

    def expire(self, request: Request) -> None:
        self.tokens.expire(request.bearer())

    def handle(self, route: str, request: Request) -> Answer:
        self._advance()
        if route == "consent":
            return self._consent(request.query)
        if route == "token":
            return self._token(request)
        if route == "revoke":
            form = request.form()
            self.revoked.append(form.get("token", ""))
            self.tokens.expire(form.get("token", ""), now=True)
            return Answer(200, {})
        if route == "unknown":
            return _error(404, "invalid_params", "The path is not a TikTok API.")
        if route == "upload":
            return self._upload(request)
        who = self.tokens.who(request.bearer())
        if who is None:
            return _error(
                401,
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
            )
        if route == "user_info":
            return _ok(
                {
                    "user": {
                        "open_id": who,
                        "display_name": self.creator["creator_nickname"],
                        "avatar_url": self.creator["creator_avatar_url"],
                    }
                }
            )
        if not self.limits.allow(who, route):
            return _error(429, "rate_limit_exceeded", "API rate limit was exceeded.")
        if route == "creator_info":
            return _ok(dict(self.creator))
        if route == "init":
            return self._init(who, request.json())
        return self._status(who, request.json())

    # -- OAuth --------------------------------------------------------------------------------

    def _consent(self, query: dict[str, str]) -> Answer:
        """The consent page, agreeing at once: back to ``redirect_uri`` with a code."""
        if query.get("client_key") != CLIENT_KEY or query.get("response_type") != "code":
            return Answer(400, "client_key or response_type is wrong")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return Answer(400, "code_challenge with S256 is required")
        code = self.authorize(query["code_challenge"], query.get("redirect_uri", ""))
        back = urlencode({"code": code, "scopes": query.get("scope", ""),
                          "state": query.get("state", "")})  # fmt: skip
        return Answer(302, "", headers={"Location": f"{query.get('redirect_uri')}?{back}"})

    def _token(self, request: Request) -> Answer:
        form = request.form()
        if form.get("client_key") != CLIENT_KEY or form.get("client_secret") != CLIENT_SECRET:
            return Answer(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "Client key or secret is incorrect.",
                    "log_id": "log-1",
                },
            )
        grant = form.get("grant_type")
        if grant == "authorization_code":
            found = self.codes.pop(form.get("code", ""), None)
            if found is None:
                return _oauth_error("invalid_grant", "Authorization code is expired.")
            open_id, challenge, redirect = found
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if digest.rstrip(b"=").decode() != challenge:
                return _oauth_error("invalid_grant", "Code verifier does not match.")
            if form.get("redirect_uri") != redirect:
                return _oauth_error("invalid_request", "Redirect URI does not match.")
        elif grant == "refresh_token":
            open_id_or_none = self.tokens.use_refresh(form.get("refresh_token", ""))
            if open_id_or_none is None:
                return _oauth_error("invalid_grant", "Refresh token is invalid or expired.")
            open_id = open_id_or_none
        else:
            return _oauth_error("unsupported_grant_type", "Grant type is not supported.")
        access, refresh = self.tokens.issue(open_id, self.token_ttl, 180 * 86400)
        return Answer(
            200,
            {
                "access_token": access,
                "expires_in": int(self.token_ttl),
                "open_id": open_id,
                "refresh_token": refresh,
                "refresh_expires_in": 180 * 86400,
                "scope": "user.info.basic,video.publish,video.upload",
                "token_type": "Bearer",
            },
        )

    # -- posting ------------------------------------------------------------------------------

    def _init(self, who: str, body: dict[str, Any]) -> Answer:
        post, source = body.get("post_info") or {}, body.get("source_info") or {}
        title = str(post.get("title") or "")
        if len(title) > 2200:
            return _error(400, "invalid_params", "title is longer than 2200 characters.")
        privacy = post.get("privacy_level")
        if privacy not in self.creator["privacy_level_options"]:
            return _error(
                400,
                "privacy_level_option_mismatch",
                "privacy_level is not one of the creator's options.",
            )
        if not self.audited and privacy != "SELF_ONLY":
            return _error(
                403,
                "unaudited_client_can_only_post_to_private_accounts",
                "Unaudited clients can only post to a private account.",
            )
        if post.get("brand_content_toggle") is True and privacy == "SELF_ONLY":
            return _error(400, "invalid_params", "Branded content cannot be private.")
        for flag in (
            "disable_comment",
            "disable_duet",
            "disable_stitch",
            "is_aigc",
            "brand_content_toggle",
            "brand_organic_toggle",
        ):
            if flag in post and not isinstance(post[flag], bool):
                return _error(400, "invalid_params", f"{flag} must be a boolean.")
        for flag in ("comment", "duet", "stitch"):
            if self.creator[f"{flag}_disabled"] and post.get(f"disable_{flag}") is not True:
                return _error(400, "invalid_params", f"{flag} is disabled by the creator.")
        if source.get("source") != "FILE_UPLOAD":
            return _error(400, "invalid_params", "source must be FILE_UPLOAD here.")
        size, chunk, count = (
            source.get(k) for k in ("video_size", "chunk_size", "total_chunk_count")
        )
        if not all(isinstance(v, int) and v > 0 for v in (size, chunk, count)):
            return _error(
                400,
                "invalid_params",
                "video_size, chunk_size and total_chunk_count must be positive integers.",
            )
        assert isinstance(size, int) and isinstance(chunk, int) and isinstance(count, int)
        problem = self.chunk_problem(size, chunk, count)
        if problem:
            return _error(400, "invalid_params", problem)
        day = self.clock() - 86400
        made = sum(
            1
            for p in self.publishes.values()
            if p.open_id == who and p.completed is not None and p.completed > day
        )
        if made >= self.daily_posts:
            return _error(
                403, "spam_risk_too_many_posts", "The user has reached the daily post limit."
            )
        publish_id = f"v_pub_file~v2-1.{secrets.token_hex(8)}"
        token = secrets.token_urlsafe(12)
        self.publishes[publish_id] = Publish(
            open_id=who,
            title=title,
            size=size,
            chunk=chunk,
            count=count,
            upload_token=token,
            created=self.clock(),
            public=privacy != "SELF_ONLY",
        )
        return _ok(
            {
                "publish_id": publish_id,
                "upload_url": f"{self.base_url}/upload/{publish_id}?upload_token={token}",
            }
        )

    def chunk_problem(self, size: int, chunk: int, count: int) -> str:
        if size < self.min_chunk:
            if chunk != size or count != 1:
                return "a video under the minimum chunk size must be uploaded whole."
            return ""
        if count == 1 and chunk == size and size <= self.max_chunk:
            return ""
        if not self.min_chunk <= chunk <= self.max_chunk:
            return f"chunk_size must be between {self.min_chunk} and {self.max_chunk} bytes."
        if count != size // chunk:
            return "total_chunk_count must be floor(video_size / chunk_size)."
        if size - (count - 1) * chunk > self.max_final:
            return f"the final chunk may be at most {self.max_final} bytes."
        if count > 1000:
            return "at most 1000 chunks."
        return ""

    def _range(self, publish: Publish, index: int) -> tuple[int, int]:
        first = index * publish.chunk
        last = publish.size - 1 if index == publish.count - 1 else first + publish.chunk - 1
        return first, last

    def _upload(self, request: Request) -> Answer:
        publish_id = request.path.removeprefix("/upload/")
        publish = self.publishes.get(publish_id)
        if publish is None or request.query.get("upload_token") != publish.upload_token:
            return _error(404, "invalid_params", "The upload URL is not valid.")
        if self.clock() > publish.created + 3600 and publish.chunks < publish.count:
            return _error(404, "invalid_params", "The upload URL has expired.")
        if request.headers.get("content-type") != "video/mp4":
            return _error(400, "invalid_params", "Content-Type must be video/mp4.")
        match = RANGE.match(request.headers.get("content-range", ""))
        if match is None:
            return _error(400, "invalid_params", "Content-Range must be bytes first-last/total.")
        first, last, total = (int(g) for g in match.groups())
        if publish.chunks >= publish.count:
            return _error(400, "invalid_params", "All chunks were already uploaded.")
        want = self._range(publish, publish.chunks)
        if total != publish.size or (first, last) != want:
            return Answer(
                416,
                {
                    "error": {
                        "code": "invalid_params",
                        "message": f"Expected Content-Range bytes {want[0]}-{want[1]}/"
                        f"{publish.size}.",
                        "log_id": "log-u",
                    }
                },
            )
        if len(request.body) != last - first + 1:
            return _error(400, "invalid_params", "The body does not match Content-Range.")
        publish.data.extend(request.body)
        publish.received = last + 1
        publish.chunks += 1
        if publish.chunks < publish.count:
            return Answer(206, b"")
        publish.completed = self.clock()
        if publish.data[4:8] != b"ftyp":
            publish.status, publish.fail_reason = "FAILED", "file_format_check_failed"
        elif self.fail_next:
            publish.status, publish.fail_reason = "FAILED", self.fail_next
            self.fail_next = ""
        else:
            self.posts[publish_id] = publish.title
        return Answer(201, b"")

    def _advance(self) -> None:
        """Publishes move on with the clock."""
        for publish_id, publish in self.publishes.items():
            if (
                publish.status == "PROCESSING_UPLOAD"
                and publish.completed is not None
                and self.clock() >= publish.completed + self.processing_seconds
            ):
                publish.status = "PUBLISH_COMPLETE"
                if publish.public:
                    publish.post_id = str(7_300_000_000_000_000_000 + len(self.posts))
            elif (
                publish.status == "PROCESSING_UPLOAD"
                and publish.completed is None
                and self.clock() > publish.created + 3600
            ):
                publish.status, publish.fail_reason = "FAILED", "upload expired"
                self.posts.pop(publish_id, None)

    def _status(self, who: str, body: dict[str, Any]) -> Answer:
        publish = self.publishes.get(str(body.get("publish_id")))
        if publish is None or publish.open_id != who:
            return _error(400, "invalid_publish_id", "The publish_id does not exist.")
        data: dict[str, Any] = {"status": publish.status, "uploaded_bytes": publish.received}
        if publish.fail_reason:
            data["fail_reason"] = publish.fail_reason
        if publish.post_id:
            data["publicaly_available_post_id"] = [int(publish.post_id)]
        return _ok(data)


def _ok(data: dict[str, Any]) -> Answer:
    return Answer(200, {"data": data, "error": {"code": "ok", "message": "", "log_id": "log-ok"}})


def _error(status: int, code: str, message: str) -> Answer:
    return Answer(
        status,
        {"data": {}, "error": {"code": code, "message": message, "log_id": f"log-{code[:8]}"}},
    )


def _oauth_error(error: str, description: str) -> Answer:
    return Answer(400, {"error": error, "error_description": description, "log_id": "log-o"})
