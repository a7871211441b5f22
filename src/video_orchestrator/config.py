"""Settings: ``VO_*`` environment variables, then a TOML file in the user config dir.

Settings are built explicitly by entry points (``Settings.load()``) and passed down; nothing
reads the environment at import time.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import platformdirs
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from video_orchestrator.errors import ConfigError

APP_NAME = "video-orchestrator"

SectionT = TypeVar("SectionT", bound=BaseModel)


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
    llm_providers: str | None = Field(
        default=None,
        description="Order of the language-model fallback chain, comma-separated, e.g. "
        "'anthropic,gemini,openai-compatible'; default: every provider that is configured.",
    )
    llm_preset: str | None = Field(
        default=None,
        description="Base URL preset of the OpenAI-compatible provider: openai, ollama, "
        "lmstudio, llamacpp, vllm, groq, openrouter, deepseek (VO_LLM_BASE_URL wins).",
    )
    llm_fallback_order: str = Field(
        default="anthropic,gemini,openai-compatible",
        description="The chain's order when VO_LLM_PROVIDERS is not set (each provider only "
        "when it is configured).",
    )
    llm_cache: bool = Field(
        default=True, description="Reuse the answer to an identical language-model request."
    )
    llm_retries: int = Field(
        default=2, ge=0, le=10, description="Retries of a language model on 429 and 5xx."
    )
    llm_max_retry_wait: float = Field(
        default=10.0, ge=0, description="Longest wait in seconds before one retry."
    )
    anthropic_api_key: str | None = Field(
        default=None, repr=False, description="Anthropic API key (enables Claude)."
    )
    anthropic_base_url: str = Field(
        default="https://api.anthropic.com", description="Anthropic API base URL."
    )
    anthropic_model: str = Field(default="claude-haiku-4-5", description="Claude model.")
    gemini_api_key: str | None = Field(
        default=None, repr=False, description="Google Gemini API key (enables Gemini)."
    )
    gemini_base_url: str = Field(
        default="https://generativelanguage.googleapis.com", description="Gemini API base URL."
    )
    gemini_model: str = Field(default="gemini-2.5-flash", description="Gemini model.")

    # --- speech providers (edge-tts, OpenAI speech, ElevenLabs, espeak-ng, Piper voice manager) ---
    tts_timeout: float = Field(
        default=60.0, gt=0, description="Seconds to wait for a cloud voice before giving up."
    )
    tts_max_retries: int = Field(
        default=2, ge=0, le=5, description="Retries of a cloud voice request after 429 or 5xx."
    )
    openai_speech_api_key: str | None = Field(
        default=None, repr=False, description="OpenAI API key for OpenAI speech voices."
    )
    openai_speech_base_url: str | None = Field(
        default=None,
        description="OpenAI speech endpoint (default https://api.openai.com; or a compatible "
        "local server). Setting it without a key enables the provider.",
    )
    openai_speech_model: str = Field(
        default="gpt-4o-mini-tts", description="OpenAI speech model (tts-1, tts-1-hd …)."
    )
    openai_speech_voices: list[str] = Field(
        default_factory=list,
        description="Voice names the endpoint offers; default: OpenAI's documented voices.",
    )
    elevenlabs_api_key: str | None = Field(
        default=None, repr=False, description="ElevenLabs API key (enables ElevenLabs voices)."
    )
    elevenlabs_base_url: str = Field(
        default="https://api.elevenlabs.io", description="ElevenLabs API endpoint."
    )
    elevenlabs_model: str = Field(
        default="eleven_multilingual_v2", description="ElevenLabs model id."
    )
    edge_tts_enabled: bool = Field(
        default=False,
        description="Use Microsoft Edge's online read-aloud voices (no key; needs internet).",
    )
    edge_tts_url: str = Field(
        default="wss://speech.platform.bing.com/consumer/speech/synthesize/readaloud/edge/v1",
        description="The read-aloud websocket endpoint.",
    )
    edge_tts_voices_url: str = Field(
        default="https://speech.platform.bing.com/consumer/speech/synthesize/readaloud/voices/list",
        description="The read-aloud voice list.",
    )
    espeak_ng: str | None = Field(
        default=None,
        description="Path of the espeak-ng binary; default: `espeak-ng` on PATH when installed.",
    )
    piper_voices_url: str = Field(
        default="https://huggingface.co/rhasspy/piper-voices/resolve/main",
        description="Base URL of the Piper voice catalogue (voices.json and the voice files).",
    )

    local_voice_provider: str = Field(
        default="piper",
        description="The offline voice provider a cloud voice falls back to when it cannot "
        "serve; listed first.",
    )
    sound_library: str = Field(
        default="synth",
        description="The sound library music beds and sound effects come from (entry point "
        "group video_orchestrator.sounds); the built-in one synthesises them from code.",
    )
    unlisted_voice_providers: list[str] = Field(
        default_factory=lambda: ["fake"],
        description="Registered voice providers left out of voice lists (test voices).",
    )
    provider_settings: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        repr=False,
        description="Settings of providers by name, for fields these settings do not have "
        '(plugins), as JSON or a TOML table, e.g. {"my-voice": {"url": "http://…"}}.',
    )

    # --- stock media (Pexels, Pixabay) ---
    stock_providers: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Stock footage providers in the order tried, e.g. `pexels,pixabay` "
        "(comma-separated or a JSON list); empty: no stock footage.",
    )
    pexels_api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        repr=False,
        description="Pexels API keys (comma-separated); the next is used when one is limited.",
    )
    pexels_base_url: str = Field(
        default="https://api.pexels.com", description="Pexels API endpoint."
    )
    pixabay_api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        repr=False,
        description="Pixabay API keys (comma-separated); the next is used when one is limited.",
    )
    pixabay_base_url: str = Field(
        default="https://pixabay.com", description="Pixabay API endpoint (without /api)."
    )
    stock_timeout: float = Field(
        default=20.0, gt=0, description="Seconds to wait for a stock API or download to answer."
    )
    stock_max_download_mb: float = Field(
        default=150.0, gt=0, description="Largest stock file downloaded, in MB."
    )
    stock_min_short_side: int = Field(
        default=720,
        ge=0,
        description="Smallest usable stock rendition: pixels on its short side (720 = HD).",
    )

    # --- image generation (OpenAI Images, Stability AI, FLUX on fal.ai; ADR 0024) ---
    image_providers: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Image generators in the order tried for scenes with no footage of "
        "their own, e.g. `openai-images,stability,fal`; empty: no generated pictures.",
    )
    openai_images_api_key: str | None = Field(
        default=None, repr=False, description="OpenAI API key for image generation."
    )
    openai_images_base_url: str = Field(
        default="https://api.openai.com", description="OpenAI Images endpoint."
    )
    openai_images_model: str = Field(
        default="gpt-image-1", description="OpenAI image model: gpt-image-1 or dall-e-3."
    )
    stability_api_key: str | None = Field(
        default=None, repr=False, description="Stability AI API key."
    )
    stability_base_url: str = Field(
        default="https://api.stability.ai", description="Stability AI endpoint."
    )
    stability_model: str = Field(
        default="core", description="Stable Image model: core, ultra, or an sd3.5 model."
    )
    fal_api_key: str | None = Field(default=None, repr=False, description="fal.ai API key.")
    fal_queue_url: str = Field(
        default="https://queue.fal.run", description="fal.ai queue endpoint."
    )
    fal_model: str = Field(default="fal-ai/flux/schnell", description="The FLUX model on fal.ai.")
    fal_poll_interval: float = Field(
        default=1.0, ge=0, description="Seconds between two looks at a queued fal.ai request."
    )
    image_timeout: float = Field(
        default=120.0, gt=0, description="Seconds one generated picture may take."
    )
    image_max_retries: int = Field(
        default=2, ge=0, description="Retries of an image request answered 429 or 5xx."
    )

    # --- trends: sources, alerts and their e-mail (ADR 0030) ---
    trends_timeout: float = Field(
        default=15.0, gt=0, description="Seconds a trend source may take to answer."
    )
    trends_user_agent: str = Field(
        default="python:video-orchestrator:0.1 (trend monitor; set VO_TRENDS_USER_AGENT)",
        description="The User-Agent trend sources see; Reddit and Wikimedia ask for a "
        "descriptive one with a contact, e.g. `python:myshorts:1.0 (by /u/me)`.",
    )
    trends_poll_minutes: float = Field(
        default=30.0, ge=1, description="Minutes between two polls of one trend source."
    )
    trends_youtube_api_key: str | None = Field(
        default=None, repr=False, description="YouTube Data API key for the most popular videos."
    )
    trends_youtube_base_url: str = Field(
        default="https://www.googleapis.com/youtube/v3", description="YouTube Data API endpoint."
    )
    trends_google_url: str = Field(
        default="https://trends.google.com/trending/rss",
        description="Google Trends' Trending now RSS feed.",
    )
    trends_reddit_base_url: str = Field(
        default="https://www.reddit.com", description="Reddit endpoint (public listings)."
    )
    trends_hackernews_base_url: str = Field(
        default="https://hacker-news.firebaseio.com/v0", description="Hacker News API."
    )
    trends_wikipedia_base_url: str = Field(
        default="https://wikimedia.org/api/rest_v1", description="Wikimedia REST API."
    )
    trends_alerts_per_hour: int = Field(
        default=10, ge=1, description="Most trend alerts raised in one hour (the rest wait)."
    )
    # --- publishing (connected accounts, posts; ADR 0026) ---
    youtube_client_id: str | None = Field(
        default=None,
        description="OAuth client id of your Google Cloud project (Desktop or Web client) "
        "with the YouTube Data API v3 enabled: enables posting to YouTube.",
    )
    youtube_client_secret: str | None = Field(
        default=None, repr=False, description="That OAuth client's secret."
    )
    youtube_accounts_url: str = Field(
        default="https://accounts.google.com", description="Google's consent page host."
    )
    youtube_oauth_url: str = Field(
        default="https://oauth2.googleapis.com", description="Google's token endpoint host."
    )
    youtube_api_url: str = Field(
        default="https://www.googleapis.com", description="YouTube Data API host."
    )
    youtube_chunk_bytes: int = Field(
        default=8 * 1024 * 1024,
        gt=0,
        description="Bytes per resumable-upload request (a multiple of 262144).",
    )
    youtube_category_id: str = Field(default="22", description="Video category (22: People).")
    publish_timeout: float = Field(
        default=60.0, gt=0, description="Seconds one publishing request may take."
    )
    platforms_sandbox: bool = Field(
        default=False,
        description="Publish to in-process sandbox platforms (local fakes that speak each "
        "protocol) instead of the real ones: try connecting and posting without accounts.",
    )
    # --- TikTok, Instagram and Facebook publishers (ADR 0027); the chunk sizes and poll
    # intervals are in each adapter's section (VO_PROVIDER_SETTINGS) ---
    tiktok_client_key: str | None = Field(
        default=None,
        description="Client key of your TikTok app (Login Kit + Content Posting API): "
        "enables posting to TikTok.",
    )
    tiktok_client_secret: str | None = Field(
        default=None, repr=False, description="That TikTok app's client secret."
    )
    tiktok_api_url: str = Field(
        default="https://open.tiktokapis.com", description="TikTok's Open API host."
    )
    tiktok_authorize_url: str = Field(
        default="https://www.tiktok.com/v2/auth/authorize/",
        description="TikTok's consent page.",
    )
    meta_app_id: str | None = Field(
        default=None,
        description="App id of your Meta app (Facebook Login): enables posting Reels to "
        "Instagram professional accounts and Facebook Pages.",
    )
    meta_app_secret: str | None = Field(
        default=None, repr=False, description="That Meta app's secret."
    )
    meta_graph_url: str = Field(
        default="https://graph.facebook.com", description="Meta's Graph API host."
    )
    meta_upload_url: str = Field(
        default="https://rupload.facebook.com", description="Meta's resumable upload host."
    )
    meta_dialog_url: str = Field(
        default="https://www.facebook.com", description="Facebook Login's consent page host."
    )
    meta_api_version: str = Field(default="v21.0", description="The Graph API version.")
    facebook_page_id: str | None = Field(
        default=None,
        description="The Facebook Page to post to when the login manages several "
        "(default: the first).",
    )

    @field_validator(
        "stock_providers", "image_providers", "pexels_api_keys", "pixabay_api_keys", mode="before"
    )
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        """``a,b`` or ``["a", "b"]`` from the environment; lists from TOML as they are."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                try:
                    return json.loads(text)
                except ValueError as exc:
                    raise ValueError(f"not a JSON list: {exc}") from exc
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    # --- hooks and platform optimisation ---

    # --- store, jobs and API ---
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql://user@host/db; default SQLite in data_dir",
    )
    storage_url: str | None = Field(
        default=None,
        description="Where files live: a folder or an fsspec URL (s3://bucket/prefix); "
        "default <data_dir>/files",
    )
    storage_options: dict[str, Any] = Field(
        default_factory=dict,
        repr=False,
        description="fsspec options for storage_url as JSON, e.g. "
        '{"client_kwargs": {"endpoint_url": "http://minio:9000"}} (credentials: the usual '
        "AWS_* / GOOGLE_* / AZURE_* variables)",
    )
    executor: Literal["local", "celery"] = Field(
        default="local", description="local worker processes, or Celery workers over a broker"
    )
    broker_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Celery broker (VO_EXECUTOR=celery)"
    )
    workers: int = Field(default=1, ge=1, le=64, description="local worker processes")
    job_max_attempts: int = Field(default=3, ge=1, le=20)
    job_stale_seconds: float = Field(
        default=30.0, gt=0, description="a running job silent this long is taken as orphaned"
    )
    api_host: str = "127.0.0.1"
    api_port: int = 4545
    upload_max_bytes: int = Field(default=2_000_000_000, gt=0)
    rate_limit_per_minute: int = Field(default=600, ge=1)
    redis_url: str | None = Field(
        default=None, description="Redis for the API's rate limits and response cache"
    )
    cors_origins: list[str] = Field(default_factory=list)
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="host names the server answers to besides localhost (e.g. its name behind a "
        "proxy; '*' for any); without API keys only loopback names are answered",
    )
    json_max_bytes: int = Field(
        default=2_000_000, gt=0, description="largest request body other than a file upload"
    )
    imports_per_client: int = Field(
        default=2, ge=1, description="URL imports one key or address may run at once"
    )
    imports_at_once: int = Field(
        default=8, ge=1, description="URL imports the server runs at once, for all clients"
    )
    import_deadline_seconds: float = Field(
        default=600.0, gt=0, description="longest a URL import may take, start to end"
    )
    import_min_bytes_per_second: int = Field(
        default=20_000,
        ge=0,
        description="slowest transfer a URL import accepts (after its first 10 s)",
    )
    streams_per_client: int = Field(
        default=10, ge=1, description="progress streams (SSE) one key or address may hold open"
    )
    auth_failures_per_minute: int = Field(
        default=20, ge=1, description="wrong API keys from one address a minute before a wait"
    )
    ui_session_idle_minutes: float = Field(
        default=60.0, gt=0, description="a web UI sign-in unused this long ends (minutes)"
    )
    ui_session_max_hours: float = Field(
        default=12.0, gt=0, description="a web UI sign-in ends this long after it began (hours)"
    )
    allow_private_urls: bool = Field(
        default=False, description="let URL imports reach private addresses (tests only)"
    )
    secret_key: str | None = Field(
        default=None,
        repr=False,
        description="Fernet key for provider secrets stored in the database; default: "
        "<data_dir>/secret.key (share it with every machine that runs workers)",
    )
    require_api_key: bool | None = Field(
        default=None,
        description="default: required whenever the server listens beyond localhost",
    )

    # --- analytics ---
    analytics_engine: Literal["database", "duckdb"] = Field(
        default="database",
        description="where the dashboards' aggregates are computed: the database, or DuckDB "
        "over the Parquet copy in <data_dir>/warehouse (refreshed after each import)",
    )

    # --- e-mail (analytics reports, trend alerts; services/mail.py) ---
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server that sends reports and alerts, e.g. smtp.example.com",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port")
    smtp_user: str | None = Field(default=None, description="SMTP user name (none: no login)")
    smtp_password: str | None = Field(default=None, repr=False, description="SMTP password")
    smtp_from: str | None = Field(
        default=None, description="the sender of e-mails, e.g. Reports <reports@example.com>"
    )
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls",
        description="starttls (port 587), ssl (port 465) or none (a local relay only)",
    )
    smtp_timeout: float = Field(default=30.0, gt=0, description="seconds to wait for SMTP")

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _host_list(cls, value: Any) -> Any:
        """``a.example,b.example`` or a JSON list, like the other lists."""
        return cls._comma_list(value)

    def section(self, model: type[SectionT], provider: str = "") -> SectionT:
        """A provider's settings section (``ports.provider.ProviderSettings``): each field
        from the setting of the same name, then ``provider_settings[provider]``; ``explicit``
        (when the model has it) names the fields the user set."""
        fields = set(model.model_fields)
        values: dict[str, Any] = self.model_dump(include=fields & set(type(self).model_fields))
        own = self.provider_settings.get(provider, {})
        values.update(own)
        if "explicit" in fields:
            values["explicit"] = frozenset(fields & (self.model_fields_set | set(own)))
        try:
            return model.model_validate(values)
        except ValidationError as exc:
            error = exc.errors()[0]
            name = ".".join(str(p) for p in error["loc"])
            raise ConfigError(
                f"the setting {name} of the provider {provider or model.__name__} is invalid: "
                f"{error['msg']}"
            ) from exc

    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'vo.db'}"

    def storage(self) -> str:
        return self.storage_url or str(self.data_dir / "files")

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
        try:
            env_settings = cls()
            merged = {**file_values, **env_settings.model_dump(exclude_unset=True), **overrides}
            return cls(**merged)
        except ValidationError as exc:
            error = exc.errors()[0]
            name = ".".join(str(p) for p in error["loc"])
            raise ConfigError(
                f"the setting {name} (VO_{name.upper()} or {path.name}) is invalid: {error['msg']}"
            ) from exc
