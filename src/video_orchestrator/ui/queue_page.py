"""The render queue: every job, newest first, filtered by status, with live progress; cancel,
retry, delete; a failed job's error and log; each job links to its project."""

from __future__ import annotations

from typing import cast

from nicegui import ui

from video_orchestrator.errors import NotFoundError
from video_orchestrator.services.jobs import JobOut, JobPage, JobStatus
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import marked, tr, tr_n
from video_orchestrator.ui.jobs_view import JobList

FILTERS: dict[str, str] = {
    "": marked("All renders"),
    "queued": marked("Queued"),
    "running": marked("Rendering"),
    "succeeded": marked("Done"),
    "failed": marked("Failed"),
    "cancelled": marked("Cancelled"),
}
SHOWN = 100


def project_names(ws: Workspace, jobs: list[JobOut], known: dict[str, str]) -> dict[str, str]:
    """The name of each job's project (a deleted project is left out); ``known`` names are
    remembered between calls so each project is read once."""
    names: dict[str, str] = {}
    for project_id in {j.project_id for j in jobs if j.project_id}:
        if project_id not in known:
            try:
                known[project_id] = ws.projects.get(project_id).name
            except NotFoundError:
                continue
        names[project_id] = known[project_id]
    return names


async def show(env: UiEnv) -> None:
    ws = env.ws
    platforms = {name: preset.display_name for name, preset in ws.ctx.presets.items()}
    wanted: dict[str, str] = {"status": ""}
    known: dict[str, str] = {}

    def fetch() -> JobPage:
        status = cast(JobStatus | None, wanted["status"] or None)
        return ws.jobs.find(status=status, limit=SHOWN)

    def count(total: int, shown: int) -> None:
        counts.text = tr_n("{count} render", "{count} renders", total) + (
            tr(", showing the newest {shown}", shown=shown) if total > shown else ""
        )

    jobs: JobList
    with ui.row().classes("w-full items-center gap-4"):
        ui.label(tr("Queue")).classes("text-h5").props('role="heading" aria-level="1"')
        counts = ui.label("").classes("text-body2 text-grey-8 queue-count")
        ui.space()

        async def choose(value: str) -> None:
            wanted["status"] = value
            await jobs.refresh()

        labels = {value: tr(label) for value, label in FILTERS.items()}
        ui.select(labels, value="", label=tr("Show"), on_change=lambda e: choose(e.value)).props(
            f'dense outlined aria-label="{tr("Show renders that are")}"'
        ).classes("w-44 queue-filter").mark("queue-filter")
        ui.button(icon="refresh", on_click=lambda: jobs.refresh()).props(
            f'flat round aria-label="{tr("Refresh the queue")}"'
        ).tooltip(tr("Refresh"))
    jobs = JobList(
        ws,
        fetch,
        platforms=platforms,
        empty=tr("No renders here. Open a project and press Render in its Export tab."),
        project_names=lambda items: project_names(ws, items, known),
        counted=count,
    )
    await jobs.refresh()
