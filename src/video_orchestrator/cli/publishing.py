"""``vo accounts`` (connect, list, health, remove), ``vo publish`` and ``vo posts`` (list,
run, retry, cancel): connected accounts and posts from the command line (ADR 0026)."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from video_orchestrator.config import Settings
from video_orchestrator.errors import InputError
from video_orchestrator.services import facade as services


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def _parse_time(text: str) -> datetime:
    """An ISO time (``2026-12-05T18:00``, ``2026-12-05 18:00+01:00``); without a zone it is
    read in each account's time zone."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(
            f"--at {text!r} is not a time; write it like 2026-12-05T18:00 (the account's "
            "time zone) or 2026-12-05T18:00+01:00"
        ) from exc


def register_publishing(
    app: typer.Typer,
    guard: Callable[[Callable[[], Any]], Any],
    settings: Callable[[], Settings],
    out: Console,
    err: Console,
) -> None:
    """Add ``vo accounts``, ``vo publish`` and ``vo posts`` to ``app``."""
    accounts_app = typer.Typer(help="Connected platform accounts.", no_args_is_help=True)
    posts_app = typer.Typer(help="Posts: scheduled, published, failed.", no_args_is_help=True)
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(posts_app, name="posts")

    def bundle() -> services.Publishing:
        return services.Publishing(services.context(settings()))

    @accounts_app.command("connect")
    def connect(
        platform: Annotated[str, typer.Argument(help="youtube (tiktok, instagram, facebook).")],
        timezone: Annotated[
            str, typer.Option(help="The account's time zone for scheduling (IANA name).")
        ] = "UTC",
        browser: Annotated[
            bool, typer.Option(help="Open the consent page in the browser (else print it).")
        ] = True,
        wait: Annotated[float, typer.Option(help="Seconds to wait for the browser.")] = 300.0,
    ) -> None:
        """Connect an account: sign in on the platform's page, the browser comes back here."""

        def show(url: str) -> None:
            err.print(f"Open this page to connect the account:\n{url}", soft_wrap=True)
            if browser:
                webbrowser.open(url)

        def action() -> None:
            account = services.connect_with_loopback(
                bundle(), platform, show=show, timezone=timezone, timeout=wait
            )
            out.print(f"connected {account.platform}:{account.name} ({account.id})")

        guard(action)

    @accounts_app.command("list")
    def list_accounts() -> None:
        """The connected accounts."""

        def action() -> None:
            table = Table("id", "account", "time zone", "status")
            for a in bundle().accounts.list():
                table.add_row(
                    a.id,
                    f"{a.platform}:{a.name}",
                    a.timezone,
                    a.status + (f" ({a.problem})" if a.problem else ""),
                )
            out.print(table)

        guard(action)

    @accounts_app.command("health")
    def health(account: Annotated[str, typer.Argument(help="id or platform:name")]) -> None:
        """The account as the platform sees it now."""

        def action() -> None:
            publishing = bundle()
            found = publishing.accounts.find(account)
            report = publishing.accounts.health(found.id)
            out.print(f"token valid: {'yes' if report.token_valid else 'no'}")
            for name, value in {**report.facts, **report.quota_left}.items():
                out.print(f"{name}: {value}")
            if report.problem:
                out.print(f"problem: {report.problem}")

        guard(action)

    @accounts_app.command("remove")
    def remove(account: Annotated[str, typer.Argument(help="id or platform:name")]) -> None:
        """Revoke the access at the platform and forget the account (and its posts)."""

        def action() -> None:
            publishing = bundle()
            removed = publishing.accounts.remove(publishing.accounts.find(account).id)
            out.print(f"removed; {removed.message}")

        guard(action)

    @app.command("publish")
    def publish(
        video: Annotated[str, typer.Argument(help="A video file, or a render's job id.")],
        to: Annotated[
            list[str], typer.Option("--to", help="Account (id or platform:name); repeatable.")
        ],
        at: Annotated[
            str | None,
            typer.Option(help="When: 2026-12-05T18:00 (each account's zone) or with +01:00."),
        ] = None,
        best_time: Annotated[
            bool, typer.Option("--best-time", help="The platform's next best hour.")
        ] = False,
        title: Annotated[str | None, typer.Option(help="Title (default: the video's).")] = None,
        description: Annotated[str | None, typer.Option(help="Description.")] = None,
        hashtag: Annotated[
            list[str] | None, typer.Option("--hashtag", help="A hashtag; repeatable.")
        ] = None,
        privacy: Annotated[str, typer.Option(help="public, unlisted or private.")] = "private",
    ) -> None:
        """Post a video to one or several accounts, now or at a time."""

        def action() -> None:
            publishing = bundle()
            request = services.ScheduleIn.model_validate(
                {
                    "accounts": to,
                    "at": _parse_time(at) if at else None,
                    "best_time": best_time,
                    "privacy": privacy,
                    "text": {"title": title, "description": description, "hashtags": hashtag},
                }
            )
            path = Path(video)
            if path.suffix or path.exists():
                posts = services.post_file(publishing, path, request)
            else:
                posts = publishing.scheduler.schedule(request.model_copy(update={"job_id": video}))
            later = [p for p in posts if p.not_before and p.not_before > publishing.posts.clock()]
            for post in later:
                publishing.kick(post)  # a job that waits for its time (`vo serve` runs it)
                out.print(f"{post.id} scheduled for {_when(post.scheduled_at)} ({post.platform})")
            now = [p.id for p in posts if p not in later]
            if now:
                done = services.publish_until_settled(
                    publishing,
                    now,
                    on_change=lambda p: err.print(f"{p.id} {p.state} {p.message or ''}"),
                )
                for post in done:
                    out.print(f"{post.id} {post.state} {post.url or post.message or ''}")
                if any(p.state in ("failed", "needs_attention") for p in done):
                    raise typer.Exit(1)

        guard(action)

    @posts_app.command("list")
    def list_posts(
        state: Annotated[str | None, typer.Option(help="Only posts in this state.")] = None,
    ) -> None:
        """Posts by scheduled time."""

        def action() -> None:
            table = Table("id", "when", "platform", "state", "title", "url / message")
            for p in bundle().posts.list(state=state):
                table.add_row(
                    p.id,
                    _when(p.scheduled_at),
                    p.platform,
                    p.state,
                    p.title[:40],
                    p.url or p.message or "",
                )
            out.print(table)

        guard(action)

    @posts_app.command("run")
    def run_posts() -> None:
        """Move every due post now (what `vo serve` does on its own)."""

        def action() -> None:
            for post in bundle().run_due():
                out.print(f"{post.id} {post.state} {post.url or post.message or ''}")

        guard(action)

    @posts_app.command("retry")
    def retry(post: str) -> None:
        """Try a failed or stuck post again (it resumes where it stopped)."""
        guard(lambda: out.print(bundle().posts.retry(post).state))

    @posts_app.command("cancel")
    def cancel(post: str) -> None:
        """Cancel a post that has not started uploading."""
        guard(lambda: out.print(bundle().posts.cancel(post).state))
