"""`vo batch`: many videos from a CSV of topics through the render queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import VoRunner
from video_orchestrator.render.probe import probe


@pytest.mark.render
def test_a_csv_of_topics_becomes_videos(vo: VoRunner, tmp_path: Path) -> None:
    topics = tmp_path / "topics.csv"
    topics.write_text(
        "topic,genre,platform,voice,target_seconds\n"
        "sea otters,facts,tiktok,fake:fake-en,15\n"
        "the moon,facts,shorts,fake:fake-en,15\n",
        encoding="utf-8",
    )
    # topics need a script writer: the fake language model stands in for a configured one
    result = vo(
        "batch", str(topics), "-o", str(tmp_path / "out"), settings={"VO_LLM_PROVIDERS": "fake"}
    )
    assert result.returncode == 0, result.stderr
    assert "2 jobs queued" in result.stderr
    videos = sorted((tmp_path / "out").glob("*.mp4"))
    assert len(videos) == 2
    for video in videos:
        info = probe(video)
        assert info.video is not None and (info.video.width, info.video.height) == (1080, 1920)
    assert len(list((tmp_path / "out").glob("*.srt"))) == 2


def test_queue_only_prints_the_job_ids(vo: VoRunner, tmp_path: Path) -> None:
    topics = tmp_path / "topics.json"
    topics.write_text('[{"topic": "volcanoes"}, {"topic": "glaciers"}]', encoding="utf-8")
    result = vo("batch", str(topics), "--queue-only")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("topic,platform\nx,vine\n", "vine"),
        ("[]", "non-empty list"),
        ('[{"topic": "x", "colour": "red"}]', "colour"),
    ],
)
def test_a_bad_batch_is_one_line_and_queues_nothing(
    vo: VoRunner, tmp_path: Path, content: str, message: str
) -> None:
    topics = tmp_path / ("topics.csv" if content.startswith("topic") else "topics.json")
    topics.write_text(content, encoding="utf-8")
    result = vo("batch", str(topics))
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_batch_file_is_one_line(vo: VoRunner, tmp_path: Path) -> None:
    result = vo("batch", str(tmp_path / "nope.csv"))
    assert result.returncode == 2 and "does not exist" in result.stderr
