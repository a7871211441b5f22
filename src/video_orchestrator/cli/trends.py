"""``vo trends``: what is rising, the sources polled, watched keywords, alerts, and a video
from a trend (ADR 0030)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from video_orchestrator.cli.progress import RichReporter
from video_orchestrator.config import Settings
from video_orchestrator.services import facade as services

_BARS = "▁▂▃▄▅▆▇█"
KINDS = "google-trends, youtube, reddit, feed, hackernews, wikipedia"
OPTIONS = "KEY=VALUE: geo=RO; region=US category=10; subreddit=space listing=rising; " + (
    "project=ro.wikipedia"
)


def sparkline(values: list[float]) -> str:
    """The strength history as a line of bars (the last 16 points)."""
    points = values[-16:]
    if not points:
        return ""
    top = max(points) or 1.0
    return "".join(_BARS[min(len(_BARS) - 1, round(v / top * (len(_BARS) - 1)))] for v in points)


def register_trends(
    app: typer.Typer,
    guard: Callable[[Callable[[], Any]], Any],
    settings: Callable[[], Settings],
    out: Console,
    err: Console,
) -> None:
    """Add the ``vo trends`` commands to ``app``."""
    trends_app = typer.Typer(
        help="Trends: what is rising, with its evidence; alerts; a video from a trend.",
        no_args_is_help=True,
    )
    feeds_app = typer.Typer(help="RSS and Atom feeds followed for trends.", no_args_is_help=True)
    sources_app = typer.Typer(help="Trend sources and their health.", no_args_is_help=True)
    alerts_app = typer.Typer(help="Alerts and where they are sent.", no_args_is_help=True)
    app.add_typer(trends_app, name="trends")
    trends_app.add_typer(feeds_app, name="feeds")
    trends_app.add_typer(sources_app, name="sources")
    trends_app.add_typer(alerts_app, name="alerts")

    @trends_app.command("list")
    def list_trends(
        region: Annotated[str | None, typer.Option(help="A country code, e.g. RO.")] = None,
        language: Annotated[str | None, typer.Option(help="A language code, e.g. ro.")] = None,
        source: Annotated[str | None, typer.Option(help="Only trends a kind shows.")] = None,
        niche: Annotated[str | None, typer.Option(help="Only trends about this keyword.")] = None,
        limit: Annotated[int, typer.Option(help="At most this many (1–500).")] = 20,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Trends, best first (momentum, breadth, freshness, fit with your watchlist)."""

        def action() -> None:
            trends, _ = services.trend_services(services.context(settings()))
            found = trends.list_trends(
                region=region, language=language, source=source, niche=niche, limit=limit
            )
            if as_json:
                out.print_json(json.dumps([t.model_dump(mode="json") for t in found]))
                return
            if not found:
                err.print("no trends yet: add sources (vo trends sources add) and vo trends poll")
                return
            table = Table(title="Trends")
            for column in ("id", "trend", "score", "momentum", "sources", "region", "history"):
                table.add_column(column, overflow="fold")
            for trend in found:
                table.add_row(
                    trend.id[:8],
                    trend.title,
                    f"{trend.score:.2f}",
                    f"{trend.momentum:+.2f}",
                    str(trend.breadth),
                    trend.region or "—",
                    sparkline([float(point[1]) for point in trend.history]),
                )
            out.print(table)

        guard(action)

    @trends_app.command("show")
    def show(
        trend_id: Annotated[str, typer.Argument(help="A trend's id (or its first characters).")],
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """A trend with its evidence: the headlines, posts and links that explain it."""

        def action() -> None:
            trends, _ = services.trend_services(services.context(settings()))
            trend = trends.get(_full_id(trends, trend_id))
            if as_json:
                out.print_json(trend.model_dump_json())
                return
            out.print(
                f"[bold]{trend.title}[/]  score {trend.score:.2f}, momentum "
                f"{trend.momentum:+.2f}, {trend.breadth} source(s)"
            )
            for evidence in trend.evidence:
                who = evidence.publisher or evidence.source_label
                out.print(f"- {evidence.title} ({who}) {evidence.url}", highlight=False)

        guard(action)

    @trends_app.command("poll")
    def poll(
        every: Annotated[
            bool, typer.Option("--all", help="Every source, even those not due yet.")
        ] = False,
    ) -> None:
        """Poll the trend sources now (the due ones), merge, raise and send alerts."""

        def action() -> None:
            report = services.poll_trends(services.context(settings()), force=every)
            for outcome in report.outcomes:
                line = f"{outcome.label}: {outcome.status}"
                if outcome.status == "ok":
                    line += f" ({outcome.items} items)"
                if outcome.error:
                    line += f" — {outcome.error}"
                (err if outcome.status == "failed" else out).print(line, highlight=False)
            if not report.outcomes:
                trends, _ = services.trend_services(services.context(settings()))
                if trends.list_sources():
                    err.print("no source is due (--all polls every source)")
                else:
                    err.print(
                        "no trend sources yet: add one, e.g. vo trends sources add "
                        "google-trends geo=US, or vo trends feeds add URL"
                    )
            out.print(f"{report.trends} trends seen, {len(report.alerts)} new alert(s)")

        guard(action)

    @trends_app.command("watch")
    def watch(
        keyword: Annotated[str, typer.Argument(help="A keyword or niche to follow.")],
        niche: Annotated[str, typer.Option(help="The niche it belongs to.")] = "",
        threshold: Annotated[
            float, typer.Option(help="The rank score that raises an alert.")
        ] = 1.0,
        region: Annotated[str | None, typer.Option(help="Only trends of this country.")] = None,
    ) -> None:
        """Follow a keyword: an alert when a trend about it rises past the threshold."""

        def action() -> None:
            _, alerts = services.trend_services(services.context(settings()))
            found, created = alerts.watch(keyword, niche=niche, threshold=threshold, region=region)
            verb = "watching" if created else "already watching"
            out.print(f"{verb} {found.keyword!r} (alert at score {found.threshold:g})")

        guard(action)

    @trends_app.command("make")
    def make(
        trend_id: Annotated[str, typer.Argument(help="A trend's id (or its first characters).")],
        platform: Annotated[str, typer.Option(help="The platform to make it for.")] = "tiktok",
        seconds: Annotated[int | None, typer.Option(help="Target length in seconds.")] = None,
        output: Annotated[
            Path | None,
            typer.Option("-o", "--output", help="Also render it now, into this folder."),
        ] = None,
    ) -> None:
        """Make a project from a trend: its script from the trend's evidence, its links kept."""

        def action() -> None:
            ctx = services.context(settings())
            trends, _ = services.trend_services(ctx)
            made = services.make_from_trend(
                ctx, _full_id(trends, trend_id), platform=platform, seconds=seconds
            )
            if made.notice:
                err.print(f"[yellow]note:[/] {made.notice}", highlight=False)
            out.print(f"project {made.project.id}: {made.project.name}", highlight=False)
            for link in made.links:
                out.print(f"  source: {link['url']}", highlight=False)
            if output is not None:
                with RichReporter(err) as reporter:
                    result = services.render_trend_project(ctx, made, platform, output, reporter)
                out.print(f"video: {result.video}", highlight=False)

        guard(action)

    @feeds_app.command("add")
    def add_feed(url: Annotated[str, typer.Argument(help="The feed's http(s) URL.")]) -> None:
        """Follow an RSS or Atom feed (a news site, a blog, a Google News search)."""

        def action() -> None:
            source, created = services.add_trend_source(
                services.context(settings()), "feed", [f"url={url}"]
            )
            verb = "added" if created else "already followed:"
            out.print(f"{verb} {source.label} ({source.id})", highlight=False)

        guard(action)

    @sources_app.command("add")
    def add_source(
        kind: Annotated[str, typer.Argument(help=KINDS)],
        options: Annotated[list[str] | None, typer.Argument(help=OPTIONS)] = None,
        language: Annotated[str | None, typer.Option(help="Its language, e.g. ro.")] = None,
    ) -> None:
        """Add a trend source."""

        def action() -> None:
            source, created = services.add_trend_source(
                services.context(settings()), kind, options or [], language=language
            )
            verb = "added" if created else "already there:"
            out.print(f"{verb} {source.label} ({source.id})", highlight=False)

        guard(action)

    @sources_app.command("list")
    def list_sources(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Every source with its health: last error, failures in a row, next poll."""

        def action() -> None:
            trends, _ = services.trend_services(services.context(settings()))
            found = trends.list_sources()
            if as_json:
                out.print_json(json.dumps([s.model_dump(mode="json") for s in found]))
                return
            table = Table(title="Trend sources")
            for column in ("id", "source", "failures", "next poll", "last error"):
                table.add_column(column, overflow="fold")
            for source in found:
                table.add_row(
                    source.id[:8],
                    source.label,
                    str(source.failures),
                    f"{source.next_poll_at:%Y-%m-%d %H:%M}" if source.next_poll_at else "now",
                    source.last_error or "",
                )
            out.print(table)

        guard(action)

    @alerts_app.command("list")
    def list_alerts(
        unread: Annotated[bool, typer.Option(help="Only unread alerts.")] = False,
    ) -> None:
        """Alerts, newest first."""

        def action() -> None:
            _, alerts = services.trend_services(services.context(settings()))
            for alert in alerts.alerts(unread=unread):
                mark = " " if alert.read_at else "•"
                when = f"{alert.created_at:%Y-%m-%d %H:%M}"
                line = f"{mark} {when}  {alert.title} ({alert.keyword}, {alert.score:.2f})"
                out.print(line, highlight=False)

        guard(action)

    @alerts_app.command("webhook")
    def add_webhook(url: Annotated[str, typer.Argument(help="Where alerts are POSTed.")]) -> None:
        """Send alerts to a webhook, signed; its secret is printed once."""

        def action() -> None:
            _, alerts = services.trend_services(services.context(settings()))
            created = alerts.add_webhook(url)
            out.print(f"webhook {created.id}: {created.target}", highlight=False)
            out.print(f"secret (shown once): {created.secret}", highlight=False)

        guard(action)

    @alerts_app.command("email")
    def add_email(address: Annotated[str, typer.Argument(help="Who gets alerts.")]) -> None:
        """Send alerts by e-mail (VO_SMTP_HOST …)."""

        def action() -> None:
            _, alerts = services.trend_services(services.context(settings()))
            channel, _created = alerts.add_email(address)
            out.print(f"alerts go to {channel.target}", highlight=False)

        guard(action)


def _full_id(trends: services.TrendService, prefix: str) -> str:
    """A trend id from its first characters (as the list prints them)."""
    prefix = prefix.strip().lower()
    if len(prefix) == 32:
        return prefix
    matches = [str(t.id) for t in trends.list_trends(limit=500) if t.id.startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    return prefix  # not found or ambiguous: trends.get says so
