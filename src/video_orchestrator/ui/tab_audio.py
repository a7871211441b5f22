"""Tab 4, Audio: the music bed (from the library or uploaded) and how loud it is, how far it
dips under the voice, a sound effect at each scene change, the loudness target, and a short
preview of the whole mix made by the real renderer."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nicegui import background_tasks, ui

from video_orchestrator.services.assets import AssetOut
from video_orchestrator.spec.vocabulary import (
    DUCKING_STRENGTH,
    MUSIC_CHOICES,
    MUSIC_GAIN_DB,
    SFX_GAIN_DB,
    SOUND_EFFECTS,
    Limits,
)
from video_orchestrator.ui.common import Failed, call
from video_orchestrator.ui.i18n import marked, tr
from video_orchestrator.ui.library import ACCEPT_AUDIO, length_text, upload_area
from video_orchestrator.ui.media import asset_url, preview_url

if TYPE_CHECKING:
    from video_orchestrator.ui.project_state import ProjectState

NONE = ""  # the select's value for "no music" / "no sound effect"
#: How the made-music choices read in the select (the rest: the mood's name).
MADE_MUSIC = {
    "auto": marked("Automatic: by the genre"),
    "none": marked("No music"),
    "calm": marked("Calm"),
    "upbeat": marked("Upbeat"),
    "dramatic": marked("Dramatic"),
    "inspiring": marked("Inspiring"),
}
#: How the sound effects the project makes read in the select.
MADE_EFFECTS = {
    "whoosh": marked("Whoosh"),
    "pop": marked("Pop"),
    "riser": marked("Riser"),
    "click": marked("Click"),
}
PLATFORM = "platform"  # the select's value for the platform's loudness target
LOUDNESS_CHOICES = {
    -16.0: marked("quieter"),
    -14.0: marked("the usual target"),
    -12.0: marked("louder"),
}


def minus(value: float) -> str:
    """``-14`` → ``−14`` (a real minus sign), without a needless ``.0``."""
    text = f"{value:g}"
    return text.replace("-", "−")


async def build(state: ProjectState) -> None:
    ws = state.ws
    sounds: dict[str, AssetOut] = {}
    plays = itertools.count(1)

    async def reload_sounds() -> None:
        try:
            page = await call(ws.assets.find, kind="audio", limit=500)
        except Failed:
            return
        sounds.clear()
        sounds.update({asset.id: asset for asset in page.items})

    def sound_options(empty: str) -> dict[str, str]:
        options = {NONE: empty}
        for asset in sounds.values():
            length = f" ({length_text(asset.duration)})" if asset.duration else ""
            options[asset.id] = asset.filename + length
        return options

    async def save_audio(**changes: Any) -> bool:
        return await state.save_part("audio", **changes)

    def labelled_slider(
        label: str,
        *,
        key: str,
        limits: Limits,
        unit: str,
        hint: str = "",
        enabled: bool = True,
    ) -> ui.slider:
        """A slider with a visible label and value that saves ``key`` when released (mouse,
        touch or arrow keys)."""
        value = float(getattr(state.project.audio, key))
        with ui.column().classes("gap-0 w-full max-w-md"):
            shown = ui.label().classes("text-body2")

            def show(current: float) -> None:
                shown.text = tr(
                    "{label}: {value}{unit}", label=label, value=minus(round(current, 1)), unit=unit
                )

            show(value)
            slider = (
                ui.slider(
                    min=limits.low,
                    max=limits.high,
                    step=limits.step,
                    value=value,
                    on_change=lambda e: show(float(e.value if e.value is not None else value)),
                )
                .props(f'label aria-label="{label}"')
                .classes(f"slider-{key.replace('_', '-')}")
                .mark(key)
            )

            async def released(e: Any) -> None:
                new = round(float(e.args if e.args is not None else slider.value), 2)
                show(new)
                if new != getattr(state.project.audio, key):
                    await save_audio(**{key: new})

            slider.on("change", released)
            if not enabled:
                slider.disable()
            if hint:
                ui.label(hint).classes("text-caption text-grey-7")
        return slider

    def player_for(asset_id: str | None, aria_label: str) -> None:
        if asset_id and asset_id in sounds:
            ui.audio(asset_url(asset_id)).classes("w-full max-w-md").props(
                f'aria-label="{aria_label}" preload=metadata'
            )

    # --- music ----------------------------------------------------------------------------------

    @ui.refreshable
    def music_choice() -> None:
        audio = state.project.audio
        ui.select(
            sound_options(tr("None from the library")),
            value=audio.music_asset if audio.music_asset in sounds else NONE,
            label=tr("Music from the library"),
            on_change=lambda e: choose_music(e.value),
        ).classes("w-full max-w-md music-select").mark("music-select")
        player_for(audio.music_asset, tr("Play the music"))
        if audio.music_asset and audio.music_asset not in sounds:
            ui.label(tr("The chosen music was deleted from the library.")).classes("text-negative")
        if not audio.music_asset:  # the bed the project makes itself (CC0), by genre or mood
            made = {c: tr(MADE_MUSIC.get(c, c.capitalize())) for c in MUSIC_CHOICES}
            ui.select(
                made,
                value=audio.music,
                label=tr("Music made by the project (used when none is chosen above)"),
                on_change=lambda e: choose_made_music(e.value),
            ).classes("w-full max-w-md made-music-select").mark("made-music-select")

    @ui.refreshable
    def music_levels() -> None:
        audio = state.project.audio
        with ui.column().classes("w-full gap-3"):
            labelled_slider(
                tr("Music volume (dB)"),
                key="music_gain_db",
                limits=MUSIC_GAIN_DB,
                unit=" dB",
                hint=tr("0 dB: as loud as the file; −8 dB: the made music clearly under a voice."),
            )
            ui.switch(
                tr("Lower the music while the voice speaks (ducking)"),
                value=audio.ducking,
                on_change=lambda e: toggle_ducking(bool(e.value)),
            ).classes("ducking-switch").mark("ducking")
            labelled_slider(
                tr("How far the music dips under the voice"),
                key="ducking_strength",
                limits=DUCKING_STRENGTH,
                unit="×",
                hint=tr("1×: no dip; 8×: clearly under the voice; 20×: almost silent."),
                enabled=audio.ducking,
            )

    async def choose_music(value: str | None) -> None:
        music = value or None
        if music != state.project.audio.music_asset and await save_audio(music_asset=music):
            music_choice.refresh()

    async def choose_made_music(value: str) -> None:
        if value != state.project.audio.music and await save_audio(music=value):
            music_choice.refresh()

    async def toggle_ducking(on: bool) -> None:
        if on != state.project.audio.ducking and await save_audio(ducking=on):
            music_levels.refresh()

    async def use_upload(asset: AssetOut, key: str) -> None:
        sounds[asset.id] = asset
        if getattr(state.project.audio, key) == asset.id:
            ui.notify(tr("{file} is already chosen", file=asset.filename))
        elif await save_audio(**{key: asset.id}):
            ui.notify(
                tr("{file} is the music now", file=asset.filename)
                if key == "music_asset"
                else tr("{file} is the sound effect now", file=asset.filename),
                type="positive",
            )
        music_choice.refresh()
        effect_choice.refresh()

    # --- sound effect ---------------------------------------------------------------------------

    @ui.refreshable
    def effect_choice() -> None:
        audio = state.project.audio
        ui.select(
            sound_options(tr("None from the library")),
            value=audio.sfx_asset if audio.sfx_asset in sounds else NONE,
            label=tr("Sound at each scene change"),
            on_change=lambda e: choose_effect(e.value),
        ).classes("w-full max-w-md sfx-select").mark("sfx-select")
        player_for(audio.sfx_asset, tr("Play the sound effect"))
        if not audio.sfx_asset:
            made_effects: dict[str, str] = {NONE: tr("None")}
            made_effects.update(
                {name: tr(MADE_EFFECTS.get(name, name.capitalize())) for name in SOUND_EFFECTS}
            )
            ui.select(
                made_effects,
                value=audio.sfx or NONE,
                label=tr("Or a sound made by the project"),
                on_change=lambda e: choose_made_effect(e.value),
            ).classes("w-full max-w-md made-sfx-select").mark("made-sfx-select")
        labelled_slider(
            tr("Sound effect volume (dB)"),
            key="sfx_gain_db",
            limits=SFX_GAIN_DB,
            unit=" dB",
            enabled=audio.sfx_asset is not None or audio.sfx is not None,
        )

    async def choose_made_effect(value: str | None) -> None:
        effect = value or None
        if effect != state.project.audio.sfx and await save_audio(sfx=effect):
            effect_choice.refresh()

    async def choose_effect(value: str | None) -> None:
        effect = value or None
        if effect != state.project.audio.sfx_asset and await save_audio(sfx_asset=effect):
            effect_choice.refresh()

    # --- loudness -------------------------------------------------------------------------------

    def platform_default() -> str:
        by_level: dict[float, list[str]] = {}
        for name in state.project.platforms:
            try:
                preset = ws.ctx.preset(name)
            except Exception:  # an unknown platform name: the Script tab says so
                continue
            by_level.setdefault(preset.loudness_lufs, []).append(preset.display_name)
        if not by_level:
            return tr("Platform default")
        parts = [
            tr("{level} LUFS for {platforms}", level=minus(level), platforms=", ".join(names))
            for level, names in by_level.items()
        ]
        return tr("Platform default ({targets})", targets="; ".join(parts))

    @ui.refreshable
    def loudness_part() -> None:
        level = state.project.audio.loudness_lufs
        options = {PLATFORM: platform_default()}
        for value, words in LOUDNESS_CHOICES.items():
            options[str(value)] = f"{minus(value)} LUFS ({tr(words)})"
        if level is not None and str(float(level)) not in options:
            options[str(float(level))] = f"{minus(level)} LUFS"
        ui.select(
            options,
            value=PLATFORM if level is None else str(float(level)),
            label=tr("Loudness of the finished video"),
            on_change=lambda e: choose_loudness(e.value),
        ).classes("w-full max-w-xl loudness-select").mark("loudness")
        ui.label(
            tr("Platforms turn louder videos down; the platform default is what they play at.")
        ).classes("text-caption text-grey-7")

    async def choose_loudness(value: str | None) -> None:
        level = None if value in (None, PLATFORM) else float(value)
        if level != state.project.audio.loudness_lufs:
            await save_audio(loudness_lufs=level)

    # --- the mix --------------------------------------------------------------------------------

    def mix_part() -> None:
        ui.label(
            tr(
                "About ten seconds: the hook in your voice over the music, dipping as set, and "
                "the sound effect after it, levelled like the finished video."
            )
        ).classes("text-body2")
        with ui.row().classes("items-center gap-3"):
            button = (
                ui.button(tr("Hear the mix"), icon="play_arrow")
                .props("no-caps")
                .classes("hear-mix")
                .mark("hear-mix")
            )
            busy = ui.spinner(size="md").props(f'aria-label="{tr("Rendering the mix")}"')
            busy.set_visibility(False)
            status = ui.label("").classes("text-caption").props('aria-live="polite"')
        player = (
            ui.audio("", autoplay=True)
            .classes("w-full max-w-md mix-player")
            .props(f'aria-label="{tr("The mixed audio preview")}"')
            .mark("mix-player")
        )
        player.set_visibility(False)

        async def hear() -> None:
            button.disable()
            busy.set_visibility(True)
            status.text = tr("Rendering the mix…")
            try:
                path = await call(ws.studio.audio_preview, state.project.id)
            except Failed:
                status.text = tr("The mix could not be made.")
                return
            finally:
                busy.set_visibility(False)
                button.enable()
            status.text = tr("Playing the mix")
            player.set_source(f"{preview_url(path)}?play={next(plays)}")
            player.set_visibility(True)

        button.on_click(hear)

    # --- the page -------------------------------------------------------------------------------

    await reload_sounds()

    def sound_card(
        title: str, intro: str | None, choice: Callable[[], object], key: str, drop: str, mark: str
    ) -> None:
        """A card: the sound chosen from the library beside an upload box for a new one."""
        ui.label(title).classes("text-h6")
        if intro:
            ui.label(intro).classes("text-body2 text-grey-8")
        with ui.row().classes("w-full items-start gap-6"):
            with ui.column().classes("gap-2 grow min-w-[18rem]"):
                choice()
            with ui.column().classes("gap-1 w-80"):
                upload_area(
                    ws,
                    label=drop,
                    accept=ACCEPT_AUDIO,
                    wanted={"audio"},
                    on_added=lambda asset, _created: use_upload(asset, key),
                    mark=mark,
                )

    with ui.card().classes("w-full"):
        sound_card(
            tr("Music"),
            None,
            music_choice,
            "music_asset",
            tr("Drop a music file here"),
            "music-upload",
        )
        music_levels()
    with ui.card().classes("w-full"):
        sound_card(
            tr("Sound effect"),
            tr("Played as each scene after the first begins: a whoosh, a click, a soft hit."),
            effect_choice,
            "sfx_asset",
            tr("Drop a sound effect here"),
            "sfx-upload",
        )
    with ui.card().classes("w-full"):
        ui.label(tr("Loudness")).classes("text-h6")
        loudness_part()
    with ui.card().classes("w-full"):
        ui.label(tr("Hear the mix")).classes("text-h6")
        mix_part()

    async def redraw_all() -> None:
        await reload_sounds()
        music_choice.refresh()
        music_levels.refresh()
        effect_choice.refresh()
        loudness_part.refresh()

    state.on_reload(lambda: background_tasks.create(redraw_all(), name="redraw audio tab"))
