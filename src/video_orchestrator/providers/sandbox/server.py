"""A ``ThreadingHTTPServer`` on 127.0.0.1 served by a daemon thread (a sandbox platform),
in memory or with its state in a file of the workspace (:mod:`.state`, ADR 0037)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from video_orchestrator.providers.sandbox.state import StateFile, decode


class ServedInThread:
    """``with Server() as s: ... s.base_url ...`` or :meth:`start` for the process's life.
    Subclasses build their handler, then call :meth:`serve`, and answer each request inside
    :meth:`persisted`.

    A subclass names what it remembers in :attr:`persisted_fields` (attributes, or dotted
    paths into one: ``"tokens.access"``) and the dataclasses found there in
    :attr:`state_types`; :meth:`persist` keeps them in a file (the sandbox). Without it the
    server is in memory (the fakes of the tests)."""

    stop: threading.Event | None = None
    lock: threading.RLock
    persisted_fields: tuple[str, ...] = ()
    state_types: tuple[type, ...] = ()
    #: The state file, when the server keeps one (:meth:`persist`).
    store: StateFile | None = None
    #: The port this platform serves on whenever it is free (kept in the state file).
    home_port: int = 0

    def serve(self, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        self._place(ThreadingHTTPServer(("127.0.0.1", port), handler))

    def _place(self, httpd: ThreadingHTTPServer) -> None:
        self.httpd = httpd
        self.httpd.daemon_threads = True
        self.port: int = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> Self:
        self.thread.start()
        return self

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        if self.stop is not None:
            self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    # -- state kept in a file -------------------------------------------------------------------

    def persist(self, path: Path) -> Self:
        """Keep this server's state in ``path`` (before :meth:`start`): it starts from what
        the file holds, on its home port when that is free, and every request it answers
        reads and writes the file under its lock, so processes share one platform."""
        store = StateFile(path)
        with self.lock, store.request(self.dump_state, self.load_state):
            if self.home_port and self.home_port != self.port:
                self._move_to(self.home_port)  # taken: another process serves it now
            if not self.home_port:
                self.home_port = self.port
        self.store = store
        return self

    def _move_to(self, port: int) -> bool:
        try:
            moved = type(self.httpd)(("127.0.0.1", port), self.httpd.RequestHandlerClass)
        except OSError:
            return False
        self.httpd.server_close()
        self._place(moved)
        return True

    @contextlib.contextmanager
    def persisted(self) -> Iterator[None]:
        """The block answers one request: with a state file, under its lock and on the
        state the last writer left (written back if the request changed it)."""
        if self.store is None:  # in memory: as the fakes of the tests always were
            yield
            return
        with self.lock, self.store.request(self.dump_state, self.load_state):
            yield

    def dump_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {"home_port": self.home_port}
        for name in self.persisted_fields:
            value: Any = self
            for part in name.split("."):
                value = getattr(value, part)
            state[name] = value
        return state

    def load_state(self, state: dict[str, Any]) -> None:
        types = {cls.__name__: cls for cls in self.state_types}
        self.home_port = int(state.get("home_port") or 0)
        for name in self.persisted_fields:
            if name not in state:
                continue  # a field this version added: the constructor's value stands
            *path, last = name.split(".")
            owner: Any = self
            for part in path:
                owner = getattr(owner, part)
            setattr(owner, last, decode(state[name], types))
        self.after_load()

    def after_load(self) -> None:
        """Relink what the file holds apart (shared objects); nothing by default."""
