"""Web UI sessions (ADR 0019): a sign-in is bound to the API key that opened it, kept in the
database as the SHA-256 of a random token, and checked on every page load, websocket connect
and media request. It ends at once when its key is revoked or deleted, when the browser signs
out, when it has not been used for ``idle`` or when it is older than ``lifetime``."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import delete, or_, select

from video_orchestrator.errors import AccessError
from video_orchestrator.services.apikeys import ApiKeyService
from video_orchestrator.store import Database
from video_orchestrator.store.tables import ApiKey, UiSession, utcnow

TOKEN_BYTES = 32
TOUCH_EVERY = timedelta(seconds=60)  # at most one last-use write a minute per session

ENDED = "your sign-in has ended"


class UiSessionOut(BaseModel):
    key_id: str
    key_name: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime  # the earlier of the idle and the absolute end, as of now


class OpenedSession(BaseModel):
    token: str  # for the browser only; never stored
    session: UiSessionOut


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UiSessionService:
    def __init__(
        self,
        db: Database,
        keys: ApiKeyService,
        *,
        idle: timedelta,
        lifetime: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.keys = keys
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock

    def open(self, key: str | None) -> OpenedSession:
        """A new session for a valid ``key`` (:class:`AccessError` otherwise)."""
        info = self.keys.verify(key)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock()
        self.sweep()
        with self.db.session() as session:
            row = UiSession(
                token_hash=_hash(token), key_id=info.id, created_at=now, last_used_at=now
            )
            session.add(row)
            session.flush()
            return OpenedSession(token=token, session=self._out(row, info.name))

    def check(self, token: str | None, *, touch: bool = True) -> UiSessionOut:
        """The live session of ``token``; :class:`AccessError` (and the session deleted) when
        it has ended. ``touch``: this counts as use (a page, a media file, a user's input)."""
        if not token:
            raise AccessError("sign in with an API key first")
        now = self.clock()
        with self.db.session() as session:
            row = session.get(UiSession, _hash(token))
            if row is None:
                raise AccessError(f"{ENDED} (signed out, expired or its key revoked)")
            key = session.get(ApiKey, row.key_id)
            reason = None
            if key is None or key.revoked:
                reason = f"{ENDED}: its API key has been revoked"
            elif now - row.created_at >= self.lifetime:
                reason = f"{ENDED}: it is older than {_span(self.lifetime)}"
            elif now - row.last_used_at >= self.idle:
                reason = f"{ENDED}: it was not used for {_span(self.idle)}"
            if reason is not None:
                session.delete(row)
                session.commit()
                raise AccessError(reason)
            assert key is not None
            if touch and now - row.last_used_at >= min(TOUCH_EVERY, self.idle / 10):
                row.last_used_at = now
            return self._out(row, key.name)

    def end(self, token: str | None) -> None:
        """Sign out: the session is gone, whoever holds the token."""
        if not token:
            return
        with self.db.session() as session:
            session.execute(delete(UiSession).where(UiSession.token_hash == _hash(token)))

    def end_for_key(self, key_id: str) -> int:
        """End every session a key opened; how many there were."""
        with self.db.session() as session:
            result = session.execute(delete(UiSession).where(UiSession.key_id == key_id))
            return int(getattr(result, "rowcount", 0) or 0)

    def sweep(self) -> int:
        """Delete the sessions that have expired; how many."""
        now = self.clock()
        with self.db.session() as session:
            result = session.execute(
                delete(UiSession).where(
                    or_(
                        UiSession.created_at <= now - self.lifetime,
                        UiSession.last_used_at <= now - self.idle,
                    )
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def count(self) -> int:
        """Sessions stored (live or not yet swept)."""
        with self.db.session() as session:
            return len(session.scalars(select(UiSession.token_hash)).all())

    def _out(self, row: UiSession, key_name: str) -> UiSessionOut:
        expires = min(row.created_at + self.lifetime, row.last_used_at + self.idle)
        return UiSessionOut(
            key_id=row.key_id,
            key_name=key_name,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            expires_at=expires,
        )


def _span(span: timedelta) -> str:
    minutes = span.total_seconds() / 60
    if minutes >= 120:
        return f"{minutes / 60:g} hours"
    if minutes >= 1:
        return f"{minutes:g} minutes"
    return f"{span.total_seconds():g} seconds"
