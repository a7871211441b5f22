"""A fake Instagram Graph API for Reels (with Facebook Login, ``graph.py``):

* ``GET /me/accounts`` lists the Page with its linked Instagram professional account.
* ``POST /{ig-user-id}/media`` with ``media_type=REELS`` and ``upload_type=resumable``
  (caption ≤ 2200 characters and ≤ 30 hashtags) creates a container ``IN_PROGRESS`` and
  answers ``{id, uri}``; ``uri`` is on the upload host (``/ig-api-upload/{ver}/{id}``).
* When its bytes are complete the container processes for ``processing_seconds``, then is
  ``FINISHED`` — or ``ERROR`` (``2207026``, an unsupported format) when the file is not an
  MP4. A container unpublished 24 h after its creation is ``EXPIRED``.
* ``GET /{container}?fields=status_code,status,video_status`` (the uploading phase with
  ``bytes_transferred``).
* ``POST /{ig-user-id}/media_publish?creation_id=`` publishes a ``FINISHED`` container once
  (``PUBLISHED``); not ready: code 9007 / 2207027; over the 24-hour limit
  (``quota_total``): code 9 / subcode 2207042.
* ``GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config``,
  ``GET /{ig-user-id}/media`` (recent media, newest first) and ``GET /{media}?fields=permalink``.

:attr:`InstagramServer.media` holds every post made; a duplicate is one caption twice.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from video_orchestrator.providers.sandbox.graph import (
    IG_ID,
    IG_USERNAME,
    PAGE_ID,
    PAGE_NAME,
    VERSION,
    GraphServer,
    Upload,
    graph_error,
)
from video_orchestrator.providers.sandbox.platform import Answer, FakeClock, Request


@dataclass
class Container:
    caption: str
    created: float
    status_code: str = "IN_PROGRESS"
    status: str = "In Progress"
    finished_at: float | None = None
    uploaded_at: float | None = None


class InstagramServer(GraphServer):
    """``with InstagramServer() as instagram: … instagram.base_url …``"""

    upload_prefix = f"/ig-api-upload/{VERSION}/"
    persisted_fields = (*GraphServer.persisted_fields, "containers", "media", "linked")
    state_types = (Upload, Container)

    def __init__(
        self,
        clock: FakeClock | None = None,
        *,
        quota_total: int = 50,
        processing_seconds: float = 30.0,
        long_lived: float = 60 * 86400,
    ) -> None:
        super().__init__(clock, long_lived=long_lived)
        self.quota_total = quota_total
        self.processing_seconds = processing_seconds
        self.containers: dict[str, Container] = {}
        self.media: list[dict[str, Any]] = []  # newest first
        self.linked = True  # the Page has an Instagram professional account

    def captions(self) -> list[str]:
        return [str(m["caption"]) for m in self.media]

    def used(self) -> int:
        since = self.clock() - 86400
        return sum(1 for m in self.media if m["at"] > since)

    # -- routing ----------------------------------------------------------------------------------

    def graph_route(self, method: str, parts: list[str]) -> str:
        if parts == ["me", "accounts"] and method == "GET":
            return "accounts"
        if len(parts) == 2 and parts[0] == IG_ID:
            return {
                ("POST", "media"): "create",
                ("GET", "media"): "recent",
                ("POST", "media_publish"): "publish",
                ("GET", "content_publishing_limit"): "limit",
            }.get((method, parts[1]), "unknown")
        if len(parts) == 1 and method == "GET":
            return "object"
        return "unknown"

    def graph(self, route: str, request: Request, who: str) -> Answer:
        if route == "accounts":
            page: dict[str, Any] = {"id": PAGE_ID, "name": PAGE_NAME}
            if self.linked:
                page["instagram_business_account"] = {
                    "id": IG_ID,
                    "username": IG_USERNAME,
                    "profile_picture_url": "https://scontent.example/ig.jpg",
                }
            return Answer(200, {"data": [page]})
        if route == "limit":
            return Answer(
                200,
                {
                    "data": [
                        {
                            "quota_usage": self.used(),
                            "config": {"quota_total": self.quota_total, "quota_duration": 86400},
                        }
                    ]
                },
            )
        if route == "create":
            return self._create(request.form())
        if route == "publish":
            return self._publish(request.form())
        if route == "recent":
            fields = ("id", "caption", "permalink", "timestamp")
            return Answer(200, {"data": [{k: m[k] for k in fields} for m in self.media[:25]]})
        if route == "object":
            return self._object(request.path.rsplit("/", 1)[-1])
        return graph_error("Unsupported request - method type or path", 100, subcode=33)

    # -- containers -------------------------------------------------------------------------------

    def _create(self, form: dict[str, str]) -> Answer:
        if form.get("media_type") != "REELS":
            return graph_error("The parameter media_type must be REELS here.", 100)
        if form.get("upload_type") != "resumable":
            return graph_error("The parameter video_url is required.", 100)
        caption = form.get("caption", "")
        if len(caption) > 2200 or len(re.findall(r"#\w+", caption)) > 30:
            return graph_error("The caption is too long or has over 30 hashtags.", 100)
        if "thumb_offset" in form and not form["thumb_offset"].isdigit():
            return graph_error("thumb_offset must be milliseconds.", 100)
        container = str(18_000_000_000_000_000 + len(self.containers) + 1)
        self.containers[container] = Container(caption=caption, created=self.clock())
        self.uploads[container] = Upload()
        return Answer(
            200, {"id": container, "uri": f"{self.base_url}{self.upload_prefix}{container}"}
        )

    def uploaded(self, name: str, upload: Upload) -> None:
        container = self.containers[name]
        if upload.complete and container.uploaded_at is None:
            container.uploaded_at = self.clock()

    def advance(self) -> None:
        now = self.clock()
        for name, container in self.containers.items():
            upload = self.uploads[name]
            if (
                container.status_code in ("IN_PROGRESS", "FINISHED")
                and now > container.created + 86400
            ):
                container.status_code, container.status = "EXPIRED", "Expired"
            elif (
                container.status_code == "IN_PROGRESS"
                and container.uploaded_at is not None
                and now >= container.uploaded_at + self.processing_seconds
            ):
                if upload.data[4:8] != b"ftyp":
                    container.status_code = "ERROR"
                    container.status = (
                        "Error: Media upload has failed with error code 2207026: the video "
                        "format is not supported."
                    )
                else:
                    container.status_code, container.status = (
                        "FINISHED",
                        "Finished: Media has been uploaded and it is ready to be published.",
                    )

    def _object(self, name: str) -> Answer:
        container = self.containers.get(name)
        if container is not None:
            upload = self.uploads[name]
            return Answer(
                200,
                {
                    "status_code": container.status_code,
                    "status": container.status,
                    "id": name,
                    "video_status": {
                        "uploading_phase": {
                            "status": "complete" if upload.complete else "in_progress",
                            "bytes_transferred": upload.received,
                        }
                    },
                },
            )
        for media in self.media:
            if media["id"] == name:
                return Answer(200, {"id": name, "permalink": media["permalink"]})
        return graph_error(
            f"Unsupported get request. Object with ID '{name}' does not exist.", 100, subcode=33
        )

    def _publish(self, form: dict[str, str]) -> Answer:
        container = self.containers.get(form.get("creation_id", ""))
        if container is None:
            return graph_error("Media ID is not available.", 9007, subcode=2207006)
        if container.status_code == "PUBLISHED":
            return graph_error("The media has already been published.", 9007, subcode=2207008)
        if container.status_code == "EXPIRED":
            return graph_error("The media has expired.", 9007, subcode=2207020)
        if container.status_code != "FINISHED":
            return graph_error(
                "Media is not ready for publishing, wait a moment.", 9007, subcode=2207027
            )
        if self.used() >= self.quota_total:
            return graph_error("Application request limit reached", 9, subcode=2207042)
        media_id = str(17_900_000_000_000_000 + len(self.media) + 1)
        container.status_code, container.status = "PUBLISHED", "Published"
        shortcode = secrets.token_urlsafe(8)
        self.media.insert(
            0,
            {
                "id": media_id,
                "caption": container.caption,
                "at": self.clock(),
                "permalink": f"https://www.instagram.com/reel/{shortcode}/",
                "timestamp": "2026-01-01T00:00:00+0000",
            },
        )
        return Answer(200, {"id": media_id})
