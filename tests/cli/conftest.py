from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

VoRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the CLI tests: fonts config and voice are made once."""
    return tmp_path_factory.mktemp("vo-cache")


@pytest.fixture
def vo(tmp_path: Path, shared_cache: Path) -> VoRunner:
    """Run the real ``vo`` command in a subprocess with isolated settings."""

    def run(
        *args: str, timeout: float = 240, settings: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``settings``: more environment for this run, e.g. ``{"VO_LLM_PROVIDERS": "fake"}``."""
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("VO_LLM_BASE_URL", "VO_DEBUG")},
            "VO_CACHE_DIR": str(shared_cache),
            "VO_DATA_DIR": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "COLUMNS": "200",
            **(settings or {}),
        }
        return subprocess.run(
            [sys.executable, "-m", "video_orchestrator", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            cwd=tmp_path,
        )

    return run
