"""The Analytics page (issue 17, ADR 0035): import an export (YouTube Studio zip, TikTok Studio
CSV, generic CSV); for a chosen period the totals, a daily chart by metric and grouping, the
per-platform and per-account breakdown, top and bottom videos, what worked, best posting
times per account, and the saved reports (download, e-mail, schedule). Every figure comes from
the analytics services; nothing is estimated without the data."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any, Literal

from nicegui import events, ui

from video_orchestrator.errors import InputError, MetricsFileError
from video_orchestrator.metrics.records import LABELS, METRICS
from video_orchestrator.services.facade import Group, ImportOut, Point, ReportOut, file_stem
from video_orchestrator.services.metric_insights import (
    AccountTimes,
    Insights,
    insights,
    stored_window,
)
from video_orchestrator.services.metrics_facade import Analytics
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui import feedback_panel, i18n, webfont
from video_orchestrator.ui.common import Failed, call, duration_text, tell, when
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import marked, tr, tr_n
from video_orchestrator.ui.jobs_view import LINK
from video_orchestrator.ui.library import PICK_JS, upload_header
from video_orchestrator.ui.predictions_panel import predictions_section

PERIODS: dict[str, str] = {
    "all": marked("All imported days"),
    "7": marked("Last 7 days"),
    "28": marked("Last 28 days"),
    "90": marked("Last 90 days"),
    "365": marked("Last 365 days"),
    "custom": marked("From … to …"),
}
GROUPINGS: dict[str, str] = {
    "": marked("All together"),
    "platform": marked("By platform"),
    "account": marked("By account"),
    "video": marked("By video"),
}
#: A saved report's grouping, as its line under the name says it.
DIMENSIONS: dict[str, str] = {
    **{key: name for key, name in GROUPINGS.items() if key},
    "project": marked("By project"),
    "total": marked("All together"),
}
#: The metrics' names (``metrics/records.py``'s LABELS, marked for the catalogues; a test keeps
#: the two the same).
METRIC_NAMES: dict[str, str] = {
    "views": marked("Views"),
    "watch_hours": marked("Watch time (hours)"),
    "average_view_duration": marked("Average view duration (s)"),
    "average_percentage_viewed": marked("Average percentage viewed (%)"),
    "likes": marked("Likes"),
    "comments": marked("Comments"),
    "shares": marked("Shares"),
    "saves": marked("Saves"),
    "subscribers": marked("Subscribers / followers gained"),
    "impressions": marked("Impressions"),
    "impressions_ctr": marked("Impressions click-through rate (%)"),
}
#: The totals' cards: metric, label.
CARDS: tuple[tuple[str, str], ...] = (
    ("views", marked("Views")),
    ("watch_hours", marked("Watch time")),
    ("average_view_duration", marked("Average view duration")),
    ("likes", marked("Likes")),
    ("comments", marked("Comments")),
    ("shares", marked("Shares")),
    ("subscribers", marked("Followers gained")),
)
PLATFORM_NAMES = {
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "other": marked("Other"),
}
#: Lines drawn at most in the chart (the largest groups); the rest are named in a note.
MAX_LINES = 8
RANKED = 5
#: The chart's days, short, as the user's language writes them ("14 Nov", "14. Nov.", "11月14日");
#: ``{tag}`` is a BCP 47 tag (English as in Britain: the day first).
SHORT_DAY_JS = (
    "d => new Date(d + 'T00:00:00Z').toLocaleDateString('{tag}', "
    "{{day: 'numeric', month: 'short', timeZone: 'UTC'}})"
)
ACCEPT = ".zip,.csv,text/csv,application/zip"
UPLOAD_LIMIT = 50_000_000  # the API's MAX_IMPORT_BYTES
EMPTY = marked(
    "No analytics yet. Import an export above: in YouTube Studio, Analytics → Advanced mode → "
    "Export current view → Comma-separated values (a zip); in TikTok Studio, Analytics → "
    "Download data (the Overview, Content or Follower activity CSV); or a generic CSV with "
    "platform, video_id, date and metric columns (docs/analytics-import.md). From a terminal: "
    "vo analytics import FILE."
)


def _attr(text: str) -> str:
    """``text`` safe inside a double-quoted prop value."""
    return text.replace('"', "'").replace("\n", " ")


def metric_name(metric: str) -> str:
    """A metric's name in this browser's locale."""
    return tr(METRIC_NAMES[metric]) if metric in METRIC_NAMES else LABELS.get(metric, metric)


def number(value: float | None) -> str:
    """1,234,567 (whole numbers, this locale's separators), "—" when unknown."""
    return "—" if value is None else i18n.number(round(value))


def figure(metric: str, value: float | None) -> str:
    """A metric's value as people read it: counts with separators, durations as m:ss, watch
    time in hours, rates in per cent."""
    if value is None:
        return "—"
    if metric == "average_view_duration":
        return duration_text(value)
    if metric == "watch_hours":
        return tr("{hours} h", hours=i18n.number(value, 1))
    if metric in ("average_percentage_viewed", "impressions_ctr"):
        return f"{i18n.number(value, 1)} %"
    return number(value)


def period_text(start: date, end: date) -> str:
    return i18n.day(start) if start == end else f"{i18n.day(start)} – {i18n.day(end)}"


def window(state: State, stored: tuple[date, date] | None, today: date) -> tuple[date, date] | None:
    """The period's first and last day; None when nothing is stored."""
    if stored is None:
        return None
    if state.period == "all":
        return stored
    if state.period == "custom":
        return state.first or stored[0], state.last or stored[1]
    return today - timedelta(days=int(state.period) - 1), today


def group_name(key: dict[str, str | None], dimension: str) -> str:
    platform = tr(PLATFORM_NAMES.get(key.get("platform") or "", key.get("platform") or ""))
    if dimension == "platform":
        return platform or "—"
    if dimension == "account":
        return f"{key.get('account') or tr('no account')} ({platform})"
    if dimension == "video":
        return key.get("title") or key.get("remote_id") or "—"
    return tr("All")


def short_day_js(locale: str) -> str:
    """The chart's day formatter for ``locale`` (one of the studio's codes)."""
    tag = "en-GB" if locale == i18n.DEFAULT else locale if locale in i18n.LOCALES else "en-GB"
    return SHORT_DAY_JS.format(tag=tag)


def chart_options(
    points: Sequence[Point], metric: str, split: str, start: date, end: date
) -> tuple[dict[str, Any], str]:
    """The ECharts option of a daily line chart (one line per group, the largest
    ``MAX_LINES``), and a note of what is left out."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    lines: dict[str, dict[date, float | None]] = {}
    for point in points:
        name = group_name(point.key, split or "total")
        lines.setdefault(name, {})[point.day] = point.values.get(metric)

    def size(values: dict[date, float | None]) -> float:
        return sum(v or 0 for v in values.values())

    names = sorted(lines, key=lambda n: (-size(lines[n]), n))
    note = ""
    if len(names) > MAX_LINES:
        note = tr(
            "The {drawn} largest of {count} groups are drawn.", drawn=MAX_LINES, count=len(names)
        )
        names = names[:MAX_LINES]
    series = [
        {
            "name": name,
            "type": "line",
            "showSymbol": len(days) <= 31,
            "connectNulls": False,
            "data": [lines[name].get(d) for d in days],
        }
        for name in names
    ]
    options: dict[str, Any] = {
        "animation": False,
        "textStyle": {"fontFamily": webfont.STACK},  # CJK names in the legend (ADR 0042)
        "tooltip": {"trigger": "axis", "confine": True},
        "legend": {"type": "scroll", "bottom": 0, "data": names},
        "grid": {"left": 8, "right": 16, "top": 24, "bottom": 40, "containLabel": True},
        "xAxis": {
            "type": "category",
            "data": [d.isoformat() for d in days],
            # "14 Nov": short enough for a phone; the tooltip keeps the full day
            "axisLabel": {":formatter": short_day_js(i18n.current())},
        },
        "yAxis": {
            "type": "value",
            "name": metric_name(metric),
            "nameTextStyle": {"align": "left"},
            # grey that is quiet on white and on the dark theme's near black alike
            "splitLine": {"lineStyle": {"color": "rgba(128, 128, 128, 0.3)"}},
        },
        "series": series,
    }
    return options, note


@dataclass
class State:
    period: str = "all"
    first: date | None = None  # the days of "From … to …"
    last: date | None = None
    metric: str = "views"
    split: str = ""
    ranked_by: str = "views"


async def show(env: UiEnv) -> None:
    ws = env.ws
    state = State()

    with ui.row().classes("w-full items-center gap-4"):
        ui.label(tr("Analytics")).classes("text-h5").props('role="heading" aria-level="1"')
        ui.space()
        ui.link(tr("Experiments →"), "/experiments").classes(f"text-body1 {LINK}")

    await import_card(ws, lambda: redraw())

    board = ui.column().classes("w-full gap-4")
    drawing = asyncio.Lock()

    async def redraw() -> None:
        """Read every figure first (off the event loop), then replace the board at once; a
        second import while this one reads waits for it."""
        async with drawing:
            try:
                figures = await call(load, ws.analytics, state)
            except Failed:
                return
            board.clear()
            with board:
                draw(ws, state, figures, redraw)

    await redraw()
    await feedback_panel.show(ws)  # "What to change" (ADR 0044)


async def import_card(ws: Workspace, done: Callable[[], Awaitable[None]]) -> None:
    """The upload: each file goes to the import service; its answer, or the reason it was
    refused (naming the row and column), is shown under the box."""
    label = tr("Import analytics exports")

    async def received(event: events.MultiUploadEventArguments) -> None:
        """All the chosen files in one go: each imported in turn (the outcome of each
        shown), then the board drawn once."""
        outcome.clear()
        try:
            as_of = exported_on(made.value)
        except InputError as exc:
            with outcome:
                ui.label(tr("Nothing was imported: {reason}", reason=exc)).classes(
                    "text-negative import-error"
                )
            return
        busy.set_visibility(True)
        imported = 0
        try:
            for file in event.files:
                name = file.name or "export"
                try:
                    data = await file.read()
                    out = await call(
                        ws.analytics.import_bytes, data, name, account=account.value.strip(),
                        as_of=as_of, shown_by_caller=(MetricsFileError, InputError),
                    )  # fmt: skip
                except Failed as failed:
                    with outcome:
                        reason = str(failed.__cause__)  # the service names the file
                        ui.label(
                            tr("Not imported: {reason}", reason=reason)
                            if reason.startswith(name)
                            else tr("{name} was not imported: {reason}", name=name, reason=reason)
                        ).classes("text-negative import-error")
                    continue
                except OSError as exc:
                    tell(exc)
                    continue
                with outcome:
                    ui.label(imported_text(out)).classes("text-positive import-done")
                imported += not out.already_imported
        finally:
            busy.set_visibility(False)
        if imported:
            await done()

    with ui.card().classes("w-full").props(f'flat bordered aria-label="{label}"'):
        upload = (
            ui.upload(
                label=label,
                auto_upload=True,
                multiple=True,
                max_file_size=UPLOAD_LIMIT,
                on_multi_upload=received,
                on_rejected=lambda: ui.notify(
                    tr("That file is over 50 MB: export fewer days."), type="warning"
                ),
            )
            .props(f'accept="{ACCEPT}" flat bordered color=primary')
            .classes("w-full analytics-upload")
            .mark("analytics-upload")
        )
        upload.add_slot("header", upload_header(label))
        upload.on("finish", lambda: upload.reset())
        with ui.row().classes("w-full items-center gap-3"):
            ui.button(tr("Choose files…"), icon="upload_file").props(
                f'outline no-caps dense aria-label="{tr("{what}: choose files", what=label)}"'
            ).on("click", js_handler=PICK_JS.format(id=upload.id, accept=ACCEPT))
            account = (
                ui.input(tr("Account (optional)"), placeholder=tr("e.g. @makerlab"))
                .props("dense outlined maxlength=200")
                .classes("w-56")
                .tooltip(tr("For files that do not name their account, such as TikTok’s Overview"))
            )
            made = (
                ui.input(tr("Exported on (optional)"))
                .props("dense outlined type=date stack-label")
                .classes("w-48")
                .tooltip(tr("TikTok writes days without a year: the day the export was made "
                            "dates them (default today)"))
            )  # fmt: skip
            ui.label(
                tr(
                    "or drag them onto the box: a YouTube Studio zip, TikTok Studio CSVs or the "
                    "generic CSV, up to 50 MB each. The same file twice changes nothing."
                )
            ).classes("text-caption text-grey-8")
        with ui.row().classes("items-center gap-2") as busy:
            ui.spinner(size="sm").props(f'aria-label="{tr("Importing")}"')
            ui.label(tr("Reading and storing the figures…")).classes("text-caption")
        busy.set_visibility(False)
        outcome = ui.column().classes("w-full gap-1 import-outcome").props('aria-live="polite"')


def exported_on(text: str) -> date | None:
    """The date input's value (YYYY-MM-DD; empty: None, so the service's today)."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise InputError(
            tr("{text} is not a date: pick one, or leave it empty", text=repr(text))
        ) from None


def imported_text(out: ImportOut) -> str:
    if out.already_imported:
        return tr("{file} was imported before: nothing changed.", file=out.filename)
    rows = tr_n("{count} row", "{count} rows", out.rows)
    videos = tr_n("{count} video", "{count} videos", out.videos)
    changed = tr(
        "{new} new, {updated} updated",
        new=i18n.number(out.inserted),
        updated=i18n.number(out.updated),
    )
    if out.period_start and out.period_end:
        text = tr(
            "Imported {file}: {rows} for {videos} in {period} ({changed}).",
            file=out.filename,
            rows=rows,
            videos=videos,
            period=period_text(out.period_start, out.period_end),
            changed=changed,
        )
    else:
        text = tr(
            "Imported {file}: {rows} for {videos} ({changed}).",
            file=out.filename,
            rows=rows,
            videos=videos,
            changed=changed,
        )
    if out.unlinked_count:
        text += " " + tr_n(
            "{count} not linked to a project.",
            "{count} not linked to a project.",
            out.unlinked_count,
        )
    return text


@dataclass(frozen=True)
class Figures:
    """Everything the board shows for one period, read in one go."""

    start: date
    end: date
    totals: list[Group]
    by_platform: list[Group]
    by_account: list[Group]
    points: list[Point]
    top: list[Group]
    bottom: list[Group]
    found: Insights
    reports: list[tuple[ReportOut, int]]  # and the days between its sendings (0: none)


def load(analytics: Analytics, state: State) -> Figures | None:
    """The board's figures for the chosen period (None when nothing is stored)."""
    span = window(state, stored_window(analytics), date.today())
    if span is None:
        return None
    start, end = span
    reports = []
    for report in analytics.reports.list():
        schedule = analytics.report_schedule(report.id) if report.recipients else None
        reports.append((report, schedule.every_seconds // 86_400 if schedule else 0))
    return Figures(
        start,
        end,
        totals=analytics.totals(start, end),
        by_platform=analytics.totals(start, end, "platform"),
        by_account=analytics.totals(start, end, "account"),
        points=analytics.series(start, end, state.split or None),
        top=analytics.ranked(start, end, state.ranked_by, limit=RANKED),
        bottom=analytics.ranked(start, end, state.ranked_by, limit=RANKED, bottom=True),
        found=insights(analytics, start, end),
        reports=reports,
    )


def draw(
    ws: Workspace, state: State, figures: Figures | None, redraw: Callable[[], Awaitable[None]]
) -> None:
    if figures is None:
        with ui.card().classes("w-full bg-blue-1 analytics-empty").props("flat"):
            ui.label(tr(EMPTY)).classes("text-body1")
        return
    start, end, points = figures.start, figures.end, figures.points

    async def choose(name: str, value: str) -> None:
        setattr(state, name, value)
        await redraw()

    with ui.row().classes("w-full items-center gap-3"):
        ui.select({k: tr(v) for k, v in PERIODS.items()}, value=state.period,
                  label=tr("Period"), on_change=lambda e: choose("period", e.value)).props(
            f'dense outlined aria-label="{tr("Period")}"'
        ).classes("w-48 analytics-period").mark("analytics-period")  # fmt: skip
        if state.period == "custom":

            async def pick(name: str, text: str) -> None:
                try:
                    setattr(state, name, date.fromisoformat(text))
                except ValueError:
                    return  # a half-typed day: wait for the whole one
                await redraw()

            for name, label, day in (("first", tr("From"), start), ("last", tr("To"), end)):
                ui.input(label, value=day.isoformat(),
                         on_change=lambda e, n=name: pick(n, e.value)).props(
                    f'dense outlined type=date stack-label aria-label="{label}"'
                ).classes(f"w-44 period-{name}").mark(f"period-{name}")  # fmt: skip
        else:
            ui.label(period_text(start, end)).classes("text-body1 analytics-period-text")
    totals = figures.totals
    total = totals[0].values if totals else {}
    with ui.element("div").classes("w-full grid grid-cols-2 sm:grid-cols-4 lg:grid-cols-7 gap-2"):
        for metric, label in CARDS:
            with ui.card().classes("p-3 gap-0").props(f'flat bordered data-metric="{metric}"'):
                ui.label(tr(label)).classes("text-caption text-grey-8")
                ui.label(figure(metric, total.get(metric))).classes(
                    f"text-h6 total-{metric.replace('_', '-')}"
                ).mark(f"total-{metric}")
    if not total.get("views"):
        ui.label(
            tr("No views in this period: choose another period, or import a newer export.")
        ).classes("text-body2")

    with ui.card().classes("w-full").props(f'flat bordered aria-label="{tr("Daily chart")}"'):
        with ui.row().classes("w-full items-center gap-3"):
            ui.label(tr("Over time")).classes("text-h6")
            ui.space()
            # the metrics the days give (views alone when none do)
            charted = [m for m in METRICS if any(p.values.get(m) is not None for p in points)]
            charted = charted or ["views"]
            metric = state.metric if state.metric in charted else charted[0]
            ui.select({m: metric_name(m) for m in charted}, value=metric, label=tr("Metric"),
                      on_change=lambda e: choose("metric", e.value)).props(
                f'dense outlined aria-label="{tr("Metric")}"'
            ).classes("w-56 chart-metric").mark("chart-metric")  # fmt: skip
            ui.select({k: tr(v) for k, v in GROUPINGS.items()}, value=state.split,
                      label=tr("Lines"), on_change=lambda e: choose("split", e.value)).props(
                f'dense outlined aria-label="{tr("Lines")}"'
            ).classes("w-44 chart-split")  # fmt: skip
        if points:
            options, note = chart_options(points, metric, state.split, start, end)
            ui.echart(options, renderer="svg").classes("w-full analytics-chart").style(
                "height: 320px"
            ).props(f'data-metric="{metric}"')
            if note:
                ui.label(note).classes("text-caption text-grey-8")
        ui.label(
            tr(
                "The chart shows the days the exports give per day (YouTube Studio’s Chart "
                "data, the generic CSV by date); TikTok Studio’s Content export gives totals "
                "only, so its videos count in the totals above but draw no line."
            )
        ).classes("text-caption text-grey-8")

    with ui.element("div").classes("w-full grid grid-cols-1 md:grid-cols-2 gap-4"):
        breakdown(tr("By platform"), figures.by_platform, "platform", "breakdown-platform")
        breakdown(tr("By account"), figures.by_account, "account", "breakdown-account")

    ranked_title = tr("Top and bottom videos")
    with ui.card().classes("w-full").props(f'flat bordered aria-label="{ranked_title}"'):
        with ui.row().classes("w-full items-center gap-3"):
            ui.label(ranked_title).classes("text-h6")
            ui.space()
            ui.select({m: metric_name(m) for m in METRICS}, value=state.ranked_by,
                      label=tr("Ranked by"),
                      on_change=lambda e: choose("ranked_by", e.value)).props(
                f'dense outlined aria-label="{tr("Ranked by")}"'
            ).classes("w-56 ranked-by")  # fmt: skip
        with ui.element("div").classes("w-full grid grid-cols-1 md:grid-cols-2 gap-4"):
            # not "Top"/"Bottom" alone: those are the captions' positions in the catalogues
            ranking(tr("Top {count}", count=RANKED), figures.top, state.ranked_by, "top-videos")
            ranking(
                tr("Bottom {count}", count=RANKED), figures.bottom, state.ranked_by, "bottom-videos"
            )

    with ui.element("div").classes("w-full grid grid-cols-1 md:grid-cols-2 gap-4"):
        worked_card(figures.found)
        times_card(figures.found)

    predictions_section(ws)  # ADR 0043
    reports_card(ws, figures.reports)


def breakdown(title: str, groups: Sequence[Group], dimension: str, mark: str) -> None:
    columns = [
        {"name": "name", "label": tr("Platform") if dimension == "platform" else tr("Account"),
         "field": "name", "align": "left"},
        *({"name": m, "label": tr(label), "field": m, "align": "right"} for m, label in CARDS[:3]),
        {"name": "likes", "label": tr("Likes"), "field": "likes", "align": "right"},
    ]  # fmt: skip
    rows = [
        {
            "name": group_name(g.key, dimension),
            **{m: figure(m, g.values.get(m)) for m in ("views", "watch_hours", "likes")},
            "average_view_duration": figure(
                "average_view_duration", g.values.get("average_view_duration")
            ),
        }
        for g in groups
    ]
    with ui.card().classes("w-full").props(f'flat bordered aria-label="{title}"'):
        ui.label(title).classes("text-h6")
        ui.table(columns=columns, rows=rows, row_key="name").props("flat dense wrap-cells").classes(
            f"w-full {mark}"
        )


def ranking(title: str, groups: Sequence[Group], metric: str, mark: str) -> None:
    with ui.column().classes(f"w-full gap-1 {mark}"):
        ui.label(title).classes("text-subtitle1 font-bold")
        if not groups:
            ui.label(
                tr("No video has any {metric} in this period.", metric=metric_name(metric))
            ).classes("text-body2 text-grey-8")
        for place, group in enumerate(groups, 1):
            key = group.key
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                rank = f"{place}."
                ui.label(rank).classes("text-grey-8 w-6")
                name = key.get("title") or key.get("remote_id") or "—"
                with ui.column().classes("gap-0 min-w-0 flex-1"):
                    if key.get("project_id"):
                        ui.link(name, f"/projects/{key['project_id']}").classes(
                            f"ellipsis {LINK}"
                        ).props(
                            f'aria-label="{_attr(tr("Open the project of {name}", name=name))}"'
                        )
                    else:
                        ui.label(name).classes("ellipsis")
                    platform = tr(PLATFORM_NAMES.get(key.get("platform") or "", ""))
                    where = f"{platform} · {key.get('account') or tr('no account')}"
                    ui.label(where).classes("text-caption text-grey-8")
                ui.label(figure(metric, group.values.get(metric))).classes("font-bold")


def worked_card(found: Insights) -> None:
    worked = found.worked
    title = tr("What worked")
    with ui.card().classes("w-full what-worked").props(f'flat bordered aria-label="{title}"'):
        ui.label(title).classes("text-h6")
        for effect in worked.effects:
            values = {
                "trait": effect.trait,
                "percent": i18n.number(abs(effect.lift) * 100),
                "with": i18n.number(effect.with_trait),
                "without": i18n.number(effect.without),
                "p": i18n.number(effect.p_adjusted, 3),
            }
            ui.label(
                tr(
                    "{trait}: {percent} % more views ({with} videos with, {without} without; "
                    "adjusted p {p})",
                    **values,
                )
                if effect.lift > 0
                else tr(
                    "{trait}: {percent} % fewer views ({with} videos with, {without} without; "
                    "adjusted p {p})",
                    **values,
                )
            ).classes("text-body1")
        ui.label(worked.note).classes("text-caption text-grey-8")


def times_words(times: AccountTimes) -> tuple[str, str]:
    """An account's best posting times and their reason in this locale, from the service's
    code and values (its ``reason`` is English): ("Tuesday 18:00 (+35%, 4 posts)", "From 16
    posts' views by publish weekday and hour (UTC).")."""
    if times.code == "measured":
        best = []
        for cell in times.cells:
            parts = [] if cell.weekday is None else [i18n.weekday(cell.weekday)]
            parts += [] if cell.hour is None else [i18n.clock(time(cell.hour))]
            best.append(
                tr_n(
                    "{time} (+{lift}, {count} post)",
                    "{time} (+{lift}, {count} posts)",
                    cell.posts,
                    time=" ".join(parts),
                    lift=i18n.percent(cell.lift),
                )
            )
        if times.by_hour:
            reason = tr_n(
                "From {count} post's views by publish weekday and hour (UTC)",
                "From {count} posts' views by publish weekday and hour (UTC)",
                times.posts,
            )
        else:
            reason = tr_n(
                "From {count} post's views by publish weekday (the exports give days, not hours)",
                "From {count} posts' views by publish weekday (the exports give days, not hours)",
                times.posts,
            )
        return ", ".join(best), reason + "."
    if times.code == "few_posts":
        reason = tr_n(
            "Best posting times need at least {needed} posts with metrics; there is {count}, "
            "so {more} more",
            "Best posting times need at least {needed} posts with metrics; there are {count}, "
            "so {more} more",
            times.posts,
            needed=i18n.number(times.needed),
            more=i18n.number(times.needed - times.posts),
        )
    elif times.by_hour:
        reason = tr_n(
            "No time stands out yet from {count} post's views by publish weekday and hour "
            "(UTC): the differences are no larger than chance",
            "No time stands out yet from {count} posts' views by publish weekday and hour "
            "(UTC): the differences are no larger than chance",
            times.posts,
        )
    else:
        reason = tr_n(
            "No time stands out yet from {count} post's views by publish weekday (the exports "
            "give days, not hours): the differences are no larger than chance",
            "No time stands out yet from {count} posts' views by publish weekday (the exports "
            "give days, not hours): the differences are no larger than chance",
            times.posts,
        )
    if times.default_hours:
        tail = tr("until then the scheduler's default hours for this platform")
    else:
        tail = tr("until then the scheduler's default hours (none for this platform)")
    hours = ", ".join(i18n.clock(time(hour)) for hour in times.default_hours)
    return hours, f"{reason}; {tail}."


def times_card(found: Insights) -> None:
    with (
        ui.card()
        .classes("w-full posting-times")
        .props(f'flat bordered aria-label="{tr("Best posting times")}"')
    ):
        ui.label(tr("Best posting times")).classes("text-h6")
        if not found.times:
            ui.label(tr("No videos with a publish time yet.")).classes("text-body2")
        for times in found.times:
            platform = tr(PLATFORM_NAMES.get(times.platform, ""))
            who = f"{times.account or tr('no account')} ({platform})"
            with ui.column().classes("gap-0"):
                ui.label(who).classes("text-subtitle2")
                best, reason = times_words(times)
                ui.label(best or "—").classes(
                    "text-body1" + (" font-bold" if times.measured else "")
                )
                ui.label(reason).classes("text-caption text-grey-8")


def reports_card(ws: Workspace, reports: Sequence[tuple[ReportOut, int]]) -> None:
    title = tr("Reports")
    with ui.card().classes("w-full analytics-reports").props(f'flat bordered aria-label="{title}"'):
        ui.label(title).classes("text-h6")
        if not reports:
            ui.label(
                tr(
                    "No saved reports. Save one from a terminal: vo analytics report --save "
                    "--name Monthly --last-days 28 (add --to-address to e-mail it), or through "
                    "the API (POST /analytics/reports)."
                )
            ).classes("text-body2")
        for report, every in reports:
            report_row(ws, report, every)


def report_row(ws: Workspace, report: ReportOut, every: int) -> None:
    spec = report.spec
    period = (
        period_text(spec.start, spec.end)
        if spec.start is not None and spec.end is not None
        else tr_n("the last {count} day", "the last {count} days", spec.last_days or 0)
    )

    async def download(fmt: Literal["csv", "pdf"]) -> None:
        try:
            saved, data, body = await call(ws.analytics.render_saved, report.id, fmt)
        except Failed:
            return
        ui.download.content(body, f"{file_stem(saved.name, data.start, data.end)}.{fmt}")

    async def send() -> None:
        try:
            await call(ws.analytics.send_report, report.id)
        except Failed:
            return
        ui.notify(
            tr("{report} sent to {recipients}", report=report.name,
               recipients=", ".join(report.recipients)),
            type="positive",
        )  # fmt: skip

    async def schedule(days: int) -> None:
        try:
            if days:
                out = await call(ws.analytics.schedule_report, report.id, every_days=days)
                ui.notify(
                    tr("{report}: next sent {moment} UTC", report=report.name,
                       moment=when(out.next_run_at)),
                    type="positive",
                )  # fmt: skip
            else:
                await call(ws.analytics.unschedule_report, report.id)
                ui.notify(tr("{report} is no longer sent on a schedule", report=report.name))
        except Failed:
            return

    with ui.row().classes("w-full items-center gap-2 report-row"):
        with ui.column().classes("gap-0 min-w-64 flex-1"):  # a phone: the buttons go below
            ui.label(report.name).classes("text-subtitle1 font-bold")
            ui.label(
                tr(
                    "{grouping}, {period}; {metrics}",
                    grouping=tr(DIMENSIONS.get(spec.dimension, spec.dimension)),
                    period=period,
                    metrics=", ".join(metric_name(m) for m in spec.metrics[:4])
                    + ("…" if len(spec.metrics) > 4 else ""),
                )
            ).classes("text-caption text-grey-8")
        ui.button("CSV", icon="download", on_click=lambda: download("csv")).props(
            "outline no-caps dense aria-label="
            f'"{_attr(tr("Download {report} as CSV", report=report.name))}"'
        ).mark("report-csv")
        ui.button("PDF", icon="picture_as_pdf", on_click=lambda: download("pdf")).props(
            "outline no-caps dense aria-label="
            f'"{_attr(tr("Download {report} as PDF", report=report.name))}"'
        )
        if report.recipients:
            ui.button(tr("E-mail"), icon="send", on_click=send).props(
                "flat no-caps dense aria-label="
                f'"{_attr(tr("E-mail {report} now", report=report.name))}"'
            ).tooltip(tr("To {recipients}", recipients=", ".join(report.recipients)))
            choices = {
                0: tr("Not scheduled"),
                1: tr("Every day"),
                7: tr("Every week"),
                28: tr("Every 4 weeks"),
            }
            choices.setdefault(every, tr_n("Every {count} day", "Every {count} days", every))
            ui.select(choices, value=every, label=tr("Send"),
                      on_change=lambda e: schedule(int(e.value))).props(
                f'dense outlined aria-label="{tr("Send on a schedule")}"'
            ).classes("w-40").mark("report-schedule")  # fmt: skip
