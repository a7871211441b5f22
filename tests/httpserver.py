"""A real HTTP server on 127.0.0.1 for adapter tests (``ThreadingHTTPServer`` in a thread).

Tests queue :class:`Reply` objects (status, JSON or text body, headers such as
``Retry-After``, an optional delay for timeouts); when the queue is empty the ``default``
callable answers — that is where a test server speaks a provider's protocol (check the path
and the auth headers, answer with the documented success or error body). Every request is
recorded (method, path with query, lower-cased headers, JSON body).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list → JSON; str → text as is; bytes → as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw bytes when the body is not JSON


class ServedInThread:
    """A ``ThreadingHTTPServer`` on a free port of 127.0.0.1, served by a thread while the
    ``with`` block runs. Subclasses build their handler, then call :meth:`serve`. A ``stop``
    event, when they have one, is set on exit so that delayed replies end at once."""

    stop: threading.Event | None = None

    def serve(self, handler: type[BaseHTTPRequestHandler], path: str = "") -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port: int = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}{path}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.stop is not None:
            self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class HTTPTestServer(ServedInThread):
    """``with HTTPTestServer(default) as server: ... server.base_url ...``"""

    def __init__(self, default: Callable[[Recorded], Reply] | None = None) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Recorded] = []
        self.default = default or (lambda _: Reply(404, {"error": "not found"}))
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length", "0") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                recorded = Recorded(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                server.requests.append(recorded)
                reply = server.replies.pop(0) if server.replies else server.default(recorded)
                if reply.delay and server.stop.wait(reply.delay):
                    return
                if isinstance(reply.body, bytes):
                    payload, content_type = reply.body, "application/octet-stream"
                elif isinstance(reply.body, str):
                    payload, content_type = reply.body.encode(), "text/html"
                else:
                    payload, content_type = json.dumps(reply.body).encode(), "application/json"
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout tests)
                    pass

            do_GET = _handle
            do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.serve(Handler)
