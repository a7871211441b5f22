"""Create from a trend, offline: the project's script is made of the evidence's sentences
(checked against the fixture headlines and summaries), the links are in the description and
beside the project, and the project renders (real FFmpeg, a fast fake voice). Refresh takes
the newer evidence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.trend_servers import News, Post, Search, TrendServer, World, adapters_for
from video_orchestrator.config import Settings
from video_orchestrator.errors import NotFoundError, StaleVersionError
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.render.probe import probe
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.services.trend_jobs import poll_all, trend_service
from video_orchestrator.services.trend_projects import TrendProjects
from video_orchestrator.spec.options import ExportSettings

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
NEWS = [
    News(
        "Total lunar eclipse on Sunday lasts 58 minutes",
        "https://news.example/eclipse-58",
        "Example News",
        "The Moon turns copper red over the Pacific for 58 minutes, NASA said.",
    ),
    News(
        "Where to watch the blood moon this weekend",
        "https://skies.example/where",
        "Skies Daily",
        "Viewers in Hawaii and New Zealand get the best view of the whole eclipse.",
    ),
]


@pytest.mark.render
def test_a_project_from_a_trend_uses_its_facts_keeps_its_links_and_renders(
    tmp_path: Path,
) -> None:
    world = World(
        google={"US": [Search("Lunar eclipse", "100K+", list(NEWS))]},
        reddit={
            ("space", "hot"): [
                Post(
                    "e1",
                    "Lunar eclipse tonight: the last total one until 2029",
                    5000,
                    "The next total lunar eclipse visible from Europe comes in 2029.",
                )
            ]
        },
    )
    with TrendServer(world) as server:
        settings = Settings(
            data_dir=tmp_path / "data",
            cache_dir=tmp_path / "cache",
            database_url=f"sqlite:///{tmp_path / 'vo.db'}",
            default_voice="fake:fake-en",
        )
        ctx = AppContext(
            settings,
            tts={"fake": FakeTTS(words_per_second=25)},  # a few seconds of video
            trend_sources=adapters_for(server.base_url),
        )
        trends = trend_service(ctx)
        trends.add_source("google-trends", {"geo": "US"})
        trends.add_source("reddit", {"subreddit": "space"})
        poll_all(ctx, T0)
        (trend,) = [t for t in trends.list_trends() if "eclipse" in t.title.lower()]
        assert trend.breadth == 2

        made = TrendProjects(ctx, trends).create(trend.id, platform="tiktok")
        assert made.script_source == "source" and made.notice is None
        script = made.project.script
        assert script is not None
        narration = " ".join(script.spoken_parts())
        # the facts of the fixture headlines and summaries, and nothing said beyond them
        assert "58 minutes" in narration
        assert "2029" in narration or "Hawaii" in narration
        evidence_text = " ".join(
            [n.title + ". " + n.snippet for n in NEWS]
            + [p.title + ". " + p.selftext for p in world.reddit[("space", "hot")]]
        )
        for part in script.spoken_parts():
            for sentence in part.replace("!", ".").split(". "):
                assert sentence.strip(" .") in evidence_text, sentence
        # the links: in the description and kept beside the project
        for news in NEWS:
            assert news.url in script.description
        assert {link["url"] for link in made.links} >= {n.url for n in NEWS}
        assert TrendProjects(ctx, trends).links(made.project.id) == made.links

        # rendered offline, the description (with its links) is in the video's metadata
        project = made.project
        result = MakeVideo(ctx)(
            MakeRequest(
                script_text=script.model_dump_json(),
                options=project.video_options("tiktok").model_copy(
                    update={"export": ExportSettings(quality="draft")}
                ),
                out=tmp_path / "out",
            ),
            SilentReporter(),
        )
        assert probe(result.video).duration > 1.0
        metadata = json.loads(result.metadata.read_text(encoding="utf-8"))
        assert "https://news.example/eclipse-58" in metadata["description"]
        assert "Sources:" in metadata["description"]

        # refresh: newer evidence comes in, the script is written again from it
        server.world.google["US"][0].news.append(
            News(
                "Eclipse watchers pack Auckland beaches",
                "https://nz.example/auckland",
                "NZ Today",
                "Thousands gathered on Auckland beaches to watch the eclipse at 9 pm.",
            )
        )
        poll_all(ctx, T0 + timedelta(minutes=31))
        with pytest.raises(StaleVersionError):
            TrendProjects(ctx, trends).refresh(project.id, version=project.version + 5)
        refreshed = TrendProjects(ctx, trends).refresh(project.id)
        assert refreshed.project.version == project.version + 1
        assert "https://nz.example/auckland" in {link["url"] for link in refreshed.links}
        assert refreshed.project.script is not None
        assert "https://nz.example/auckland" in refreshed.project.script.description
        with pytest.raises(NotFoundError):
            TrendProjects(ctx, trends).refresh("0" * 32)
