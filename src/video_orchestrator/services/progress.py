"""How long-running use cases report what they are doing to whichever interface called them."""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    """Receives step progress and notices. Interfaces implement it (Rich bars, SSE, logs)."""

    def step(self, key: str, label: str) -> None:
        """A step begins (``key`` is stable: script, voice, media, render, export …)."""

    def progress(self, key: str, fraction: float) -> None:
        """Fraction in [0, 1] of the current step done."""

    def notice(self, message: str) -> None:
        """Something the user should read (a fallback taken, a file skipped)."""

    def expect(self, key: str, seconds: float) -> None:
        """Step ``key`` should take about ``seconds``, from this machine's measured speed
        (``render_speed.py``); a reporter may show the time left from it."""


class SilentReporter:
    """Collects notices and ignores progress: for tests and batch use."""

    def __init__(self) -> None:
        self.notices: list[str] = []
        self.steps: list[str] = []

    def step(self, key: str, label: str) -> None:
        self.steps.append(key)

    def progress(self, key: str, fraction: float) -> None:
        return None

    def notice(self, message: str) -> None:
        self.notices.append(message)

    def expect(self, key: str, seconds: float) -> None:
        return None
