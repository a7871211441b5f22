"""Settings: provider API keys (stored encrypted, shown only masked), the server's defaults
(read-only: they come from ``VO_*`` environment variables), the status of the database,
storage, FFmpeg and render workers, and the theme."""

from __future__ import annotations

import re
from typing import Any

from nicegui import app, ui
from nicegui.elements.dark_mode import DarkMode

from video_orchestrator.config import Settings, default_config_file
from video_orchestrator.services.secrets_store import SECRET_NAMES, SecretOut
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui import preferences
from video_orchestrator.ui.common import Failed, call, when
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import marked, tr, tr_n
from video_orchestrator.ui.tab_script import language_options
from video_orchestrator.ui.tab_voice import voice_order, voice_value

#: What each stored provider setting is for.
PROVIDERS: dict[str, tuple[str, str]] = {
    "llm_api_key": (
        marked("OpenAI-compatible language model"),
        marked("writes scripts (also set VO_LLM_BASE_URL or VO_LLM_PRESET)"),
    ),
    "anthropic_api_key": ("Anthropic Claude", marked("writes scripts")),
    "gemini_api_key": ("Google Gemini", marked("writes scripts")),
    "openai_speech_api_key": (marked("OpenAI speech"), marked("cloud voices")),
    "elevenlabs_api_key": ("ElevenLabs", marked("cloud voices")),
    "pexels_api_keys": (
        "Pexels",
        marked("stock footage; several keys separated by commas (also set VO_STOCK_PROVIDERS)"),
    ),
    "pixabay_api_keys": (
        "Pixabay",
        marked("stock footage; several keys separated by commas (also set VO_STOCK_PROVIDERS)"),
    ),
}
THEMES = {"light": marked("Light"), "dark": marked("Dark"), "auto": marked("As the system")}
CHECK_NAMES = {
    "database": marked("Database"),
    "storage": marked("File storage"),
    "ffmpeg": "FFmpeg",
    "executor": marked("Render workers"),
}


def env_name(field: str) -> str:
    return "VO_" + field.upper()


def hide_password(url: str) -> str:
    """``scheme://user:secret@host`` with the secret hidden."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1•••@", url)


def stored_text(stored: SecretOut | None) -> str:
    """``set, ends in …wxyz, saved 2025-01-02 10:00`` (never the key itself)."""
    if stored is None:
        return tr("not set")
    tail = stored.masked.rpartition("…")[2] if "…" in stored.masked else ""
    if tail:
        return tr("set, ends in …{tail}, saved {when}", tail=tail, when=when(stored.updated_at))
    return tr("set, saved {when}", when=when(stored.updated_at))


def _theme_value(choice: str) -> bool | None:
    return {"light": False, "dark": True}.get(choice)


def _theme_of(value: Any) -> str:
    return "auto" if value is None else "dark" if value else "light"


async def show(env: UiEnv) -> None:
    ws = env.ws
    ui.label(tr("Settings")).classes("text-h5").props('role="heading" aria-level="1"')
    await _providers(ws)
    await _my_defaults(ws)
    _defaults(ws.base_ctx.settings)
    await _status(ws)
    _theme()


async def _providers(ws: Workspace) -> None:
    with ui.card().classes("w-full settings-providers").props(f'aria-label="{tr("Providers")}"'):
        ui.label(tr("Providers and API keys")).classes("text-h6")
        ui.label(
            tr(
                "Keys are stored encrypted on this server and never shown again: only whether "
                "one is set and its last four characters. A key set in the server's environment "
                "wins over one saved here."
            )
        ).classes("text-body2 text-grey-8")

        @ui.refreshable
        async def rows() -> None:
            try:
                stored = {s.name: s for s in await call(ws.secrets.all)}
            except Failed:
                ui.label(tr("The stored keys cannot be read: see Status below.")).classes(
                    "text-negative"
                )
                return
            environment = ws.base_ctx.settings
            for name in SECRET_NAMES:
                title, purpose = PROVIDERS.get(name, (name, ""))
                _provider_row(
                    ws,
                    name,
                    tr(title),
                    tr(purpose) if purpose else "",
                    stored.get(name),
                    environment,
                    rows,
                )

        await rows()


def _provider_row(
    ws: Workspace,
    name: str,
    title: str,
    purpose: str,
    stored: SecretOut | None,
    environment: Settings,
    rows: Any,
) -> None:
    from_env = bool(getattr(environment, name, None))
    with ui.row().classes(f"w-full items-center gap-3 py-2 provider provider-{name}"):
        with ui.column().classes("gap-0 w-72"):
            ui.label(title).classes("text-subtitle1")
            ui.label(purpose).classes("text-caption text-grey-7")
        with ui.column().classes("gap-0 w-64"):
            state = stored_text(stored)
            ui.label(state).classes(
                "text-body2 provider-state "
                + ("text-green-700 dark:text-green-400" if stored else "text-grey-8")
            ).mark(f"provider-state-{name}")
            if from_env:
                ui.label(
                    tr("set by {name} in the environment (used first)", name=env_name(name))
                ).classes("text-caption text-primary provider-env")
        key = (
            ui.input(tr("New {title} key", title=title), password=True)
            .props('dense outlined autocomplete="new-password"')
            .classes("grow min-w-[14rem] provider-input")
            .mark(f"provider-input-{name}")
        )

        async def save() -> None:
            value = (key.value or "").strip()
            if not value:
                ui.notify(tr("Paste the {title} key first", title=title), type="warning")
                return
            try:
                saved = await call(ws.save_secret, name, value)
            except Failed:
                return
            key.value = ""
            tail = saved.masked.rpartition("…")[2] if "…" in saved.masked else ""
            ui.notify(
                tr("{title} key saved (set, ends in …{tail})", title=title, tail=tail)
                if tail
                else tr("{title} key saved (set)", title=title),
                type="positive",
            )
            rows.refresh()

        async def remove() -> None:
            try:
                await call(ws.delete_secret, name)
            except Failed:
                return
            ui.notify(tr("{title} key removed", title=title))
            rows.refresh()

        key.on("keydown.enter", save)
        ui.button(tr("Save"), on_click=save).props(
            f'no-caps aria-label="{tr("Save the {title} key", title=title)}"'
        ).classes("provider-save").mark(f"provider-save-{name}")
        if stored is not None:
            remove_label = tr("Remove the {title} key", title=title)
            ui.button(tr("Remove"), on_click=remove).props(
                f'flat no-caps color=negative aria-label="{remove_label}"'
            ).classes("provider-remove").mark(f"provider-remove-{name}")


async def _my_defaults(ws: Workspace) -> None:
    """Voice, language and platform for the projects this browser creates."""
    platforms = {name: preset.display_name for name, preset in ws.ctx.presets.items()}
    current = preferences.load(ws.ctx.settings, list(platforms))
    try:
        voices = sorted(await call(ws.ctx.all_voices), key=voice_order)
    except Failed:
        voices = []
    voice_options = {
        voice_value(v): v.name if v.language in v.name else f"{v.name} ({v.language})"
        for v in voices
        if v.installed
    }
    voice_options.setdefault(current.voice, current.voice)
    languages = language_options(current.language)
    chosen = {"voice": current.voice, "language": current.language, "platform": current.platform}
    saved = dict(chosen)

    def changed() -> None:
        # a select fires on_change while it is drawn and bound too: only a real change saves
        if chosen == saved or not all(chosen.values()):
            return
        preferences.save(preferences.NewProjectDefaults(**chosen))
        saved.update(chosen)
        ui.notify(tr("Saved: new projects in this browser start with these"), type="positive")

    with (
        ui.card()
        .classes("w-full my-defaults")
        .props(f'aria-label="{tr("Defaults for new projects")}"')
    ):
        ui.label(tr("Defaults for your new projects")).classes("text-h6")
        ui.label(
            tr("Used by “New project” in this browser; each project can still choose its own.")
        ).classes("text-body2 text-grey-8")
        with ui.row().classes("w-full gap-4"):
            ui.select(
                voice_options, label=tr("Voice"), with_input=True, on_change=changed
            ).bind_value(chosen, "voice").classes("w-80").mark("default-voice")
            ui.select(
                languages, label=tr("Language"), with_input=True, on_change=changed
            ).bind_value(chosen, "language").classes("w-48").mark("default-language")
            ui.select(platforms, label=tr("Platform"), on_change=changed).bind_value(
                chosen, "platform"
            ).classes("w-56").mark("default-platform")


def _defaults(settings: Settings) -> None:
    with (
        ui.card().classes("w-full settings-defaults").props(f'aria-label="{tr("Server settings")}"')
    ):
        ui.label(tr("Server settings")).classes("text-h6")
        ui.label(
            tr(
                "These come from the server's configuration and are read-only here: set the "
                "environment variable (or the same name, without VO_, in {file}) "
                "and restart `vo serve`.",
                file=default_config_file(),
            )
        ).classes("text-body2 text-grey-8")
        rows = [
            (tr("Voice"), settings.default_voice, "VO_DEFAULT_VOICE"),
            (tr("Platform"), settings.default_platform, "VO_DEFAULT_PLATFORM"),
            (tr("Language model"), settings.llm_model, "VO_LLM_MODEL"),
            (
                tr("Script writers tried"),
                settings.llm_providers or tr("every configured provider"),
                "VO_LLM_PROVIDERS",
            ),
            (
                tr("Stock footage"),
                ", ".join(settings.stock_providers) or tr("none (generated backgrounds)"),
                "VO_STOCK_PROVIDERS",
            ),
        ]
        _table(rows, "defaults")


def _table(rows: list[tuple[str, str, str]], marker: str) -> None:
    with ui.element("table").classes(f"settings-table {marker}"):
        with ui.element("tr"):
            for head in (tr("Setting"), tr("Value"), tr("How to change it")):
                with ui.element("th").classes("text-left pr-6"):
                    ui.label(head).classes("text-caption text-grey-7")
        for label, value, how in rows:
            with ui.element("tr"):
                with ui.element("td").classes("pr-6"):
                    ui.label(label)
                with ui.element("td").classes("pr-6"):
                    ui.label(value).classes("font-mono")
                with ui.element("td"):
                    ui.label(how).classes("text-grey-8")


async def _status(ws: Workspace) -> None:
    settings = ws.base_ctx.settings
    with ui.card().classes("w-full settings-status").props(f'aria-label="{tr("Status")}"'):
        ui.label(tr("Status")).classes("text-h6")

        @ui.refreshable
        async def checks() -> None:
            with ui.row().classes("items-center gap-2") as waiting:
                ui.spinner(size="sm").props('aria-hidden="true"')
                ui.label(tr("Checking the database, storage, FFmpeg and workers…"))
            try:
                result = await call(ws.readiness)
            except Failed:
                waiting.delete()
                ui.label(tr("The status could not be checked: press Check again.")).classes(
                    "text-negative"
                )
                return
            waiting.delete()
            ui.label(
                tr("Everything is ready.") if result.ready else tr("Something needs attention:")
            ).classes(
                "text-body1 "
                + ("text-green-700 dark:text-green-400" if result.ready else "text-negative")
            )
            with ui.column().classes("gap-1 status-checks"):
                for name, text in result.checks.items():
                    ok = text.startswith("ok")
                    with ui.row().classes(f"items-center gap-2 status-{name}"):
                        ui.icon("check_circle" if ok else "error").classes(
                            "text-positive" if ok else "text-negative"
                        ).props(f'role="img" aria-label="{tr("ok") if ok else tr("problem")}"')
                        ui.label(tr(CHECK_NAMES.get(name, name))).classes("font-medium w-32")
                        ui.label(text.removeprefix("ok").strip(" ()") or "ok").classes(
                            "text-grey-8" if ok else "text-negative"
                        )
                        if not ok:
                            ui.label(_fix(name)).classes("text-caption text-grey-8")

        ui.button(tr("Check again"), icon="refresh", on_click=lambda: checks.refresh()).props(
            "flat dense no-caps"
        )
        await checks()
        rows = [
            (tr("Data folder"), str(settings.data_dir), "VO_DATA_DIR"),
            (tr("Database"), hide_password(settings.database()), "VO_DATABASE_URL"),
            (tr("File storage"), hide_password(settings.storage()), "VO_STORAGE_URL"),
            (tr("Cache"), str(settings.cache_dir), "VO_CACHE_DIR"),
            (
                tr("Render workers"),
                settings.executor
                + (
                    ", " + tr_n("{count} process", "{count} processes", settings.workers)
                    if settings.executor == "local"
                    else ""
                ),
                "VO_EXECUTOR, VO_WORKERS",
            ),
        ]
        _table(rows, "storage")


def _fix(check: str) -> str:
    return {
        "database": tr("Check VO_DATABASE_URL and that the database server runs."),
        "storage": tr("Check VO_STORAGE_URL and that the folder or bucket can be written."),
        "ffmpeg": tr("Install FFmpeg or set VO_FFMPEG to its path."),
        "executor": tr("Restart `vo serve`; with VO_EXECUTOR=celery, start a Celery worker."),
    }.get(check, tr("See the server's log."))


def _theme() -> None:
    with ui.card().classes("w-full settings-theme").props(f'aria-label="{tr("Appearance")}"'):
        ui.label(tr("Appearance")).classes("text-h6")

        def choose(choice: str) -> None:
            value = _theme_value(choice)
            app.storage.user["dark"] = value
            # every dark-mode switch on the page (the header's too) follows the choice
            for element in ui.context.client.layout.descendants():
                if isinstance(element, DarkMode):
                    element.value = value

        ui.select(
            {key: tr(name) for key, name in THEMES.items()},
            value=_theme_of(app.storage.user.get("dark", False)),
            label=tr("Theme"),
            on_change=lambda e: choose(e.value),
        ).classes("w-48 theme-select").mark("theme-select")
