"""The Post dialog: a finished render to one or several connected accounts — now, at a time in
each account's time zone, or at the platform's best time — with per-platform title,
description and hashtags prefilled from the project, the privacy, the "made with AI"
disclosure, and TikTok's required posting screen (the creator's nickname, a privacy chosen
with no default from the creator's options, interactions off by default and locked when the
creator turned them off, the commercial-content disclosure and an explicit consent).

The dialog's body scrolls between a fixed title and a fixed action bar, so the Post (or
Schedule) button, TikTok's consent and what is still missing stay in reach on a phone; the
button stays disabled until every required choice is made (:func:`missing_choices`). On a
phone the dialog takes the whole screen and the words per platform start folded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from nicegui import run, ui

from video_orchestrator.domain.script import Script
from video_orchestrator.errors import VoError
from video_orchestrator.services.accounts import AccountOut, HealthOut
from video_orchestrator.services.jobs import JobOut
from video_orchestrator.services.posts import PostOut
from video_orchestrator.services.scheduling import PostText, ScheduleIn, tailored_text
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui.accounts_page import PLATFORM_NAMES, avatar, privacy_name
from video_orchestrator.ui.common import Failed, call, when
from video_orchestrator.ui.i18n import marked, tr, tr_n

PRIVACY = {"public": marked("Public"), "unlisted": marked("Unlisted"), "private": marked("Private")}
WHEN = {"now": marked("Now"), "at": marked("At a time"), "best": marked("Best time")}
#: The notices TikTok's content-sharing guidelines require, word for word in meaning (each
#: catalogue keeps that meaning exactly: TikTok's own wording where the app has one).
YOUR_BRAND_NOTICE = marked("Your video will be labelled 'Promotional content'.")
BRANDED_NOTICE = marked("Your video will be labelled 'Paid partnership'.")
MUSIC_CONSENT = marked("By posting, you agree to TikTok's Music Usage Confirmation.")
BRANDED_CONSENT = marked(
    "By posting, you agree to TikTok's Branded Content Policy and Music Usage Confirmation."
)


def tiktok_problems(choice: dict[str, Any], disclose: bool, consent: bool) -> list[str]:
    """What keeps a TikTok post from being sent, in TikTok's terms (empty: it can go)."""
    found = []
    if not choice.get("privacy_level"):
        found.append(tr("Choose who can see the TikTok video (there is no default)."))
    if disclose and not (choice.get("brand_organic_toggle") or choice.get("brand_content_toggle")):
        found.append(
            tr("You need to indicate if your content promotes yourself, a third party, or both.")
        )
    if choice.get("brand_content_toggle") and choice.get("privacy_level") == "SELF_ONLY":
        found.append(
            tr(
                "Branded content visibility cannot be set to '{only_me}'.",
                only_me=privacy_name("SELF_ONLY"),
            )
        )
    if not consent:
        found.append(tr("Agree to TikTok's terms before posting."))
    return found


def missing_choices(
    platforms: set[str], tiktok: dict[str, Any], timing: str, day: str | None, hour: str | None
) -> list[str]:
    """What is still to be chosen before the post can go (empty: the button is enabled):
    an account, TikTok's choices when a TikTok account is picked, the date and time for
    "At a time"."""
    found: list[str] = []
    if not platforms:
        found.append(tr("Choose at least one account."))
    if "tiktok" in platforms:
        found += tiktok_problems(tiktok, bool(tiktok.get("disclose")), bool(tiktok.get("consent")))
    if timing == "at" and not (day and hour):
        found.append(tr("Give the date and the time to post at."))
    return found


#: The body scrolls between the title and the action bar; on a phone the dialog fills the
#: screen (no margin around it), so the bar is always at the bottom of the screen.
POST_DIALOG_CSS = """
.post-dialog { display: flex; flex-direction: column; flex-wrap: nowrap;
  max-height: calc(100dvh - 48px); overflow: hidden; }
.post-dialog > .post-body { flex: 1 1 auto; min-height: 0; overflow-y: auto; }
.post-dialog > .post-head, .post-dialog > .post-bar { flex: none; }
.post-dialog > .post-bar { border-top: 1px solid rgba(127,127,127,.35); }
@media (max-width: 599.98px) {
  .q-dialog__inner--minimized:has(> .post-dialog) { padding: 0; }
  .q-dialog__inner--minimized > .post-dialog { max-width: 100vw; max-height: 100dvh;
    height: 100dvh; border-radius: 0; }
}
"""


def render_label(job: JobOut, platforms: dict[str, str]) -> str:
    return f"{platforms.get(job.platform or '', job.platform or '?')} · {when(job.finished_at)}"


async def open_post_dialog(
    ws: Workspace,
    renders: list[JobOut],
    *,
    on_posted: Callable[[list[PostOut]], Awaitable[None] | None] | None = None,
) -> None:
    """Open the dialog for ``renders`` (finished ones, newest first); the words are prefilled
    from the chosen render's project."""
    platforms = {name: preset.display_name for name, preset in ws.ctx.presets.items()}
    try:
        accounts = await call(ws.publishing.accounts.list)
    except Failed:
        return
    if not renders:
        ui.notify(tr("Render the project first: only a finished render can be posted."))
        return
    if not accounts:
        ui.notify(tr("Connect an account first, in Accounts."), type="warning")
        return
    chosen: dict[str, bool] = {a.id: False for a in accounts}
    by_id = {a.id: a for a in accounts}
    texts: dict[str, dict[str, str]] = {}
    tiktok: dict[str, Any] = {
        "privacy_level": None,
        "allow_comment": False,
        "allow_duet": False,
        "allow_stitch": False,
        "brand_organic_toggle": False,
        "brand_content_toggle": False,
    }
    health: dict[str, HealthOut] = {}
    scripts: dict[str, Script | None] = {}

    def script_of(job_id: str) -> Script | None:
        job = next((j for j in renders if j.id == job_id), None)
        if job is None or job.project_id is None:
            return None
        try:
            return ws.projects.get(job.project_id).script
        except VoError:
            return None

    async def load_script(job_id: str) -> None:
        if job_id not in scripts:
            scripts[job_id] = await run.io_bound(script_of, job_id)
        texts.clear()

    await load_script(renders[0].id)

    def pick(account_id: str, on: bool) -> None:
        chosen[account_id] = on
        details.refresh()
        update_bar()

    def text_for(platform: str) -> dict[str, str]:
        if platform not in texts:
            fitted = tailored_text(
                platform,
                scripts.get(str(render.value)),
                PostText(),
                ScheduleIn(job_id="-", accounts=["-"]),
            )
            texts[platform] = {
                "title": fitted.title or "",
                "description": fitted.description or "",
                "hashtags": " ".join(fitted.hashtags or []),
            }
        return texts[platform]

    ui.add_css(POST_DIALOG_CSS)
    try:  # a phone starts with the words per platform folded (the bar stays in reach anyway)
        narrow = bool(await ui.run_javascript("window.innerWidth < 600", timeout=3))
    except (TimeoutError, RuntimeError):
        narrow = False

    with (
        ui.dialog().props(f'aria-label="{tr("Post or schedule")}"') as dialog,
        ui.card().classes("w-full max-w-3xl post-dialog p-0 gap-0"),
    ):
        with ui.row().classes("w-full items-center no-wrap px-4 pt-3 pb-2 post-head"):
            ui.label(tr("Post or schedule")).classes("text-h6 grow").props(
                'role="heading" aria-level="2"'
            )
            ui.button(icon="close", on_click=dialog.close).props(
                f'flat round dense aria-label="{tr("Close")}"'
            )
        body = ui.column().classes("w-full gap-3 px-4 pb-4 post-body")
        with body:
            render = (
                ui.select(
                    {j.id: render_label(j, platforms) for j in renders},
                    value=renders[0].id,
                    label=tr("Video"),
                    on_change=lambda e: chose_render(str(e.value)),
                )
                .props("outlined dense")
                .classes("w-full post-render")
            )
            ui.label(tr("Accounts")).classes("text-subtitle1")
            with ui.row().classes("gap-2").props(f'role="group" aria-label="{tr("Accounts")}"'):
                for account in accounts:
                    ui.checkbox(
                        f"{PLATFORM_NAMES.get(account.platform, account.platform)}: {account.name}",
                        on_change=lambda e, a=account.id: pick(a, bool(e.value)),
                    ).classes(f"post-account post-{account.platform}")
            ui.label(tr("When")).classes("text-subtitle1")
            with ui.row().classes("items-center gap-4 w-full"):
                timing = (
                    ui.radio(
                        {k: tr(v) for k, v in WHEN.items()},
                        value="now",
                        on_change=lambda: update_bar(),
                    )
                    .props("inline")
                    .classes("post-when")
                )
                day = (
                    ui.input(tr("Date"), on_change=lambda: update_bar())
                    .props("type=date outlined dense")
                    .classes("w-40 post-date")
                )
                hour = (
                    ui.input(tr("Time"), on_change=lambda: update_bar())
                    .props("type=time outlined dense")
                    .classes("w-32 post-time")
                )
                day.bind_visibility_from(timing, "value", value="at")
                hour.bind_visibility_from(timing, "value", value="at")
            ui.label(
                tr(
                    "A time is read in each account's own time zone; the best time is the "
                    "platform's next best hour there. Posts of one account stay 10 minutes apart."
                )
            ).classes("text-caption text-grey-8")
            with ui.row().classes("items-center gap-6"):
                privacy = (
                    ui.select(
                        {k: tr(v) for k, v in PRIVACY.items()},
                        value="public",
                        label=tr("Privacy (all but TikTok)"),
                    )
                    .props("outlined dense")
                    .classes("w-48 post-privacy")
                )
                made_with_ai = ui.checkbox(
                    tr("Made with AI (disclosed to the platform)"), value=True
                )
                made_with_ai.classes("post-ai")

        async def chose_render(job_id: str) -> None:
            await load_script(job_id)
            details.refresh()

        @ui.refreshable
        async def details() -> None:
            picked = [by_id[i] for i, on in chosen.items() if on]
            for platform in sorted({a.platform for a in picked}):
                text = text_for(platform)
                with ui.expansion(
                    tr(
                        "{platform}: title and caption",
                        platform=PLATFORM_NAMES.get(platform, platform),
                    ),
                    value=not narrow,
                ).classes(f"w-full post-text-{platform}") as fold:
                    ui.input(tr("Title")).bind_value(text, "title").props("outlined dense").classes(
                        "w-full post-title"
                    )
                    ui.textarea(tr("Description")).bind_value(text, "description").props(
                        "outlined dense autogrow"
                    ).classes("w-full")
                    ui.input(tr("Hashtags")).bind_value(text, "hashtags").props(
                        "outlined dense"
                    ).classes("w-full")
                fold.props("dense header-class=px-0")
                fold.props["caption"] = text["title"]  # folded, the title still shows
            for account in picked:
                if account.platform == "tiktok":
                    await tiktok_part(account)

        async def tiktok_part(account: AccountOut) -> None:
            if account.id not in health:
                try:
                    health[account.id] = await call(ws.publishing.accounts.health, account.id)
                except Failed:
                    return
            facts = health[account.id].facts
            with ui.card().classes("w-full tiktok-part").props('aria-label="TikTok"'):
                with ui.row().classes("items-center gap-3 no-wrap"):
                    avatar(account, sandbox=ws.ctx.settings.platforms_sandbox, size="40px")
                    ui.label(
                        tr(
                            "Posting to TikTok as {creator}",
                            creator=facts.get("creator_nickname") or account.name,
                        )
                    ).classes("text-subtitle1 tiktok-creator")
                options = [o for o in facts.get("privacy_level_options", "").split(",") if o]
                ui.select(
                    {o: privacy_name(o) for o in options},
                    label=tr("Who can see this video"),
                    on_change=lambda: update_bar(),
                ).bind_value(tiktok, "privacy_level").props("outlined dense").classes(
                    "w-64 max-w-full tiktok-privacy"
                )
                with ui.row().classes("gap-4"):
                    for name, label in (
                        ("comment", tr("Allow comments")),
                        ("duet", tr("Allow Duet")),
                        ("stitch", tr("Allow Stitch")),
                    ):
                        switch = ui.switch(label).bind_value(tiktok, f"allow_{name}")
                        switch.classes(f"tiktok-{name}")
                        if facts.get(f"{name}_disabled") == "true":
                            tiktok[f"allow_{name}"] = False
                            switch.disable()
                            switch.tooltip(tr("Turned off in this creator's TikTok settings"))
                disclose = ui.switch(
                    tr("Disclose video content"), on_change=lambda: update_bar()
                ).classes("tiktok-disclose")
                disclose.bind_value(tiktok, "disclose")
                ui.label(
                    tr(
                        "Turn on to disclose that this video promotes goods or services in "
                        "exchange for something of value."
                    )
                ).classes("text-caption text-grey-8")
                with ui.column().classes("gap-0 pl-4").bind_visibility_from(disclose, "value"):
                    ui.checkbox(tr("Your brand"), on_change=lambda: update_bar()).bind_value(
                        tiktok, "brand_organic_toggle"
                    ).classes("tiktok-your-brand")
                    ui.label(
                        " ".join(
                            (
                                tr("You are promoting yourself or your own business."),
                                tr(YOUR_BRAND_NOTICE),
                            )
                        )
                    ).classes("text-caption")
                    ui.checkbox(tr("Branded content"), on_change=lambda: update_bar()).bind_value(
                        tiktok, "brand_content_toggle"
                    ).classes("tiktok-branded")
                    ui.label(
                        " ".join(
                            (
                                tr("You are promoting another brand or a third party."),
                                tr(BRANDED_NOTICE),
                            )
                        )
                    ).classes("text-caption")
                ui.label(
                    tr(
                        "After you post, it may take a few minutes for the video to process and "
                        "appear on the profile."
                    )
                ).classes("text-caption text-grey-8")

        tiktok.setdefault("disclose", False)
        tiktok.setdefault("consent", False)
        with body:
            with ui.column().classes("w-full gap-2"):
                await details()
            problems = ui.column().classes("w-full post-problems").props('role="alert"')

        def picked_platforms() -> set[str]:
            return {by_id[i].platform for i, on in chosen.items() if on}

        def update_bar() -> None:
            """The bar follows the choices: TikTok's consent when a TikTok account is picked,
            what is still missing, and the button enabled only when nothing is."""
            platforms = picked_platforms()
            found = missing_choices(platforms, tiktok, str(timing.value), day.value, hour.value)
            consent.set_visibility("tiktok" in platforms)
            if found:
                more = len(found) - 1
                missing.set_text(
                    " ".join(
                        (
                            found[0],
                            *(
                                (
                                    tr_n(
                                        "{count} more choice to make.",
                                        "{count} more choices to make.",
                                        more,
                                    ),
                                )
                                if more
                                else ()
                            ),
                        )
                    )
                )
            else:
                missing.set_text(tr("Ready to post."))
            missing.classes(
                replace="text-caption grow min-w-0 post-missing "
                + ("text-negative" if found else "text-grey-8")
            )
            submit.set_text(tr("Post") if timing.value == "now" else tr("Schedule"))
            submit.set_enabled(not found)

        async def post() -> None:
            picked = [by_id[i] for i, on in chosen.items() if on]
            found = missing_choices(
                {a.platform for a in picked}, tiktok, str(timing.value), day.value, hour.value
            )
            at: datetime | None = None
            if timing.value == "at" and not found:
                try:
                    at = datetime.fromisoformat(f"{day.value}T{hour.value}")
                except ValueError:
                    found.append(tr("Give the date and the time to post at."))
            problems.clear()
            if found:
                with problems:
                    for line in found:
                        ui.label(line).classes("text-negative text-body2 post-problem")
                return
            options: dict[str, str | int | bool] = {}
            if any(a.platform == "tiktok" for a in picked):
                options = {
                    "privacy_level": str(tiktok["privacy_level"]),
                    "disable_comment": not tiktok["allow_comment"],
                    "disable_duet": not tiktok["allow_duet"],
                    "disable_stitch": not tiktok["allow_stitch"],
                    "brand_organic_toggle": bool(
                        tiktok["disclose"] and tiktok["brand_organic_toggle"]
                    ),
                    "brand_content_toggle": bool(
                        tiktok["disclose"] and tiktok["brand_content_toggle"]
                    ),
                }
            per_platform = {
                platform: PostText(
                    title=text["title"].strip() or None,
                    description=text["description"],
                    hashtags=[h for h in text["hashtags"].split() if h],
                )
                for platform, text in texts.items()
            }
            try:
                request = ScheduleIn(
                    job_id=str(render.value),
                    accounts=[a.id for a in picked],
                    at=at,
                    best_time=timing.value == "best",
                    privacy=privacy.value,
                    made_with_ai=bool(made_with_ai.value),
                    per_platform=per_platform,
                    options=options,
                )
            except ValueError as exc:
                with problems:
                    ui.label(str(exc).splitlines()[0]).classes("text-negative post-problem")
                return
            try:
                made = await call(ws.publishing.schedule, request)
            except Failed:
                return
            dialog.close()
            ui.notify(
                tr(
                    "Scheduled: {posts}",
                    posts=", ".join(
                        f"{PLATFORM_NAMES.get(p.platform, p.platform)} {when(p.scheduled_at)} UTC"
                        for p in made
                    ),
                ),
                type="positive",
                multi_line=True,
            )
            if on_posted is not None:
                result = on_posted(made)
                if result is not None:
                    await result

        # the action bar: outside the scrolling body, so it is on screen whatever is open
        with ui.column().classes("w-full gap-1 px-4 py-2 post-bar"):
            consents = {True: tr(BRANDED_CONSENT), False: tr(MUSIC_CONSENT)}
            consent = (
                ui.checkbox(on_change=lambda: update_bar())
                .bind_value(tiktok, "consent")
                .classes("tiktok-consent")
                .props(f'dense aria-label="{tr("I agree")}"')
                .bind_text_from(
                    tiktok,
                    "brand_content_toggle",
                    lambda branded: consents[bool(branded)],
                )
            )
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                missing = (
                    ui.label("")
                    .classes("text-caption grow min-w-0 post-missing")
                    .props('role="status" aria-live="polite"')
                )
                ui.button(tr("Cancel"), on_click=dialog.close).props("flat no-caps").classes(
                    "shrink-0"
                )
                submit = (
                    ui.button(tr("Post"), icon="send", on_click=post)
                    .props("no-caps")
                    .classes("shrink-0 post-submit")
                    .mark("post-submit")
                )
        update_bar()
    dialog.open()
