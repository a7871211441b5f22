"""Migration 0006 (publishing) on SQLite and PostgreSQL: it builds exactly the tables of
``store/tables.py``, downgrades cleanly and upgrades again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tests.faults.test_migrations import fresh_postgres  # noqa: F401 - the fixture
from video_orchestrator.store import Database
from video_orchestrator.store.db import alembic_config
from video_orchestrator.store.tables import Base

TABLES = {"publish_accounts", "oauth_pending", "posts", "post_events"}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vo.db'}"
    else:
        yield request.getfixturevalue("fresh_postgres")


def _run(db: Database, action: str, revision: str) -> None:
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_publishing_tables_match_the_models_and_downgrade(fresh: str) -> None:
    db = Database(fresh)
    try:
        db.migrate()
        with db.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert set(inspect(db.engine).get_table_names()) >= TABLES
        _run(db, "downgrade", "0005")
        assert not TABLES & set(inspect(db.engine).get_table_names())
        _run(db, "upgrade", "head")
        assert set(inspect(db.engine).get_table_names()) >= TABLES
    finally:
        db.dispose()
