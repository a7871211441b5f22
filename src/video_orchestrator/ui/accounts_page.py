"""Accounts: connect a YouTube channel, a TikTok account, an Instagram professional account or
a Facebook Page (the platform's consent page opens in a new tab and comes back to the
server's ``/accounts/callback``), see each account's health as the platform reports it
(token, scopes, quota left, TikTok's creator) and remove one (its access revoked first)."""

from __future__ import annotations

from nicegui import ui

from video_orchestrator.services.accounts import AccountOut, HealthOut
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui.common import Failed, browser_timezone, call, when
from video_orchestrator.ui.env import UiEnv

#: The platforms' names as people write them.
PLATFORM_NAMES = {
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "instagram": "Instagram",
    "facebook": "Facebook",
}
#: TikTok's privacy levels in its own posting screen's words.
TIKTOK_PRIVACY = {
    "PUBLIC_TO_EVERYONE": "Everyone",
    "MUTUAL_FOLLOW_FRIENDS": "Friends",
    "FOLLOWER_OF_CREATOR": "Followers",
    "SELF_ONLY": "Only me",
}
#: What each facts key of a health answer means (TikTok's creator_info).
FACT_NAMES = {
    "creator_nickname": "Creator",
    "creator_username": "Username",
    "privacy_level_options": "Privacy options",
    "max_video_post_duration_sec": "Longest video (s)",
}


def callback_url() -> str:
    """The API's OAuth callback on the address the browser used for the studio."""
    url = ui.context.client.request.url
    return f"{url.scheme}://{url.netloc}/accounts/callback"


def avatar(account: AccountOut, *, sandbox: bool, size: str = "48px") -> None:
    """The account's picture from the platform; its initial in the sandbox (whose pictures
    are not real addresses: nothing is fetched from outside)."""
    if account.avatar_url and not sandbox:
        ui.image(account.avatar_url).classes("rounded-full shrink-0").style(
            f"width: {size}; height: {size}"
        ).props('alt="" no-spinner')
    else:
        ui.avatar(
            (account.name[:1] or "?").upper(), color="primary", text_color="white", size=size
        ).props('aria-hidden="true"')


def health_lines(health: HealthOut) -> list[str]:
    """The health of an account in plain words, one fact a line."""
    lines = ["Token valid" if health.token_valid else "Token not valid: reconnect"]
    if health.scopes:  # Google's scopes are URLs: their last part names them
        lines.append("Scopes: " + ", ".join(s.rsplit("/", 1)[-1] for s in health.scopes))
    for name, left in sorted(health.quota_left.items()):
        lines.append(f"{name.replace('_', ' ').capitalize()} left: {left}")
    for key, label in FACT_NAMES.items():
        value = health.facts.get(key)
        if value and key == "privacy_level_options":
            value = ",".join(TIKTOK_PRIVACY.get(v, v) for v in value.split(","))
        if value:
            lines.append(f"{label}: {value.replace(',', ', ')}")
    blocked = [k.removesuffix("_disabled") for k, v in health.facts.items() if v == "true"]
    if blocked:
        lines.append("Turned off by the creator: " + ", ".join(sorted(blocked)))
    if health.problem:
        lines.append("Problem: " + health.problem)
    return lines


async def show(env: UiEnv) -> None:
    ws: Workspace = env.ws
    sandbox = ws.ctx.settings.platforms_sandbox
    with ui.row().classes("w-full items-center gap-4"):
        ui.label("Accounts").classes("text-h5").props('role="heading" aria-level="1"')
        ui.space()
        ui.button(icon="refresh", on_click=lambda: accounts_list.refresh()).props(
            'flat round aria-label="Refresh the accounts"'
        ).tooltip("Refresh")
    if sandbox:
        with ui.card().classes("w-full bg-blue-1 sandbox-note"):
            ui.label(
                "Sandbox: the platforms here are pretend ones running inside this server "
                "(VO_PLATFORMS_SANDBOX=1). Connecting consents at once and nothing is posted "
                "for real."
            ).classes("text-body2")

    zone = await browser_timezone()

    with ui.card().classes("w-full"):
        ui.label("Connect an account").classes("text-h6")
        ui.label(
            "The platform's consent page opens in a new tab; when you have agreed, the "
            "account appears below. Posts are scheduled in the account's time zone."
        ).classes("text-body2 text-grey-8")
        with ui.row().classes("items-center gap-2 w-full"):
            timezone = (
                ui.input("Time zone", value=zone.key)
                .props("dense outlined")
                .classes("w-56 connect-timezone")
            )
            for platform, label in PLATFORM_NAMES.items():
                ui.button(
                    f"Connect {label}",
                    icon="add_link",
                    on_click=lambda p=platform: connect(p),
                ).props("no-caps outline").classes(f"connect-{platform}").mark(
                    f"connect-{platform}"
                )

    known: set[str] = set()

    async def connect(platform: str) -> None:
        try:
            start = await call(
                ws.publishing.accounts.begin,
                platform,
                callback_url(),
                timezone=timezone.value.strip() or "UTC",
            )
        except Failed:
            return
        before = set(known)
        with (
            ui.dialog().props(f'aria-label="Connect {PLATFORM_NAMES[platform]}"') as dialog,
            ui.card().classes("connect-dialog"),
        ):
            ui.label(f"Connect {PLATFORM_NAMES[platform]}").classes("text-h6")
            ui.label(
                f"Open {PLATFORM_NAMES[platform]}'s consent page, agree there, then come back "
                "to this tab: the account appears by itself."
            ).classes("text-body2")
            ui.link(
                f"Open {PLATFORM_NAMES[platform]}'s consent page",
                start.authorization_url,
                new_tab=True,
            ).classes("text-body1 consent-link").mark("consent-link")
            waiting = ui.label("Waiting for the consent…").classes("text-caption text-grey-8")
            with ui.row().classes("w-full justify-end"):
                ui.button("Close", on_click=dialog.close).props("flat no-caps")

        async def look() -> None:
            accounts = await call(ws.publishing.accounts.list)
            new = [a for a in accounts if a.id not in before and a.platform == platform]
            if new:
                poll.cancel()
                waiting.text = f"Connected {new[0].name}."
                dialog.close()
                ui.notify(f"Connected {PLATFORM_NAMES[platform]}: {new[0].name}", type="positive")
                await accounts_list.refresh()

        poll = ui.timer(1.0, look)
        dialog.on("hide", poll.cancel)
        dialog.open()

    async def remove(account: AccountOut) -> None:
        with ui.dialog().props('aria-label="Remove the account"') as dialog, ui.card():
            ui.label(f"Remove {PLATFORM_NAMES.get(account.platform, '')} {account.name}?").classes(
                "text-h6"
            )
            ui.label(
                "Its access is revoked at the platform and its posts here are forgotten. "
                "Videos already published stay on the platform."
            ).classes("text-body2")
            with ui.row().classes("w-full justify-end"):
                ui.button("Keep it", on_click=lambda: dialog.submit(False)).props("flat no-caps")
                ui.button("Remove", on_click=lambda: dialog.submit(True)).props(
                    "no-caps color=negative"
                ).classes("confirm-remove")
        if not await dialog:
            return
        try:
            result = await call(ws.publishing.accounts.remove, account.id)
        except Failed:
            return
        ui.notify(
            result.message or "Removed",
            type="positive" if result.revoked else "warning",
            multi_line=True,
        )
        await accounts_list.refresh()

    async def check(account: AccountOut, box: ui.column) -> None:
        box.clear()
        with box:
            ui.spinner(size="sm")
        try:
            health = await call(ws.publishing.accounts.health, account.id)
        except Failed:
            box.clear()
            return
        box.clear()
        with box:
            for index, line in enumerate(health_lines(health)):
                colour = "text-negative" if index == 0 and not health.token_valid else ""
                ui.label(line).classes(f"text-body2 health-line {colour}").style(
                    "overflow-wrap: anywhere"
                )

    @ui.refreshable
    async def accounts_list() -> None:
        try:
            accounts = await call(ws.publishing.accounts.list)
        except Failed:
            return
        known.clear()
        known.update(a.id for a in accounts)
        ui.label(f"{len(accounts)} connected account{'s' if len(accounts) != 1 else ''}").classes(
            "text-subtitle1 accounts-count"
        )
        if not accounts:
            ui.label("No account yet: connect one above.").classes("text-body2 text-grey-8")
        with ui.element("div").classes("w-full grid grid-cols-1 md:grid-cols-2 gap-4"):
            for account in accounts:
                with ui.card().classes(f"w-full account-card account-{account.platform}"):
                    with ui.row().classes("w-full items-center no-wrap gap-3"):
                        avatar(account, sandbox=sandbox)
                        with ui.column().classes("gap-0 min-w-0 grow"):
                            ui.label(account.name).classes("text-h6 ellipsis account-name")
                            ui.label(
                                f"{PLATFORM_NAMES.get(account.platform, account.platform)}"
                                f" · {account.timezone} · connected {when(account.created_at)}"
                            ).classes("text-caption text-grey-8")
                        status = "connected" if account.status == "connected" else account.status
                        ui.badge(
                            status, color="green-9" if status == "connected" else "negative"
                        ).classes("account-status")
                    if account.problem:
                        ui.label(account.problem).classes("text-body2 text-negative")
                    box = ui.column().classes("gap-0 health")
                    with ui.row().classes("gap-2"):
                        ui.button(
                            "Check health",
                            icon="monitor_heart",
                            on_click=lambda a=account, b=box: check(a, b),
                        ).props("flat no-caps").classes("check-health")
                        ui.button(
                            "Remove", icon="link_off", on_click=lambda a=account: remove(a)
                        ).props("flat no-caps color=negative").classes("remove-account")
                    ui.timer(0.1, lambda a=account, b=box: check(a, b), once=True)

    await accounts_list()
