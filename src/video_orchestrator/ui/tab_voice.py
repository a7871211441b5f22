"""Tab 2, Voice: every voice with its language and gender and a sample to hear, the project's
voice and speaking speed, and the script (one part or the whole) spoken in that voice. Piper
voices not installed yet can be listed from the catalogue and downloaded."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from nicegui import ui

from video_orchestrator.services.facade import VoiceInfo, download_voice, voice_catalogue
from video_orchestrator.services.studio import MAX_PREVIEW_CHARS, cut_text
from video_orchestrator.spec.vocabulary import SPEED
from video_orchestrator.ui.common import Failed, call, size_text
from video_orchestrator.ui.i18n import marked, number, tr
from video_orchestrator.ui.media import preview_url

if TYPE_CHECKING:
    from video_orchestrator.domain.script import Script
    from video_orchestrator.ui.project_state import ProjectState

GENDERS = {
    "female": marked("female"),
    "male": marked("male"),
    "neutral": marked("neutral"),
    "unknown": "—",
}
PROVIDERS = {
    "piper": marked("Piper (offline)"),
    "espeak-ng": marked("eSpeak NG (offline, robotic)"),
    "openai-speech": "OpenAI",
    "elevenlabs": "ElevenLabs",
    "edge-tts": "Edge",
    "fake": marked("Test tones"),
}


def voice_value(voice: VoiceInfo) -> str:
    """What the project stores for ``voice``: Piper voices by id, others as provider:id."""
    return voice.id if voice.provider in ("piper", "") else f"{voice.provider}:{voice.id}"


def is_voice(voice: VoiceInfo, value: str | None) -> bool:
    return value is not None and value in (voice.id, f"{voice.provider}:{voice.id}")


def primary(language: str) -> str:
    return language.replace("_", "-").split("-", 1)[0].lower()


def script_parts(script: Script | None) -> dict[str, str]:
    """The parts of the script one can hear: key → text."""
    if script is None:
        return {}
    parts = {"hook": script.hook}
    for index, scene in enumerate(script.scenes):
        parts[f"scene-{index}"] = scene.narration
    if script.call_to_action.strip():
        parts["cta"] = script.call_to_action
    parts["all"] = " ".join(script.spoken_parts())
    return parts


def part_names(script: Script | None) -> dict[str, str]:
    if script is None:
        return {}
    names = {"hook": tr("The hook")}
    names.update(
        {f"scene-{i}": tr("Scene {number}", number=i + 1) for i in range(len(script.scenes))}
    )
    if script.call_to_action.strip():
        names["cta"] = tr("The call to action")
    names["all"] = tr("The whole script")
    return names


#: Natural-sounding voices first; the robotic last-resort voice last.
PROVIDER_ORDER = {"piper": 0, "elevenlabs": 1, "openai-speech": 2, "edge-tts": 3, "espeak-ng": 9}


def voice_order(voice: VoiceInfo) -> tuple[int, str]:
    return PROVIDER_ORDER.get(voice.provider, 5), voice.name.lower()


async def build(state: ProjectState) -> None:
    ws = state.ws
    view: dict[str, Any] = {"all_languages": False, "search": ""}
    plays = itertools.count(1)

    try:
        voices: list[VoiceInfo] = sorted(await call(ws.ctx.all_voices), key=voice_order)
    except Failed:
        voices = []

    async def save_voice(**changes: Any) -> bool:
        return await state.save_part("voice", **changes)

    def current_value() -> str:
        return state.project.voice.voice or ws.ctx.settings.default_voice

    # --- the player every preview plays in ----------------------------------------------------

    with ui.card().classes("w-full voice-player").props(f'aria-label="{tr("Voice preview")}"'):
        with ui.row().classes("w-full items-center gap-3"):
            ui.icon("graphic_eq", size="md").props('aria-hidden="true"')
            now_playing = (
                ui.label(tr("Press a play button to hear a voice."))
                .classes("text-body2 now-playing")
                .props('aria-live="polite"')
            )
            busy = ui.spinner(size="md").props(f'aria-label="{tr("Making the preview")}"')
            busy.set_visibility(False)
        player = (
            ui.audio("", autoplay=True)
            .classes("w-full")
            .props(f'aria-label="{tr("Voice preview player")}"')
            .mark("voice-player")
        )
        player.set_visibility(False)
        cut_note = ui.label("").classes("text-caption text-warning cut-note")
        cut_note.set_visibility(False)

    async def speak(voice: str, text: str | None, language: str, what: str, note: str = "") -> None:
        cut_note.text = note
        cut_note.set_visibility(bool(note))
        busy.set_visibility(True)
        now_playing.text = tr("Making the preview: {what}…", what=what)
        try:
            path = await call(
                ws.studio.voice_preview,
                voice,
                text,
                speed=state.project.voice.speed,
                language=language,
            )
        except Failed:
            now_playing.text = tr("The preview could not be made.")
            return
        finally:
            busy.set_visibility(False)
        now_playing.text = tr("Playing: {what}", what=what)
        player.set_source(f"{preview_url(path)}?play={next(plays)}")
        player.set_visibility(True)

    # --- the project's voice and speed ----------------------------------------------------------

    @ui.refreshable
    def chosen_part() -> None:
        value = current_value()
        match = next((v for v in voices if is_voice(v, value)), None)
        with ui.row().classes("w-full items-center gap-6"):
            with ui.column().classes("gap-0"):
                ui.label(tr("This project's voice")).classes("text-caption text-grey-7")
                name = value
                if match is not None:
                    name = match.name
                    if match.language not in name:
                        name += f" ({match.language})"
                suffix = "" if state.project.voice.voice else " · " + tr("the default")
                ui.label(name + suffix).classes("text-subtitle1 chosen-voice")
            with ui.column().classes("gap-0 grow max-w-md"):
                speed_label = ui.label().classes("text-caption text-grey-7")

                def show_speed(value: float) -> None:
                    speed_label.text = tr("Speaking speed: {speed}×", speed=number(value, 2))

                show_speed(state.project.voice.speed)
                slider = (
                    ui.slider(
                        min=SPEED.low,
                        max=SPEED.high,
                        step=SPEED.step,
                        value=state.project.voice.speed,
                        on_change=lambda e: show_speed(float(e.value or 1.0)),
                    )
                    .props(f'label aria-label="{tr("Speaking speed")}"')
                    .classes("speed-slider")
                    .mark("voice-speed")
                )

                async def save_speed(e: Any) -> None:
                    speed = round(float(e.args if e.args is not None else slider.value), 2)
                    show_speed(speed)
                    if speed != state.project.voice.speed:
                        await save_voice(speed=speed)

                slider.on("change", save_speed)

    async def choose(voice: VoiceInfo) -> None:
        value = voice_value(voice)
        if not voice.installed:
            ui.notify(
                tr("{name} is not installed: download it first", name=voice.name), type="warning"
            )
            return
        if await save_voice(voice=value):
            ui.notify(tr("The project now speaks with {name}", name=voice.name), type="positive")
            chosen_part.refresh()
            voice_list.refresh()

    # --- hear the script ------------------------------------------------------------------------

    @ui.refreshable
    def script_part() -> None:
        script = state.project.script
        names = part_names(script)
        if not names:
            ui.label(
                tr("Write or generate the script (Story & Script tab) to hear it in this voice.")
            ).classes("text-body2 text-grey-7")
            return
        picked = (
            ui.select(names, value="hook", label=tr("Part of the script"))
            .classes("w-56 script-part")
            .mark("script-part")
        )

        async def hear() -> None:
            text = script_parts(state.project.script).get(picked.value or "hook", "")
            spoken, was_cut = cut_text(text, MAX_PREVIEW_CHARS)
            note = (
                tr(
                    "A preview speaks at most {limit} characters: only the start "
                    "of this part ({spoken} of {total} characters) is spoken.",
                    limit=number(MAX_PREVIEW_CHARS),
                    spoken=number(len(spoken)),
                    total=number(len(text)),
                )
                if was_cut
                else ""
            )
            await speak(
                current_value(),
                spoken,
                state.project.language,
                tr(
                    "{part} in this project's voice",
                    part=names.get(picked.value or "hook", tr("the script")),
                ),
                note,
            )

        ui.button(tr("Hear it in this voice"), icon="play_arrow", on_click=hear).props(
            "no-caps"
        ).classes("hear-script").mark("hear-script")

    # --- every voice --------------------------------------------------------------------------

    @ui.refreshable
    def voice_list() -> None:
        language = primary(state.project.language)
        shown = [
            v
            for v in voices
            if (view["all_languages"] or v.speaks(language))
            and (
                not view["search"]
                or view["search"].lower() in f"{v.name} {v.id} {v.language}".lower()
            )
        ]
        if not shown:
            ui.label(
                tr(
                    "No installed voice speaks this project's language ({language}): list the "
                    "Piper voices you can download below.",
                    language=state.project.language,
                )
                if view["all_languages"]
                else tr(
                    "No installed voice speaks this project's language ({language}): switch on "
                    "“Show all languages”, or list the Piper voices you can download below.",
                    language=state.project.language,
                )
            ).classes("text-body2 text-warning")
            return
        value = current_value()
        with ui.list().props("bordered separator").classes("w-full voice-list"):
            for voice in shown:
                current = is_voice(voice, value)
                with ui.item().classes("voice-row" + (" bg-blue-1" if current else "")):
                    with ui.item_section():
                        ui.item_label(voice.name).classes("text-weight-medium")
                        ui.item_label(
                            f"{voice.language} · {tr(GENDERS.get(voice.gender, voice.gender))} · "
                            f"{tr(PROVIDERS.get(voice.provider, voice.provider))}"
                        ).props("caption").classes("text-grey-9")
                    with (
                        ui.item_section().props("side"),
                        ui.row().classes("items-center gap-1 no-wrap"),
                    ):
                        if not voice.installed:
                            ui.badge(tr("not installed"), color="grey-6")
                        ui.button(
                            icon="play_arrow",
                            on_click=lambda v=voice: speak(
                                voice_value(v),
                                None,
                                v.language,
                                tr("a sample of {name}", name=v.name),
                            ),
                        ).props(
                            "flat round aria-label="
                            f'"{tr("Play a sample of {name}", name=voice.name)}"'
                        ).tooltip(tr("Hear a sample")).mark(f"play-{voice.id}")
                        if current:
                            in_use = tr("This project's voice")
                            ui.badge(tr("In use"), color="primary").props(f'aria-label="{in_use}"')
                        else:
                            use_label = tr("Use {name}", name=voice.name)
                            ui.button(
                                tr("Use"),
                                on_click=lambda v=voice: choose(v),
                            ).props(f'outline dense no-caps aria-label="{use_label}"').classes(
                                "px-3"
                            ).mark(f"use-{voice.id}")

    # --- Piper voices to download --------------------------------------------------------------

    async def list_catalogue() -> None:
        language = None if view["all_languages"] else primary(state.project.language)
        listing.disable()
        listing.props("loading")
        try:
            found, notice = await call(voice_catalogue, ws.ctx, language)
        except Failed:
            return
        finally:
            listing.enable()
            listing.props(remove="loading")
        missing = [v for v in found if not v.installed]
        catalogue_box.clear()
        with catalogue_box:
            if notice:
                ui.label(tr("The voice list may be old: {notice}.", notice=notice)).classes(
                    "text-caption text-warning"
                )
            if not missing:
                ui.label(tr("Every Piper voice for this language is installed.")).classes(
                    "text-body2"
                )
                return
            with ui.list().props("bordered separator dense").classes("w-full catalogue-list"):
                for entry in missing:
                    with ui.item():
                        with ui.item_section():
                            ui.item_label(f"{entry.name} ({entry.quality})")
                            ui.item_label(
                                f"{entry.language} · {entry.language_name} · "
                                f"{size_text(entry.size)}"
                            ).props("caption").classes("text-grey-9")
                        with ui.item_section().props("side"), ui.row().classes("items-center"):
                            ui.badge(tr("not installed"), color="grey-6")
                            button = (
                                ui.button(tr("Download"), icon="download")
                                .props(
                                    "dense flat no-caps aria-label="
                                    f'"{tr("Download {voice}", voice=entry.id)}"'
                                )
                                .mark(f"download-{entry.id}")
                            )
                            bar = ui.linear_progress(value=0, show_value=False).classes("w-24")
                            bar.set_visibility(False)
                            button.on_click(lambda b=button, p=bar, i=entry.id: download(i, b, p))

    async def download(voice_id: str, button: ui.button, bar: ui.linear_progress) -> None:
        done: dict[str, float] = {"fraction": 0.0}

        def progress(got: int, total: int) -> None:
            done["fraction"] = got / total if total else 0.0

        button.disable()
        bar.set_visibility(True)
        timer = ui.timer(0.3, lambda: bar.set_value(done["fraction"]))
        try:
            await call(download_voice, ws.ctx, voice_id, progress)
        except Failed:
            button.enable()
            bar.set_visibility(False)
            return
        finally:
            timer.cancel()
        nonlocal voices
        try:
            voices = await call(ws.ctx.all_voices)
        except Failed:
            return
        ui.notify(tr("{voice} is installed and works offline", voice=voice_id), type="positive")
        voice_list.refresh()
        await list_catalogue()

    def filter_by(**changes: Any) -> None:
        view.update(changes)
        voice_list.refresh()

    # --- the page -------------------------------------------------------------------------------

    with ui.card().classes("w-full"):
        chosen_part()
        ui.separator()
        ui.label(tr("Hear the script")).classes("text-subtitle1")
        with ui.row().classes("w-full items-end gap-3"):
            script_part()
    with ui.row().classes("w-full items-center gap-4"):
        ui.label(tr("Voices")).classes("text-h6")
        ui.space()
        ui.input(tr("Find a voice"), on_change=lambda e: filter_by(search=e.value or "")).props(
            "dense outlined clearable type=search"
        ).classes("voice-search")
        ui.switch(
            tr("Show all languages"), on_change=lambda e: filter_by(all_languages=bool(e.value))
        ).classes("all-languages").mark("all-languages")
    voice_list()
    with (
        ui.expansion(tr("More Piper voices to download"), icon="download")
        .classes("w-full")
        .props('header-class="text-subtitle1"')
    ):
        ui.label(
            tr(
                "Piper voices are neural voices that run on this computer. Downloaded voices "
                "(tens of MB each) work offline."
            )
        ).classes("text-body2")
        listing = ui.button(
            tr("List the voices I can download"), icon="list", on_click=list_catalogue
        ).props("no-caps outline")
        catalogue_box = ui.column().classes("w-full gap-2")

    def on_reload() -> None:
        chosen_part.refresh()
        script_part.refresh()
        voice_list.refresh()

    state.on_reload(on_reload)
