"""``vo experiments``: plan a project's variants, render them as one batch, link their
published videos, analyse at a fixed post age and apply a winner (ADR 0036)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from video_orchestrator.config import Settings
from video_orchestrator.errors import InputError
from video_orchestrator.services import facade as services
from video_orchestrator.text import validation_summary

if TYPE_CHECKING:
    from video_orchestrator.services.experiment_runs import ExperimentOut

M = TypeVar("M", bound=BaseModel)


def parse_factor(text: str) -> tuple[str, list[str | int | float]]:
    """``name=level|level|…`` (numbers stay numbers)."""
    name, sep, rest = text.partition("=")
    levels = [part.strip() for part in rest.split("|")]
    if not sep or not name.strip() or len(levels) < 2 or not all(levels):
        raise InputError(
            f"a factor is written name=level|level (e.g. caption_style=karaoke|pop), not {text!r}"
        )
    return name.strip(), [_number(level) for level in levels]


def _checked(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_summary(exc)) from None


def _number(text: str) -> str | int | float:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def register_experiments(
    app: typer.Typer,
    guard: Callable[[Callable[[], Any]], Any],
    settings: Callable[[], Settings],
    out: Console,
) -> None:
    """Add the ``vo experiments`` commands to ``app``."""
    experiments_app = typer.Typer(
        help="Experiments: a project's variants rendered, posted, analysed, the winner applied.",
        no_args_is_help=True,
    )
    app.add_typer(experiments_app, name="experiments")

    def show(experiment: ExperimentOut) -> None:
        out.print(
            f"[bold]{experiment.name}[/] ({experiment.id}) · {experiment.status} · "
            f"{experiment.metric} at {experiment.age} on {experiment.platform}",
            highlight=False,
        )
        out.print(experiment.design.get("note", ""), highlight=False)
        table = Table("variant", "levels", "render", "videos")
        for item in experiment.items:
            levels = ", ".join(f"{k}={v}" for k, v in item.levels.items())
            render = f"{item.job_status} ({item.job_id[:8]})" if item.job_id else "—"
            label = f"{item.label} (control)" if item.control else item.label
            table.add_row(label, levels, render, str(len(item.videos)))
        out.print(table)
        if experiment.verdict:
            out.print(f"[bold]Verdict:[/] {experiment.verdict}", highlight=False)
        if experiment.feedback is not None:
            for change in experiment.feedback["changes"]:
                out.print(
                    f"applied: {change['setting']} {change['from']} → {change['to']} "
                    f"({change['evidence']})",
                    highlight=False,
                )
            for kept in experiment.feedback["kept"]:
                out.print(f"kept: {kept['setting']}: {kept['why']}", highlight=False)

    @experiments_app.command("create")
    def create(
        project: Annotated[str, typer.Argument(help="The project's id.")],
        factor: Annotated[
            list[str],
            typer.Option(
                help="name=level|level …, the first level the control's; factors: hook, "
                "caption_style, caption_position, background, music, transition, voice, "
                "voice_speed, length. Repeat for more factors."
            ),
        ],
        metric: Annotated[
            str, typer.Option(help=f"What decides: {', '.join(services.EXPERIMENT_METRICS)}.")
        ] = "average_view_duration",
        age: Annotated[str, typer.Option(help="The post age compared: 24h, 72h or 7d.")] = "72h",
        name: Annotated[str | None, typer.Option(help="Default: the project and factors.")] = None,
        platform: Annotated[
            str | None, typer.Option(help="Default: the project's first platform.")
        ] = None,
    ) -> None:
        """Plan a project's variants (nothing is rendered yet)."""

        def action() -> None:
            from video_orchestrator.services.experiment_runs import ExperimentCreate

            if age not in ("24h", "72h", "7d"):
                raise InputError(f"--age must be 24h, 72h or 7d, not {age!r}")
            factors = dict(parse_factor(text) for text in factor)
            data = _checked(
                ExperimentCreate,
                {
                    "project_id": project,
                    "factors": factors,
                    "metric": metric,
                    "age": age,
                    "name": name,
                    "platform": platform,
                },
            )
            show(services.experiments(settings()).create(data))

        guard(action)

    @experiments_app.command("list")
    def list_() -> None:
        """Experiments, newest first, with their status and verdict."""

        def action() -> None:
            table = Table("id", "name", "status", "variants", "videos", "verdict")
            for item in services.experiments(settings()).find():
                table.add_row(
                    item.id[:8],
                    item.name,
                    item.status,
                    str(item.variants),
                    str(item.videos),
                    item.verdict or "—",
                )
            out.print(table)

        guard(action)

    @experiments_app.command("show")
    def show_(experiment: Annotated[str, typer.Argument(help="The experiment's id.")]) -> None:
        """An experiment's variants, their renders and videos, and its verdict."""
        guard(lambda: show(services.experiments(settings()).get(experiment)))

    @experiments_app.command("render")
    def render(experiment: Annotated[str, typer.Argument(help="The experiment's id.")]) -> None:
        """Queue every variant's render as one batch (run by ``vo serve`` or ``vo worker``)."""
        guard(lambda: show(services.experiments(settings()).render(experiment)))

    @experiments_app.command("link")
    def link(
        experiment: Annotated[str, typer.Argument(help="The experiment's id.")],
        variant: Annotated[str, typer.Argument(help="The variant (A, B …).")],
        post: Annotated[str | None, typer.Option(help="A publishing post's id.")] = None,
        video: Annotated[
            str | None, typer.Option(help="An imported video: platform:remote_id.")
        ] = None,
    ) -> None:
        """Count a published video for a variant."""

        def action() -> None:
            from video_orchestrator.services.experiment_runs import LinkIn

            platform = remote_id = None
            if video is not None:
                platform, sep, remote_id = video.partition(":")
                if not sep or not platform or not remote_id:
                    raise InputError(f"--video is platform:remote_id, not {video!r}")
            data = _checked(
                LinkIn,
                {"variant": variant, "post_id": post, "platform": platform, "remote_id": remote_id},
            )
            show(services.experiments(settings()).link(experiment, data))

        guard(action)

    @experiments_app.command("unlink")
    def unlink(
        experiment: Annotated[str, typer.Argument(help="The experiment's id.")],
        video: Annotated[str, typer.Argument(help="The linked video: platform:remote_id.")],
    ) -> None:
        """Stop counting a video for the experiment."""

        def action() -> None:
            platform, sep, remote_id = video.partition(":")
            if not sep or not platform or not remote_id:
                raise InputError(f"the video is platform:remote_id, not {video!r}")
            show(services.experiments(settings()).unlink(experiment, platform, remote_id))

        guard(action)

    @experiments_app.command("analyse")
    def analyse(experiment: Annotated[str, typer.Argument(help="The experiment's id.")]) -> None:
        """The verdict at the experiment's post age (stored)."""
        guard(lambda: show(services.experiments(settings()).analyse(experiment)))

    @experiments_app.command("apply")
    def apply(experiment: Annotated[str, typer.Argument(help="The experiment's id.")]) -> None:
        """Set the winning levels in the project; the change is shown and stored."""
        guard(lambda: show(services.experiments(settings()).apply(experiment)))
