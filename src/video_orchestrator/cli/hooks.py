"""``vo hooks``: scored alternative hooks for a topic or a script."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from video_orchestrator.config import Settings
from video_orchestrator.services import facade as services


def register_hooks(
    app: typer.Typer,
    guard: Callable[[Callable[[], Any]], Any],
    settings: Callable[[], Settings],
    out: Console,
    err: Console,
) -> None:
    """Add the ``vo hooks`` command to ``app``."""

    @app.command()
    def hooks(
        topic: Annotated[str | None, typer.Option(help="What the video is about.")] = None,
        script: Annotated[
            Path | None, typer.Option(help="A script: a text file or a script JSON.")
        ] = None,
        platform: Annotated[
            str | None,
            typer.Option(help="Score for this platform's pace and hook window (default tiktok)."),
        ] = None,
        count: Annotated[int, typer.Option(help="How many hooks, 1–10.")] = 8,
        lang: Annotated[
            str | None,
            typer.Option(help="Language of the hooks; default: the script's (detected)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
    ) -> None:
        """Alternative hooks (question, bold claim, story, statistic …), each scored 0–100
        with the reasons: timing, curiosity, specificity, numbers, "you", length."""

        def action() -> None:
            config = settings()
            ctx = services.context(config)
            name = platform or config.default_platform
            result = services.hooks(
                ctx, topic=topic, script=script, platform=name, count=count, lang=lang
            )
            if result.notice:
                err.print(f"[yellow]note:[/] {result.notice}", highlight=False, soft_wrap=True)
            preset = ctx.preset(name)
            if as_json:
                document = {
                    "platform": preset.name,
                    "source": result.source,
                    "notice": result.notice,
                    "current": result.current.to_dict() if result.current else None,
                    "hooks": [hook.to_dict() for hook in result.hooks],
                }
                typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
                return
            origin = "the language model" if result.source == "llm" else "the templates"
            table = Table(title=f"Hooks for {preset.display_name} (from {origin})", show_lines=True)
            table.add_column("#", justify="right")
            table.add_column("score", justify="right")
            table.add_column("type")
            table.add_column("hook", ratio=2)
            table.add_column("reasons", ratio=3)
            for index, hook in enumerate(result.hooks, start=1):
                table.add_row(
                    str(index), str(hook.score), hook.type, hook.text, "\n".join(hook.reasons)
                )
            out.print(table)
            if result.current is not None:
                current = result.current
                out.print(
                    f"current hook scores {current.score}: {current.text}",
                    highlight=False,
                    soft_wrap=True,
                )

        guard(action)
