"""A trends database on SQLite or on the PostgreSQL this machine runs (a fresh database per
test, dropped afterwards; the PostgreSQL half is skipped when it is not reachable)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.api.conftest import PG_ADMIN
from video_orchestrator.store import Database


@pytest.fixture(params=["sqlite", "postgresql"])
def trend_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'trends.db'}")
        db.migrate()
        yield db
        db.dispose()
        return
    name = f"vo_trends_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}".splitlines()[0])
    db = Database(f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}")
    db.migrate()
    yield db
    db.dispose()
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
