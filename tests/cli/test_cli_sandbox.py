"""``VO_PLATFORMS_SANDBOX=1`` from the command line, where every command is its own process:
an account connected by one ``vo`` is known to the next, a post is published once, and the
sandbox's platforms keep what they know in the workspace (``<data_dir>/sandbox/``, ADR
0037). Each step below is a new process, as a user's terminal (or ``vo serve`` after a
restart) makes it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.conftest import VoRunner
from tests.media import make_video
from video_orchestrator.atomic import write_text
from video_orchestrator.providers.sandbox import SHARED_ENV

pytestmark = pytest.mark.skipif(
    not {"youtube", "instagram"}
    <= {e.name for e in entry_points(group="video_orchestrator.publishers")},
    reason="the sandbox builds the registered publishers (pip install -e . registers them)",
)

#: The sandbox, and no sandbox address inherited from this test process.
SANDBOX = {"VO_PLATFORMS_SANDBOX": "1", SHARED_ENV: ""}


def connect(tmp_path: Path, shared_cache: Path, platform: str) -> str:
    """``vo accounts connect PLATFORM`` in its own process: the consent URL it prints (the
    sandbox's, on 127.0.0.1) is visited as a browser would (the sandbox consents at once) and
    the browser comes back to the command's loopback listener."""
    env = {
        **os.environ,
        "VO_CACHE_DIR": str(shared_cache),
        "VO_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        **SANDBOX,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "video_orchestrator", "accounts", "connect", platform,
         "--no-browser", "--timezone", "Europe/Bucharest", "--wait", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert process.stderr is not None
    url = ""
    for line in process.stderr:
        if line.startswith("http://127.0.0.1:"):
            url = line.strip()
            break
    assert url, "the command printed no consent URL"
    landed = httpx.get(url, follow_redirects=True)  # consent → 302 → the loopback listener
    assert landed.status_code == 200 and "Account connected" in landed.text
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out


def platform_state(tmp_path: Path, platform: str) -> dict[str, Any]:
    """What the sandbox platform keeps in the workspace (read with no ``vo`` running)."""
    found = json.loads((tmp_path / "data" / "sandbox" / f"{platform}.json").read_text())
    state: dict[str, Any] = found["state"]
    return state


def post_ids(stdout: str, state: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines() if f" {state}" in line]


def test_connect_publish_and_list_are_three_processes_on_one_youtube(
    vo: VoRunner, tmp_path: Path, shared_cache: Path
) -> None:
    """Connect, check health, publish and list, each a new process (the issue: the second
    process's sandbox did not know the grant: the post needed attention)."""
    assert "connected youtube:Sandbox channel" in connect(tmp_path, shared_cache, "youtube")

    health = vo("accounts", "health", "youtube:Sandbox channel", settings=SANDBOX)
    assert health.returncode == 0, health.stderr
    assert "token valid: yes" in health.stdout

    clip = make_video(tmp_path / "ocean.mp4", width=360, height=640, seconds=2.0)
    posted = vo("publish", str(clip), "--to", "youtube", "--privacy", "public",
                "--title", "The deep ocean", settings=SANDBOX)  # fmt: skip
    assert posted.returncode == 0, posted.stdout + posted.stderr
    assert "published https://www.youtube.com/shorts/" in posted.stdout

    listed = vo("posts", "list", settings=SANDBOX)
    assert listed.returncode == 0, listed.stderr
    rows = [line for line in listed.stdout.splitlines() if "The deep ocean" in line]
    assert len(rows) == 1 and "published" in rows[0], listed.stdout
    [video] = platform_state(tmp_path, "youtube")["videos"].values()  # one upload, not two
    assert video["resource"]["snippet"]["title"] == "The deep ocean"


def test_a_post_that_needs_attention_publishes_once_after_reconnecting(
    vo: VoRunner, tmp_path: Path, shared_cache: Path
) -> None:
    """The user revoked the app's access at Google: the post needs attention ("connect it
    again"); connecting again (the same channel: the sandbox remembers it) and ``vo posts
    retry`` + ``vo posts run`` publish it, once."""
    connect(tmp_path, shared_cache, "youtube")
    state_file = tmp_path / "data" / "sandbox" / "youtube.json"
    found = json.loads(state_file.read_text())
    for grant in found["state"]["grants"].values():
        grant["revoked"] = True  # as Google's "remove access" does, with no vo running
    write_text(state_file, json.dumps(found))

    clip = make_video(tmp_path / "late.mp4", width=360, height=640, seconds=2.0)
    posted = vo("publish", str(clip), "--to", "youtube", "--privacy", "public",
                "--title", "Late but once", settings=SANDBOX)  # fmt: skip
    assert posted.returncode == 1, posted.stdout + posted.stderr
    [post] = post_ids(posted.stdout, "needs_attention")
    assert "connect it again" in posted.stdout
    assert not platform_state(tmp_path, "youtube")["videos"]

    assert "connected youtube:Sandbox channel" in connect(tmp_path, shared_cache, "youtube")
    retried = vo("posts", "retry", post, settings=SANDBOX)
    assert retried.returncode == 0 and "scheduled" in retried.stdout, retried.stderr
    ran = vo("posts", "run", settings=SANDBOX)
    assert ran.returncode == 0, ran.stderr
    assert f"{post} published https://www.youtube.com/shorts/" in ran.stdout, ran.stdout

    listed = vo("posts", "list", settings=SANDBOX)
    rows = [line for line in listed.stdout.splitlines() if "Late but once" in line]
    assert len(rows) == 1 and "published" in rows[0], listed.stdout
    assert len(platform_state(tmp_path, "youtube")["videos"]) == 1


def test_instagram_connected_in_one_process_publishes_from_another(
    vo: VoRunner, tmp_path: Path, shared_cache: Path
) -> None:
    assert "connected instagram:@oceanfacts" in connect(tmp_path, shared_cache, "instagram")

    clip = make_video(tmp_path / "reel.mp4", width=360, height=640, seconds=2.0)
    posted = vo("publish", str(clip), "--to", "instagram", "--privacy", "public",
                "--title", "A reel of the sea", settings=SANDBOX)  # fmt: skip
    assert posted.returncode == 0, posted.stdout + posted.stderr
    assert "published https://www.instagram.com/" in posted.stdout

    listed = vo("posts", "list", settings=SANDBOX)
    rows = [line for line in listed.stdout.splitlines() if "A reel of the sea" in line]
    assert len(rows) == 1 and "published" in rows[0], listed.stdout
    [media] = platform_state(tmp_path, "instagram")["media"]
    assert media["caption"].startswith("A reel of the sea")


@contextmanager
def serving(tmp_path: Path, shared_cache: Path) -> Iterator[str]:
    """``vo serve`` with the sandbox over the test's data directory; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {
        **os.environ,
        "VO_CACHE_DIR": str(shared_cache),
        "VO_DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        **SANDBOX,
    }
    log = tmp_path / "serve.log"
    with log.open("ab") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "video_orchestrator", "serve", "--port", str(port),
             "--workers", "1", "--no-ui"],
            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=stderr,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        assert server.poll() is None, log.read_text(errors="replace")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_a_post_scheduled_from_the_terminal_is_published_by_vo_serve(
    vo: VoRunner, tmp_path: Path, shared_cache: Path
) -> None:
    """The account is connected and the post scheduled by commands that have exited; a
    ``vo serve`` started afterwards (as after a restart) publishes it through its own
    sandbox, which knows the grant."""
    connect(tmp_path, shared_cache, "youtube")
    clip = make_video(tmp_path / "later.mp4", width=360, height=640, seconds=2.0)
    at = (datetime.now(UTC) + timedelta(seconds=20)).isoformat(timespec="seconds")
    posted = vo("publish", str(clip), "--to", "youtube", "--privacy", "public",
                "--title", "Published by the server", "--at", at, settings=SANDBOX)  # fmt: skip
    assert posted.returncode == 0 and "scheduled for" in posted.stdout, posted.stderr
    post = posted.stdout.split()[0]

    with serving(tmp_path, shared_cache) as url:
        deadline = time.monotonic() + 240  # the post's time, then the upload and processing
        found: dict[str, Any] = {}
        while time.monotonic() < deadline:
            found = httpx.get(f"{url}/posts/{post}", timeout=30).json()
            if found["state"] in ("published", "failed", "needs_attention"):
                break
            time.sleep(1)
    assert found["state"] == "published", found
    assert str(found["url"]).startswith("https://www.youtube.com/shorts/")
    assert len(platform_state(tmp_path, "youtube")["videos"]) == 1
