"""What the fake Instagram and the fake Facebook share: Meta's Graph API host and its
resumable upload host on one local server.

* Facebook Login: ``GET /{ver}/oauth/access_token`` exchanges a code (its PKCE verifier and
  redirect checked) for a short-lived user token, and ``grant_type=fb_exchange_token`` a
  valid user token for a long-lived one; ``DELETE /{ver}/me/permissions`` revokes. There is
  no refresh token: an expired token cannot be exchanged.
* Every Graph request carries ``Authorization: OAuth|Bearer TOKEN`` (or ``access_token``);
  an expired token answers 400 ``{"error": {"code": 190, "error_subcode": 463, "type":
  "OAuthException", "fbtrace_id"}}``.
* Faults speak Graph: ``status_429`` is HTTP 400 with code 4 (application request limit),
  ``status_500`` code 1 and ``status_503`` code 2 (``is_transient``).
* The upload host takes ``POST`` with ``Authorization: OAuth``, ``offset`` and
  ``file_size``: the offset must be the bytes received so far (else 400 with
  ``debug_info``), and the bytes that arrived before a dropped connection are kept.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from video_orchestrator.providers.sandbox.platform import (
    Answer,
    FakeClock,
    PlatformServer,
    Request,
    Tokens,
)
from video_orchestrator.providers.sandbox.state import Hollow

VERSION = "v21.0"
APP_ID = "meta-app-id"
APP_SECRET = "meta-app-secret"
USER_ID = "10101"
PAGE_ID = "20202"
PAGE_NAME = "Ocean Facts"
IG_ID = "17841400000000001"
IG_USERNAME = "oceanfacts"
LONG_LIVED = 60 * 86400


@dataclass
class Upload:
    """Bytes arriving at the upload host for one container or video."""

    size: int | None = None
    data: bytearray = field(default_factory=bytearray)

    @property
    def received(self) -> int:
        return len(self.data)

    @property
    def complete(self) -> bool:
        return self.size is not None and self.received == self.size


def graph_error(
    message: str, code: int, *, subcode: int | None = None, status: int = 400, **extra: Any
) -> Answer:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "A" + secrets.token_hex(6),
        **extra,
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return Answer(status, {"error": error})


class GraphServer(PlatformServer):
    """Facebook Login, tokens and the upload host; subclasses add their Graph objects."""

    upload_prefix = ""
    #: What the sandbox keeps in its state file (``state.py``); subclasses add theirs.
    persisted_fields: tuple[str, ...] = (
        "tokens.access", "tokens.refresh", "tokens.used", "tokens.count", "codes", "uploads",
        "revoked",
    )  # fmt: skip
    state_types: tuple[type, ...] = ()

    def __init__(self, clock: FakeClock | None = None, *, long_lived: float = LONG_LIVED) -> None:
        super().__init__(clock)
        self.long_lived = long_lived
        self.tokens = Tokens(self.clock, "EAAG")
        self.codes: dict[str, tuple[str, str]] = {}  # code → (challenge, redirect)
        self.uploads: dict[str, Upload] = {}
        self.revoked = 0

    # -- helpers for tests ------------------------------------------------------------------------

    def authorize(self, challenge: str, redirect_uri: str) -> str:
        code = secrets.token_urlsafe(12)
        self.codes[code] = (challenge, redirect_uri)
        return code

    def dump_state(self) -> dict[str, Any]:
        state = super().dump_state()
        state["uploads"] = {  # a complete upload's bytes: its head (the format) and length
            key: Upload(upload.size, Hollow.of(upload.data))  # type: ignore[arg-type]
            if upload.complete
            else upload
            for key, upload in self.uploads.items()
        }
        return state

    def user_token(self, ttl: float | None = None) -> str:
        with self.lock:
            return self.tokens.issue(f"user:{USER_ID}", ttl or self.long_lived)[0]

    # -- routing ----------------------------------------------------------------------------------

    def route(self, request: Request) -> str:
        if self.upload_prefix and request.path.startswith(self.upload_prefix):
            return "upload"
        parts = request.path.strip("/").split("/")
        if parts[:1] != [VERSION]:
            return "unknown"
        rest = parts[1:]
        if rest == ["oauth", "access_token"]:
            return "token"
        if rest == ["dialog", "oauth"] and request.method == "GET":
            return "consent"
        if rest == ["me", "permissions"] and request.method == "DELETE":
            return "revoke"
        return self.graph_route(request.method, rest)

    def graph_route(self, method: str, parts: list[str]) -> str:
        raise NotImplementedError

    def error(self, route: str, status: int) -> Answer:
        if status == 429:
            return graph_error("(#4) Application request limit reached", 4, is_transient=True)
        if status == 503:
            return graph_error(
                "(#2) Service temporarily unavailable", 2, status=503, is_transient=True
            )
        return graph_error("An unknown error has occurred.", 1, status=500, is_transient=True)

    def token_of(self, request: Request) -> str:
        return request.bearer("OAuth") or request.bearer() or request.query.get("access_token", "")

    def expire(self, request: Request) -> None:
        self.tokens.expire(self.token_of(request))

    def handle(self, route: str, request: Request) -> Answer:
        self.advance()
        if route == "consent":
            return self._consent(request.query)
        if route == "token":
            return self._token(request.form())
        if route == "unknown":
            return graph_error("Unknown path components", 2500)
        token = self.token_of(request)
        who = self.tokens.who(token)
        if who is None:
            if token in self.tokens.access:
                return graph_error(
                    "Error validating access token: Session has expired.", 190, subcode=463
                )
            return graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        if route == "revoke":
            for known, (owner, _) in list(self.tokens.access.items()):
                if owner == who:
                    self.tokens.expire(known, now=True)
            self.revoked += 1
            return Answer(200, {"success": True})
        if route == "upload":
            return self._upload(request)
        return self.graph(route, request, who)

    def graph(self, route: str, request: Request, who: str) -> Answer:
        raise NotImplementedError

    def advance(self) -> None:
        """Objects move on with the clock (processing, expiry)."""

    # -- Facebook Login ---------------------------------------------------------------------------

    def settings(self, adapter: str) -> dict[str, Any]:
        """The settings that point the ``adapter`` (instagram, facebook) here."""
        return {"provider_settings": {adapter: {
            "meta_app_id": APP_ID, "meta_app_secret": APP_SECRET,
            "meta_graph_url": self.base_url, "meta_upload_url": self.base_url,
            "meta_dialog_url": self.base_url,
        }}}  # fmt: skip

    def _consent(self, query: dict[str, str]) -> Answer:
        """The Facebook Login dialog, agreeing at once: back to ``redirect_uri``."""
        if query.get("client_id") != APP_ID or query.get("response_type") != "code":
            return Answer(400, "client_id or response_type is wrong")
        code = self.authorize(query.get("code_challenge", ""), query.get("redirect_uri", ""))
        back = urlencode({"code": code, "state": query.get("state", "")})
        return Answer(302, "", headers={"Location": f"{query.get('redirect_uri')}?{back}"})

    def _token(self, form: dict[str, str]) -> Answer:
        if form.get("client_id") != APP_ID or form.get("client_secret") != APP_SECRET:
            return graph_error("Error validating client secret.", 1, subcode=None)
        if form.get("grant_type") == "fb_exchange_token":
            who = self.tokens.who(form.get("fb_exchange_token", ""))
            if who is None:
                return graph_error(
                    "Error validating access token: Session has expired.", 190, subcode=463
                )
            access, _ = self.tokens.issue(who, self.long_lived)
            return Answer(
                200,
                {
                    "access_token": access,
                    "token_type": "bearer",
                    "expires_in": int(self.long_lived),
                },
            )
        found = self.codes.pop(form.get("code", ""), None)
        if found is None:
            return graph_error("This authorization code has been used.", 100, subcode=36009)
        challenge, redirect = found
        digest = base64.urlsafe_b64encode(
            hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        )
        if digest.rstrip(b"=").decode() != challenge:
            return graph_error("Invalid code verifier.", 100)
        if form.get("redirect_uri") != redirect:
            return graph_error(
                "Can't load URL: the redirect_uri differs from the one of the dialog.",
                100,
                subcode=36008,
            )
        access, _ = self.tokens.issue(f"user:{USER_ID}", 3600)
        return Answer(200, {"access_token": access, "token_type": "bearer", "expires_in": 3600})

    # -- the upload host --------------------------------------------------------------------------

    def _upload(self, request: Request) -> Answer:
        name = request.path.rsplit("/", 1)[-1]
        upload = self.uploads.get(name)
        if upload is None or not request.headers.get("authorization", "").startswith("OAuth "):
            return Answer(
                400,
                {"debug_info": {"retriable": False, "type": "NotFound", "message": "no session"}},
            )
        problem = self._offset_problem(request, upload)
        if problem:
            return Answer(
                400,
                {
                    "debug_info": {
                        "retriable": False,
                        "type": "ProcessingFailedError",
                        "message": problem,
                    }
                },
            )
        upload.size = int(request.headers["file_size"])
        if upload.received + len(request.body) > upload.size:
            return Answer(
                400,
                {
                    "debug_info": {
                        "retriable": False,
                        "type": "ProcessingFailedError",
                        "message": "more bytes than file_size",
                    }
                },
            )
        upload.data.extend(request.body)
        self.uploaded(name, upload)
        return Answer(200, {"success": True, "message": "Upload successful."})

    def _offset_problem(self, request: Request, upload: Upload) -> str:
        offset, size = request.headers.get("offset", ""), request.headers.get("file_size", "")
        if not offset.isdigit() or not size.isdigit():
            return "offset and file_size headers are required"
        if upload.size is not None and int(size) != upload.size:
            return f"file_size changed: it is {upload.size}"
        if int(offset) != upload.received:
            return f"Offset mismatch: expected offset {upload.received}"
        return ""

    def partial(self, route: str, request: Request) -> None:
        """Bytes that arrived before the connection dropped are kept (resumable host)."""
        if route != "upload":
            return
        upload = self.uploads.get(request.path.rsplit("/", 1)[-1])
        if upload is None or self._offset_problem(request, upload):
            return
        upload.size = int(request.headers["file_size"])
        upload.data.extend(request.body[: upload.size - upload.received])

    def uploaded(self, name: str, upload: Upload) -> None:
        """An upload piece arrived (subclasses start processing when complete)."""
