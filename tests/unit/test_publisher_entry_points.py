"""The publishers named in pyproject.toml's ``video_orchestrator.publishers`` group import,
and each builds, from default settings, one object that is both a ``Connector`` and a
``Publisher`` for its platform (what ``services`` asks of a registered adapter)."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import pytest

from video_orchestrator.config import Settings
from video_orchestrator.ports import PUBLISHER_ENTRY_POINTS
from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.publishing import Connector, Publisher

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
GROUP = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"][PUBLISHER_ENTRY_POINTS]


@pytest.mark.parametrize("name", ["tiktok", "instagram", "facebook"])
def test_each_publisher_is_registered_and_builds_from_the_settings(name: str) -> None:
    module, _, attribute = GROUP[name].partition(":")
    cls = getattr(importlib.import_module(module), attribute)
    assert issubclass(cls, Provider)
    built = cls.from_settings(Settings().section(cls.settings_model, name))
    assert isinstance(built, Connector) and isinstance(built, Publisher)
    assert built.platform == name and built.name == name and built.kind == "cloud"
    assert not built.configured  # no app keys set: listed, and saying so when used
