"""Tab 3, Background: a clip or picture from the library for each scene (or a generated,
moving background), uploads by drag and drop, stock footage when a key is set, how scenes
move (Ken Burns zoom on pictures, the transition between scenes) and what generated scenes
show (an illustration, their key phrase as kinetic typography, both, or colours only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nicegui import ui

from video_orchestrator.services.assets import AssetOut
from video_orchestrator.services.facade import SceneMatch, scene_matches
from video_orchestrator.spec.vocabulary import BACKGROUND_LOOKS, BackgroundLook, TransitionKind
from video_orchestrator.spec.vocabulary import TRANSITIONS as KINDS
from video_orchestrator.ui.common import Failed, call, duration_text
from video_orchestrator.ui.i18n import marked, tr, tr_n
from video_orchestrator.ui.library import describe, hover_preview, thumbnail, upload_area

if TYPE_CHECKING:
    from video_orchestrator.services.workspace import Workspace
    from video_orchestrator.ui.project_state import ProjectState

#: Names for the transitions, in the order offered; one the vocabulary adds without a name
#: here is offered under its own name.
TRANSITION_NAMES: dict[TransitionKind, str] = {
    "fade": marked("Fade through"),
    "dissolve": marked("Dissolve"),
    "cut": marked("Hard cut"),
    "slideleft": marked("Slide left"),
    "slideup": marked("Slide up"),
    "wipeleft": marked("Wipe left"),
    "circleopen": marked("Circle open"),
}
TRANSITIONS = {kind: TRANSITION_NAMES.get(kind, kind) for kind in (*TRANSITION_NAMES, *KINDS)}
#: Names for what generated scenes show (ADR 0050); a look the vocabulary adds without a
#: name here is offered under its own name.
LOOK_NAMES: dict[BackgroundLook, str] = {
    "illustration": marked("Illustration (a large emoji)"),
    "typography": marked("Key phrase (kinetic typography)"),
    "both": marked("Key phrase and illustration"),
    "plain": marked("Colours only"),
}
LOOKS = {look: LOOK_NAMES.get(look, look) for look in (*LOOK_NAMES, *BACKGROUND_LOOKS)}
LIBRARY_LIMIT = 200
STOCK_RESULTS = 12
NO_STOCK = marked("Stock footage: add a Pexels or Pixabay key in Settings")


def stock_names(ws: Workspace) -> list[str]:
    """The stock providers searches can use: the configured order, else those with a key."""
    settings = ws.ctx.settings
    if settings.stock_providers:
        return list(settings.stock_providers)
    return [name for name in ("pexels", "pixabay") if getattr(settings, f"{name}_api_keys", None)]


async def visual_assets(ws: Workspace) -> list[AssetOut]:
    """Videos and pictures of the library, newest first (raises Failed after telling)."""
    videos = await call(ws.assets.find, kind="video", limit=LIBRARY_LIMIT)
    images = await call(ws.assets.find, kind="image", limit=LIBRARY_LIMIT)
    return sorted([*videos.items, *images.items], key=lambda a: a.created_at, reverse=True)


async def build(state: ProjectState) -> None:
    ws = state.ws
    library: dict[str, AssetOut] = {}
    matches: dict[int, SceneMatch] = {}  # scene index → its keyword match in the library
    dialogs = ui.element("div")  # dialogs live here, outside the parts that are redrawn

    async def save_background(
        change: Callable[[list[str | None]], list[str | None]] | None = None, **fields: Any
    ) -> bool:
        """Save ``fields`` of the background settings, and the scene list through ``change``
        (applied to the list as last saved)."""

        def edit(merged: dict[str, Any]) -> None:
            if change is not None:
                merged["assets"] = change(list(merged["assets"]))

        return await state.save_part("background", edit, **fields)

    async def reload_library() -> None:
        try:
            found = await visual_assets(ws)
        except Failed:
            return
        library.clear()
        library.update({asset.id: asset for asset in found})

    async def use_for_scene(index: int, asset: AssetOut) -> None:
        """Scene ``index`` shows ``asset``; no other scene changes."""
        if asset.kind not in ("video", "image"):
            ui.notify(
                tr(
                    "{file} is {kind}: a background is a video or a picture",
                    file=asset.filename,
                    kind=asset.kind,
                )
            )
            return

        def place(chosen: list[str | None]) -> list[str | None]:
            chosen += [None] * (index + 1 - len(chosen))
            chosen[index] = asset.id
            return chosen

        library.setdefault(asset.id, asset)
        if await save_background(place):
            ui.notify(
                tr("Scene {number} shows {file}", number=index + 1, file=asset.filename),
                type="positive",
            )
            await redraw()

    async def match_library(*, told: bool = True) -> None:
        """Scenes without a background take the library's clips and pictures their keywords
        match (the CLI's matcher); a scene the user chose for keeps its choice."""
        script = state.project.script
        if script is None:
            return
        await reload_library()
        found = scene_matches(script, list(library.values()))
        count = len(script.scenes)
        made: list[str] = []

        def fill(chosen: list[str | None]) -> list[str | None]:
            made.clear()
            taken = {a for a in chosen if a is not None}
            chosen += [None] * (count - len(chosen))
            for match in found:
                if match is None or match.scene >= count or chosen[match.scene] is not None:
                    continue
                if match.asset_id in taken:
                    continue
                chosen[match.scene] = match.asset_id
                taken.add(match.asset_id)
                made.append(
                    tr("scene {number} ← {file}", number=match.scene + 1, file=match.filename)
                )
            while chosen and chosen[-1] is None:
                chosen.pop()
            return chosen

        matches.clear()
        matches.update({m.scene: m for m in found if m is not None})
        if not any(
            m is not None and m.scene < count and _entry(state, m.scene) is None for m in found
        ):
            if told:
                ui.notify(tr("No scene without a background matches a clip's name"))
            await redraw()
            return
        if await save_background(fill) and made:
            ui.notify(
                tr("Matched by keywords: {matches}", matches="; ".join(made)),
                type="positive",
                multi_line=True,
            )
        await redraw()

    async def dropped(index: int, asset_id: object) -> None:
        asset = library.get(str(asset_id))
        if asset is None:
            ui.notify(tr("Drop a clip or picture of your library on a scene"), type="warning")
            return
        await use_for_scene(index, asset)

    async def use_generated(index: int | None) -> None:
        """Scene ``index`` (None: every scene) gets a generated moving background."""

        def clear(chosen: list[str | None]) -> list[str | None]:
            if index is None:
                return []
            if index < len(chosen):
                chosen[index] = None
            while chosen and chosen[-1] is None:  # no entry means generated too
                chosen.pop()
            return chosen

        if await save_background(clear):
            ui.notify(
                tr("All scenes use generated backgrounds")
                if index is None
                else tr("Scene {number} uses a generated background", number=index + 1),
                type="positive",
            )
            await redraw()

    # --- how scenes move ------------------------------------------------------------------

    @ui.refreshable
    def motion_part() -> None:
        background = state.project.background
        with ui.row().classes("w-full items-center gap-6"):
            ui.switch(
                tr("Slow zoom and pan on pictures (Ken Burns)"),
                value=background.ken_burns,
                on_change=lambda e: save_background(ken_burns=bool(e.value)),
            ).classes("ken-burns").mark("ken-burns")
            ui.select(
                {kind: tr(name) for kind, name in TRANSITIONS.items()},
                value=background.transition,
                label=tr("Transition between scenes"),
                on_change=lambda e: save_background(transition=e.value),
            ).classes("w-56 transition-select").mark("transition")
            ui.select(
                {look: tr(name) for look, name in LOOKS.items()},
                value=background.look,
                label=tr("Generated scenes show"),
                on_change=lambda e: save_background(look=e.value),
            ).classes("w-72 look-select").mark("background-look").tooltip(
                tr(
                    "For scenes without a clip or picture: a large emoji, the scene's key "
                    "phrase set large word by word above the captions, both, or the moving "
                    "colours alone"
                )
            )

    # --- one background per scene ----------------------------------------------------------

    @ui.refreshable
    async def scenes_part() -> None:
        script = state.project.script
        chosen = state.project.background.assets
        if script is None:
            with ui.card().classes("w-full bg-blue-1"):
                ui.label(
                    tr(
                        "Write or generate the script first (Story & Script tab): then choose a "
                        "background for each scene here. Until then every scene gets a "
                        "generated, moving background; the library below is ready for your clips."
                    )
                ).classes("text-body1")
            return
        missing = [a for a in chosen if a is not None and a not in library]
        if missing:
            await reload_library()
        found = scene_matches(script, list(library.values()))
        matches.clear()
        matches.update({m.scene: m for m in found if m is not None})
        with ui.row().classes("w-full items-center"):
            ui.label(
                tr(
                    "Each scene shows the clip or picture you choose, or a generated moving "
                    "background (stock footage matching its words when the render finds some). "
                    "Drag a clip from your library onto a scene, or choose one."
                )
                if ws.ctx.settings.stock_providers
                else tr(
                    "Each scene shows the clip or picture you choose, or a generated moving "
                    "background. Drag a clip from your library onto a scene, or choose one."
                )
            ).classes("text-body2 text-grey-8")
            ui.label(tr("Hover over a clip to preview it.")).classes(
                "text-body2 text-grey-8 on-pointer"
            )
            ui.label(tr("Tap a clip to preview it.")).classes("text-body2 text-grey-8 on-touch")
            ui.space()
            if library:
                ui.button(
                    tr("Match my library to the scenes"),
                    icon="join_inner",
                    on_click=lambda: match_library(),
                ).props("flat no-caps").classes("match-library")
            if any(chosen):
                ui.button(
                    tr("Generated backgrounds for all scenes"),
                    icon="auto_awesome",
                    on_click=lambda: use_generated(None),
                ).props("flat no-caps")
        with ui.element("div").classes(
            "w-full grid gap-3 grid-cols-2 sm:grid-cols-4 lg:grid-cols-6"
        ):
            for index, scene in enumerate(script.scenes):
                entry = chosen[index] if index < len(chosen) else None
                asset = library.get(entry) if entry is not None else None
                with (
                    ui.card()
                    .classes("p-2 gap-2 scene-background")
                    .props(
                        'role="group" aria-label='
                        f'"{tr("Scene {number} background", number=index + 1)}"'
                    ) as tile
                ):
                    tile.on("dragover", js_handler=DRAG_OVER_JS)
                    tile.on("dragleave", js_handler=DRAG_LEAVE_JS)
                    tile.on(
                        "drop",
                        lambda e, i=index: dropped(i, e.args),
                        js_handler=DROP_JS,
                    )
                    with ui.element("div").classes(
                        "w-full aspect-[9/16] overflow-hidden rounded relative"
                    ):
                        if asset is not None:
                            thumbnail(asset)
                        elif entry is not None:
                            ui.label(tr("This asset was deleted")).classes("p-4 text-negative")
                        else:
                            _generated_placeholder(index)
                    if asset is not None and asset.kind == "video":
                        hover_preview(tile)
                    ui.label(tr("Scene {number}", number=index + 1)).classes("text-subtitle2")
                    ui.label(_short(scene.narration, 90)).classes("text-caption text-grey-8")
                    ui.label(
                        asset.filename if asset is not None else tr("Generated background")
                    ).classes("text-caption text-weight-medium ellipsis scene-choice")
                    match = matches.get(index)
                    if match is not None and entry == match.asset_id and match.words:
                        ui.label(
                            tr("matched by “{words}”", words=", ".join(match.words[:3]))
                        ).classes("text-caption text-grey-8 scene-match")
                    with ui.row().classes("gap-1"):
                        ui.button(
                            tr("Choose…"),
                            icon="photo_library",
                            on_click=lambda i=index: picker(i),
                        ).props(
                            "dense no-caps outline aria-label="
                            f'"{tr("Choose a background for scene {number}", number=index + 1)}"'
                        ).mark(f"choose-scene-{index + 1}")
                        if entry is not None:
                            ui.button(
                                icon="auto_awesome", on_click=lambda i=index: use_generated(i)
                            ).props(
                                "dense flat round aria-label="
                                + '"'
                                + tr("Generated background for scene {number}", number=index + 1)
                                + '"'
                            ).tooltip(tr("Use a generated background")).mark(
                                f"generated-scene-{index + 1}"
                            )
        unused = [a for a in chosen[len(script.scenes) :] if a is not None]
        if unused:
            ui.label(
                tr_n(
                    "{count} chosen background is not used: the script has fewer scenes.",
                    "{count} chosen backgrounds are not used: the script has fewer scenes.",
                    len(unused),
                )
            ).classes("text-caption text-grey-7")

    def picker(index: int) -> None:
        with (
            dialogs,
            ui.dialog().props(
                f'aria-label="{tr("Background for scene {number}", number=index + 1)}"'
            ) as dialog,
            ui.card().classes("w-full max-w-4xl"),
        ):
            with ui.row().classes("w-full items-center"):
                ui.label(tr("Background for scene {number}", number=index + 1)).classes("text-h6")
                ui.space()
                ui.button(icon="close", on_click=dialog.close).props(
                    f'flat round aria-label="{tr("Close")}"'
                )

            async def chosen(asset: AssetOut, _created: bool = False) -> None:
                dialog.close()
                await use_for_scene(index, asset)

            async def generated() -> None:
                dialog.close()
                await use_generated(index)

            upload_area(
                ws,
                label=tr("Drop a clip or picture for this scene"),
                wanted={"video", "image"},
                on_added=chosen,
                mark="scene-upload",
            )
            with ui.row().classes("w-full items-center"):
                ui.label(
                    tr("Pick one of your clips or pictures, or drop a new one above.")
                    if library
                    else tr("The library is empty: upload a clip or picture above.")
                ).classes("text-body2")
                ui.space()
                assets = state.project.background.assets
                if index < len(assets) and assets[index] is not None:
                    ui.button(
                        tr("Use a generated background"), icon="auto_awesome", on_click=generated
                    ).props("flat no-caps")
            with ui.element("div").classes(
                "w-full grid gap-2 grid-cols-2 sm:grid-cols-4 md:grid-cols-5"
            ):
                for asset in library.values():
                    _asset_tile(
                        asset,
                        action=tr("Use for scene {number}", number=index + 1),
                        on_click=lambda a=asset: chosen(a),
                    )
        dialog.on("hide", dialog.delete)  # a fresh one is made for each scene
        dialog.open()

    # --- the library -------------------------------------------------------------------------

    @ui.refreshable
    def library_part() -> None:
        if not library:
            ui.label(tr("No clips or pictures yet.")).classes("text-body2 text-grey-7")
            return
        ui.label(
            tr_n("{count} clip or picture", "{count} clips and pictures", len(library))
        ).classes("text-caption text-grey-7")
        script = state.project.script
        with ui.element("div").classes(
            "w-full grid gap-2 grid-cols-2 sm:grid-cols-4 md:grid-cols-6"
        ):
            for asset in library.values():
                if script is None:
                    _asset_tile(asset)
                    continue
                with (
                    _asset_tile(asset),
                    ui.button(tr("Use for…"), icon="arrow_upward").props(
                        "dense flat no-caps aria-label="
                        f'"{tr("Use {file} for a scene", file=asset.filename)}"'
                    ),
                    ui.menu(),
                ):
                    for index in range(len(script.scenes)):
                        ui.menu_item(
                            tr("Scene {number}", number=index + 1),
                            on_click=lambda i=index, a=asset: use_for_scene(i, a),
                        )

    async def redraw() -> None:
        await reload_library()
        await scenes_part.refresh()
        library_part.refresh()

    # --- stock footage -----------------------------------------------------------------------

    def stock_part() -> None:
        names = stock_names(ws)
        if not names:
            with ui.row().classes("items-center gap-2 stock-missing"):
                ui.icon("key", size="sm").props('aria-hidden="true"')
                ui.label(tr(NO_STOCK)).classes("text-body2")
                ui.link(tr("Open Settings"), "/settings").classes("text-primary")
            return
        script = state.project.script
        first_words = (
            " ".join(script.scenes[0].keywords[:3]) if script and script.scenes else ""
        ) or state.project.topic
        form: dict[str, Any] = {"query": first_words, "kind": "video", "provider": names[0]}
        with ui.row().classes("w-full items-center gap-2"):
            query = (
                ui.input(tr("Search stock footage"), value=form["query"])
                .props("dense outlined clearable")
                .classes("grow min-w-[14rem] stock-query")
                .mark("stock-query")
            )
            query.bind_value_to(form, "query")
            ui.toggle({"video": tr("Videos"), "photo": tr("Photos")}, value="video").bind_value_to(
                form, "kind"
            ).props(f'aria-label="{tr("Videos or photos")}"')
            if len(names) > 1:
                ui.select(
                    {n: n.capitalize() for n in names}, value=names[0], label=tr("Provider")
                ).bind_value_to(form, "provider").classes("w-36")
            search_button = (
                ui.button(tr("Search"), icon="search").props("no-caps").mark("stock-search")
            )
            busy = ui.spinner(size="md").props(f'aria-label="{tr("Searching")}"')
            busy.set_visibility(False)
        results = ui.element("div").classes(
            "w-full grid gap-2 grid-cols-2 sm:grid-cols-4 md:grid-cols-6 stock-results"
        )

        async def search() -> None:
            text = (form["query"] or "").strip()
            if not text:
                ui.notify(tr("Type a few words to search for, e.g. ocean waves"), type="warning")
                return
            busy.set_visibility(True)
            search_button.disable()
            try:
                items, notices = await call(
                    ws.ideas.stock_search,
                    text,
                    kind=form["kind"],
                    provider=form["provider"],
                    platform=state.project.platforms[0],
                    limit=STOCK_RESULTS,
                )
            except Failed:
                return
            finally:
                busy.set_visibility(False)
                search_button.enable()
            for notice in notices:
                ui.notify(notice, type="warning", multi_line=True)
            results.clear()
            with results:
                if not items:
                    ui.label(tr("Nothing found for “{text}”: try other words.", text=text)).classes(
                        "text-body2"
                    )
                for item in items:
                    _stock_tile(item, text, form["kind"])

        async def add(item: dict[str, Any], text: str, kind: str, button: ui.button) -> None:
            button.disable()
            button.props("loading")
            try:
                asset, created = await call(
                    ws.ideas.import_stock, ws.assets, item["provider"], item["id"], text, kind
                )
            except Failed:
                return
            finally:
                button.props(remove="loading")
                button.enable()
            ui.notify(
                tr("{file} added to the library", file=asset.filename)
                if created
                else tr("{file} was already in the library", file=asset.filename),
                type="positive",
            )
            await redraw()

        def _stock_tile(item: dict[str, Any], text: str, kind: str) -> None:
            with ui.card().classes("p-1 gap-1"):
                if item.get("preview_url"):
                    author = item.get("author") or item["provider"]
                    alt = (
                        tr("video by {author}", author=author)
                        if kind == "video"
                        else tr("photo by {author}", author=author)
                    )
                    ui.image(item["preview_url"]).props(f'fit=cover alt="{alt}"').classes(
                        "w-full aspect-square rounded"
                    )
                details = [item["provider"].capitalize()]
                if item.get("duration"):
                    details.append(duration_text(item["duration"]))
                details.append(f"{item['width']}×{item['height']}")
                ui.label(" · ".join(details)).classes("text-caption")
                if item.get("author"):
                    ui.label(tr("by {author}", author=item["author"])).classes(
                        "text-caption text-grey-7 ellipsis"
                    )
                add_label = (
                    tr(
                        "Add video {id} from {provider} to the library",
                        id=item["id"],
                        provider=item["provider"],
                    )
                    if kind == "video"
                    else tr(
                        "Add photo {id} from {provider} to the library",
                        id=item["id"],
                        provider=item["provider"],
                    )
                )
                button = (
                    ui.button(tr("Add to library"), icon="add")
                    .props(f'dense no-caps flat aria-label="{add_label}"')
                    .mark("stock-add")
                )
                button.on_click(lambda b=button: add(item, text, kind, b))

        search_button.on_click(search)
        query.on("keydown.enter", search)

    async def added() -> None:
        await match_library(told=False)

    # --- the page ----------------------------------------------------------------------------

    await reload_library()
    ui.label(tr("Scenes")).classes("text-h6")
    motion_part()
    await scenes_part()
    ui.separator()
    ui.label(tr("Your library")).classes("text-h6")
    upload_area(
        ws,
        label=tr("Drop clips and pictures here: they go to the scenes their names match"),
        wanted={"video", "image"},
        on_added=lambda _asset, _created: added(),
        mark="library-upload",
    )
    library_part()
    ui.separator()
    ui.label(tr("Stock footage")).classes("text-h6")
    stock_part()

    def on_reload() -> None:
        motion_part.refresh()  # (a new script: scenes_part finds its matches again)
        scenes_part.refresh()
        library_part.refresh()

    state.on_reload(on_reload)


def _asset_tile(asset: AssetOut, *, action: str | None = None, on_click: Any = None) -> ui.card:
    """A library tile: thumbnail (hover to preview a clip), name and details; with a button
    when ``action`` is given."""
    with (
        ui.card()
        .classes("p-1 gap-1 asset-tile")
        .props(f'role="group" aria-label="{asset.filename}"') as tile
    ):
        with ui.element("div").classes("w-full aspect-square overflow-hidden rounded"):
            thumbnail(asset)
        ui.label(asset.filename).classes("text-caption text-weight-medium ellipsis w-full")
        ui.label(describe(asset)).classes("text-caption text-grey-7")
        if action is not None:
            ui.button(action, on_click=on_click).props(
                f'dense no-caps outline aria-label="{action}: {asset.filename}"'
            ).classes("w-full")
    if asset.kind == "video":
        hover_preview(tile)
    tile.props("draggable=true")
    tile.on("dragstart", js_handler=DRAG_START_JS.replace("ASSET", asset.id))
    return tile


def _entry(state: ProjectState, index: int) -> str | None:
    chosen = state.project.background.assets
    return chosen[index] if index < len(chosen) else None


#: Drag and drop of a library tile onto a scene (the browser's own drag and drop): the tile
#: puts its asset id in the drag, the scene shows it is a target and hands the id over.
DRAG_START_JS = "(e) => { e.dataTransfer.setData('text/plain', 'ASSET'); }"
DRAG_OVER_JS = "(e) => { e.preventDefault(); e.currentTarget.classList.add('drop-target'); }"
DRAG_LEAVE_JS = "(e) => e.currentTarget.classList.remove('drop-target')"
DROP_JS = (
    "(e) => { e.preventDefault(); e.currentTarget.classList.remove('drop-target');"
    " emit(e.dataTransfer.getData('text/plain')); }"
)


def _generated_placeholder(index: int) -> None:
    colours = ("#5B3FD9, #18A0A8", "#E0457B, #5B3FD9", "#134E5E, #71B280", "#232526, #C04848")
    with (
        ui.element("div")
        .classes("w-full h-full flex items-center justify-center text-white")
        .style(f"background: linear-gradient(160deg, {colours[index % len(colours)]})"),
        ui.column().classes("items-center gap-1"),
    ):
        ui.icon("auto_awesome", size="md").props('aria-hidden="true"')
        ui.label(tr("Generated")).classes("text-caption")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
