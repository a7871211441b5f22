"""Migration 0008 (trends) upgrades, downgrades and upgrades again on SQLite and
PostgreSQL, leaving no table behind on the way down."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from tests.trend_fixtures import trend_db  # noqa: F401 - a fixture, found by name
from video_orchestrator.store import Database
from video_orchestrator.store.db import alembic_config

TABLES = {
    "trend_sources",
    "trend_polls",
    "trend_items",
    "trends",
    "trend_evidence",
    "trend_watches",
    "trend_alerts",
    "alert_channels",
    "alert_deliveries",
    "trend_projects",
}


def _run(db: Database, action: str, revision: str) -> set[str]:
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_trends_migration_down_and_up_again(trend_db: Database) -> None:  # noqa: F811
    with trend_db.engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES
    down = _run(trend_db, "downgrade", "0005")
    assert not TABLES & down and "projects" in down
    assert _run(trend_db, "upgrade", "head") >= TABLES
