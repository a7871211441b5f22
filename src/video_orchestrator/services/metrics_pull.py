"""Pulling an account's figures from its platform (a ``MetricsSource``) into the same
tables as the imports. What a scheduled task runs once the publishing issue's connected
accounts give it a token and the account's posted videos.

The window: the ``days`` before the platform's lag (``today - lag_days`` is the newest day
asked for), pulled again each time, because the figures of recent days still move; the same
figures pulled twice change nothing (``MetricsService.store_pulled``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from video_orchestrator.errors import InputError
from video_orchestrator.ports.metrics_source import MetricsSource, PullRequest, TokenSource
from video_orchestrator.services.metrics import ImportOut, MetricsService

DEFAULT_DAYS = 28
#: Videos asked for in one pull (YouTube: one request, one quota unit, per video).
MAX_VIDEOS = 200


def pull_window(today: date, lag_days: int, days: int = DEFAULT_DAYS) -> tuple[date, date]:
    if not 1 <= days <= 366:
        raise InputError("a pull covers 1 to 366 days")
    end = today - timedelta(days=max(0, lag_days))
    return end - timedelta(days=days - 1), end


def pull_metrics(
    metrics: MetricsService,
    source: MetricsSource,
    tokens: TokenSource,
    *,
    account: str,
    video_ids: Sequence[str],
    today: date,
    days: int = DEFAULT_DAYS,
) -> ImportOut | None:
    """Pull and store the account's figures; None when it has no videos to ask about."""
    wanted = tuple(dict.fromkeys(v for v in video_ids if v))[:MAX_VIDEOS]
    if not wanted:
        return None
    start, end = pull_window(today, source.lag_days, days)
    parsed = source.pull(tokens, PullRequest(account, start, end, wanted))
    return metrics.store_pulled(parsed, f"{source.name} {account} {start}..{end}")
