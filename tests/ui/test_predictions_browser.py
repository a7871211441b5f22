"""Predictions in the studio, in a real browser against a real ``vo serve`` (ADR 0043): a
history created and imported through the API; the Analytics page's Predictions section shows
the model's quality and a draft's prediction with the same error the API states, and the
editor's Export tab shows the draft's one-line prediction."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.prediction_history import draft_fields, history_csv, planted
from tests.ui.shots import shoot


def test_the_predictions_section_and_the_editor_line(page: Page, ui_server: str) -> None:
    videos = planted(30, seed=31)
    ids = []
    for video in videos:
        made = httpx.post(ui_server + "/projects", json=video.fields)
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    imported = httpx.post(
        ui_server + "/analytics/imports?filename=history.csv",
        content=history_csv(videos, ids),
        headers={"content-type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text
    draft = httpx.post(ui_server + "/projects", json=draft_fields("pop")).json()["id"]
    predicted = httpx.get(f"{ui_server}/projects/{draft}/prediction", timeout=60).json()
    error = round(predicted["views"]["error"]["median_ape"] * 100)

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(ui_server + "/ui/analytics")
    card = page.locator(".predictions-card")
    expect(card.locator(".prediction-quality")).to_contain_text(
        "Learned from 30 videos at 7 days (30 linked to a project)", timeout=30_000
    )
    expect(card.locator(".prediction-error")).to_contain_text(f"views ±{error} %")
    row = card.locator(f'[data-project="{draft}"]')
    expect(row).to_contain_text("draft pop")
    expect(row.locator(".prediction-draft")).to_contain_text(f"(typical error ±{error} %)")
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(shoot(page, "predictions").with_name("predictions-card.png")))

    page.goto(f"{ui_server}/ui/projects/{draft}")
    page.get_by_role("tab", name="Export").click()
    line = page.locator(".prediction-line")
    expect(line).to_contain_text("Predicted on TikTok: ≈", timeout=30_000)
    expect(line).to_contain_text(f"views (typical error ±{error} %)")
    line.screenshot(path=str(shoot(page, "prediction-line").with_name("prediction-line.png")))
