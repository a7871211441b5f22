"""A caller of any ``Publisher`` that keeps the port's rules (``ports/publishing.py``), for
the property tests: the checkpoint is stored after every step, a step whose outcome is not
known (it raised ``OutcomeUnknown``, or the process "died" before storing its result) is
followed by ``reconcile`` before anything else, and the process is killed at random points
(a new publisher instance resumes from the stored checkpoint).

The store is any mutable mapping (a dict, or :class:`SqliteStore`: a real file, re-opened
after each kill), holding ``checkpoint`` (JSON) and ``unknown`` (the post is between
"about to act" and "result stored").
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from video_orchestrator.errors import (
    InputError,
    OutcomeUnknown,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.publishing import (
    Checkpoint,
    Connector,
    PostContent,
    Publisher,
    TokenSet,
)
from video_orchestrator.providers.sandbox.platform import FakeClock

TERMINAL = ("published", "failed", "needs_attention")


class ClockTokens:
    """A ``TokenSource`` on the fake clock: refreshed through the connector ``margin``
    seconds before expiry, and on demand after a 401 (what the accounts service does for
    real). Meta's tokens cannot be renewed once expired, so their tests give a margin that
    outlasts a few failed renewals."""

    def __init__(
        self, connector: Connector, tokens: TokenSet, clock: FakeClock, margin: float = 60.0
    ) -> None:
        self.connector = connector
        self.tokens = tokens
        self.clock = clock
        self.margin = timedelta(seconds=margin)
        self.refreshes = 0

    def current(self) -> str:
        expires = self.tokens.expires_at
        if expires is not None and expires - self.margin <= at(self.clock):
            return self.refresh()
        return self.tokens.access_token

    def refresh(self) -> str:
        fresh = self.connector.refresh(self.tokens.refresh_token or self.tokens.access_token)
        if fresh.refresh_token is None and self.tokens.refresh_token:
            fresh = TokenSet(
                fresh.access_token, self.tokens.refresh_token, fresh.expires_at, fresh.scopes
            )
        self.tokens = fresh
        self.refreshes += 1
        return fresh.access_token


def at(clock: FakeClock) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


class SqliteStore(MutableMapping[str, Any]):
    """The checkpoint in a SQLite file, one committed write per change, re-opened after each
    kill (a process that dies loses nothing it stored)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        # each write is its own committed transaction; the kills here are simulated in one
        # process, so the file need not be synced to the disk (that only costs time)
        self.db.execute("pragma synchronous = off")
        self.db.execute("create table if not exists post (key text primary key, value text)")

    def reopen(self) -> SqliteStore:
        self.db.close()
        return SqliteStore(self.path)

    def __getitem__(self, key: str) -> Any:
        row = self.db.execute("select value from post where key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return json.loads(row[0])

    def __setitem__(self, key: str, value: Any) -> None:
        self.db.execute("insert or replace into post values (?, ?)", (key, json.dumps(value)))

    def __delitem__(self, key: str) -> None:
        self.db.execute("delete from post where key = ?", (key,))

    def __iter__(self) -> Iterator[str]:
        return iter([r[0] for r in self.db.execute("select key from post")])

    def __len__(self) -> int:
        return int(self.db.execute("select count(*) from post").fetchone()[0])


@dataclass
class Outcome:
    state: str
    message: str | None = None
    remote_id: str | None = None
    url: str | None = None
    steps: int = 0
    reconciles: int = 0
    kills: int = 0
    unknown: int = 0


def drive(
    make_publisher: Callable[[], Publisher],
    tokens: ClockTokens,
    content: PostContent,
    *,
    store: MutableMapping[str, Any],
    clock: FakeClock,
    rng: random.Random,
    kill_rate: float = 0.0,
    reopen: Callable[[MutableMapping[str, Any]], MutableMapping[str, Any]] | None = None,
    max_steps: int = 500,
) -> Outcome:
    """Publish ``content`` to the end (published, failed or needs_attention)."""
    store.setdefault("checkpoint", Checkpoint.start().to_json())
    store.setdefault("unknown", False)
    outcome = Outcome("running")
    publisher = make_publisher()

    def kill() -> None:
        nonlocal publisher, store
        outcome.kills += 1
        if reopen is not None:
            store = reopen(store)
        elif isinstance(store, SqliteStore):
            store = store.reopen()
        publisher = make_publisher()

    for _ in range(max_steps):
        checkpoint = Checkpoint.from_json(store["checkpoint"])
        unknown = bool(store["unknown"])
        if rng.random() < kill_rate / 2:
            kill()  # between two steps: the stored checkpoint is all that survives
        store["unknown"] = True
        try:
            if unknown:
                outcome.reconciles += 1
                result = publisher.reconcile(tokens, content, checkpoint)
            else:
                outcome.steps += 1
                result = publisher.step(tokens, content, checkpoint)
        except OutcomeUnknown:
            outcome.unknown += 1
            continue
        except ProviderRateLimited as exc:
            store["unknown"] = unknown
            clock.advance(exc.retry_after if exc.retry_after is not None else 60.0)
            continue
        except ProviderUnavailable:
            store["unknown"] = unknown
            clock.advance(2.0)
            continue
        except ProviderAuthError as exc:
            outcome.state, outcome.message = "needs_attention", str(exc)
            return outcome
        except (ProviderError, InputError) as exc:
            outcome.state, outcome.message = "failed", str(exc)
            return outcome
        if rng.random() < kill_rate:
            kill()  # died after the platform acted, before the result was stored
            continue
        store["checkpoint"] = result.checkpoint.to_json()
        store["unknown"] = False
        if result.state in TERMINAL:
            outcome.state, outcome.message = result.state, result.message
            outcome.remote_id, outcome.url = result.remote_id, result.url
            return outcome
        clock.advance(result.wait_seconds)
    raise AssertionError(f"the post did not finish in {max_steps} steps: {dict(store)}")
