"""A local server speaking the Instagram Graph API's media reads as documented for insights:
``GET /{version}/{media-id}?fields=…`` (the Reel: caption, permalink, timestamp) and
``GET /{version}/{media-id}/insights?metric=…`` (lifetime values in ``data[].values[0]``);
the token in ``Authorization: OAuth`` checked (an expired one: Graph's code 190 body); the
metric names checked (``plays``/``impressions``: code 100, deprecated since v22); a deleted
media: code 100 subcode 33; faults on demand (a rate limit, code 4 with HTTP 400; HTTP 429;
a transient code 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.httpserver import HTTPTestServer, Recorded, Reply

VERSION = "v21.0"
KNOWN = {
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
}


def graph_error(code: int, message: str, *, subcode: int | None = None,
                kind: str = "OAuthException") -> dict[str, Any]:  # fmt: skip
    error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                             "fbtrace_id": "AbCdEf123"}  # fmt: skip
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


@dataclass
class InsightsAPI:
    """Planted Reels: ``media[id] = {"timestamp", "caption", "insights": {name: value}}``."""

    media: dict[str, dict[str, Any]]
    valid_tokens: set[str] = field(default_factory=lambda: {"IGfresh"})
    faults: list[Reply] = field(default_factory=list)

    def answer(self, request: Recorded) -> Reply:
        if self.faults:
            return self.faults.pop(0)
        parts = urlsplit(request.path)
        path = parts.path.strip("/").split("/")
        if request.method != "GET" or not path or path[0] != VERSION or len(path) not in (2, 3):
            return Reply(400, graph_error(2500, "Unknown path components"))
        token = request.headers.get("authorization", "").removeprefix("OAuth ")
        if token not in self.valid_tokens:
            return Reply(
                400,
                graph_error(190, "Error validating access token: Session has expired", subcode=463),
            )
        media = self.media.get(path[1])
        if media is None:
            return Reply(
                400,
                graph_error(
                    100,
                    f"Unsupported get request. Object with ID '{path[1]}' does not exist",
                    subcode=33,
                    kind="GraphMethodException",
                ),
            )
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if len(path) == 2:
            fields = query.get("fields", "id").split(",")
            whole = {
                "id": path[1],
                "media_product_type": "REELS",
                "permalink": f"https://www.instagram.com/reel/{path[1]}/",
                **media,
            }
            return Reply(200, {k: v for k, v in whole.items() if k in fields})
        if path[2] != "insights":
            return Reply(400, graph_error(2500, "Unknown path components"))
        asked = query.get("metric", "").split(",")
        unknown = [m for m in asked if m not in KNOWN]
        if unknown:
            return Reply(
                400,
                graph_error(
                    100,
                    f"(#100) The Media Insights API does not support the "
                    f"{unknown[0]} metric for this media product type.",
                ),
            )
        data = [
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": media["insights"].get(name, 0)}],
                "title": name.replace("_", " ").title(),
                "id": f"{path[1]}/insights/{name}/lifetime",
            }
            for name in asked
        ]
        return Reply(200, {"data": data})


def serve(api: InsightsAPI) -> HTTPTestServer:
    return HTTPTestServer(api.answer)
