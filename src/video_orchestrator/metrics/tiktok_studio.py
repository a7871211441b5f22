"""TikTok Studio's analytics export: ``Overview.csv`` (the account's days: Date, Video
Views, Profile Views, Likes, Comments, Shares), ``Content.csv`` (its videos: title, link,
post time and lifetime totals) and ``FollowerActivity.csv`` (Date, Hour, Active followers).

TikTok writes dates without a year ("December 31", German "31. Dezember") and localises
the headers, month names and number format. Each language is one explicit table below
(English and German so far). The year of a date is the latest one that does not put it
after the export's last day (``as_of``): an export of Dec 29 – Jan 3 made on Jan 5, 2027
reads Dec 29, 2026 … Jan 3, 2027. Days of Overview.csv must follow one another.
"""

from __future__ import annotations

import calendar
import io
import itertools
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from video_orchestrator.errors import MetricsFileError
from video_orchestrator.metrics.records import (
    AccountDay,
    FollowerHour,
    MetricRow,
    Number,
    ParsedExport,
    VideoRecord,
)
from video_orchestrator.metrics.table import Cell, Table, decode

PLATFORM = "tiktok"
OVERVIEW = "Overview.csv"
CONTENT = "Content.csv"
FOLLOWERS = "FollowerActivity.csv"
PARTS = (OVERVIEW, CONTENT, FOLLOWERS)
MAX_PART_BYTES = 50_000_000
_VIDEO_LINK = re.compile(r"tiktok\.com/@(?P<account>[^/?#]+)/video/(?P<id>\d+)")


@dataclass(frozen=True)
class Language:
    """How one language writes the export: its headers, months and numbers."""

    code: str
    overview: Mapping[str, tuple[str, ...]]
    content: Mapping[str, tuple[str, ...]]
    followers: Mapping[str, tuple[str, ...]]
    #: Month names and abbreviations (lower case) → month number.
    months: Mapping[str, int]
    decimal_comma: bool


def _months(names: list[str], abbreviations: list[str]) -> dict[str, int]:
    table = {name.lower(): i + 1 for i, name in enumerate(names)}
    table.update({abbr.lower().rstrip("."): i + 1 for i, abbr in enumerate(abbreviations)})
    return table


ENGLISH = Language(
    code="en",
    overview={
        "date": ("Date",),
        "views": ("Video Views", "Video views"),
        "profile_views": ("Profile Views", "Profile views"),
        "likes": ("Likes",),
        "comments": ("Comments",),
        "shares": ("Shares",),
    },
    content={
        "title": ("Video title", "Title"),
        "link": ("Video link", "Link"),
        "posted": ("Post time", "Posted"),
        "views": ("Total views", "Views", "Video views"),
        "likes": ("Total likes", "Likes"),
        "comments": ("Total comments", "Comments"),
        "shares": ("Total shares", "Shares"),
        "saves": ("Total saves", "Saves", "Favorites"),
    },
    followers={
        "date": ("Date",),
        "hour": ("Hour",),
        "active": ("Active followers", "Active Followers"),
    },
    months=_months(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    )
    | {"sept": 9},
    decimal_comma=False,
)
GERMAN = Language(
    code="de",
    overview={
        "date": ("Datum",),
        "views": ("Videoaufrufe",),
        "profile_views": ("Profilaufrufe",),
        "likes": ("Likes", "„Gefällt mir“-Angaben"),
        "comments": ("Kommentare",),
        "shares": ("Geteilte Inhalte", "Teilen"),
    },
    content={
        "title": ("Videotitel", "Titel"),
        "link": ("Videolink", "Link"),
        "posted": ("Veröffentlichungszeit", "Gepostet"),
        "views": ("Aufrufe gesamt", "Videoaufrufe"),
        "likes": ("Likes gesamt", "Likes"),
        "comments": ("Kommentare gesamt", "Kommentare"),
        "shares": ("Geteilte Inhalte gesamt", "Geteilte Inhalte"),
        "saves": ("Gespeichert gesamt", "Favoriten"),
    },
    followers={
        "date": ("Datum",),
        "hour": ("Stunde", "Uhrzeit"),
        "active": ("Aktive Follower",),
    },
    months=_months(
        [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
    ),
    decimal_comma=True,
)
LANGUAGES = (ENGLISH, GERMAN)


def part_of(headers_text: str) -> str | None:
    """Which of the three files a CSV is, from its header line (any known language)."""
    first = headers_text.lstrip("\ufeff").splitlines()[0] if headers_text.strip() else ""
    heads = {h.strip().strip('"').lower() for h in first.split(",")}
    for language in LANGUAGES:
        for part, columns, key in (
            (FOLLOWERS, language.followers, "active"),
            (CONTENT, language.content, "link"),
            (OVERVIEW, language.overview, "profile_views"),
        ):
            if any(alias.lower() in heads for alias in columns[key]):
                return part
    return None


def _language(text: str, name: str, part: str) -> Language:
    """The language whose headers for ``part`` match the most of the file's headers."""
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    heads = {h.strip().strip('"').lower() for h in first.split(",")}

    def matches(language: Language) -> int:
        columns = {OVERVIEW: language.overview, CONTENT: language.content}.get(
            part, language.followers
        )
        return sum(any(a.lower() in heads for a in names) for names in columns.values())

    best = max(LANGUAGES, key=matches)
    if matches(best) == 0:
        known = ", ".join(lang.code for lang in LANGUAGES)
        raise MetricsFileError(
            f"{name}: the headers are in a language not mapped yet (known: {known}); "
            "switch TikTok Studio to English and export again",
            row=1,
        )
    return best


def month_day(cell: Cell, language: Language) -> tuple[int, int]:
    """The month and day of "December 31", "Dec 31", "31. Dezember", "31 Dez" (a time
    after them, "… 10:15", is ignored)."""
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?\s*$", "", cell.text.strip())
    text = text.replace(",", " ").strip()
    words = text.replace(".", " ").split()
    month = day = None
    for word in words:
        if word.isdigit() and day is None:
            day = int(word)
        elif word.lower() in language.months and month is None:
            month = language.months[word.lower()]
    if month is None or day is None or len(words) != 2:
        example = "December 31" if language.code == "en" else "31. Dezember"
        raise cell.fail(f"not a date like {example!r}")
    if not 1 <= day <= calendar.monthrange(2000, month)[1]:  # 2000: February has 29 days
        raise cell.fail("no such day")
    return month, day


def dated(month: int, day: int, as_of: date, cell: Cell) -> date:
    """The latest date with this month and day on or before ``as_of``."""
    for year in range(as_of.year, as_of.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # February 29 of a common year
        if candidate <= as_of:
            return candidate
    raise cell.fail("no such day")


def day_of(cell: Cell, language: Language, as_of: date) -> date:
    """A day as TikTok writes it: without a year (dated by ``as_of``), or, in some exports,
    as ``YYYY-MM-DD`` (optionally with a time)."""
    text = cell.text.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return cell.iso_date()
    return dated(*month_day(cell, language), as_of, cell)


def _overview(
    text: str, name: str, account: str, as_of: date
) -> tuple[list[AccountDay], tuple[date, date] | None]:
    language = _language(text, name, OVERVIEW)
    table = Table(text, name, language.overview, required=["date", "views"])
    rows: list[AccountDay] = []
    for row in table:
        cell = row["date"]
        day = day_of(cell, language, as_of)
        values: dict[str, Number | None] = {
            key: row[key].count(decimal_comma=language.decimal_comma)
            for key in ("views", "profile_views", "likes", "comments", "shares")
            if table.has(key)
        }
        rows.append(AccountDay(PLATFORM, account, day, values))
    if not rows:
        return rows, None
    ordered = sorted(r.day for r in rows)
    for before, after in itertools.pairwise(ordered):
        if after - before != timedelta(days=1):
            raise MetricsFileError(
                f"{name}: the days do not follow one another ({before:%b %d %Y} then "
                f"{after:%b %d %Y}): is the export's last day ({as_of}) right? give it with "
                "--as-of"
            )
    return rows, (ordered[0], ordered[-1])


def _content(
    text: str, name: str, account: str, as_of: date
) -> tuple[list[VideoRecord], list[MetricRow]]:
    language = _language(text, name, CONTENT)
    table = Table(text, name, language.content, required=["link", "views"])
    videos: list[VideoRecord] = []
    metrics: list[MetricRow] = []
    seen: set[str] = set()
    for row in table:
        link = row["link"]
        found = _VIDEO_LINK.search(link.text)
        if found is None:
            raise link.fail("not a TikTok video link like https://www.tiktok.com/@you/video/123")
        video_id = found["id"]
        if video_id in seen:
            raise link.fail("the same video twice")
        seen.add(video_id)
        posted = row.get("posted")
        posted_day = day_of(posted, language, as_of) if posted else None
        title = row["title"].text.strip() if table.has("title") else ""
        videos.append(
            VideoRecord(
                platform=PLATFORM,
                remote_id=video_id,
                title=title,
                account=account or found["account"],
                url=link.text.strip(),
                published_at=datetime(posted_day.year, posted_day.month, posted_day.day)
                if posted_day
                else None,
            )
        )
        values: dict[str, Number | None] = {
            key: row[key].count(decimal_comma=language.decimal_comma)
            for key in ("views", "likes", "comments", "shares", "saves")
            if table.has(key)
        }
        start = posted_day or as_of
        metrics.append(MetricRow(PLATFORM, video_id, min(start, as_of), as_of, values))
    return videos, metrics


def _followers(text: str, name: str, account: str, as_of: date) -> list[FollowerHour]:
    language = _language(text, name, FOLLOWERS)
    table = Table(text, name, language.followers, required=["date", "hour", "active"])
    rows: list[FollowerHour] = []
    for row in table:
        cell = row["date"]
        day = day_of(cell, language, as_of)
        hour_cell = row["hour"]
        hour_text = hour_cell.text.strip().split(":")[0]
        if not hour_text.isdigit() or not 0 <= int(hour_text) <= 23:
            raise hour_cell.fail("not an hour from 0 to 23")
        active = row["active"].count(decimal_comma=language.decimal_comma)
        rows.append(FollowerHour(PLATFORM, account, day, int(hour_text), active or 0))
    return rows


def read_parts(
    texts: Mapping[str, str], name: str, *, as_of: date, account: str = ""
) -> ParsedExport:
    """The export from the texts of one or more of its files, keyed by their part name.
    ``as_of`` is the export's last day (the day it was made when unknown); when Overview.csv
    is given, its last day is the anchor of the other files' dates."""
    account_days: list[AccountDay] = []
    period: tuple[date, date] | None = None
    if OVERVIEW in texts:
        account_days, period = _overview(texts[OVERVIEW], _name(name, OVERVIEW), account, as_of)
    anchor = period[1] if period else as_of
    videos: list[VideoRecord] = []
    metrics: list[MetricRow] = []
    if CONTENT in texts:
        videos, metrics = _content(texts[CONTENT], _name(name, CONTENT), account, anchor)
    followers: list[FollowerHour] = []
    if FOLLOWERS in texts:
        followers = _followers(texts[FOLLOWERS], _name(name, FOLLOWERS), account, anchor)
    if not account:  # every video names its account in its link: use it for the account rows
        handles = {v.account for v in videos if v.account}
        if len(handles) == 1:
            handle = handles.pop()
            account_days = [AccountDay(d.platform, handle, d.day, d.values) for d in account_days]
            followers = [
                FollowerHour(f.platform, handle, f.day, f.hour, f.active_followers)
                for f in followers
            ]
    return ParsedExport(
        source="tiktok-studio",
        videos=tuple(videos),
        metrics=tuple(metrics),
        account_days=tuple(account_days),
        follower_hours=tuple(followers),
        period=period,
        parts=tuple(sorted(texts)),
    )


def _name(name: str, part: str) -> str:
    return name if name.rsplit("/", 1)[-1] == part else f"{name}: {part}"


def is_tiktok_zip(names: list[str]) -> bool:
    return any(n.rsplit("/", 1)[-1] in PARTS for n in names)


def read_zip(data: bytes, name: str, *, as_of: date, account: str = "") -> ParsedExport:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise MetricsFileError(f"{name} is not a readable zip file") from exc
    texts: dict[str, str] = {}
    with archive:
        for info in archive.infolist():
            base = info.filename.rsplit("/", 1)[-1]
            if base in PARTS:
                if info.file_size > MAX_PART_BYTES:
                    raise MetricsFileError(f"{name}: {base} is over {MAX_PART_BYTES:,} bytes")
                texts[base] = decode(archive.read(info), f"{name}: {base}")
    if not texts:
        raise MetricsFileError(f"{name} holds none of {', '.join(PARTS)}")
    return read_parts(texts, name, as_of=as_of, account=account)
