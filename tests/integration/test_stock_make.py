"""`vo make` with stock footage from a local "Pexels": two clips found, downloaded once,
rendered, credited; with Pexels refusing, the user's media and a one-line notice."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stock_api import Reply, StockServer, default_entries, make_stock_files
from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.render.probe import probe
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import SilentReporter
from video_orchestrator.spec.options import (
    AudioSettings,
    CaptionSettings,
    VideoOptions,
    VoiceSettings,
)

pytestmark = pytest.mark.render

# hook, then two scenes: "ocean waves …" and "forest …"
SCRIPT = "Two quick facts.\n\nOcean waves roll.\n\nForest trees grow."


class Notes(SilentReporter):
    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []

    def notice(self, message: str) -> None:
        super().notice(message)
        self.notes.append(message)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_stock_files(tmp_path_factory.mktemp("stock-files"))


@pytest.fixture
def server(files: Path) -> Iterator[StockServer]:
    with StockServer(files) as running:
        running.entries = default_entries()
        yield running


#: Stock tests look at the stock credits alone: no made music bed (its credit is tested with it).
STOCK_ONLY = VideoOptions(voice=VoiceSettings(voice="fake-en"), audio=AudioSettings(music="none"))


def context(tmp_path: Path, server: StockServer, **settings: object) -> AppContext:
    options: dict[str, object] = {
        "cache_dir": tmp_path / "cache",
        "data_dir": tmp_path / "data",
        "stock_providers": ["pexels"],
        "pexels_api_keys": ["test-key"],
        "pexels_base_url": server.base_url,
    }
    options.update(settings)
    return AppContext(Settings(**options), tts={"fake": FakeTTS()})  # type: ignore[arg-type]


def test_make_uses_two_stock_clips_and_credits_them(server: StockServer, tmp_path: Path) -> None:
    ctx = context(tmp_path, server)
    result = MakeVideo(ctx)(
        MakeRequest(
            script_text=SCRIPT,
            options=STOCK_ONLY,
            out=tmp_path / "a",
        ),
        SilentReporter(),
    )
    spec = json.loads(result.spec.read_text())
    paths = [clip["path"] for clip in spec["clips"]]
    stock_dir = tmp_path / "cache" / "stock" / "pexels"
    assert paths == [str(stock_dir / "1.mp4"), str(stock_dir / "3.mp4")]
    assert [r.params["query"] for r in server.api_requests()] == [
        "ocean wave roll",  # the scenes' keywords in their dictionary forms (ADR 0041)
        "forest tree",
    ]
    assert len(server.downloads()) == 2

    metadata = json.loads(result.metadata.read_text())
    # stock credits (a generated scene may add OpenMoji's, for its illustration: ADR 0023)
    credits = [c for c in metadata["credits"] if c.get("kind") != "illustration"]
    assert [(c["scene"], c["provider"], c["id"]) for c in credits] == [
        (1, "pexels", "1"),
        (2, "pexels", "3"),
    ]
    assert all(c["licence"] == "Pexels License" and c["author"] == "Jane Doe" for c in credits)
    assert tuple(c for c in result.credits if "OpenMoji" not in c) == (
        "Video by Jane Doe on Pexels (https://www.pexels.com/video/ocean-waves-sea-1/)",
        "Video by Jane Doe on Pexels (https://www.pexels.com/video/forest-trees-3/)",
    )
    info = probe(result.video)
    assert info.video is not None and (info.video.width, info.video.height) == (1080, 1920)
    assert info.duration is not None and info.duration > 1

    # a second video from the same script downloads nothing again
    again = MakeVideo(ctx)(
        MakeRequest(
            script_text=SCRIPT,
            options=VideoOptions(
                voice=VoiceSettings(voice="fake-en"),
                captions=CaptionSettings(style="pop"),
                audio=AudioSettings(music="none"),
            ),
            out=tmp_path / "b",
        ),
        SilentReporter(),
    )
    assert len(server.downloads()) == 2
    assert json.loads(again.metadata.read_text())["credits"] == credits


def test_pexels_refusing_falls_back_to_the_users_media(
    server: StockServer, files: Path, tmp_path: Path
) -> None:
    server.valid_keys = set()
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copyfile(files / "waves.mp4", mine / "sunrise.mp4")
    notes = Notes()
    result = MakeVideo(context(tmp_path, server))(
        MakeRequest(
            script_text=SCRIPT,
            options=STOCK_ONLY,
            media_dir=mine,
            out=tmp_path / "c",
        ),
        notes,
    )
    assert result.video.is_file()
    spec = json.loads(result.spec.read_text())
    assert [Path(c["path"]).name for c in spec["clips"]] == ["sunrise.mp4", "sunrise.mp4"]
    assert json.loads(result.metadata.read_text())["credits"] == []
    assert result.credits == ()
    failed = [n for n in notes.notes if "stock footage from pexels failed" in n]
    assert len(failed) == 1 and "refused the API key" in failed[0]
    assert len(server.api_requests()) == 1, "a refusing provider is not asked for every scene"


def test_with_each_scene_chosen_stock_fills_only_the_open_scenes(
    server: StockServer, files: Path, tmp_path: Path
) -> None:
    """A project's choices (``scene_media``): scene 1 keeps the user's clip though its name
    matches scene 2; stock is searched for scene 2 only."""
    mine = shutil.copyfile(files / "waves.mp4", tmp_path / "forest.mp4")
    result = MakeVideo(context(tmp_path, server))(
        MakeRequest(
            script_text=SCRIPT,
            options=STOCK_ONLY,
            scene_media=(mine, None),
            out=tmp_path / "f",
        ),
        SilentReporter(),
    )
    spec = json.loads(result.spec.read_text())
    stock_dir = tmp_path / "cache" / "stock" / "pexels"
    assert [clip["path"] for clip in spec["clips"]] == [str(mine), str(stock_dir / "3.mp4")]
    assert [r.params["query"] for r in server.api_requests()] == ["forest tree"]
    credits = json.loads(result.metadata.read_text())["credits"]
    credits = [c for c in credits if c.get("kind") != "illustration"]
    assert [(c["scene"], c["id"]) for c in credits] == [(2, "3")]


def test_no_stock_option_and_a_misconfigured_stock_option(
    server: StockServer, tmp_path: Path
) -> None:
    ctx = context(tmp_path, server)
    MakeVideo(ctx)(
        MakeRequest(
            script_text=SCRIPT,
            options=STOCK_ONLY,
            stock=False,
            out=tmp_path / "d",
        ),
        SilentReporter(),
    )
    assert server.requests == []
    bare = context(tmp_path, server, stock_providers=[])
    with pytest.raises(ConfigError, match="VO_STOCK_PROVIDERS=pexels"):
        MakeVideo(bare)(
            MakeRequest(
                script_text=SCRIPT,
                options=STOCK_ONLY,
                stock=True,
                out=tmp_path / "e",
            ),
            SilentReporter(),
        )
    assert not (tmp_path / "e").exists()


def test_a_download_that_is_not_a_video_is_skipped(server: StockServer, tmp_path: Path) -> None:
    server.entries[0].file = "broken.mp4"  # the best ocean clip serves an HTML page
    notes = Notes()
    result = MakeVideo(context(tmp_path, server))(
        MakeRequest(
            script_text=SCRIPT,
            options=STOCK_ONLY,
            out=tmp_path / "f",
        ),
        notes,
    )
    ids = [c["id"] for c in json.loads(result.metadata.read_text())["credits"]]
    assert ids == ["2", "3"]
    assert any("skipped pexels:1" in n and "not a readable video" in n for n in notes.notes)
    assert not (tmp_path / "cache" / "stock" / "pexels" / "1.mp4").exists()


def test_a_server_error_mid_video_still_finishes(server: StockServer, tmp_path: Path) -> None:
    no_videos = Reply(200, {"page": 1, "videos": []})
    server.script("/videos/search", no_videos, no_videos)  # scene 1: "ocean waves roll", "ocean"
    server.script("/v1/search", Reply(503, {"error": "down"}))  # photo fallback: down
    notes = Notes()
    result = MakeVideo(context(tmp_path, server))(
        MakeRequest(
            script_text=SCRIPT,
            options=STOCK_ONLY,
            out=tmp_path / "g",
        ),
        notes,
    )
    spec = json.loads(result.spec.read_text())
    assert [c["kind"] for c in spec["clips"]] == ["generated", "generated"]
    assert any("pexels failed (Pexels answered HTTP 503" in n for n in notes.notes)
    assert [r.path for r in server.api_requests()] == ["/videos/search"] * 2 + ["/v1/search"]
