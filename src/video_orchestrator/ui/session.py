"""The sign-in gate of a shared server (ADR 0019): the sign-in form (throttled per client
address with the API's failure throttle), the check of the browser's session on every page,
sub-page, websocket (re)connect and user activity, and signing out.

The browser's NiceGUI storage holds the session's token; the database holds its hash, the key
that opened it, and when it began and was last used (``services/ui_sessions.py``)."""

from __future__ import annotations

import logging

from nicegui import app, run, ui
from nicegui.client import Client

from video_orchestrator.errors import AccessError, RateLimitedError, VoError
from video_orchestrator.services.ui_sessions import UiSessionOut
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import tr

logger = logging.getLogger(__name__)

TOKEN = "ui_session"  # in app.storage.user: the session's token
WHY = "ui_signed_out"  # in app.storage.user: why the last session ended, shown once
ACTIVITY = "vo_activity"  # the event a signed-in page sends (at most every 30 s) on user input
ACTIVITY_JS = """
<script>
(() => {
  let last = 0;
  const used = () => {
    const now = Date.now();
    if (now - last < 30000 || typeof emitEvent !== "function") return;
    last = now;
    emitEvent("EVENT");
  };
  for (const name of ["keydown", "pointerdown", "wheel"]) {
    document.addEventListener(name, used, { capture: true, passive: true });
  }
})();
</script>
""".replace("EVENT", ACTIVITY)


async def verified(env: UiEnv, *, touch: bool = True) -> UiSessionOut | None:
    """This browser's live session, or None (and the reason kept for the sign-in form). Any
    failure to check counts as signed out: the gate fails closed."""
    token = app.storage.user.get(TOKEN)
    try:
        return await run.io_bound(env.ws.ui_sessions.check, token, touch=touch)
    except AccessError as exc:
        reason = str(exc)
    except VoError as exc:
        reason = tr("your sign-in could not be checked ({why})", why=exc)
    except Exception:
        logger.exception("checking a web UI session failed")
        reason = tr("your sign-in could not be checked")
    if token is not None and app.storage.user.get(TOKEN) == token:
        del app.storage.user[TOKEN]
        app.storage.user[WHY] = reason[:1].upper() + reason[1:] + "."
    return None


def watch(env: UiEnv) -> None:
    """Keep checking the session of this signed-in page: on every websocket (re)connect, on the
    user's input (which counts as use) and every little while (which does not), so a revoked
    key, a sign-out in another tab or an expiry sends the page to the sign-in form."""
    client = ui.context.client

    async def check(*, touch: bool) -> None:
        if await verified(env, touch=touch) is None:
            ui.navigate.reload()

    async def connected(_: Client) -> None:
        await check(touch=False)

    async def used() -> None:
        await check(touch=True)

    async def tick() -> None:
        await check(touch=False)

    client.on_connect(connected)
    ui.on(ACTIVITY, used)
    ui.add_body_html(ACTIVITY_JS)
    idle = env.ws.ui_sessions.idle.total_seconds()
    ui.timer(max(1.0, min(30.0, idle / 2)), tick)


async def sign_out(env: UiEnv) -> None:
    """End the session on the server (not only in this browser), then show the sign-in form."""
    token = app.storage.user.pop(TOKEN, None)
    try:
        await run.io_bound(env.ws.ui_sessions.end, token)
    except VoError as exc:
        ui.notify(tr("Signing out failed: {why}. Try again.", why=exc), type="negative")
        app.storage.user[TOKEN] = token
        return
    app.storage.user[WHY] = tr("You have signed out.")
    ui.navigate.reload()


def sign_in_form(env: UiEnv) -> None:
    """This server asks for an API key (it listens beyond this machine)."""
    why = app.storage.user.pop(WHY, None)
    with ui.card().classes("mx-auto mt-16 w-96"):
        ui.label(tr("Sign in")).classes("text-h6")
        if why:
            ui.label(why).classes("text-body2 signed-out-reason")
        ui.label(
            tr("This server is shared: paste an API key (made with `vo apikey create NAME`).")
        ).classes("text-body2")
        key = ui.input(tr("API key"), password=True, password_toggle_button=True).classes("w-full")
        message = ui.label("").classes("text-negative sign-in-message").props('role="alert"')
        request = ui.context.client.request
        address = request.client.host if request is not None and request.client else "unknown"

        async def check() -> None:
            if not key.value.strip():
                message.text = tr("Paste an API key first.")
                return
            try:
                token = await run.io_bound(_open, env, address, key.value.strip())
            except RateLimitedError as exc:
                message.text = f"{exc}."
                return
            except VoError as exc:
                message.text = f"{str(exc).rstrip('.')}."
                key.value = ""
                return
            app.storage.user[TOKEN] = token
            ui.navigate.reload()

        key.on("keydown.enter", check)
        ui.button(tr("Sign in"), on_click=check).props("no-caps")


def _open(env: UiEnv, address: str, key: str) -> str:
    """A new session's token; a wrong key counts against ``address`` like one sent to the API,
    and an address over the limit is refused before its key is looked at."""
    throttle = env.auth_failures
    if throttle is not None:
        throttle.refuse_if_over(address)
    try:
        return env.ws.ui_sessions.open(key).token
    except AccessError:
        if throttle is not None:
            throttle.count(address)
        raise
