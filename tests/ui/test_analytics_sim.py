"""The Analytics page through NiceGUI's simulated user (no browser): the empty state; a
period of chosen days changes the totals; a saved report downloads as the service renders
it, its sending schedule is set from the page, and e-mail without SMTP says what to set.
(The import, the figures and the chart are the browser journey's,
tests/ui/test_analytics_browser.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User, user_simulation
from nicegui.testing.user_interaction import UserInteraction

from tests.analytics_exports import generic_csv
from tests.ui.test_editor_sim import eventually, page_for
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.facade import ReportIn, ReportSpec
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace

pytestmark = pytest.mark.asyncio


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    config = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    ctx = AppContext(config)
    workspace = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))
    yield workspace
    ctx.db.dispose()


def chart_sums(user: User) -> dict[str, float]:
    """Each line's sum, from the option the page gives ECharts (empty while redrawing)."""
    charts = user.find(kind=ui.echart).elements if user.current_layout else set()
    return {
        line["name"]: sum(v for v in line["data"] if v is not None)
        for chart in charts
        for line in chart.options["series"]
    }


async def test_a_saved_report_downloads_and_is_scheduled_from_the_page(ws: Workspace) -> None:
    async with user_simulation(root=page_for(ws)) as user:
        await user.open("/analytics")
        await user.should_see("No analytics yet", retries=100)

    rows = [["youtube", "v1", f"2026-11-0{d}", "Tides", "@lab", 100 * d, 10 * d] for d in (1, 2, 3)]
    header = ["platform", "video_id", "date", "title", "account", "views", "likes"]
    ws.analytics.import_bytes(generic_csv(rows, header=header).encode(), "days.csv")
    spec = ReportSpec(start=date(2026, 11, 1), end=date(2026, 11, 3), dimension="platform")
    saved, _ = ws.analytics.reports.save(
        ReportIn(name="November", spec=spec, recipients=["me@example.com"])
    )
    expected = ws.analytics.render_saved(saved.id, "csv")[2]
    assert b"600" in expected  # the planted 100 + 200 + 300

    async with user_simulation(root=page_for(ws)) as user:
        await user.open("/analytics")
        await user.should_see("November", retries=100)
        await user.should_see("By platform, 1 Nov 2026 – 3 Nov 2026")
        user.find(marker="report-csv").click()
        response = await user.download.next(timeout=10)
        assert response.content == expected

        await user.should_see(marker="total-views", content="600")
        assert chart_sums(user) == {"All": 600}
        metric = user.find(marker="chart-metric")
        metric.click()  # opens it; then its option (the totals' "Likes" card comes first)
        UserInteraction(user, metric.elements, "Likes").click()
        await eventually(lambda: chart_sums(user) == {"All": 60}, "the chart shows likes")
        user.find(marker="analytics-period").click()
        user.find("From … to …").click()
        await user.should_see(marker="period-first", retries=100)
        user.find(marker="period-first").clear().type("2026-11-02")
        await user.should_see(marker="total-views", content="500", retries=100)  # 200 + 300

        user.find(marker="report-schedule").click()
        user.find("Every week").click()
        await eventually(
            lambda: (
                (found := ws.analytics.report_schedule(saved.id)) is not None
                and found.every_seconds == 7 * 86_400
            ),
            "scheduled weekly",
        )

        user.find("E-mail").click()
        await user.should_see("e-mail is not set up: set VO_SMTP_HOST and VO_SMTP_FROM")
