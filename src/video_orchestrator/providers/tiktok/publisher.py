"""TikTok's Content Posting API (Direct Post, ``FILE_UPLOAD``) as a ``Publisher``, one
protocol step per call (ADR 0027).

Stages of the checkpoint:

``start``
    ``POST /v2/post/publish/creator_info/query/``: the creator's nickname, privacy options,
    interaction switches and longest allowed video. The post must carry a ``privacy_level``
    the creator chose among those options (``PostContent.options["privacy_level"]``; there
    is no default) — else ``needs_attention`` saying which to choose.
``init``
    ``POST /v2/post/publish/video/init/`` with ``post_info`` and ``source_info`` (the chunk
    plan of :func:`~video_orchestrator.providers.tiktok.api.chunk_plan`) → ``publish_id`` and
    ``upload_url``.
``upload``
    ``PUT upload_url`` one chunk with ``Content-Range: bytes first-last/total``, in order;
    206 for a chunk, 201 when the file is complete.
``status``
    ``POST /v2/post/publish/status/fetch/`` until ``PUBLISH_COMPLETE`` or ``FAILED``.

Never twice: an ``init`` whose answer was lost left at most an upload session whose URL we
never learnt; without its bytes it never becomes a post and expires, so reconciling sends
the post back to ``init``. Once a ``publish_id`` is stored, reconciling asks
``status/fetch`` (its ``uploaded_bytes`` is where the upload resumes).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from video_orchestrator.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.publishing import (
    AccountHealth,
    Checkpoint,
    PlatformName,
    PostContent,
    StepResult,
    TokenSource,
)
from video_orchestrator.providers import transport
from video_orchestrator.providers._publishing import (
    PlatformHTTP,
    Staged,
    StepFn,
    caption,
    poll_later,
    read_range,
)
from video_orchestrator.providers.tiktok.api import (
    DEFAULT_API_URL,
    MIB,
    PLATFORM,
    TikTokSettings,
    chunk_plan,
    chunk_range,
    data_of,
    error_of,
)

PRIVACY_LEVELS = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY")
TITLE_LIMIT = 2200
#: Error codes a person must act on (the post itself is not refused).
ATTENTION = {
    "spam_risk_too_many_posts": "TikTok limits how many posts an account makes in a day; "
    "publish this one later.",
    "spam_risk_too_many_pending_share": "the account has too many posts waiting in TikTok; "
    "finish or remove them in the TikTok app, then publish again.",
    "unaudited_client_can_only_post_to_private_accounts": "this TikTok app is not audited "
    "yet, so it may only post privately: choose 'Only me' (SELF_ONLY) or have the app "
    "audited by TikTok.",
    "privacy_level_option_mismatch": "the chosen privacy is not one this creator offers; "
    "choose one of the creator's options.",
    "reached_active_user_cap": "the TikTok app reached its daily limit of posting users; "
    "publish again tomorrow.",
}
PROCESSING = ("PROCESSING_UPLOAD", "PROCESSING_DOWNLOAD")


class TikTokPublisher(Staged, Provider[TikTokSettings]):
    """Posts a video to a TikTok account by Direct Post (see the module docstring)."""

    name = "tiktok"
    label = "TikTok"
    platform: PlatformName = "tiktok"
    settings_model = TikTokSettings

    @classmethod
    def from_settings(cls, settings: TikTokSettings) -> TikTokPublisher | None:
        if not (settings.tiktok_client_key and settings.tiktok_client_secret):
            return None
        return cls(
            api_url=settings.tiktok_api_url,
            chunk_bytes=settings.tiktok_chunk_bytes,
            min_chunk_bytes=settings.tiktok_min_chunk_bytes,
            max_chunk_bytes=settings.tiktok_max_chunk_bytes,
            max_final_chunk_bytes=settings.tiktok_max_final_chunk_bytes,
            max_chunks=settings.tiktok_max_chunks,
            poll_seconds=settings.tiktok_poll_seconds,
            timeout=settings.publish_timeout,
            max_retries=settings.publish_max_retries,
        )

    def __init__(
        self,
        *,
        api_url: str = DEFAULT_API_URL,
        chunk_bytes: int = 10 * MIB,
        min_chunk_bytes: int = 5 * MIB,
        max_chunk_bytes: int = 64 * MIB,
        max_final_chunk_bytes: int = 128 * MIB,
        max_chunks: int = 1000,
        poll_seconds: float = 5.0,
        timeout: float = 120.0,
        max_retries: int = 2,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._api = api_url.rstrip("/")
        self._plan = {
            "preferred": chunk_bytes,
            "minimum": min_chunk_bytes,
            "maximum": max_chunk_bytes,
            "final_maximum": max_final_chunk_bytes,
            "most": max_chunks,
        }
        self._poll = poll_seconds
        self._http = PlatformHTTP(
            PLATFORM, client=client, timeout=timeout, max_retries=max_retries, sleep=sleep
        )

    def __repr__(self) -> str:
        return f"TikTokPublisher(api_url={self._api!r})"

    # -- the port ---------------------------------------------------------------------------

    def health(self, tokens: TokenSource) -> AccountHealth:
        try:
            info = self._creator_info(tokens)
        except ProviderAuthError as exc:
            return AccountHealth(token_valid=False, problem=str(exc))
        if isinstance(info, str):
            return AccountHealth(token_valid=True, problem=info)
        facts = {
            "creator_nickname": str(info.get("creator_nickname") or ""),
            "creator_username": str(info.get("creator_username") or ""),
            "privacy_level_options": ",".join(_options(info)),
            "max_video_post_duration_sec": str(info.get("max_video_post_duration_sec") or ""),
            "comment_disabled": _flag(info.get("comment_disabled")),
            "duet_disabled": _flag(info.get("duet_disabled")),
            "stitch_disabled": _flag(info.get("stitch_disabled")),
        }
        return AccountHealth(token_valid=True, facts=facts)

    def _steps(self) -> Mapping[str, StepFn]:
        return {
            "start": self._start,
            "init": self._init,
            "upload": self._upload,
            "status": self._status,
        }

    def reconcile(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        publish_id = at.remote.get("publish_id")
        if at.stage == "start":
            return StepResult(at, "uploading")
        if not publish_id:
            # An init whose answer was lost: its session has no URL we know, never receives
            # bytes, never becomes a post and expires. Starting it again cannot post twice.
            return StepResult(Checkpoint("init", remote=_creator(at)), "uploading")
        return self._status(tokens, content, at, reconciling=True)

    # -- steps ------------------------------------------------------------------------------

    def _start(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        info = self._creator_info(tokens)
        if isinstance(info, str):
            return StepResult(at, "needs_attention", message=info)
        options = _options(info)
        chosen = content.options.get("privacy_level")
        if not isinstance(chosen, str) or chosen not in options:
            what = f"'{chosen}' is not one of them" if chosen else "none was chosen"
            return StepResult(
                at,
                "needs_attention",
                message=(
                    "TikTok needs the creator to choose who can see the post, with no default: "
                    f"one of {', '.join(options) or 'the creator options'} ({what})."
                ),
            )
        if content.options.get("brand_content_toggle") is True and chosen == "SELF_ONLY":
            return StepResult(
                at,
                "needs_attention",
                message=(
                    "TikTok does not allow branded content to be private: choose another privacy "
                    "or turn off the branded-content disclosure."
                ),
            )
        longest = info.get("max_video_post_duration_sec")
        if (
            isinstance(longest, int)
            and content.duration_seconds is not None
            and content.duration_seconds > longest
        ):
            return StepResult(
                at,
                "failed",
                message=(
                    f"the video lasts {content.duration_seconds:.0f} s; this TikTok creator may "
                    f"post at most {longest} s (max_video_post_duration_sec)."
                ),
            )
        creator = {
            "nickname": str(info.get("creator_nickname") or ""),
            "username": str(info.get("creator_username") or ""),
            "comment_disabled": _flag(info.get("comment_disabled")),
            "duet_disabled": _flag(info.get("duet_disabled")),
            "stitch_disabled": _flag(info.get("stitch_disabled")),
        }
        return StepResult(Checkpoint("init", remote={**at.remote, **creator}), "uploading")

    def _init(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        size = content.video.stat().st_size
        try:
            chunk, count = chunk_plan(size, **self._plan)
        except ValueError as exc:
            return StepResult(at, "failed", message=f"TikTok cannot take this file: {exc}.")
        options = content.options

        def disabled(name: str) -> bool:  # interactions stay off unless the creator allows
            forced = at.remote.get(f"{name}_disabled") == "true"
            return forced or options.get(f"disable_{name}", True) is not False

        post_info: dict[str, Any] = {
            "title": caption(content.title, content.description, content.hashtags)[:TITLE_LIMIT],
            "privacy_level": options.get("privacy_level"),
            "disable_comment": disabled("comment"),
            "disable_duet": disabled("duet"),
            "disable_stitch": disabled("stitch"),
            "brand_content_toggle": options.get("brand_content_toggle", False) is True,
            "brand_organic_toggle": options.get("brand_organic_toggle", False) is True,
            "is_aigc": content.made_with_ai,
        }
        cover = options.get("video_cover_timestamp_ms")
        if isinstance(cover, int):
            post_info["video_cover_timestamp_ms"] = cover
        response = self._http.write(
            tokens,
            "POST",
            f"{self._api}/v2/post/publish/video/init/",
            json={
                "post_info": post_info,
                "source_info": {
                    "source": "FILE_UPLOAD",
                    "video_size": size,
                    "chunk_size": chunk,
                    "total_chunk_count": count,
                },
            },
        )
        refused = self._refused(response, at)
        if refused is not None:
            return refused
        data = data_of(response)
        if not data.get("publish_id") or not data.get("upload_url"):
            raise ProviderError("TikTok accepted the post but named no publish_id/upload_url")
        moved = at.moved(
            "upload",
            confirmed_bytes=0,
            publish_id=str(data["publish_id"]),
            upload_url=str(data["upload_url"]),
            chunk_size=str(chunk),
            chunk_count=str(count),
            size=str(size),
        )
        return StepResult(moved, "uploading")

    def _upload(self, tokens: TokenSource, content: PostContent, at: Checkpoint) -> StepResult:
        size, chunk, count = (int(at.remote[k]) for k in ("size", "chunk_size", "chunk_count"))
        index = at.confirmed_bytes // chunk
        first, last = chunk_range(size, chunk, count, index)
        response = self._http.write(
            tokens,
            "PUT",
            at.remote["upload_url"],
            content=read_range(content.video, first, last - first + 1),
            headers={"Content-Type": "video/mp4", "Content-Range": f"bytes {first}-{last}/{size}"},
        )
        if response.status_code in (404, 410):  # the upload URL expired (it lives an hour)
            return StepResult(
                Checkpoint("init", remote=_creator(at)),
                "uploading",
                message="TikTok's upload address expired; the upload starts "
                "again (the unfinished one never becomes a post).",
            )
        refused = self._refused(response, at)
        if refused is not None:
            return refused
        if last + 1 >= size:
            return poll_later(at, size, self._poll)
        return StepResult(at.moved("upload", confirmed_bytes=last + 1), "uploading")

    def _status(
        self,
        tokens: TokenSource,
        content: PostContent,
        at: Checkpoint,
        *,
        reconciling: bool = False,
    ) -> StepResult:
        response = self._http.read(
            tokens,
            "POST",
            f"{self._api}/v2/post/publish/status/fetch/",
            json={"publish_id": at.remote["publish_id"]},
        )
        refused = self._refused(response, at)
        if refused is not None:
            return refused
        data = data_of(response)
        status = str(data.get("status") or "")
        size = int(at.remote.get("size") or content.size)
        if status == "PUBLISH_COMPLETE":
            ids = data.get("publicaly_available_post_id") or data.get("publicly_available_post_id")
            post_id = str(ids[0]) if isinstance(ids, list) and ids else None
            user = at.remote.get("username")
            url = f"https://www.tiktok.com/@{user}/video/{post_id}" if post_id and user else None
            return StepResult(
                at.moved("done", confirmed_bytes=size),
                "published",
                url=url,
                remote_id=post_id or at.remote["publish_id"],
            )
        if status == "FAILED":
            reason = str(data.get("fail_reason") or "no reason given")
            return StepResult(
                at.moved("done"), "failed", message=f"TikTok did not publish the video: {reason}."
            )
        if status == "SEND_TO_USER_INBOX":
            return StepResult(
                at.moved("done"),
                "needs_attention",
                message=(
                    "TikTok sent the video to the creator's inbox: finish posting it in the "
                    "TikTok app."
                ),
            )
        if status == "PROCESSING_UPLOAD" and reconciling:
            uploaded = data.get("uploaded_bytes")
            done = uploaded if isinstance(uploaded, int) else at.confirmed_bytes
            if done < size:
                return StepResult(at.moved("upload", confirmed_bytes=done), "uploading")
        if status in PROCESSING:
            return poll_later(at, size, self._poll)
        raise ProviderError(f"TikTok reports an unknown publish status {status!r}")

    # -- answers ----------------------------------------------------------------------------

    def _creator_info(self, tokens: TokenSource) -> dict[str, Any] | str:
        """The creator's facts, or what a person must do when TikTok will not say."""
        response = self._http.read(
            tokens, "POST", f"{self._api}/v2/post/publish/creator_info/query/", json={}
        )
        refused = self._refused(response, Checkpoint.start())
        if refused is not None:
            return refused.message or "TikTok refused to describe the creator."
        return data_of(response)

    def _refused(self, response: httpx.Response, at: Checkpoint) -> StepResult | None:
        """None for a success; otherwise the post's state after TikTok's refusal, or the
        error to raise (rate limits, auth, server failures)."""
        code, _ = error_of(response)
        status = response.status_code
        if status < 300 and code == "ok":
            return None
        said = self._http.redacted(response)
        if status == 429 or code == "rate_limit_exceeded":
            after = transport.advised_wait(response)
            raise ProviderRateLimited(
                f"TikTok is rate limiting this account ({said}); try again in a minute.",
                retry_after=after,
            )
        if status >= 500 or code == "internal_error":
            raise ProviderUnavailable(f"TikTok failed ({said}); try again later.")
        if code in ("access_token_invalid", "scope_not_authorized", "scope_permission_missed"):
            raise ProviderAuthError(
                f"TikTok refused the account's access ({said}); connect "
                "the account again, granting video.publish."
            )
        if code in ATTENTION:
            return StepResult(at, "needs_attention", message=f"{ATTENTION[code]} (TikTok: {said})")
        return StepResult(at, "failed", message=f"TikTok refused the post ({said}).")


def _options(info: dict[str, Any]) -> list[str]:
    found = info.get("privacy_level_options")
    return [str(o) for o in found] if isinstance(found, list) else []


def _flag(value: object) -> str:
    return "true" if value is True else "false"


def _creator(at: Checkpoint) -> dict[str, str]:
    """The creator facts of a checkpoint, without the ids of an upload session."""
    keep = ("nickname", "username", "comment_disabled", "duet_disabled", "stitch_disabled")
    return {k: v for k, v in at.remote.items() if k in keep}
