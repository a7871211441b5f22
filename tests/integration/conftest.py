"""Fixtures the render tests share."""

from __future__ import annotations

import pytest

from video_orchestrator.render.fonts import FontEnvironment, font_environment


@pytest.fixture(scope="module")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> FontEnvironment:
    """The product's fonts for libass, with a font cache of the test module's own."""
    return font_environment(tmp_path_factory.mktemp("font-cache"))
