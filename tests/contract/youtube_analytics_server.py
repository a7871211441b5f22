"""A local server speaking YouTube Analytics API v2 ``reports.query`` as documented: the
Bearer token checked (an expired one: 401 with Google's error body), the query's parameters
checked (``ids``, dates, ``metrics``, ``dimensions=day``, ``filters=video==ID``), planted
figures per video and day answered as a result table; faults on demand (429 with
``Retry-After``, 403 ``quotaExceeded``, 403 ``insufficientPermissions``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.httpserver import HTTPTestServer, Recorded, Reply

HEADERS = [
    ("day", "DIMENSION", "STRING"),
    ("views", "METRIC", "INTEGER"),
    ("estimatedMinutesWatched", "METRIC", "INTEGER"),
    ("averageViewDuration", "METRIC", "INTEGER"),
    ("averageViewPercentage", "METRIC", "FLOAT"),
    ("likes", "METRIC", "INTEGER"),
    ("comments", "METRIC", "INTEGER"),
    ("shares", "METRIC", "INTEGER"),
    ("subscribersGained", "METRIC", "INTEGER"),
    ("subscribersLost", "METRIC", "INTEGER"),
]


def google_error(code: int, message: str, reason: str) -> dict[str, object]:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": "youtube.analytics", "reason": reason}],
        }
    }


@dataclass
class AnalyticsAPI:
    """Planted figures: ``views[video][day]``; other metrics derived from views."""

    views: dict[str, dict[date, int]]
    valid_tokens: set[str] = field(default_factory=lambda: {"fresh-token"})
    faults: list[Reply] = field(default_factory=list)

    def answer(self, request: Recorded) -> Reply:
        if self.faults:
            return self.faults.pop(0)
        parts = urlsplit(request.path)
        if parts.path != "/v2/reports" or request.method != "GET":
            return Reply(404, google_error(404, "Not Found", "notFound"))
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return Reply(
                401,
                google_error(401, "Request had invalid authentication credentials.", "authError"),
                {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        required = ("ids", "startDate", "endDate", "metrics")
        missing = [name for name in required if name not in query]
        if missing:
            return Reply(400, google_error(400, f"Required parameter: {missing[0]}", "required"))
        if query["ids"] != "channel==MINE" or query.get("dimensions") != "day":
            return Reply(400, google_error(400, "The query is not supported.", "badRequest"))
        video = query.get("filters", "").removeprefix("video==")
        start, end = date.fromisoformat(query["startDate"]), date.fromisoformat(query["endDate"])
        asked = query["metrics"].split(",")
        known = [h[0] for h in HEADERS[1:]]
        if any(m not in known for m in asked):
            return Reply(400, google_error(400, "Unknown identifier.", "invalidValue"))
        rows = []
        day = start
        while day <= end:
            views = self.views.get(video, {}).get(day)
            if views is not None:
                figures = {
                    "views": views,
                    "estimatedMinutesWatched": views // 2,
                    "averageViewDuration": 30,
                    "averageViewPercentage": 61.5,
                    "likes": views // 10,
                    "comments": views // 100,
                    "shares": views // 50,
                    "subscribersGained": 3,
                    "subscribersLost": 1,
                }
                rows.append([day.isoformat(), *(figures[m] for m in asked)])
            day += timedelta(days=1)
        body: dict[str, object] = {
            "kind": "youtubeAnalytics#resultTable",
            "columnHeaders": [
                {"name": n, "columnType": c, "dataType": d}
                for n, c, d in [HEADERS[0], *(h for h in HEADERS if h[0] in asked)]
            ],
        }
        if rows:
            body["rows"] = rows
        return Reply(200, body)


def serve(api: AnalyticsAPI) -> HTTPTestServer:
    return HTTPTestServer(api.answer)
