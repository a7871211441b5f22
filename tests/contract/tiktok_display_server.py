"""A local server speaking TikTok's Display API v2 ``POST /v2/video/query/`` as documented:
the Bearer token checked (expired: 401 ``access_token_invalid``), ``fields`` and
``filters.video_ids`` (at most 20) checked, planted lifetime counts answered in
``data.videos`` with ``error.code = "ok"``; faults on demand (429 ``rate_limit_exceeded``
with ``Retry-After``, 401 ``scope_not_authorized``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.httpserver import HTTPTestServer, Recorded, Reply


def tiktok_error(code: str, message: str) -> dict[str, object]:
    return {"data": {}, "error": {"code": code, "message": message, "log_id": "2026120409"}}


@dataclass
class DisplayAPI:
    videos: dict[str, dict[str, Any]]
    valid_tokens: set[str] = field(default_factory=lambda: {"act.fresh"})
    faults: list[Reply] = field(default_factory=list)

    def answer(self, request: Recorded) -> Reply:
        if self.faults:
            return self.faults.pop(0)
        parts = urlsplit(request.path)
        if parts.path != "/v2/video/query/" or request.method != "POST":
            return Reply(404, tiktok_error("not_found", "unknown endpoint"))
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return Reply(401, tiktok_error("access_token_invalid", "The access token is invalid"))
        fields = parse_qs(parts.query).get("fields", [""])[0].split(",")
        body = request.body if isinstance(request.body, dict) else {}
        ids = body.get("filters", {}).get("video_ids")
        if not isinstance(ids, list) or not ids or len(ids) > 20 or "id" not in fields:
            return Reply(400, tiktok_error("invalid_params", "video_ids: 1 to 20 ids"))
        found = [
            {k: v for k, v in {"id": i, **self.videos[i]}.items() if k in fields}
            for i in ids
            if i in self.videos
        ]
        return Reply(200, {"data": {"videos": found}, "error": tiktok_error("ok", "")["error"]})


def serve(api: DisplayAPI) -> HTTPTestServer:
    return HTTPTestServer(api.answer)
