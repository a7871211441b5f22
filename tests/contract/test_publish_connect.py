"""Connecting an account end to end through the registered adapters, as the accounts
service does: the settings each fake gives (``settings()``, the same a sandbox would use)
build the adapter, the browser is sent to its consent page, comes back with a code and the
PKCE verifier turns it into tokens whose owner the adapter names."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from video_orchestrator.config import Settings
from video_orchestrator.errors import ProviderAuthError
from video_orchestrator.ports.publishing import TokenSet
from video_orchestrator.providers._meta import MetaSettings
from video_orchestrator.providers.facebook.adapter import Facebook
from video_orchestrator.providers.instagram.adapter import Instagram
from video_orchestrator.providers.sandbox.facebook import FacebookServer
from video_orchestrator.providers.sandbox.graph import IG_ID, PAGE_ID
from video_orchestrator.providers.sandbox.instagram import InstagramServer
from video_orchestrator.providers.sandbox.tiktok import OPEN_ID, TikTokServer
from video_orchestrator.providers.tiktok.adapter import TikTok
from video_orchestrator.providers.tiktok.api import TikTokSettings

REDIRECT = "http://127.0.0.1:20210/accounts/callback"


class Fixed:
    """A token source holding one token set (no refresh expected here)."""

    def __init__(self, tokens: TokenSet) -> None:
        self.tokens = tokens

    def current(self) -> str:
        return self.tokens.access_token

    def refresh(self) -> str:
        raise AssertionError("no refresh expected")


@pytest.fixture(params=["tiktok", "instagram", "facebook"])
def platform(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any, str]]:
    if request.param == "tiktok":
        with TikTokServer() as tiktok:
            settings = Settings(**tiktok.settings())  # type: ignore[arg-type]
            yield (
                "tiktok",
                TikTok.from_settings(settings.section(TikTokSettings, "tiktok")),
                OPEN_ID,
            )
    elif request.param == "instagram":
        with InstagramServer() as instagram:
            settings = Settings(**instagram.settings("instagram"))  # type: ignore[arg-type]
            built = Instagram.from_settings(settings.section(MetaSettings, "instagram"))
            yield "instagram", built, IG_ID
    else:
        with FacebookServer() as facebook:
            settings = Settings(**facebook.settings("facebook"))  # type: ignore[arg-type]
            built = Facebook.from_settings(settings.section(MetaSettings, "facebook"))
            yield "facebook", built, PAGE_ID


def test_an_account_connects_through_the_consent_page_with_pkce(
    platform: tuple[str, Any, str],
) -> None:
    name, adapter, owner = platform
    assert adapter.configured and adapter.platform == name
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    url = adapter.authorization_url(
        state="state-1", code_challenge=challenge.rstrip(b"=").decode(), redirect_uri=REDIRECT
    )
    answer = httpx.get(url, follow_redirects=False, timeout=5.0)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT
    query = parse_qs(back.query)
    assert query["state"] == ["state-1"]
    with pytest.raises(ProviderAuthError, match="refused the authorisation"):
        adapter.exchange(code=query["code"][0], code_verifier="not-the-verifier" * 3,
                         redirect_uri=REDIRECT)  # fmt: skip
    answer = httpx.get(url, follow_redirects=False, timeout=5.0)  # consent again: a new code
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    tokens = adapter.exchange(code=code, code_verifier=verifier, redirect_uri=REDIRECT)
    assert tokens.access_token and tokens.refresh_token and tokens.expires_at
    assert adapter.identity(Fixed(tokens)).remote_id == owner
    assert adapter.health(Fixed(tokens)).token_valid
