"""Tab 1, Story & Script: the idea, the generated or pasted script scene by scene, the text
that goes with the post, and a live word count and duration against the platform's limit."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from nicegui import app, ui
from pydantic import ValidationError

from video_orchestrator.domain.script import GENRES, Script
from video_orchestrator.errors import NoScriptWriter
from video_orchestrator.services.facade import script_from_text
from video_orchestrator.spec.vocabulary import TARGET_SECONDS
from video_orchestrator.ui import i18n
from video_orchestrator.ui.common import (
    SECONDS_PER_WORD,
    WRITE_NOTE,
    Failed,
    call,
    duration_text,
)
from video_orchestrator.ui.i18n import marked, number, tr, tr_n

if TYPE_CHECKING:
    from video_orchestrator.ui.project_state import ProjectState

LANGUAGES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "ru": "Russian",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "sv": "Swedish",
    "hi": "Hindi",
    "ar": "Arabic",
    "ja": "Japanese",
    "zh": "Chinese",
    "ko": "Korean",
    "vi": "Vietnamese",
    "id": "Indonesian",
}


def language_options(current: str | None = None) -> dict[str, str]:
    """The script languages named in this browser's locale ("Spanish", "Spanisch", "スペイン語"),
    with ``current`` kept when it is not one of them."""
    options = {code: i18n.language_title(code, english) for code, english in LANGUAGES.items()}
    if current:
        options.setdefault(current, current)
    return options


def _draft_of(script: Script | None) -> dict[str, Any] | None:
    if script is None:
        return None
    data = script.model_dump(mode="json")
    data["hashtags_text"] = " ".join(f"#{t}" for t in script.hashtags)
    for scene in data["scenes"]:
        scene["keywords_text"] = ", ".join(scene["keywords"])
    return data


def _script_of(draft: dict[str, Any]) -> Script:
    data = {k: v for k, v in draft.items() if k != "hashtags_text"}
    data["hashtags"] = [t for t in draft.get("hashtags_text", "").replace(",", " ").split() if t]
    data["scenes"] = [
        {
            "narration": scene["narration"],
            "keywords": [k.strip() for k in scene.get("keywords_text", "").split(",") if k.strip()],
        }
        for scene in draft["scenes"]
    ]
    return Script.model_validate(data)


def spoken_words(draft: dict[str, Any]) -> int:
    parts = [draft.get("hook", ""), *(s["narration"] for s in draft["scenes"])]
    parts.append(draft.get("call_to_action", ""))
    return sum(len(part.split()) for part in parts)


async def build(state: ProjectState) -> None:
    ws = state.ws
    presets = ws.ctx.presets
    platforms = {name: preset.display_name for name, preset in presets.items()}

    @ui.refreshable
    def settings_row() -> None:
        project = state.project
        with ui.row().classes("w-full items-start gap-4"):
            topic = ui.input(tr("Topic"), value=project.topic).classes("grow min-w-[16rem] topic")
            topic.mark("topic")
            topic.props("counter maxlength=300")
            topic.on("blur", lambda: _save_if_changed(state, "topic", topic.value.strip()))
            ui.select(
                list(GENRES),
                value=project.genre,
                label=tr("Genre"),
                on_change=lambda e: state.save(genre=e.value),
            ).classes("w-36")
            ui.select(
                platforms,
                value=list(project.platforms),
                label=tr("Platforms"),
                multiple=True,
                on_change=lambda e: _save_platforms(state, e.value),
            ).classes("w-64").props("use-chips")
            ui.select(
                language_options(project.language),
                value=project.language,
                label=tr("Language"),
                with_input=True,
                on_change=lambda e: state.save(language=e.value),
            ).classes("w-40")
            length = (
                ui.number(
                    tr("Target length (s)"),
                    value=project.target_seconds,
                    min=TARGET_SECONDS.low,
                    max=TARGET_SECONDS.high,
                    step=5,
                    format="%.0f",
                )
                .classes("w-40")
                .props(f'hint="{tr("empty: the platform’s ideal length")}"')
            )
            length.on(
                "blur",
                lambda: state.save(target_seconds=int(length.value) if length.value else None),
            )

    settings_row()
    state.on_reload(settings_row.refresh)

    @ui.refreshable
    async def script_part() -> None:
        project = state.project
        actions.pop("generate", None)
        draft = _draft_of(project.script)
        with ui.row().classes("w-full items-center gap-2"):
            button = (
                ui.button(
                    tr("Regenerate the whole script") if draft else tr("Generate script"),
                    icon="auto_awesome",
                    on_click=lambda: generate(None),
                )
                .props("no-caps")
                .classes("generate-script")
            )
        with (
            ui.card()
            .classes("w-full writing-script bg-blue-1")
            .props('role="status" aria-live="polite"') as writing,
            ui.row().classes("w-full items-center gap-3"),
        ):
            ui.spinner(size="md").props('aria-hidden="true"')
            writing_text = ui.label("").classes("text-body1 grow")
            ui.button(tr("Cancel"), on_click=lambda: stop()).props("outline no-caps").classes(
                "cancel-writing"
            )
        writing.set_visibility(False)
        run: dict[str, Any] = {"token": 0, "started": 0.0}

        def stop() -> None:
            run["token"] += 1  # the answer of the call in flight is dropped when it comes
            writing.set_visibility(False)
            button.enable()
            ui.notify(tr("Stopped: the script was not changed"))

        def tick() -> None:
            seconds = time.monotonic() - run["started"]
            writing_text.text = tr(
                "Writing the script about “{topic}” with the language model… {seconds} s",
                topic=project.topic,
                seconds=number(seconds),
            )

        async def generate(scenes: int | None) -> None:
            run["token"] += 1
            token = run["token"]
            run["started"] = time.monotonic()
            tick()
            writing.set_visibility(True)
            button.disable()
            clock = ui.timer(1.0, tick)
            try:
                outcome = await call(
                    ws.studio.write_script,
                    project.id,
                    scenes=scenes,
                    shown_by_caller=(NoScriptWriter,),  # the card below says it
                )
            except Failed as failed:
                if token == run["token"] and isinstance(failed.__cause__, NoScriptWriter):
                    _show_no_writer(no_writer)
                return
            finally:
                clock.cancel()
                if token == run["token"]:
                    writing.set_visibility(False)
                    button.enable()
            if token != run["token"]:  # cancelled, or a newer request is under way
                return
            if await state.save(script=outcome.script):
                ui.notify(
                    outcome.notice or tr("Script written ({source})", source=outcome.source),
                    type="warning" if outcome.notice else "positive",
                )
                state.redraw()

        actions["generate"] = generate
        no_writer = ui.column().classes("w-full no-writer")
        no_writer.set_visibility(False)
        if draft is None:
            _paste_box(state)
            return
        stats = ui.label().classes("text-body2 script-stats").props('aria-live="polite"')
        chosen = [presets[p] for p in project.platforms if p in presets]
        limit = min(p.max_seconds for p in chosen)
        ideal_low = max(p.script.ideal_min_s for p in chosen)
        ideal_high = min(p.script.ideal_max_s for p in chosen)
        shortest = min(chosen, key=lambda p: p.max_seconds).display_name

        def update_stats() -> None:
            words = spoken_words(draft)
            seconds = words * SECONDS_PER_WORD / max(project.voice.speed, 0.5)
            over = seconds > limit
            text = tr(
                "{words} · about {spoken} spoken · limit {limit}",
                words=tr_n("{count} word", "{count} words", words),
                spoken=duration_text(seconds),
                limit=duration_text(limit),
            )
            if over:
                text += " — " + tr("too long for {platform}: cut some words", platform=shortest)
            elif ideal_low <= ideal_high and not ideal_low <= seconds <= ideal_high:
                text += " " + tr(
                    "(ideal {low}–{high} s)", low=number(ideal_low), high=number(ideal_high)
                )
            stats.text = text
            stats.classes(replace="text-body2 script-stats " + ("text-negative" if over else ""))

        update_stats()

        async def save_script() -> None:
            try:
                script = _script_of(draft)
            except ValidationError as exc:
                state.refuse(exc)
                return
            if script != state.project.script:
                await state.save(script=script)

        def field(
            label: str, key: str, target: dict[str, Any], *, area: bool = False, **props: Any
        ) -> None:
            element = (ui.textarea if area else ui.input)(label).classes("w-full").mark(key)
            element.bind_value(target, key)
            element.props(" ".join(k if v == "" else f"{k}={v}" for k, v in props.items()))
            element.on_value_change(update_stats)
            element.on("blur", save_script)

        field(tr("Title"), "title", draft, maxlength=100, counter="")
        field(
            tr("Hook: the first line, said at once"),
            "hook",
            draft,
            area=True,
            autogrow="",
            maxlength=300,
        )
        for index, scene in enumerate(draft["scenes"]):
            with (
                ui.card()
                .classes("w-full scene-card")
                .props(f'aria-label="{tr("Scene {number}", number=index + 1)}"')
            ):
                with ui.row().classes("w-full items-center"):
                    ui.label(tr("Scene {number}", number=index + 1)).classes("text-subtitle1")
                    ui.space()

                    async def rewrite(i: int = index) -> None:
                        await save_script()
                        try:
                            outcome = await call(
                                ws.studio.regenerate_scene, project.id, i, state.project.version
                            )
                        except Failed:
                            return
                        state.project = outcome.project
                        ui.notify(outcome.notice or tr("Scene {number} rewritten", number=i + 1))
                        state.redraw()

                    async def remove(i: int = index) -> None:
                        if len(draft["scenes"]) == 1:
                            ui.notify(tr("A script needs at least one scene"), type="warning")
                            return
                        del draft["scenes"][i]
                        await save_script()
                        state.redraw()

                    ui.button(tr("Rewrite"), icon="refresh", on_click=rewrite).props(
                        "flat dense no-caps aria-label="
                        f'"{tr("Rewrite scene {number}", number=index + 1)}"'
                    )
                    ui.button(icon="delete", on_click=remove).props(
                        "flat dense round aria-label="
                        f'"{tr("Delete scene {number}", number=index + 1)}"'
                    )
                field(tr("Narration"), "narration", scene, area=True, autogrow="", maxlength=2000)
                field(tr("Visual keywords (comma separated)"), "keywords_text", scene)

        async def add_scene() -> None:
            if len(draft["scenes"]) >= 12:
                ui.notify(tr("A script has at most 12 scenes"), type="warning")
                return
            draft["scenes"].append({"narration": tr("A new scene."), "keywords_text": ""})
            await save_script()
            state.redraw()

        ui.button(tr("Add a scene"), icon="add", on_click=add_scene).props("flat no-caps")
        field(tr("Call to action"), "call_to_action", draft, maxlength=300)
        field(
            tr("Description (posted with the video)"),
            "description",
            draft,
            area=True,
            maxlength=2200,
        )
        field(tr("Hashtags"), "hashtags_text", draft)

    actions: dict[str, Callable[[int | None], Awaitable[None]]] = {}
    await script_part()
    state.on_reload(script_part.refresh)

    # Create asked for the script: write it now (after the page is drawn), once
    note = app.storage.user.pop(WRITE_NOTE.format(project_id=state.project.id), None)
    if isinstance(note, dict) and state.project.script is None:
        scenes = note.get("scenes")
        ui.timer(
            0.05,
            lambda: actions["generate"](scenes if isinstance(scenes, int) else None),
            once=True,
        )


#: The studio's words for NoScriptWriter (its own message speaks of CLI flags and settings).
NO_WRITER = marked(
    "The studio does not make up a script from a topic alone. Paste an article, notes or a "
    "transcript below and choose “Make a script from this material”, paste your own script, "
    "or connect a language model in Settings: a local one (Ollama, llama.cpp) or a key."
)


def _show_no_writer(box: ui.column) -> None:
    """Why no script came from the topic, plainly, with the ways out one click away."""
    box.clear()
    with box, ui.card().classes("w-full bg-orange-1"):
        ui.label(tr("No script writer is configured")).classes("text-subtitle1 text-weight-medium")
        ui.label(tr(NO_WRITER)).classes("text-body2")
        with ui.row().classes("gap-4"):
            ui.link(tr("Open Settings (a local model or a key)"), "/settings").classes(
                "text-primary"
            )
            ui.label(tr("or paste an article, notes or your script below")).classes("text-body2")
    box.set_visibility(True)


def _paste_box(state: ProjectState) -> None:
    with ui.card().classes("w-full import-text"):
        ui.label(
            tr(
                "No script yet: generate one from the topic (needs a language model), make one "
                "from your material (an article, notes, a transcript), or paste your own."
            )
        ).classes("text-body1")
        text = (
            ui.textarea(
                tr("Your script"),
                placeholder=tr(
                    "Your script (first line: the hook, then one paragraph per scene), "
                    "or an article, notes or an https:// address to make one from"
                ),
            )
            .classes("w-full")
            .props("autogrow")
        )

        async def use() -> None:
            try:
                script = script_from_text(
                    text.value or "",
                    topic=state.project.topic or None,
                    language=state.project.language,
                )
            except Exception as exc:  # ScriptError carries the sentence to show
                ui.notify(str(exc), type="warning")
                return
            if await state.save(script=script):
                state.redraw()

        async def summarise() -> None:
            try:
                script = await call(
                    state.ws.studio.material_script,
                    (text.value or "").strip(),
                    language=state.project.language,
                    target_seconds=state.project.target_seconds,
                )
            except Failed:
                return
            if await state.save(script=script):
                state.redraw()

        with ui.row().classes("gap-2"):
            ui.button(tr("Use this script"), on_click=use).props("no-caps")
            ui.button(tr("Make a script from this material"), on_click=summarise).props(
                "no-caps outline"
            )


async def _save_if_changed(state: ProjectState, key: str, value: Any) -> None:
    if getattr(state.project, key) != value:
        await state.save(**{key: value})


async def _save_platforms(state: ProjectState, value: list[str]) -> None:
    if not value:
        ui.notify(tr("Choose at least one platform"), type="warning")
        return
    await state.save(platforms=value)
