"""Reading analytics exports (metrics/): YouTube Studio zips, TikTok Studio CSVs in two
languages, the generic CSV; and the errors that name the row and the column."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.analytics_exports import (
    GENERIC_HEADER,
    TikTokVideo,
    YouTubeVideo,
    csv_text,
    days,
    encoded,
    generic_csv,
    tiktok_content,
    tiktok_followers,
    tiktok_overview,
    tiktok_zip,
    youtube_studio_zip,
    youtube_table_rows,
)
from video_orchestrator.errors import MetricsFileError
from video_orchestrator.metrics.detect import read_export
from video_orchestrator.metrics.titles import match_title, normal_title

TODAY = date(2026, 12, 4)


def _videos() -> list[YouTubeVideo]:
    return [
        YouTubeVideo(
            "dQw4w9WgXcQ", "Why the deep ocean glows, explained", date(2026, 11, 2), 41,
            [120, 340, 1_250, 980], watch_hours=11.5, average_view_duration=15.0,
            average_percentage_viewed=36.6, likes=210, comments=14, shares=9, subscribers=-2,
            impressions=40_000, ctr=4.35,
        ),
        YouTubeVideo(
            "a1B2c3D4e5F", "3 facts about octopus hearts", date(2026, 11, 3), 33,
            [0, 55, 70, 10], watch_hours=0.75, average_view_duration=20.0,
            average_percentage_viewed=61.0, likes=5, impressions=1_000, ctr=2.0,
        ),
    ]  # fmt: skip


def test_a_youtube_studio_zip_gives_day_rows_and_period_totals() -> None:
    parsed = read_export(youtube_studio_zip(_videos(), date(2026, 11, 10)), "yt.zip", as_of=TODAY)
    assert parsed.source == "youtube-studio"
    assert parsed.period == (date(2026, 11, 10), date(2026, 11, 13))
    ocean = next(v for v in parsed.videos if v.remote_id == "dQw4w9WgXcQ")
    assert ocean.title == "Why the deep ocean glows, explained"
    assert ocean.published_at == datetime(2026, 11, 2)
    assert ocean.duration_seconds == 41
    day_rows = [m for m in parsed.metrics if m.is_day and m.remote_id == "dQw4w9WgXcQ"]
    assert [m.values["views"] for m in day_rows] == [120, 340, 1_250, 980]
    (period,) = [m for m in parsed.metrics if not m.is_day and m.remote_id == "dQw4w9WgXcQ"]
    assert (period.start, period.end) == (date(2026, 11, 10), date(2026, 11, 13))
    assert period.values["views"] == 2_690
    assert period.values["average_view_duration"] == 15.0  # "0:00:15"
    assert period.values["watch_hours"] == pytest.approx(11.5)
    assert period.values["impressions_ctr"] == pytest.approx(4.35)
    assert period.values["subscribers"] == -2  # a net change may be negative
    assert period.values["comments"] == 14
    assert "Total" not in {v.remote_id for v in parsed.videos}


def test_a_zip_in_a_folder_and_quoted_commas_read_the_same() -> None:
    parsed = read_export(
        youtube_studio_zip(_videos(), date(2026, 11, 10), folder="Content 2026-11-10/"),
        "yt.zip",
        as_of=TODAY,
    )
    assert {v.title for v in parsed.videos} >= {"Why the deep ocean glows, explained"}


def test_table_data_without_its_total_row_is_refused() -> None:
    rows = youtube_table_rows(_videos())
    del rows[1]
    with pytest.raises(MetricsFileError, match=r"Table data.csv, row 2: the first row is not"):
        read_export(youtube_studio_zip(_videos(), date(2026, 11, 10), table_rows=rows), "y.zip",
                    as_of=TODAY)  # fmt: skip


def test_a_bad_cell_names_its_row_and_column() -> None:
    rows = youtube_table_rows(_videos())
    rows[3][4] = "lots"  # the second video's Views
    with pytest.raises(MetricsFileError) as caught:
        read_export(youtube_studio_zip(_videos(), date(2026, 11, 10), table_rows=rows), "y.zip",
                    as_of=TODAY)  # fmt: skip
    assert caught.value.row == 4
    assert caught.value.column == "Views"
    assert "y.zip: Table data.csv, row 4, column 'Views': not a number" in str(caught.value)


def test_a_missing_required_column_is_named() -> None:
    rows = [[c for i, c in enumerate(r) if i != 4] for r in youtube_table_rows(_videos())]
    with pytest.raises(MetricsFileError, match=r"has no column 'Views'"):
        read_export(youtube_studio_zip(_videos(), date(2026, 11, 10), table_rows=rows), "y.zip",
                    as_of=TODAY)  # fmt: skip


def test_a_bad_duration_is_named() -> None:
    rows = youtube_table_rows(_videos())
    rows[2][8] = "1:xx:05"
    with pytest.raises(MetricsFileError, match=r"column 'Average view duration': not a dur"):
        read_export(youtube_studio_zip(_videos(), date(2026, 11, 10), table_rows=rows), "y.zip",
                    as_of=TODAY)  # fmt: skip


def test_tiktok_dates_cross_the_new_year_from_the_exports_last_day() -> None:
    span = days(date(2026, 12, 29), 6)  # Dec 29 .. Jan 3
    overview = tiktok_overview([(d, 1_000 + i, 50, 80, 3, 1) for i, d in enumerate(span)])
    parsed = read_export(encoded(overview, bom=True), "Overview.csv", as_of=date(2027, 1, 5))
    assert [d.day for d in parsed.account_days] == span
    assert parsed.period == (date(2026, 12, 29), date(2027, 1, 3))
    assert parsed.account_days[0].values["views"] == 1_000


def test_tiktok_numbers_with_thousands_separators_in_english_and_german() -> None:
    day = date(2026, 11, 30)
    for language in ("en", "de"):
        text = tiktok_overview([(day, 1_234_567, 12_345, 4_321, 99, 7)], language)
        assert ("1.234.567" in text) == (language == "de")
        parsed = read_export(encoded(text), "Overview.csv", as_of=TODAY)
        (row,) = parsed.account_days
        assert row.day == day
        assert row.values == {
            "views": 1_234_567, "profile_views": 12_345, "likes": 4_321, "comments": 99,
            "shares": 7,
        }  # fmt: skip


def test_a_tiktok_zip_reads_its_three_files_and_dates_posts_by_the_overview() -> None:
    span = days(date(2026, 12, 28), 7)  # to Jan 3, 2027
    videos = [
        TikTokVideo("7301234567890123456", "Octopus hearts, explained", date(2026, 12, 30),
                    25_000, 1_900, 45, 120),
        TikTokVideo("7309999999999999999", "Deep sea glow", date(2027, 1, 2), 800, 40, 2, 1),
    ]  # fmt: skip
    data = tiktok_zip(
        {
            "Overview.csv": tiktok_overview([(d, 100, 5, 10, 1, 0) for d in span], "de"),
            "Content.csv": tiktok_content(videos, "de"),
            "FollowerActivity.csv": tiktok_followers(
                [(span[-1], h, 10 * h) for h in range(24)], "de"
            ),
        }
    )
    # made in March: the posts' year comes from the overview's last day, not from today
    parsed = read_export(data, "tiktok.zip", as_of=date(2027, 3, 1))
    assert parsed.source == "tiktok-studio"
    assert {v.remote_id: v.published_at for v in parsed.videos} == {
        "7301234567890123456": datetime(2026, 12, 30),
        "7309999999999999999": datetime(2027, 1, 2),
    }
    assert {v.account for v in parsed.videos} == {"makerlab"}
    lifetime = {m.remote_id: (m.start, m.end, m.values["views"]) for m in parsed.metrics}
    assert lifetime["7301234567890123456"] == (date(2026, 12, 30), date(2027, 1, 3), 25_000)
    assert len(parsed.follower_hours) == 24
    assert parsed.follower_hours[23].active_followers == 230
    assert {d.account for d in parsed.account_days} == {"makerlab"}


def test_an_unknown_language_is_refused_with_advice() -> None:
    text = csv_text([["Fecha", "Visualizaciones de vídeos", "Visitas al perfil"], ["1 dic", 3, 4]])
    with pytest.raises(MetricsFileError, match="not a known export"):
        read_export(encoded(text), "Overview.csv", as_of=TODAY)


def test_a_tiktok_date_that_is_not_one_is_named() -> None:
    text = tiktok_overview([(date(2026, 11, 30), 1, 1, 1, 1, 1)]).replace("November 30", "Nov 31")
    with pytest.raises(MetricsFileError, match=r"row 2, column 'Date': no such day"):
        read_export(encoded(text), "Overview.csv", as_of=TODAY)


def test_gaps_in_the_overview_mean_a_wrong_year() -> None:
    rows = [(date(2026, 11, 1), 1, 1, 1, 1, 1), (date(2026, 11, 3), 1, 1, 1, 1, 1)]
    with pytest.raises(MetricsFileError, match="do not follow one another"):
        read_export(encoded(tiktok_overview(rows)), "Overview.csv", as_of=TODAY)


def test_the_generic_csv_with_bom_crlf_and_quoted_commas() -> None:
    text = generic_csv(
        [
            ["youtube", "abc123", "2026-11-01", "Hello, world", "me", "1,234", "2.5", "31.5",
             10, 2, 1, 0, 5000, "3.1"],
            ["tiktok", "7301", "2026-11-01", "Second", "me", 50, "", "", 1, 0, 0, 3, "", ""],
        ]
    )  # fmt: skip
    assert "\r\n" in text
    parsed = read_export(encoded(text, bom=True), "metrics.csv", as_of=TODAY)
    assert parsed.source == "csv"
    first = next(m for m in parsed.metrics if m.remote_id == "abc123")
    assert first.values["views"] == 1_234
    assert first.values["watch_hours"] == 2.5
    assert first.values["impressions_ctr"] == 3.1
    second = next(m for m in parsed.metrics if m.remote_id == "7301")
    assert second.values["watch_hours"] is None and second.values["saves"] == 3
    assert {v.title for v in parsed.videos} == {"Hello, world", "Second"}


def test_the_generic_csv_refuses_a_second_row_for_the_same_day() -> None:
    row = ["youtube", "abc", "2026-11-01", "t", "me", 1, "", "", "", "", "", "", "", ""]
    with pytest.raises(MetricsFileError, match=r"row 3: a second row for abc on 2026-11-01"):
        read_export(encoded(generic_csv([row, row])), "m.csv", as_of=TODAY)


def test_the_generic_csv_names_a_bad_platform_and_a_short_row() -> None:
    good = ["youtube", "abc", "2026-11-01", "t", "me", 1, "", "", "", "", "", "", "", ""]
    bad = ["vimeo", *good[1:]]
    with pytest.raises(MetricsFileError, match=r"row 3, column 'platform': not one of"):
        read_export(encoded(generic_csv([good, bad])), "m.csv", as_of=TODAY)
    short = csv_text([GENERIC_HEADER, ["youtube", "abc", "2026-11-01", "t", "me"]])
    with pytest.raises(MetricsFileError, match=r"row 2: the row has 5 cells"):
        read_export(encoded(short), "m.csv", as_of=TODAY)


def test_not_utf8_and_not_an_export_are_refused() -> None:
    with pytest.raises(MetricsFileError, match="not UTF-8"):
        read_export(b"Date,Views\n\xff\xfe\xfa", "x.csv", as_of=TODAY)
    with pytest.raises(MetricsFileError, match="not a known export"):
        read_export(b"a,b,c\n1,2,3\n", "x.csv", as_of=TODAY)
    with pytest.raises(MetricsFileError, match="empty"):
        read_export(b"  \n", "x.csv", as_of=TODAY)


def test_titles_match_exactly_after_normalising_or_by_a_clear_similarity() -> None:
    projects = {
        "p1": "Why the deep ocean glows",
        "p2": "3 facts about octopus hearts",
        "p3": "How volcanoes make islands",
    }
    assert normal_title("WHY the Deep Ocean glows?! 🌊 #shorts") == "why the deep ocean glows"
    assert match_title("Why the deep ocean glows 🌊 #shorts", projects) == "p1"
    assert match_title("3 facts about octopus heart", projects) == "p2"  # one letter off
    assert match_title("Something else entirely", projects) is None
    assert match_title("Same title", {"a": "Same title", "b": "same TITLE!"}) is None  # a tie
    assert match_title("", projects) is None


def test_tiktok_days_written_with_their_year_are_taken_as_they_are() -> None:
    text = csv_text([["Date", "Video Views", "Profile Views"], ["2025-12-31", "1,200", 3],
                     ["2026-01-01", 900, 4]])  # fmt: skip
    parsed = read_export(encoded(text), "Overview.csv", as_of=date(2026, 6, 1))
    assert [d.day for d in parsed.account_days] == [date(2025, 12, 31), date(2026, 1, 1)]


def test_a_zip_made_again_has_the_same_fingerprint() -> None:
    import io
    import zipfile

    from video_orchestrator.metrics.detect import fingerprint

    def zipped(when: tuple[int, int, int, int, int, int], body: bytes) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(zipfile.ZipInfo("Table data.csv", date_time=when), body)
        return buffer.getvalue()

    one = zipped((2026, 11, 1, 10, 0, 0), b"Content,Views\n")
    two = zipped((2026, 12, 1, 11, 30, 0), b"Content,Views\n")
    assert one != two
    assert fingerprint(one) == fingerprint(two)
    assert fingerprint(zipped((2026, 11, 1, 10, 0, 0), b"Content,Views\nTotal,1\n")) != (
        fingerprint(one)
    )
    assert fingerprint(b"a,b\n") != fingerprint(b"a,b\r\n")
