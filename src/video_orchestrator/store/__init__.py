"""Persistence: tables, repositories, migrations (SQLAlchemy 2 + Alembic) and file storage.

SQLite (WAL) in the user's data directory by default; PostgreSQL by ``VO_DATABASE_URL``. Files
live behind :class:`~video_orchestrator.store.files.FileStorage`: a local directory by default,
any fsspec URL (``s3://bucket/prefix``) when configured.
"""

from video_orchestrator.store.db import Database, database_exists
from video_orchestrator.store.files import FileStorage

__all__ = ["Database", "FileStorage", "database_exists"]
