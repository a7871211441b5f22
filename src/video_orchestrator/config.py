"""Settings: ``VO_*`` environment variables, then a TOML file in the user config dir.

Settings are built explicitly by entry points (``Settings.load()``) and passed down; nothing
reads the environment at import time.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from video_orchestrator.errors import ConfigError

APP_NAME = "video-orchestrator"


def default_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


class Settings(BaseSettings):
    """Every setting of the product, with its environment variable ``VO_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="VO_", extra="ignore")

    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)),
        description="Where projects, media and the database live.",
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_cache_dir(APP_NAME)),
        description="Content-addressed cache of step outputs (voice audio, prepared media).",
    )
    font_dirs: list[Path] = Field(
        default_factory=list,
        description="Extra folders of .ttf/.otf fonts for captions (e.g. a CJK font).",
    )
    ffmpeg: str | None = Field(
        default=None, description="Path of an ffmpeg binary; default: the one from imageio-ffmpeg."
    )
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1"
    )
    llm_api_key: str | None = Field(default=None, repr=False)
    llm_model: str = "gpt-4o-mini"
    llm_timeout: float = 60.0
    default_voice: str = "en_US-joe-medium"
    default_platform: str = "tiktok"

    # --- language models beyond the OpenAI-compatible one (fallback chain, caching) ---

    # --- speech providers (edge-tts, OpenAI speech, ElevenLabs, espeak-ng, Piper voice manager) ---

    # --- stock media (Pexels, Pixabay) ---

    # --- hooks and platform optimisation ---

    # --- store, jobs and API ---

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: Any) -> Settings:
        """Environment variables win over the TOML file; explicit overrides win over both."""
        path = config_file or default_config_file()
        file_values: dict[str, Any] = {}
        if path.is_file():
            try:
                file_values = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"cannot read settings file {path}: {exc}") from exc
        env_settings = cls()
        merged = {**file_values, **env_settings.model_dump(exclude_unset=True), **overrides}
        return cls(**merged)
