"""``vo app``: the real command serves the web UI on 127.0.0.1, prints its address with
``--no-open``, and stops cleanly (its render workers too) on SIGTERM."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_app(tmp_path: Path, shared_cache: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "VO_DATA_DIR": str(tmp_path / "data"),
        "VO_CACHE_DIR": str(shared_cache),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "COLUMNS": "200",
    }
    env.pop("VO_LLM_BASE_URL", None)
    env.pop("VO_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "video_orchestrator", "app", "--no-open", *args],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def first_line(process: subprocess.Popen[str], timeout: float = 60) -> str:
    """The first line the process prints on stdout ('' if it exits or stays silent)."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            return ""
    return process.stdout.readline().strip()


def stop(process: subprocess.Popen[str]) -> int:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        raise


def group_gone(pgid: int, within: float = 15) -> bool:
    """True once no process of the group is left (multiprocessing's resource tracker exits
    just after the main process)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_app_serves_the_ui_and_stops_cleanly(tmp_path: Path, shared_cache: Path) -> None:
    port = free_port()
    app = start_app(tmp_path, shared_cache, "--port", str(port))
    try:
        url = first_line(app)
        assert url == f"http://127.0.0.1:{port}/ui/", (
            url,
            app.stderr.read() if app.poll() is not None else "",
        )
        page = httpx.get(url, timeout=30)
        assert page.status_code == 200
        assert "<title>Video Orchestrator</title>" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=30).status_code == 200
    finally:
        code = stop(app)
    assert app.stderr is not None
    said = app.stderr.read()
    assert code == 0, said
    assert "Ctrl+C to stop" in said
    # its local render worker went with it
    assert group_gone(app.pid), subprocess.run(
        ["ps", "-o", "pid,stat,cmd", "-g", str(app.pid)], capture_output=True, text=True
    ).stdout


def test_app_on_a_busy_port_says_so(tmp_path: Path, shared_cache: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        app = start_app(tmp_path, shared_cache, "--port", str(port))
        try:
            _, said = app.communicate(timeout=60)
        finally:
            stop(app)
    assert app.returncode == 2, said
    assert f"port {port} on 127.0.0.1 is not free" in said
    assert "--port" in said
