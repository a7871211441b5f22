"""Metrics pulled from a platform's analytics API for a connected account.

Adapters (``providers/youtube_analytics``, ``providers/tiktok_display``,
``providers/instagram_insights``, ``providers/facebook_insights``; what they share is
``providers/_metrics.py``, and on Meta's Graph API ``providers/_graph_insights.py``) register
under ``ports.METRICS_SOURCE_ENTRY_POINTS`` and subclass ``ports.provider.Provider`` (ADR
0012). A source returns what it read as the same values an imported export becomes
(``metrics.records.ParsedExport``, ``source="api"``), so pulled and imported figures are
stored by one upsert (ADR 0029).

The caller (``services/metrics_pull.py``: the daily scheduled task, ``vo analytics pull``;
ADR 0038) owns the token (``ports.publishing.TokenSource``: refreshed once when the
platform refuses it), the window (``lag_days`` before today at the latest: the platforms'
figures for the last days are still moving) and the videos (the publishing posts of the
account). Errors: ``ProviderAuthError`` (reconnect the account), ``ProviderRateLimited`` (a
quota used up: ``retry_after`` when the platform says), ``ProviderUnavailable``,
``ProviderError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from video_orchestrator.metrics.records import ParsedExport
from video_orchestrator.ports.provider import ProviderKind
from video_orchestrator.ports.publishing import TokenSource

__all__ = ["MetricsSource", "PullRequest", "TokenSource"]


@dataclass(frozen=True, slots=True)
class PullRequest:
    """Which figures to pull: the account's ``video_ids`` per day over ``start``..``end``."""

    account: str
    start: date
    end: date
    video_ids: tuple[str, ...]


@runtime_checkable
class MetricsSource(Protocol):
    name: str
    kind: ProviderKind
    #: The platform whose figures it reads ("youtube" …).
    platform: str
    #: How many days the platform's figures lag behind (the newest day worth asking for is
    #: ``today - lag_days``).
    lag_days: int

    def pull(self, tokens: TokenSource, request: PullRequest) -> ParsedExport:
        """Every video's metrics per day over the window (days without figures left out)."""
        ...
