"""`vo stock search` end to end: the real command against a local Pexels/Pixabay server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stock_api import StockServer, default_entries, make_stock_files

SECRET = "cli-secret-key-123"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_stock_files(tmp_path_factory.mktemp("stock-files"))


@pytest.fixture
def server(files: Path) -> Iterator[StockServer]:
    with StockServer(files) as running:
        running.entries = default_entries()
        yield running


def vo(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VO_STOCK", "VO_PEXELS", "VO_PIXABAY", "VO_DEBUG"))
    }
    environment.update(
        {
            "VO_CACHE_DIR": str(tmp_path / "cache"),
            "VO_DATA_DIR": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "COLUMNS": "250",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "video_orchestrator", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        cwd=tmp_path,
    )


def test_search_prints_a_table_with_credits(server: StockServer, tmp_path: Path) -> None:
    run = vo(
        tmp_path, "stock", "search", "ocean waves",
        VO_STOCK_PROVIDERS="pexels,pixabay",
        VO_PEXELS_API_KEYS=f"{SECRET},other",
        VO_PEXELS_BASE_URL=server.base_url,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "videos for 'ocean waves' (pexels)" in run.stdout
    assert "1080×1920" in run.stdout and "12 s" in run.stdout
    assert "Jane Doe" in run.stdout and "Pexels License" in run.stdout
    assert "https://www.pexels.com/video/ocean-waves-sea-1/" in run.stdout
    assert SECRET not in run.stdout + run.stderr
    assert server.api_requests()[0].headers["authorization"] == SECRET


def test_one_provider_and_photos(server: StockServer, tmp_path: Path) -> None:
    run = vo(
        tmp_path, "stock", "search", "mountain", "--kind", "photo", "--provider", "pixabay",
        VO_PIXABAY_API_KEYS=SECRET,
        VO_PIXABAY_BASE_URL=server.base_url,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "photos for 'mountain' (pixabay)" in run.stdout
    assert "853×1280" in run.stdout and "Pixabay Content License" in run.stdout
    assert [r.path for r in server.api_requests()] == ["/api/"]


def test_the_first_provider_down_is_one_note(server: StockServer, tmp_path: Path) -> None:
    server.valid_keys = {"good"}
    run = vo(
        tmp_path, "stock", "search", "forest",
        VO_STOCK_PROVIDERS="pexels,pixabay",
        VO_PEXELS_API_KEYS="bad",
        VO_PEXELS_BASE_URL=server.base_url,
        VO_PIXABAY_API_KEYS="good",
        VO_PIXABAY_BASE_URL=server.base_url,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "(pixabay)" in run.stdout
    notes = [line for line in run.stderr.splitlines() if line.startswith("note:")]
    assert notes == ["note: pexels failed: Pexels refused the API key; check VO_PEXELS_API_KEYS"]


def test_the_local_library(files: Path, tmp_path: Path) -> None:
    library = tmp_path / "lib"
    library.mkdir()
    shutil.copyfile(files / "waves.mp4", library / "ocean-waves.mp4")
    small = vo(tmp_path, "stock", "search", "ocean", "--media", str(library))
    assert small.returncode == 0, small.stderr
    assert small.stderr == "no videos found for 'ocean'\n", "180×320 is under the 720 px minimum"
    run = vo(
        tmp_path, "stock", "search", "ocean", "--media", str(library),
        VO_STOCK_MIN_SHORT_SIDE="160",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "(local)" in run.stdout and "180×320" in run.stdout and "2 s" in run.stdout


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("ocean",), {}, "error: no stock provider is configured: set VO_STOCK_PROVIDERS"),
        (("ocean", "--provider", "shutterstock"), {}, "error: unknown provider 'shutterstock'"),
        (("ocean", "--provider", "pexels"), {}, "error: no Pexels API key"),
        (("ocean", "--kind", "gif"), {}, "error: unknown kind 'gif'"),
        (("  ",), {}, "error: give a few words to search for"),
        (("ocean", "--provider", "local"), {}, "error: searching the local library needs"),
    ],
)
def test_user_errors_are_one_line(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    run = vo(tmp_path, "stock", "search", *args, **env)
    assert run.returncode != 0
    assert run.stderr.startswith(message), run.stderr
    assert "Traceback" not in run.stderr


def test_make_has_the_stock_switch(tmp_path: Path) -> None:
    run = vo(tmp_path, "make", "--help")
    assert "--stock" in run.stdout and "--no-stock" in run.stdout
