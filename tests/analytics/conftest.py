"""Analytics tests run on SQLite and on the PostgreSQL this machine runs (skipped, with the
reason, when it is not reachable)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.api.conftest import (
    TABLES,
    postgres_url,  # noqa: F401  (a fixture)
)
from video_orchestrator.store import Database


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'vo.db'}")
    else:
        database = Database(request.getfixturevalue("postgres_url"))
    database.migrate()
    yield database
    if request.param == "postgresql":
        with database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {TABLES} CASCADE"))
    database.dispose()
