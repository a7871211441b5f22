"""Web UI sessions without a browser (ADR 0019): bound to the key that opened them, ended by
revocation, deletion of the key, sign-out, idle and absolute expiry; only a hash is stored.
A real SQLite database; time moves by a clock the test sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from video_orchestrator.errors import AccessError
from video_orchestrator.services.apikeys import ApiKeyService
from video_orchestrator.services.ui_sessions import UiSessionService
from video_orchestrator.store import Database
from video_orchestrator.store.tables import ApiKey, UiSession

IDLE = timedelta(minutes=60)
LIFETIME = timedelta(hours=12)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'vo.db'}")
    database.migrate()
    return database


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys(db: Database) -> ApiKeyService:
    return ApiKeyService(db)


@pytest.fixture
def sessions(db: Database, keys: ApiKeyService, clock: Clock) -> UiSessionService:
    return UiSessionService(db, keys, idle=IDLE, lifetime=LIFETIME, clock=clock)


def test_a_session_is_bound_to_the_key_that_opened_it(
    sessions: UiSessionService, keys: ApiKeyService
) -> None:
    made = keys.create("studio")
    opened = sessions.open(made.key)
    live = sessions.check(opened.token)
    assert (live.key_id, live.key_name) == (made.info.id, "studio")
    with pytest.raises(AccessError, match="not valid"):
        sessions.open("vo_wrong")
    with pytest.raises(AccessError, match="sign in"):
        sessions.check(None)
    with pytest.raises(AccessError, match="ended"):
        sessions.check("a-token-never-issued")


def test_revoking_the_key_ends_its_sessions_at_once(
    sessions: UiSessionService, keys: ApiKeyService
) -> None:
    mine, other = keys.create("mine"), keys.create("other")
    first, second = sessions.open(mine.key), sessions.open(mine.key)
    others = sessions.open(other.key)
    keys.revoke(mine.info.id)
    for opened in (first, second):
        with pytest.raises(AccessError, match="ended"):
            sessions.check(opened.token)
    assert sessions.check(others.token).key_id == other.info.id
    assert sessions.count() == 1


def test_a_revoked_or_deleted_key_is_refused_even_when_its_session_row_is_left(
    sessions: UiSessionService, keys: ApiKeyService, db: Database
) -> None:
    """The check reads the key itself: a session row that outlived its key (revoked by an
    older version, or the key's row deleted) signs no one in."""
    revoked, deleted = keys.create("revoked"), keys.create("deleted")
    a, b = sessions.open(revoked.key), sessions.open(deleted.key)
    with db.session() as session:
        session.get_one(ApiKey, revoked.info.id).revoked = True
    with pytest.raises(AccessError, match="revoked"):
        sessions.check(a.token)
    with db.session() as session:
        session.execute(delete(ApiKey).where(ApiKey.id == deleted.info.id))
    with pytest.raises(AccessError, match="ended"):
        sessions.check(b.token)
    assert sessions.count() == 0


def test_idle_expiry_counts_from_the_last_use(
    sessions: UiSessionService, keys: ApiKeyService, clock: Clock
) -> None:
    opened = sessions.open(keys.create("idle").key)
    for _ in range(3):  # used every 50 minutes: alive for 2.5 hours
        clock.now += timedelta(minutes=50)
        sessions.check(opened.token)
    clock.now += timedelta(minutes=59)
    sessions.check(opened.token, touch=False)  # a look that is not use keeps nothing alive
    clock.now += timedelta(minutes=1)
    with pytest.raises(AccessError, match="not used for 60 minutes"):
        sessions.check(opened.token)
    with pytest.raises(AccessError, match="ended"):  # and it stays ended
        sessions.check(opened.token)


def test_absolute_expiry_ends_a_session_in_constant_use(
    sessions: UiSessionService, keys: ApiKeyService, clock: Clock
) -> None:
    opened = sessions.open(keys.create("busy").key)
    for _ in range(11 * 2):
        clock.now += timedelta(minutes=30)
        sessions.check(opened.token)
    clock.now += timedelta(minutes=59)
    sessions.check(opened.token)
    clock.now += timedelta(minutes=1)
    with pytest.raises(AccessError, match="older than 12 hours"):
        sessions.check(opened.token)


def test_sign_out_ends_one_session_on_the_server(
    sessions: UiSessionService, keys: ApiKeyService
) -> None:
    key = keys.create("two browsers").key
    here, there = sessions.open(key), sessions.open(key)
    sessions.end(here.token)
    with pytest.raises(AccessError, match="ended"):
        sessions.check(here.token)  # a copy of the token works no more
    assert sessions.check(there.token)
    sessions.end(None)  # nothing to end: no error


def test_only_the_tokens_hash_is_stored_and_expired_rows_are_swept(
    sessions: UiSessionService, keys: ApiKeyService, db: Database, clock: Clock
) -> None:
    key = keys.create("sweep").key
    old = sessions.open(key)
    with db.session() as session:
        stored = session.scalars(select(UiSession.token_hash)).all()
    assert len(stored) == 1 and old.token not in stored[0]
    clock.now += IDLE
    new = sessions.open(key)  # opening sweeps what has expired
    assert sessions.count() == 1
    assert sessions.check(new.token)
