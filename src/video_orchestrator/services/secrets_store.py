"""Provider settings that are secrets (API keys of LLM, voice and stock providers), stored
encrypted at rest with Fernet. The key lives in ``<data_dir>/secret.key`` (mode 0600), or in
``VO_SECRET_KEY``. Values are never returned in full: only a masked form."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel
from sqlalchemy import select

from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError, InputError, NotFoundError
from video_orchestrator.store import Database
from video_orchestrator.store.tables import ProviderSecret, utcnow

#: The provider settings that may be stored here (the settings field each one fills).
SECRET_NAMES = (
    "llm_api_key",
    "anthropic_api_key",
    "gemini_api_key",
    "openai_speech_api_key",
    "elevenlabs_api_key",
    "pexels_api_keys",
    "pixabay_api_keys",
    "openai_images_api_key",
    "stability_api_key",
    "fal_api_key",
    "trends_youtube_api_key",
    "smtp_password",
    "youtube_client_secret",
    "tiktok_client_secret",
    "meta_app_secret",
)
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,60}$")


def secret_key(settings: Settings) -> bytes:
    if settings.secret_key:
        return settings.secret_key.encode("ascii")
    return load_or_create_key(settings.data_dir / "secret.key")


def apply_stored_secrets(settings: Settings, store: SecretStore) -> Settings:
    """``settings`` with each provider secret stored in the database filled in, unless the
    environment or the config file already set it (explicit configuration wins)."""
    updates: dict[str, object] = {}
    for name, value in store.values().items():
        if name not in Settings.model_fields or getattr(settings, name):
            continue
        current = getattr(settings, name)
        updates[name] = (
            [v.strip() for v in value.split(",") if v.strip()]
            if isinstance(current, list)
            else value
        )
    return settings.model_copy(update=updates) if updates else settings


class SecretOut(BaseModel):
    name: str
    masked: str
    updated_at: datetime


def mask(value: str) -> str:
    if len(value) <= 8:
        return "•" * len(value)
    return f"{value[:3]}…{value[-4:]}"


def load_or_create_key(path: Path) -> bytes:
    if path.is_file():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


class Cipher:
    """Fernet with the installation's key, for secrets kept in other tables (the tokens of
    connected publishing accounts): ``encrypt`` gives ciphertext to store, ``decrypt`` the
    clear value for a request, never for output."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError("the secret key is not a valid Fernet key") from exc

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str, what: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ConfigError(
                f"the stored {what} cannot be decrypted with this installation's key"
            ) from exc


class SecretStore:
    def __init__(self, db: Database, key: bytes) -> None:
        self.db = db
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError("the secret key is not a valid Fernet key") from exc

    def _check(self, name: str) -> str:
        if not _NAME.fullmatch(name) or name not in SECRET_NAMES:
            raise NotFoundError(
                f"unknown provider setting {name!r}; known: {', '.join(SECRET_NAMES)}"
            )
        return name

    def put(self, name: str, value: str) -> SecretOut:
        self._check(name)
        value = value.strip()
        if not value or len(value) > 4000:
            raise InputError("a secret value must be 1 to 4000 characters")
        token = self._fernet.encrypt(value.encode("utf-8")).decode("ascii")
        with self.db.session() as session:
            row = session.get(ProviderSecret, name)
            if row is None:
                row = ProviderSecret(name=name, ciphertext=token)
                session.add(row)
            else:
                row.ciphertext, row.updated_at = token, utcnow()
            session.flush()
            return SecretOut(name=name, masked=mask(value), updated_at=row.updated_at)

    def reveal(self, name: str) -> str | None:
        """The clear value, for building providers inside the server; never for output."""
        with self.db.session() as session:
            row = session.get(ProviderSecret, self._check(name))
            token = None if row is None else row.ciphertext
        return None if token is None else self._decrypt(name, token)

    def _decrypt(self, name: str, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ConfigError(
                f"the stored secret {name} cannot be decrypted with this installation's key"
            ) from exc

    def fingerprint(self) -> str:
        """Changes whenever a secret is saved or deleted (to rebuild providers)."""
        with self.db.session() as session:
            rows = session.execute(
                select(ProviderSecret.name, ProviderSecret.updated_at).order_by(ProviderSecret.name)
            ).all()
        return ";".join(f"{name}@{updated.isoformat()}" for name, updated in rows)

    def values(self) -> dict[str, str]:
        """Every stored secret in clear, by name: for building providers, never for output."""
        with self.db.session() as session:
            rows = session.scalars(select(ProviderSecret).order_by(ProviderSecret.name)).all()
            tokens = {row.name: row.ciphertext for row in rows}
        return {name: self._decrypt(name, token) for name, token in tokens.items()}

    def all(self) -> list[SecretOut]:
        with self.db.session() as session:
            rows = session.scalars(select(ProviderSecret).order_by(ProviderSecret.name)).all()
            stored = [(r.name, r.ciphertext, r.updated_at) for r in rows]
        return [
            SecretOut(name=name, masked=mask(self._decrypt(name, token)), updated_at=updated)
            for name, token, updated in stored
        ]

    def delete(self, name: str) -> None:
        with self.db.session() as session:
            row = session.get(ProviderSecret, self._check(name))
            if row is None:
                raise NotFoundError(f"the provider setting {name} is not set")
            session.delete(row)
