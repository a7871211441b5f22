"""A fake Facebook Graph API for Page Reels (with Facebook Login, ``graph.py``):

* ``GET /me/accounts?fields=id,name,access_token`` (a user token) gives the Page's token;
  ``GET /me`` with a Page token is the Page.
* ``POST /{page-id}/video_reels`` ``upload_phase=start`` (a Page token of that Page) →
  ``{video_id, upload_url}`` on the upload host (``/video-upload/{ver}/{video_id}``).
* ``upload_phase=finish`` with ``video_id``, ``video_state`` (``PUBLISHED``, ``DRAFT``, or
  ``SCHEDULED`` with a future ``scheduled_publish_time``) and ``description``: the bytes must
  be complete; the Page may publish ``daily_reels`` Reels in 24 h (code 9 over it); a video
  is finished once. Then it processes for ``processing_seconds`` and is published (or
  scheduled), or fails processing when the file is not an MP4.
* ``GET /{video_id}?fields=…``: the fields asked for of ``id``, ``title``,
  ``description``, ``permalink_url`` (the Reel's path on the site), ``created_time``,
  ``length`` and ``status`` (``video_status`` and the uploading (with
  ``bytes_transferred``), processing and publishing phases). A video not finished within an
  hour of its start is ``expired``.
* ``GET /{video_id}/video_insights?metric=…&period=lifetime`` (a Page token of the video's
  Page): the Reels insights (:data:`REELS_METRICS`) as lifetime values, those planted in
  :attr:`FacebookServer.insights` or none yet (zero, no reactions); a metric the API
  version does not know, or one in :attr:`FacebookServer.retired`, is code 100; without
  the insights permission (:attr:`FacebookServer.insights_granted` false) code 10; a video
  not yet published has no data. Faults on the ``insights`` route: ``status_429`` (code 4),
  ``expire_token`` (code 190), as everywhere.

:attr:`FacebookServer.reels` holds every Reel published or scheduled; a duplicate is one
description twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from video_orchestrator.providers.sandbox.graph import (
    PAGE_ID,
    PAGE_NAME,
    USER_ID,
    VERSION,
    GraphServer,
    Upload,
    graph_error,
)
from video_orchestrator.providers.sandbox.platform import Answer, FakeClock, Request

#: The Reels insights of ``/{video_id}/video_insights`` and their value when none is planted.
REELS_METRICS: dict[str, Any] = {
    "blue_reels_play_count": 0,
    "fb_reels_total_plays": 0,
    "fb_reels_replay_count": 0,
    "post_impressions_unique": 0,
    "post_video_avg_time_watched": 0,
    "post_video_view_time": 0,
    "post_video_followers": 0,
    "post_video_likes_by_reaction_type": {},
    "post_video_social_actions": {},
}


@dataclass
class Video:
    page: str
    created: float
    finished_at: float | None = None
    state: str = ""
    description: str = ""
    title: str = ""
    length: float | None = None
    publish_time: float | None = None
    processed: str = "not_started"  # not_started | complete | error


class FacebookServer(GraphServer):
    """``with FacebookServer() as facebook: … facebook.base_url …``"""

    upload_prefix = f"/video-upload/{VERSION}/"
    persisted_fields = (
        *GraphServer.persisted_fields, "videos", "insights", "retired", "insights_granted",
    )  # fmt: skip
    state_types = (Upload, Video)

    def __init__(
        self,
        clock: FakeClock | None = None,
        *,
        daily_reels: int = 30,
        processing_seconds: float = 30.0,
        long_lived: float = 60 * 86400,
    ) -> None:
        super().__init__(clock, long_lived=long_lived)
        self.daily_reels = daily_reels
        self.processing_seconds = processing_seconds
        self.videos: dict[str, Video] = {}
        #: Planted lifetime insights by video id (``{metric: value}``).
        self.insights: dict[str, dict[str, Any]] = {}
        #: Metrics this API version no longer answers (code 100).
        self.retired: set[str] = set()
        #: Whether the Page's token carries the insights permission (else code 10).
        self.insights_granted = True

    def reels(self) -> list[str]:
        return [
            v.description
            for v in self.videos.values()
            if v.finished_at is not None and v.state != "DRAFT" and v.processed != "error"
        ]

    def page_token(self) -> str:
        with self.lock:
            return self.tokens.issue(f"page:{PAGE_ID}", self.long_lived)[0]

    # -- routing ----------------------------------------------------------------------------------

    def graph_route(self, method: str, parts: list[str]) -> str:
        if parts == ["me", "accounts"] and method == "GET":
            return "accounts"
        if parts == ["me"] and method == "GET":
            return "me"
        if len(parts) == 2 and parts[1] == "video_reels" and method == "POST":
            return "reels"
        if len(parts) == 1 and method == "GET":
            return "video"
        if len(parts) == 2 and parts[1] == "video_insights" and method == "GET":
            return "insights"
        return "unknown"

    def graph(self, route: str, request: Request, who: str) -> Answer:
        if route == "accounts":
            if not who.startswith("user:"):
                return graph_error("(#100) Tried accessing nonexisting field (accounts)", 100)
            expires = self.tokens.access[self.token_of(request)][1]
            page_token, _ = self.tokens.issue(f"page:{PAGE_ID}", expires - self.clock())
            return Answer(
                200,
                {
                    "data": [
                        {
                            "id": PAGE_ID,
                            "name": PAGE_NAME,
                            "access_token": page_token,
                            "category": "Education",
                        }
                    ]
                },
            )
        if route == "me":
            if who.startswith("page:"):
                return Answer(200, {"id": PAGE_ID, "name": PAGE_NAME})
            return Answer(200, {"id": USER_ID, "name": "Ada"})
        if route == "reels":
            page = request.path.strip("/").split("/")[1]
            if who != f"page:{page}":
                return graph_error(
                    "(#200) The user must be an admin of the Page; use a Page access token.", 200
                )
            form = request.form()
            if form.get("upload_phase") == "start":
                return self._start(page)
            if form.get("upload_phase") == "finish":
                return self._finish(page, form)
            return graph_error("(#100) upload_phase must be start or finish", 100)
        if route == "video":
            return self._video(request.path.rsplit("/", 1)[-1], request, who)
        if route == "insights":
            return self._insights(request.path.strip("/").split("/")[1], request, who)
        return graph_error("Unsupported request - method type or path", 100, subcode=33)

    def _start(self, page: str) -> Answer:
        video_id = str(1_200_000_000_000_000 + len(self.videos) + 1)
        self.videos[video_id] = Video(page=page, created=self.clock())
        self.uploads[video_id] = Upload()
        return Answer(
            200,
            {"video_id": video_id, "upload_url": f"{self.base_url}{self.upload_prefix}{video_id}"},
        )

    def _finish(self, page: str, form: dict[str, str]) -> Answer:
        video = self.videos.get(form.get("video_id", ""))
        if video is None or video.page != page:
            return graph_error("(#100) Invalid video_id", 100)
        if video.finished_at is not None:
            return graph_error("(#6000) This video has already been published.", 6000)
        if self._expired(video):
            return graph_error("(#6000) The upload session has expired.", 6000)
        if not self.uploads[form["video_id"]].complete:
            return graph_error(
                "(#6000) There was a problem uploading your video file: the upload is incomplete.",
                6000,
            )
        state = form.get("video_state", "")
        if state not in ("PUBLISHED", "DRAFT", "SCHEDULED"):
            return graph_error("(#100) video_state must be PUBLISHED, DRAFT or SCHEDULED", 100)
        publish_time = self.clock()
        if state == "SCHEDULED":
            when = form.get("scheduled_publish_time", "")
            if not when.isdigit() or int(when) < self.clock() + 600:
                return graph_error(
                    "(#100) scheduled_publish_time must be at least 10 minutes ahead", 100
                )
            publish_time = float(when)
        since = self.clock() - 86400
        made = sum(
            1
            for v in self.videos.values()
            if v.page == page and v.finished_at and v.finished_at > since and v.state != "DRAFT"
        )
        if state != "DRAFT" and made >= self.daily_reels:
            return graph_error(
                f"(#9) This Page reached its limit of {self.daily_reels} Reels published "
                "through the API in 24 hours.",
                9,
            )
        video.finished_at, video.state = self.clock(), state
        video.description, video.publish_time = form.get("description", ""), publish_time
        video.title = form.get("title", "")
        return Answer(200, {"success": True})

    def _expired(self, video: Video) -> bool:
        return video.finished_at is None and self.clock() > video.created + 3600

    def advance(self) -> None:
        for name, video in self.videos.items():
            if (
                video.finished_at is not None
                and video.processed == "not_started"
                and self.clock() >= video.finished_at + self.processing_seconds
            ):
                video.processed = "complete" if self.uploads[name].data[4:8] == b"ftyp" else "error"

    def _missing(self, name: str) -> Answer:
        return graph_error(
            f"Unsupported get request. Object with ID '{name}' does not exist.", 100, subcode=33
        )

    def _video(self, name: str, request: Request, who: str) -> Answer:
        video = self.videos.get(name)
        if video is None:
            return self._missing(name)
        asked = set(request.query.get("fields", "id").split(",")) | {"id"}
        whole: dict[str, Any] = {
            "id": name,
            "title": video.title or None,
            "description": video.description or None,
            "permalink_url": f"/reel/{name}/",
            "created_time": _graph_time(video.publish_time or video.created),
            "length": video.length,
        }
        found = {k: v for k, v in whole.items() if k in asked and v is not None}
        if "status" in asked:
            found["status"] = self._status(name)
        return Answer(200, found)

    def _insights(self, name: str, request: Request, who: str) -> Answer:
        video = self.videos.get(name)
        if video is None:
            return self._missing(name)
        if who != f"page:{video.page}":
            return graph_error("(#200) Requires a Page access token of the video's Page.", 200)
        if not self.insights_granted:
            return graph_error("(#10) Application does not have permission for this action", 10)
        period = request.query.get("period", "lifetime")
        asked = [m for m in request.query.get("metric", "").split(",") if m]
        if period != "lifetime" or not asked:
            return graph_error("(#100) Reels insights have the lifetime period only", 100)
        for metric in asked:
            if metric not in REELS_METRICS or metric in self.retired:
                return graph_error("(#100) The value must be a valid insights metric", 100)
        published = video.finished_at is not None and video.processed == "complete"
        if not published:
            return Answer(200, {"data": [], "paging": {}})
        planted = {**REELS_METRICS, **self.insights.get(name, {})}
        data = [
            {
                "name": metric,
                "period": "lifetime",
                "values": [{"value": planted[metric]}],
                "title": metric.replace("_", " ").capitalize(),
                "description": f"Lifetime: {metric.replace('_', ' ')}",
                "id": f"{name}/video_insights/{metric}/lifetime",
            }
            for metric in asked
        ]
        return Answer(200, {"data": data, "paging": {}})

    def _status(self, name: str) -> dict[str, Any]:
        video = self.videos[name]
        upload = self.uploads[name]
        status: dict[str, Any] = {
            "uploading_phase": {
                "status": "complete" if upload.complete else "in_progress",
                "bytes_transferred": upload.received,
            },
            "processing_phase": {"status": video.processed},
            "publishing_phase": {"status": "not_started", "publish_status": "not_published"},
        }
        if video.processed == "error":
            status["processing_phase"]["errors"] = [
                {
                    "code": 1363008,
                    "message": "The video file you uploaded is not in a supported format.",
                }
            ]
            status["video_status"] = "error"
        elif self._expired(video):
            status["video_status"] = "expired"
        elif video.finished_at is None:
            status["video_status"] = "upload_complete" if upload.complete else "uploading"
        elif video.processed == "not_started":
            status["video_status"] = "processing"
            status["publishing_phase"] = {
                "status": "in_progress",
                "publish_status": "not_published",
            }
        else:
            status["video_status"] = "ready"
            published = video.publish_time is not None and video.publish_time <= self.clock()
            status["publishing_phase"] = {
                "status": "complete",
                "publish_status": "published" if published else "scheduled",
                "publish_time": int(video.publish_time or 0),
            }
        return status


def _graph_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
