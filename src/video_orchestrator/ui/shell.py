"""The page frame: header with navigation, theme and sign-out, the sign-in gate (``session``),
and the routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import app, ui

from video_orchestrator.ui import (
    accounts_page,
    analytics_page,
    calendar_page,
    editor,
    experiments_page,
    i18n,
    notifications,
    projects_page,
    queue_page,
    session,
    settings_page,
    trends_page,
    webfont,
)
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import marked, tr

#: The studio's own styles: touch wording, drop targets, the phone's tab bar, and dark-theme
#: colours that keep WCAG AA contrast (Quasar's primary purple is too dark on near black).
#: In NiceGUI's "overrides" layer: an !important there beats Quasar's own (a later layer).
STUDIO_CSS = """
@layer overrides {
.on-touch { display: none; }
@media (hover: none) { .on-touch { display: block; } .on-pointer { display: none; } }
.drop-target { outline: 3px dashed var(--q-primary); outline-offset: 2px; }
.q-tooltip { background: #424242; }
.studio-header .studio-name { min-width: 0; }
@media (max-width: 599.98px) {
  .editor-tabs .q-tabs__content { flex-wrap: wrap; }
  .editor-tabs .q-tab { flex: 1 0 33%; min-height: 40px; padding: 0 4px; }
  .editor-tabs .q-tab__icon { display: none; }
  .editor-tabs .q-tabs__arrow { display: none; }
  .studio-header .studio-name { font-size: 1.05rem; }
}
.new-project-tabs .q-tab { flex: 1 1 0; min-width: 0; padding: 0 6px; }
.new-project-tabs .q-tabs__arrow { display: none; }
.body--dark a, .body--dark .text-primary { color: #B9A8FF !important; }
.body--dark .q-btn.text-primary, .body--dark .q-tab--active { color: #B9A8FF !important; }
.body--dark .text-grey-7, .body--dark .text-grey-8, .body--dark .text-grey-9,
.body--dark .text-grey-10 { color: #C4C4C4 !important; }
.body--dark .bg-blue-1, .body--dark .bg-orange-1,
.body--dark .bg-red-1 { color: #111 !important; }
.body--dark .bg-blue-1 .text-grey-8, .body--dark .bg-blue-1 .text-grey-9,
.body--dark .bg-orange-1 .text-grey-8 { color: #333 !important; }
.body--dark .bg-blue-1 a, .body--dark .bg-orange-1 a { color: #3A1FB0 !important; }
.q-notifications__list--bottom { bottom: 72px; }
@media (min-width: 600px) {
  .q-notifications__list--bottom { align-items: flex-end !important; padding-right: 16px; }
}
.q-field__append .q-btn, .q-field__prepend .q-btn {
  box-shadow: inset 0 0 0 1px rgba(127, 127, 127, 0.9);
}
.render-bar { position: sticky; bottom: 0; z-index: 5; background: #fff; color: #1a1a1a; }
.body--dark .render-bar { background: #1d1d1d; color: #fff; }
.body--dark .text-negative { color: #FF8A80 !important; }
.body--dark .text-positive { color: #7CD88A !important; }
.body--dark .text-accent { color: #5FD3D9 !important; }
.body--dark .analytics-chart svg text { fill: #DDDDDD !important; }
}
"""

#: The pages: label (translated when shown), path, icon; the CSS class comes from the path.
NAV = (
    (marked("Projects"), "/", "movie"),
    (marked("Queue"), "/queue", "pending_actions"),
    (marked("Trends"), "/trends", "trending_up"),
    (marked("Calendar"), "/calendar", "calendar_month"),
    (marked("Accounts"), "/accounts", "manage_accounts"),
    (marked("Analytics"), "/analytics", "insights"),
    (marked("Experiments"), "/experiments", "science"),
    (marked("Settings"), "/settings", "settings"),
)


def nav_class(path: str) -> str:
    """``/`` → ``projects``, ``/queue`` → ``queue``: a page's class, the same in every locale."""
    return path.strip("/").split("/")[0] or "projects"


def choose_locale(code: str) -> None:
    app.storage.user[i18n.KEY] = code
    ui.navigate.reload()


async def root(env: UiEnv) -> None:
    request = ui.context.client.request
    header = request.headers.get("accept-language") if request is not None else None
    app.storage.user[i18n.FROM_BROWSER] = i18n.from_header(header)
    locale = i18n.current()
    # now, and again once the app is mounted (Quasar's language plugin writes its own, en-US)
    ui.add_head_html(
        f'<script>document.documentElement.lang = "{locale}"; document.addEventListener('
        f'"DOMContentLoaded", () => {{ document.documentElement.lang = "{locale}"; }});</script>'
    )
    signed_in = not env.require_login or await session.verified(env) is not None
    dark = ui.dark_mode(value=app.storage.user.get("dark", False))
    ui.colors(primary="#5B3FD9", secondary="#B8325F", accent="#127A80", positive="#1E7D32")
    ui.add_head_html(
        '<meta name="description" content="Video Orchestrator: make short vertical videos">'
    )
    ui.add_css(STUDIO_CSS)
    if fallback := webfont.css():  # CJK text where the computer has no CJK font
        ui.add_css(fallback)
    with ui.header().classes("items-center gap-2 px-2 sm:px-4 py-1 no-wrap studio-header"):
        # on a phone one row: the menu (room for more pages), the name, the theme
        with (
            ui.button(icon="menu")
            .props(f'flat round color=white aria-label="{tr("Menu")}"')
            .classes("lt-md nav-menu"),
            ui.menu().props(f'aria-label="{tr("Pages")}"'),
        ):
            for label, path, icon in NAV:
                item = ui.menu_item(on_click=lambda p=path: ui.navigate.to(p))
                with (
                    item.classes("menu-" + nav_class(path)),
                    ui.row().classes("items-center gap-3"),
                ):
                    ui.icon(icon).props('aria-hidden="true"')
                    ui.label(tr(label))
            if env.require_login and signed_in:
                with ui.menu_item(on_click=lambda: session.sign_out(env)):
                    ui.label(tr("Sign out"))
        ui.label("Video Orchestrator").classes("text-h6 font-bold ellipsis studio-name")
        with (
            ui.row()
            .classes("gap-1 gt-sm no-wrap")
            .props(f'role="navigation" aria-label="{tr("Main")}"')
        ):
            for label, path, icon in NAV:
                ui.button(tr(label), icon=icon, on_click=lambda p=path: ui.navigate.to(p)).props(
                    "flat color=white no-caps"
                ).classes("nav-" + nav_class(path))
        ui.space()
        with (
            ui.button(icon="translate")
            .props(f'flat round color=white aria-label="{tr("Language")}"')
            .classes("locale-menu")
            .tooltip(tr("Language")),
            ui.menu().props(f'aria-label="{tr("Language")}"'),
        ):
            for code, name in i18n.LOCALES.items():
                chosen = ui.menu_item(name, on_click=lambda c=code: choose_locale(c))
                chosen.classes(f"locale-{code}" + (" text-primary" if code == locale else ""))
                chosen.mark(f"locale-{code}")
                chosen.props(f'lang="{code}"')
        if signed_in:
            notifications.bell(env)

        def toggle() -> None:
            dark.toggle()
            app.storage.user["dark"] = dark.value

        ui.button(icon="dark_mode", on_click=toggle).props(
            f'flat round color=white aria-label="{tr("Switch light or dark theme")}"'
        ).tooltip(tr("Light or dark theme"))
        if env.require_login and signed_in:
            ui.button(tr("Sign out"), icon="logout", on_click=lambda: session.sign_out(env)).props(
                "flat color=white no-caps"
            ).classes("sign-out gt-sm")

    if not signed_in:
        session.sign_in_form(env)
        return
    if env.require_login:
        session.watch(env)

    async def gate() -> bool:
        """A sub-page (navigated to without a page load) checks the session too."""
        if not env.require_login or await session.verified(env) is not None:
            return True
        ui.navigate.reload()
        return False

    async def projects() -> None:
        if await gate():
            await projects_page.show(env)

    async def project(project_id: str) -> None:
        if await gate():
            await editor.show(env, project_id)

    async def queue() -> None:
        if await gate():
            await queue_page.show(env)

    async def trends(trend_id: str | None = None) -> None:
        if await gate():
            await trends_page.show(env, trend_id)

    async def calendar() -> None:
        if await gate():
            await calendar_page.show(env)

    async def accounts() -> None:
        if await gate():
            await accounts_page.show(env)

    async def experiments() -> None:
        if await gate():
            await experiments_page.show(env)

    async def analytics() -> None:
        if await gate():
            await analytics_page.show(env)

    async def settings() -> None:
        if await gate():
            await settings_page.show(env)

    with ui.column().classes("w-full max-w-7xl mx-auto p-2 sm:p-4 gap-4"):
        pages: dict[str, Callable[..., Any]] = {"/": projects, "/queue": queue}
        pages.update({"/projects/{project_id}": project, "/settings": settings})
        pages.update({"/trends": trends, "/trends/{trend_id}": trends})
        pages.update({"/calendar": calendar, "/accounts": accounts})
        pages["/experiments"] = experiments
        pages["/analytics"] = analytics
        ui.sub_pages(pages).classes("w-full")
