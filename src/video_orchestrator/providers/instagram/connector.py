"""Facebook Login for an Instagram professional account (ADR 0027).

The account is the Instagram business or creator account linked to a Facebook Page the
user manages: ``GET /me/accounts?fields=instagram_business_account{id,username}``. The
token is the long-lived user token (about 60 days), renewed by exchanging it while valid.
"""

from __future__ import annotations

from video_orchestrator.errors import ProviderError
from video_orchestrator.ports.publishing import AccountIdentity, PlatformName, TokenSource
from video_orchestrator.providers._meta import MetaConnector

SCOPES = (
    "instagram_basic",
    "instagram_content_publish",
    "pages_show_list",
    "pages_read_engagement",
    "business_management",
    "instagram_manage_insights",  # the metric pulls (ADR 0038)
)


class InstagramConnector(MetaConnector):
    """Connects an Instagram professional account through Facebook Login."""

    name = "instagram"
    platform: PlatformName = "instagram"
    label = "Instagram"
    scopes: tuple[str, ...] = SCOPES

    def identity(self, tokens: TokenSource) -> AccountIdentity:
        found = instagram_account(self, tokens, None)
        return AccountIdentity(
            remote_id=found["id"],
            name="@" + found.get("username", ""),
            avatar_url=found.get("profile_picture_url"),
        )


NO_ACCOUNT = (
    "no Instagram professional account is linked to the Facebook Pages this login manages; "
    "link one to a Page (Instagram → Settings → Account type), then connect again."
)


def instagram_account(
    connector: MetaConnector, tokens: TokenSource, wanted: str | None
) -> dict[str, str]:
    """The Instagram account (``id``, ``username``) reachable with the token: ``wanted`` when
    given, else the first Page's linked account (a ProviderError when there is none)."""
    found = find_instagram_account(connector, tokens, wanted)
    if found is None:
        raise ProviderError(NO_ACCOUNT)
    return found


def find_instagram_account(
    connector: MetaConnector, tokens: TokenSource, wanted: str | None
) -> dict[str, str] | None:
    """:func:`instagram_account`, or None when the login reaches none."""
    body = connector.get(
        tokens,
        "me/accounts",
        fields="id,name,instagram_business_account{id,username,profile_picture_url}",
    )
    pages = body.get("data") if isinstance(body.get("data"), list) else []
    for page in pages or []:
        account = page.get("instagram_business_account") if isinstance(page, dict) else None
        if (
            isinstance(account, dict)
            and account.get("id")
            and (wanted is None or str(account["id"]) == wanted)
        ):
            return {str(k): str(v) for k, v in account.items()}
    return None
