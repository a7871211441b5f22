"""The Analytics page's "What to change" section (ADR 0044): the hook score's weights that the
workspace's own posted hooks propose, with the evidence in plain words and an Apply button;
the weights' history with Reset; and the defaults finished experiments already applied to
their projects (read from the experiments, not repeated here)."""

from __future__ import annotations

from nicegui import ui

from video_orchestrator.services.hook_feedback import ChangeOut, ComponentOut, ProposalOut
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui.common import Failed, call
from video_orchestrator.ui.i18n import marked, moment, number, tr, tr_n

#: Who applies a change from the studio (it has no per-person login).
APPLIED_BY = "studio"
#: Changes of the history shown, and applied experiments read.
HISTORY_SHOWN = 10
EXPERIMENTS_READ = 50
COMPONENTS = {
    "timing": marked("Said within the hook window"),
    "curiosity": marked("An open loop"),
    "specificity": marked("Concrete words"),
    "numbers": marked("A number in the hook"),
    "you": marked("Speaking to the viewer as you"),
    "length": marked("A length in the sweet spot"),
}
ACTIONS = {"apply": marked("Applied"), "reset": marked("Reset")}


def component_name(name: str) -> str:
    label = COMPONENTS.get(name)
    return tr(label) if label else name


def points(value: float) -> str:
    return ("+" if value >= 0 else "−") + number(abs(value), 1)


def change_words(change: ComponentOut, posts: int) -> str:
    """ "A number in the hook: +3.6 points — hooks with it got 51 % more views at 72 h over
    32 posts, t = 4.9" """
    values = {
        "component": component_name(change.component),
        "delta": points(change.delta),
        "percent": f"{number(abs(change.views_change) * 100)} %",
        "posts": number(posts),
        "t": number(change.t, 1),
    }
    if change.views_change >= 0:
        return tr(
            "{component}: {delta} points — hooks with it got {percent} more views at 72 h "
            "over {posts} posts, t = {t}",
            **values,
        )
    return tr(
        "{component}: {delta} points — hooks with it got {percent} fewer views at 72 h "
        "over {posts} posts, t = {t}",
        **values,
    )


def refusal(proposal: ProposalOut) -> str:
    if proposal.why == "same_evidence":
        return tr(
            "No change: no hook was posted after the ones the weights last learned from; "
            "the same {posts} posts would move them twice.",
            posts=number(proposal.posts),
        )
    if proposal.why == "few_posts":
        return tr(
            "No change yet: the weights learn from at least {needed} posted hooks with views "
            "at 72 h; there are {posts}.",
            needed=number(proposal.min_posts),
            posts=number(proposal.posts),
        )
    return tr(
        "No change: no part of the hook score has a credible effect over {posts} posted hooks "
        "(it needs |t| ≥ {t}).",
        posts=number(proposal.posts),
        t=number(proposal.min_t, 1),
    )


def weights_line(weights: dict[str, float]) -> str:
    return ", ".join(f"{component_name(k)} {number(v, 1)}" for k, v in weights.items())


async def show(ws: Workspace) -> None:
    """The section, read off the event loop; redrawn after Apply and Reset."""
    section = ui.column().classes("w-full gap-2 what-to-change")

    async def draw() -> None:
        try:
            current = await call(ws.hook_weights.show)
            proposal = await call(ws.hook_weights.propose)
            history = await call(ws.hook_weights.history, HISTORY_SHOWN)
            learned = await call(applied_defaults, ws)
        except Failed:
            return
        section.clear()
        with section, ui.card().classes("w-full").props("flat bordered"):
            ui.label(tr("What to change")).classes("text-h6").props('role="heading" aria-level="2"')
            ui.label(tr("Hook score weights")).classes("text-subtitle1 font-bold")
            if current.source == "learned" and current.changed_at is not None:
                ui.label(
                    tr(
                        "In use: learned from your results (applied by {who}, {moment}).",
                        who=current.applied_by or "—",
                        moment=moment(current.changed_at),
                    )
                ).classes("text-body2 weights-source")
            else:
                ui.label(tr("In use: the shipped weights.")).classes("text-body2 weights-source")
            ui.label(weights_line(current.weights)).classes("text-caption weights-now")
            info = proposal.evidence
            ui.label(
                tr(
                    "Evidence: {used} posted hooks measured at 72 h ({young} too young, "
                    "{unmeasured} without metrics at that age).",
                    used=number(info.used),
                    young=number(info.young),
                    unmeasured=number(info.unmeasured),
                )
            ).classes("text-caption text-grey-8")
            if proposal.possible:
                for change in proposal.changes:
                    if change.credible:
                        ui.label(change_words(change, proposal.posts)).classes(
                            "text-body1 proposed-change"
                        )
                ui.label(
                    tr(
                        "Proposed weights: {weights} (the others keep their share).",
                        weights=weights_line(proposal.proposed),
                    )
                ).classes("text-caption proposed-weights")
                ui.button(
                    tr("Apply these weights"),
                    icon="done",
                    on_click=lambda: apply(proposal),
                ).props("no-caps").mark("apply-hook-weights")
            else:
                ui.label(refusal(proposal)).classes("text-body2 no-proposal")
            history_list(history, current.source == "learned")
            if learned:
                ui.label(tr("Learned from experiments")).classes("text-subtitle1 font-bold")
                for line in learned:
                    ui.label(line).classes("text-body2 experiment-default")

    def history_list(history: list[ChangeOut], can_reset: bool) -> None:
        ui.label(tr("History")).classes("text-subtitle1 font-bold")
        if not history:
            ui.label(tr("No change yet.")).classes("text-body2 weights-history-empty")
        for change in history:
            moved = ", ".join(
                f"{component_name(k)} {number(change.from_weights.get(k, 0), 1)} → {number(v, 1)}"
                for k, v in change.to_weights.items()
                if abs(v - change.from_weights.get(k, 0)) >= 0.05
            )
            action = ACTIONS.get(change.action)
            posts = change.evidence.get("posts")
            evidence = (
                tr_n("over {count} posted hook", "over {count} posted hooks", int(posts))
                if isinstance(posts, int)
                else ""
            )
            ui.label(
                " · ".join(
                    part
                    for part in (
                        moment(change.applied_at),
                        tr(action) if action else change.action,
                        change.applied_by,
                        moved or "—",
                        evidence,
                    )
                    if part
                )
            ).classes("text-caption weights-history")
        ui.button(tr("Reset to the shipped weights"), icon="restart_alt", on_click=reset).props(
            "no-caps outline"
        ).mark("reset-hook-weights").set_enabled(can_reset)

    async def apply(proposal: ProposalOut) -> None:
        try:
            await call(ws.hook_weights.apply, APPLIED_BY, expected=proposal.proposed)
        except Failed:
            await draw()
            return
        ui.notify(tr("The hook scorer uses the new weights"), type="positive")
        await draw()

    async def reset() -> None:
        try:
            await call(ws.hook_weights.reset, APPLIED_BY)
        except Failed:
            return
        ui.notify(tr("The hook scorer uses the shipped weights again"), type="positive")
        await draw()

    await draw()


def applied_defaults(ws: Workspace) -> list[str]:
    """What applying finished experiments changed in their projects (ADR 0036), one line
    each."""
    lines: list[str] = []
    for summary in ws.experiments.find(limit=EXPERIMENTS_READ):
        if summary.status != "applied":
            continue
        experiment = ws.experiments.get(summary.id)
        for change in (experiment.feedback or {}).get("changes", []):
            lines.append(
                tr(
                    "{setting}: {old} → {new} in the project of {experiment} ({evidence})",
                    setting=change["setting"],
                    old=change["from"],
                    new=change["to"],
                    experiment=experiment.name,
                    evidence=change["evidence"],
                )
            )
    return lines
