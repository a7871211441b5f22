"""The provider contract of ``ports.provider``: every registered adapter has a typed settings
section built from ``Settings``, and a third-party adapter registered by entry point is
configured, listed and chosen exactly like a built-in one (ADR 0012)."""

from __future__ import annotations

from importlib.metadata import EntryPoint, EntryPoints, entry_points
from pathlib import Path
from typing import Any

import pytest

from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError
from video_orchestrator.pipeline.llm_chain import chain_from_settings
from video_orchestrator.ports import LLM_ENTRY_POINTS, MEDIA_ENTRY_POINTS, TTS_ENTRY_POINTS
from video_orchestrator.ports.llm import JsonRequest
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.ports.tts import Speech, SpeechRequest, TTSProvider, VoiceInfo
from video_orchestrator.providers.fake.tts import FakeTTS
from video_orchestrator.services import registry
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.registry import provider_class, provider_classes


class ChimeSettings(ProviderSettings):
    required = "VO_PROVIDER_SETTINGS with a chime URL"

    chime_url: str = ""  # not a field of Settings: read from provider_settings["chime"]
    tts_timeout: float  # a field of Settings: read from VO_TTS_TIMEOUT like a built-in


class ChimeTTS(Provider[ChimeSettings]):
    """A third-party voice, written against ``ports`` only."""

    name = "chime"
    settings_model = ChimeSettings

    def __init__(self, url: str, timeout: float) -> None:
        self.url, self.timeout = url, timeout
        self.configured = bool(url)

    @classmethod
    def from_settings(cls, settings: ChimeSettings) -> ChimeTTS:
        return cls(settings.chime_url, settings.tts_timeout)

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(id="chime-en", name="Chime", language="en-US", provider=self.name)]

    def synthesize(self, request: SpeechRequest, out_path: Path) -> Speech:
        raise NotImplementedError


class AcmeSettings(ProviderSettings):
    required = "an acme key"

    acme_key: str | None = None


class AcmeLLM(Provider[AcmeSettings]):
    name = "acme"
    settings_model = AcmeSettings
    model = "acme-1"
    host = "acme.invalid"
    base_url = "https://acme.invalid/v1"

    @classmethod
    def from_settings(cls, settings: AcmeSettings) -> AcmeLLM | None:
        return cls() if settings.acme_key else None

    def complete_json(self, request: JsonRequest) -> dict[str, Any]:
        return {}


class NotAProvider:
    name = "stray"


def _with_plugin(monkeypatch: pytest.MonkeyPatch, group: str, name: str, target: str) -> None:
    """Register ``target`` under ``group`` as an installed package's entry point would."""

    def patched(*, group: str) -> EntryPoints:
        found = list(entry_points(group=group))
        if group == wanted:
            found.append(EntryPoint(name=name, value=f"{__name__}:{target}", group=group))
        return EntryPoints(found)

    wanted = group
    monkeypatch.setattr(registry, "entry_points", patched)


def test_every_registered_adapter_builds_its_section_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    for group in (TTS_ENTRY_POINTS, LLM_ENTRY_POINTS, MEDIA_ENTRY_POINTS):
        for name, cls in provider_classes(group).items():
            section = settings.section(cls.settings_model, name)
            assert isinstance(section, ProviderSettings), name
            assert cls.kind in ("local", "cloud"), name


def test_a_third_party_voice_is_configured_like_a_built_in(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _with_plugin(monkeypatch, TTS_ENTRY_POINTS, "chime", "ChimeTTS")
    settings = Settings(
        data_dir=tmp_path / "data",
        cache_dir=tmp_path / "cache",
        tts_timeout=7,
        provider_settings={"chime": {"chime_url": "http://chime.invalid"}},
    )
    ctx = AppContext(settings)
    chime = ctx.tts("chime")
    assert isinstance(chime, ChimeTTS) and isinstance(chime, TTSProvider)
    assert (chime.url, chime.timeout, chime.configured) == ("http://chime.invalid", 7, True)
    assert (chime.kind, chime.last_error) == ("cloud", None)
    assert ctx.tts_for_voice("chime-en") is chime
    # listed among the cloud voices, after the local voice provider's
    assert "chime-en" in [v.id for v in ctx.all_voices()]
    unset = AppContext(Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"))
    assert unset.tts("chime").configured is False


def test_the_local_voice_and_the_language_model_order_come_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    local = FakeTTS()
    ctx = AppContext(
        Settings(cache_dir=tmp_path, local_voice_provider="offline"),
        tts={"offline": local, "other": FakeTTS()},
    )
    assert ctx.local_voice() is local
    assert ctx.tts_for_voice("nobody-has-this") is local

    _with_plugin(monkeypatch, LLM_ENTRY_POINTS, "acme", "AcmeLLM")

    def lookup(name: str) -> type[Provider[Any]]:
        return provider_class(LLM_ENTRY_POINTS, name)

    order = Settings(llm_fallback_order="acme", provider_settings={"acme": {"acme_key": "k"}})
    chain = chain_from_settings(order, lookup, cache=None)
    assert chain is not None and [p.name for p in chain.providers] == ["acme"]
    assert chain_from_settings(Settings(llm_fallback_order="acme"), lookup, cache=None) is None
    with pytest.raises(ConfigError, match="'acme', but an acme key is not set"):
        chain_from_settings(Settings(llm_providers="acme"), lookup, cache=None)


def test_a_plugin_that_is_not_a_provider_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_plugin(monkeypatch, TTS_ENTRY_POINTS, "stray", "NotAProvider")
    with pytest.raises(ConfigError, match="does not subclass"):
        provider_classes(TTS_ENTRY_POINTS)


def test_bad_provider_settings_are_a_config_error(tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path, provider_settings={"chime": {"tts_timeout": "slow"}})
    with pytest.raises(ConfigError, match="tts_timeout of the provider chime"):
        settings.section(ChimeSettings, "chime")
