"""Render jobs as cards that follow their job live: status, step, progress and ETA; Cancel,
Retry and Delete; the finished video with its downloads and the platform check; a failed
job's error in plain words with its log. Shared by the Export tab and the Queue page.

Progress comes from polling the job records (a :class:`JobList` timer), not from a stream:
the database is the truth, so after a lost connection or a server restart the page shows
the true state at the next tick."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nicegui import run, ui

from video_orchestrator.services.check import RuleResult
from video_orchestrator.services.jobs import JobOut, JobPage
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui.common import (
    STATUS_COLOURS,
    Failed,
    call,
    duration_text,
    size_text,
    when,
)
from video_orchestrator.ui.i18n import language_name, marked, tr
from video_orchestrator.ui.media import in_page, output_url

#: What each step of a make job is doing, in the user's words.
STEP_TEXT = {
    "queued": marked("Waiting for a free worker"),
    "starting": marked("Starting"),
    "script": marked("Writing the script"),
    "voice": marked("Recording the voice"),
    "media": marked("Choosing backgrounds"),
    "render": marked("Rendering the video"),
    "export": marked("Writing thumbnail, captions and metadata"),
    "done": marked("Done"),
}
STATUS_TEXT = {
    "queued": marked("Queued"),
    "running": marked("Rendering"),
    "succeeded": marked("Done"),
    "failed": marked("Failed"),
    "cancelled": marked("Cancelled"),
}
#: Output kinds in the order offered, with a label and an icon.
OUTPUTS = (
    ("video", marked("MP4 video"), "movie"),
    ("thumbnail", marked("Thumbnail"), "image"),
    ("srt", marked("Captions (SRT)"), "subtitles"),
    ("vtt", marked("Captions (WebVTT)"), "closed_caption"),
    ("metadata", marked("Title, description and hashtags (JSON)"), "description"),
    ("spec", marked("Render spec (JSON)"), "data_object"),
)
ACTIVE = ("queued", "running")
#: Link text readable on the light and the dark theme (WCAG AA contrast).
LINK = "text-indigo-700 dark:text-indigo-300"


def progress_text(job: JobOut) -> str:
    """``Rendering the video · 63% · about 0:12 left``."""
    if job.status == "queued":
        return tr("Queued: waiting for a free worker") + (
            tr(" (attempt {n} of {total})", n=job.attempts + 1, total=job.max_attempts)
            if job.attempts
            else ""
        )
    if job.cancel_requested:
        return tr("Cancelling…")
    step = tr(STEP_TEXT[job.step]) if job.step in STEP_TEXT else job.step.capitalize()
    text = f"{step} · {round(job.progress * 100)}%"
    if job.eta_seconds is not None:
        text += tr(" · about {time} left", time=duration_text(job.eta_seconds))
    return text


def failure_text(job: JobOut) -> str:
    """Why a job failed, and what to do about it."""
    error = (job.error or tr("the render stopped without a message")).rstrip(".")
    return tr(
        "{error}. Fix what the message points at, then press Retry.",
        error=error[:1].upper() + error[1:],
    )


def took(job: JobOut) -> str:
    if job.started_at is None or job.finished_at is None:
        return ""
    return tr(" in {time}", time=duration_text((job.finished_at - job.started_at).total_seconds()))


@dataclass
class JobContext:
    """What every card of a list shares."""

    ws: Workspace
    platforms: dict[str, str]
    changed: Callable[[], Awaitable[None]]
    #: Check results already measured, by job id (the check probes the whole file).
    checks: dict[str, list[RuleResult]] = field(default_factory=dict)
    #: Project names by id, for cards that link to their project (None: do not show).
    project_names: dict[str, str] | None = None


class JobCard:
    """One job. ``update`` moves the progress bar in place; a change of status asks the list
    to draw the card again."""

    def __init__(self, ctx: JobContext, job: JobOut, *, full: bool, auto_check: bool) -> None:
        self.ctx = ctx
        self.job = job
        self.bar: ui.linear_progress | None = None
        self.step: ui.label | None = None
        platform = ctx.platforms.get(job.platform or "", job.platform or "")
        what = (
            tr("{platform} render", platform=platform)
            if job.kind == "make"
            else tr("Render of a spec")
        )
        status = tr(STATUS_TEXT[job.status])
        if job.language:  # one language of a project made in many (ADR 0039)
            what = tr("{what} in {language}", what=what, language=language_name(job.language))
        with (
            ui.card()
            .classes(f"w-full job-card job-{job.status}")
            .mark(f"job-card job-{job.status}")
            .props(f'aria-label="{what}, {status.lower()}"')
        ):
            with ui.row().classes("w-full items-center gap-2"):
                ui.icon(
                    "check_circle"
                    if job.status == "succeeded"
                    else "error"
                    if job.status == "failed"
                    else "movie"
                ).classes(f"text-{STATUS_COLOURS.get(job.status, 'grey-7')}").props(
                    'aria-hidden="true"'
                )
                ui.label(what).classes("text-subtitle1 font-medium")
                ui.badge(status, color=STATUS_COLOURS.get(job.status, "grey")).classes(
                    "job-status"
                ).mark("job-status")
                if ctx.project_names is not None and job.project_id:
                    name = ctx.project_names.get(job.project_id)
                    if name is None:
                        ui.label(tr("of a deleted project")).classes("text-caption text-grey-7")
                    else:
                        ui.link(name, f"/projects/{job.project_id}").classes(
                            f"text-body2 {LINK} job-project"
                        ).props(f'aria-label="{tr("Open the project {name}", name=name)}"')
                ui.space()
                ui.label(
                    f"{when(job.created_at)}" + (took(job) if job.status == "succeeded" else "")
                ).classes("text-caption text-grey-7")
                self._actions(job)
            if job.status in ACTIVE:
                self.bar = (
                    ui.linear_progress(value=job.progress, show_value=False, size="10px")
                    .props(f'aria-label="{tr("{what} progress", what=what)}" instant-feedback')
                    .classes("job-progress")
                )
                self.step = (
                    ui.label(progress_text(job))
                    .classes("text-body2 job-step")
                    .mark("job-step")
                    .props('aria-live="polite"')
                )
            elif job.status == "failed":
                ui.label(failure_text(job)).classes("text-body2 text-negative job-error").mark(
                    "job-error"
                ).props('role="alert"')
                self._log(job)
            elif job.status == "cancelled":
                ui.label(tr("Cancelled. Press Retry to render it again.")).classes("text-body2")
                self._log(job)
            elif job.status == "succeeded":
                self._done(job, full=full, auto_check=auto_check)

    # -- parts ------------------------------------------------------------------------------

    def _actions(self, job: JobOut) -> None:
        if job.status in ACTIVE:
            ui.button(tr("Cancel"), icon="stop", on_click=self.cancel).props(
                "flat dense no-caps color=negative"
            ).classes("job-cancel").mark("job-cancel")
        if job.status in ("failed", "cancelled"):
            ui.button(tr("Retry"), icon="replay", on_click=self.retry).props(
                "flat dense no-caps"
            ).classes("job-retry").mark("job-retry")
        if job.status not in ACTIVE:
            gone = tr("Delete this render and its files")
            ui.button(icon="delete", on_click=self.confirm_delete).props(
                f'flat dense round aria-label="{gone}"'
            ).classes("job-delete").mark("job-delete").tooltip(gone)

    @staticmethod
    def _log(job: JobOut) -> None:
        if not job.log_tail.strip():
            return
        with ui.expansion(tr("What happened (log)"), icon="notes").classes("w-full job-log"):
            ui.code(job.log_tail.strip(), language="text").classes("w-full text-caption")

    def _done(self, job: JobOut, *, full: bool, auto_check: bool) -> None:
        kinds = {o.kind: o for o in job.outputs}
        if full and "video" in kinds:
            with ui.row().classes("w-full items-start gap-6 no-wrap max-md:flex-wrap"):
                ui.video(output_url(job.id, "video")).classes(
                    "job-video w-72 max-w-full rounded-borders bg-black"
                ).props(
                    f'preload=metadata aria-label="{tr("The rendered video")}"'
                    + (
                        f' poster="{in_page(output_url(job.id, "thumbnail"))}"'
                        if "thumbnail" in kinds
                        else ""
                    )
                ).mark("job-video")
                with ui.column().classes("gap-3 grow"):
                    self._downloads(job)
                    self._check(job, auto=auto_check)
        else:
            self._downloads(job)
            if "video" in kinds:
                with ui.expansion(tr("Watch"), icon="play_circle").classes(
                    "w-full job-watch"
                ) as box:
                    holder = ui.column().classes("w-full")

                    def load() -> None:
                        if box.value and not holder.default_slot.children:
                            with holder:
                                ui.video(output_url(job.id, "video")).classes(
                                    "job-video w-72 max-w-full bg-black"
                                ).props(
                                    f'preload=metadata aria-label="{tr("The rendered video")}"'
                                ).mark("job-video")

                    box.on_value_change(load)
            self._check(job, auto=False)

    @staticmethod
    def _downloads(job: JobOut) -> None:
        kinds = {o.kind: o for o in job.outputs}
        downloads = tr("Downloads")
        with ui.column().classes("gap-1 job-downloads").props(f'aria-label="{downloads}"'):
            ui.label(downloads).classes("text-subtitle2")
            with ui.row().classes("gap-x-4 gap-y-1"):
                for kind, label, icon in OUTPUTS:
                    output = kinds.get(kind)
                    if output is None:
                        continue
                    with (
                        ui.link(target=output_url(job.id, kind, download=True))
                        .classes(f"job-download download-{kind} flex items-center gap-1 {LINK}")
                        .mark(f"job-download download-{kind}")
                        .props(f'download="{output.filename}"')
                    ):
                        ui.icon(icon).props('aria-hidden="true"')
                        ui.label(tr(label) + f" · {size_text(output.size)}")

    def _check(self, job: JobOut, *, auto: bool) -> None:
        platform = self.ctx.platforms.get(job.platform or "", job.platform or tr("the platform"))
        with ui.column().classes("gap-1 w-full job-check"):
            holder = ui.column().classes("gap-1 w-full")
            cached = self.ctx.checks.get(job.id)
            if cached is not None:
                with holder:
                    checklist(cached, platform)
                return
            with holder:
                button = (
                    ui.button(
                        tr("Check against {platform}'s rules", platform=platform), icon="rule"
                    )
                    .props("flat dense no-caps")
                    .classes("job-run-check")
                )

            async def run_check() -> None:
                holder.clear()
                with holder, ui.row().classes("items-center gap-2"):
                    ui.spinner(size="sm").props('aria-hidden="true"')
                    ui.label(
                        tr("Checking the video against {platform}'s rules…", platform=platform)
                    ).props('aria-live="polite"')
                try:
                    results = await call(self.ctx.ws.check_output, job.id, job.platform)
                except Failed:
                    holder.clear()
                    with holder:
                        ui.button(tr("Check again"), icon="rule", on_click=run_check).props(
                            "flat dense no-caps"
                        )
                    return
                if results is None:  # the page is closing
                    return
                self.ctx.checks[job.id] = results
                holder.clear()
                with holder:
                    checklist(results, platform)

            button.on_click(run_check)
            if auto:
                ui.timer(0.1, run_check, once=True)

    # -- live -------------------------------------------------------------------------------

    def update(self, job: JobOut) -> bool:
        """Show ``job``'s progress; ``True`` when the card must be drawn again."""
        if (job.status, job.cancel_requested) != (self.job.status, self.job.cancel_requested):
            return True
        self.job = job
        if self.bar is not None:
            self.bar.value = job.progress
        if self.step is not None:
            self.step.text = progress_text(job)
        return False

    # -- actions ----------------------------------------------------------------------------

    async def cancel(self) -> None:
        try:
            job = await call(self.ctx.ws.jobs.cancel, self.job.id)
        except Failed:
            await self.ctx.changed()
            return
        ui.notify(tr("Cancelled") if job.status == "cancelled" else tr("Cancelling the render…"))
        await self.ctx.changed()

    async def retry(self) -> None:
        try:
            await call(self.ctx.ws.jobs.retry, self.job.id)
        except Failed:
            await self.ctx.changed()
            return
        ui.notify(tr("Rendering again"), type="positive")
        await self.ctx.changed()

    def confirm_delete(self) -> None:
        with ui.dialog() as dialog, ui.card():
            ui.label(tr("Delete this render?")).classes("text-h6")
            ui.label(tr("The video and its other files are removed; the project stays."))

            async def delete() -> None:
                dialog.close()
                try:
                    await call(self.ctx.ws.delete_job, self.job.id)
                except Failed:
                    return
                ui.notify(tr("Render deleted"))
                await self.ctx.changed()

            with ui.row().classes("w-full justify-end"):
                ui.button(tr("Keep it"), on_click=dialog.close).props("flat no-caps")
                ui.button(tr("Delete"), on_click=delete).props("no-caps color=negative").classes(
                    "confirm-delete"
                ).mark("confirm-delete")
        dialog.open()


def checklist(results: list[RuleResult], platform: str) -> None:
    """The platform check as a list of rules with pass/fail icons."""
    failed = [r for r in results if not r.ok]
    ui.label(
        tr("Meets every {platform} rule", platform=platform)
        if not failed
        else tr(
            "{failed} of {total} {platform} rules not met",
            failed=len(failed),
            total=len(results),
            platform=platform,
        )
    ).classes(
        "text-subtitle2 "
        + ("text-green-700 dark:text-green-400" if not failed else "text-negative")
    ).classes("check-summary")
    with (
        ui.element("ul")
        .classes("check-list")
        .props(f'aria-label="{tr("{platform} check", platform=platform)}"')
    ):
        for result in results:
            with ui.element("li").classes("flex items-center gap-2 text-body2"):
                ui.icon("check_circle" if result.ok else "cancel").classes(
                    "text-positive" if result.ok else "text-negative"
                ).props(f'aria-label="{tr("passed") if result.ok else tr("failed")}" role="img"')
                ui.label(result.rule).classes("font-medium w-32")
                ui.label(
                    result.actual
                    if result.ok
                    else tr(
                        "{actual} (expected {expected})",
                        actual=result.actual,
                        expected=result.expected,
                    )
                ).classes("text-grey-8" if result.ok else "text-negative")


class JobList:
    """Jobs from ``fetch`` (called off the event loop), drawn as cards and kept up to date by
    a timer: every second while a job is active, every few seconds otherwise."""

    IDLE_TICKS = 5

    def __init__(
        self,
        ws: Workspace,
        fetch: Callable[[], JobPage],
        *,
        platforms: dict[str, str],
        empty: str,
        full: Callable[[JobOut, list[JobOut]], bool] = lambda job, jobs: False,
        project_names: Callable[[list[JobOut]], dict[str, str]] | None = None,
        counted: Callable[[int, int], None] | None = None,
        interval: float = 1.0,
    ) -> None:
        self.ws = ws
        self.fetch = fetch
        self.empty = empty
        self.full = full
        self.names_of = project_names
        self.counted = counted
        self.ctx = JobContext(ws, platforms, self.refresh)
        self.cards: dict[str, JobCard] = {}
        self.slots: dict[str, ui.element] = {}
        self.shown_full: dict[str, bool] = {}
        self.jobs: list[JobOut] = []
        self._busy = False
        self._idle = 0
        self.total = 0
        self.trouble = (
            ui.label("")
            .classes("text-orange-10 text-body2 job-list-trouble")
            .props('role="status"')
        )
        self.trouble.set_visibility(False)
        self.column = ui.column().classes("w-full gap-3 job-list")
        self.timer = ui.timer(interval, self.tick)

    def _load(self) -> tuple[list[JobOut], dict[str, str] | None]:
        page = self.fetch()
        self.total = page.total
        jobs = page.items
        return jobs, (self.names_of(jobs) if self.names_of is not None else None)

    def _loaded(self, jobs: list[JobOut]) -> None:
        self.trouble.set_visibility(False)
        if self.counted is not None:
            self.counted(self.total, len(jobs))

    async def _read(self) -> tuple[list[JobOut], dict[str, str] | None] | None:
        """The jobs (and project names), read in a worker thread; ``None`` when they could not
        be read (the trouble line says so) or the server is shutting down."""
        self._busy = True
        try:
            loaded = await run.io_bound(self._load)
        except Exception as exc:  # the database is away: say so, keep the cards, try again
            self._lost(exc)
            return None
        finally:
            self._busy = False
        if loaded is not None:
            self._loaded(loaded[0])
        return loaded

    async def refresh(self) -> None:
        """Read the jobs now and draw them all."""
        loaded = await self._read()
        if loaded is not None:
            self._draw(*loaded)

    def _lost(self, exc: Exception) -> None:
        self.trouble.text = tr(
            "Cannot read the render queue just now ({why}): trying again; what is shown "
            "may be out of date.",
            why=str(exc).rstrip("."),
        )
        self.trouble.set_visibility(True)

    def _draw(self, jobs: list[JobOut], names: dict[str, str] | None) -> None:
        self.jobs = jobs
        self.ctx.project_names = names
        self.cards, self.slots, self.shown_full = {}, {}, {}
        self.column.clear()
        with self.column:
            if not jobs:
                ui.label(self.empty).classes("text-body2 text-grey-8 job-list-empty")
            for job in jobs:
                self.slots[job.id] = ui.element("div").classes("w-full")
                self._draw_card(job, jobs)

    def _draw_card(self, job: JobOut, jobs: list[JobOut]) -> None:
        full = self.full(job, jobs)
        slot = self.slots[job.id]
        slot.clear()
        with slot:
            self.cards[job.id] = JobCard(self.ctx, job, full=full, auto_check=full)
        self.shown_full[job.id] = full

    async def tick(self) -> None:
        if self._busy:
            return
        active = any(job.status in ACTIVE for job in self.jobs)
        self._idle = 0 if active else self._idle + 1
        if not active and self._idle % self.IDLE_TICKS:
            return
        loaded = await self._read()
        if loaded is None:
            return
        jobs, names = loaded
        if [j.id for j in jobs] != [j.id for j in self.jobs] or names != self.ctx.project_names:
            self._draw(jobs, names)
            return
        self.jobs = jobs
        # Only a card whose job changed status is drawn again: a video playing in another
        # card keeps playing.
        for job in jobs:
            if self.cards[job.id].update(job) or self.full(job, jobs) != self.shown_full[job.id]:
                self._draw_card(job, jobs)
