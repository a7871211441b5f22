"""``vo optimise``: explained platform suggestions for a script, and applying them."""

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
from video_orchestrator.spec.vocabulary import CAPTION_PRESETS

_COLOURS = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def register_optimise(
    app: typer.Typer,
    guard: Callable[[Callable[[], Any]], Any],
    settings: Callable[[], Settings],
    out: Console,
    err: Console,
) -> None:
    """Add the ``vo optimise`` command to ``app``."""

    @app.command()
    def optimise(
        script: Annotated[Path, typer.Option(help="A script: a text file or a script JSON.")],
        platform: Annotated[
            str | None,
            typer.Option(help="tiktok, youtube-shorts, instagram-reels, facebook-reels."),
        ] = None,
        speed: Annotated[float, typer.Option(help="The voice speed you would make it at.")] = 1.0,
        caption_style: Annotated[
            str,
            typer.Option(help=f"The caption style you would use: {', '.join(CAPTION_PRESETS)}."),
        ] = "karaoke",
        topic: Annotated[
            str | None, typer.Option(help="The topic, when the script text does not say it.")
        ] = None,
        lang: Annotated[
            str | None,
            typer.Option(help="Language of a plain-text script; default: detected from it."),
        ] = None,
        apply: Annotated[bool, typer.Option("--apply", help="Make the automatic changes.")] = False,
        output: Annotated[
            Path | None,
            typer.Option("-o", "--output", help="With --apply: write the script JSON here."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
    ) -> None:
        """Suggestions for a script on a platform, each with its reason (length, pace, hook,
        hashtags, title, call to action, captions); --apply makes the automatic ones."""

        def action() -> None:
            config = settings()
            ctx = services.context(config)
            report = services.optimise(
                ctx,
                script=script,
                platform=platform or config.default_platform,
                speed=speed,
                caption_style=caption_style,
                lang=lang,
                topic=topic,
                apply=apply,
                output=output,
            )
            if as_json:
                typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
                return
            preset = report.preset
            out.print(
                f"{preset.display_name}: {report.script.word_count()} words ≈ "
                f"{report.seconds:.0f} s at {report.wpm:.0f} wpm (speed {report.speed:.2f})",
                highlight=False,
            )
            if report.suggestions:
                table = Table(title=f"Suggestions for {preset.display_name}", show_lines=True)
                for column in ("severity", "rule", "change", "why", "auto"):
                    table.add_column(column)
                for item in report.suggestions:
                    colour = _COLOURS[item.severity]
                    table.add_row(
                        f"[{colour}]{item.severity}[/]",
                        item.rule,
                        item.change,
                        item.why,
                        "yes" if item.auto else "no",
                    )
                out.print(table)
            else:
                out.print(f"[green]no suggestions: the script suits {preset.display_name}[/]")
            meta = report.metadata
            if report.applied is not None:
                applied = report.applied
                if applied.changes:
                    out.print("[bold]applied:[/]")
                    for change in applied.changes:
                        out.print(f"  {change.rule}: {change.what}", highlight=False)
                else:
                    out.print("nothing to apply automatically")
                if applied.remaining:
                    rules = ", ".join(item.rule for item in applied.remaining)
                    out.print(f"left for you: {rules}", highlight=False)
                if output is not None:
                    out.print(
                        f"make it with: vo make --script {output} --platform {preset.name} "
                        f"--speed {applied.speed:g} --caption-style {applied.caption_style}",
                        highlight=False,
                        soft_wrap=True,
                    )
                else:
                    out.print("add -o FILE.json to save the optimised script", highlight=False)
                meta = report.final_metadata
            out.print("[bold]post text:[/]")
            if meta.title is not None:
                out.print(f"  title: {meta.title}", highlight=False, soft_wrap=True)
            out.print(meta.caption, highlight=False, soft_wrap=True)

        guard(action)
