"""The publishing calendar: posts by day (month view) or by hour (week view) in the browser's
time zone, coloured by state, filtered by account and platform. Drag a scheduled post to
another day or hour to move it (through the posts service: a post that has started uploading
cannot move), or focus it and move it with the keyboard (arrow keys, Enter to confirm, Escape
to cancel; the same rules and the same service call); while it moves, a faint placeholder (a
ghost) stays where it was until the move is made or cancelled; click a post for its details
and event log, and cancel, retry or publish now. The week view labels every hour row in the
locale's way and draws a "now" line on today. A plain grid with HTML5 drag and drop: no calendar
library to download."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton
from nicegui import ui

from video_orchestrator.services.posts import PostOut
from video_orchestrator.services.workspace import Workspace
from video_orchestrator.ui import i18n
from video_orchestrator.ui.accounts_page import PLATFORM_NAMES
from video_orchestrator.ui.common import Failed, browser_timezone, call
from video_orchestrator.ui.env import UiEnv
from video_orchestrator.ui.i18n import marked, tr
from video_orchestrator.ui.jobs_view import LINK
from video_orchestrator.ui.post_dialog import open_post_dialog

#: A post's state → its colour (white text on each keeps WCAG AA) and its name.
STATE_COLOURS: dict[str, tuple[str, str]] = {
    "draft": ("blue-grey-7", marked("Draft")),
    "scheduled": ("deep-purple-7", marked("Scheduled")),
    "uploading": ("blue-9", marked("Uploading")),
    "processing": ("teal-9", marked("Processing")),
    "published": ("green-9", marked("Published")),
    "failed": ("red-9", marked("Failed")),
    "needs_attention": ("deep-orange-10", marked("Needs attention")),
    "cancelled": ("grey-8", marked("Cancelled")),
}
MOVABLE = ("draft", "scheduled")
#: A platform in two letters, for a phone's narrow day.
SHORT = {"youtube": "YT", "tiktok": "TT", "instagram": "IG", "facebook": "FB"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CALENDAR_CSS = """
.cal-grid { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); gap: 2px; }
.cal-grid.cal-week { grid-template-columns: 3.2rem repeat(7, minmax(0, 1fr)); }
.cal-hour-label { font-size: .72rem; line-height: 1; text-align: right; padding-right: 4px;
  transform: translateY(-.3rem); white-space: nowrap; }
.cal-now { position: absolute; left: 0; right: 0; height: 0; border-top: 2px solid #e53935;
  pointer-events: none; z-index: 1; }
.cal-now::before { content: ""; position: absolute; left: -4px; top: -5px; width: 8px;
  height: 8px; border-radius: 50%; background: #e53935; }
.cal-cell { min-height: 92px; border: 1px solid rgba(127,127,127,.35); border-radius: 4px;
  padding: 2px; overflow: hidden; }
.cal-cell.other { opacity: .6; }
.cal-cell.today { outline: 2px solid var(--q-primary); }
.cal-hour { min-height: 30px; }
.cal-post { display: block; width: 100%; border-radius: 4px; padding: 1px 4px; margin: 1px 0;
  font-size: .75rem; line-height: 1.2; color: #fff; cursor: pointer; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; text-align: left; border: 0; }
.cal-post.cal-scheduled, .cal-post.cal-draft { cursor: grab; }
.cal-post:focus-visible { outline: 3px solid var(--q-primary); outline-offset: 1px; }
.cal-post.cal-moving, .cal-post.cal-moving:focus-visible {
  outline: 2px dashed var(--q-primary); outline-offset: 2px;
  background-image: repeating-linear-gradient(135deg, rgba(255,255,255,.24) 0 6px,
  transparent 6px 12px); }
.cal-drop { background: rgba(91,63,217,.15); }
.cal-post.cal-ghost, .cal-post.cal-dragging { opacity: .4; outline: 1px dashed currentColor;
  outline-offset: -1px; }
.cal-post.cal-ghost { background: transparent; color: inherit; cursor: default;
  pointer-events: none; }
@media (max-width: 599.98px) {
  .cal-cell { min-height: 64px; } .cal-post { font-size: .68rem; padding: 1px 2px; }
  .cal-cell.cal-hour { min-height: 30px; }
  .cal-grid.cal-week { grid-template-columns: 2.4rem repeat(7, minmax(0, 1fr)); }
  .cal-hour-label { font-size: .62rem; padding-right: 2px; }
}
"""


def state_name(state: str) -> str:
    """A post's state as the legend names it, in this locale."""
    return tr(STATE_COLOURS[state][1]) if state in STATE_COLOURS else state


def dated(value: date, english: str, skeleton: str, clock: str = "") -> str:
    """``value`` as ``english`` (strftime) writes it in English, else as this locale writes
    the CLDR ``skeleton`` (and the time as ``clock``): "Fri 04 Dec 20:44", "vin., 4 dec. 20:44"."""
    code = i18n.current()
    if code == i18n.DEFAULT:
        return value.strftime(english)
    text = format_skeleton(skeleton, value, locale=code)
    return f"{text} {format_skeleton(clock, value, locale=code)}" if clock else text


def weekday_names() -> list[str]:
    """Monday to Sunday, short, in this locale."""
    if i18n.current() == i18n.DEFAULT:
        return list(WEEKDAYS)
    days = Locale.parse(i18n.current()).days["stand-alone"]["abbreviated"]
    return [days[n] for n in range(7)]


def month_days(anchor: date) -> list[date]:
    """The days shown for ``anchor``'s month: whole weeks from Monday."""
    first = anchor.replace(day=1)
    start = first - timedelta(days=first.weekday())
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = following + timedelta(days=(7 - following.weekday()) % 7)
    return [start + timedelta(days=n) for n in range((end - start).days)]


def week_days(anchor: date) -> list[date]:
    start = anchor - timedelta(days=anchor.weekday())
    return [start + timedelta(days=n) for n in range(7)]


def moved_time(at: datetime, zone: ZoneInfo, day: date, hour: int | None) -> datetime:
    """``at`` moved to ``day`` (and ``hour``, when given) in ``zone``, keeping its minutes."""
    local = at.astimezone(zone)
    moved = datetime(
        day.year,
        day.month,
        day.day,
        local.hour if hour is None else hour,
        local.minute,
        tzinfo=zone,
    )
    return moved.astimezone(UTC)


def shifted_time(at: datetime, zone: ZoneInfo, days: int, hours: int) -> datetime:
    """``at`` moved by ``days`` and ``hours`` on the wall clock of ``zone`` (a day later is
    the same local time across a change of the clocks), keeping its minutes."""
    local = at.astimezone(zone).replace(tzinfo=None) + timedelta(days=days, hours=hours)
    return local.replace(tzinfo=zone).astimezone(UTC)


#: A key → the (days, hours) it moves a focused post by, in each view: left and right a
#: day, up and down an hour in the week view (its rows) and a week in the month view.
KEY_STEPS: dict[str, dict[str, tuple[int, int]]] = {
    "week": {"ArrowLeft": (-1, 0), "ArrowRight": (1, 0), "ArrowUp": (0, -1), "ArrowDown": (0, 1)},
    "month": {"ArrowLeft": (-1, 0), "ArrowRight": (1, 0), "ArrowUp": (-7, 0), "ArrowDown": (7, 0)},
}
#: A key on a focused post, caught by the grid's lasting container (a post's own button is
#: replaced at every redraw, and a key it sent then would be lost): the post and the key.
#: Enter and Escape only while that post is being moved, so Enter still opens its details.
KEY_HANDLER = """(e) => {
  const chip = e.target.closest ? e.target.closest('.cal-post') : null;
  if (!chip || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const moving = chip.dataset.moving === 'true';
  if (e.key.startsWith('Arrow') || (moving && (e.key === 'Enter' || e.key === 'Escape'))) {
    e.preventDefault(); e.stopPropagation(); emit(chip.dataset.post, e.key);
  }
}"""


@dataclass
class KeyMove:
    """The post being moved with the keyboard (as read when the move began) and how far."""

    post: PostOut | None = None
    days: int = 0
    hours: int = 0


#: Dragging a post: its chip stays where it was, faint, until the drop (the grid is redrawn)
#: or the drag's end (cancelled, or refused: put back). Set a frame later, so the picture the
#: browser drags is taken of the chip at full strength.
DRAG_START = """(e) => { const chip = e.currentTarget;
  requestAnimationFrame(() => chip.classList.add('cal-dragging')); emit(); }"""
DRAG_END = "(e) => e.currentTarget.classList.remove('cal-dragging')"


def ghost_place(
    origin: datetime, at: datetime, zone: ZoneInfo, week: bool
) -> tuple[date, int | None] | None:
    """Where a moving post's ghost goes: the cell it was in at ``origin`` (its day, and its
    hour in the week view), when the preview at ``at`` has left that cell; else ``None``."""
    was, there = origin.astimezone(zone), at.astimezone(zone)
    if week:
        cell = (was.date(), was.hour)
        return cell if cell != (there.date(), there.hour) else None
    return (was.date(), None) if was.date() != there.date() else None


#: Focus a post's chip for a few frames (the redrawn grid replaces it after this runs).
FOCUS = """(() => { let n = 0; const again = () => {
  const chip = document.querySelector('.cal-post[data-post="POST_ID"]');
  if (chip && document.activeElement !== chip) chip.focus();
  if (n++ < 8) requestAnimationFrame(again);
}; requestAnimationFrame(again); })()"""


def post_time(post: PostOut) -> datetime:
    return post.scheduled_at or post.published_at or post.created_at


async def show(env: UiEnv) -> None:
    ws: Workspace = env.ws
    client = ui.context.client
    ui.add_css(CALENDAR_CSS)
    zone = await browser_timezone()
    try:
        accounts = await call(ws.publishing.accounts.list)
    except Failed:
        accounts = []
    names = {a.id: a.name for a in accounts}
    view = {"mode": "month", "anchor": datetime.now(zone).date(), "account": "", "platform": ""}
    dragged: dict[str, str] = {}
    shown = {"key": "", "now": ""}
    moving = KeyMove()
    now_line: list[ui.element] = []

    with ui.row().classes("w-full items-center gap-2"):
        ui.label(tr("Calendar")).classes("text-h5").props('role="heading" aria-level="1"')
        ui.space()
        ui.button(tr("New post"), icon="add", on_click=lambda: new_post()).props("no-caps").classes(
            "calendar-new-post"
        )
    with ui.row().classes("w-full items-center gap-2"):
        ui.toggle(
            {"month": tr("Month"), "week": tr("Week")},
            value="month",
            on_change=lambda e: mode(e.value),
        ).props("no-caps").classes("calendar-view")
        ui.button(icon="chevron_left", on_click=lambda: step(-1)).props(
            f'flat round aria-label="{tr("Earlier")}"'
        ).mark("calendar-earlier")
        ui.button(tr("Today"), on_click=lambda: step(0)).props("flat no-caps")
        ui.button(icon="chevron_right", on_click=lambda: step(1)).props(
            f'flat round aria-label="{tr("Later")}"'
        ).mark("calendar-later")
        heading = ui.label("").classes("text-h6 calendar-title")
        ui.space()
        ui.select(
            {
                "": tr("All accounts"),
                **{
                    a.id: f"{PLATFORM_NAMES.get(a.platform, a.platform)}: {a.name}"
                    for a in accounts
                },
            },
            value="",
            label=tr("Account"),
            on_change=lambda e: pick("account", e.value),
        ).props("dense outlined").classes("w-48 calendar-account")
        ui.select(
            {"": tr("All platforms"), **PLATFORM_NAMES},
            value="",
            label=tr("Platform"),
            on_change=lambda e: pick("platform", e.value),
        ).props("dense outlined").classes("w-40 calendar-platform")
    with (
        ui.row()
        .classes("gap-2 items-center calendar-legend")
        .props(f'role="list" aria-label="{tr("Colours")}"')
    ):
        for colour, label in STATE_COLOURS.values():
            ui.badge(tr(label), color=colour).props('role="listitem"')
        ui.label(tr("Times in {zone}", zone=zone.key)).classes("text-caption text-grey-8")
    ui.label(
        tr(
            "Keyboard: focus a post, move it with the arrow keys (a day, or an hour in the "
            "week view), Enter to confirm, Escape to cancel."
        )
    ).classes("text-caption text-grey-8 gt-xs calendar-keys")  # a phone has no arrow keys
    status = (
        ui.label("")
        .classes("text-body2 calendar-move-status")
        .props('role="status" aria-live="polite"')
    )

    async def mode(value: str) -> None:
        view["mode"] = value
        await redraw()

    async def step(direction: int) -> None:
        anchor = view["anchor"]
        assert isinstance(anchor, date)
        if direction == 0:
            view["anchor"] = datetime.now(zone).date()
        elif view["mode"] == "week":
            view["anchor"] = anchor + timedelta(days=7 * direction)
        else:
            month = anchor.month - 1 + direction
            view["anchor"] = date(anchor.year + month // 12, month % 12 + 1, 1)
        await redraw()

    async def pick(name: str, value: str) -> None:
        view[name] = value or ""
        await redraw()

    def days() -> list[date]:
        anchor = view["anchor"]
        assert isinstance(anchor, date)
        return week_days(anchor) if view["mode"] == "week" else month_days(anchor)

    def fetch() -> list[PostOut]:
        shown_days = days()
        start = datetime.combine(shown_days[0], datetime.min.time(), zone)
        end = datetime.combine(shown_days[-1] + timedelta(days=1), datetime.min.time(), zone)
        return ws.publishing.posts.list(
            account_id=str(view["account"]) or None,
            platform=str(view["platform"]) or None,
            start=start,
            end=end,
            limit=2000,
        )

    def refused(post: PostOut) -> bool:
        """A post that has started (or ended) cannot move: say so (True)."""
        if post.state in MOVABLE:
            return False
        ui.notify(
            tr(
                "This post is {state}: only a scheduled post or a draft can be moved.",
                state=state_name(post.state).lower(),
            ),
            type="warning",
        )
        return True

    async def move(post: PostOut, at: datetime, passed: str) -> bool:
        """Reschedule ``post`` to ``at`` through the posts service (the drop's and the
        keyboard's one way); ``passed``: what to say when ``at`` is in the past. Whether it
        moved (the grid is redrawn then)."""
        if refused(post):
            return False
        if at < datetime.now(UTC):
            ui.notify(passed, type="warning")
            return False
        try:
            moved = await call(ws.publishing.reschedule, post.id, at)
        except Failed:
            return False
        local = moved.scheduled_at.astimezone(zone) if moved.scheduled_at else at
        ui.notify(
            tr("Moved to {moment}", moment=dated(local, "%a %d %b %H:%M", "MMMEd", "Hm")),
            type="positive",
        )
        await redraw()
        return True

    async def drop(day: date, hour: int | None) -> None:
        post_id = dragged.pop("id", "")
        if not post_id:
            return
        post = next((p for p in posts_now if p.id == post_id), None)
        if post is None:
            return
        with client:  # the cell may have been redrawn since the drag began
            await move(
                post,
                moved_time(post_time(post), zone, day, hour),
                tr("That time has passed: drop the post on a later day or hour."),
            )

    def moving_id() -> str | None:
        return moving.post.id if moving.post is not None else None

    def target(post: PostOut) -> datetime:
        """Where ``post`` is shown: its time, or where the keyboard is moving it."""
        if moving.post is None or moving.post.id != post.id:
            return post_time(post)
        return shifted_time(post_time(moving.post), zone, moving.days, moving.hours)

    async def key(args: Any) -> None:
        """An arrow key moves the focused post's preview; Enter confirms, Escape cancels.
        (In the page's own slot: the chip that sent the key is gone after a redraw.)"""
        if not isinstance(args, list) or len(args) != 2:
            return
        post_id, pressed = str(args[0]), str(args[1])
        post = moving.post if moving_id() == post_id else None
        post = post or next((p for p in posts_now if p.id == post_id), None)
        if post is not None:
            with client:
                await keyed(post, pressed)

    async def keyed(post: PostOut, pressed: str) -> None:
        steps = KEY_STEPS["week" if view["mode"] == "week" else "month"]
        starting = moving_id() != post.id
        if pressed not in steps and (starting or pressed not in ("Enter", "Escape")):
            return
        if starting or pressed == "Enter":  # the rules are checked on the post as it is now
            try:
                post = await call(ws.publishing.posts.get, post.id)
            except Failed:
                return
        if pressed in ("Enter", "Escape"):
            at = shifted_time(post_time(post), zone, moving.days, moving.hours)
            moving.post, moving.days, moving.hours = None, 0, 0
            status.set_text("")
            if pressed == "Escape":
                back = post_time(post).astimezone(zone).date()
                if back not in days():  # the view followed the preview: back with the post
                    view["anchor"] = back
                await redraw()
                status.set_text(tr("Not moved: {title} stays where it was.", title=post.title))
            elif not await move(
                post, at, tr("That time has passed: move the post to a later day or hour.")
            ):
                await redraw()
            focus(post.id)
            return
        if refused(post):
            return
        if starting:
            moving.post, moving.days, moving.hours = post, 0, 0
        moving.days += steps[pressed][0]
        moving.hours += steps[pressed][1]
        at = target(post).astimezone(zone)
        if at.date() not in days():  # the view follows the post
            view["anchor"] = at.date()
        await redraw()
        status.set_text(  # after the redraw: once it is read, the preview is drawn
            tr(
                "Moving {title} to {moment}: Enter to confirm, Escape to cancel.",
                title=post.title,
                moment=dated(at, "%a %d %b %H:%M", "MMMEd", "Hm"),
            )
        )
        focus(post.id)

    def focus(post_id: str) -> None:
        """Give the keyboard back to the post once the redrawn grid is in the page."""
        client.run_javascript(FOCUS.replace("POST_ID", post_id))  # the chip's slot is gone

    def chip(post: PostOut) -> None:
        colour = STATE_COLOURS.get(post.state, ("grey-8", post.state))[0]
        local = target(post).astimezone(zone)
        label = f"{local:%H:%M} {PLATFORM_NAMES.get(post.platform, post.platform)} · {post.title}"
        is_moving = moving_id() == post.id
        item = (
            ui.element("button")
            .classes(
                f"cal-post bg-{colour} cal-{post.state} cal-post-{post.platform}"
                + (" cal-moving" if is_moving else "")
            )
            .props(f'type=button title="{state_name(post.state)}"')
            .on("click", lambda p=post: details(p))
        )
        item._props["data-post"] = post.id
        item._props["data-moving"] = "true" if is_moving else "false"
        # every post can be picked up; one that has started is refused with a message on drop
        item._props["draggable"] = "true"
        item.on("dragstart", lambda p=post: dragged.update(id=p.id), js_handler=DRAG_START)
        item.on("dragend", js_handler=DRAG_END)
        with item:
            ui.label(label).classes("ellipsis gt-xs")
            ui.label(SHORT.get(post.platform, post.platform[:2])).classes("lt-sm")

    def cell(day: date, hour: int | None, posts: list[PostOut], today: date) -> None:
        classes = "cal-cell" + (" cal-hour" if hour is not None else "")
        anchor = view["anchor"]
        assert isinstance(anchor, date)
        if hour is None and day.month != anchor.month:
            classes += " other"
        if day == today and hour is None:
            classes += " today"
        box = ui.element("div").classes(classes)
        box._props["data-day"] = day.isoformat()
        if hour is not None:
            box._props["data-hour"] = str(hour)
        box.on(
            "dragover",
            js_handler="(e) => { e.preventDefault(); e.currentTarget.classList.add('cal-drop'); }",
        )
        box.on("dragleave", js_handler="(e) => e.currentTarget.classList.remove('cal-drop')")
        box.on(
            "drop",
            lambda d=day, h=hour: drop(d, h),
            js_handler="(e) => { e.preventDefault(); "
            "e.currentTarget.classList.remove('cal-drop'); emit(); }",
        )
        with box:
            if hour is None:
                ui.label(str(day.day)).classes("text-caption text-weight-bold")
            for post in posts:
                chip(post)
            if moving.post is not None and ghost_at == (day, hour):
                ghost(moving.post)

    def ghost(post: PostOut) -> None:
        """The moving post where it was: faint, not focusable, not read out (the status
        line says where it goes)."""
        colour = STATE_COLOURS.get(post.state, ("grey-8", post.state))[0]
        local = post_time(post).astimezone(zone)
        label = f"{local:%H:%M} {PLATFORM_NAMES.get(post.platform, post.platform)} · {post.title}"
        item = (
            ui.element("div")
            .classes(f"cal-post cal-ghost text-{colour}")
            .props('aria-hidden="true"')
            .mark("calendar-ghost")
        )
        item._props["data-ghost-of"] = post.id
        with item:
            ui.label(label).classes("ellipsis gt-xs")
            ui.label(SHORT.get(post.platform, post.platform[:2])).classes("lt-sm")

    posts_now: list[PostOut] = []
    drawing = asyncio.Lock()

    async def redraw() -> None:
        """Draw the grid again, one redraw at a time: two at once (a key and the 3 s check
        after the view changed) would both empty the grid before either reads, then both
        draw into it: two grids."""
        async with drawing:
            await grid.refresh()

    ghost_at: tuple[date, int | None] | None = None

    @ui.refreshable
    async def grid() -> None:
        nonlocal posts_now, ghost_at
        try:
            posts_now = await call(fetch)
        except Failed:
            return
        shown["key"] = signature(posts_now)
        if moving.post is not None and all(p.id != moving.post.id for p in posts_now):
            posts_now = [*posts_now, moving.post]  # its preview left the days it is in
        shown_days = days()
        today = datetime.now(zone).date()
        if view["mode"] == "week":
            heading.text = tr("Week of {day}", day=dated(shown_days[0], "%d %b %Y", "yMMMd"))
        else:
            anchor = view["anchor"]
            assert isinstance(anchor, date)
            heading.text = dated(anchor, "%B %Y", "yMMMM")
        by_day: dict[date, list[PostOut]] = {}
        for post in posts_now:
            by_day.setdefault(target(post).astimezone(zone).date(), []).append(post)
        week = view["mode"] == "week"
        ghost_at = (
            None
            if moving.post is None
            else ghost_place(post_time(moving.post), target(moving.post), zone, week)
        )
        now_line.clear()
        now = datetime.now(zone)
        shown["now"] = f"{now:%Y-%m-%d %H}"
        with ui.element("div").classes(
            "w-full cal-grid calendar-grid" + (" cal-week" if week else "")
        ):
            if week:
                ui.element("div")  # the corner above the hour labels
            for name in weekday_names():
                ui.label(name).classes("text-caption text-center text-weight-bold")
            if not week:
                for day in shown_days:
                    cell(day, None, by_day.get(day, []), today)
            else:
                ui.element("div")
                for day in shown_days:
                    ui.label(dated(day, "%d %b", "MMMd")).classes(
                        "text-caption text-center" + (" text-primary" if day == today else "")
                    )
                for hour in range(24):
                    ui.label(i18n.clock(time(hour))).classes("cal-hour-label text-grey-8").props(
                        f'data-hour="{hour}"'
                    )
                    for day in shown_days:
                        here = [
                            p
                            for p in by_day.get(day, [])
                            if target(p).astimezone(zone).hour == hour
                        ]
                        with ui.element("div").classes("relative"):
                            cell(day, hour, here, today)
                            if day == today and hour == now.hour:
                                line = ui.element("div").classes("cal-now")
                                line.props(f'aria-hidden="true" title="{tr("Now")}"')
                                line.style(f"top: {now.minute / 60 * 100:.1f}%")
                                now_line.append(line)

    def signature(posts: list[PostOut]) -> str:
        return "|".join(f"{p.id}:{p.state}:{p.scheduled_at}" for p in posts)

    async def watch() -> None:
        """Redraw when a post changed (a publish moved on, another tab rescheduled) or the
        hour turned; the "now" line follows the minutes."""
        try:
            latest = await call(fetch)
        except Failed:
            return
        now = datetime.now(zone)
        if signature(latest) != shown["key"] or (
            view["mode"] == "week" and f"{now:%Y-%m-%d %H}" != shown["now"]
        ):
            await redraw()
            if moving.post is not None:
                focus(moving.post.id)
        elif now_line:
            now_line[0].style(f"top: {now.minute / 60 * 100:.1f}%")

    async def details(post: PostOut) -> None:
        try:
            post = await call(ws.publishing.posts.get, post.id)
            events = await call(ws.publishing.posts.events, post.id)
        except Failed:
            return
        colour = STATE_COLOURS.get(post.state, ("grey-8", post.state))[0]
        state = state_name(post.state)
        with (
            ui.dialog().props(f'aria-label="{tr("The post")}"') as dialog,
            ui.card().classes("w-full max-w-xl post-details"),
        ):
            with ui.row().classes("items-center gap-2 w-full no-wrap"):
                ui.label(post.title).classes("text-h6 ellipsis grow").props(
                    'role="heading" aria-level="2"'
                )
                ui.badge(state, color=colour).classes("post-state")
            account = names.get(post.account_id, post.account_id)
            at = post_time(post).astimezone(zone)
            ui.label(
                " · ".join(
                    (
                        f"{PLATFORM_NAMES.get(post.platform, post.platform)}: {account}",
                        dated(at, "%a %d %b %Y %H:%M", "yMMMEd", "Hm"),
                        post.privacy,
                    )
                )
            ).classes("text-body2")
            if post.message:
                ui.label(post.message).classes("text-body2 text-negative post-message")
            if post.url:
                ui.link(tr("Open the post"), post.url, new_tab=True).classes(f"post-url {LINK}")
            ui.label(tr("Events")).classes("text-subtitle1")
            with ui.column().classes("gap-0 w-full post-events"):
                for event in events:
                    local = event.at.astimezone(zone)
                    ui.label(
                        " · ".join(
                            (
                                dated(local, "%d %b %H:%M:%S", "MMMd", "Hms"),
                                f"{event.step} → {event.outcome}",
                                *((event.detail,) if event.detail else ()),
                            )
                        )
                    ).classes("text-caption")
                if not events:
                    ui.label(tr("Nothing has happened yet.")).classes("text-caption")

            async def act(fn: object, done: str) -> None:
                try:
                    await call(fn, post.id)  # type: ignore[arg-type]
                except Failed:
                    return
                dialog.close()
                ui.notify(done, type="positive")
                await redraw()

            with ui.row().classes("w-full justify-end gap-2"):
                if post.state in MOVABLE:
                    ui.button(
                        tr("Cancel the post"),
                        on_click=lambda: act(ws.publishing.posts.cancel, tr("Cancelled")),
                    ).props("flat no-caps color=negative").classes("post-cancel")
                    ui.button(
                        tr("Publish now"),
                        on_click=lambda: act(ws.publishing.publish_now, tr("Publishing now")),
                    ).props("no-caps").classes("post-now")
                if post.state in ("failed", "needs_attention"):
                    ui.button(
                        tr("Retry"), on_click=lambda: act(ws.publishing.retry, tr("Trying again"))
                    ).props("no-caps").classes("post-retry")
                ui.button(tr("Close"), on_click=dialog.close).props("flat no-caps")
        dialog.open()

    async def new_post() -> None:
        try:
            renders = await call(lambda: ws.jobs.find(status="succeeded", limit=50).items)
        except Failed:
            return
        await open_post_dialog(ws, renders, on_posted=lambda _: redraw())

    area = ui.element("div").classes("w-full calendar-area").mark("calendar-area")
    area.on("keydown", lambda e: key(e.args), js_handler=KEY_HANDLER)
    with area:
        async with drawing:  # a click while the first drawing reads must wait for it
            await grid()
    ui.timer(3.0, watch)
