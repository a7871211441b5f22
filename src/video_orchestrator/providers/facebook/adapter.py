"""Facebook's adapter as registered (``video_orchestrator.publishers``): the connector and
the publisher of this package behind one object, built from the Meta settings section."""

from __future__ import annotations

from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.publishing import PlatformName
from video_orchestrator.providers._meta import MetaSettings
from video_orchestrator.providers._publishing import Delegating
from video_orchestrator.providers.facebook.connector import SCOPES, FacebookConnector
from video_orchestrator.providers.facebook.publisher import FacebookPublisher


class Facebook(Delegating, Provider[MetaSettings]):
    """A Facebook Page: Facebook Login and Page Reels (listed even when not configured: it
    then says which settings to set)."""

    name = "facebook"
    platform: PlatformName = "facebook"
    settings_model = MetaSettings
    scopes: tuple[str, ...] = SCOPES

    @classmethod
    def from_settings(cls, settings: MetaSettings) -> Facebook:
        connector = FacebookConnector.from_settings(settings) or FacebookConnector(
            app_id=None, app_secret=None
        )
        publisher = FacebookPublisher.from_settings(settings) or FacebookPublisher()
        return cls(connector, publisher)

    def __init__(self, connector: FacebookConnector, publisher: FacebookPublisher) -> None:
        self.connector = connector
        self.publisher = publisher
        self.configured = connector.configured
