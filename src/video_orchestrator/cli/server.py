"""``vo serve``, ``vo worker`` and ``vo apikey``: the server side of the product."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from video_orchestrator.config import Settings
from video_orchestrator.errors import InputError


def register_server(
    app: typer.Typer,
    guard: Callable[[Callable[[], Any]], Any],
    settings: Callable[[], Settings],
    out: Console,
    err: Console,
) -> None:
    """Add ``serve``, ``worker`` and ``apikey`` to ``app``."""
    apikey_app = typer.Typer(help="API keys for the REST API.", no_args_is_help=True)
    app.add_typer(apikey_app, name="apikey")

    @app.command()
    def serve(
        host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
        port: Annotated[int | None, typer.Option(help="Port (default 4545).")] = None,
        workers: Annotated[
            int | None, typer.Option(help="Local render worker processes (default 1).")
        ] = None,
        web_ui: Annotated[
            bool, typer.Option("--ui/--no-ui", help="Serve the web UI at /ui.")
        ] = True,
    ) -> None:
        """Start the web UI (at /) and the REST API (docs at /docs) with its render workers."""

        def action() -> None:
            import uvicorn

            from video_orchestrator.api import create_app

            overrides: dict[str, Any] = {}
            if host is not None:
                overrides["api_host"] = host
            if port is not None:
                overrides["api_port"] = port
            if workers is not None:
                overrides["workers"] = workers
            config = settings().model_copy(update=overrides)
            api = create_app(config, ui=web_ui)
            where = f"http://{config.api_host}:{config.api_port}"
            note = "API key required" if api.state.require_api_key else "no API key needed"
            shown = f"web UI: {where}/ui, " if web_ui else ""
            err.print(f"serving on {where} ({shown}API docs: {where}/docs; {note})")
            uvicorn.run(api, host=config.api_host, port=config.api_port, log_level="warning")

        guard(action)

    @app.command("app")
    def desktop_app(
        port: Annotated[int | None, typer.Option(help="Port (default: any free one).")] = None,
        browser: Annotated[
            bool, typer.Option("--browser", help="Open the web browser, not a desktop window.")
        ] = False,
        no_open: Annotated[
            bool, typer.Option("--no-open", help="Open nothing: print the address and serve.")
        ] = False,
    ) -> None:
        """Open the studio on this machine: in a desktop window when pywebview is installed
        (the "desktop" extra), else in the browser. Serves on 127.0.0.1 until closed."""

        def action() -> None:
            from video_orchestrator.cli.desktop import Opener, run_app

            opener = Opener.NONE if no_open else Opener.BROWSER if browser else Opener.WINDOW
            run_app(
                settings(),
                port=port,
                opener=opener,
                say=lambda line: err.print(line, highlight=False, soft_wrap=True),
                show_url=lambda url: out.print(url, highlight=False, soft_wrap=True),
            )

        guard(action)

    @app.command()
    def worker(
        concurrency: Annotated[int, typer.Option(help="Jobs run at once.")] = 1,
    ) -> None:
        """Run render workers in the foreground (Celery when VO_EXECUTOR=celery)."""

        def action() -> None:
            from video_orchestrator.services.worker import run_worker

            config = settings()
            err.print(f"{config.executor} worker started (concurrency {concurrency})")
            run_worker(config, concurrency)

        guard(action)

    @app.command()
    def batch(
        file: Annotated[
            Path, typer.Argument(help="CSV (topic,genre,platform,voice …) or JSON list.")
        ],
        workers: Annotated[int, typer.Option(help="Videos rendered at once.")] = 1,
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="Copy every video and its files here.")
        ] = None,
        queue_only: Annotated[
            bool,
            typer.Option("--queue-only", help="Only queue the jobs (for vo serve / vo worker)."),
        ] = False,
    ) -> None:
        """Make many videos from a list of topics, through the render queue."""

        def action() -> None:
            from rich.live import Live

            from video_orchestrator.services.batch import run_batch, submit_batch

            config = settings()
            if not 1 <= workers <= 8:
                raise InputError("--workers must be between 1 and 8")
            submitted = submit_batch(config, file)
            err.print(f"batch {submitted.batch_id}: {len(submitted.jobs)} jobs queued")
            if queue_only:
                for job in submitted.jobs:
                    out.print(job.id)
                return

            def table(jobs: list[Any]) -> Table:
                view = Table("job", "platform", "status", "step", "progress", "note")
                for job in jobs:
                    note = job.error or ""
                    view.add_row(
                        job.id[:8],
                        job.platform or "",
                        job.status,
                        job.step,
                        f"{job.progress * 100:3.0f} %",
                        note[:80],
                    )
                return view

            with Live(table(submitted.jobs), console=err, refresh_per_second=4) as live:
                finished = run_batch(
                    config,
                    submitted,
                    workers=workers,
                    out_dir=output,
                    on_update=lambda jobs: live.update(table(jobs)),
                )
            failed = [job for job in finished if job.status != "succeeded"]
            if output is not None:
                err.print(f"files in {output}")
            if failed:
                err.print(f"[bold red]{len(failed)} of {len(finished)} jobs did not succeed[/]")
                raise typer.Exit(1)

        guard(action)

    @apikey_app.command("create")
    def create(name: Annotated[str, typer.Argument(help="What the key is for.")]) -> None:
        """Make a key; it is shown once, stored only as a hash."""

        def action() -> None:
            from video_orchestrator.services.apikeys import ApiKeyService
            from video_orchestrator.services.context import AppContext

            made = ApiKeyService(AppContext(settings()).db).create(name)
            err.print(f"API key {made.info.id} ({made.info.name}); it is shown only once:")
            out.print(made.key, highlight=False)

        guard(action)

    @apikey_app.command("list")
    def list_keys() -> None:
        """The keys (never their values)."""

        def action() -> None:
            from video_orchestrator.services.apikeys import ApiKeyService
            from video_orchestrator.services.context import AppContext

            table = Table("id", "name", "starts with", "created", "last used", "revoked")
            for key in ApiKeyService(AppContext(settings()).db).all():
                table.add_row(
                    key.id,
                    key.name,
                    key.prefix + "…",
                    f"{key.created_at:%Y-%m-%d %H:%M}",
                    f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "—",
                    "yes" if key.revoked else "",
                )
            out.print(table)

        guard(action)

    @apikey_app.command("revoke")
    def revoke(key_id: Annotated[str, typer.Argument(help="The key's id.")]) -> None:
        """Revoke a key at once."""

        def action() -> None:
            from video_orchestrator.services.apikeys import ApiKeyService
            from video_orchestrator.services.context import AppContext

            ApiKeyService(AppContext(settings()).db).revoke(key_id)
            err.print(f"revoked {key_id}")

        guard(action)
