"""The asset library as the Background and Audio tabs show it: drag-and-drop upload into the
library, thumbnails (a still for pictures, a muted clip that plays on hover for videos) and a
one-line description of an asset."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from nicegui import events, ui

from video_orchestrator.services.assets import AssetKind, AssetOut
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui.common import Failed, call, duration_text, size_text, tell
from video_orchestrator.ui.i18n import marked, tr
from video_orchestrator.ui.media import asset_url, in_page

ACCEPT_MEDIA = "video/*,image/*,audio/*"
ACCEPT_AUDIO = "audio/*"
KIND_NAMES = {
    "video": marked("a video"),
    "image": marked("a picture"),
    "audio": marked("an audio file"),
}

#: Client-side hover preview: a video thumbnail plays while the pointer (or the keyboard
#: focus) is on its tile and goes back to its poster frame after.
PLAY_JS = (
    "(e) => { const v = e.currentTarget.querySelector('video'); if (v) v.play().catch(() => {}); }"
)
STOP_JS = (
    "(e) => { const v = e.currentTarget.querySelector('video');"
    " if (v) { v.pause(); v.currentTime = 0.5; } }"
)

Added = Callable[[AssetOut, bool], Awaitable[None] | None]

#: The upload box's header: its title and progress, without Quasar's own "+" button (an
#: unnamed button wrapping an unlabelled file input); a named button below picks files.
UPLOAD_HEADER = """
<div class="q-uploader__header-content column items-start q-pa-sm">
  <div class="q-uploader__title">{label}</div>
  <div class="q-uploader__subtitle" aria-live="polite">
    {{{{ props.isUploading ? 'Sending… ' + props.uploadProgressLabel : '' }}}}
  </div>
</div>
"""
#: Runs in the click itself (a browser opens a file chooser only in answer to a gesture):
#: a detached file input hands the chosen files to the upload box, which sends them at once.
PICK_JS = """() => {{
  const box = getElement({id}).$refs.qRef;
  const input = document.createElement('input');
  input.type = 'file'; input.multiple = true; input.accept = '{accept}';
  input.onchange = () => box.addFiles(input.files);
  input.click();
}}"""


def upload_header(label: str) -> str:
    """:data:`UPLOAD_HEADER` for ``label``, its "Sending…" in this browser's locale."""
    sending = html.escape(tr("Sending…").replace("'", "’"))
    return UPLOAD_HEADER.format(label=html.escape(label)).replace("'Sending… '", f"'{sending} '")


def length_text(seconds: float) -> str:
    """``0.3 s`` for a short sound, ``0:12`` for a clip."""
    return f"{seconds:.1f} s" if seconds < 10 else duration_text(seconds)


def describe(asset: AssetOut) -> str:
    """``video · 0:12 · 1920×1080 · 4.1 MB``."""
    parts: list[str] = [asset.kind]
    if asset.duration:
        parts.append(length_text(asset.duration))
    if asset.width and asset.height:
        parts.append(f"{asset.width}×{asset.height}")
    parts.append(size_text(asset.size))
    return " · ".join(parts)


def thumbnail(asset: AssetOut, classes: str = "w-full h-full") -> None:
    """A picture of ``asset``: the image itself, a video's frame at 0.5 s (playing, muted, while
    the pointer is on the tile around it: see :func:`hover_preview`), or an icon for audio."""
    if asset.kind == "image":
        ui.image(asset_url(asset.id)).props(
            f'fit=cover alt="{_attr(asset.filename)}" loading=lazy no-spinner'
        ).classes(classes)
    elif asset.kind == "video":
        video = ui.element("video").classes(classes + " object-cover bg-black")
        video.props(
            f'src="{in_page(asset_url(asset.id))}#t=0.5" preload=metadata muted playsinline loop '
            f'disablepictureinpicture aria-label="{_attr(asset.filename)}"'
        )
    else:
        with ui.element("div").classes(classes + " flex items-center justify-center bg-grey-3"):
            ui.icon("music_note", size="lg").props('aria-hidden="true"')


def hover_preview(tile: ui.element) -> None:
    """Play the video inside ``tile`` while the pointer or the keyboard focus is on it."""
    tile.on("mouseenter", js_handler=PLAY_JS).on("mouseleave", js_handler=STOP_JS)
    tile.on("focusin", js_handler=PLAY_JS).on("focusout", js_handler=STOP_JS)
    tile.on("touchstart", js_handler=PLAY_JS)  # a tap plays it on a touch screen


def upload_area(
    ws: Workspace,
    *,
    label: str,
    accept: str = ACCEPT_MEDIA,
    wanted: set[AssetKind] | None = None,
    on_added: Added | None = None,
    mark: str = "upload",
) -> ui.upload:
    """Drop files here (or pick them): each is received into a temporary file, checked and
    stored by the asset service, and the temporary file is always deleted. ``wanted``: the
    kinds the caller can use; another kind is kept in the library with a note."""
    limit = ws.ctx.settings.upload_max_bytes
    working = {"files": 0}

    def storing(step: int) -> None:
        working["files"] += step
        busy.set_visibility(working["files"] > 0)

    async def received(event: events.UploadEventArguments) -> None:
        name = event.file.name or tr("the file")
        storing(+1)
        try:
            path = ws.incoming_file()
        except OSError as exc:
            storing(-1)
            tell(exc)
            return
        try:
            await event.file.save(path)
            asset, created = await call(ws.assets.add_file, path, name, source="upload")
        except Failed:
            return
        except OSError as exc:  # the disk is full or the folder is not writable
            tell(exc)
            return
        finally:
            path.unlink(missing_ok=True)
            storing(-1)
        if wanted is not None and asset.kind not in wanted:
            ui.notify(
                tr(
                    "{file} is {kind}: it is in the library, but here you need {wanted}.",
                    file=asset.filename,
                    kind=tr(KIND_NAMES[asset.kind]),
                    wanted=tr(" or ").join(tr(KIND_NAMES[k]) for k in sorted(wanted)),
                ),
                type="warning",
                multi_line=True,
            )
            return
        ui.notify(
            tr("{file} added to the library", file=asset.filename)
            if created
            else tr("{file} was already in the library", file=asset.filename),
            type="positive",
        )
        if on_added is not None:
            result = on_added(asset, created)
            if result is not None:
                await result

    def rejected() -> None:
        ui.notify(
            tr(
                "That file was not taken: it must be a video, picture or audio file of at most "
                "{size}.",
                size=size_text(limit),
            ),
            type="warning",
            multi_line=True,
        )

    with ui.column().classes("w-full gap-1"):
        upload = (
            ui.upload(
                label=label,
                auto_upload=True,
                multiple=True,
                max_file_size=limit,
                on_upload=received,
                on_rejected=rejected,
            )
            .props(f'accept="{accept}" flat bordered color=primary')
            .classes("w-full")
            .mark(mark)
        )
        upload.add_slot("header", upload_header(label))
        # the sent files leave the list once all are sent: a message says how each went
        upload.on("finish", lambda: upload.reset())
        with ui.row().classes("w-full items-center gap-3"):
            choose_label = tr("{label}: choose files", label=html.escape(label))
            ui.button(tr("Choose files…"), icon="upload_file").props(
                f'outline no-caps dense aria-label="{choose_label}"'
            ).on("click", js_handler=PICK_JS.format(id=upload.id, accept=accept))
            ui.label(
                tr("or drag them onto the box; up to {size} each.", size=size_text(limit))
            ).classes("text-caption text-grey-7")
            with ui.row().classes("items-center gap-2") as busy:
                ui.spinner(size="sm").props(f'aria-label="{tr("Storing the upload")}"')
                ui.label(tr("Checking and storing the file…")).classes("text-caption")
            busy.set_visibility(False)
    return upload


def _attr(text: str) -> str:
    """``text`` safe inside a double-quoted prop value."""
    return text.replace('"', "'").replace("\n", " ")
