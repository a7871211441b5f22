"""What is known about a video before it is posted, and its encoding as numbers.

An encoder is fitted on a user's own history (so its categories and keywords are theirs) and
turns :class:`VideoFeatures` into one row of floats: numbers standardised, categories one-hot
(a category the history never saw is all zeros), posting hour and weekday as points on a
circle (23:00 is next to 00:00), the ``keyword_slots`` most frequent topic keywords one-hot.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from video_orchestrator.analytics.stats import FloatArray
from video_orchestrator.errors import InputError

#: Topic keywords kept as features: the most frequent ones of the history, seen at least twice.
KEYWORD_SLOTS = 20
KEYWORD_MIN_COUNT = 2


@dataclass(frozen=True)
class VideoFeatures:
    """A draft or published video as the model sees it."""

    hook_type: str  # pipeline/hooks types: question, bold_claim, statistic …
    hook_score: float  # 0–100, the hook scorer's
    length_s: float
    words_per_second: float
    caption_style: str  # spec.vocabulary CaptionPreset
    platform: str
    hour: int  # local posting hour 0–23
    weekday: int  # 0 Monday … 6 Sunday
    keywords: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.hour <= 23:
            raise InputError(f"the posting hour must be 0 to 23, not {self.hour}")
        if not 0 <= self.weekday <= 6:
            raise InputError(f"the weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        for name in ("hook_score", "length_s", "words_per_second"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"{name.replace('_', ' ')} must be zero or more, not {value}")


_NUMBERS = ("hook_score", "length_s", "words_per_second")
_CATEGORIES = ("hook_type", "caption_style", "platform")


@dataclass(frozen=True)
class FeatureEncoder:
    means: tuple[float, ...]
    sds: tuple[float, ...]
    categories: tuple[tuple[str, ...], ...]  # per categorical feature, its levels
    keywords: tuple[str, ...]

    @classmethod
    def fit(
        cls, rows: Sequence[VideoFeatures], keyword_slots: int = KEYWORD_SLOTS
    ) -> FeatureEncoder:
        numbers = np.array([[getattr(r, n) for n in _NUMBERS] for r in rows], dtype=np.float64)
        sds = numbers.std(axis=0)
        counts = Counter(k.casefold() for r in rows for k in set(r.keywords))
        kept = [k for k, c in counts.most_common() if c >= KEYWORD_MIN_COUNT][:keyword_slots]
        return cls(
            means=tuple(float(m) for m in numbers.mean(axis=0)),
            sds=tuple(float(s) if s > 0 else 1.0 for s in sds),
            categories=tuple(
                tuple(sorted({getattr(r, name) for r in rows})) for name in _CATEGORIES
            ),
            keywords=tuple(sorted(kept)),
        )

    @property
    def names(self) -> tuple[str, ...]:
        """The column names, in order."""
        columns = [*_NUMBERS, "hour_sin", "hour_cos", "weekday_sin", "weekday_cos"]
        for name, levels in zip(_CATEGORIES, self.categories, strict=True):
            columns += [f"{name}={level}" for level in levels]
        columns += [f"keyword={k}" for k in self.keywords]
        return tuple(columns)

    def matrix(self, rows: Sequence[VideoFeatures]) -> FloatArray:
        return np.array([self._row(r) for r in rows], dtype=np.float64)

    def _row(self, row: VideoFeatures) -> list[float]:
        values = [
            (getattr(row, n) - m) / s
            for n, m, s in zip(_NUMBERS, self.means, self.sds, strict=True)
        ]
        values += [
            math.sin(2 * math.pi * row.hour / 24),
            math.cos(2 * math.pi * row.hour / 24),
            math.sin(2 * math.pi * row.weekday / 7),
            math.cos(2 * math.pi * row.weekday / 7),
        ]
        for name, levels in zip(_CATEGORIES, self.categories, strict=True):
            value = getattr(row, name)
            values += [1.0 if value == level else 0.0 for level in levels]
        mine = {k.casefold() for k in row.keywords}
        values += [1.0 if k in mine else 0.0 for k in self.keywords]
        return values
