"""Servers starting together on a fresh database take turns migrating it (issue 11: two API
processes on a fresh PostgreSQL database, one crashed in the migrations)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.api.conftest import PG_ADMIN
from video_orchestrator.store import Database, database_exists
from video_orchestrator.store.db import MIGRATION_LOCK_KEY

MIGRATE = (
    "import sys; from video_orchestrator.store import Database; Database(sys.argv[1]).migrate()"
)


def _start(url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", MIGRATE, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _race(url: str, processes: int = 3) -> None:
    started = [_start(url) for _ in range(processes)]
    for process in started:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()[-2000:]
    database = Database(url)
    try:
        database.ping()  # migrated: the tables are there
    finally:
        database.dispose()


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    name = f"vo_race_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}".splitlines()[0])
    yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_migration_waits_for_the_one_already_running(fresh_postgres: str) -> None:
    """Deterministic: while this test holds the migration lock, a starting server waits on
    it (PostgreSQL shows its lock request as not granted), then completes."""
    with psycopg.connect(fresh_postgres, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        process = _start(fresh_postgres)
        deadline = time.monotonic() + 60
        waiting = 0
        while time.monotonic() < deadline and not waiting:
            row = holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()
            waiting = int(row[0]) if row else 0
            time.sleep(0.1)
        assert waiting == 1, "the migration did not wait for the lock"
        assert process.poll() is None
        holder.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()[-2000:]


def test_servers_racing_on_a_fresh_postgres_database_all_start(fresh_postgres: str) -> None:
    _race(fresh_postgres)


def test_servers_racing_on_a_fresh_sqlite_file_all_start(tmp_path: Path) -> None:
    for attempt in range(3):
        _race(f"sqlite:///{tmp_path / f'vo-{attempt}.db'}")


def test_a_full_disk_is_named_as_such(tmp_path: Path) -> None:
    """SQLite at its size limit answers "database or disk is full", as on a full disk: the
    error says the disk is full, not that the database failed, and names no path."""
    from sqlalchemy import event

    from video_orchestrator.errors import StorageError
    from video_orchestrator.store.tables import Project

    database = Database(f"sqlite:///{tmp_path / 'small.db'}")
    database.migrate()

    def tiny(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA max_page_count = 1")  # no room for one more page
        cursor.close()

    database.engine.dispose()
    event.listen(database.engine, "connect", tiny)
    with pytest.raises(StorageError) as caught, database.session() as session:
        session.add(Project(id="p" * 32, name="x" * 5000, topic="y" * 5000))
    assert str(caught.value) == "the server's disk is full: free some space, then try again"
    assert str(tmp_path) not in str(caught.value)
    database.dispose()


def _schema_drift(url: str) -> list[object]:
    """What differs between the migrated database and the tables the code declares."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from video_orchestrator.store.tables import Base

    database = Database(url)
    try:
        database.migrate()
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        database.dispose()


def test_the_migrations_build_exactly_the_declared_schema_on_sqlite(tmp_path: Path) -> None:
    # every migration a change adds must match store/tables.py (names, types, constraints)
    assert _schema_drift(f"sqlite:///{tmp_path / 'vo.db'}") == []


def test_the_migrations_build_exactly_the_declared_schema_on_postgresql(
    fresh_postgres: str,
) -> None:
    assert _schema_drift(fresh_postgres) == []


def test_the_migrations_go_down_to_nothing_and_up_again(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from video_orchestrator.store.db import alembic_config

    database = Database(f"sqlite:///{tmp_path / 'vo.db'}")
    try:
        database.migrate()
        config = alembic_config()
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        database.migrate()
        assert "jobs" in inspect(database.engine).get_table_names()
    finally:
        database.dispose()


def test_whether_a_database_exists_is_asked_without_making_it(
    tmp_path: Path, fresh_postgres: str
) -> None:
    """What ``vo hooks``/``vo optimise`` ask before reading the learned weights (ADR 0044): a
    SQLite file is not created by asking; a server database exists once it was migrated."""
    path = tmp_path / "data" / "vo.db"
    assert not database_exists(f"sqlite:///{path}")
    assert not path.parent.exists()  # not even its folder
    assert not database_exists("sqlite://") and not database_exists("sqlite:///:memory:")
    Database(f"sqlite:///{path}").migrate()
    assert database_exists(f"sqlite:///{path}")
    assert not database_exists(fresh_postgres)  # an empty server database: nothing made yet
    with psycopg.connect(fresh_postgres) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)
    database = Database(fresh_postgres)
    database.migrate()
    database.dispose()
    assert database_exists(fresh_postgres)
