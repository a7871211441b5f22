"""``vo trends`` end to end (a subprocess, the registered adapters) against the local trend
server: follow a feed, watch a keyword, poll, list (table and JSON), make a project from a
trend; bad input is one line, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.metadata import entry_points

import pytest

from tests.cli.conftest import VoRunner
from tests.trend_servers import Entry, TrendServer, World

pytestmark = pytest.mark.skipif(
    not entry_points(group="video_orchestrator.trends"),
    reason="the trend adapters are not registered in this environment (pip install -e .)",
)
ENV = {"VO_ALLOW_PRIVATE_URLS": "1", "VO_DEFAULT_VOICE": "fake:fake-en"}


@pytest.fixture
def server() -> Iterator[TrendServer]:
    world = World(
        feeds={
            "science": (
                "atom",
                [
                    Entry(
                        "urn:1",
                        "Comet Tsuchinshan brightens to naked-eye view this week",
                        "https://sci.example/comet",
                        "The comet reaches magnitude 3 on Friday, the observatory said. "
                        "It will be visible low in the west after sunset for ten days.",
                    ),
                    Entry("urn:2", "Budget talks stall again", "https://sci.example/budget"),
                ],
            )
        }
    )
    with TrendServer(world) as running:
        yield running


def test_follow_a_feed_watch_poll_list_and_make(vo: VoRunner, server: TrendServer) -> None:
    url = f"{server.base_url}/feeds/science.xml"
    added = vo("trends", "feeds", "add", url, settings=ENV)
    assert added.returncode == 0, added.stderr
    assert "added" in added.stdout
    again = vo("trends", "feeds", "add", url, settings=ENV)
    assert "already followed" in again.stdout
    assert vo("trends", "watch", "comet", "--threshold", "0", settings=ENV).returncode == 0
    polled = vo("trends", "poll", settings=ENV)
    assert polled.returncode == 0, polled.stderr
    assert "ok (2 items)" in polled.stdout and "1 new alert(s)" in polled.stdout
    listed = json.loads(vo("trends", "list", "--json", settings=ENV).stdout)
    assert listed[0]["title"].startswith("Comet Tsuchinshan")  # the watched niche first
    table = vo("trends", "list", settings=ENV)
    assert "Comet Tsuchinshan" in table.stdout
    alerts = vo("trends", "alerts", "list", settings=ENV)
    assert "Comet" in alerts.stdout
    made = vo("trends", "make", listed[0]["id"][:8], settings=ENV)
    assert made.returncode == 0, made.stderr
    assert "source: https://sci.example/comet" in made.stdout


def test_bad_input_is_one_line(vo: VoRunner) -> None:
    bad = vo("trends", "sources", "add", "reddit", "subreddit=../etc", settings=ENV)
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error:") and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    missing = vo("trends", "show", "deadbeef", settings=ENV)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    unknown = vo("trends", "sources", "add", "tiktok", settings=ENV)
    assert unknown.returncode == 2 and "unknown trend source" in unknown.stderr


def test_poll_with_no_sources_says_how_to_add_one(vo: VoRunner) -> None:
    polled = vo("trends", "poll", settings=ENV)
    assert polled.returncode == 0, polled.stderr
    assert "no trend sources yet" in polled.stderr and "vo trends feeds add" in polled.stderr
    assert "no source is due" not in polled.stderr
