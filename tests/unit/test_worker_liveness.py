"""Recovery decides a worker is dead from its process: gone, or a zombie nobody reaped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from video_orchestrator.store.job_queue import worker_is_dead, worker_name


def test_this_process_is_alive() -> None:
    assert worker_is_dead(worker_name("test")) is False


def test_an_exited_unreaped_child_counts_as_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{child.pid}") and time.monotonic() < deadline:
        with open(f"/proc/{child.pid}/stat") as handle:
            if handle.read().rpartition(")")[2].split()[0] == "Z":
                break
        time.sleep(0.02)
    try:
        assert worker_is_dead(f"{socket.gethostname()}:{child.pid}:local") is True
    finally:
        child.wait()
    assert worker_is_dead(f"{socket.gethostname()}:{child.pid}:local") is True


def test_a_worker_on_another_host_is_judged_by_its_heartbeat_only() -> None:
    assert worker_is_dead("some-other-host:1:celery") is False
    assert worker_is_dead(None) is True
