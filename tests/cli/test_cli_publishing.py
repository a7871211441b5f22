"""``vo accounts connect`` (the loopback redirect, PKCE), ``vo publish FILE --to`` and
``vo posts list``, end to end in subprocesses against the fake YouTube on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import VoRunner
from tests.media import make_video
from tests.platforms.youtube_server import FakeYouTube
from video_orchestrator.providers.youtube.publisher import marker_tag

pytestmark = pytest.mark.skipif(
    "youtube" not in {e.name for e in entry_points(group="video_orchestrator.publishers")},
    reason="the YouTube publisher is not registered in this environment (pip install -e .)",
)


@pytest.fixture
def yt() -> Iterator[FakeYouTube]:
    with FakeYouTube(real_time=True) as server:
        yield server


def env_for(yt: FakeYouTube) -> dict[str, str]:
    return {f"VO_{name.upper()}": str(value) for name, value in yt.settings().items()}


def connect(tmp_path: Path, yt: FakeYouTube) -> str:
    """``vo accounts connect youtube``: the consent page is visited as a browser would (the
    fake consents) and the browser comes back to the command's loopback listener."""
    env = {
        **os.environ,
        "VO_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        **env_for(yt),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "video_orchestrator",
            "accounts",
            "connect",
            "youtube",
            "--no-browser",
            "--timezone",
            "Europe/Paris",
            "--wait",
            "120",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert process.stderr is not None
    url = ""
    for line in process.stderr:
        if line.startswith(yt.base_url):
            url = line.strip()
            break
    assert url, "the command printed no consent URL"
    landed = httpx.get(url, follow_redirects=True)  # consent → 302 → 127.0.0.1 listener
    assert landed.status_code == 200 and "Account connected" in landed.text
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


def test_connect_publish_and_list(vo: VoRunner, tmp_path: Path, yt: FakeYouTube) -> None:
    assert "connected youtube:Deep Ocean Facts" in connect(tmp_path, yt)
    settings = env_for(yt)
    listed = vo("accounts", "list", settings=settings)
    assert "youtube:Deep Ocean Facts" in listed.stdout and "Europe/Paris" in listed.stdout

    clip = make_video(tmp_path / "deep-ocean.mp4", width=360, height=640, seconds=2.0)
    posted = vo(
        "publish",
        str(clip),
        "--to",
        "youtube",
        "--privacy",
        "public",
        "--title",
        "The deep ocean",
        "--hashtag",
        "ocean",
        settings=settings,
    )
    assert posted.returncode == 0, posted.stderr
    assert "published https://www.youtube.com/shorts/" in posted.stdout
    [video] = yt.videos.values()
    assert video.sha256 == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert video.resource["snippet"]["title"] == "The deep ocean"
    assert video.resource["status"]["privacyStatus"] == "public"

    posts = vo("posts", "list", settings=settings)
    assert "published" in posts.stdout and "The deep ocean" in posts.stdout
    marker_tags = [t for t in video.resource["snippet"]["tags"] if t.startswith("vo-")]
    assert len(marker_tags) == 1 and marker_tags[0] != marker_tag("")


def test_publishing_to_an_unknown_account_is_one_line(vo: VoRunner, tmp_path: Path) -> None:
    clip = make_video(tmp_path / "c.mp4", width=360, height=640, seconds=2.0)
    result = vo("publish", str(clip), "--to", "youtube:Nobody")
    assert result.returncode == 2
    assert (
        result.stderr.startswith("error: no connected account") and "Traceback" not in result.stderr
    )
