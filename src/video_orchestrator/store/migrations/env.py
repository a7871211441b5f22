"""Alembic environment: runs on the connection the caller passes (``Database.migrate``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from video_orchestrator.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` command line: -x url=...
        url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///vo.db")
        with create_engine(url).connect() as conn:
            _configure(conn)
        return
    _configure(connection)


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
