"""The header's notification bell (issue 18, ADR 0030): the number of unread trend alerts,
checked every :data:`CHECK_SECONDS` with one count query; its menu lists the newest alerts
(the trend's title, the watched keyword, when), each opening the trend on the Trends page,
and "Mark all read"."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime

from nicegui import app, run, ui
from nicegui.events import ValueChangeEventArguments

from video_orchestrator.errors import VoError
from video_orchestrator.services.trend_alerts import AlertOut
from video_orchestrator.ui.common import Failed, call, when
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import tr, tr_n

logger = logging.getLogger(__name__)

CHECK_SECONDS = 30.0
SHOWN = 10
_KEY = "refresh_bell"  # this page's bell, in the page's (client's) storage


def bell_label(unread: int) -> str:
    if unread == 0:
        return tr("Alerts, none unread")
    return tr_n("Alerts, {count} unread", "Alerts, {count} unread", unread)


class Bell:
    def __init__(self, env: UiEnv) -> None:
        self.env = env
        self.unread = 0
        with (
            ui.button(icon="notifications")
            .props(f'flat round color=white aria-label="{bell_label(0)}"')
            .classes("alert-bell")
            .mark("alert-bell") as self.button
        ):
            self.badge = (
                ui.badge("0", color="negative")
                .props('floating rounded aria-hidden="true"')
                .classes("alert-count")
                .mark("alert-count")
            )
            self.badge.set_visibility(False)
            with (
                ui.menu()
                .props(f'aria-label="{tr("Alerts")}"')
                .classes("alert-menu")
                .mark("alert-menu")
            ) as self.menu:
                self.items = ui.column().classes("gap-0 p-2 w-80 max-w-[90vw]")
        self.menu.on_value_change(self.opened)
        ui.timer(CHECK_SECONDS, self.check)
        app.storage.client[_KEY] = self.check
        ui.timer(0.0, self.check, once=True)

    def _show(self, unread: int) -> None:
        self.unread = unread
        self.badge.set_text(str(unread) if unread < 100 else "99+")
        self.badge.set_visibility(unread > 0)
        self.button.props(f'aria-label="{bell_label(unread)}"')

    async def check(self) -> None:
        """The unread count (one cheap query); a failure keeps the last count."""
        try:
            unread = await run.io_bound(self.env.ws.alerts.unread_count)
        except VoError as exc:
            logger.warning("the alert count could not be read: %s", exc)
            return
        if unread is not None:  # None: the page closed meanwhile
            self._show(unread)

    async def opened(self, event: ValueChangeEventArguments[bool]) -> None:
        if event.value:
            await self.fill()

    async def fill(self) -> None:
        try:
            alerts = await call(self.env.ws.alerts.alerts, limit=SHOWN)
            unread = await call(self.env.ws.alerts.unread_count)
        except Failed:
            return
        self._show(unread)
        self.items.clear()
        with self.items:
            with ui.row().classes("w-full items-center no-wrap"):
                ui.label(tr("Alerts")).classes("text-subtitle1 font-bold")
                ui.space()
                ui.button(tr("Mark all read"), on_click=self.mark_all_read).props(
                    "flat dense no-caps color=primary"
                ).classes("mark-read").mark("mark-read").set_enabled(unread > 0)
            if not alerts:
                ui.label(
                    tr(
                        "No alerts yet. Watch a keyword on the Trends page to be told when it "
                        "rises."
                    )
                ).classes("text-body2 text-grey-8 p-2")
            for alert in alerts:
                self._item(alert)

    def _item(self, alert: AlertOut) -> None:
        async def open_trend() -> None:
            if alert.read_at is None:
                with contextlib.suppress(Failed):  # the user was told; the trend still opens
                    await call(self.env.ws.alerts.mark_read, [alert.id], datetime.now(UTC))
            ui.navigate.to(f"/trends/{alert.trend_id}")

        unread = alert.read_at is None
        with (
            ui.item(on_click=open_trend)
            .classes("w-full rounded alert-item" + (" alert-unread" if unread else ""))
            .props(f'data-trend-id="{alert.trend_id}"')
            .mark("alert-item"),
            ui.column().classes("gap-0 min-w-0"),
        ):
            ui.label(alert.title).classes(
                "text-body2 break-words" + (" font-bold" if unread else "")
            )
            ui.label(
                " · ".join(
                    [
                        tr("“{keyword}”", keyword=alert.keyword),
                        when(alert.created_at),
                        *([tr("new")] if unread else []),
                    ]
                )
            ).classes("text-caption text-grey-8")

    async def mark_all_read(self) -> None:
        try:
            await call(self.env.ws.alerts.mark_read, None, datetime.now(UTC))
        except Failed:
            return
        await self.fill()


def bell(env: UiEnv) -> Bell:
    """Put the bell here (in the header)."""
    return Bell(env)


async def refresh_bell() -> None:
    """Count this page's unread alerts again now (e.g. after a poll raised some)."""
    check = app.storage.client.get(_KEY)
    if check is not None:
        await check()
