"""How fast this machine renders, measured: the pixels × frames per second of its recent
renders, per encoder preset, kept in a small JSON file in the cache folder named after the
machine (``render-speed-<host>.json``; another machine sharing the folder keeps its own). The
time left of a render is worked out from it, not from how fast the first percent went."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path

from video_orchestrator.atomic import write_text

#: Weight of the newest render in the running average (the rest: the renders before it).
NEWEST_WEIGHT = 0.5
#: A render shorter than this (seconds) says little about speed and is not recorded.
MIN_SECONDS = 0.5


def machine_name() -> str:
    name = socket.gethostname() or "this-machine"
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)[:64]


class RenderSpeed:
    """Measured render speed of one machine, per encoder preset (``veryfast``, ``ultrafast``)."""

    def __init__(self, folder: Path, *, machine: str | None = None) -> None:
        self.machine = machine or machine_name()
        self.path = folder / f"render-speed-{self.machine}.json"

    def _read(self) -> dict[str, dict[str, float]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        rates = data.get("rates") if isinstance(data, dict) else None
        return rates if isinstance(rates, dict) else {}

    def rate(self, preset: str) -> float | None:
        """Pixel-frames per second this machine rendered recently with ``preset``."""
        entry = self._read().get(preset)
        value = entry.get("rate") if isinstance(entry, dict) else None
        return float(value) if isinstance(value, int | float) and value > 0 else None

    def record(
        self,
        preset: str,
        *,
        frames: int,
        width: int,
        height: int,
        seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Add one finished render (its wall time) to the running average."""
        if seconds < MIN_SECONDS or frames <= 0:
            return
        measured = frames * width * height / seconds
        rates = self._read()
        old = rates.get(preset, {})
        previous = old.get("rate") if isinstance(old, dict) else None
        rate = (
            measured
            if not isinstance(previous, int | float) or previous <= 0
            else NEWEST_WEIGHT * measured + (1 - NEWEST_WEIGHT) * float(previous)
        )
        count = int(old.get("renders", 0)) + 1 if isinstance(old, dict) else 1
        rates[preset] = {"rate": rate, "renders": count, "updated": clock()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {"machine": self.machine, "unit": "pixel-frames per second", "rates": rates}
        write_text(self.path, json.dumps(document, indent=1))

    def expected_seconds(
        self, preset: str, *, frames: int, width: int, height: int
    ) -> float | None:
        """How long a render of ``frames`` frames of ``width``×``height`` should take here,
        or None before this machine has rendered with ``preset``."""
        rate = self.rate(preset)
        return frames * width * height / rate if rate is not None else None
