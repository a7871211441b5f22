"""The redirect of an installed app (RFC 8252 §7.3): a one-shot HTTP listener on 127.0.0.1,
on a port the system picks, that takes the browser's return from the consent page (``code``
and ``state``, or ``error``), answers with a short page, and stops."""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from video_orchestrator.errors import InputError

PAGE = """<!doctype html><meta charset="utf-8"><title>Video Orchestrator</title>
<body style="font-family:sans-serif;margin:3em"><h1>{title}</h1><p>{text}</p></body>"""


class LoopbackRedirect:
    """``with LoopbackRedirect() as redirect: … redirect.uri … redirect.wait(300)``"""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.answer: dict[str, str] | None = None
        self._arrived = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                if "state" not in query:  # a favicon, a stray request
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                failed = "error" in query
                page = PAGE.format(
                    title="Not connected" if failed else "Account connected",
                    text=html.escape(f"The platform said: {query['error']}." if failed else "")
                    + " You can close this tab and go back to Video Orchestrator.",
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                if owner.answer is None:
                    owner.answer = query
                    owner._arrived.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = HTTPServer((host, port), Handler)
        self.uri = f"http://{host}:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackRedirect:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait(self, timeout: float) -> dict[str, str]:
        """The query of the browser's return (``code``, ``state`` or ``error``)."""
        if not self._arrived.wait(timeout) or self.answer is None:
            raise InputError(
                f"the browser did not come back within {timeout:.0f} s; nothing was connected "
                "(run the command again)"
            )
        return self.answer
