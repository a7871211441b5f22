"""The Trends page (issue 18, ADR 0030): what is rising, best first, with a momentum
sparkline per trend; filters by watched niche, region, language and source; each trend's
evidence (headlines, posts, links); "Make a video" from that evidence; the sources polled
(add an RSS/Atom feed, remove one, see a failing one's state), "Poll now", and the watched
keywords that raise alerts (the header's bell).

An open page follows the server's schedule: every :data:`FOLLOW_SECONDS` it reads the trends'
revision (two aggregate queries) and, when a poll (in a worker process, or another tab)
changed it, reads the list again in place, keeping the filters, the scroll and the opened
evidence, marking the trends that are new and counting the bell again."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit

from nicegui import run, ui

from video_orchestrator.errors import NotFoundError, VoError
from video_orchestrator.services.trend_alerts import WatchOut
from video_orchestrator.services.trend_jobs import poll_now
from video_orchestrator.services.trends import PollReport, SourceOut, TrendDetail, TrendOut
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui import i18n, notifications
from video_orchestrator.ui.common import Failed, browser_timezone, call, when
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import marked, tr, tr_n
from video_orchestrator.ui.jobs_view import LINK

KIND_NAMES = {
    "google-trends": "Google Trends",
    "youtube": "YouTube",
    "reddit": "Reddit",
    "feed": marked("RSS/Atom feeds"),
    "hackernews": "Hacker News",
    "wikipedia": "Wikipedia",
}
SHOWN = 50
#: How often an open page asks whether the trends changed (one cheap query).
FOLLOW_SECONDS = 5.0
#: The user's place before the list is read again: the first trend card still on screen
#: (below the header) and how far from the top of the window it is.
FIND_PLACE = """(() => {
  for (const card of document.querySelectorAll('.trend-card')) {
    const box = card.getBoundingClientRect();
    if (box.bottom > 80) return [card.dataset.trendId, box.top];
  }
  return null;
})()"""
#: Put that card back where it was (once the new list is drawn), whatever came above it.
KEEP_PLACE = """requestAnimationFrame(() => {
  const card = document.querySelector('.trend-card[data-trend-id="TREND_ID"]');
  if (card) window.scrollBy(0, card.getBoundingClientRect().top - TOP);
})"""
#: The page keeps the place itself (KEEP_PLACE): the browser's own scroll anchoring would
#: move it a second time.
TRENDS_CSS = "html:has(.trend-list) { overflow-anchor: none; }"
ALL = ""  # the filter value that keeps every trend
FILTER_LABELS = {
    "niche": marked("Niche"),
    "region": marked("Region"),
    "language": marked("Language"),
    "source": marked("Source"),
}
#: What each filter shows when it keeps every trend.
EVERY = {
    "niche": marked("Every niche"),
    "region": marked("Every region"),
    "language": marked("Every language"),
    "source": marked("Every source"),
}


def kind_name(kind: str) -> str:
    """A source kind as the studio names it (a brand stays as written)."""
    return tr(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


# -- pure helpers -------------------------------------------------------------------------


def strengths(history: Sequence[Any]) -> list[float]:
    """The strengths of a trend's history (``[[iso time, strength], …]``), oldest first."""
    values = []
    for point in history:
        if isinstance(point, list | tuple) and len(point) == 2:
            values.append(round(float(point[1]), 3))
    return values


def sparkline(values: Sequence[float], *, width: int = 120, height: int = 32) -> str:
    """An inline SVG line of ``values`` (its numbers also in ``data-values``), rising to the
    right when the trend rises; a single value is a flat line."""
    listed = ",".join(f"{v:g}" for v in values)
    label = tr(
        "Strength at each poll: {values}",
        values=", ".join(f"{v:g}" for v in values) or tr("none yet"),
    )
    if not values:
        points = ""
    else:
        low, high = min(0.0, *values), max(values)
        span = (high - low) or 1.0
        pad = 3.0
        step = (width - 2 * pad) / max(1, len(values) - 1)
        coords = [
            (pad + i * step, height - pad - (v - low) / span * (height - 2 * pad))
            for i, v in enumerate(values if len(values) > 1 else [values[0], values[0]])
        ]
        if len(values) == 1:
            coords[1] = (width - pad, coords[0][1])
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    return (
        f'<svg class="trend-sparkline" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'data-values="{listed}"><polyline points="{points}" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linejoin="round" '
        'stroke-linecap="round"/></svg>'
    )


def source_state(source: SourceOut, zone: tzinfo = UTC) -> tuple[str, str]:
    """``(state, text)``: ``failing`` with the error and the next try, ``ok`` with the last
    success, or ``new`` (not polled yet); times in ``zone`` (the browser's)."""
    if source.failures:
        return "failing", tr(
            "Failing ({failures} in a row): {error}. Next try {moment}",
            failures=source.failures,
            error=(source.last_error or tr("no answer")).rstrip("."),
            moment=when(source.next_poll_at and source.next_poll_at.astimezone(zone)),
        )
    if source.last_success_at is not None:
        read = source.last_success_at.astimezone(zone)
        return "ok", tr("OK, last read {moment}", moment=when(read))
    return "new", tr("Not polled yet: press Poll now")


def poll_summary(report: PollReport) -> str:
    failed = [o for o in report.outcomes if o.status == "failed"]
    text = tr(
        "{sources}, {failed}; {trends}, {alerts}",
        sources=tr_n("{count} source polled", "{count} sources polled", len(report.outcomes)),
        failed=tr_n("{count} failed", "{count} failed", len(failed)),
        trends=tr_n("{count} trend", "{count} trends", report.trends),
        alerts=tr_n("{count} new alert", "{count} new alerts", len(report.alerts)),
    )
    return text + "".join(f". {o.label}: {o.error}" for o in failed[:3])


@dataclass
class Filters:
    niche: str = ALL
    region: str = ALL
    language: str = ALL
    source: str = ALL


@dataclass
class Loaded:
    trends: list[TrendOut] = field(default_factory=list)
    sources: list[SourceOut] = field(default_factory=list)
    watches: list[WatchOut] = field(default_factory=list)
    linked: TrendOut | None = None  # the trend an alert links to, when not in ``trends``
    revision: str = ""  # the trends' revision when they were read
    fresh: set[str] = field(default_factory=set)  # trends that came with the last follow
    opened: set[str] = field(default_factory=set)  # trends whose evidence the user opened


def load(ws: Workspace, wanted: Filters, trend_id: str | None = None) -> Loaded:
    revision = ws.trends.revision()  # before reading: a change meanwhile is seen next time
    trends = ws.trends.list_trends(
        region=wanted.region or None,
        language=wanted.language or None,
        source=wanted.source or None,
        niche=wanted.niche or None,
        limit=SHOWN,
        now=datetime.now(UTC),
    )
    linked = None
    if trend_id and wanted == Filters() and all(t.id != trend_id for t in trends):
        with contextlib.suppress(NotFoundError):  # deleted: the page says it is not listed
            linked = ws.trends.get(trend_id)
    return Loaded(trends, ws.trends.list_sources(), ws.alerts.watches(), linked, revision)


def updated_text(moment: datetime, zone: tzinfo) -> str:
    """ "Updated 14:05": when the page last read the trends, on the browser's clock (its time
    zone, the locale's way of writing a time, as the Calendar's hours)."""
    return tr("Updated {moment}", moment=i18n.clock(moment.astimezone(zone).time()))


def is_web_address(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def options(
    values: Iterable[str | None], everything: str, names: dict[str, str] | None = None
) -> dict[str, str]:
    found = {ALL: everything}
    for value in sorted({v for v in values if v}):
        found[value] = (names or {}).get(value, value)
    return found


# -- the page -----------------------------------------------------------------------------


def entry(label: str, action: str, submit: Callable[[], Awaitable[None]], marker: str) -> ui.input:
    """A one-line field and its button (Enter does the same); the field."""
    with ui.row().classes("w-full items-center no-wrap gap-2"):
        field = (
            ui.input(label)
            .props("dense outlined")
            .classes(f"grow min-w-0 {marker}")
            .mark(marker)
            .on("keydown.enter", submit)
        )
        ui.button(action, on_click=submit).props("no-caps").classes("shrink-0").mark(
            f"{marker}-button"
        )
    return field


async def show(env: UiEnv, trend_id: str | None = None) -> None:
    ws = env.ws
    client = ui.context.client
    ui.add_css(TRENDS_CSS)
    wanted = Filters()
    state = Loaded()
    zones: list[tzinfo] = []  # the browser's, asked once the page is drawn

    async def reload(*, mark_new: bool = False) -> None:
        """Read the page's data again; ``mark_new``: mark the trends not listed before."""
        try:
            loaded = await call(load, ws, wanted, trend_id)
        except Failed:
            return
        before = {t.id for t in state.trends}
        state.fresh = {t.id for t in loaded.trends} - before if mark_new and before else set()
        state.trends, state.sources, state.watches = loaded.trends, loaded.sources, loaded.watches
        state.linked, state.revision = loaded.linked, loaded.revision
        poll_button.set_enabled(bool(state.sources))
        filters()
        trends.refresh()
        sources.refresh()
        watches.refresh()

    async def poll() -> None:
        poll_button.props("loading")
        try:
            report = await call(
                poll_now, ws.ctx, ws.trends, ws.alerts, datetime.now(UTC), force=True
            )
        except Failed:
            return
        finally:
            poll_button.props(remove="loading")
        failed = any(o.status == "failed" for o in report.outcomes)
        ui.notify(poll_summary(report), type="warning" if failed else "positive", multi_line=True)
        await reload()
        await notifications.refresh_bell()

    async def follow() -> None:
        """Read the page again when the trends changed since it was read (the server's
        schedule polled, another tab added a source): filters, scroll and opened evidence
        stay; the new trends are marked, the bell counts again."""
        try:
            revision = await run.io_bound(ws.trends.revision)
        except VoError:
            return  # a timer keeps quiet; the next tick tries again
        if revision is None or revision == state.revision:  # None: the page closed
            return
        try:
            place = await client.run_javascript(FIND_PLACE, timeout=3)
        except TimeoutError:
            place = None
        await reload(mark_new=True)
        if isinstance(place, list) and len(place) == 2 and str(place[0]).isalnum():
            client.run_javascript(
                KEEP_PLACE.replace("TREND_ID", str(place[0])).replace(
                    "TOP", f"{float(place[1]):.1f}"
                )
            )
        if not zones:
            zones.append(await browser_timezone())
        updated.set_text(updated_text(datetime.now(UTC), zones[0]))
        await notifications.refresh_bell()

    with ui.row().classes("w-full items-center gap-2"):
        ui.label(tr("Trends")).classes("text-h5").props('role="heading" aria-level="1"')
        updated = (
            ui.label("")
            .classes("text-caption text-grey-8 trends-updated")
            .mark("trends-updated")
            .props('role="status" aria-live="polite"')
        )
        ui.space()
        poll_button = (
            ui.button(tr("Poll now"), icon="refresh", on_click=poll)
            .props("no-caps")
            .classes("poll-now")
            .mark("poll-now")
            .tooltip(tr("Read every source now, then rank"))
        )

    async def choose(name: str, value: Any) -> None:
        setattr(wanted, name, value or ALL)
        await reload()

    def choices() -> dict[str, dict[str, str]]:
        """Each filter's options: the watched keywords, the sources' regions, languages and
        kinds (and the value chosen now, so it stays shown)."""
        kinds = {s.kind for s in state.sources} | {wanted.source}
        return {
            "niche": options(
                [*(w.keyword for w in state.watches), wanted.niche], tr(EVERY["niche"])
            ),
            "region": options(
                [*(s.region for s in state.sources), wanted.region], tr(EVERY["region"])
            ),
            "language": options(
                [*(s.language for s in state.sources), wanted.language], tr(EVERY["language"])
            ),
            "source": options(kinds, tr(EVERY["source"]), {k: kind_name(k) for k in kinds if k}),
        }

    selects: dict[str, ui.select] = {}
    with ui.row().classes("w-full gap-2 trend-filters"):
        for name, label in FILTER_LABELS.items():
            selects[name] = (
                ui.select(
                    {ALL: tr(EVERY[name])},
                    value=ALL,
                    label=tr(label),
                    on_change=lambda e, n=name: choose(n, e.value),
                )
                .props("dense outlined")
                .classes(f"w-40 grow sm:grow-0 trend-filter-{name}")
            )

    def filters() -> None:
        for name, found in choices().items():
            if found != selects[name].options:
                selects[name].set_options(found, value=getattr(wanted, name))

    async def make_video(trend: TrendOut, button: ui.button) -> None:
        button.props("loading")
        try:
            made = await call(ws.trend_projects.create, trend.id)
        except Failed:
            button.props(remove="loading")
            return
        if made.notice:
            ui.notify(made.notice, type="warning", multi_line=True)
        ui.navigate.to(f"/projects/{made.project.id}")

    def evidence(detail: TrendDetail, into: ui.column) -> None:
        into.clear()
        with into:
            if not detail.evidence:
                ui.label(tr("No headlines or posts kept for this trend yet.")).classes(
                    "text-grey-8"
                )
            for item in detail.evidence:
                with ui.column().classes("gap-0 trend-evidence"):
                    if is_web_address(item.url):
                        ui.link(item.title or item.url, item.url, new_tab=True).props(
                            'rel="noopener noreferrer"'
                        ).classes(f"text-body1 break-words {LINK}")  # AA in both themes
                    else:  # a feed's javascript: or data: "link" is never made clickable
                        ui.label(item.title).classes("text-body1 break-words")
                    source = " · ".join(p for p in (item.publisher, item.source_label) if p)
                    ui.label(source).classes("text-caption text-grey-8")
                    if item.summary:
                        ui.label(item.summary).classes("text-body2 break-words")

    def trend_card(rank: int, trend: TrendOut, opened: bool) -> None:
        values = strengths(trend.history)
        rising = trend.momentum > 0
        with (
            ui.card()
            .classes("w-full trend-card")
            .props(f'data-trend-id="{trend.id}" data-momentum="{trend.momentum:g}"')
        ):
            with ui.row().classes("w-full items-center gap-3 no-wrap"):
                ui.label(str(rank) if rank else "•").classes("text-h6 text-grey-8 trend-rank")
                with ui.column().classes("gap-0 min-w-0 grow"):
                    with ui.row().classes("items-center gap-2 no-wrap"):
                        ui.label(trend.title).classes(
                            "text-subtitle1 font-bold break-words min-w-0 trend-title"
                        )
                        if trend.id in state.fresh:
                            ui.badge(tr("new"), color="primary").classes("shrink-0 trend-new")
                    where = " · ".join(
                        p
                        for p in (
                            trend.region or tr("everywhere"),
                            trend.language or "",
                            tr_n("{count} source", "{count} sources", trend.breadth),
                        )
                        if p
                    )
                    ui.label(where).classes("text-caption text-grey-8")
                with ui.column().classes("gap-0 items-end shrink-0"):
                    ui.html(sparkline(values), sanitize=False).classes(
                        "text-positive" if rising else "text-grey-8"
                    )
                    ui.label(tr("momentum {value}", value=f"{trend.momentum:+.2f}")).classes(
                        "text-caption trend-momentum " + ("text-positive" if rising else "")
                    )
            with ui.row().classes("w-full items-center gap-2"):
                box = (
                    ui.expansion(tr("Evidence"), icon="article", value=opened)
                    .props("dense")
                    .classes("grow trend-evidence-toggle")
                )
                make = ui.button(tr("Make a video"), icon="movie_creation").props("no-caps")
                make.classes("make-video self-start")
                make.on_click(lambda t=trend, b=make: make_video(t, b))
            with box:
                column = ui.column().classes("w-full gap-3")
                with column:
                    ui.spinner(size="sm")

            shown: list[bool] = []  # the evidence is read once, when first opened

            async def load_evidence(t: TrendOut = trend, into: ui.column = column) -> None:
                if shown:
                    return
                try:
                    detail = await call(ws.trends.get, t.id)
                except Failed:
                    return
                shown.append(True)
                evidence(detail, into)

            async def toggled(e: Any, load: Any = load_evidence, t: str = trend.id) -> None:
                if e.value:
                    state.opened.add(t)  # kept open when the list is read again
                    await load()
                else:
                    state.opened.discard(t)

            box.on_value_change(toggled)
            if opened:
                ui.timer(0.05, load_evidence, once=True)

    @ui.refreshable
    def trends() -> None:
        if not state.trends:
            with ui.card().classes("w-full trends-empty"):
                if not state.sources:
                    ui.label(tr("No trends yet")).classes("text-h6")
                    ui.label(
                        tr(
                            "Add a source under Sources: the web address of an RSS or Atom feed "
                            "(a news site, a blog, a Google News search), then press Poll now."
                        )
                    ).classes("text-body1")
                elif wanted != Filters():
                    ui.label(tr("No trend matches these filters. Choose “Every …” to see more."))
                else:
                    ui.label(
                        tr(
                            "No trends yet. Press Poll now to read your sources; a source that "
                            "fails says why under Sources."
                        )
                    ).classes("text-body1")
        listed = any(t.id == trend_id for t in state.trends)
        if trend_id and not listed and state.linked is None:
            ui.label(
                tr(
                    "The trend you followed is no longer on this list (gone from its sources, "
                    "or outside these filters)."
                )
            ).classes("text-body2 text-grey-8")
        if state.linked is not None:
            ui.label(tr("From your alert:")).classes("text-caption text-grey-8")
            trend_card(0, state.linked, True)
        for rank, trend in enumerate(state.trends, start=1):
            trend_card(rank, trend, trend.id == trend_id or trend.id in state.opened)

    async def remove_source(source: SourceOut) -> None:
        try:
            await call(ws.trends.remove_source, source.id)
        except Failed:
            return
        ui.notify(tr("Removed {name}", name=source.label))
        await reload()

    async def add_feed() -> None:
        url = feed_url.value.strip()
        if not url:
            ui.notify(tr("Paste the web address of an RSS or Atom feed first"), type="warning")
            return
        try:
            added, created = await call(ws.trends.add_source, "feed", {"url": url})
            if created:
                await call(ws.schedule_trends)  # the first source turns polling on
        except Failed:
            return
        feed_url.value = ""
        ui.notify(
            tr("Added {name}: press Poll now to read it", name=added.label)
            if created
            else tr("Already a source"),
            type="positive" if created else "info",
        )
        await reload()

    @ui.refreshable
    def sources() -> None:
        if not state.sources:
            ui.label(tr("No sources yet.")).classes("text-grey-8")
        for source in state.sources:
            kind, text = source_state(source, zones[0] if zones else UTC)
            with ui.row().classes(f"w-full items-start no-wrap gap-2 trend-source source-{kind}"):
                ui.icon(
                    {"failing": "error", "ok": "check_circle", "new": "schedule"}[kind]
                ).classes(
                    {"failing": "text-negative", "ok": "text-positive", "new": "text-grey-8"}[kind]
                ).props('aria-hidden="true"')
                with ui.column().classes("gap-0 min-w-0 grow"):
                    ui.label(source.label).classes("text-body1 break-all")
                    extra = " · ".join(p for p in (kind_name(source.kind), source.region) if p)
                    ui.label(extra).classes("text-caption text-grey-8")
                    if source.kind == "feed" and source.config.get("url"):
                        ui.label(str(source.config["url"])).classes(
                            "text-caption text-grey-8 break-all"
                        )
                    ui.label(text).classes(
                        "text-caption break-words "
                        + ("text-negative source-error" if kind == "failing" else "text-grey-8")
                    )
                remove = ui.button(icon="delete", on_click=lambda s=source: remove_source(s))
                remove.props("flat round dense").tooltip(tr("Remove"))
                remove.props["aria-label"] = tr("Remove {name}", name=source.label)  # any text
                remove.mark(f"remove-{source.id}")

    async def add_watch() -> None:
        keyword = watch_word.value.strip()
        if not keyword:
            ui.notify(tr("Type a keyword or a niche to watch first"), type="warning")
            return
        try:
            found, created = await call(ws.alerts.watch, keyword)
        except Failed:
            return
        watch_word.value = ""
        ui.notify(
            tr("Watching “{keyword}”", keyword=found.keyword)
            if created
            else tr("Already watching “{keyword}”", keyword=found.keyword),
            type="positive" if created else "info",
        )
        await reload()

    async def unwatch(watch: WatchOut) -> None:
        try:
            await call(ws.alerts.unwatch, watch.id)
        except Failed:
            return
        ui.notify(tr("Stopped watching “{keyword}”", keyword=watch.keyword))
        await reload()

    @ui.refreshable
    def watches() -> None:
        if not state.watches:
            ui.label(
                tr(
                    "Nothing watched. A watched keyword ranks its trends higher and rings the "
                    "bell when one rises."
                )
            ).classes("text-grey-8 text-body2")
        with ui.row().classes("gap-2"):
            for watch in state.watches:
                with ui.row().classes(
                    "items-center no-wrap gap-0 pl-3 rounded-full bg-primary text-white watch-item"
                ):
                    ui.label(watch.keyword).classes("text-body2")
                    stop = ui.button(icon="close", on_click=lambda w=watch: unwatch(w))
                    stop.props("flat round dense size=sm color=white")
                    stop.props["aria-label"] = tr("Stop watching {keyword}", keyword=watch.keyword)
                    stop.mark(f"unwatch-{watch.id}")

    with ui.element("div").classes("w-full grid grid-cols-1 lg:grid-cols-3 gap-4 items-start"):
        with ui.column().classes("lg:col-span-2 gap-3 min-w-0 trend-list"):
            trends()
        with ui.column().classes("gap-4 min-w-0"):
            with ui.card().classes("w-full trend-sources"):
                ui.label(tr("Sources")).classes("text-h6").props('role="heading" aria-level="2"')
                sources()
                feed_url = entry(
                    tr("RSS or Atom feed address"), tr("Add feed"), add_feed, "feed-url"
                )
            with ui.card().classes("w-full trend-watches"):
                ui.label(tr("Watchlist")).classes("text-h6").props('role="heading" aria-level="2"')
                watches()
                watch_word = entry(tr("Keyword or niche"), tr("Watch"), add_watch, "watch-word")

    async def learn_zone() -> None:
        """The browser's time zone, asked after the page is drawn (so it does not wait for
        it); the sources' times are then shown in it."""
        if not zones:
            zones.append(await browser_timezone())
            sources.refresh()

    await reload()
    ui.timer(FOLLOW_SECONDS, follow)
    ui.timer(0.1, learn_zone, once=True)
