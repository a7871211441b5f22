"""The metrics an experiment is judged on, by name: their kind and their words.

Its own small module so that an interface can name them (``vo experiments create --metric``'s
help) without importing the statistics (NumPy, SciPy) that analyse them (ADR 0053).
"""

from __future__ import annotations

from typing import Literal

MetricKind = Literal["rate", "count", "duration"]

#: The metrics an experiment is judged on: (kind, words); a rate is (numerator / views).
METRICS: dict[str, tuple[MetricKind, str]] = {
    "average_view_duration": ("duration", "average view duration"),
    "average_percentage_viewed": ("duration", "share of the video viewed"),
    "views": ("count", "views"),
    "likes": ("count", "likes"),
    "shares": ("count", "shares"),
    "like_rate": ("rate", "likes per view"),
    "share_rate": ("rate", "shares per view"),
}
