"""``vo make`` with an OpenAI-compatible endpoint configured: used when up, fallback when down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contract.llm_servers import ANTHROPIC, KEY
from tests.contract.test_llm_openai_compat import ChatServer, closed_port
from tests.httpserver import HTTPTestServer

pytestmark = [pytest.mark.render, pytest.mark.voice]


def make(
    tmp_path: Path, cache: Path, base_url: str, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VO_CACHE_DIR": str(cache),
        "VO_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "VO_LLM_BASE_URL": base_url,
        "VO_LLM_API_KEY": "sk-local-test",
        "VO_LLM_MODEL": "local-model",
        "VO_LLM_TIMEOUT": "5",
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "-m", "video_orchestrator", "make", "--topic", "black holes",
         "--seconds", "15", "-o", str(tmp_path / "out")],
        capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path,
    )  # fmt: skip


def test_the_configured_model_writes_the_script(tmp_path: Path, shared_cache: Path) -> None:
    with ChatServer() as server:
        result = make(tmp_path, shared_cache, server.base_url)
    assert result.returncode == 0, result.stderr
    assert len(server.requests) == 1
    sent = server.requests[0]
    assert sent.headers["authorization"] == "Bearer sk-local-test"
    assert sent.body["model"] == "local-model"
    assert sent.body["response_format"]["type"] == "json_schema"
    video = Path(result.stdout.strip().splitlines()[-1])
    meta = json.loads(video.with_suffix(".json").read_text())
    assert meta["script_source"] == "llm"
    assert meta["llm"]["provider"] == "openai-compatible"
    assert meta["llm"]["model"] == "local-model"
    assert meta["llm"]["failed"] == []
    assert meta["hook"] == "A black hole is not a hole at all."
    assert "A BLACK HOLE" in video.with_suffix(".srt").read_text().upper()


def test_with_the_model_down_the_user_is_told_what_failed_and_what_to_do(
    tmp_path: Path, shared_cache: Path
) -> None:
    result = make(tmp_path, shared_cache, f"http://127.0.0.1:{closed_port()}/v1")
    assert result.returncode == 2, result.stderr
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith("error: the language model at 127.0.0.1:")
    assert "--from FILE_OR_URL" in error
    assert not (tmp_path / "out").exists()


def test_the_first_provider_down_the_second_serves_and_the_metadata_says_so(
    tmp_path: Path, shared_cache: Path
) -> None:
    with HTTPTestServer(ANTHROPIC.default) as anthropic, ChatServer() as local:
        anthropic.replies.extend([ANTHROPIC.error(529, "Overloaded")] * 2)
        result = make(
            tmp_path,
            shared_cache,
            local.base_url,
            VO_LLM_PROVIDERS="anthropic,openai-compatible",
            VO_ANTHROPIC_API_KEY=KEY,
            VO_ANTHROPIC_BASE_URL=anthropic.base_url,
            VO_LLM_RETRIES="1",
            VO_LLM_MAX_RETRY_WAIT="0",
        )
    assert result.returncode == 0, result.stderr
    assert len(anthropic.requests) == 2 and len(local.requests) == 1
    assert "anthropic at 127.0.0.1" in result.stderr
    assert "HTTP 529: Overloaded" in result.stderr
    assert "used openai-compatible (local-model) instead" in result.stderr
    assert KEY not in result.stderr
    video = Path(result.stdout.strip().splitlines()[-1])
    meta = json.loads(video.with_suffix(".json").read_text())
    assert meta["script_source"] == "llm"
    assert meta["llm"]["provider"] == "openai-compatible"
    (failed,) = meta["llm"]["failed"]
    assert failed["provider"].startswith("anthropic at 127.0.0.1")
    assert failed["reason"] == "HTTP 529: Overloaded"
