"""Connected platform accounts (ADR 0026): OAuth 2 authorisation-code with PKCE (S256) and a
checked ``state``, tokens kept as Fernet ciphertext, refreshed before they expire and when a
platform answers 401 (:class:`StoredTokens`, the ``ports.publishing.TokenSource`` of every
publisher call), revoked when the account is removed; the account's health as the platform
reports it.

The redirect is the caller's: a one-shot listener on 127.0.0.1 for ``vo accounts connect``
and ``vo app`` (:mod:`services.oauth_loopback`), or the API's ``/accounts/callback`` route
for ``vo serve``. A started authorisation is a row (``oauth_pending``) so that the callback
may reach another server process; it is used once and expires after ten minutes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel
from sqlalchemy import delete, select

from video_orchestrator.errors import (
    InputError,
    NotFoundError,
    ProviderAuthError,
    ProviderError,
)
from video_orchestrator.ports.publishing import AccountHealth, TokenSet
from video_orchestrator.services.projects import new_id
from video_orchestrator.services.publishers import PlatformAdapter, adapter_for
from video_orchestrator.services.secrets_store import Cipher
from video_orchestrator.store import Database
from video_orchestrator.store.tables import OAuthPending, PublishAccount, utcnow

#: How long a started authorisation may wait for its callback.
PENDING_FOR = timedelta(minutes=10)
#: A token is refreshed when it expires within this much.
REFRESH_MARGIN = timedelta(seconds=60)

Clock = Callable[[], datetime]


class AccountOut(BaseModel):
    id: str
    platform: str
    remote_id: str
    name: str
    avatar_url: str | None
    scopes: list[str]
    timezone: str
    status: str
    problem: str | None
    expires_at: datetime | None
    created_at: datetime


class ConnectStart(BaseModel):
    """Where to send the user's browser, and the ``state`` the callback must bring back."""

    platform: str
    authorization_url: str
    state: str
    redirect_uri: str


class HealthOut(BaseModel):
    account_id: str
    platform: str
    name: str
    token_valid: bool
    scopes: list[str]
    quota_left: dict[str, int]
    facts: dict[str, str]
    problem: str | None


class RemoveOut(BaseModel):
    account_id: str
    revoked: bool
    message: str


def pkce_pair() -> tuple[str, str]:
    """A PKCE ``(code_verifier, code_challenge)`` (RFC 7636, S256): 64 unreserved characters
    and the unpadded base64url SHA-256 of them."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Paris or UTC"
        ) from exc
    return name


def _out(row: PublishAccount) -> AccountOut:
    return AccountOut(
        id=row.id,
        platform=row.platform,
        remote_id=row.remote_id,
        name=row.name,
        avatar_url=row.avatar_url,
        scopes=[str(s) for s in row.scopes or []],
        timezone=row.timezone,
        status=row.status,
        problem=row.problem,
        expires_at=row.expires_at,
        created_at=row.created_at,
    )


class StoredTokens:
    """An account's tokens from the database (``ports.publishing.TokenSource``): decrypted
    for each request, refreshed through the platform's connector when they expire within a
    minute or when the platform answered 401; a refused refresh marks the account for
    reconnection."""

    def __init__(
        self,
        db: Database,
        cipher: Cipher,
        account_id: str,
        connector: PlatformAdapter,
        clock: Clock = utcnow,
    ) -> None:
        self.db = db
        self.cipher = cipher
        self.account_id = account_id
        self.connector = connector
        self.clock = clock

    def _row(self) -> tuple[str, str | None, datetime | None, str]:
        with self.db.session() as session:
            row = session.get(PublishAccount, self.account_id)
            if row is None:
                raise NotFoundError(f"the account {self.account_id} is no longer connected")
            return row.access_token, row.refresh_token, row.expires_at, row.name

    def current(self) -> str:
        access, refresh, expires, _ = self._row()
        if refresh is not None and expires is not None and expires - self.clock() < REFRESH_MARGIN:
            return self.refresh()
        return self.cipher.decrypt(access, "account token")

    def refresh(self) -> str:
        _, refresh, _, name = self._row()
        if refresh is None:
            self._mark_reconnect("the platform gave no refresh token")
            raise ProviderAuthError(
                f"the {self.connector.platform} account {name} must be connected again "
                f"(vo accounts connect {self.connector.platform})"
            )
        try:
            tokens = self.connector.refresh(self.cipher.decrypt(refresh, "refresh token"))
        except ProviderAuthError as exc:
            self._mark_reconnect(str(exc))
            raise ProviderAuthError(
                f"the {self.connector.platform} account {name} must be connected again "
                f"(vo accounts connect {self.connector.platform}): {exc}"
            ) from exc
        self.store(tokens)
        return tokens.access_token

    def store(self, tokens: TokenSet) -> None:
        with self.db.session() as session:
            row = session.get(PublishAccount, self.account_id)
            if row is None:
                raise NotFoundError(f"the account {self.account_id} is no longer connected")
            row.access_token = self.cipher.encrypt(tokens.access_token)
            if tokens.refresh_token:
                row.refresh_token = self.cipher.encrypt(tokens.refresh_token)
            row.expires_at = tokens.expires_at
            if tokens.scopes:
                row.scopes = list(tokens.scopes)
            row.status, row.problem, row.updated_at = "connected", None, utcnow()

    def _mark_reconnect(self, problem: str) -> None:
        with self.db.session() as session:
            row = session.get(PublishAccount, self.account_id)
            if row is not None:
                row.status, row.problem, row.updated_at = "reconnect", problem, utcnow()


class AccountService:
    def __init__(
        self,
        db: Database,
        cipher: Cipher,
        adapters: Mapping[str, PlatformAdapter] | Callable[[], Mapping[str, PlatformAdapter]],
        *,
        clock: Clock = utcnow,
    ) -> None:
        """``adapters`` by platform, or a function that builds them on first use (a plugin
        that fails to build must not keep the server from starting)."""
        self.db = db
        self.cipher = cipher
        self._adapters = adapters
        self.clock = clock

    @property
    def adapters(self) -> Mapping[str, PlatformAdapter]:
        return self._adapters() if callable(self._adapters) else self._adapters

    def adapter(self, platform: str) -> PlatformAdapter:
        return adapter_for(self.adapters, platform)

    # -- connecting

    def begin(self, platform: str, redirect_uri: str, *, timezone: str = "UTC") -> ConnectStart:
        """Start an authorisation: the URL to open and its ``state`` (kept, one use)."""
        connector = self.adapter(platform)
        check_timezone(timezone)
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(24)
        url = connector.authorization_url(
            state=state, code_challenge=challenge, redirect_uri=redirect_uri
        )
        with self.db.session() as session:
            session.execute(
                delete(OAuthPending).where(OAuthPending.created_at < self.clock() - PENDING_FOR)
            )
            session.add(
                OAuthPending(
                    state=state,
                    platform=platform,
                    code_verifier=self.cipher.encrypt(verifier),
                    redirect_uri=redirect_uri,
                    timezone=timezone,
                    created_at=self.clock(),
                )
            )
        return ConnectStart(
            platform=platform, authorization_url=url, state=state, redirect_uri=redirect_uri
        )

    def finish(self, state: str, code: str | None, error: str | None = None) -> AccountOut:
        """The callback: check ``state`` (known, unused, fresh), exchange the code with the
        verifier, ask who the token belongs to, store the account (a reconnection updates
        the existing one)."""
        with self.db.session() as session:
            pending = session.get(OAuthPending, state) if state else None
            if pending is not None:
                session.delete(pending)  # one use, whatever happens next
                platform, verifier = pending.platform, pending.code_verifier
                redirect, timezone, started = (
                    pending.redirect_uri,
                    pending.timezone,
                    pending.created_at,
                )
        if pending is None or started < self.clock() - PENDING_FOR:
            raise InputError(
                "this sign-in answer matches no connection in progress (expired, used already, "
                "or not started here); start connecting the account again"
            )
        if error:
            raise InputError(f"{platform} did not grant access ({error}); nothing was connected")
        if not code:
            raise InputError(f"{platform} sent no authorisation code; nothing was connected")
        connector = self.adapter(platform)
        tokens = connector.exchange(
            code=code,
            code_verifier=self.cipher.decrypt(verifier, "PKCE verifier"),
            redirect_uri=redirect,
        )
        identity = connector.identity(_Fixed(tokens.access_token))
        with self.db.session() as session:
            row = session.scalars(
                select(PublishAccount).where(
                    PublishAccount.platform == platform,
                    PublishAccount.remote_id == identity.remote_id,
                )
            ).one_or_none()
            if row is None:
                row = PublishAccount(
                    id=new_id(),
                    platform=platform,
                    remote_id=identity.remote_id,
                    timezone=timezone,
                    scopes=[],
                    created_at=self.clock(),
                )
                session.add(row)
            row.name = identity.name
            row.avatar_url = identity.avatar_url
            row.access_token = self.cipher.encrypt(tokens.access_token)
            if tokens.refresh_token:
                row.refresh_token = self.cipher.encrypt(tokens.refresh_token)
            row.expires_at = tokens.expires_at
            row.scopes = list(tokens.scopes or connector.scopes)
            row.status, row.problem, row.updated_at = "connected", None, self.clock()
            session.flush()
            return _out(row)

    # -- reading

    def list(self) -> list[AccountOut]:
        with self.db.session() as session:
            rows = session.scalars(
                select(PublishAccount).order_by(PublishAccount.platform, PublishAccount.name)
            ).all()
            return [_out(row) for row in rows]

    def get(self, account_id: str) -> AccountOut:
        with self.db.session() as session:
            row = session.get(PublishAccount, account_id)
            if row is None:
                raise NotFoundError(f"no connected account {account_id!r} (see vo accounts list)")
            return _out(row)

    def find(self, name_or_id: str) -> AccountOut:
        """An account by id, by ``platform:name`` or by a name unique among the accounts."""
        accounts = self.list()
        for account in accounts:
            if name_or_id in (account.id, f"{account.platform}:{account.name}"):
                return account
        named = [a for a in accounts if name_or_id in (account_name(a), a.name, a.platform)]
        if len(named) == 1:
            return named[0]
        if not named:
            raise NotFoundError(
                f"no connected account {name_or_id!r}; connected: "
                + (", ".join(account_name(a) for a in accounts) or "none (vo accounts connect)")
            )
        raise InputError(
            f"{name_or_id!r} names several accounts; use one of: " + ", ".join(a.id for a in named)
        )

    def tokens(self, account_id: str) -> StoredTokens:
        return self.tokens_for(account_id, self.get(account_id).platform)

    def tokens_for(self, account_id: str, platform: str) -> StoredTokens:
        """The token source of an account whose platform the caller knows."""
        return StoredTokens(self.db, self.cipher, account_id, self.adapter(platform), self.clock)

    def health(self, account_id: str) -> HealthOut:
        account = self.get(account_id)
        try:
            health = self.adapter(account.platform).health(self.tokens(account_id))
        except ProviderError as exc:
            health = AccountHealth(token_valid=False, problem=str(exc))
        return HealthOut(
            account_id=account.id,
            platform=account.platform,
            name=account.name,
            token_valid=health.token_valid,
            scopes=list(health.scopes),
            quota_left=dict(health.quota_left),
            facts=dict(health.facts),
            problem=health.problem or (account.problem if account.status != "connected" else None),
        )

    def set_timezone(self, account_id: str, timezone: str) -> AccountOut:
        check_timezone(timezone)
        with self.db.session() as session:
            row = session.get(PublishAccount, account_id)
            if row is None:
                raise NotFoundError(f"no connected account {account_id!r}")
            row.timezone, row.updated_at = timezone, self.clock()
            session.flush()
            return _out(row)

    def remove(self, account_id: str) -> RemoveOut:
        """Revoke the account's grant at the platform, then forget it (and its posts). A
        platform that cannot be reached does not keep the account here: the message says to
        revoke the access from the platform's settings."""
        account = self.get(account_id)
        with self.db.session() as session:
            row = session.get(PublishAccount, account_id)
            token = None if row is None else (row.refresh_token or row.access_token)
        revoked, message = False, ""
        if token is not None:
            try:
                self.adapter(account.platform).revoke(self.cipher.decrypt(token, "account token"))
                revoked, message = True, f"{account.platform} access revoked"
            except ProviderError as exc:
                message = (
                    f"could not revoke the access at {account.platform} ({exc}); remove the app "
                    "from the account's security settings there"
                )
        with self.db.session() as session:
            row = session.get(PublishAccount, account_id)
            if row is not None:
                session.delete(row)
        return RemoveOut(account_id=account_id, revoked=revoked, message=message)


def account_name(account: AccountOut) -> str:
    """How an account is named on the command line: ``platform:name``."""
    return f"{account.platform}:{account.name}"


class _Fixed:
    """A token source for the one call after the exchange (no refresh yet: just made)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def current(self) -> str:
        return self.token

    def refresh(self) -> str:
        raise ProviderAuthError("the platform refused the token it had just given")
