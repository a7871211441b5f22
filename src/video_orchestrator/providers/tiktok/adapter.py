"""TikTok's adapter as registered (``video_orchestrator.publishers``): the connector and the
publisher of this package behind one object, built from one settings section."""

from __future__ import annotations

from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.publishing import PlatformName
from video_orchestrator.providers._publishing import Delegating
from video_orchestrator.providers.tiktok.api import TikTokSettings
from video_orchestrator.providers.tiktok.connector import SCOPES, TikTokConnector
from video_orchestrator.providers.tiktok.publisher import TikTokPublisher


class TikTok(Delegating, Provider[TikTokSettings]):
    """A TikTok account: Login Kit OAuth and Direct Post (listed even when not configured:
    it then says which settings to set)."""

    name = "tiktok"
    platform: PlatformName = "tiktok"
    settings_model = TikTokSettings
    scopes: tuple[str, ...] = SCOPES

    @classmethod
    def from_settings(cls, settings: TikTokSettings) -> TikTok:
        connector = TikTokConnector(
            client_key=settings.tiktok_client_key,
            client_secret=settings.tiktok_client_secret,
            api_url=settings.tiktok_api_url,
            authorize_url=settings.tiktok_authorize_url,
            timeout=settings.publish_timeout,
        )
        publisher = TikTokPublisher.from_settings(settings) or TikTokPublisher(
            api_url=settings.tiktok_api_url
        )
        return cls(connector, publisher)

    def __init__(self, connector: TikTokConnector, publisher: TikTokPublisher) -> None:
        self.connector = connector
        self.publisher = publisher
        self.configured = connector.configured
