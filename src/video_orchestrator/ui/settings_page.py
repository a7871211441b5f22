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
from video_orchestrator.ui.tab_script import LANGUAGES
from video_orchestrator.ui.tab_voice import voice_order, voice_value

#: What each stored provider setting is for.
PROVIDERS: dict[str, tuple[str, str]] = {
    "llm_api_key": (
        "OpenAI-compatible language model",
        "writes scripts (also set VO_LLM_BASE_URL or VO_LLM_PRESET)",
    ),
    "anthropic_api_key": ("Anthropic Claude", "writes scripts"),
    "gemini_api_key": ("Google Gemini", "writes scripts"),
    "openai_speech_api_key": ("OpenAI speech", "cloud voices"),
    "elevenlabs_api_key": ("ElevenLabs", "cloud voices"),
    "pexels_api_keys": (
        "Pexels",
        "stock footage; several keys separated by commas (also set VO_STOCK_PROVIDERS)",
    ),
    "pixabay_api_keys": (
        "Pixabay",
        "stock footage; several keys separated by commas (also set VO_STOCK_PROVIDERS)",
    ),
}
THEMES = {"light": "Light", "dark": "Dark", "auto": "As the system"}
CHECK_NAMES = {
    "database": "Database",
    "storage": "File storage",
    "ffmpeg": "FFmpeg",
    "executor": "Render workers",
}


def env_name(field: str) -> str:
    return "VO_" + field.upper()


def hide_password(url: str) -> str:
    """``scheme://user:secret@host`` with the secret hidden."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1•••@", url)


def stored_text(stored: SecretOut | None) -> str:
    """``set, ends in …wxyz, saved 2025-01-02 10:00`` (never the key itself)."""
    if stored is None:
        return "not set"
    tail = stored.masked.rpartition("…")[2] if "…" in stored.masked else ""
    return "set" + (f", ends in …{tail}" if tail else "") + f", saved {when(stored.updated_at)}"


def _theme_value(choice: str) -> bool | None:
    return {"light": False, "dark": True}.get(choice)


def _theme_of(value: Any) -> str:
    return "auto" if value is None else "dark" if value else "light"


async def show(env: UiEnv) -> None:
    ws = env.ws
    ui.label("Settings").classes("text-h5").props('role="heading" aria-level="1"')
    await _providers(ws)
    await _my_defaults(ws)
    _defaults(ws.base_ctx.settings)
    await _status(ws)
    _theme()


async def _providers(ws: Workspace) -> None:
    with ui.card().classes("w-full settings-providers").props('aria-label="Providers"'):
        ui.label("Providers and API keys").classes("text-h6")
        ui.label(
            "Keys are stored encrypted on this server and never shown again: only whether "
            "one is set and its last four characters. A key set in the server's environment "
            "wins over one saved here."
        ).classes("text-body2 text-grey-8")

        @ui.refreshable
        async def rows() -> None:
            try:
                stored = {s.name: s for s in await call(ws.secrets.all)}
            except Failed:
                ui.label("The stored keys cannot be read: see Status below.").classes(
                    "text-negative"
                )
                return
            environment = ws.base_ctx.settings
            for name in SECRET_NAMES:
                title, purpose = PROVIDERS.get(name, (name, ""))
                _provider_row(ws, name, title, purpose, stored.get(name), environment, rows)

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
                ui.label(f"set by {env_name(name)} in the environment (used first)").classes(
                    "text-caption text-primary provider-env"
                )
        key = (
            ui.input(f"New {title} key", password=True)
            .props('dense outlined autocomplete="new-password"')
            .classes("grow min-w-[14rem] provider-input")
            .mark(f"provider-input-{name}")
        )

        async def save() -> None:
            value = (key.value or "").strip()
            if not value:
                ui.notify(f"Paste the {title} key first", type="warning")
                return
            try:
                saved = await call(ws.save_secret, name, value)
            except Failed:
                return
            key.value = ""
            ui.notify(
                f"{title} key saved ({stored_text(saved).split(', saved')[0]})", type="positive"
            )
            rows.refresh()

        async def remove() -> None:
            try:
                await call(ws.delete_secret, name)
            except Failed:
                return
            ui.notify(f"{title} key removed")
            rows.refresh()

        key.on("keydown.enter", save)
        ui.button("Save", on_click=save).props(
            f'no-caps aria-label="Save the {title} key"'
        ).classes("provider-save").mark(f"provider-save-{name}")
        if stored is not None:
            ui.button("Remove", on_click=remove).props(
                f'flat no-caps color=negative aria-label="Remove the {title} key"'
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
    languages = dict(LANGUAGES)
    languages.setdefault(current.language, current.language)
    chosen = {"voice": current.voice, "language": current.language, "platform": current.platform}
    saved = dict(chosen)

    def changed() -> None:
        # a select fires on_change while it is drawn and bound too: only a real change saves
        if chosen == saved or not all(chosen.values()):
            return
        preferences.save(preferences.NewProjectDefaults(**chosen))
        saved.update(chosen)
        ui.notify("Saved: new projects in this browser start with these", type="positive")

    with ui.card().classes("w-full my-defaults").props('aria-label="Defaults for new projects"'):
        ui.label("Defaults for your new projects").classes("text-h6")
        ui.label(
            "Used by “New project” in this browser; each project can still choose its own."
        ).classes("text-body2 text-grey-8")
        with ui.row().classes("w-full gap-4"):
            ui.select(voice_options, label="Voice", with_input=True, on_change=changed).bind_value(
                chosen, "voice"
            ).classes("w-80").mark("default-voice")
            ui.select(languages, label="Language", with_input=True, on_change=changed).bind_value(
                chosen, "language"
            ).classes("w-48").mark("default-language")
            ui.select(platforms, label="Platform", on_change=changed).bind_value(
                chosen, "platform"
            ).classes("w-56").mark("default-platform")


def _defaults(settings: Settings) -> None:
    with ui.card().classes("w-full settings-defaults").props('aria-label="Server settings"'):
        ui.label("Server settings").classes("text-h6")
        ui.label(
            "These come from the server's configuration and are read-only here: set the "
            f"environment variable (or the same name, without VO_, in {default_config_file()}) "
            "and restart `vo serve`."
        ).classes("text-body2 text-grey-8")
        rows = [
            ("Voice", settings.default_voice, "VO_DEFAULT_VOICE"),
            ("Platform", settings.default_platform, "VO_DEFAULT_PLATFORM"),
            ("Language model", settings.llm_model, "VO_LLM_MODEL"),
            (
                "Script writers tried",
                settings.llm_providers or "every configured provider",
                "VO_LLM_PROVIDERS",
            ),
            (
                "Stock footage",
                ", ".join(settings.stock_providers) or "none (generated backgrounds)",
                "VO_STOCK_PROVIDERS",
            ),
        ]
        _table(rows, "defaults")


def _table(rows: list[tuple[str, str, str]], marker: str) -> None:
    with ui.element("table").classes(f"settings-table {marker}"):
        with ui.element("tr"):
            for head in ("Setting", "Value", "How to change it"):
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
    with ui.card().classes("w-full settings-status").props('aria-label="Status"'):
        ui.label("Status").classes("text-h6")

        @ui.refreshable
        async def checks() -> None:
            with ui.row().classes("items-center gap-2") as waiting:
                ui.spinner(size="sm").props('aria-hidden="true"')
                ui.label("Checking the database, storage, FFmpeg and workers…")
            try:
                result = await call(ws.readiness)
            except Failed:
                waiting.delete()
                ui.label("The status could not be checked: press Check again.").classes(
                    "text-negative"
                )
                return
            waiting.delete()
            ui.label(
                "Everything is ready." if result.ready else "Something needs attention:"
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
                        ).props(f'role="img" aria-label="{"ok" if ok else "problem"}"')
                        ui.label(CHECK_NAMES.get(name, name)).classes("font-medium w-32")
                        ui.label(text.removeprefix("ok").strip(" ()") or "ok").classes(
                            "text-grey-8" if ok else "text-negative"
                        )
                        if not ok:
                            ui.label(_fix(name)).classes("text-caption text-grey-8")

        ui.button("Check again", icon="refresh", on_click=lambda: checks.refresh()).props(
            "flat dense no-caps"
        )
        await checks()
        rows = [
            ("Data folder", str(settings.data_dir), "VO_DATA_DIR"),
            ("Database", hide_password(settings.database()), "VO_DATABASE_URL"),
            ("File storage", hide_password(settings.storage()), "VO_STORAGE_URL"),
            ("Cache", str(settings.cache_dir), "VO_CACHE_DIR"),
            (
                "Render workers",
                f"{settings.executor}"
                + (f", {settings.workers} process(es)" if settings.executor == "local" else ""),
                "VO_EXECUTOR, VO_WORKERS",
            ),
        ]
        _table(rows, "storage")


def _fix(check: str) -> str:
    return {
        "database": "Check VO_DATABASE_URL and that the database server runs.",
        "storage": "Check VO_STORAGE_URL and that the folder or bucket can be written.",
        "ffmpeg": "Install FFmpeg or set VO_FFMPEG to its path.",
        "executor": "Restart `vo serve`; with VO_EXECUTOR=celery, start a Celery worker.",
    }.get(check, "See the server's log.")


def _theme() -> None:
    with ui.card().classes("w-full settings-theme").props('aria-label="Appearance"'):
        ui.label("Appearance").classes("text-h6")

        def choose(choice: str) -> None:
            value = _theme_value(choice)
            app.storage.user["dark"] = value
            # every dark-mode switch on the page (the header's too) follows the choice
            for element in ui.context.client.layout.descendants():
                if isinstance(element, DarkMode):
                    element.value = value

        ui.select(
            THEMES,
            value=_theme_of(app.storage.user.get("dark", False)),
            label="Theme",
            on_change=lambda e: choose(e.value),
        ).classes("w-48 theme-select").mark("theme-select")
