"""Facebook Login for a Facebook Page (ADR 0027).

The account's token is the **Page** access token (``GET /me/accounts?fields=id,name,
access_token``) taken from a long-lived user token; the user token is kept as the refresh
token, so a refresh renews the user token (``fb_exchange_token``) and takes the Page's
token again. The Page is ``VO_FACEBOOK_PAGE_ID`` when set, else the first Page.
"""

from __future__ import annotations

from video_orchestrator.errors import ProviderAuthError
from video_orchestrator.ports.publishing import (
    AccountIdentity,
    Checkpoint,
    PlatformName,
    TokenSet,
    TokenSource,
)
from video_orchestrator.providers import transport
from video_orchestrator.providers._meta import MetaConnector, refusal, words
from video_orchestrator.providers._publishing import json_of

SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "publish_video",
    "read_insights",  # the Reels insights pulled (ADR 0045)
)


class FacebookConnector(MetaConnector):
    """Connects a Facebook Page through Facebook Login."""

    name = "facebook"
    platform: PlatformName = "facebook"
    label = "Facebook"
    scopes: tuple[str, ...] = SCOPES

    def exchange(self, *, code: str, code_verifier: str, redirect_uri: str) -> TokenSet:
        user = super().exchange(code=code, code_verifier=code_verifier, redirect_uri=redirect_uri)
        return self.page_tokens(user)

    def refresh(self, refresh_token: str) -> TokenSet:
        return self.page_tokens(self.long_lived(refresh_token))

    def page_tokens(self, user: TokenSet) -> TokenSet:
        """The Page's token for a long-lived user token (kept as the refresh token)."""
        response = self.http.plain(
            "GET",
            f"{self.graph}/me/accounts",
            write=False,
            params={"fields": "id,name,access_token"},
            headers={"Authorization": f"OAuth {user.access_token}"},
        )
        failed = refusal(self.http, response, Checkpoint.start(), write=False)
        if failed is not None:
            raise ProviderAuthError(
                transport.redact(failed.message or words(response), (user.access_token,))
            )
        pages = json_of(response).get("data")
        for page in pages if isinstance(pages, list) else []:
            if (
                isinstance(page, dict)
                and page.get("access_token")
                and (self.page_id is None or str(page.get("id")) == self.page_id)
            ):
                return TokenSet(
                    access_token=str(page["access_token"]),
                    refresh_token=user.access_token,
                    expires_at=user.expires_at,
                    scopes=user.scopes,
                )
        which = f"the Page {self.page_id}" if self.page_id else "a Facebook Page"
        raise ProviderAuthError(
            f"this Facebook login does not manage {which} (or did not grant "
            "pages_show_list); connect again with a Page admin's login."
        )

    def identity(self, tokens: TokenSource) -> AccountIdentity:
        page = self.get(tokens, "me", fields="id,name")
        return AccountIdentity(
            remote_id=str(page.get("id") or ""), name=str(page.get("name") or page.get("id") or "")
        )
