"""What an executor is handed: the work it runs, never imported by it.

Airflow's executors receive a command to run; ours receive a :data:`MakeRunner`, a function the
composition root (``services``) passes in. Each worker calls it once, with the settings, to get
a :class:`Runner`: the queue it claims jobs from and the call that does a claimed job. So
``jobs`` moves work and knows nothing of the use cases that do it.

Worker processes are spawned, so a :data:`MakeRunner` given to the local executor must be a
module-level function: it crosses into the new process the way pickle sends any function, as
its module and name, and is imported there (a lambda or a closure cannot cross).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from video_orchestrator.config import Settings
from video_orchestrator.store.job_queue import JobQueue, Lease


class Runner(Protocol):
    """Does the jobs one worker claims."""

    @property
    def queue(self) -> JobQueue:
        """The queue the worker claims jobs from (the runner's own database)."""
        ...

    def run(self, lease: Lease, abandon: threading.Event | None = None) -> str:
        """Do the attempt ``lease`` names (a claim's result); returns its final status, or
        "superseded" / "abandoned" when it stopped without writing (ADR 0017): another
        attempt owns the job now, or ``abandon`` was set because the worker is going away."""
        ...


MakeRunner = Callable[[Settings], Runner]
"""Builds one worker's :class:`Runner` from the settings, inside that worker."""
