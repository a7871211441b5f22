"""Rich progress bars for the steps a use case reports."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class RichReporter:
    """A bar per step; notices are kept and printed when the bars are gone."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.notices: list[str] = []
        self._tasks: dict[str, TaskID] = {}
        self._current: str | None = None
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<40}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
            disable=not console.is_terminal,
        )

    def __enter__(self) -> RichReporter:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None and self._current is not None:
            self._finish(self._current)
        self._progress.stop()

    def _finish(self, key: str) -> None:
        task = self._tasks[key]
        self._progress.update(task, completed=100)

    def step(self, key: str, label: str) -> None:
        if self._current is not None and self._current != key:
            self._finish(self._current)
        if key not in self._tasks:
            self._tasks[key] = self._progress.add_task(label, total=100)
        self._current = key
        if not self.console.is_terminal:
            self.console.print(f"… {label}", highlight=False)

    def progress(self, key: str, fraction: float) -> None:
        if key in self._tasks:
            self._progress.update(self._tasks[key], completed=max(0.0, min(fraction, 1.0)) * 100)

    def expect(self, key: str, seconds: float) -> None:
        return None  # the bar shows its own elapsed time

    def notice(self, message: str) -> None:
        self.notices.append(message)
