"""``vo analytics``: import platform exports, list the videos, export for a warehouse,
write and send reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from video_orchestrator.cli.hook_weights import register_hook_weights
from video_orchestrator.config import Settings
from video_orchestrator.errors import InputError, VoError
from video_orchestrator.services import facade as services

#: Unlinked videos named after an import.
SHOWN = 10


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option} must be a date like 2026-11-30, not {text!r}") from None


def register_analytics(
    app: typer.Typer,
    guard: Callable[[Callable[[], Any]], Any],
    settings: Callable[[], Settings],
    out: Console,
    err: Console,
) -> None:
    """Add the ``vo analytics`` commands to ``app``."""
    analytics_app = typer.Typer(
        help="Analytics: platform exports in, dashboards' figures, warehouse export, reports.",
        no_args_is_help=True,
    )
    app.add_typer(analytics_app, name="analytics")
    register_hook_weights(analytics_app, guard, settings, out)

    @analytics_app.command("import")
    def import_(
        files: Annotated[
            list[Path],
            typer.Argument(
                help="A YouTube Studio export zip, TikTok Studio CSVs (Overview, Content, "
                "FollowerActivity; or their zip) or the generic CSV."
            ),
        ],
        account: Annotated[
            str, typer.Option(help="The account (handle) the videos belong to.")
        ] = "",
        as_of: Annotated[
            str | None,
            typer.Option(
                "--as-of",
                help="The day the export was made (dates TikTok's year-less days); default: today.",
            ),
        ] = None,
    ) -> None:
        """Import analytics exports; the same file twice changes nothing."""

        def action() -> None:
            day = _day(as_of, "--as-of")
            analytics = services.analytics(settings())
            for path in files:
                result = analytics.import_path(path, account=account, as_of=day)
                if result.already_imported:
                    err.print(
                        f"[yellow]{path.name}:[/] already imported on "
                        f"{result.imported_at:%Y-%m-%d %H:%M}; nothing changed",
                        highlight=False,
                    )
                    continue
                period = (
                    f" ({result.period_start} – {result.period_end})" if result.period_start else ""
                )
                out.print(
                    f"[green]{path.name}[/]: {result.source}, {result.videos} videos, "
                    f"{result.rows} rows{period}: {result.inserted} new, {result.updated} "
                    f"updated, {result.unchanged} unchanged",
                    highlight=False,
                )
                for video in result.unlinked[:SHOWN]:
                    err.print(f"[yellow]not linked to a project:[/] {video}", highlight=False)
                if result.unlinked_count > SHOWN:
                    err.print(
                        f"[yellow]… and {result.unlinked_count - SHOWN} more[/] "
                        "(vo analytics videos --unlinked)",
                        highlight=False,
                    )

        guard(action)

    @analytics_app.command("pull")
    def pull(
        account: Annotated[
            str | None,
            typer.Option(help="Only this connected account (id, platform:name or name)."),
        ] = None,
        days: Annotated[
            int, typer.Option(help="Days before the platform's data lag to ask for (1–366).")
        ] = 28,
    ) -> None:
        """Pull the figures of connected accounts' published videos now (YouTube Analytics,
        TikTok video query, Instagram insights, Facebook Reels insights); pulling twice
        changes nothing."""

        def action() -> None:
            if not 1 <= days <= 366:
                raise InputError("--days must be between 1 and 366")
            pulls = services.metric_pulls(settings(), days=days)
            if account is not None:
                out.print(services.describe_pull(pulls.pull(pulls.accounts.find(account).id)))
                return
            accounts = pulls.pullable()
            if not accounts:
                raise InputError(
                    "no connected account has a metric source (vo accounts connect youtube, "
                    "tiktok, instagram or facebook)"
                )
            failed = 0
            for each in accounts:
                try:
                    out.print(services.describe_pull(pulls.pull(each.id)), highlight=False)
                except VoError as exc:
                    failed += 1
                    err.print(f"[red]{each.platform}:{each.name}:[/] {exc}", highlight=False)
            if failed:
                raise typer.Exit(1)

        guard(action)

    @analytics_app.command("predict")
    def predict(
        project: Annotated[str, typer.Argument(help="The draft project's id.")],
        platform: Annotated[
            str | None,
            typer.Option(
                help="youtube, tiktok, instagram, facebook, other or a render preset "
                "(youtube-shorts …); default: the project's first platform."
            ),
        ] = None,
        at: Annotated[
            str | None,
            typer.Option(
                help="The posting time, e.g. 2026-12-08T18:00 (UTC unless it says otherwise); "
                "default: the next full hour."
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="The prediction as JSON.")] = False,
    ) -> None:
        """Predict a draft's views and average view duration from your own history, each
        with the model's cross-validated error (refuses, saying why, with too few videos)."""

        def action() -> None:
            when = services.parse_time(at)
            predictions = services.analytics(settings()).predictions
            answer = predictions.predict(project, platform=platform, at=when)
            if isinstance(answer, services.RefusalOut):
                raise answer.error()
            if as_json:
                out.print_json(answer.model_dump_json())
                return
            out.print(_prediction_table(answer))
            history = answer.history
            left = []
            if history.young:
                left.append(f"{history.young} younger than {history.age}")
            if history.unmeasured:
                left.append(f"{history.unmeasured} without both figures at {history.age}")
            note = f"; left out: {', '.join(left)}" if left else ""
            out.print(
                f"Trained on {history.used} videos at {history.age} ({history.linked} linked to "
                f"a project){note}. Typical error: the median miss on past videos the model "
                "had not seen (repeated 5-fold cross-validation).",
                highlight=False,
            )
            if answer.imputed:
                out.print(f"Guessed for this draft: {', '.join(answer.imputed)}.", highlight=False)

        guard(action)

    @analytics_app.command("videos")
    def videos(
        platform: Annotated[str | None, typer.Option(help="Only this platform.")] = None,
        account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
        unlinked: Annotated[
            bool, typer.Option("--unlinked", help="Only videos linked to no project.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
        limit: Annotated[int, typer.Option(help="At most this many (1–1000).")] = 100,
    ) -> None:
        """The imported videos and the project, render and variant each is linked to."""

        def action() -> None:
            if not 1 <= limit <= 1000:
                raise InputError("--limit must be between 1 and 1000")
            page = services.analytics(settings()).metrics.videos(
                platform=platform, account=account, linked=False if unlinked else None, limit=limit
            )
            if as_json:
                out.print_json(json.dumps(page.model_dump(mode="json")))
                return
            table = Table(title=f"{page.total} videos")
            for column in ("platform", "account", "id", "title", "published", "project", "how"):
                table.add_column(column, overflow="fold")
            for v in page.items:
                table.add_row(
                    v.platform,
                    v.account or "—",
                    v.remote_id,
                    v.title or "—",
                    f"{v.published_at:%Y-%m-%d}" if v.published_at else "—",
                    v.project_id or "—",
                    v.link_rule or "unlinked",
                )
            out.print(table)

        guard(action)

    @analytics_app.command("link")
    def link(
        platform: Annotated[str, typer.Argument(help="youtube, tiktok, instagram, facebook")],
        video_id: Annotated[str, typer.Argument(help="The platform's id of the video.")],
        project: Annotated[str | None, typer.Option(help="The project that made it.")] = None,
        job: Annotated[str | None, typer.Option(help="The render job that made it.")] = None,
        variant: Annotated[str | None, typer.Option(help="The experiment variant.")] = None,
    ) -> None:
        """Link a video to its project/render/variant by hand (no option: unlink)."""

        def action() -> None:
            video = services.analytics(settings()).metrics.link(
                platform, video_id, project_id=project, job_id=job, variant_id=variant
            )
            out.print(
                f"{video.platform}:{video.remote_id} → project {video.project_id or '—'}, "
                f"render {video.job_id or '—'}, variant {video.variant_id or '—'} "
                f"({video.link_rule or 'unlinked'})",
                highlight=False,
            )

        guard(action)

    @analytics_app.command("export")
    def export(
        folder: Annotated[Path, typer.Argument(help="The folder to write the tables into.")],
        fmt: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    ) -> None:
        """Write the analytics tables for a data warehouse (one file per table)."""

        def action() -> None:
            for item in services.analytics(settings()).export(folder, fmt):
                out.print(f"{item.path}  {item.rows} rows", highlight=False)

        guard(action)

    @analytics_app.command("report")
    def report(
        start: Annotated[
            str | None, typer.Option("--from", help="First day, e.g. 2026-11-01.")
        ] = None,
        end: Annotated[str | None, typer.Option("--to", help="Last day, e.g. 2026-11-30.")] = None,
        last_days: Annotated[
            int | None, typer.Option(help="Instead of --from/--to: the days before today.")
        ] = None,
        metric: Annotated[
            list[str] | None,
            typer.Option(help=f"A metric to show (repeat): {', '.join(services.METRICS)}."),
        ] = None,
        by: Annotated[
            str, typer.Option(help="video, account, platform, project or total.")
        ] = "video",
        platform: Annotated[str | None, typer.Option(help="Only this platform.")] = None,
        account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
        pdf: Annotated[Path | None, typer.Option(help="Write the PDF here.")] = None,
        csv: Annotated[Path | None, typer.Option(help="Write the CSV here.")] = None,
        name: Annotated[str, typer.Option(help="The report's title.")] = "Analytics report",
        saved: Annotated[str | None, typer.Option(help="Render this saved report instead.")] = None,
        save: Annotated[
            bool, typer.Option("--save", help="Save this definition under --name.")
        ] = False,
        to: Annotated[
            list[str] | None,
            typer.Option("--to-address", help="With --save: who receives it (repeat)."),
        ] = None,
        send: Annotated[
            bool, typer.Option("--send", help="E-mail the saved report (VO_SMTP_*).")
        ] = False,
        every_days: Annotated[
            int | None,
            typer.Option(help="With --save: e-mail it every N days (a task of `vo serve`)."),
        ] = None,
    ) -> None:
        """Write a report as PDF and/or CSV; save its definition; e-mail a saved one."""

        def action() -> None:
            analytics = services.analytics(settings())
            if saved is not None:
                definition = analytics.reports.get(saved)
                title, spec = definition.name, definition.spec
            else:
                spec = analytics.report_spec(
                    start=_day(start, "--from"),
                    end=_day(end, "--to"),
                    last_days=last_days,
                    metrics=metric,
                    dimension=by,
                    platform=platform,
                    account=account,
                )
                title = name
            if save:
                stored, created = analytics.reports.save(
                    services.ReportIn(name=title, spec=spec, recipients=list(to or []))
                )
                out.print(f"{'saved' if created else 'replaced'} report {stored.name!r}")
                if every_days is not None:
                    plan = analytics.schedule_report(stored.id, every_days=every_days)
                    out.print(
                        f"sent every {every_days} days, next {plan.next_run_at:%Y-%m-%d %H:%M} UTC"
                    )
            elif every_days is not None:
                raise InputError("--every-days schedules a saved report: add --save")
            if pdf is not None or csv is not None:
                data = analytics.build_report(title, spec)
                for path in analytics.write_report(data, pdf=pdf, csv=csv):
                    out.print(str(path), highlight=False)
            if send:
                message = analytics.send_report(saved or title, list(to or []))
                out.print(f"sent ({message})", highlight=False)
            if not (save or send or pdf or csv or every_days):
                raise InputError("say what to do: --pdf FILE, --csv FILE, --save or --send")

        guard(action)


def _prediction_table(answer: services.PredictionOut) -> Table:
    table = Table(
        title=f"{answer.platform} at {answer.at:%Y-%m-%d %H:%M} UTC",
        title_justify="left",
    )
    for column in ("metric", "prediction", f"{round(answer.views.level * 100)} % interval",
                   "typical error", "log error ± folds"):  # fmt: skip
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, figure, unit in (
        ("views", answer.views, ""),
        ("average view duration", answer.average_view_duration, " s"),
    ):
        digits = 0 if unit == "" else 1
        table.add_row(
            name,
            f"{figure.value:,.{digits}f}{unit}",
            f"{figure.low:,.{digits}f}–{figure.high:,.{digits}f}{unit}",
            f"±{figure.error.median_ape:.0%}",
            f"{figure.error.mae_log:.2f} ± {figure.error.mae_log_fold_sd:.2f}",
        )
    return table
