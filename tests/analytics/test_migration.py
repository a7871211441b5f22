"""Migration 0007 goes up and down on SQLite and PostgreSQL, leaving the schema as before."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from video_orchestrator.store import Database
from video_orchestrator.store.db import alembic_config

ANALYTICS_TABLES = {
    "metric_videos",
    "metric_values",
    "metric_account_days",
    "metric_follower_hours",
    "metric_imports",
    "report_definitions",
}


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


def _step(db: Database, action: str, revision: str) -> None:
    config = alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def test_analytics_tables_go_up_and_down(db: Database) -> None:
    assert _tables(db) >= ANALYTICS_TABLES
    unique = {
        tuple(c["column_names"]) for c in inspect(db.engine).get_unique_constraints("metric_videos")
    }
    assert ("platform", "remote_id") in unique
    _step(db, "downgrade", "0006")  # to just before the analytics migration (0007)
    assert not ANALYTICS_TABLES & _tables(db)
    assert "projects" in _tables(db)
    _step(db, "upgrade", "head")
    assert _tables(db) >= ANALYTICS_TABLES
