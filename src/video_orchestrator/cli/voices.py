"""``vo voices``: installed voices, the Piper catalogue and voice downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn
from rich.table import Table

from video_orchestrator.config import Settings
from video_orchestrator.services import facade as services


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


def register_voices(
    app: typer.Typer,
    guard: Callable[[Callable[[], Any]], Any],
    settings: Callable[[], Settings],
    out: Console,
    err: Console,
) -> None:
    """Add ``vo voices`` (list), ``vo voices --catalogue`` and ``vo voices download ID``."""
    voices_app = typer.Typer(
        help="Voices: installed ones, the Piper catalogue, downloads.",
        invoke_without_command=True,
    )
    app.add_typer(voices_app, name="voices")

    @voices_app.callback()
    def voices(
        context: typer.Context,
        catalogue: Annotated[
            bool, typer.Option("--catalogue", help="List the official Piper voices to download.")
        ] = False,
        lang: Annotated[
            str | None, typer.Option(help="Only voices of this language (de, de_DE …).")
        ] = None,
        provider: Annotated[
            str | None, typer.Option(help="Only this provider's voices (piper, elevenlabs …).")
        ] = None,
    ) -> None:
        """List the installed voices (or, with --catalogue, the Piper voices to download)."""
        if context.invoked_subcommand is not None:
            return

        def list_installed() -> None:
            ctx = services.context(settings())
            table = Table(title="Installed voices")
            for column in ("id", "language", "gender", "provider", "sample rate"):
                table.add_column(column)
            for voice in services.list_voices(ctx):
                if provider and voice.provider != provider:
                    continue
                if lang and not voice.speaks(lang):
                    continue
                table.add_row(
                    voice.id, voice.language, voice.gender, voice.provider, str(voice.sample_rate)
                )
            out.print(table)

        def list_catalogue() -> None:
            ctx = services.context(settings())
            found, notice = services.voice_catalogue(ctx, lang)
            if notice:
                err.print(f"[yellow]note:[/] {notice}", highlight=False, soft_wrap=True)
            table = Table(title="Piper voices (download with `vo voices download ID`)")
            for column in ("id", "language", "quality", "speakers", "size", "installed"):
                table.add_column(column)
            for voice in found:
                recommended = services.recommended_voice("piper", voice.language) == voice.id
                table.add_row(
                    voice.id + (" [cyan](recommended)[/]" if recommended else ""),
                    f"{voice.language} {voice.language_name}".strip(),
                    voice.quality,
                    str(voice.num_speakers),
                    _megabytes(voice.size),
                    "[green]yes[/]" if voice.installed else "",
                )
            out.print(table)

        guard(list_catalogue if catalogue else list_installed)

    @voices_app.command("download")
    def download(
        voice_id: Annotated[
            str | None, typer.Argument(help="A voice id from `vo voices --catalogue`.")
        ] = None,
        lang: Annotated[
            str | None,
            typer.Option(help="Install the recommended voice of this language instead (ro, de …)."),
        ] = None,
    ) -> None:
        """Download a Piper voice (checksum-verified, resumable); then it works offline."""

        def action() -> None:
            ctx = services.context(settings())
            with Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task(voice_id or f"the {lang} voice", total=None)

                def on_progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                voice = services.download_voice(ctx, voice_id, on_progress, language=lang)
            err.print(
                f"[green]installed[/] {voice.id} ({voice.language}); use it with "
                f"--voice {voice.id}",
                highlight=False,
                soft_wrap=True,
            )
            out.print(voice.id, highlight=False)

        guard(action)
