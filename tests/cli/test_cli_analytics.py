"""``vo analytics`` end to end: import (twice: nothing changes), a bad file in one line,
the videos as JSON, the warehouse export, and a report's PDF and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from tests.analytics.test_metric_queries import OCEAN, OCTO
from tests.analytics_exports import youtube_studio_zip, youtube_table_rows
from tests.cli.conftest import VoRunner
from tests.cli.test_cli_errors import assert_one_line_error


def test_import_list_export_and_report(vo: VoRunner, tmp_path: Path) -> None:
    export = tmp_path / "Content 2026-11-10_2026-11-13.zip"
    export.write_bytes(youtube_studio_zip([OCEAN, OCTO], date(2026, 11, 10)))
    first = vo("analytics", "import", str(export), "--account", "deepsea")
    assert first.returncode == 0, first.stderr
    assert "youtube-studio, 2 videos, 10 rows (2026-11-10 – 2026-11-13): 10 new" in first.stdout
    assert "not linked to a project: youtube:vidOCEAN001" in first.stderr
    again = vo("analytics", "import", str(export))
    assert again.returncode == 0 and "already imported" in again.stderr

    listed = vo("analytics", "videos", "--json")
    assert listed.returncode == 0, listed.stderr
    page = json.loads(listed.stdout)
    assert page["total"] == 2
    assert {v["account"] for v in page["items"]} == {"deepsea"}

    exported = vo("analytics", "export", "warehouse", "--format", "parquet")
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "warehouse" / "metric_values.parquet").is_file()
    assert "metric_values.parquet  10 rows" in exported.stdout

    made = vo(
        "analytics", "report", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "platform",
        "--pdf", "out/report.pdf", "--csv", "out/report.csv", "--name", "November",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "out" / "report.pdf").read_bytes().startswith(b"%PDF-")
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "report.csv").read_text("utf-8-sig"))))
    views = rows[0].index("Views")
    assert rows[1][0] == "youtube" and rows[-1][0] == "Total"
    assert int(rows[-1][views]) == OCEAN.views + OCTO.views


def test_a_bad_export_is_one_line_and_stores_nothing(vo: VoRunner, tmp_path: Path) -> None:
    rows = youtube_table_rows([OCEAN, OCTO])
    rows[2][4] = "12O"  # a letter O among the digits
    bad = tmp_path / "bad.zip"
    bad.write_bytes(youtube_studio_zip([OCEAN, OCTO], date(2026, 11, 10), table_rows=rows))
    assert_one_line_error(
        vo("analytics", "import", str(bad)), "bad.zip: Table data.csv, row 3, column 'Views'"
    )
    listed = vo("analytics", "videos", "--json")
    assert json.loads(listed.stdout)["total"] == 0
    assert_one_line_error(vo("analytics", "import", "missing.csv"), "does not exist")
    assert_one_line_error(
        vo("analytics", "report", "--from", "2026-11-30", "--to", "2026-11-01", "--pdf", "r.pdf"),
        "ends",
    )
    assert not (tmp_path / "r.pdf").exists()
    assert_one_line_error(vo("analytics", "report", "--from", "yesterday", "--csv", "r.csv"),
                          "--from must be a date")  # fmt: skip
