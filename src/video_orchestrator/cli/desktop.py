"""``vo app``: the web UI on this machine, in a desktop window (pywebview) when one can open,
otherwise in the default browser. The server runs in a background thread on 127.0.0.1 and
stops when the window closes (or on Ctrl+C)."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from enum import StrEnum
from types import FrameType
from typing import Any

from video_orchestrator.config import Settings
from video_orchestrator.errors import InputError

HOST = "127.0.0.1"
START_SECONDS = 60.0
WINDOW_SIZE = (1280, 860)


class Opener(StrEnum):
    WINDOW = "window"  # pywebview when it imports and a display is usable, else the browser
    BROWSER = "browser"
    NONE = "none"  # only print the address


def run_app(
    config: Settings,
    *,
    port: int | None,
    opener: Opener,
    say: Callable[[str], None],
    show_url: Callable[[str], None],
) -> None:
    """Serve the API and web UI until the window closes or Ctrl+C / SIGTERM. ``say`` gets
    progress lines; ``show_url`` the bare address when nothing is opened (for scripts)."""
    import uvicorn

    from video_orchestrator.api import create_app

    sock = _listen(port)
    bound = int(sock.getsockname()[1])
    config = config.model_copy(update={"api_host": HOST, "api_port": bound})
    server = uvicorn.Server(
        uvicorn.Config(create_app(config, ui=True), host=HOST, port=bound, log_level="warning")
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="vo-app-server", daemon=True
    )
    thread.start()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        _wait_started(server, thread)
        url = f"http://{HOST}:{bound}/ui/"
        if opener is Opener.NONE:
            show_url(url)
        elif opener is Opener.WINDOW and _window_possible():
            say(f"Video Orchestrator at {url}, in a desktop window: close it to stop")
            if _open_window(url, say):
                return
        if opener is not Opener.NONE and not webbrowser.open(url):
            say("could not start a web browser: open the address below yourself")
        say(f"Video Orchestrator at {url} (Ctrl+C to stop)")
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _listen(port: int | None) -> socket.socket:
    """Bind the port now (0: any free one), so a busy port is a clear error before starting."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port or 0))
    except OSError as exc:
        sock.close()
        raise InputError(
            f"port {port} on {HOST} is not free ({exc.strerror}): pick another with --port"
        ) from None
    return sock


def _wait_started(server: Any, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server stopped while starting (see the messages above)")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start within {START_SECONDS:.0f} s")
        time.sleep(0.05)


def _window_possible() -> bool:
    """pywebview installed (the ``desktop`` extra) and, on Linux, a display to draw on."""
    if importlib.util.find_spec("webview") is None:
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _open_window(url: str, say: Callable[[str], None]) -> bool:
    """Show the window until it is closed; False when no window could be opened."""
    try:
        import webview

        webview.create_window(
            "Video Orchestrator", url, width=WINDOW_SIZE[0], height=WINDOW_SIZE[1]
        )
        webview.start()
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # no GUI backend (GTK/Qt) and the like: the browser will do
        say(f"no desktop window ({type(exc).__name__}: {exc}); opening the browser instead")
        return False
    return True
