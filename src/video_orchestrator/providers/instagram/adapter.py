"""Instagram's adapter as registered (``video_orchestrator.publishers``): the connector and
the publisher of this package behind one object, built from the Meta settings section."""

from __future__ import annotations

from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.publishing import PlatformName
from video_orchestrator.providers._meta import MetaSettings
from video_orchestrator.providers._publishing import Delegating
from video_orchestrator.providers.instagram.connector import SCOPES, InstagramConnector
from video_orchestrator.providers.instagram.publisher import InstagramPublisher


class Instagram(Delegating, Provider[MetaSettings]):
    """An Instagram professional account: Facebook Login and Reels publishing (listed even
    when not configured: it then says which settings to set)."""

    name = "instagram"
    platform: PlatformName = "instagram"
    settings_model = MetaSettings
    scopes: tuple[str, ...] = SCOPES

    @classmethod
    def from_settings(cls, settings: MetaSettings) -> Instagram:
        connector = InstagramConnector.from_settings(settings) or InstagramConnector(
            app_id=None, app_secret=None
        )
        publisher = InstagramPublisher.from_settings(settings) or InstagramPublisher()
        return cls(connector, publisher)

    def __init__(self, connector: InstagramConnector, publisher: InstagramPublisher) -> None:
        self.connector = connector
        self.publisher = publisher
        self.configured = connector.configured
