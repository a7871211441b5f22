"""What TikTok's connector and publisher share: the settings, how a token is sent, how an
answer is read (``{"data": …, "error": {"code", "message", "log_id"}}``) and the chunk rule of
``FILE_UPLOAD``."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from video_orchestrator.ports.provider import ProviderSettings
from video_orchestrator.providers._publishing import Platform, json_of

MIB = 1024 * 1024
DEFAULT_API_URL = "https://open.tiktokapis.com"
DEFAULT_AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"


class TikTokSettings(ProviderSettings):
    """``VO_TIKTOK_*``: the app's client key and secret (from the TikTok developer portal),
    the hosts (a local sandbox in tests), the chunk figures of the media transfer guide and
    the status poll interval. Figures move: they are settings, not code."""

    required: ClassVar[str] = "VO_TIKTOK_CLIENT_KEY and VO_TIKTOK_CLIENT_SECRET"

    tiktok_client_key: str | None = None
    tiktok_client_secret: str | None = None
    tiktok_api_url: str = DEFAULT_API_URL
    tiktok_authorize_url: str = DEFAULT_AUTHORIZE_URL
    tiktok_chunk_bytes: int = 10 * MIB
    tiktok_min_chunk_bytes: int = 5 * MIB
    tiktok_max_chunk_bytes: int = 64 * MIB
    tiktok_max_final_chunk_bytes: int = 128 * MIB
    tiktok_max_chunks: int = 1000
    tiktok_poll_seconds: float = 5.0
    publish_timeout: float = 120.0
    publish_max_retries: int = 2


def error_of(response: httpx.Response) -> tuple[str, str]:
    """TikTok's error ``code`` and ``message`` (``("ok", "")`` on success)."""
    error = json_of(response).get("error")
    if not isinstance(error, dict):
        return ("ok", "") if response.status_code < 400 else (f"http_{response.status_code}", "")
    return str(error.get("code") or "ok"), str(error.get("message") or "")


def words(response: httpx.Response) -> str:
    code, message = error_of(response)
    log_id = json_of(response).get("error", {}).get("log_id") if response.content else None
    text = f"{code}: {message}" if message else code
    return f"{text} (log_id {log_id})" if log_id else text


PLATFORM = Platform(
    label="TikTok",
    authorize=lambda token: {"Authorization": f"Bearer {token}"},
    auth_failed=lambda r: r.status_code == 401 and error_of(r)[0] == "access_token_invalid",
    words=words,
)


def data_of(response: httpx.Response) -> dict[str, Any]:
    data = json_of(response).get("data")
    return data if isinstance(data, dict) else {}


def chunk_plan(
    size: int, *, preferred: int, minimum: int, maximum: int, final_maximum: int, most: int
) -> tuple[int, int]:
    """``(chunk_size, total_chunk_count)`` for a file of ``size`` bytes by the media transfer
    guide: a file under ``minimum`` goes whole; otherwise chunks of ``preferred`` bytes
    (kept within ``minimum``–``maximum``), ``total_chunk_count = floor(size / chunk_size)``,
    the remainder riding on the final chunk (at most ``final_maximum``)."""
    if size <= 0:
        raise ValueError("an empty file cannot be uploaded")
    if size < minimum:
        return size, 1
    chunk = max(minimum, min(preferred, maximum))
    if size <= chunk:
        return size, 1
    count = size // chunk
    while count > most or size - (count - 1) * chunk > final_maximum:
        if chunk >= maximum:
            raise ValueError(f"a file of {size} bytes cannot be cut into TikTok's chunks")
        chunk = min(maximum, chunk * 2)
        count = size // chunk
    return chunk, count


def chunk_range(size: int, chunk: int, count: int, index: int) -> tuple[int, int]:
    """First and last byte (inclusive) of chunk ``index``; the final chunk takes the rest."""
    first = index * chunk
    last = size - 1 if index == count - 1 else first + chunk - 1
    return first, last
