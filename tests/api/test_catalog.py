"""Voices with a spoken preview, caption styles with a frame from the real renderer."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.api.conftest import ClientFactory, problem_of
from tests.integration.test_voice_manager import VoiceRepo, repo  # noqa: F401 - the fixture
from video_orchestrator.spec.vocabulary import CAPTION_PRESETS


def test_voices_list_and_a_preview_that_is_real_audio(client: TestClient) -> None:
    voices = client.get("/voices").json()
    ids = {v["id"] for v in voices}
    assert "en_US-joe-medium" in ids
    preview = client.get("/voices/fake:fake-en/preview", params={"text": "Hello there, world."})
    assert preview.status_code == 200, preview.text
    assert preview.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(preview.content)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    assert 0.5 < seconds < 5
    assert np.abs(samples).max() > 1000, "the preview is not silent"
    missing = client.get("/voices/nobody/preview")
    assert problem_of(missing)["status"] == 404
    too_long = client.get("/voices/fake:fake-en/preview", params={"text": "x" * 500})
    assert problem_of(too_long)["status"] == 422


@pytest.mark.render
def test_caption_preview_takes_a_projects_caption_settings(client: TestClient) -> None:
    frame = client.get(
        "/caption-styles/clean/preview",
        params={"text": "Green words up top", "colour": "#00FF00", "anchor": "top"},
    )
    assert frame.status_code == 200, frame.text
    image = np.asarray(Image.open(io.BytesIO(frame.content)).convert("RGB")).astype(int)
    green = (image[:, :, 1] > 200) & (image[:, :, 0] < 80) & (image[:, :, 2] < 80)
    rows = np.nonzero(green.sum(axis=1) > 10)[0]
    assert rows.size > 0, "no green caption drawn"
    assert rows.max() < 1920 // 2, "a top caption sits in the upper half"
    bad = client.get("/caption-styles/clean/preview", params={"colour": "green"})
    assert problem_of(bad)["status"] == 422


def test_caption_preview_is_a_frame_with_the_caption_in_the_safe_zone(client: TestClient) -> None:
    styles = [s["id"] for s in client.get("/caption-styles").json()]
    assert styles == list(CAPTION_PRESETS) and len(styles) >= 10
    frame = client.get(
        "/caption-styles/karaoke/preview", params={"platform": "tiktok", "text": "Big bold words"}
    )
    assert frame.status_code == 200, frame.text
    assert frame.headers["content-type"] == "image/jpeg"
    image = np.asarray(Image.open(io.BytesIO(frame.content)).convert("RGB")).astype(int)
    assert image.shape == (1920, 1080, 3)
    platform = next(p for p in client.get("/platforms").json() if p["name"] == "tiktok")
    safe = platform["safe_zone"]
    # white caption text with a black outline: near-white and near-black pixels together,
    # only between the top and bottom safe margins
    white = (image.min(axis=2) > 235).sum(axis=1)
    rows = np.nonzero(white > 20)[0]
    assert rows.size > 0, "no caption text drawn"
    assert rows.min() >= safe["top"] and rows.max() <= 1920 - safe["bottom"]
    yellow = (image[:, :, 0] > 200) & (image[:, :, 1] > 180) & (image[:, :, 2] < 120)
    assert yellow.sum() > 200, "karaoke highlights the spoken word"
    unknown = client.get("/caption-styles/comic-sans/preview")
    assert problem_of(unknown)["status"] == 404
    bad_platform = client.get("/caption-styles/pop/preview", params={"platform": "myspace"})
    assert problem_of(bad_platform)["status"] == 422


def test_the_piper_catalogue_lists_and_downloads_a_voice_that_then_speaks(
    make_client: ClientFactory,
    repo: VoiceRepo,  # noqa: F811 - the fixture imported above
) -> None:
    client = make_client(piper_voices_url=repo.base_url)
    listed = client.get("/voices/catalogue", params={"lang": "de"}).json()
    assert [v["id"] for v in listed["voices"]] == ["de_DE-thorsten-medium"]
    assert listed["voices"][0]["installed"] is False
    made = client.post("/voices/catalogue/de_DE-thorsten-medium/download")
    assert made.status_code == 201, made.text
    assert made.json()["installed"] is True
    assert "de_DE-thorsten-medium" in {v["id"] for v in client.get("/voices?fresh=1").json()}
    missing = client.post("/voices/catalogue/xx_XX-nobody-low/download")
    assert problem_of(missing)["status"] in (404, 422)
