"""The whole server journey with the real commands: `vo serve` (API + local workers, Piper
voice), a project made only through the API, progress streamed, the MP4 downloaded and
passed by `vo check`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import VoRunner

pytestmark = [pytest.mark.render, pytest.mark.voice]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_renders_a_project_made_through_the_api(
    vo: VoRunner, tmp_path: Path, shared_cache: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "VO_DATA_DIR": str(tmp_path / "data"),
        "VO_CACHE_DIR": str(shared_cache),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    env.pop("VO_LLM_BASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "video_orchestrator", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if http.get("/health/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the server never became ready"
                time.sleep(0.3)

            project = http.post(
                "/projects",
                json={
                    "topic": "tide pools",
                    "platforms": ["youtube-shorts"],
                    "script": {
                        "topic": "tide pools",
                        "title": "Tide pools",
                        "hook": "Tide pools hide whole worlds.",
                        "scenes": [{"narration": "Crabs and anemones share every rock."}],
                    },
                },
            ).json()
            (job,) = http.post("/renders", json={"project_id": project["id"]}).json()

            events = []
            with http.stream("GET", f"/renders/{job['id']}/events", timeout=300) as stream:
                for line in stream.iter_lines():
                    if line.startswith("data: "):
                        events.append(json.loads(line[6:]))
            assert events[-1] == {"status": "succeeded"}, events[-3:]
            assert any(e.get("step") == "render" for e in events)

            video = tmp_path / "short.mp4"
            video.write_bytes(http.get(f"/renders/{job['id']}/outputs/video").content)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    checked = vo("check", str(video), "--platform", "youtube-shorts")
    assert checked.returncode == 0, checked.stdout + checked.stderr
