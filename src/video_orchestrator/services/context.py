"""The composition root: builds every adapter the use cases need, from explicit settings.

Interfaces (CLI, API, workers) create one ``AppContext`` from ``Settings`` and pass it to the
use cases. Expensive pieces (voices, fonts) are built on first use only.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError
from video_orchestrator.pipeline.cache import ContentCache
from video_orchestrator.pipeline.script_writer import words_per_minute
from video_orchestrator.platforms import PlatformPreset, get_preset, load_presets
from video_orchestrator.ports import LLM_ENTRY_POINTS, SOUND_ENTRY_POINTS, TTS_ENTRY_POINTS
from video_orchestrator.ports.images import ImageGenerator
from video_orchestrator.ports.llm import LLMProvider
from video_orchestrator.ports.music import SoundLibrary
from video_orchestrator.ports.translate import Translator
from video_orchestrator.ports.trends import TrendSource
from video_orchestrator.ports.tts import TTSProvider, VoiceInfo
from video_orchestrator.render.ffmpeg import ffmpeg_binary
from video_orchestrator.render.fonts import FontEnvironment, font_environment
from video_orchestrator.render.renderer import Renderer
from video_orchestrator.services.publishers import PlatformAdapter
from video_orchestrator.services.registry import build_provider, provider_class, provider_classes

# The store (SQLAlchemy, the tables, fsspec: ~0.2 s CPU) and the stock pipeline (NumPy, PyAV)
# are imported when a use case first needs them: `vo render` never does, `vo make` needs no
# store (ADR 0053).
if TYPE_CHECKING:
    from video_orchestrator.pipeline.stock import StockLibrary
    from video_orchestrator.store import Database, FileStorage


class AppContext:
    """Everything a use case needs, made once per process."""

    def __init__(
        self,
        settings: Settings,
        *,
        tts: Mapping[str, TTSProvider] | None = None,
        llm: LLMProvider | None = None,
        db: Database | None = None,
        images: Sequence[ImageGenerator] | None = None,
        trend_sources: Mapping[str, TrendSource] | None = None,
        publishers: Mapping[str, PlatformAdapter] | None = None,
        translators: Sequence[Translator] | None = None,
    ) -> None:
        """``tts``, ``llm``, ``images``, ``trend_sources`` and ``publishers`` replace the
        registered providers (tests, embedding)."""
        self.settings = settings
        self._lock = threading.Lock()
        self._tts: dict[str, TTSProvider] = dict(tts or {})
        self._injected_tts = tts is not None
        if llm is not None:
            self.__dict__["llm"] = llm
        if db is not None:
            self.__dict__["db"] = db
        if images is not None:
            self.__dict__["images"] = list(images)
        if trend_sources is not None:
            self.__dict__["trend_sources"] = dict(trend_sources)
        self._injected_publishers = publishers
        self._injected_translators = translators
        if translators is not None:
            self.__dict__["translators"] = list(translators)
        if publishers is not None:
            self.__dict__["publishers"] = dict(publishers)

    def with_stored_secrets(self) -> AppContext:
        """This context, with provider secrets saved through the API filled into the
        settings the environment left unset (a new context sharing the database)."""
        from video_orchestrator.services.secrets_store import (
            SecretStore,
            apply_stored_secrets,
            secret_key,
        )

        merged = apply_stored_secrets(
            self.settings, SecretStore(self.db, secret_key(self.settings))
        )
        if merged is self.settings:
            return self
        return AppContext(
            merged,
            db=self.db,
            publishers=self._injected_publishers,
            translators=self._injected_translators,
        )

    @cached_property
    def ffmpeg(self) -> str:
        return ffmpeg_binary(self.settings.ffmpeg)

    @cached_property
    def fonts(self) -> FontEnvironment:
        return font_environment(
            self.settings.cache_dir / "fonts", extra_font_dirs=self.settings.font_dirs
        )

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer.for_machine(self.ffmpeg, self.fonts, os.cpu_count() or 1)

    @cached_property
    def db(self) -> Database:
        """The database, migrated to the newest schema on first use."""
        from video_orchestrator.store import Database

        database = Database(self.settings.database())
        database.migrate()
        return database

    def existing_db(self) -> Database | None:
        """The database when the workspace has one, else ``None`` without creating it: what a
        read-only command reads (``vo hooks`` and ``vo optimise`` read the learned hook
        weights only from a database that is there; ADR 0044). An existing one is migrated
        like every command's."""
        from video_orchestrator.store import database_exists

        if "db" in self.__dict__ or database_exists(self.settings.database()):
            return self.db
        return None

    @cached_property
    def files(self) -> FileStorage:
        from video_orchestrator.store import FileStorage

        return FileStorage(
            self.settings.storage(),
            cache_dir=self.settings.cache_dir,
            **self.settings.storage_options,
        )

    @cached_property
    def cache(self) -> ContentCache:
        return ContentCache(self.settings.cache_dir / "steps")

    @property
    def words_per_minute(self) -> int:
        """The speaking pace scripts are measured at."""
        return words_per_minute()

    @cached_property
    def stock(self) -> StockLibrary:
        """Stock footage providers (``VO_STOCK_PROVIDERS``, in order) and their download cache;
        one per context, so rate-limited keys stay remembered between videos."""
        from video_orchestrator.services.stock import build_stock_library

        return build_stock_library(self.settings)

    @cached_property
    def sounds(self) -> SoundLibrary:
        """The sound library music beds and effects come from (``VO_SOUND_LIBRARY``, default
        the built-in synthesiser)."""
        name = self.settings.sound_library
        built = build_provider(provider_class(SOUND_ENTRY_POINTS, name), name, self.settings)
        if not isinstance(built, SoundLibrary):
            raise ConfigError(f"the sound library {name!r} is not a sound library")
        return built

    @cached_property
    def images(self) -> list[ImageGenerator]:
        """The image generators ``VO_IMAGE_PROVIDERS`` names, in the order tried (empty:
        no generated pictures)."""
        from video_orchestrator.services.images import build_image_generators

        return build_image_generators(self.settings)

    @cached_property
    def trend_sources(self) -> dict[str, TrendSource]:
        """Every registered trend source by kind (ADR 0030)."""
        from video_orchestrator.services.trends import build_trend_sources

        return build_trend_sources(self.settings)

    @cached_property
    def publishers(self) -> dict[str, PlatformAdapter]:
        """The publishing adapters by platform (entry points ``video_orchestrator.publishers``;
        ADR 0026)."""
        from video_orchestrator.services.publishers import build_adapters

        return build_adapters(self.settings)

    @cached_property
    def presets(self) -> dict[str, PlatformPreset]:
        return load_presets()

    def preset(self, name: str) -> PlatformPreset:
        return get_preset(name, self.presets)

    def tts(self, name: str) -> TTSProvider:
        """The TTS provider registered as ``name`` (one instance per context)."""
        with self._lock:
            if name not in self._tts:
                built = build_provider(provider_class(TTS_ENTRY_POINTS, name), name, self.settings)
                if not isinstance(built, TTSProvider):
                    raise ConfigError(f"the voice provider {name!r} is not a TTS provider")
                self._tts[name] = built
            return self._tts[name]

    def local_voice(self) -> TTSProvider:
        """The offline voice provider (``VO_LOCAL_VOICE_PROVIDER``): the one a cloud voice
        falls back to, and the one ``vo voices download`` installs voices for."""
        return self.tts(self.settings.local_voice_provider)

    def tts_names(self) -> list[str]:
        if self._injected_tts:
            return sorted(self._tts)
        return sorted(provider_classes(TTS_ENTRY_POINTS))

    def all_voices(self) -> list[VoiceInfo]:
        """Every voice: the local voice provider's first, cloud voices next, other local
        voices (espeak-ng, the last resort) at the end; unlisted providers (test voices) only
        when they were handed in."""
        unlisted = set() if self._injected_tts else set(self.settings.unlisted_voice_providers)
        providers = {name: self.tts(name) for name in self.tts_names() if name not in unlisted}

        def rank(name: str) -> tuple[int, str]:
            if name == self.settings.local_voice_provider:
                return 0, name
            return (1 if providers[name].kind == "cloud" else 2), name

        voices: list[VoiceInfo] = []
        for name in sorted(providers, key=rank):
            voices.extend(providers[name].voices())
        return voices

    def tts_for_voice(self, voice: str) -> TTSProvider:
        """The provider that has ``voice`` ("provider:voice" picks one explicitly)."""
        if ":" in voice:
            provider, _, _ = voice.partition(":")
            return self.tts(provider)
        for name in self.tts_names():
            provider_obj = self.tts(name)
            if any(v.id == voice for v in provider_obj.voices()):
                return provider_obj
        names = self.tts_names()
        local = self.settings.local_voice_provider
        return self.tts(local if local in names else names[0])

    @cached_property
    def translators(self) -> list[Translator]:
        """The offline translators of language versions (ADR 0039): Argos Translate when
        the ``translate`` extra is installed, else none."""
        from video_orchestrator.providers.argos.translate import installed

        found = installed()
        return [found] if found is not None else []

    @cached_property
    def llm(self) -> LLMProvider | None:
        """The language-model fallback chain the settings describe (with the response cache
        and a usage ledger, ``ctx.llm.ledger``), or None for the offline writer."""
        from video_orchestrator.pipeline.llm_chain import chain_from_settings
        from video_orchestrator.pipeline.llm_usage import UsageLedger

        return chain_from_settings(
            self.settings,
            lambda name: provider_class(LLM_ENTRY_POINTS, name),
            cache=self.cache,
            ledger=UsageLedger(),
        )
