"""The database: an engine made from a URL, sessions, and migrations run by Alembic.

SQLite gets WAL journaling, a busy timeout and enforced foreign keys, so the API process and
local worker processes can share one file. PostgreSQL is used as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DataError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from video_orchestrator.errors import ConfigError, InputError, StorageError

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)

#: The PostgreSQL advisory lock key every process takes while it migrates ("vo-migr").
MIGRATION_LOCK_KEY = 0x766F2D6D69677200 >> 8
MIGRATION_WAIT_SECONDS = 120


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # SQLite's lower() folds ASCII only; searches must match "Ünïcödé" as PostgreSQL does.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


#: What a full disk looks like from each database (SQLite, PostgreSQL).
DISK_FULL = ("database or disk is full", "no space left on device", "could not extend file")


def database_problem(exc: OperationalError) -> str:
    """One sentence for a failed database operation; a full disk is named as such (it is
    the server's disk, not the database, that needs attention)."""
    said = str(exc.orig or exc)
    if any(sign in said.lower() for sign in DISK_FULL):
        return "the server's disk is full: free some space, then try again"
    return f"the database failed: {said.splitlines()[0]}"


class Database:
    """One engine and its session factory. Made by the composition root, passed down."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise ConfigError(f"the database URL {url!r} is not valid: {exc}") from exc
        self.url = parsed
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        options: dict[str, Any] = {"echo": echo, "future": True}
        if self.is_sqlite:
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            options["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            options.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
            if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
        self.engine: Engine = create_engine(parsed, **options)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Database({self.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on an exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise StorageError(database_problem(exc)) from exc
        except DataError as exc:  # a value the database cannot hold (NUL byte, huge number)
            session.rollback()
            raise InputError(f"a value cannot be stored: {exc.orig or exc}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent). Processes starting together
        take turns: PostgreSQL through an advisory lock held for the migration's transaction,
        SQLite through a lock file beside the database; the second finds the schema done."""
        from alembic import command  # only here: `vo make` and the like never migrate

        config = alembic_config()
        try:
            with self._migration_file_lock(), self.engine.begin() as connection:
                if self.engine.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot prepare the database {self!r}: {exc}") from exc

    @contextmanager
    def _migration_file_lock(self) -> Iterator[None]:
        database = self.url.database or ""
        if not self.is_sqlite or not database or database == ":memory:":
            yield
            return
        lock = FileLock(f"{database}.migrate.lock", timeout=MIGRATION_WAIT_SECONDS)
        try:
            with lock:
                yield
        except Timeout as exc:
            raise StorageError(
                f"another process has been migrating {self!r} for over "
                f"{MIGRATION_WAIT_SECONDS} s: wait for it to finish, then start again"
            ) from exc

    def ping(self) -> None:
        """Raise ``StorageError`` unless the database answers and is migrated."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                if not inspect(connection).has_table("jobs"):
                    raise StorageError("the database has no tables: run the migrations")
        except SQLAlchemyError as exc:
            raise StorageError(f"the database does not answer: {exc}") from exc

    def dispose(self) -> None:
        self.engine.dispose()


def database_exists(url: str) -> bool:
    """Whether the database at ``url`` has been made by a command that writes, asked without
    creating anything (a read-only command must not make a workspace; ADR 0044): a SQLite
    file that is there (an in-memory one never is); on a server, a database whose schema
    has been migrated at least once (it has Alembic's version table)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"the database URL {url!r} is not valid: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        return bool(database) and database != ":memory:" and Path(database).is_file()
    probe = Database(url)
    try:
        with probe.engine.connect() as connection:
            return bool(inspect(connection).has_table("alembic_version"))
    except SQLAlchemyError as exc:
        raise StorageError(f"the database does not answer: {exc}") from exc
    finally:
        probe.dispose()


def alembic_config() -> Config:
    from alembic.config import Config  # imported when a migration runs, not with the module

    config = Config()
    location = resources.files("video_orchestrator.store").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    return config
