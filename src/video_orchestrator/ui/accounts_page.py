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
from video_orchestrator.ui.i18n import marked, tr, tr_n

#: The platforms' names as people write them.
PLATFORM_NAMES = {
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "instagram": "Instagram",
    "facebook": "Facebook",
}
#: TikTok's privacy levels in its own posting screen's words.
TIKTOK_PRIVACY = {
    "PUBLIC_TO_EVERYONE": marked("Everyone"),
    "MUTUAL_FOLLOW_FRIENDS": marked("Friends"),
    "FOLLOWER_OF_CREATOR": marked("Followers"),
    "SELF_ONLY": marked("Only me"),
}
#: An account's status as its badge says it.
STATUS_NAMES = {"connected": marked("connected"), "reconnect": marked("reconnect")}
#: What each facts key of a health answer means (TikTok's creator_info).
FACT_NAMES = {
    "creator_nickname": marked("Creator"),
    "creator_username": marked("Username"),
    "privacy_level_options": marked("Privacy options"),
    "max_video_post_duration_sec": marked("Longest video (s)"),
}


def privacy_name(level: str) -> str:
    """A TikTok privacy level in its posting screen's words, in this locale."""
    return tr(TIKTOK_PRIVACY[level]) if level in TIKTOK_PRIVACY else level


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
    lines = [tr("Token valid") if health.token_valid else tr("Token not valid: reconnect")]
    if health.scopes:  # Google's scopes are URLs: their last part names them
        scopes = ", ".join(s.rsplit("/", 1)[-1] for s in health.scopes)
        lines.append(tr("Scopes: {scopes}", scopes=scopes))
    for name, left in sorted(health.quota_left.items()):
        quota = name.replace("_", " ").capitalize()
        lines.append(tr("{quota} left: {left}", quota=quota, left=left))
    for key, label in FACT_NAMES.items():
        value = health.facts.get(key)
        if value and key == "privacy_level_options":
            value = ",".join(privacy_name(v) for v in value.split(","))
        if value:
            lines.append(tr("{label}: {value}", label=tr(label), value=value.replace(",", ", ")))
    blocked = [k.removesuffix("_disabled") for k, v in health.facts.items() if v == "true"]
    if blocked:
        lines.append(tr("Turned off by the creator: {what}", what=", ".join(sorted(blocked))))
    if health.problem:
        lines.append(tr("Problem: {problem}", problem=health.problem))
    return lines


async def show(env: UiEnv) -> None:
    ws: Workspace = env.ws
    sandbox = ws.ctx.settings.platforms_sandbox
    with ui.row().classes("w-full items-center gap-4"):
        ui.label(tr("Accounts")).classes("text-h5").props('role="heading" aria-level="1"')
        ui.space()
        ui.button(icon="refresh", on_click=lambda: accounts_list.refresh()).props(
            f'flat round aria-label="{tr("Refresh the accounts")}"'
        ).tooltip(tr("Refresh"))
    if sandbox:
        with ui.card().classes("w-full bg-blue-1 sandbox-note"):
            ui.label(
                tr(
                    "Sandbox: the platforms here are pretend ones running inside this server "
                    "(VO_PLATFORMS_SANDBOX=1). Connecting consents at once and nothing is "
                    "posted for real."
                )
            ).classes("text-body2")

    zone = await browser_timezone()

    with ui.card().classes("w-full"):
        ui.label(tr("Connect an account")).classes("text-h6")
        ui.label(
            tr(
                "The platform's consent page opens in a new tab; when you have agreed, the "
                "account appears below. Posts are scheduled in the account's time zone."
            )
        ).classes("text-body2 text-grey-8")
        with ui.row().classes("items-center gap-2 w-full"):
            timezone = (
                ui.input(tr("Time zone"), value=zone.key)
                .props("dense outlined")
                .classes("w-56 connect-timezone")
            )
            for platform, label in PLATFORM_NAMES.items():
                ui.button(
                    tr("Connect {platform}", platform=label),
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
        name = PLATFORM_NAMES[platform]
        with (
            ui.dialog().props(f'aria-label="{tr("Connect {platform}", platform=name)}"') as dialog,
            ui.card().classes("connect-dialog"),
        ):
            ui.label(tr("Connect {platform}", platform=name)).classes("text-h6")
            ui.label(
                tr(
                    "Open {platform}'s consent page, agree there, then come back to this tab: "
                    "the account appears by itself.",
                    platform=name,
                )
            ).classes("text-body2")
            ui.link(
                tr("Open {platform}'s consent page", platform=name),
                start.authorization_url,
                new_tab=True,
            ).classes("text-body1 consent-link").mark("consent-link")
            waiting = ui.label(tr("Waiting for the consent…")).classes("text-caption text-grey-8")
            with ui.row().classes("w-full justify-end"):
                ui.button(tr("Close"), on_click=dialog.close).props("flat no-caps")

        async def look() -> None:
            accounts = await call(ws.publishing.accounts.list)
            new = [a for a in accounts if a.id not in before and a.platform == platform]
            if new:
                poll.cancel()
                waiting.text = tr("Connected {name}.", name=new[0].name)
                dialog.close()
                ui.notify(
                    tr("Connected {platform}: {name}", platform=name, name=new[0].name),
                    type="positive",
                )
                await accounts_list.refresh()

        poll = ui.timer(1.0, look)
        dialog.on("hide", poll.cancel)
        dialog.open()

    async def remove(account: AccountOut) -> None:
        with ui.dialog().props(f'aria-label="{tr("Remove the account")}"') as dialog, ui.card():
            ui.label(
                tr(
                    "Remove {platform} {name}?",
                    platform=PLATFORM_NAMES.get(account.platform, ""),
                    name=account.name,
                )
            ).classes("text-h6")
            ui.label(
                tr(
                    "Its access is revoked at the platform and its posts here are forgotten. "
                    "Videos already published stay on the platform."
                )
            ).classes("text-body2")
            with ui.row().classes("w-full justify-end"):
                ui.button(tr("Keep it"), on_click=lambda: dialog.submit(False)).props(
                    "flat no-caps"
                )
                ui.button(tr("Remove"), on_click=lambda: dialog.submit(True)).props(
                    "no-caps color=negative"
                ).classes("confirm-remove")
        if not await dialog:
            return
        try:
            result = await call(ws.publishing.accounts.remove, account.id)
        except Failed:
            return
        ui.notify(
            result.message or tr("Removed"),
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
        ui.label(
            tr_n("{count} connected account", "{count} connected accounts", len(accounts))
        ).classes("text-subtitle1 accounts-count")
        if not accounts:
            ui.label(tr("No account yet: connect one above.")).classes("text-body2 text-grey-8")
        with ui.element("div").classes("w-full grid grid-cols-1 md:grid-cols-2 gap-4"):
            for account in accounts:
                with ui.card().classes(f"w-full account-card account-{account.platform}"):
                    with ui.row().classes("w-full items-center no-wrap gap-3"):
                        avatar(account, sandbox=sandbox)
                        with ui.column().classes("gap-0 min-w-0 grow"):
                            ui.label(account.name).classes("text-h6 ellipsis account-name")
                            ui.label(
                                tr(
                                    "{platform} · {timezone} · connected {moment}",
                                    platform=PLATFORM_NAMES.get(account.platform, account.platform),
                                    timezone=account.timezone,
                                    moment=when(account.created_at),
                                )
                            ).classes("text-caption text-grey-8")
                        status = account.status
                        ui.badge(
                            tr(STATUS_NAMES[status]) if status in STATUS_NAMES else status,
                            color="green-9" if status == "connected" else "negative",
                        ).classes("account-status")
                    if account.problem:
                        ui.label(account.problem).classes("text-body2 text-negative")
                    box = ui.column().classes("gap-0 health")
                    with ui.row().classes("gap-2"):
                        ui.button(
                            tr("Check health"),
                            icon="monitor_heart",
                            on_click=lambda a=account, b=box: check(a, b),
                        ).props("flat no-caps").classes("check-health")
                        ui.button(
                            tr("Remove"), icon="link_off", on_click=lambda a=account: remove(a)
                        ).props("flat no-caps color=negative").classes("remove-account")
                    ui.timer(0.1, lambda a=account, b=box: check(a, b), once=True)

    await accounts_list()
