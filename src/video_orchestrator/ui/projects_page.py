"""The projects list: thumbnails, status and platform badges; create, duplicate, delete,
search and filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import app, events, ui
from pydantic import ValidationError

from video_orchestrator.domain.script import GENRES
from video_orchestrator.errors import InputError
from video_orchestrator.services.facade import condense, project_templates, script_from_text
from video_orchestrator.services.jobs import JobOut
from video_orchestrator.services.projects import ProjectCreate, ProjectSummary
from video_orchestrator.ui import preferences
from video_orchestrator.ui.common import (
    STATUS_COLOURS,
    STATUS_NAMES,
    WRITE_NOTE,
    Failed,
    call,
    when,
)
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import tr
from video_orchestrator.ui.media import output_url

MAX_MATERIAL_BYTES = 5_000_000


async def show(env: UiEnv) -> None:
    ws = env.ws
    platforms = {name: preset.display_name for name, preset in ws.ctx.presets.items()}
    state = {"query": "", "platform": ""}

    with ui.row().classes("w-full items-center gap-4"):
        ui.label(tr("Projects")).classes("text-h5").props('role="heading" aria-level="1"')
        ui.space()
        search = ui.input(tr("Search projects"), on_change=lambda: listing.refresh()).props(
            f'clearable dense outlined type=search aria-label="{tr("Search projects")}"'
        )
        search.bind_value_to(state, "query")
        pick = (
            ui.select(
                {"": tr("All platforms"), **platforms},
                value="",
                label=tr("Platform"),
                on_change=lambda: listing.refresh(),
            )
            .props("dense outlined")
            .classes("w-44")
        )
        pick.bind_value_to(state, "platform")
        ui.button(
            tr("New project"), icon="add", on_click=lambda: _create_dialog(env, platforms)
        ).props("no-caps").classes("new-project")

    @ui.refreshable
    async def listing() -> None:
        try:
            page = await call(ws.projects.find, query=state["query"].strip() or None, limit=100)
            ids = [p.id for p in page.items]
            latest = await call(ws.jobs.latest_by_project, ids)
            shown = await call(ws.jobs.latest_by_project, ids, "succeeded")
        except Failed:
            return
        items = [p for p in page.items if not state["platform"] or state["platform"] in p.platforms]
        if not items:
            with ui.card().classes("w-full items-center p-8"):
                if page.total == 0 and not state["query"]:
                    ui.label(tr("No projects yet.")).classes("text-h6")
                    ui.label(
                        tr("Press “New project”, type an idea, and the studio takes it from there.")
                    )
                else:
                    ui.label(tr("No project matches.")).classes("text-body1")
            return
        with (
            ui.element("div")
            .classes("grid gap-4 w-full")
            .style("grid-template-columns: repeat(auto-fill, minmax(min(100%, 330px), 1fr))")
        ):
            for project in items:
                _card(
                    env,
                    project,
                    platforms,
                    latest.get(project.id),
                    shown.get(project.id),
                    listing.refresh,
                )

    await listing()


def _card(
    env: UiEnv,
    project: ProjectSummary,
    platforms: dict[str, str],
    latest: JobOut | None,
    shown: JobOut | None,
    changed: Callable[[], object],
) -> None:
    ws = env.ws
    with ui.card().classes("project-card p-0 gap-0 flex-row no-wrap overflow-hidden") as card:
        card.props["aria-label"] = tr(
            "Project {name}", name=project.name
        )  # quotes in a name are safe here
        # the whole 9:16 cover, never cropped to a landscape strip
        with ui.element("div").classes("w-[108px] shrink-0 aspect-[9/16] bg-grey-10 self-start"):
            if shown is not None and any(o.kind == "thumbnail" for o in shown.outputs):
                thumbnail = ui.image(output_url(shown.id, "thumbnail")).classes("w-full h-full")
                thumbnail.props("fit=contain")
                thumbnail.props["alt"] = tr("Thumbnail of {name}", name=project.name)
            else:
                with ui.element("div").classes(
                    "w-full h-full flex items-center justify-center bg-grey-3 text-grey-8"
                ):
                    ui.icon("movie", size="lg").props('aria-hidden="true"')
        with ui.column().classes("p-3 gap-1 min-w-0 grow"):
            ui.link(project.name, f"/projects/{project.id}").classes(
                "text-subtitle1 font-medium project-link text-primary"
            )
            ui.label(project.title or tr("no script yet")).classes("text-caption text-grey-8")
            with ui.row().classes("gap-1"):
                for name in project.platforms:
                    ui.badge(platforms.get(name, name), color="accent").props("outline")
                if latest is not None:
                    ui.badge(
                        tr(STATUS_NAMES.get(latest.status, latest.status)),
                        color=STATUS_COLOURS.get(latest.status, "grey"),
                    )
            ui.label(tr("edited {when}", when=when(project.updated_at))).classes(
                "text-caption text-grey-7"
            )
            with ui.row().classes("gap-1"):
                ui.button(
                    tr("Open"), on_click=lambda: ui.navigate.to(f"/projects/{project.id}")
                ).props("flat dense no-caps")

                async def duplicate() -> None:
                    try:
                        copy = await call(ws.projects.duplicate, project.id)
                    except Failed:
                        return
                    ui.notify(tr("Duplicated as “{name}”", name=copy.name), type="positive")
                    ui.navigate.to(f"/projects/{copy.id}")

                ui.button(tr("Duplicate"), on_click=duplicate).props("flat dense no-caps")
                ui.button(
                    tr("Delete"), on_click=lambda: _delete_dialog(env, project, changed)
                ).props("flat dense no-caps color=negative")


def _delete_dialog(env: UiEnv, project: ProjectSummary, changed: Callable[[], object]) -> None:
    with ui.dialog() as dialog, ui.card():
        dialog.props["aria-label"] = tr(
            "Delete {name}", name=project.name
        )  # any quotes in the name are safe
        ui.label(tr("Delete “{name}”?", name=project.name)).classes("text-h6")
        ui.label(tr("The project and its settings go; rendered videos stay in the queue."))

        async def delete() -> None:
            try:
                await call(env.ws.delete_project, project.id)
            except Failed:
                return
            dialog.close()
            ui.notify(tr("Deleted “{name}”", name=project.name))
            changed()

        with ui.row():
            ui.button(tr("Cancel"), on_click=dialog.close).props("flat no-caps")
            ui.button(tr("Delete"), on_click=delete).props("no-caps color=negative")
    dialog.open()


def _create_dialog(env: UiEnv, platforms: dict[str, str]) -> None:
    ws = env.ws
    templates = project_templates()
    with (
        ui.dialog().props(f'aria-label="{tr("New project")}"') as dialog,
        ui.card().classes("w-[36rem] max-w-full"),
    ):
        ui.label(tr("New project")).classes("text-h6")
        with ui.tabs().classes("w-full new-project-tabs").props("dense no-caps") as tabs:
            by_topic = ui.tab("topic", label=tr("Topic"))
            by_material = ui.tab("material", label=tr("Material"))
            by_script = ui.tab("script", label=tr("My script"))
            by_template = ui.tab("template", label=tr("Template"))
        with ui.tab_panels(tabs, value=by_topic).classes("w-full"):
            with ui.tab_panel(by_topic).classes("px-0"):
                topic = (
                    ui.input(tr("Topic"), placeholder=tr("e.g. the deep ocean"))
                    .classes("w-full new-topic")
                    .mark("new-topic")
                    .props("autofocus counter maxlength=300")
                )
                genre = ui.select(list(GENRES), value="facts", label=tr("Genre")).classes("w-full")
                ui.label(
                    tr("Create writes the script at once.")
                    if ws.ctx.llm is not None
                    else tr(
                        "Create writes the script at once: this needs a language model "
                        "(Settings). Without one, use Material: an article, notes or a web page."
                    )
                ).classes("text-caption text-grey-8")
            with ui.tab_panel(by_material).classes("px-0"):
                material = (
                    ui.textarea(
                        tr("Article, notes or a web address"),
                        placeholder=tr("Paste the text, or an https:// address to read it from"),
                    )
                    .classes("w-full new-material")
                    .props("autogrow")
                )
                upload: dict[str, Any] = {}

                async def received(event: events.UploadEventArguments) -> None:
                    upload["name"] = event.file.name
                    upload["data"] = await event.file.read()
                    picked.text = tr("{name} is ready", name=event.file.name)

                ui.upload(
                    label=tr("…or a file (.txt, .md, .html, .srt, .vtt)"),
                    auto_upload=True,
                    max_file_size=MAX_MATERIAL_BYTES,
                    on_upload=received,
                ).props('accept=".txt,.md,.markdown,.html,.htm,.srt,.vtt" flat bordered').classes(
                    "w-full material-file"
                )
                picked = ui.label("").classes("text-caption").props('aria-live="polite"')
                ui.label(
                    tr("The studio makes the script of your material's own sentences, offline.")
                ).classes("text-caption text-grey-8")
            with ui.tab_panel(by_script).classes("px-0"):
                pasted = (
                    ui.textarea(
                        tr("Your script"),
                        placeholder=tr(
                            "Paste the narration: the first line is the hook, then one "
                            "paragraph per scene."
                        ),
                    )
                    .classes("w-full")
                    .props("autogrow")
                )
            with ui.tab_panel(by_template).classes("px-0"):
                chosen = ui.radio(
                    {t.name: f"{t.name}: {t.description}" for t in templates},
                    value=templates[0].name,
                ).props(f'aria-label="{tr("Templates")}"')
        defaults = preferences.load(ws.ctx.settings, list(platforms))
        platform = ui.select(platforms, value=defaults.platform, label=tr("Platform")).classes(
            "w-full"
        )
        message = ui.label("").classes("text-negative").props('aria-live="polite"')

        async def create() -> None:
            message.text = ""
            data: dict[str, object] = {
                "platforms": [platform.value],
                "language": defaults.language,
            }
            if defaults.voice != ws.ctx.settings.default_voice:
                data["voice"] = {"voice": defaults.voice}
            write: dict[str, Any] | None = None
            which = tabs.value
            if which in (by_topic, "topic"):
                if not topic.value.strip():
                    message.text = tr("Type a topic first: what is the video about?")
                    return
                data |= {"topic": topic.value.strip(), "genre": genre.value}
                write = {"scenes": None}
            elif which in (by_material, "material"):
                text = (material.value or "").strip()
                if not text and "data" not in upload:
                    message.text = tr("Paste some text or an address, or choose a file.")
                    return
                button.props("loading")
                try:
                    script = await call(
                        ws.studio.material_script,
                        text,
                        language=defaults.language,
                        data=upload.get("data") if not text else None,
                        filename=upload.get("name"),
                        shown_by_caller=(InputError,),
                    )
                except Failed as failed:
                    message.text = str(failed.__cause__)
                    return
                finally:
                    button.props(remove="loading")
                kind = script.genre if script.genre in GENRES else "facts"
                data |= {"topic": script.topic, "script": script, "genre": kind}
            elif which in (by_script, "script"):
                try:
                    script = script_from_text(pasted.value or "")
                except Exception as exc:  # ScriptError: an InputError with a sentence
                    message.text = str(exc)
                    return
                data |= {"topic": script.topic, "script": script, "genre": "facts"}
            else:
                template = next(t for t in templates if t.name == chosen.value)
                extra = {k: v for k, v in data.items() if k == "voice"}
                data = template.project(language=defaults.language, extra=extra).model_dump(
                    exclude_unset=True
                )
                write = {"scenes": template.scenes}
            try:
                wanted = ProjectCreate.model_validate(data)
            except ValidationError as exc:
                message.text = tr("Not created: {why}", why=condense(exc, limit=1))
                return
            try:
                project = await call(ws.projects.create, wanted)
            except Failed:
                return
            if write is not None:
                app.storage.user[WRITE_NOTE.format(project_id=project.id)] = write
            dialog.close()
            ui.navigate.to(f"/projects/{project.id}")

        with ui.row().classes("w-full justify-end"):
            ui.button(tr("Cancel"), on_click=dialog.close).props("flat no-caps")
            button = (
                ui.button(tr("Create"), on_click=create)
                .props("no-caps")
                .mark("create-project")
                .classes("create-project")
            )
    dialog.open()
