"""Reports: saved definitions, a CSV whose totals are the database's, a PDF with its
pages, and the e-mail that carries both through a real (local) SMTP server."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.analytics.test_metric_queries import _load
from tests.smtp_server import free_port, smtp_server
from video_orchestrator.errors import (
    InputError,
    NotFoundError,
    ProviderAuthError,
    ProviderUnavailable,
)
from video_orchestrator.services.mail import MailSettings
from video_orchestrator.services.metric_queries import DatabaseRunner, totals
from video_orchestrator.services.reports import ReportIn, ReportService, ReportSpec
from video_orchestrator.store import Database

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
NOVEMBER = ReportSpec(start=date(2026, 11, 1), end=date(2026, 11, 30), dimension="video")


def _reports(db: Database) -> ReportService:
    return ReportService(db, clock=lambda: NOW)


def _rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_totals_are_the_databases(db: Database) -> None:
    _load(db)
    service = _reports(db)
    for dimension in ("video", "platform", "account", "total"):
        spec = NOVEMBER.model_copy(update={"dimension": dimension})
        data = service.build("November", spec)
        rows = _rows(service.render(data, "csv"))
        header, body, last = rows[0], rows[1:-1], rows[-1]
        assert last[0] == "Total"
        (expected,) = totals(DatabaseRunner(db), date(2026, 11, 1), date(2026, 11, 30))
        views = header.index("Views")
        assert int(last[views]) == expected.values["views"] == 2_825 + 9_000 + 1_000
        likes = header.index("Likes")
        assert int(last[likes]) == expected.values["likes"]
        duration = header.index("Average view duration (s)")
        assert float(last[duration]) == pytest.approx(
            expected.values["average_view_duration"], abs=1e-4
        )
        if dimension != "total":
            assert sum(int(r[views] or 0) for r in body) == expected.values["views"]
    platform_rows = _rows(
        service.render(
            service.build("n", NOVEMBER.model_copy(update={"dimension": "platform"})), "csv"
        )
    )
    assert [r[0] for r in platform_rows[1:-1]] == ["instagram", "tiktok", "youtube"]


def test_a_last_days_period_ends_yesterday(db: Database) -> None:
    _load(db)
    data = _reports(db).build("recent", ReportSpec(last_days=30))
    assert (data.start, data.end) == (date(2026, 11, 4), date(2026, 12, 3))
    assert len(data.daily) == 30


def test_definitions_are_saved_replaced_by_name_and_deleted(db: Database) -> None:
    service = _reports(db)
    saved, created = service.save(ReportIn(name="Weekly", spec=ReportSpec(last_days=7),
                                           recipients=["lead@example.com"]))  # fmt: skip
    assert created
    again, created = service.save(ReportIn(name="Weekly", spec=NOVEMBER))
    assert not created and again.id == saved.id
    assert service.get("Weekly").spec.start == date(2026, 11, 1)
    assert [r.name for r in service.list()] == ["Weekly"]
    with pytest.raises(InputError, match="not an e-mail address"):
        service.save(ReportIn(name="Bad", recipients=["not an address"]))
    service.delete(saved.id)
    with pytest.raises(NotFoundError):
        service.get("Weekly")
    with pytest.raises(ValueError, match="both start and end"):
        ReportSpec(start=date(2026, 11, 1))


def test_the_pdf_has_its_pages_and_words(db: Database, tmp_path: Path) -> None:
    _load(db)
    service = _reports(db)
    data = service.build("November · Ocean channel", NOVEMBER)
    pdf = service.render(data, "pdf")
    assert pdf.startswith(b"%PDF-")
    target = tmp_path / "report.pdf"
    target.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "November · Ocean channel" in text
    assert "12,825" in text  # the total views
    assert "Why the deep ocean glows" in text
    assert "Views per day" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(target), str(tmp_path / "page")], check=True
    )
    assert sorted(p.name for p in tmp_path.glob("page-*.png"))


def test_a_report_is_mailed_with_its_pdf_and_csv(db: Database) -> None:
    _load(db)
    service = _reports(db)
    service.save(ReportIn(name="November", spec=NOVEMBER, recipients=["lead@example.com"]))
    with smtp_server(user="reports", password="s3cret") as box:
        mail = MailSettings(host="127.0.0.1", port=box.port, sender="Reports <vo@example.com>",
                            user="reports", password="s3cret", security="none")  # fmt: skip
        message_id = service.send("November", mail)
        (message,) = box.messages
        assert box.envelopes == [("vo@example.com", ["lead@example.com"])]
        assert message["Message-ID"] == message_id
        assert "November" in str(message["Subject"])
        parts = {p.get_filename(): p for p in message.iter_attachments()}
        assert set(parts) == {"november-20261101-20261130.pdf", "november-20261101-20261130.csv"}
        pdf = parts["november-20261101-20261130.pdf"].get_content()
        assert pdf.startswith(b"%PDF-")
        attached = parts["november-20261101-20261130.csv"].get_content()
        rows = list(
            csv.reader(
                io.StringIO(attached if isinstance(attached, str) else attached.decode("utf-8-sig"))
            )
        )
        assert rows[-1][0].lstrip("\ufeff") == "Total"
        views = [r.lstrip("\ufeff") for r in rows[0]].index("Views")
        assert int(rows[-1][views]) == 12_825
        body = message.get_body(("plain",))
        assert body is not None and re.search(r"views: 12825", body.get_content())
        wrong = MailSettings(host="127.0.0.1", port=box.port, sender="vo@example.com",
                             user="reports", password="wrong", security="none")  # fmt: skip
        with pytest.raises(ProviderAuthError, match="refused the user name or password"):
            service.send("November", wrong)
        assert len(box.messages) == 1
    closed = MailSettings(host="127.0.0.1", port=free_port(), sender="vo@example.com",
                          security="none", timeout=5)  # fmt: skip
    with pytest.raises(ProviderUnavailable, match="did not take the message"):
        service.send("November", closed)
    with pytest.raises(InputError, match="no recipients"):
        service.save(ReportIn(name="Nobody", spec=NOVEMBER))
        service.send("Nobody", closed)


def test_starttls_is_used_and_the_certificate_checked(tmp_path: Path) -> None:
    from video_orchestrator.services.mail import Attachment, send_mail

    with smtp_server(tls_dir=tmp_path) as box:
        mail = MailSettings(host="127.0.0.1", port=box.port, sender="vo@example.com",
                            security="starttls", timeout=10)  # fmt: skip
        attachment = Attachment("r.csv", b"a,b\r\n1,2\r\n", "text/csv")
        send_mail(mail, ["lead@example.com"], "Report", "body", [attachment], tls=box.client_tls)
        (message,) = box.messages  # the server takes no mail before STARTTLS
        assert [p.get_filename() for p in message.iter_attachments()] == ["r.csv"]
        with pytest.raises(ProviderUnavailable, match="certificate this machine does not trust"):
            send_mail(mail, ["lead@example.com"], "Report", "body")  # the system's trust
        plain = MailSettings(host="127.0.0.1", port=box.port, sender="vo@example.com",
                             security="none", timeout=10)  # fmt: skip
        with pytest.raises(ProviderUnavailable, match="did not take the message"):
            send_mail(plain, ["lead@example.com"], "Report", "body")
        assert len(box.messages) == 1
