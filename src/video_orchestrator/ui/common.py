"""What every page shares: calling a service off the event loop with errors turned into
plain messages, and small formatting helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nicegui import run, ui

from video_orchestrator.errors import (
    AccessError,
    ConfigError,
    InvalidStateError,
    NotFoundError,
    PayloadTooLarge,
    ProviderAuthError,
    ProviderError,
    RateLimitedError,
    RenderError,
    StaleVersionError,
    StorageError,
    VoError,
)
from video_orchestrator.ui import i18n
from video_orchestrator.ui.i18n import marked, tr

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: Create leaves this note (per browser) for the editor: write the project's script at once.
WRITE_NOTE = "write:{project_id}"

#: Seconds of narration per spoken word at speed 1.0 (about 150 words a minute).
SECONDS_PER_WORD = 0.4


class Failed(Exception):
    """A service call failed and the user has been told; the caller just stops."""


def advice(exc: Exception) -> str:
    """The message shown for ``exc``: what happened, then what to do."""
    text = str(exc).rstrip(".")
    if isinstance(exc, StaleVersionError):
        return tr(
            "This project was changed in another tab or window since you opened it. "
            "Reload to see the newer version, then make your change again."
        )
    if isinstance(exc, PayloadTooLarge):
        return tr("{text}. Choose a smaller file.", text=text)
    if isinstance(exc, NotFoundError):
        return tr("{text}. It may have been deleted elsewhere: reload the page.", text=text)
    if isinstance(exc, InvalidStateError):
        return f"{text}."
    if isinstance(exc, ProviderAuthError):
        return tr("{text}. Check the provider's key in Settings.", text=text)
    if isinstance(exc, RateLimitedError | ProviderError):
        return tr(
            "{text}. Try again in a minute, or choose another provider in Settings.", text=text
        )
    if isinstance(exc, ConfigError):
        return tr("{text}. See Settings.", text=text)
    if isinstance(exc, StorageError | RenderError):
        return tr("{text}. Try again; if it keeps failing, check Settings → Status.", text=text)
    if isinstance(exc, AccessError):
        return tr("{text}. Sign in again.", text=text)
    if isinstance(exc, VoError):
        return f"{text}."
    return tr("Something went wrong on the server; the details are in the server's log. Try again.")


def tell(exc: Exception) -> None:
    if not isinstance(exc, VoError):
        logger.exception("unexpected error in the web UI", exc_info=exc)
    ui.notify(advice(exc), type="negative", multi_line=True, close_button="OK", timeout=0)


async def call(
    fn: Callable[..., T],
    *args: object,
    shown_by_caller: tuple[type[Exception], ...] = (),
    **kwargs: object,
) -> T:
    """``fn(*args, **kwargs)`` in a worker thread. On failure the user is told and
    :class:`Failed` is raised, so a handler can simply stop; errors of the types in
    ``shown_by_caller`` are not told here (the caller shows them in the page instead)."""
    try:
        result: T = await run.io_bound(fn, *args, **kwargs)  # type: ignore[assignment]
    except Exception as exc:
        if not isinstance(exc, shown_by_caller):
            tell(exc)
        raise Failed from exc
    return result


async def browser_timezone() -> ZoneInfo:
    """The time zone the browser of this page is in (UTC when it cannot say)."""
    try:
        found = await ui.run_javascript("Intl.DateTimeFormat().resolvedOptions().timeZone")
        return ZoneInfo(str(found))
    except (TimeoutError, ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def when(moment: datetime | None) -> str:
    """A date and time: 2026-12-04 20:44 in English, as the browser's locale writes it else."""
    if moment is None:
        return "—"
    if i18n.current() != i18n.DEFAULT:
        return i18n.moment(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"  # pragma: no cover - the loop always returns


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


#: A render's status as the studio shows it (translated with ``tr``).
STATUS_NAMES = {
    "queued": marked("queued"),
    "running": marked("running"),
    "succeeded": marked("succeeded"),
    "failed": marked("failed"),
    "cancelled": marked("cancelled"),
}

STATUS_COLOURS = {
    "queued": "grey-7",
    "running": "primary",
    "succeeded": "green-9",  # these four keep white badge text readable (WCAG AA)
    "failed": "negative",
    "cancelled": "deep-orange-10",
}
