"""The warehouse path: the analytics tables written as Parquet (or CSV) files for a data
warehouse, and DuckDB querying those Parquet files with the same SQL the database runs
(``metric_queries``) when the dashboards' data outgrows the product database.

Each table is one file named after it (``metric_values.parquet`` …), written atomically
in batches, so a reader sees the old file or the whole new one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Table, select

from video_orchestrator.atomic import replacing
from video_orchestrator.errors import InputError, StorageError, os_reason
from video_orchestrator.store import Database
from video_orchestrator.store.tables import (
    MetricAccountDay,
    MetricFollowerHour,
    MetricImport,
    MetricValue,
    MetricVideo,
)

if TYPE_CHECKING:
    import pyarrow as pa

# pyarrow and DuckDB are imported where they are used: every `vo` command loads this module.
Format = Literal["parquet", "csv"]
#: The tables exported, in order.
TABLES: tuple[type, ...] = (
    MetricVideo,
    MetricValue,
    MetricAccountDay,
    MetricFollowerHour,
    MetricImport,
)
BATCH_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class ExportedFile:
    table: str
    path: Path
    rows: int


def _arrow_type(column: Any) -> pa.DataType:
    import pyarrow as pa

    kind = column.type
    python = getattr(kind, "impl", kind).python_type  # a TypeDecorator: the type it stores
    if python is bool:
        return pa.bool_()
    if python is int:
        return pa.int64()
    if python is float:
        return pa.float64()
    if python is datetime:
        return pa.timestamp("us", tz="UTC")
    if python is date:
        return pa.date32()
    return pa.string()


def _schema(table: Table) -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [pa.field(c.name, _arrow_type(c), nullable=bool(c.nullable)) for c in table.columns]
    )


def _batches(db: Database, table: Table) -> Iterator[list[Mapping[str, Any]]]:
    order = list(table.primary_key.columns)
    with db.engine.connect() as connection:
        result = connection.execution_options(stream_results=True).execute(
            select(table).order_by(*order)
        )
        while chunk := result.mappings().fetchmany(BATCH_ROWS):
            yield [dict(row) for row in chunk]


def export_tables(db: Database, out_dir: Path, fmt: Format = "parquet") -> list[ExportedFile]:
    """Write every analytics table to ``out_dir/<table>.<fmt>``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if fmt not in ("parquet", "csv"):
        raise InputError(f"unknown export format {fmt!r}; choose parquet or csv")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} is a file: give a folder to export into")
    written: list[ExportedFile] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for model in TABLES:
            table: Table = model.__table__  # type: ignore[attr-defined]
            target = out_dir / f"{table.name}.{fmt}"
            rows = 0
            with replacing(target, suffix=".part") as temporary:
                if fmt == "parquet":
                    schema = _schema(table)
                    with pq.ParquetWriter(temporary, schema) as writer:
                        for batch in _batches(db, table):
                            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                            rows += len(batch)
                else:
                    with temporary.open("w", encoding="utf-8", newline="") as handle:
                        writer_csv = csv.writer(handle)
                        writer_csv.writerow([c.name for c in table.columns])
                        for batch in _batches(db, table):
                            for row in batch:
                                writer_csv.writerow([_csv_cell(row[c.name]) for c in table.columns])
                            rows += len(batch)
            written.append(ExportedFile(table.name, target, rows))
    except OSError as exc:
        raise StorageError(f"cannot write the export into {out_dir}: {os_reason(exc)}") from exc
    return written


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class ParquetRunner:
    """DuckDB over the Parquet files of an export folder: the same tables, the same SQL."""

    p = "$"

    def __init__(self, folder: Path) -> None:
        missing = [
            name
            for name in (MetricVideo.__tablename__, MetricValue.__tablename__)
            if not (folder / f"{name}.parquet").is_file()
        ]
        if missing:
            raise InputError(
                f"{folder} has no {', '.join(missing)}.parquet: run vo analytics export first"
            )
        import duckdb

        self.connection = duckdb.connect(":memory:")
        for model in TABLES:
            name = model.__tablename__  # type: ignore[attr-defined]
            path = folder / f"{name}.parquet"
            if path.is_file():
                literal = str(path).replace("'", "''")
                self.connection.execute(
                    f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{literal}')"
                )

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        cursor = self.connection.cursor()  # one per query: threads may share the runner
        try:
            cursor.execute(sql, dict(params))
            names = [d[0] for d in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def close(self) -> None:
        self.connection.close()
