"""TikTok Login Kit (OAuth 2 v2) as a publishing ``Connector``.

Documented protocol (developers.tiktok.com, Login Kit for Web and the v2 OAuth endpoints):

* The browser goes to ``https://www.tiktok.com/v2/auth/authorize/`` with ``client_key``,
  ``scope`` (comma-separated), ``response_type=code``, ``redirect_uri``, ``state`` and
  ``code_challenge`` + ``code_challenge_method=S256``.
* ``POST /v2/oauth/token/`` (form): ``client_key``, ``client_secret``, ``code``,
  ``grant_type=authorization_code``, ``redirect_uri``, ``code_verifier`` → ``access_token``,
  ``expires_in``, ``refresh_token``, ``refresh_expires_in``, ``open_id``, ``scope``. Refresh:
  ``grant_type=refresh_token`` (the refresh token may rotate). An error answers
  ``{"error", "error_description", "log_id"}``.
* ``POST /v2/oauth/revoke/`` (form): ``client_key``, ``client_secret``, ``token``.
* ``GET /v2/user/info/?fields=open_id,avatar_url,display_name`` with the Bearer token →
  ``{"data": {"user": {…}}, "error": {"code": "ok"}}``: the nickname TikTok requires the
  posting screen to show.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from video_orchestrator.errors import ConfigError, ProviderAuthError, ProviderError
from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.publishing import (
    AccountIdentity,
    PlatformName,
    TokenSet,
    TokenSource,
)
from video_orchestrator.providers import transport
from video_orchestrator.providers._publishing import PlatformHTTP, consent_url, json_of
from video_orchestrator.providers.tiktok.api import (
    DEFAULT_API_URL,
    DEFAULT_AUTHORIZE_URL,
    PLATFORM,
    TikTokSettings,
    data_of,
    error_of,
)

#: ``video.list``: the metric pulls' video query (ADR 0038).
SCOPES = ("user.info.basic", "video.publish", "video.upload", "video.list")


class TikTokConnector(Provider[TikTokSettings]):
    """Connects a TikTok account (OAuth 2 with PKCE) and says whose it is."""

    name = "tiktok"
    platform: PlatformName = "tiktok"
    settings_model = TikTokSettings
    scopes: tuple[str, ...] = SCOPES

    @classmethod
    def from_settings(cls, settings: TikTokSettings) -> TikTokConnector | None:
        if not (settings.tiktok_client_key and settings.tiktok_client_secret):
            return None
        return cls(
            client_key=settings.tiktok_client_key,
            client_secret=settings.tiktok_client_secret,
            api_url=settings.tiktok_api_url,
            authorize_url=settings.tiktok_authorize_url,
            timeout=settings.publish_timeout,
        )

    def __init__(
        self,
        *,
        client_key: str | None,
        client_secret: str | None,
        api_url: str = DEFAULT_API_URL,
        authorize_url: str = DEFAULT_AUTHORIZE_URL,
        timeout: float = 60.0,
        client: httpx.Client | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.configured = bool(client_key and client_secret)
        self._key = client_key or ""
        self._secret = client_secret or ""
        self._api = api_url.rstrip("/")
        self._authorize = authorize_url
        self._now = now
        self._http = PlatformHTTP(PLATFORM, client=client, timeout=timeout, sleep=sleep)

    def __repr__(self) -> str:
        return f"TikTokConnector(api_url={self._api!r})"

    def authorization_url(self, *, state: str, code_challenge: str, redirect_uri: str) -> str:
        self._need_app()
        return consent_url(
            self._authorize,
            {"client_key": self._key},
            ",".join(self.scopes),
            state=state,
            code_challenge=code_challenge,
            redirect_uri=redirect_uri,
        )

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str) -> TokenSet:
        return self._token(
            {
                "code": code,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, token: str) -> None:
        self._need_app()
        response = self._http.plain(
            "POST",
            f"{self._api}/v2/oauth/revoke/",
            write=False,
            data={"client_key": self._key, "client_secret": self._secret, "token": token},
        )
        if response.status_code < 400:
            return
        body = json_of(response)
        if body.get("error") in ("invalid_request", "invalid_grant", "access_token_invalid"):
            return  # already revoked or expired: nothing left to give back
        raise self._oauth_error(response, body, (token,))

    def identity(self, tokens: TokenSource) -> AccountIdentity:
        response = self._http.read(
            tokens,
            "GET",
            f"{self._api}/v2/user/info/",
            params={"fields": "open_id,union_id,avatar_url,display_name"},
        )
        code, message = error_of(response)
        if response.status_code >= 400 or code != "ok":
            raise transport.status_error(
                response.status_code if response.status_code >= 400 else 400,
                f"TikTok did not say whose account this is ({code}: {message}).",
            )
        user = data_of(response).get("user")
        if not isinstance(user, dict) or not user.get("open_id"):
            raise ProviderError("TikTok's user info named no open_id")
        return AccountIdentity(
            remote_id=str(user["open_id"]),
            name=str(user.get("display_name") or user["open_id"]),
            avatar_url=str(user["avatar_url"]) if user.get("avatar_url") else None,
        )

    # -- helpers ----------------------------------------------------------------------------

    def _need_app(self) -> None:
        if not self.configured:
            raise ConfigError(
                "TikTok is not configured: set VO_TIKTOK_CLIENT_KEY and VO_TIKTOK_CLIENT_SECRET "
                "(the app's keys from developers.tiktok.com)."
            )

    def _token(self, form: dict[str, str]) -> TokenSet:
        self._need_app()
        response = self._http.plain(
            "POST",
            f"{self._api}/v2/oauth/token/",
            write=False,
            data={"client_key": self._key, "client_secret": self._secret, **form},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        body = json_of(response)
        secrets = tuple(v for k, v in form.items() if k in ("code", "refresh_token"))
        if response.status_code >= 400 or body.get("error") or not body.get("access_token"):
            raise self._oauth_error(response, body, secrets)
        return token_set(body, self._now())

    def _oauth_error(
        self, response: httpx.Response, body: dict[str, Any], secrets: tuple[str, ...]
    ) -> ProviderError:
        said = transport.redact(
            f"{body.get('error') or response.status_code}: "
            f"{body.get('error_description') or transport.response_detail(response)}",
            (*secrets, self._secret),
            limit=300,
        )
        if response.status_code >= 500:
            return transport.status_error(response.status_code, f"TikTok failed ({said}).")
        return ProviderAuthError(f"TikTok refused the authorisation ({said}); connect again.")


def token_set(body: dict[str, Any], now: datetime) -> TokenSet:
    expires = body.get("expires_in")
    scope = str(body.get("scope") or "")
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=str(body["refresh_token"]) if body.get("refresh_token") else None,
        expires_at=now + timedelta(seconds=int(expires)) if isinstance(expires, int) else None,
        scopes=tuple(s for s in scope.replace(" ", ",").split(",") if s),
    )
