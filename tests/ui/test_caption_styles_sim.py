"""The Captions tab offers the kinetic and gradient styles; picking one saves it and its
preview is a real frame drawn in that style (NiceGUI's simulated user, the real renderer)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.ui.test_tabs_render import (  # noqa: F401  (fixtures)
    WorkspaceFactory,
    anyio_backend,
    eventually,
    make_ws,
    preview_source,
    shared_cache,
    short_project,
    ui_user,
)
from video_orchestrator.spec.caption_styles import CAPTION_STYLE_DESCRIPTIONS

pytestmark = [pytest.mark.anyio, pytest.mark.render]


async def test_the_kinetic_style_is_offered_saved_and_previewed(
    make_ws: WorkspaceFactory,  # noqa: F811  (the fixture imported above)
) -> None:
    ws = make_ws()
    project = short_project(ws)
    async with ui_user(ws) as user:
        await user.open(f"/projects/{project.id}")
        await user.should_see(marker="caption-style", retries=30)
        await user.should_see(f"Gradient: {CAPTION_STYLE_DESCRIPTIONS['gradient']}")
        await eventually(lambda: preview_source(user) != "", "the first preview")
        first = preview_source(user)

        user.find(f"Kinetic: {CAPTION_STYLE_DESCRIPTIONS['kinetic']}").click()
        await eventually(
            lambda: ws.projects.get(project.id).captions.style == "kinetic", "the save"
        )
        await eventually(lambda: preview_source(user) not in ("", first), "a new preview")
        response = await user.http_client.get(preview_source(user))
        assert response.status_code == 200
        shown = Image.open(io.BytesIO(response.content)).convert("RGB")
        pixels = np.asarray(shown).astype(int)
        # The spoken (third) word has swept into the style's yellow (#FFD400).
        yellow = (
            (pixels[..., 0] > 225) & (np.abs(pixels[..., 1] - 212) < 30) & (pixels[..., 2] < 70)
        )
        assert yellow.sum() > 200, "the spoken word in yellow"
