"""``vo analytics hook-weights``: the hook score's weights learned from the workspace's own
posted hooks — show, propose, apply, reset, history (ADR 0044)."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from video_orchestrator.config import Settings
from video_orchestrator.services import facade as services

if TYPE_CHECKING:
    from video_orchestrator.services.hook_feedback import ChangeOut, ProposalOut

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead.")]


def who() -> str:
    """Who applies a change from the command line: ``cli (user)``."""
    try:
        return f"cli ({getpass.getuser()})"
    except (OSError, KeyError):
        return "cli"


def _dump(model: Any) -> None:
    typer.echo(json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False))


def register_hook_weights(
    app: typer.Typer,
    guard: Callable[[Callable[[], Any]], Any],
    settings: Callable[[], Settings],
    out: Console,
) -> None:
    """Add ``hook-weights`` and its commands to ``app`` (``vo analytics``)."""
    weights_app = typer.Typer(
        help="The hook score's weights, learned from your own posted hooks and their views.",
        no_args_is_help=True,
    )
    app.add_typer(weights_app, name="hook-weights")

    def weights_table(title: str, columns: dict[str, dict[str, float]]) -> Table:
        table = Table(title=title)
        table.add_column("component")
        for name in columns:
            table.add_column(name, justify="right")
        first = next(iter(columns.values()))
        for component in first:
            table.add_row(component, *(f"{col.get(component, 0):g}" for col in columns.values()))
        return table

    def show_proposal(proposal: ProposalOut) -> None:
        info = proposal.evidence
        out.print(
            f"evidence: {info.used} posted hooks measured ({info.outcome}); "
            f"{info.young} too young, {info.unmeasured} without rows at {info.age}",
            highlight=False,
        )
        if not proposal.possible:
            out.print(f"no proposal: {proposal.reason}", highlight=False, soft_wrap=True)
            return
        out.print(
            weights_table(
                "Proposed hook weights", {"now": proposal.current, "proposed": proposal.proposed}
            )
        )
        for change in proposal.changes:
            out.print(f"- {change.words}", highlight=False, soft_wrap=True)

    def show_change(change: ChangeOut) -> None:
        out.print(
            f"{change.action} #{change.id} by {change.applied_by} at "
            f"{change.applied_at:%Y-%m-%d %H:%M} UTC",
            highlight=False,
        )
        out.print(
            weights_table("", {"from": change.from_weights, "to": change.to_weights}),
        )

    @weights_app.command("show")
    def show(as_json: JsonFlag = False) -> None:
        """The weights the hook scorer uses now, beside the shipped ones."""

        def action() -> None:
            current = services.hook_weights(settings()).show()
            if as_json:
                _dump(current)
                return
            origin = (
                f"learned, applied by {current.applied_by} at {current.changed_at:%Y-%m-%d %H:%M}"
                if current.source == "learned" and current.changed_at
                else "shipped"
            )
            out.print(
                weights_table(
                    f"Hook weights ({origin})",
                    {"in use": current.weights, "shipped": current.shipped},
                )
            )

        guard(action)

    @weights_app.command("propose")
    def propose(as_json: JsonFlag = False) -> None:
        """What your posted hooks' views at 72 h say about the weights (changes nothing)."""

        def action() -> None:
            proposal = services.hook_weights(settings()).propose()
            if as_json:
                _dump(proposal)
                return
            show_proposal(proposal)

        guard(action)

    @weights_app.command("apply")
    def apply(as_json: JsonFlag = False) -> None:
        """Use the proposed weights from now on (stored with their evidence)."""

        def action() -> None:
            change = services.hook_weights(settings()).apply(who())
            if as_json:
                _dump(change)
                return
            out.print(str(change.evidence.get("summary", "")), highlight=False, soft_wrap=True)
            show_change(change)

        guard(action)

    @weights_app.command("reset")
    def reset(as_json: JsonFlag = False) -> None:
        """Back to the shipped weights (the history keeps what was learned)."""

        def action() -> None:
            change = services.hook_weights(settings()).reset(who())
            if as_json:
                _dump(change)
                return
            show_change(change)

        guard(action)

    @weights_app.command("history")
    def history(as_json: JsonFlag = False) -> None:
        """Every change of the weights, newest first: from → to, evidence, when, by whom."""

        def action() -> None:
            changes = services.hook_weights(settings()).history()
            if as_json:
                typer.echo(
                    json.dumps(
                        [c.model_dump(mode="json") for c in changes], indent=2, ensure_ascii=False
                    )
                )
                return
            if not changes:
                out.print("no change yet: the hook scorer uses the shipped weights")
                return
            table = Table("#", "when (UTC)", "action", "by", "changes", "posts")
            for change in changes:
                moved = ", ".join(
                    f"{k} {change.from_weights.get(k, 0):g}→{v:g}"
                    for k, v in change.to_weights.items()
                    if abs(v - change.from_weights.get(k, 0)) >= 0.05
                )
                table.add_row(
                    str(change.id),
                    f"{change.applied_at:%Y-%m-%d %H:%M}",
                    change.action,
                    change.applied_by,
                    moved or "—",
                    str(change.evidence.get("posts", "—")),
                )
            out.print(table)

        guard(action)
