"""Instagram Reels through the Instagram Graph API as a ``Publisher``, one protocol step per
call (ADR 0027).

Stages of the checkpoint:

``start``
    Find the account (``Checkpoint.remote["account_id"]`` when the caller gives it, else the
    first Page's linked Instagram account) and read its 24-hour publishing limit
    (``GET /{ig-user-id}/content_publishing_limit?fields=quota_usage,config``): when
    ``quota_usage`` has reached ``config.quota_total`` the post ``needs_attention``.
``create``
    ``POST /{ig-user-id}/media`` with ``media_type=REELS``, ``upload_type=resumable``, the
    caption (title, description, hashtags), ``share_to_feed`` and the cover (``cover_url``
    or ``thumb_offset`` from ``PostContent.options``) → the container id and upload ``uri``.
``upload``
    ``POST`` the bytes to the upload host with ``offset`` and ``file_size``, a piece per step.
``status``
    ``GET /{container}?fields=status_code,status`` until ``FINISHED`` (``ERROR`` fails with
    Instagram's words; ``EXPIRED``, after 24 h unpublished, starts a new container).
``publish``
    ``POST /{ig-user-id}/media_publish?creation_id=…`` → the media id.

Never twice: a container is not a post. A ``create`` whose answer was lost leaves at most an
unpublished container that expires; reconciling sends the post back to ``create``. Once a
container is stored, reconciling reads its ``status_code`` (``PUBLISHED`` means the publish
took effect; the media is then found among the account's recent media by its caption) and
the uploaded bytes (``video_status.uploading_phase.bytes_transferred``).
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
from video_orchestrator.providers.instagram.connector import (
    NO_ACCOUNT,
    find_instagram_account,
    instagram_account,
)

CAPTION_LIMIT = 2200
CAP_SUBCODE = 2207042


def _cap(error: dict[str, Any]) -> str | None:
    if error.get("code") == 9 or error.get("error_subcode") == CAP_SUBCODE:
        return (
            "the Instagram account reached its limit of posts through the API in 24 "
            "hours; publish this one later."
        )
    return None


class InstagramPublisher(Staged, MetaPublisher):
    """Posts a Reel to an Instagram professional account (see the module docstring)."""

    name = "instagram"
    platform: PlatformName = "instagram"
    label = "Instagram"

    # -- the port ---------------------------------------------------------------------------

    def health(self, tokens: TokenSource) -> AccountHealth:
        try:
            account = instagram_account(self._reader, tokens, None)
            used, total, hours = self._limit(tokens, account["id"])
        except VoError as exc:
            return AccountHealth(token_valid=not _is_auth(exc), problem=str(exc))
        return AccountHealth(
            token_valid=True,
            quota_left={"instagram_posts_24h": max(0, total - used)},
            facts={
                "username": account.get("username", ""),
                "quota_total": str(total),
                "quota_hours": str(hours),
            },
        )

    def _steps(self) -> Mapping[str, StepFn]:
        return {
            "start": self._start,
            "create": self._create,
            "upload": self._send,
            "status": self._status,
            "publish": self._publish,
        }

    def reconcile(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        if at.stage == "start":
            return StepResult(at, "uploading")
        container = at.remote.get("container_id")
        if not container:
            # a create whose answer was lost: an unpublished container is not a post and
            # expires in 24 h, so creating another cannot post twice
            return StepResult(Checkpoint("create", remote=account_only(at)), "uploading")
        return self._status(tokens, content, at, reconciling=True)

    # -- steps ------------------------------------------------------------------------------

    def _start(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        private = public_only(content, at, "Reels of an Instagram professional account")
        if private is not None:
            return private
        account = at.remote.get("account_id")
        if not account:
            found = find_instagram_account(self._reader, tokens, None)
            if found is None:
                return StepResult(at, "needs_attention", message=NO_ACCOUNT)
            account = found["id"]
        used, total, hours = self._limit(tokens, account)
        if used >= total:
            return StepResult(
                at,
                "needs_attention",
                message=(
                    f"the Instagram account has published {used} of the {total} posts it may "
                    f"publish through the API in {hours} hours; publish this one later."
                ),
            )
        return StepResult(at.moved("create", account_id=account), "uploading")

    def _create(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        form: dict[str, str] = {
            "media_type": "REELS",
            "upload_type": "resumable",
            "caption": self._caption(content),
            "share_to_feed": "true" if content.options.get("share_to_feed", True) else "false",
        }
        for name in ("cover_url", "thumb_offset", "collaborators", "audio_name"):
            value = content.options.get(name)
            if value is not None and value != "":
                form[name] = str(value)
        response = self._http.write(
            tokens, "POST", f"{self._graph}/{at.remote['account_id']}/media", data=form
        )
        failed = refusal(self._http, response, at, write=True, cap=_cap)
        if failed is not None:
            return failed
        body = json_of(response)
        if not body.get("id"):
            raise ProviderError("Instagram created no container (no id in its answer)")
        container = str(body["id"])
        uri = str(body.get("uri") or f"{self._upload}/{container}")
        return StepResult(
            at.moved("upload", confirmed_bytes=0, container_id=container, upload_url=uri),
            "uploading",
        )

    def _send(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        sent = self._upload_piece(tokens, content, at)
        if isinstance(sent, StepResult):
            return sent
        if sent >= content.video.stat().st_size:
            return self._poll_later(at, sent)
        return StepResult(at.moved("upload", confirmed_bytes=sent), "uploading")

    def _status(
        self,
        tokens: TokenSource,
        content: PostContent,
        at: Checkpoint,
        *,
        reconciling: bool = False,
    ) -> StepResult:
        container = at.remote["container_id"]
        fields = "status_code,status,video_status" if reconciling else "status_code,status"
        response = self._http.read(
            tokens, "GET", f"{self._graph}/{container}", params={"fields": fields}
        )
        failed = refusal(self._http, response, at, write=False)
        if failed is not None:
            return failed
        body = json_of(response)
        code = str(body.get("status_code") or "")
        size = content.video.stat().st_size
        if code == "PUBLISHED":
            return self._found(tokens, content, at)
        if code == "ERROR":
            said = str(body.get("status") or "ERROR").rstrip(".")
            return StepResult(
                at.moved("done"),
                "failed",
                message=(f"Instagram could not process the video: {said}."),
            )
        if code == "EXPIRED":
            return StepResult(
                Checkpoint("create", remote=account_only(at)),
                "uploading",
                message=("the Instagram container expired unpublished (24 h); a new one is made."),
            )
        if code == "FINISHED":
            return StepResult(at.moved("publish", confirmed_bytes=size), "processing")
        if reconciling:
            sent = _bytes_transferred(body)
            if sent is not None and sent < size:
                return StepResult(at.moved("upload", confirmed_bytes=sent), "uploading")
            if at.stage == "upload" and sent is None and at.confirmed_bytes < size:
                return StepResult(at, "uploading")
        return self._poll_later(at, size)

    def _publish(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        account, container = at.remote["account_id"], at.remote["container_id"]
        response = self._http.write(
            tokens,
            "POST",
            f"{self._graph}/{account}/media_publish",
            data={"creation_id": container},
        )
        failed = refusal(self._http, response, at, write=True, cap=_cap)
        if failed is not None and failed.state == "failed":
            # not ready yet, or already published by an earlier attempt whose answer was
            # lost: the container's status says which (never a second publish)
            told = self._status(tokens, content, at, reconciling=True)
            if told.state == "published" or told.checkpoint.stage != "publish":
                return told
        if failed is not None:
            return failed
        media = str(json_of(response).get("id") or "")
        return StepResult(
            at.moved("done", media_id=media),
            "published",
            remote_id=media or None,
            url=self._permalink(tokens, media),
        )

    # -- reads ------------------------------------------------------------------------------

    def _limit(self, tokens: TokenSource, account: str) -> tuple[int, int, int]:
        body = self._reader.get(
            tokens, f"{account}/content_publishing_limit", fields="quota_usage,config"
        )
        rows = body.get("data")
        row = rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}
        found = row.get("config")
        config: dict[str, Any] = found if isinstance(found, dict) else {}
        used = row.get("quota_usage")
        total = config.get("quota_total")
        seconds = config.get("quota_duration")
        return (
            used if isinstance(used, int) else 0,
            total if isinstance(total, int) else 25,
            seconds // 3600 if isinstance(seconds, int) else 24,
        )

    def _found(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        """The container was published: the media is the recent one with this caption."""
        wanted = self._caption(content)
        body = self._reader.get(
            tokens,
            f"{at.remote['account_id']}/media",
            fields="id,caption,permalink,timestamp",
            limit="25",
        )
        for media in body.get("data") or []:
            if isinstance(media, dict) and media.get("caption") == wanted:
                return StepResult(
                    at.moved("done", media_id=str(media["id"])),
                    "published",
                    remote_id=str(media["id"]),
                    url=media.get("permalink"),
                )
        return StepResult(
            at.moved("done"),
            "published",
            message=(
                "Instagram says the container was published; its media is not among the "
                "account's recent posts yet."
            ),
        )

    def _permalink(self, tokens: TokenSource, media: str) -> str | None:
        """Best effort: the post is published whatever this read meets."""
        if not media:
            return None
        try:
            link = self._reader.get(tokens, media, fields="permalink").get("permalink")
        except VoError:
            return None
        return str(link) if link else None

    def _caption(self, content: PostContent) -> str:
        return caption(content.title, content.description, content.hashtags)[:CAPTION_LIMIT]


def _bytes_transferred(body: dict[str, Any]) -> int | None:
    video = body.get("video_status")
    phase = video.get("uploading_phase") if isinstance(video, dict) else None
    sent = phase.get("bytes_transferred") if isinstance(phase, dict) else None
    return sent if isinstance(sent, int) else None


def _is_auth(exc: VoError) -> bool:
    return isinstance(exc, ProviderAuthError)
