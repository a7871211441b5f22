"""The product's Meta adapters (Instagram's, Facebook's) pointed at a fake Meta server
(``providers/sandbox/graph.py``) on its clock, for the contract and fault tests."""

from __future__ import annotations

from typing import TypeVar

import httpx

from tests.platforms.driver import at
from video_orchestrator.providers._meta import MetaConnector, MetaPublisher
from video_orchestrator.providers.sandbox.graph import APP_ID, APP_SECRET, GraphServer

ConnectorT = TypeVar("ConnectorT", bound=MetaConnector)
PublisherT = TypeVar("PublisherT", bound=MetaPublisher)


def meta_connector(cls: type[ConnectorT], server: GraphServer) -> ConnectorT:
    """Facebook Login of the fake's Meta app, its hosts and clock."""
    return cls(
        app_id=APP_ID,
        app_secret=APP_SECRET,
        graph_url=server.base_url,
        dialog_url=server.base_url,
        now=lambda: at(server.clock),
        client=httpx.Client(timeout=5.0, verify=False),
    )


def meta_publisher(cls: type[PublisherT], server: GraphServer, *, piece: int) -> PublisherT:
    """A publisher sending ``piece`` bytes an upload step, polling every 5 s of the fake's
    clock (its sleeps move that clock)."""
    return cls(
        graph_url=server.base_url,
        upload_url=server.base_url,
        piece_bytes=piece,
        poll_seconds=5.0,
        client=httpx.Client(timeout=5.0, verify=False),
        sleep=server.clock.advance,
    )
