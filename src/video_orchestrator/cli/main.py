"""The ``vo`` command: a thin Typer interface over the services.

Every error a user can cause ends as one readable line on stderr and a non-zero exit status;
a traceback is shown only with ``VO_DEBUG=1``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from video_orchestrator import __version__
from video_orchestrator.cli.analytics import register_analytics
from video_orchestrator.cli.experiments import register_experiments
from video_orchestrator.cli.hooks import register_hooks
from video_orchestrator.cli.optimise import register_optimise
from video_orchestrator.cli.progress import RichReporter
from video_orchestrator.cli.publishing import register_publishing
from video_orchestrator.cli.server import register_server
from video_orchestrator.cli.stock import register_stock
from video_orchestrator.cli.trends import register_trends
from video_orchestrator.cli.voices import register_voices
from video_orchestrator.config import Settings
from video_orchestrator.errors import CheckFailed, VoError
from video_orchestrator.services import facade as services
from video_orchestrator.spec.vocabulary import (
    BACKGROUND_LOOKS,
    CAPTION_PRESETS,
    MUSIC_CHOICES,
    SOUND_EFFECTS,
    SPEED,
    choice_text,
)

if TYPE_CHECKING:
    from video_orchestrator.services.make import MakeRequest

T = TypeVar("T")

app = typer.Typer(
    name="vo",
    help="Video Orchestrator: topic or script → platform-ready short video, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # docstrings are wrapped in the source; markdown mode reflows their paragraphs
    rich_markup_mode="markdown",
)
spec_app = typer.Typer(help="The render spec: JSON Schema and validation.", no_args_is_help=True)
app.add_typer(spec_app, name="spec")

out = Console()
err = Console(stderr=True)

EXIT_USER_ERROR = 2
EXIT_INTERNAL = 70


def _settings() -> Settings:
    return Settings.load()


def _guard(action: Callable[[], T]) -> T:
    """Run ``action``; turn every failure into one line and an exit status."""
    try:
        return action()
    except CheckFailed as exc:
        err.print(f"[bold red]check failed:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except VoError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USER_ERROR) from None
    except KeyboardInterrupt:
        err.print("[yellow]cancelled[/]")
        raise typer.Exit(130) from None
    except typer.Exit:
        raise
    except Exception as exc:
        if os.environ.get("VO_DEBUG"):
            raise
        err.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc} "
            "(set VO_DEBUG=1 to see the traceback)",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logs.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_time=False, show_path=False)],
    )


def _make_languages(request: MakeRequest, langs: str) -> None:
    """``vo make --langs``: one video per language, through the render queue (ADR 0039)."""
    from video_orchestrator.services.make_languages import make_in_languages, parse_languages

    languages = parse_languages(langs)
    with RichReporter(err) as reporter:
        made = make_in_languages(
            _settings(), request, languages, reporter, on_update=lambda jobs: None
        )
    for notice in reporter.notices:
        err.print(f"[yellow]note:[/] {notice}", highlight=False, soft_wrap=True)
    failed = [job for job in made.jobs if job.status != "succeeded"]
    for job in failed:
        err.print(f"[bold red]{job.language}:[/] {job.error or job.status}", highlight=False)
    for code in languages:
        if code in made.videos:
            out.print(str(made.videos[code]), highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def version() -> None:
    """Print the version."""
    out.print(__version__)


@app.command()
def make(
    topic: Annotated[str | None, typer.Option(help="What the video is about.")] = None,
    script: Annotated[
        Path | None, typer.Option(help="Your own script: a text file (or a script JSON).")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="FILE_OR_URL",
            help="Your material: an article (HTML, markdown, text), notes or a transcript "
            "(.srt, .vtt); its sentences become the script, offline.",
        ),
    ] = None,
    genre: Annotated[str, typer.Option(help="facts, story, listicle, motivational, how-to")] = (
        "facts"
    ),
    platform: Annotated[
        str, typer.Option(help="tiktok, youtube-shorts, instagram-reels, facebook-reels")
    ] = "tiktok",
    voice: Annotated[str | None, typer.Option(help="Voice id (see `vo voices`).")] = None,
    speed: Annotated[float, typer.Option(help=f"Speaking speed, {SPEED.low}–{SPEED.high}.")] = 1.0,
    media: Annotated[
        Path | None, typer.Option("--media", help="Folder of your clips and images.")
    ] = None,
    music: Annotated[
        Path | None, typer.Option(help="Your own music bed (a file), ducked under the voice.")
    ] = None,
    mood: Annotated[
        str,
        typer.Option(
            help=f"The music the project makes (CC0) when no --music file is given: "
            f"{choice_text(MUSIC_CHOICES)}; auto picks by genre."
        ),
    ] = "auto",
    no_music: Annotated[bool, typer.Option("--no-music", help="No music at all.")] = False,
    sfx: Annotated[
        str | None,
        typer.Option(help=f"A sound at each scene change: {choice_text(SOUND_EFFECTS)}."),
    ] = None,
    caption_style: Annotated[
        str, typer.Option(help=f"{choice_text(CAPTION_PRESETS)}.")
    ] = "karaoke",
    background_look: Annotated[
        str,
        typer.Option(
            help=f"What generated scenes (no footage) show: {choice_text(BACKGROUND_LOOKS)}; "
            "typography sets each scene's key phrase large, word by word, above the captions."
        ),
    ] = "illustration",
    lang: Annotated[
        str | None,
        typer.Option(
            help="Language of script, voice and captions (en, ro, es, fr, de, pt, it, ja …); "
            "default: detected from the script."
        ),
    ] = None,
    langs: Annotated[
        str | None,
        typer.Option(
            "--langs",
            metavar="en,ro,es",
            help="One video per language from one script: the script's own and versions "
            "translated and adapted by the language model (or the offline translator), "
            "rendered in one batch as SLUG-ro.mp4 … in the -o folder.",
        ),
    ] = None,
    allow_voice_language_mismatch: Annotated[
        bool,
        typer.Option(
            "--allow-voice-language-mismatch",
            help="Speak with --voice even when it speaks another language than the script.",
        ),
    ] = False,
    trim: Annotated[
        bool, typer.Option(help="Drop scenes from the end when over the platform's limit.")
    ] = False,
    seconds: Annotated[
        int | None, typer.Option(help="Target length of a generated script.")
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output folder or .mp4 path.")] = (
        Path("out")
    ),
    stock: Annotated[
        bool | None,
        typer.Option(
            "--stock/--no-stock",
            help="Stock footage from VO_STOCK_PROVIDERS (default: on when it is set).",
        ),
    ] = None,
) -> None:
    """Make a video from your material (--from), your script (--script) or a topic (with a
    language model)."""

    def action() -> None:
        request = services.make_request(
            topic=topic,
            script=script,
            genre=genre,
            platform=platform,
            voice=voice,
            speed=speed,
            media=media,
            music=None if no_music else music,
            caption_style=caption_style,
            background_look=background_look,
            lang=lang,
            trim=trim,
            seconds=seconds,
            output=output,
            stock=stock,
            music_choice="none" if no_music else mood,
            sfx=sfx,
            source=source,
            allow_voice_language_mismatch=allow_voice_language_mismatch,
        )
        if langs is not None:
            _make_languages(request, langs)
            return
        ctx = services.context(_settings())
        with RichReporter(err) as reporter:
            result = services.make_video(ctx, request, reporter)
        for notice in reporter.notices:
            err.print(f"[yellow]note:[/] {notice}", highlight=False, soft_wrap=True)
        err.print(
            f"[green]done[/] {result.duration:.1f} s video, script from {result.script_source}; "
            f"thumbnail, captions and metadata beside it"
        )
        for credit in result.credits:
            err.print(f"[cyan]credit:[/] {credit}", highlight=False, soft_wrap=True)
        out.print(str(result.video), highlight=False, soft_wrap=True)

    _guard(action)


@app.command()
def render(
    spec_file: Annotated[Path, typer.Argument(help="A render spec JSON file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output .mp4 path.")],
) -> None:
    """Render a spec JSON to an MP4 in one FFmpeg pass."""

    def action() -> None:
        ctx = services.context(_settings())
        with RichReporter(err) as reporter:
            result = services.render_spec_file(ctx, spec_file, output, reporter)
        out.print(str(result), highlight=False, soft_wrap=True)

    _guard(action)


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="A video file.")],
    platform: Annotated[str, typer.Option(help="Platform preset to check against.")] = "tiktok",
) -> None:
    """Check a file against a platform's published specs; exit 1 if a rule fails."""

    def action() -> None:
        ctx = services.context(_settings())
        results = services.check_file(ctx, file, platform)
        table = Table(title=f"{file.name} on {platform}", show_lines=False)
        table.add_column("rule")
        table.add_column("result")
        table.add_column("expected")
        table.add_column("actual")
        for rule in results:
            mark = "[green]pass[/]" if rule.ok else "[bold red]FAIL[/]"
            table.add_row(rule.rule, mark, rule.expected, rule.actual)
        out.print(table)
        failed = [r.rule for r in results if not r.ok]
        if failed:
            raise CheckFailed(f"{len(failed)} rule(s) failed: {', '.join(failed)}")
        out.print(f"[green]all {len(results)} rules pass[/]")

    _guard(action)


@spec_app.command("schema")
def spec_schema() -> None:
    """Print the render spec's JSON Schema."""
    out.print_json(json.dumps(services.spec_schema()))


@spec_app.command("validate")
def spec_validate(
    spec_file: Annotated[Path, typer.Argument(help="A render spec JSON file.")],
) -> None:
    """Validate a spec JSON file; print its duration."""

    def action() -> None:
        spec = services.load_spec(spec_file)
        seconds = spec.duration / spec.output.fps
        out.print(f"[green]valid[/] {spec.duration} frames, {seconds:.2f} s")

    _guard(action)


register_stock(app, _guard, _settings, out, err)
register_hooks(app, _guard, _settings, out, err)
register_optimise(app, _guard, _settings, out, err)
register_voices(app, _guard, _settings, out, err)
register_server(app, _guard, _settings, out, err)
register_analytics(app, _guard, _settings, out, err)
register_experiments(app, _guard, _settings, out)
register_trends(app, _guard, _settings, out, err)
register_publishing(app, _guard, _settings, out, err)


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit:
        raise
    except BaseException as exc:  # last resort: never a traceback for the user
        if os.environ.get("VO_DEBUG"):
            raise
        err.print(f"[bold red]error:[/] {type(exc).__name__}: {exc}")
        sys.exit(EXIT_INTERNAL)
