"""The Languages tab (ADR 0039): the project's versions in other languages. Add one (the
language model translates, then adapts it for the audience; else the offline translator;
else the user is told and may write it by hand), read what the adaptation changed and which
path made it, edit its words, and render every language in one batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from nicegui import ui
from pydantic import ValidationError

from video_orchestrator.domain.language_version import LanguageVersion
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.errors import NoTranslator
from video_orchestrator.languages import SUPPORTED
from video_orchestrator.services.jobs import JobPage
from video_orchestrator.services.language_versions import Mode, VersionAdd, VersionEdit
from video_orchestrator.services.voices import install_hint
from video_orchestrator.ui.common import Failed, call
from video_orchestrator.ui.i18n import language_title, marked, tr, tr_n
from video_orchestrator.ui.jobs_view import JobList

if TYPE_CHECKING:
    from video_orchestrator.ui.project_state import ProjectState

#: Renders of one language batch shown at most (8 languages × a few platforms).
BATCH_SHOWN = 24
#: How a version was made (``LanguageVersion.made_by``), in the studio's words.
MADE_BY = {
    "llm": marked("translated and adapted by the language model"),
    "offline": marked("translated by the offline translator (not culturally adapted)"),
    "hand": marked("written by hand"),
}


def name_of(code: str) -> str:
    """A language as this browser's locale names it, with its code: "Romanian (ro)",
    "Rumänisch (ro)", "ルーマニア語 (ro)"."""
    return f"{language_title(code)} ({code})"


def made_text(version: LanguageVersion) -> str:
    """How ``version`` was made, in this locale (``LanguageVersion.describe`` in English)."""
    if version.needs_writing:
        return tr("not translated: the source script copied as a starting point, to rewrite")
    how = tr(MADE_BY.get(version.made_by, version.made_by))
    if version.by:
        how = f"{how} ({version.by})"
    return tr("{how}, edited", how=how) if version.edited else how


async def build(state: ProjectState) -> None:
    ws = state.ws
    ui.label(tr("Languages")).classes("text-h6")
    ui.label(
        tr(
            "Make this video in other languages: each version is translated and adapted for "
            "its audience (units, money, dates, names, idioms), has its own voice, captions, "
            "title and hashtags, and can be edited before rendering."
        )
    ).classes("text-body2 text-grey-8")

    with ui.row().classes("w-full items-end gap-2"):
        choice = (
            ui.select({}, label=tr("Add a language"))
            .classes("min-w-[12rem]")
            .mark("language-choice")
            .props("outlined dense")
        )
        add_button = ui.button(tr("Add"), icon="translate").props("no-caps").mark("language-add")
        working = ui.spinner(size="md").props(f'aria-label="{tr("Translating")}"')
        working.set_visibility(False)
    refused = ui.column().classes("w-full gap-1").props('role="alert"').mark("language-refused")
    versions = ui.column().classes("w-full gap-4").mark("language-versions")

    def choices() -> None:
        have = {state.project.language, *(v.language for v in state.project.languages)}
        choice.set_options(
            {code: name_of(code) for code in SUPPORTED if code not in have}, value=None
        )

    def saved_as(project_version: int) -> None:
        state.changed()
        state.show_status(state.saved_text(project_version), "text-positive")

    async def add(mode: Mode = "auto") -> None:
        code = choice.value
        if not code:
            ui.notify(tr("Choose a language to add"), type="warning")
            return
        refused.clear()
        add_button.disable()
        working.set_visibility(True)
        try:
            request = VersionAdd(version=state.project.version, language=code, mode=mode)
            done = await call(
                ws.languages.add, state.project.id, request, shown_by_caller=(NoTranslator,)
            )
        except Failed as failed:
            if isinstance(failed.__cause__, NoTranslator):
                reason = f"{failed.__cause__}."  # the service's words (ADR 0042: English)
                with refused:
                    ui.label(reason).classes("text-body2 text-negative")
                    ui.button(
                        tr("Write the {language} version by hand", language=name_of(code)),
                        icon="edit",
                        on_click=lambda: add("hand"),
                    ).props("no-caps outline").mark("language-by-hand")
            return
        finally:
            add_button.enable()
            working.set_visibility(False)
        state.project = done.project
        if done.notice:
            ui.notify(done.notice, type="warning", multi_line=True, close_button="OK")
        saved_as(done.project.version)
        draw()

    add_button.on_click(lambda: add())

    def draw() -> None:
        choices()
        versions.clear()
        with versions:
            if not state.project.languages:
                ui.label(tr("No other languages yet.")).classes("text-body2 text-grey-7")
            for version in state.project.languages:
                _version_card(state, version, draw, saved_as)

    draw()
    state.on_reload(draw)

    # -- render every language in one batch ------------------------------------------------
    with ui.row().classes("w-full items-center gap-4 mt-4"):
        render_button = (
            ui.button(tr("Render all languages"), icon="movie_creation")
            .props("no-caps")
            .mark("languages-render")
        )
        ui.label(tr("One video per language, in one batch.")).classes("text-body2 text-grey-8")
    holder = ui.column().classes("w-full")

    def show_batch(batch_id: str) -> None:
        holder.clear()
        with holder:
            names = {name: preset.display_name for name, preset in ws.ctx.presets.items()}
            renders = JobList(
                ws,
                lambda: _batch(ws.jobs.find(batch_id=batch_id, limit=BATCH_SHOWN)),
                platforms=names,
                empty="",
                full=lambda job, jobs: True,
            )
            ui.timer(0.1, renders.refresh, once=True)

    async def render_all() -> None:
        render_button.disable()
        try:
            jobs = await call(ws.languages.render, state.project.id)
        except Failed:
            return
        finally:
            render_button.enable()
        if jobs and jobs[0].batch_id:
            ui.notify(
                tr_n("{count} render queued", "{count} renders queued", len(jobs)), type="positive"
            )
            show_batch(jobs[0].batch_id)

    render_button.on_click(render_all)
    latest = await call(ws.jobs.find, project_id=state.project.id, limit=1)
    if latest.items and latest.items[0].language and latest.items[0].batch_id:
        show_batch(latest.items[0].batch_id)


def _batch(page: JobPage) -> JobPage:
    """The batch oldest first: the languages in the order they were asked for."""
    return JobPage(items=list(reversed(page.items)), total=page.total)


def _version_card(
    state: ProjectState,
    version: LanguageVersion,
    redraw: Callable[[], None],
    saved_as: Callable[[int], None],
) -> None:
    code = version.language
    script = version.script
    with ui.card().classes(f"w-full language-version language-{code}").mark(f"language-{code}"):
        with ui.row().classes("w-full items-center gap-2 no-wrap"):
            ui.label(name_of(code)).classes("text-subtitle1 font-medium")
            ui.space()
            remove = ui.button(icon="delete").props(
                "flat dense round aria-label="
                f'"{tr("Remove the {language} version", language=name_of(code))}"'
            )
        # how it was made, in words that wrap on a phone (a warning while it is a copy)
        ui.label(made_text(version)).classes(
            "language-made text-body2 "
            + ("text-negative font-medium" if version.needs_writing else "text-italic")
        ).mark(f"language-made-{code}")
        if version.voice:
            ui.label(tr("Voice: {voice}", voice=version.voice)).classes("text-body2")
        else:
            ui.label(
                tr(
                    "No installed voice speaks {language}: {hint}.",
                    language=name_of(code),
                    hint=install_hint(code),
                )
            ).classes("text-body2 text-negative").props('role="status"')
        if version.notes:
            title = tr("What the adaptation changed") if version.made_by == "llm" else tr("Notes")
            ui.label(title).classes("text-subtitle2")
            with ui.column().classes("gap-0"):
                for note in version.notes:
                    line = f"• {note}"  # the model's or translator's own words
                    ui.label(line).classes("text-body2 language-note").mark(f"language-note-{code}")
        title_in = (
            ui.input(tr("Title"), value=script.title)
            .classes("w-full")
            .mark(f"language-{code}-title")
        )
        hook_in = (
            ui.textarea(tr("Hook"), value=script.hook)
            .classes("w-full")
            .props("autogrow")
            .mark(f"language-{code}-hook")
        )
        scene_ins = [
            ui.textarea(tr("Scene {number}", number=i + 1), value=scene.narration)
            .classes("w-full")
            .props("autogrow")
            .mark(f"language-{code}-scene-{i + 1}")
            for i, scene in enumerate(script.scenes)
        ]
        cta_in = ui.input(tr("Call to action"), value=script.call_to_action).classes("w-full")
        description_in = (
            ui.textarea(tr("Description"), value=script.description)
            .classes("w-full")
            .props("autogrow")
        )
        tags_in = (
            ui.input(tr("Hashtags"), value=" ".join(f"#{t}" for t in script.hashtags))
            .classes("w-full")
            .mark(f"language-{code}-hashtags")
        )

        async def save() -> None:
            try:
                edited = script.model_copy(
                    update={
                        "title": title_in.value.strip(),
                        "hook": hook_in.value.strip(),
                        "scenes": [
                            Scene(narration=box.value, keywords=scene.keywords)
                            for box, scene in zip(scene_ins, script.scenes, strict=True)
                        ],
                        "call_to_action": cta_in.value.strip(),
                        "description": description_in.value.strip(),
                        "hashtags": tags_in.value.replace(",", " ").split(),
                    }
                )
                request = VersionEdit(
                    version=state.project.version,
                    script=Script.model_validate(edited.model_dump()),
                )
            except ValidationError as exc:
                state.refuse(exc)
                return
            try:
                done = await call(state.ws.languages.edit, state.project.id, code, request)
            except Failed:
                return
            state.project = done.project
            saved_as(done.project.version)
            ui.notify(
                tr("The {language} version is saved", language=name_of(code)), type="positive"
            )
            redraw()

        async def remove_version() -> None:
            try:
                project = await call(
                    state.ws.languages.remove, state.project.id, code, state.project.version
                )
            except Failed:
                return
            state.project = project
            saved_as(project.version)
            redraw()

        remove.on_click(remove_version)
        ui.button(
            tr("Save the {language} version", language=name_of(code)), icon="save", on_click=save
        ).props("no-caps").mark(f"language-{code}-save")
