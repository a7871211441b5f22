"""API keys: made once (``vo apikey create``), shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, select

from video_orchestrator.errors import AccessError, InputError, NotFoundError
from video_orchestrator.services.projects import new_id
from video_orchestrator.store import Database
from video_orchestrator.store.tables import ApiKey, UiSession, utcnow

PREFIX = "vo_"


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


class NewApiKey(BaseModel):
    key: str
    info: ApiKeyOut


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeyService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, name: str) -> NewApiKey:
        name = name.strip()
        if not name or len(name) > 100:
            raise InputError("an API key needs a name of 1 to 100 characters")
        key = PREFIX + secrets.token_urlsafe(32)
        row = ApiKey(id=new_id(), name=name, prefix=key[:10], key_hash=_hash(key))
        with self.db.session() as session:
            session.add(row)
            session.flush()
            return NewApiKey(key=key, info=ApiKeyOut.model_validate(row))

    def verify(self, key: str | None) -> ApiKeyOut:
        if not key:
            raise AccessError(
                "this server needs an API key: send 'Authorization: Bearer <key>' "
                "(make one with `vo apikey create NAME`)"
            )
        digest = _hash(key)
        with self.db.session() as session:
            row = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
            if row is None or not hmac.compare_digest(row.key_hash, digest) or row.revoked:
                raise AccessError("the API key is not valid or has been revoked")
            now = utcnow()
            if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
                row.last_used_at = now
            return ApiKeyOut.model_validate(row)

    def all(self) -> list[ApiKeyOut]:
        with self.db.session() as session:
            rows = session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()
            return [ApiKeyOut.model_validate(r) for r in rows]

    def revoke(self, key_id: str) -> None:
        with self.db.session() as session:
            row = session.get(ApiKey, key_id) or session.scalar(
                select(ApiKey).where(ApiKey.prefix == key_id)
            )
            if row is None:
                raise NotFoundError(f"no API key {key_id}")
            row.revoked = True
            # its web UI sessions end with it (ADR 0019); they re-check the key anyway
            session.execute(delete(UiSession).where(UiSession.key_id == row.id))
