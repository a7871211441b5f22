"""Token and cost accounting for language-model calls.

:class:`PriceTable` prices a :class:`Usage` from ``data/llm_prices.json`` (list prices per
million tokens; local servers are free; an unknown model has an unknown cost, ``None``).
:class:`UsageLedger` collects the usage of every call, each entry tagged with the project it
belongs to when there is one, and sums it up — per run (``vo make`` writes a run's sum into
the video's metadata) or per project.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from video_orchestrator.ports.llm import Usage, UsageSink

_VERSION_SUFFIX = re.compile(r"^-(latest|\d+(-\d+)*|preview(-[\w.]+)*)$")


@dataclass(frozen=True, slots=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float


class PriceTable:
    """Prices per vendor and model; ``free`` vendors (local servers) cost nothing."""

    def __init__(
        self, vendors: dict[str, dict[str, Price]], free: Iterable[str] = (), as_of: str = ""
    ) -> None:
        self._vendors = vendors
        self._free = frozenset(free)
        self.as_of = as_of

    @classmethod
    def load(cls) -> PriceTable:
        return _default_prices()

    @classmethod
    def from_json(cls, text: str) -> PriceTable:
        raw = json.loads(text)
        vendors = {
            vendor: {
                model: Price(float(price["input"]), float(price["output"]))
                for model, price in models.items()
            }
            for vendor, models in raw.get("vendors", {}).items()
        }
        return cls(vendors, raw.get("free", ()), str(raw.get("as_of", "")))

    def price(self, vendor: str, model: str) -> Price | None:
        """The model's price: exact, else the longest listed name that the model's dated or
        versioned name extends (``gpt-4o-mini-2024-07-18`` → ``gpt-4o-mini``)."""
        models = self._vendors.get(vendor, {})
        model = model.removeprefix("models/")
        if model in models:
            return models[model]
        matches = [
            name
            for name in models
            if model.startswith(name) and _VERSION_SUFFIX.match(model[len(name) :])
        ]
        return models[max(matches, key=len)] if matches else None

    def cost(self, usage: Usage) -> float | None:
        """US dollars, ``0.0`` for cached answers and local servers, ``None`` when unknown."""
        vendor = usage.vendor or usage.provider
        if usage.cached or vendor in self._free:
            return 0.0
        price = self.price(vendor, usage.model)
        if price is None or usage.input_tokens is None or usage.output_tokens is None:
            return None
        dollars = (
            usage.input_tokens * price.input_per_mtok + usage.output_tokens * price.output_per_mtok
        ) / 1_000_000
        return round(dollars, 8)


@cache
def _default_prices() -> PriceTable:
    text = (
        resources.files("video_orchestrator")
        .joinpath("data", "llm_prices.json")
        .read_text(encoding="utf-8")
    )
    return PriceTable.from_json(text)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    usage: Usage
    project_id: str | None = None
    purpose: str = ""


@dataclass(frozen=True, slots=True)
class UsageSummary:
    calls: int
    cached_calls: int
    input_tokens: int | None  # None when no call reported its tokens
    output_tokens: int | None
    cost_usd: float | None  # None when any uncached call had an unknown price

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "cached_calls": self.cached_calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost_usd,
        }


def summarize(usages: Sequence[Usage]) -> UsageSummary:
    costs = [u.cost_usd for u in usages]
    known = all(cost is not None for cost in costs)
    return UsageSummary(
        calls=len(usages),
        cached_calls=sum(1 for u in usages if u.cached),
        input_tokens=_total(u.input_tokens for u in usages),
        output_tokens=_total(u.output_tokens for u in usages),
        cost_usd=round(sum(c or 0.0 for c in costs), 8) if known else None,
    )


def _total(counts: Iterable[int | None]) -> int | None:
    known = [count for count in counts if count is not None]
    return sum(known) if known else None


class UsageLedger:
    """A thread-safe list of calls. ``project_id`` tags entries recorded without one;
    ``parent`` (another sink) receives every entry too — a run's ledger feeding the
    process-wide one, or later the store's per-project accounts."""

    def __init__(self, *, project_id: str | None = None, parent: UsageSink | None = None) -> None:
        self.project_id = project_id
        self._parent = parent
        self._entries: list[LedgerEntry] = []
        self._lock = threading.Lock()

    def record(self, usage: Usage, *, project_id: str | None = None, purpose: str = "") -> None:
        entry = LedgerEntry(usage, project_id or self.project_id, purpose)
        with self._lock:
            self._entries.append(entry)
        if self._parent is not None:
            self._parent.record(usage, project_id=entry.project_id, purpose=purpose)

    def entries(self, project_id: str | None = None) -> list[LedgerEntry]:
        with self._lock:
            entries = list(self._entries)
        if project_id is None:
            return entries
        return [entry for entry in entries if entry.project_id == project_id]

    def summary(self, project_id: str | None = None) -> UsageSummary:
        return summarize([entry.usage for entry in self.entries(project_id)])
