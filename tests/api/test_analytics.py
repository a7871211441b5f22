"""The /analytics API on SQLite and PostgreSQL: upload (raw bytes, size and type checked;
the same file twice: 200 and nothing changes), a bad file as problem+json naming the row
and column, the videos, totals, series and top, and saved reports rendered and mailed."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.analytics.test_metric_queries import OCEAN, OCTO
from tests.analytics_exports import (
    TikTokVideo,
    encoded,
    tiktok_content,
    youtube_studio_zip,
    youtube_table_rows,
)
from tests.api.conftest import ClientFactory, problem_of
from tests.smtp_server import smtp_server

ZIP = {"content-type": "application/zip"}
CSV = {"content-type": "text/csv"}
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _upload(client: TestClient) -> None:
    response = client.post(
        "/analytics/imports?filename=yt.zip&account=deepsea",
        content=youtube_studio_zip([OCEAN, OCTO], date(2026, 11, 10)),
        headers=ZIP,
    )
    assert response.status_code == 201, response.text
    tiktok = tiktok_content([TikTokVideo("7301", "Hearts", date(2026, 11, 20), 9_000, 700, 30, 12)])
    response = client.post(
        "/analytics/imports?filename=Content.csv&as_of=2026-11-25",
        content=encoded(tiktok, bom=True),
        headers=CSV,
    )
    assert response.status_code == 201, response.text


def test_upload_twice_then_list_and_query(client: TestClient) -> None:
    _upload(client)
    again = client.post(
        "/analytics/imports?filename=yt.zip",
        content=youtube_studio_zip([OCEAN, OCTO], date(2026, 11, 10)),
        headers=ZIP,
    )
    assert again.status_code == 200 and again.json()["already_imported"] is True
    assert len(client.get("/analytics/imports").json()) == 2

    videos = client.get("/analytics/videos", params={"platform": "youtube"}).json()
    assert videos["total"] == 2 and {v["account"] for v in videos["items"]} == {"deepsea"}
    assert client.get("/analytics/videos", params={"linked": "false"}).json()["total"] == 3

    window = {"start": "2026-11-01", "end": "2026-11-30"}
    totals = client.get("/analytics/totals", params={**window, "dimension": "platform"}).json()
    by_platform = {g["key"]["platform"]: g["values"] for g in totals["groups"]}
    assert by_platform["youtube"]["views"] == OCEAN.views + OCTO.views
    assert by_platform["tiktok"]["views"] == 9_000
    series = client.get("/analytics/series", params={**window, "platform": "youtube"}).json()
    assert [p["values"]["views"] for p in series["points"]] == [120, 395, 1_320, 990]
    top = client.get("/analytics/top", params={**window, "metric": "views", "limit": 1}).json()
    assert [g["key"]["remote_id"] for g in top] == ["7301"]

    bad_metric = client.get("/analytics/top", params={**window, "metric": "virality"})
    assert bad_metric.status_code == 422 and "unknown metric" in problem_of(bad_metric)["detail"]
    backwards = client.get("/analytics/totals", params={"start": "2026-12-01", "end": "2026-11-01"})
    assert backwards.status_code == 422


def test_a_bad_export_is_a_problem_naming_row_and_column(client: TestClient) -> None:
    rows = youtube_table_rows([OCEAN, OCTO])
    rows[3][12] = "many"
    response = client.post(
        "/analytics/imports?filename=bad.zip",
        content=youtube_studio_zip([OCEAN, OCTO], date(2026, 11, 10), table_rows=rows),
        headers=ZIP,
    )
    problem = problem_of(response)
    assert response.status_code == 422
    assert problem["type"].endswith("/invalid-metrics-file")
    assert "bad.zip: Table data.csv, row 4, column 'Likes': not a number" in problem["detail"]
    assert client.get("/analytics/videos").json()["total"] == 0
    wrong_type = client.post(
        "/analytics/imports", content=b"x", headers={"content-type": "image/png"}
    )
    assert wrong_type.status_code == 415
    empty = client.post("/analytics/imports", content=b"", headers=CSV)
    assert empty.status_code == 422


def test_an_oversized_upload_is_refused(client: TestClient) -> None:
    from video_orchestrator.api.routes.analytics import MAX_IMPORT_BYTES

    huge = b"platform,video_id,date,views\n" + b"youtube,a,2026-11-01,1\n" * (
        MAX_IMPORT_BYTES // 20
    )
    response = client.post("/analytics/imports", content=huge, headers=CSV)
    assert response.status_code == 413
    assert client.get("/analytics/imports").json() == []


def test_link_a_video_by_hand(client: TestClient) -> None:
    _upload(client)
    project = client.post("/projects", json={"topic": "deep ocean"}).json()
    linked = client.put(
        "/analytics/videos/youtube/vidOCEAN001/link",
        json={"project_id": project["id"], "variant_id": "B"},
    )
    assert linked.status_code == 200, linked.text
    assert (linked.json()["link_rule"], linked.json()["variant_id"]) == ("mapping", "B")
    missing = client.put("/analytics/videos/youtube/nope/link", json={"project_id": project["id"]})
    assert missing.status_code == 404
    totals = client.get(
        "/analytics/totals",
        params={"start": "2026-11-01", "end": "2026-11-30", "dimension": "project"},
    ).json()
    assert {g["key"]["project_id"]: g["values"]["views"] for g in totals["groups"]}[
        project["id"]
    ] == OCEAN.views


def test_saved_reports_render_and_send(make_client: ClientFactory) -> None:
    with smtp_server() as box:
        client = make_client(
            smtp_host="127.0.0.1", smtp_port=box.port, smtp_from="vo@example.com",
            smtp_security="none",
        )  # fmt: skip
        _upload(client)
        body = {
            "name": "November",
            "spec": {"start": "2026-11-01", "end": "2026-11-30", "dimension": "platform"},
            "recipients": ["lead@example.com"],
        }
        created = client.post("/analytics/reports", json=body)
        assert created.status_code == 201, created.text
        report_id = created.json()["id"]
        assert client.post("/analytics/reports", json=body).status_code == 200
        rendered = client.get(f"/analytics/reports/{report_id}/render", params={"format": "csv"})
        assert rendered.status_code == 200
        assert "november-20261101-20261130.csv" in rendered.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(rendered.content.decode("utf-8-sig"))))
        assert rows[-1][0] == "Total"
        assert int(rows[-1][rows[0].index("Views")]) == OCEAN.views + OCTO.views + 9_000
        pdf = client.get(f"/analytics/reports/{report_id}/render")
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
        sent = client.post(f"/analytics/reports/{report_id}/send", json={})
        assert sent.status_code == 200, sent.text
        (message,) = box.messages
        assert message["To"] == "lead@example.com"
        assert {p.get_filename() for p in message.iter_attachments()} == {
            "november-20261101-20261130.pdf", "november-20261101-20261130.csv"
        }  # fmt: skip
        bad = client.post("/analytics/reports", json={**body, "spec": {"start": "2026-11-01"}})
        assert bad.status_code == 422
        assert client.delete(f"/analytics/reports/{report_id}").status_code == 204
        assert client.get(f"/analytics/reports/{report_id}").status_code == 404


def test_sending_without_smtp_settings_says_what_to_set(client: TestClient) -> None:
    client.post("/analytics/reports", json={"name": "R", "recipients": ["a@example.com"]})
    response = client.post("/analytics/reports/R/send", json={})
    assert response.status_code == 503
    assert "VO_SMTP_HOST" in problem_of(response)["detail"]


def test_a_report_schedule_through_the_api(client: TestClient) -> None:
    created = client.post(
        "/analytics/reports", json={"name": "Weekly", "recipients": ["lead@example.com"]}
    ).json()
    plan = client.put(
        f"/analytics/reports/{created['id']}/schedule",
        json={"every_days": 7, "first_at": "2026-12-07T07:00:00Z"},
    )
    assert plan.status_code == 200, plan.text
    assert plan.json()["kind"] == "send_report" and plan.json()["every_seconds"] == 604_800
    assert client.get("/analytics/reports/Weekly/schedule").json()["name"] == (
        f"report:{created['id']}"
    )
    assert client.delete("/analytics/reports/Weekly/schedule").status_code == 204
    assert client.get("/analytics/reports/Weekly/schedule").status_code == 404
    bad = client.put("/analytics/reports/Weekly/schedule", json={"every_days": 0})
    assert bad.status_code == 422
