"""A watched keyword's trend crossing its threshold raises ONE alert, delivered to the
studio (unread list), a webhook receiver that verifies the Standard Webhooks signature (after
one failed attempt, retried with backoff) and a local SMTP server (aiosmtpd); the next polls
do not raise it again."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.httpserver import ServedInThread
from tests.trend_servers import News, Post, Search, Story, TrendServer, World, adapters_for
from video_orchestrator.config import Settings
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.trend_jobs import alert_service, deliver_alerts, poll_all
from video_orchestrator.services.trend_jobs import trend_service as make_trend_service
from video_orchestrator.store import Database

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
SMTP_PORT = 20525


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


class WebhookReceiver(ServedInThread):
    """Answers ``statuses`` in turn (then 204) and keeps every request's raw body."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, raw)
                )
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.serve(Handler)


def verified(secret: str, request: Received) -> bool:
    """The receiver's check, written from the Standard Webhooks specification."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = (
        f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode()
        + request.body
    )
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [s.partition(",")[2] for s in request.headers["webhook-signature"].split()]
    return any(hmac.compare_digest(expected, sig) for sig in offered)


@dataclass
class Mailbox:
    messages: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield box
    controller.stop()


def eclipse_world(world: World, *, rising: bool) -> None:
    news = [News("Total lunar eclipse lasts 82 minutes", "https://news.example/e", "Ex News")]
    if not rising:
        world.google["US"] = [
            Search("Champions League", "50K+"),
            Search("lunar eclipse", "200+", news),
        ]
        world.reddit[("space", "hot")] = [Post("p1", "Best telescope deals", 900)]
        world.hackernews[:] = [Story(1, "Rust 2.0 released", "https://rust.example", 300)]
        return
    world.google["US"] = [
        Search("Lunar eclipse", "100K+", news),
        Search("Champions League", "50K+"),
    ]
    world.reddit[("space", "hot")] = [Post("p2", "The lunar eclipse tonight", 5000)]
    world.hackernews[:] = [Story(2, "Lunar eclipse physics", "https://phys.example/e", 400)]


def test_one_alert_to_the_studio_a_signed_webhook_and_email_once(
    tmp_path: Path, mailbox: Mailbox
) -> None:
    with TrendServer(World()) as server, WebhookReceiver([500]) as receiver:
        settings = Settings(
            data_dir=tmp_path / "data",
            cache_dir=tmp_path / "cache",
            database_url=f"sqlite:///{tmp_path / 'vo.db'}",
            smtp_host="127.0.0.1",
            smtp_port=SMTP_PORT,
            smtp_security="none",
            smtp_from="alerts@vo.example",
            allow_private_urls=True,
        )
        ctx = AppContext(settings, trend_sources=adapters_for(server.base_url))
        trends, alerts = make_trend_service(ctx), alert_service(ctx)
        trends.add_source("google-trends", {"geo": "US"})
        trends.add_source("reddit", {"subreddit": "space"})
        trends.add_source("hackernews", {"count": "5"})
        alerts.watch("lunar eclipse", niche="space", threshold=3.0)
        webhook = alerts.add_webhook(f"{receiver.base_url}/hooks/vo")
        alerts.add_email("creator@vo.example")

        eclipse_world(server.world, rising=False)
        first = poll_all(ctx, T0)
        assert first.alerts == ()  # below the threshold: no alert yet
        eclipse_world(server.world, rising=True)
        second = poll_all(ctx, T0 + timedelta(minutes=31))
        assert len(second.alerts) == 1

        # the studio: one unread alert
        (alert,) = alerts.alerts(unread=True)
        assert alert.keyword == "lunar eclipse" and alert.title == "Lunar eclipse"
        # the webhook answered 500 the first time: retried with backoff, then delivered
        assert len(receiver.received) == 1
        assert deliver_alerts(ctx, T0 + timedelta(minutes=31, seconds=10)) == []  # not yet
        retried = deliver_alerts(ctx, T0 + timedelta(minutes=31, seconds=31))
        assert [o.status for o in retried] == ["sent"]
        first_try, second_try = receiver.received
        assert first_try.headers["webhook-id"] == second_try.headers["webhook-id"]
        assert verified(webhook.secret, second_try)
        assert not verified("whsec_" + base64.b64encode(b"x" * 24).decode(), second_try)
        body = json.loads(second_try.body)
        assert body["type"] == "trend.alert" and body["trend"]["title"] == "Lunar eclipse"
        assert "https://news.example/e" in {link["url"] for link in body["trend"]["links"]}
        # the e-mail
        (raw,) = mailbox.messages
        mail = message_from_bytes(raw)
        assert mail["To"] == "creator@vo.example" and "Lunar eclipse" in mail["Subject"]
        text = mail.get_payload(decode=True).decode()  # type: ignore[union-attr]
        assert "https://news.example/e" in text

        # the next polls bring more news but raise nothing again
        server.world.reddit[("space", "hot")].append(Post("p3", "Eclipse photos", 800))
        third = poll_all(ctx, T0 + timedelta(minutes=62))
        assert third.merged and third.alerts == ()
        assert len(alerts.alerts()) == 1 and len(mailbox.messages) == 1
        assert len(receiver.received) == 2
        assert alerts.mark_read(None, T0 + timedelta(hours=2)) == 1
        assert alerts.alerts(unread=True) == [] and alerts.unread_count() == 0


def test_alerts_are_rate_limited_per_hour_and_wait(trend_db: Database, tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    from video_orchestrator.services.trend_alerts import AlertService
    from video_orchestrator.services.trends import TrendService

    with TrendServer(World()) as server:
        alerts = AlertService(trend_db, cipher=Fernet(Fernet.generate_key()), per_hour=2)
        trends = TrendService(
            trend_db, adapters_for(server.base_url), on_merged=alerts.raise_alerts
        )
        trends.add_source("hackernews", {"count": "5"})
        server.world.hackernews[:] = [
            Story(n, title, f"https://k.example/{n}", 100 - n)
            for n, title in enumerate(
                ["Kettle prices rise", "Kettle recall announced", "Electric kettle review"],
                start=1,
            )
        ]
        alerts.watch("kettle", threshold=0.0)
        assert len(trends.poll_all(T0).alerts) == 2  # three trends match; two an hour
        server.world.hackernews.append(Story(9, "Unrelated story here", "https://u.example", 1))
        assert trends.poll_all(T0 + timedelta(minutes=31)).alerts == ()  # the hour is full
        server.world.hackernews.append(Story(10, "Another unrelated one", "https://v.example", 1))
        assert len(trends.poll_all(T0 + timedelta(minutes=70)).alerts) == 1  # the third waited
        assert len(alerts.alerts()) == 3
