"""Facebook Page Reels through the Graph API's ``video_reels`` edge as a ``Publisher``, one
protocol step per call (ADR 0027). The token is the Page's (``facebook/connector.py``).

Stages of the checkpoint:

``start``
    The Page: ``Checkpoint.remote["account_id"]`` when the caller gives it, else
    ``GET /me`` with the Page token.
``init``
    ``POST /{page-id}/video_reels`` with ``upload_phase=start`` → ``video_id`` and
    ``upload_url``.
``upload``
    ``POST`` the bytes to the upload host with ``offset`` and ``file_size``, a piece per step.
``finish``
    ``POST /{page-id}/video_reels`` with ``upload_phase=finish``, ``video_id``,
    ``video_state`` (``PUBLISHED``, or ``SCHEDULED`` with ``scheduled_publish_time`` when
    ``PostContent.publish_at`` is set) and the description (title, description, hashtags).
    Meta enforces the Page's 24-hour Reels limit here: over it the post
    ``needs_attention``.
``status``
    ``GET /{video_id}?fields=status`` until the publishing phase is complete (or the
    processing phase reports an error, in Meta's words).

Never twice: a video that was started but never finished is not a post. A ``start`` whose
answer was lost leaves at most such a video, so reconciling sends the post back to ``init``.
Once the ``video_id`` is stored, reconciling reads the video's status: the uploading phase
says how many bytes arrived, the publishing phase whether ``finish`` took effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from video_orchestrator.errors import ProviderAuthError, ProviderError, VoError
from video_orchestrator.ports.publishing import (
    AccountHealth,
    Checkpoint,
    PlatformName,
    PostContent,
    StepResult,
    TokenSource,
)
from video_orchestrator.providers._meta import MetaPublisher, account_only, refusal
from video_orchestrator.providers._publishing import (
    Staged,
    StepFn,
    caption,
    json_of,
    public_only,
)


def _cap(error: dict[str, Any]) -> str | None:
    text = str(error.get("message") or "").lower()
    if error.get("code") == 9 or ("limit" in text and "reel" in text):
        return (
            "the Facebook Page reached its limit of Reels published through the API in "
            "24 hours; publish this one later."
        )
    return None


class FacebookPublisher(Staged, MetaPublisher):
    """Posts a Reel to a Facebook Page (see the module docstring)."""

    name = "facebook"
    platform: PlatformName = "facebook"
    label = "Facebook"

    # -- the port ---------------------------------------------------------------------------

    def health(self, tokens: TokenSource) -> AccountHealth:
        try:
            page = self._reader.get(tokens, "me", fields="id,name")
        except VoError as exc:
            return AccountHealth(
                token_valid=not isinstance(exc, ProviderAuthError), problem=str(exc)
            )
        return AccountHealth(
            token_valid=True,
            facts={
                "page_id": str(page.get("id") or ""),
                "page_name": str(page.get("name") or ""),
                "audience": "Public (a Page's Reels are public)",
            },
        )

    def _steps(self) -> Mapping[str, StepFn]:
        return {
            "start": self._start,
            "init": self._init,
            "upload": self._send,
            "finish": self._finish,
            "status": self._status,
        }

    def reconcile(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        if at.stage == "start":
            return StepResult(at, "uploading")
        if not at.remote.get("video_id"):
            # a start whose answer was lost: a video never finished is never a post
            return StepResult(Checkpoint("init", remote=account_only(at)), "uploading")
        return self._status(tokens, content, at, reconciling=True)

    # -- steps ------------------------------------------------------------------------------

    def _start(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        private = public_only(content, at, "Reels of a Facebook Page")
        if private is not None:
            return private
        page = at.remote.get("account_id") or str(
            self._reader.get(tokens, "me", fields="id").get("id") or ""
        )
        if not page:
            raise ProviderError("Facebook did not say which Page the token belongs to")
        return StepResult(at.moved("init", account_id=page), "uploading")

    def _init(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        response = self._http.write(
            tokens,
            "POST",
            f"{self._graph}/{at.remote['account_id']}/video_reels",
            data={"upload_phase": "start"},
        )
        failed = refusal(self._http, response, at, write=True, cap=_cap)
        if failed is not None:
            return failed
        body = json_of(response)
        if not body.get("video_id") or not body.get("upload_url"):
            raise ProviderError("Facebook started no upload (no video_id/upload_url)")
        return StepResult(
            at.moved(
                "upload",
                confirmed_bytes=0,
                video_id=str(body["video_id"]),
                upload_url=str(body["upload_url"]),
            ),
            "uploading",
        )

    def _send(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        sent = self._upload_piece(tokens, content, at)
        if isinstance(sent, StepResult):
            return sent
        stage = "finish" if sent >= content.video.stat().st_size else "upload"
        return StepResult(at.moved(stage, confirmed_bytes=sent), "uploading")

    def _finish(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        form = {
            "upload_phase": "finish",
            "video_id": at.remote["video_id"],
            "description": caption(content.title, content.description, content.hashtags),
            "video_state": "PUBLISHED",
        }
        if content.title:
            form["title"] = content.title
        if content.publish_at is not None:
            form["video_state"] = "SCHEDULED"
            form["scheduled_publish_time"] = str(int(content.publish_at.timestamp()))
        response = self._http.write(
            tokens, "POST", f"{self._graph}/{at.remote['account_id']}/video_reels", data=form
        )
        failed = refusal(self._http, response, at, write=True, cap=_cap)
        if failed is not None and failed.state == "failed":
            # finished already by an attempt whose answer was lost? the video's status says
            told = self._status(tokens, content, at, reconciling=True)
            if told.checkpoint.stage != "finish":
                return told
        if failed is not None:
            return failed
        if json_of(response).get("success") is not True:
            return StepResult(
                at,
                "failed",
                message=(f"Facebook did not accept the Reel ({self._http.redacted(response)})."),
            )
        return StepResult(at.moved("status"), "processing", wait_seconds=self._poll)

    def _status(
        self,
        tokens: TokenSource,
        content: PostContent,
        at: Checkpoint,
        *,
        reconciling: bool = False,
    ) -> StepResult:
        video = at.remote["video_id"]
        body = self._reader.get(tokens, video, fields="status")
        status = body.get("status") if isinstance(body.get("status"), dict) else {}
        assert isinstance(status, dict)
        size = content.video.stat().st_size
        uploading, processing, publishing = (
            _phase(status, name)
            for name in ("uploading_phase", "processing_phase", "publishing_phase")
        )
        video_status = str(status.get("video_status") or "")
        if processing.get("status") == "error" or video_status == "error":
            errors = processing.get("errors")
            said = (
                "; ".join(str(e.get("message")) for e in errors if isinstance(e, dict))
                if isinstance(errors, list)
                else ""
            )
            return StepResult(
                at.moved("done"),
                "failed",
                message=(
                    f"Facebook could not process the Reel: {(said or video_status).rstrip('.')}."
                ),
            )
        if video_status == "expired":
            return StepResult(
                Checkpoint("init", remote=account_only(at)),
                "uploading",
                message=("the Facebook upload expired unfinished; it starts again."),
            )
        if reconciling and uploading.get("status") != "complete":
            sent = uploading.get("bytes_transferred")
            return StepResult(
                at.moved("upload", confirmed_bytes=sent if isinstance(sent, int) else 0),
                "uploading",
            )
        if reconciling and publishing.get("status") in (None, "not_started"):
            return StepResult(at.moved("finish", confirmed_bytes=size), "uploading")
        if publishing.get("status") == "complete":
            url = f"https://www.facebook.com/reel/{video}"
            if publishing.get("publish_status") == "scheduled":
                return StepResult(
                    at.moved("done"),
                    "published",
                    remote_id=video,
                    url=url,
                    message="Facebook will publish the Reel at "
                    f"{publishing.get('publish_time') or 'the scheduled time'}.",
                )
            return StepResult(at.moved("done"), "published", remote_id=video, url=url)
        return self._poll_later(at, size)


def _phase(status: dict[str, Any], name: str) -> dict[str, Any]:
    phase = status.get(name)
    return phase if isinstance(phase, dict) else {}
