"""A CSV file read as a table whose columns are found by their names (in any of the
languages a source localises them to), and cells parsed with errors that name the file, the
row and the column.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row 2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from video_orchestrator.errors import MetricsFileError

#: Cells that mean "no value" in the platforms' exports.
EMPTY = frozenset({"", "-", "–", "—", "n/a", "N/A"})
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_EN_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DE_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark dropped), or UTF-16 with its mark (some exports)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise MetricsFileError(f"{name} is not readable UTF-16 text") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MetricsFileError(
            f"{name} is not UTF-8 text (byte {exc.start}): export it again as CSV"
        ) from exc


def normal(header: str) -> str:
    """A header as compared: lower case, single spaces, no surrounding quotes or marks."""
    return " ".join(header.replace("\ufeff", "").strip().strip('"').lower().split())


@dataclass(frozen=True)
class Cell:
    """One cell: its text and where it is, for error messages."""

    text: str
    file: str
    row: int
    column: str

    def fail(self, problem: str) -> MetricsFileError:
        return MetricsFileError(
            f"{self.file}, row {self.row}, column {self.column!r}: {problem} "
            f"(the cell says {self.text[:40]!r})",
            row=self.row,
            column=self.column,
        )

    @property
    def empty(self) -> bool:
        return self.text.strip() in EMPTY

    def number(self, *, decimal_comma: bool = False, whole: bool = False) -> float | int | None:
        """A number with or without thousands separators (``1,234.5``; with
        ``decimal_comma`` ``1.234,5``), a trailing ``%`` allowed; ``None`` when empty."""
        if self.empty:
            return None
        text = _SPACES.sub("", self.text.strip()).rstrip("%")
        if decimal_comma:
            if _DE_GROUPED.match(text):
                text = text.replace(".", "")
            text = text.replace(",", ".")
        elif _EN_GROUPED.match(text):
            text = text.replace(",", "")
        elif "," in text and "." not in text and re.fullmatch(r"[+-]?\d+,\d+", text):
            raise self.fail("a comma in a number of an English export")
        try:
            value = float(text)
        except ValueError:
            raise self.fail("not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise self.fail("not a number")
        if whole:
            if not value.is_integer():
                raise self.fail("not a whole number")
            return int(value)
        return value

    def count(self, *, decimal_comma: bool = False, signed: bool = False) -> int | None:
        """A whole number; negative only when ``signed`` (a net change, e.g. subscribers)."""
        value = self.number(decimal_comma=decimal_comma, whole=True)
        if value is not None and value < 0 and not signed:
            raise self.fail("a negative count")
        return None if value is None else int(value)

    def duration(self) -> float | None:
        """Seconds from ``H:MM:SS``, ``M:SS`` or a plain number of seconds."""
        if self.empty:
            return None
        text = self.text.strip()
        if ":" in text:
            parts = text.split(":")
            if len(parts) > 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
                raise self.fail("not a duration like 0:01:05")
            seconds = 0.0
            for part in parts:
                seconds = seconds * 60 + float(part)
            return seconds
        value = self.number()
        return None if value is None else float(value)

    def iso_date(self) -> date:
        text = self.text.strip()
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise self.fail("not a date like 2026-11-30") from None


DATE_FORMATS = ("%Y-%m-%d", "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%Y/%m/%d", "%m/%d/%Y")
DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)


def parse_when(cell: Cell) -> datetime | None:
    """A date or date-time written the ways YouTube Studio and the generic CSV write them."""
    if cell.empty:
        return None
    text = cell.text.strip()
    for fmt in DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise cell.fail("not a date like 2026-11-30 or Nov 30, 2026")


class Table:
    """A CSV file's rows, its columns addressed by canonical names."""

    def __init__(
        self,
        text: str,
        name: str,
        aliases: Mapping[str, Sequence[str]],
        *,
        required: Sequence[str] = (),
    ) -> None:
        """``aliases`` maps each canonical column to the headers that mean it (compared by
        :func:`normal`); a ``required`` column that is missing is an error naming it."""
        self.name = name
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise MetricsFileError(f"{name} is not a readable CSV file: {exc}") from exc
        while rows and not any(c.strip() for c in rows[0]):
            rows.pop(0)
        if not rows:
            raise MetricsFileError(f"{name} is empty")
        self.headers = [h.replace("\ufeff", "").strip() for h in rows[0]]
        seen = {normal(h): i for i, h in reversed(list(enumerate(self.headers)))}
        self.columns: dict[str, int] = {}
        self.header_of: dict[str, str] = {}
        for key, names in aliases.items():
            for alias in names:
                if normal(alias) in seen:
                    self.columns[key] = seen[normal(alias)]
                    self.header_of[key] = self.headers[seen[normal(alias)]]
                    break
        missing = [key for key in required if key not in self.columns]
        if missing:
            wanted = ", ".join(repr(aliases[k][0]) for k in missing)
            raise MetricsFileError(
                f"{name} has no column {wanted} (its columns: "
                f"{', '.join(self.headers[:12]) or 'none'})",
                row=1,
                column=aliases[missing[0]][0],
            )
        self._rows = rows[1:]

    def has(self, key: str) -> bool:
        return key in self.columns

    def __iter__(self) -> Iterator[Row]:
        for offset, cells in enumerate(self._rows):
            if not any(c.strip() for c in cells):
                continue
            yield Row(self, offset + 2, cells)


@dataclass(frozen=True)
class Row:
    table: Table
    number: int
    cells: Sequence[str]

    def __getitem__(self, key: str) -> Cell:
        index = self.table.columns[key]
        column = self.table.header_of[key]
        if index >= len(self.cells):
            raise MetricsFileError(
                f"{self.table.name}, row {self.number}: the row has {len(self.cells)} cells, "
                f"too few for the column {column!r}",
                row=self.number,
                column=column,
            )
        return Cell(self.cells[index], self.table.name, self.number, column)

    def get(self, key: str) -> Cell | None:
        return self[key] if self.table.has(key) else None

    def fail(self, problem: str) -> MetricsFileError:
        return MetricsFileError(f"{self.table.name}, row {self.number}: {problem}", row=self.number)
