"""Tab 5, Captions: the style (the fourteen of ``spec/caption_styles.py``), size, colours,
position and words on screen, with a preview frame made by the real renderer and the
platform's safe zone drawn over it. Each change is saved and previewed once the user
pauses (debounced)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from nicegui import ui
from pydantic import ValidationError

from video_orchestrator.services.projects import ProjectOut
from video_orchestrator.services.studio import CAPTION_STYLES
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.spec.options import CaptionSettings, caption_style
from video_orchestrator.spec.vocabulary import (
    CAPTION_ANCHORS,
    CAPTION_MAX_WORDS,
    CAPTION_PRESETS,
    CAPTION_SIZE,
    Limits,
)
from video_orchestrator.ui.common import Failed, call
from video_orchestrator.ui.i18n import marked, tr
from video_orchestrator.ui.media import preview_url

if TYPE_CHECKING:
    from video_orchestrator.ui.project_state import ProjectState

#: Seconds without a change before the settings are saved and the preview is made again.
DEBOUNCE = 0.4
#: What each style looks like, in the studio's words (``spec/caption_styles.py``'s
#: descriptions, marked for the catalogues; a test keeps the two the same). The style names
#: themselves are product names and stay as they are.
DESCRIPTIONS: dict[str, str] = {
    "karaoke": marked("the spoken word lights up in the highlight colour"),
    "pop": marked("one word at a time, popping in"),
    "clean": marked("two plain lines, no animation"),
    "bounce": marked("the spoken word grows and bounces in green"),
    "highlight": marked("a coloured box behind the spoken word"),
    "emphasis": marked("numbers and key words in an accent colour"),
    "punch": marked("one big word at a time, slammed in; numbers and key words in red"),
    "subtitles": marked("two clean lines in sentence case, like film subtitles"),
    "boxed": marked("white text on an opaque black box"),
    "outline": marked("hollow letters; the spoken word fills in"),
    "neon": marked("glowing pink edges; the spoken word in cyan"),
    "shadow": marked("a hard indigo drop shadow, like a sticker"),
    "kinetic": marked("the spoken word pops up and sweeps into yellow; key words in green"),
    "gradient": marked("letters filled with a sunset gradient; the spoken word pops"),
}
ANCHOR_NAMES = {"top": marked("Top"), "middle": marked("Middle"), "bottom": marked("Bottom")}


def styles() -> dict[str, str]:
    """Each style as the picker lists it: its name and what it looks like, in this locale."""
    return {
        style: f"{style.capitalize()}: {tr(DESCRIPTIONS.get(style, CAPTION_STYLES[style]))}"
        for style in CAPTION_PRESETS
    }


def anchors() -> dict[str, str]:
    return {a: tr(ANCHOR_NAMES.get(a, a.capitalize())) for a in CAPTION_ANCHORS}


PREVIEW_WORDS = 24
HEX6 = re.compile(r"^#?([0-9A-Fa-f]{6})$")
HEX3 = re.compile(r"^#?([0-9A-Fa-f]{3})$")
DEFAULT_STYLE = caption_style(CaptionSettings())


def colour_of(text: str | None) -> str | None:
    """``#RRGGBB`` (upper case) from what a colour field holds; None when it is no colour."""
    value = (text or "").strip()
    if match := HEX6.match(value):
        return "#" + match.group(1).upper()
    if match := HEX3.match(value):
        return "#" + "".join(c * 2 for c in match.group(1)).upper()
    return None


def preview_text(project: ProjectOut) -> str | None:
    """The first words the project's narration speaks (None: a sample sentence)."""
    script = project.script
    if script is None:
        return None
    words = " ".join([script.hook, *(s.narration for s in script.scenes)]).split()
    return " ".join(words[:PREVIEW_WORDS]) or None


def optional_number(
    draft: dict[str, Any],
    key: str,
    *,
    describe: Callable[[int | None], str],
    switch_label: str,
    default: int,
    bounds: Limits,
    props: str,
    css: str,
    changed: Callable[[], Awaitable[None]],
    usable: Callable[[], bool] = lambda: True,
) -> Callable[[], None]:
    """A setting that is the style's default (``None``) or a number: a heading saying which, a
    "default" switch and a slider. Returns what enables the controls again (``usable``)."""
    heading = ui.label().classes("text-subtitle1")

    def show() -> None:
        heading.text = describe(draft[key])

    def enable() -> None:
        switch.set_enabled(usable())
        slider.set_enabled(usable() and draft[key] is not None)

    async def use_default(on: bool) -> None:
        draft[key] = None if on else int(slider.value)
        enable()
        show()
        await changed()

    async def moved(value: float) -> None:
        if draft[key] is not None and draft[key] != int(value):
            draft[key] = int(value)
            show()
            await changed()

    switch = ui.switch(
        switch_label, value=draft[key] is None, on_change=lambda e: use_default(bool(e.value))
    ).classes(f"{css}-default")
    slider = (
        ui.slider(
            min=bounds.low,
            max=bounds.high,
            step=bounds.step,
            value=draft[key] or default,
            on_change=lambda e: moved(e.value),
        )
        .props(props)
        .classes(css)
    )
    show()
    return enable


async def build(state: ProjectState) -> None:
    ws: Workspace = state.ws
    presets = ws.ctx.presets

    @ui.refreshable
    async def panel() -> None:
        project = state.project
        draft: dict[str, Any] = project.captions.model_dump()
        seen: dict[str, Any] = {"platform": project.platforms[0], "safe": True}
        pending = {"n": 0}

        async def changed() -> None:
            """A control changed: after a pause, save once and make the preview again."""
            pending["n"] += 1
            ticket = pending["n"]
            busy.set_visibility(True)
            await asyncio.sleep(DEBOUNCE)
            if ticket != pending["n"]:
                return  # a newer change will do it
            try:
                settings = CaptionSettings.model_validate(draft)
            except ValidationError as exc:
                busy.set_visibility(False)
                state.refuse(exc)
                return
            if settings != state.project.captions:
                await state.save(captions=settings)
            await render_preview(ticket)

        async def render_preview(ticket: int | None = None) -> None:
            busy.set_visibility(True)
            problem.set_visibility(False)
            try:
                path = await call(
                    ws.studio.caption_preview,
                    CaptionSettings.model_validate(draft),
                    seen["platform"],
                    preview_text(state.project),
                )
            except (Failed, ValidationError):
                if ticket is None or ticket == pending["n"]:
                    busy.set_visibility(False)
                    problem.set_visibility(True)
                return
            if path is None or (ticket is not None and ticket != pending["n"]):
                return  # the page is closing, or outdated: a newer preview is on its way
            image.set_source(preview_url(path))
            busy.set_visibility(False)

        with ui.row().classes("w-full items-start gap-10 no-wrap max-md:flex-wrap"):
            with ui.column().classes("gap-4 w-[26rem] max-w-full captions-controls"):
                ui.label(tr("Style")).classes("text-subtitle1")

                def show_style(value: str) -> None:
                    enable_words()
                    highlight.set_enabled(value == "karaoke")
                    words_note.set_visibility(value == "pop")
                    highlight_note.set_visibility(value != "karaoke")

                async def pick_style(value: str) -> None:
                    draft["style"] = value
                    show_style(value)
                    await changed()

                ui.radio(
                    styles(),
                    value=draft["style"],
                    on_change=lambda e: pick_style(e.value),
                ).props(f'aria-label="{tr("Caption style")}"').classes("caption-style").mark(
                    "caption-style"
                )

                # -- size
                enable_size = optional_number(
                    draft,
                    "size",
                    describe=lambda v: (
                        tr("Font size: the style’s default ({size} px)", size=DEFAULT_STYLE.size)
                        if v is None
                        else tr("Font size: {size} px", size=v)
                    ),
                    switch_label=tr("The style’s default size"),
                    default=DEFAULT_STYLE.size,
                    bounds=CAPTION_SIZE,
                    props=f'label aria-label="{tr("Font size in pixels")}"',
                    css="caption-size",
                    changed=changed,
                )
                enable_size()

                # -- colours
                ui.label(tr("Caption colours")).classes("text-subtitle1")

                def colour_field(label: str, key: str, marker: str) -> ui.color_input:
                    wrong = tr("A colour is written #RRGGBB, e.g. #FFE14D")

                    def typed(value: str | None) -> bool:
                        colour = colour_of(value)
                        if colour is None:
                            field.props(f'error error-message="{wrong}"')
                            return False
                        field.props(remove="error error-message")
                        draft[key] = colour
                        return True

                    async def on_change(value: str | None) -> None:
                        if typed(value):
                            await changed()

                    field = ui.color_input(
                        label,
                        value=draft[key],
                        on_change=lambda e: on_change(e.value),
                        preview=True,
                    ).classes(f"w-full {marker}")
                    field.button.props(f'aria-label="{tr("Pick: {what}", what=label)}"')
                    return field

                colour_field(tr("Text colour"), "colour", "caption-colour")
                highlight = colour_field(
                    tr("Highlight colour (the spoken word)"),
                    "highlight_colour",
                    "caption-highlight",
                )
                highlight_note = ui.label(tr("Only karaoke captions highlight a word.")).classes(
                    "text-caption text-grey-7 -mt-3"
                )

                # -- position
                ui.label(tr("Position in the safe zone")).classes("text-subtitle1")

                async def pick_anchor(value: str) -> None:
                    draft["anchor"] = value
                    await changed()

                ui.toggle(
                    anchors(),
                    value=draft["anchor"],
                    on_change=lambda e: pick_anchor(e.value),
                ).props(f'no-caps aria-label="{tr("Caption position")}"').classes(
                    "caption-anchor"
                ).mark("caption-anchor")

                # -- words on screen
                enable_words = optional_number(
                    draft,
                    "max_words",
                    describe=lambda v: (
                        tr(
                            "Words on screen at once: the style’s default (up to {count})",
                            count=DEFAULT_STYLE.max_words,
                        )
                        if v is None
                        else tr("Words on screen at once: up to {count}", count=v)
                    ),
                    switch_label=tr("The style’s default"),
                    default=DEFAULT_STYLE.max_words,
                    bounds=CAPTION_MAX_WORDS,
                    props=f'label markers aria-label="{tr("Words on screen at once")}"',
                    css="caption-words",
                    changed=changed,
                    usable=lambda: draft["style"] != "pop",
                )
                words_note = ui.label(tr("Pop captions always show one word at a time.")).classes(
                    "text-caption text-grey-7 -mt-3"
                )
                show_style(draft["style"])

            # -- the preview
            with ui.column().classes("gap-2 items-start captions-preview-column"):
                with ui.row().classes("items-center gap-4"):
                    ui.label(tr("Preview")).classes("text-subtitle1")

                    async def pick_platform(value: str) -> None:
                        seen["platform"] = value
                        draw_zone()
                        await render_preview()

                    ui.select(
                        {p: presets[p].display_name for p in project.platforms if p in presets},
                        value=seen["platform"],
                        label=tr("Platform"),
                        on_change=lambda e: pick_platform(e.value),
                    ).props("dense outlined").classes("w-48 caption-preview-platform")
                frame = (
                    ui.element("div")
                    .classes("relative overflow-hidden rounded-borders bg-grey-9 caption-frame")
                    .style("width: 18rem")
                )
                with frame:
                    image = (
                        ui.image("")
                        .classes("w-full h-full caption-preview")
                        .mark("caption-preview")
                        .props(
                            f'alt="{tr("Captions in this style, as the video will show them")}"'
                            " fit=fill"
                        )
                    )
                    zone = ui.element("div").classes("absolute safe-zone pointer-events-none")
                    with ui.element("div").classes(
                        "absolute-full flex flex-center bg-black/30"
                    ) as busy:
                        ui.spinner(size="xl", color="white").props(
                            f'aria-label="{tr("Making the preview")}"'
                        )
                problem = ui.label(
                    tr(
                        "The preview could not be made; your settings are saved. Change a "
                        "setting to try again."
                    )
                ).classes("text-caption text-negative w-72")
                problem.set_visibility(False)
                legend = ui.label().classes("text-caption text-grey-8 w-72")

                def draw_zone() -> None:
                    preset = presets[seen["platform"]]
                    safe = preset.safe_zone
                    width, height = safe.reference_width, safe.reference_height
                    frame.style(f"aspect-ratio: {preset.width} / {preset.height}")
                    zone.style(
                        f"top: {100 * safe.top / height:.2f}%; "
                        f"bottom: {100 * safe.bottom / height:.2f}%; "
                        f"left: {100 * safe.left / width:.2f}%; "
                        f"right: {100 * safe.right / width:.2f}%; "
                        "border: 2px dashed rgba(255, 225, 77, 0.95); "
                        "background: rgba(255, 225, 77, 0.12);"
                    )
                    zone.set_visibility(seen["safe"])
                    legend.text = tr(
                        "Dashed box: the safe zone of {platform}. Captions stay inside it; "
                        "outside it the app’s buttons and text cover the video.",
                        platform=preset.display_name,
                    )

                def show_zone(on: bool) -> None:
                    seen["safe"] = on
                    zone.set_visibility(on)

                ui.switch(
                    tr("Show the safe zone"), value=True, on_change=lambda e: show_zone(e.value)
                )
                draw_zone()
        # the first preview is made once the page is shown (it takes about a second)
        ui.timer(0.05, render_preview, once=True)

    await panel()
    state.on_reload(panel.refresh)
