"""Render jobs over HTTP with a real worker and real FFmpeg renders (2–3 s videos)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import FAKE_VOICE, RAW, ClientFactory, problem_of
from tests.media import ffmpeg_exe, make_colour_video
from video_orchestrator.render.measure import measure_loudness
from video_orchestrator.render.probe import probe

pytestmark = pytest.mark.render

SHORT_SCRIPT = {
    "topic": "tide pools",
    "title": "Tide pools",
    "hook": "Tide pools hide tiny worlds.",
    "scenes": [{"narration": "Crabs guard every rock.", "keywords": ["ocean"]}],
}


def project(client: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"topic": "tide pools", "script": SHORT_SCRIPT, "voice": {"voice": FAKE_VOICE}, **fields}
    response = client.post("/projects", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def wait(client: TestClient, job_id: str, states: set[str], timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/renders/{job_id}").json()
        if job["status"] in states:
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} never reached {states}: {job}")


def sse_events(client: TestClient, job_id: str) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    with client.stream("GET", f"/renders/{job_id}/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    return events


def test_a_project_renders_with_progress_streamed_and_a_downloadable_checked_mp4(
    make_client: ClientFactory, clip: Path, tmp_path: Path
) -> None:
    client = make_client(workers=1)
    asset = client.post(
        "/assets", params={"filename": "ocean.mp4"}, content=clip.read_bytes(), headers=RAW
    )
    made = project(client, background={"assets": [asset.json()["id"]]})
    submitted = client.post("/renders", json={"project_id": made["id"]})
    assert submitted.status_code == 202, submitted.text
    (job,) = submitted.json()
    assert job["status"] in ("queued", "running") and job["platform"] == "tiktok"

    events = sse_events(client, job["id"])
    names = [name for name, _ in events]
    assert names[-1] == "end" and events[-1][1] == {"status": "succeeded"}
    progress = [data["progress"] for name, data in events if name == "progress"]
    assert progress == sorted(progress), "progress never goes backwards"
    assert progress[-1] == 1.0
    steps = [data["step"] for name, data in events if name == "progress"]
    assert "render" in steps

    done = client.get(f"/renders/{job['id']}").json()
    assert done["status"] == "succeeded" and done["attempts"] == 1
    kinds = sorted(o["kind"] for o in done["outputs"])
    assert kinds == ["metadata", "spec", "srt", "thumbnail", "video", "vtt"]

    video = client.get(f"/renders/{job['id']}/outputs/video")
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    saved = tmp_path / "out.mp4"
    saved.write_bytes(video.content)
    info = probe(saved)
    assert info.video is not None and (info.video.width, info.video.height) == (1080, 1920)
    assert info.duration is not None and 2 < info.duration < 15
    (output,) = [o for o in done["outputs"] if o["kind"] == "video"]
    assert hashlib.sha256(video.content).hexdigest() == output["sha256"]

    metadata = client.get(f"/renders/{job['id']}/outputs/metadata").json()
    assert metadata["title"] == "Tide pools"

    check = client.get(f"/renders/{job['id']}/check").json()
    assert check["passed"] is True, check
    assert {r["rule"] for r in check["rules"]} >= {"resolution", "duration", "container"}

    # the finished job cannot be cancelled or retried
    assert problem_of(client.post(f"/renders/{job['id']}/cancel"))["status"] == 409
    assert problem_of(client.post(f"/renders/{job['id']}/retry"))["status"] == 409
    assert problem_of(client.get(f"/renders/{job['id']}/outputs/gif"))["status"] == 404

    # deleting it removes the record and its files
    files = client.app.state.services.ctx.files  # type: ignore[attr-defined]
    assert files.exists(f"outputs/{job['id']}/1/video.mp4")
    assert client.delete(f"/renders/{job['id']}").status_code == 204
    assert not files.exists(f"outputs/{job['id']}/1/video.mp4")
    assert problem_of(client.get(f"/renders/{job['id']}"))["status"] == 404


def test_cancel_a_queued_job_and_retry_it(make_client: ClientFactory) -> None:
    client = make_client(workers=0)  # nothing runs: the job stays queued
    made = project(client)
    (job,) = client.post(f"/projects/{made['id']}/renders", json={}).json()
    retry_queued = problem_of(client.post(f"/renders/{job['id']}/retry"))
    assert retry_queued["status"] == 409 and "queued" in str(retry_queued["detail"])
    assert problem_of(client.delete(f"/renders/{job['id']}"))["status"] == 409
    cancelled = client.post(f"/renders/{job['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    again = client.post(f"/renders/{job['id']}/retry")
    assert again.status_code == 202 and again.json()["status"] == "queued"


def test_cancel_stops_a_running_render_promptly_and_leaves_no_output(
    make_client: ClientFactory,
) -> None:
    client = make_client(workers=1)
    long_script = {
        **SHORT_SCRIPT,
        "scenes": [
            {"narration": " ".join(["Waves roll over the sand again and again."] * 6)}
            for _ in range(4)
        ],
    }
    made = project(client, script=long_script)
    (job,) = client.post("/renders", json={"project_id": made["id"]}).json()
    deadline = time.monotonic() + 120
    while client.get(f"/renders/{job['id']}").json()["step"] != "render":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    client.post(f"/renders/{job['id']}/cancel")
    stopped = wait(client, job["id"], {"cancelled", "succeeded", "failed"}, timeout=30)
    assert stopped["status"] == "cancelled", stopped
    assert stopped["outputs"] == []
    workdir = client.app.state.services.ctx.settings.data_dir / "work" / job["id"]  # type: ignore[attr-defined]
    assert not workdir.exists()


def test_a_failed_job_reports_the_reason_in_plain_words(make_client: ClientFactory) -> None:
    client = make_client(workers=1)
    made = project(client, voice={"voice": "fake:no-such-voice"})
    (job,) = client.post("/renders", json={"project_id": made["id"]}).json()
    failed = wait(client, job["id"], {"failed", "succeeded"})
    assert failed["status"] == "failed"
    assert "no-such-voice" in failed["error"]
    assert "failed:" in failed["log_tail"]


def test_batch_from_csv_and_json(make_client: ClientFactory) -> None:
    client = make_client(workers=0)
    csv_body = (
        "topic,genre,platform,voice\nsea otters,facts,tiktok,fake:fake-en\nmoon,story,shorts,\n"
    )
    batch = client.post("/renders/batch", content=csv_body, headers={"content-type": "text/csv"})
    assert batch.status_code == 202, batch.text
    jobs = batch.json()["jobs"]
    assert [j["platform"] for j in jobs] == ["tiktok", "youtube-shorts"]
    listed = client.get("/renders", params={"batch_id": batch.json()["batch_id"]}).json()
    assert listed["total"] == 2
    projects = client.get("/projects").json()
    assert {p["topic"] for p in projects["items"]} == {"sea otters", "moon"}

    as_json = client.post("/renders/batch", json=[{"topic": "volcanoes", "genre": "facts"}])
    assert as_json.status_code == 202 and len(as_json.json()["jobs"]) == 1
    bad = client.post("/renders/batch", json=[{"topic": "x"}, {"topic": "y", "platform": "vine"}])
    assert problem_of(bad)["status"] == 422
    assert client.get("/projects").json()["total"] == 3, "nothing of a bad batch is created"
    assert problem_of(client.post("/renders/batch", json=[]))["status"] == 422


def test_spec_api_validates_asset_references_and_renders(
    make_client: ClientFactory, clip: Path
) -> None:
    client = make_client(workers=1)
    asset = client.post(
        "/assets", params={"filename": "a.mp4"}, content=clip.read_bytes(), headers=RAW
    ).json()
    spec = {
        "output": {"width": 360, "height": 640, "fps": 25},
        "clips": [{"kind": "video", "path": f"asset:{asset['id']}", "duration": 50}],
    }
    valid = client.post("/spec/validate", json={"spec": spec})
    assert valid.status_code == 200, valid.text
    assert valid.json()["duration_seconds"] == 2.0

    raw_path = {**spec, "clips": [{"kind": "video", "path": "/etc/passwd", "duration": 50}]}
    refused = problem_of(client.post("/spec/validate", json={"spec": raw_path}))
    assert refused["status"] == 422 and "asset:" in str(refused["detail"])
    unknown = {**spec, "clips": [{"kind": "video", "path": "asset:nope", "duration": 50}]}
    assert problem_of(client.post("/spec/render", json={"spec": unknown}))["status"] == 404
    invalid = problem_of(client.post("/spec/validate", json={"spec": {"clips": []}}))
    assert invalid["status"] == 422

    job = client.post("/spec/render", json={"spec": spec, "filename": "my cut"}).json()
    done = wait(client, job["id"], {"succeeded", "failed"})
    assert done["status"] == "succeeded", done["error"]
    video = client.get(f"/renders/{job['id']}/outputs/video")
    assert "filename*=UTF-8''my%20cut.mp4" in video.headers["content-disposition"]


TWO_SCENES = {
    "topic": "tide pools",
    "title": "Tide pools",
    "hook": "Tide pools.",
    "scenes": [
        {"narration": "Crabs guard rocks.", "keywords": ["ocean"]},
        {"narration": "Stars cling.", "keywords": ["stars"]},
    ],
}
GREEN = "#00FF00"


def _frame(video: Path, index: int, width: int, height: int) -> np.ndarray:
    """Frame ``index`` of ``video`` as an RGB array."""
    argv = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(video)]
    argv += ["-vf", f"select=eq(n\\,{index})", "-frames:v", "1"]
    argv += ["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(argv, capture_output=True, check=True, timeout=60).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_projects_render_settings_shape_the_real_render(
    make_client: ClientFactory, tone: Path, tmp_path: Path
) -> None:
    """Captions at the top in green, -20 LUFS, cuts, a sound at the second scene, draft
    quality: each measured in the rendered file (or read from the spec it was made from)."""
    client = make_client(workers=1)
    sound = client.post(
        "/assets", params={"filename": "whoosh.wav"}, content=tone.read_bytes(), headers=RAW
    )
    made = project(
        client,
        script=TWO_SCENES,
        captions={"anchor": "top", "colour": GREEN, "highlight_colour": GREEN, "max_words": 2},
        background={"transition": "cut"},
        audio={"loudness_lufs": -20, "sfx_asset": sound.json()["id"], "sfx_gain_db": -10},
        export={"quality": "draft"},
    )
    (job,) = client.post("/renders", json={"project_id": made["id"]}).json()
    done = wait(client, job["id"], {"succeeded", "failed"})
    assert done["status"] == "succeeded", done["error"]
    saved = tmp_path / "out.mp4"
    saved.write_bytes(client.get(f"/renders/{job['id']}/outputs/video").content)
    spec = client.get(f"/renders/{job['id']}/outputs/spec").json()

    # what the worker asked of the renderer
    assert [clip["transition"] for clip in spec["clips"]] == [{"kind": "cut", "frames": 0}] * 2
    (effect,) = spec["audio"]["effects"]
    assert effect["at"] == spec["clips"][0]["duration"] and effect["gain_db"] == -10
    assert (spec["output"]["preset"], spec["output"]["crf"]) == ("superfast", 28)
    assert spec["captions"]["style"]["max_words"] == 2
    assert spec["captions"]["position"]["anchor"] == "top"

    # what came out
    loudness = measure_loudness(saved, ffmpeg_exe())
    assert abs(loudness.integrated_lufs - -20) <= 1.0, loudness  # TikTok's own target is -14
    info = probe(saved)
    assert info.video is not None and info.video.profile == "High"  # draft stays H.264 High
    width, height = info.video.width, info.video.height
    word = spec["captions"]["words"][1]
    frame = _frame(saved, (word["start"] + word["end"]) // 2, width, height).astype(int)
    red, green, blue = frame[..., 0], frame[..., 1], frame[..., 2]
    rows = (green > 160) & (red < 110) & (blue < 110)
    ys = rows.nonzero()[0]
    assert len(ys) > 300, "no green caption pixels at the word's time"
    safe_top = spec["captions"]["position"]["safe"]["top"]
    assert ys.min() >= safe_top - 20  # inside the safe zone …
    assert ys.max() < height * 0.4  # … and at its top, far from the default bottom place


THREE_SCENES = {
    "topic": "tide pools",
    "title": "Tide pools",
    "hook": "Tide pools.",
    "scenes": [
        {"narration": "Crabs guard every rock.", "keywords": ["red"]},
        {"narration": "Anemones wave all day.", "keywords": ["anemone"]},
        {"narration": "Stars cling to stone.", "keywords": ["red"]},
    ],
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_scene_shows_exactly_the_background_chosen_for_it(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    """Assets [None, red clip, None]: scene 2 shows the red clip and scenes 1 and 3 generated
    backgrounds, though the clip's name matches their keywords and not scene 2's (name
    matching would have put it on scene 1, reuse on scene 3)."""
    red = make_colour_video(tmp_path / "red.mp4", "red", seconds=1.0)
    client = make_client(workers=1)
    asset = client.post(
        "/assets", params={"filename": "red.mp4"}, content=red.read_bytes(), headers=RAW
    )
    assert asset.status_code == 201, asset.text
    made = project(
        client,
        script=THREE_SCENES,
        background={"assets": [None, asset.json()["id"], None]},
        export={"quality": "draft"},
    )
    (job,) = client.post("/renders", json={"project_id": made["id"]}).json()
    done = wait(client, job["id"], {"succeeded", "failed"})
    assert done["status"] == "succeeded", done["error"]
    saved = tmp_path / "out.mp4"
    saved.write_bytes(client.get(f"/renders/{job['id']}/outputs/video").content)
    spec = client.get(f"/renders/{job['id']}/outputs/spec").json()

    clips = spec["clips"]
    assert [clip["kind"] for clip in clips] == ["generated", "video", "generated"]
    shown = hashlib.sha256(Path(clips[1]["path"]).read_bytes()).hexdigest()
    assert shown == asset.json()["sha256"]  # the chosen asset's own file
    info = probe(saved)
    assert info.video is not None
    width, height = info.video.width, info.video.height
    start, colours = 0, []
    for clip in clips:  # each clip starts where the one before hands over to it
        middle = start + clip["duration"] // 2
        frame = _frame(saved, middle, width, height)[height // 10 : height * 4 // 10]
        colours.append(frame.reshape(-1, 3).mean(axis=0))
        start += clip["duration"] - clip["transition"]["frames"]
    first, second, third = colours
    assert second[0] > 200 and second[1] < 50 and second[2] < 50, second
    for other in (first, third):
        assert other[0] - max(other[1], other[2]) < 60, other  # not red
        assert abs(other - second).sum() > 150, other
