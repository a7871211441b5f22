"""``vo stock``: search the stock footage providers from the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from video_orchestrator.config import Settings
from video_orchestrator.services import facade as services


def _duration(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.0f} s"


def register_stock(
    app: typer.Typer,
    guard: Callable[[Callable[[], Any]], Any],
    settings: Callable[[], Settings],
    out: Console,
    err: Console,
) -> None:
    """Add the ``vo stock`` commands to ``app``."""
    stock_app = typer.Typer(help="Stock footage (Pexels, Pixabay, your library).")
    app.add_typer(stock_app, name="stock")

    @stock_app.command("search")
    def search(
        text: Annotated[str, typer.Argument(help='What to look for, e.g. "ocean waves".')],
        kind: Annotated[str, typer.Option(help="video or photo.")] = "video",
        provider: Annotated[
            str | None,
            typer.Option(
                help="Ask only this provider (pexels, pixabay, local); default: all "
                "in VO_STOCK_PROVIDERS order."
            ),
        ] = None,
        platform: Annotated[
            str | None,
            typer.Option(help="Fit this platform's frame (default: VO_DEFAULT_PLATFORM)."),
        ] = None,
        media: Annotated[
            Path | None, typer.Option("--media", help="Search this folder (the local provider).")
        ] = None,
        limit: Annotated[int, typer.Option(help="At most this many results (1–80).")] = 15,
    ) -> None:
        """Search stock footage; print a table of results with their credits."""

        def action() -> None:
            ctx = services.context(settings())
            items, notices = services.stock_search(
                ctx, text, kind=kind, provider=provider, platform=platform, media=media,
                limit=limit,
            )  # fmt: skip
            for notice in notices:
                err.print(f"[yellow]note:[/] {notice}", highlight=False, soft_wrap=True)
            if not items:
                err.print(f"no {kind}s found for {text!r}", highlight=False)
                return
            table = Table(title=f"{kind}s for {text!r} ({items[0].provider})")
            for column in ("id", "size", "length", "by", "licence", "page"):
                table.add_column(column, overflow="fold")
            for item in items:
                table.add_row(
                    item.id,
                    f"{item.width}×{item.height}",
                    _duration(item.duration),
                    item.author or "—",
                    item.licence or "—",
                    item.page_url or item.download_url,
                )
            out.print(table)

        guard(action)
