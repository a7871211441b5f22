"""Watched keywords and their alerts (ADR 0030).

A *watch* is a keyword (in a niche) with a threshold. After each merge
(:meth:`AlertService.raise_alerts`, in the merge's transaction) a trend seen now whose terms
include the keyword's, in a compatible region and language, and whose rank score reached the
threshold raises ONE alert for that watch and trend (a unique constraint keeps it one when
two servers merge at once); at most ``per_hour`` alerts are raised an hour, the rest wait for
a later merge (they are still above their threshold then, or no longer news). An alert is
unread in the studio until marked read, and is delivered to every enabled channel: a webhook
(signed, ``providers/webhooks``) or an e-mail address (``services/mail.py``). Deliveries are
rows: claimed by a conditional update (one sender even with several servers), retried with
backoff (30 s doubling, six attempts), then marked failed with the last error.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from video_orchestrator.errors import InputError, NotFoundError, VoError
from video_orchestrator.pipeline.trend_ranking import compatible, fit, subject_terms
from video_orchestrator.providers.web.fetch import check_url
from video_orchestrator.providers.webhooks import signed
from video_orchestrator.services.mail import MailSettings, send_mail
from video_orchestrator.store import Database
from video_orchestrator.store.tables import (
    AlertChannel,
    AlertDelivery,
    Trend,
    TrendAlert,
    TrendEvidence,
    TrendWatch,
)
from video_orchestrator.text import one_line, shorten

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = 30.0
#: A claimed delivery not finished in this time (its sender died) is tried again.
CLAIM_SECONDS = 120.0
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WatchOut(_Out):
    id: str
    keyword: str
    niche: str
    threshold: float
    region: str | None
    language: str | None
    created_at: datetime


class AlertOut(_Out):
    id: str
    watch_id: str
    trend_id: str
    keyword: str
    title: str
    score: float
    created_at: datetime
    read_at: datetime | None


class ChannelOut(_Out):
    id: str
    kind: str
    target: str
    enabled: bool
    created_at: datetime


class WebhookCreated(ChannelOut):
    secret: str  # shown once


@dataclass(frozen=True)
class DeliveryOutcome:
    delivery_id: str
    channel: str
    status: str  # sent | pending (retry) | failed
    error: str | None = None


def _new_id() -> str:
    return uuid.uuid4().hex


class AlertService:
    def __init__(
        self,
        db: Database,
        *,
        cipher: Fernet,
        per_hour: int = 10,
        mail: MailSettings | None = None,
        webhook_timeout: float = 10.0,
        user_agent: str = "video-orchestrator alerts",
        allow_private_urls: bool = False,
    ) -> None:
        self.db = db
        self.cipher = cipher
        self.per_hour = per_hour
        self.mail = mail
        self.webhook_timeout = webhook_timeout
        self.user_agent = user_agent
        self.allow_private_urls = allow_private_urls

    # -- watches -------------------------------------------------------------------------

    def watch(
        self,
        keyword: str,
        *,
        niche: str = "",
        threshold: float = 1.0,
        region: str | None = None,
        language: str | None = None,
    ) -> tuple[WatchOut, bool]:
        """Follow ``keyword`` (True), or the watch already there (False)."""
        keyword = one_line(keyword)
        if not subject_terms(keyword):
            raise InputError(f"{keyword!r} has no word to watch for: give a keyword or a niche")
        if len(keyword) > 100:
            raise InputError("a watched keyword is at most 100 characters")
        key = " ".join(sorted(subject_terms(keyword)))
        with self.db.session() as session:
            found = session.scalar(select(TrendWatch).where(TrendWatch.key == key))
            if found is not None:
                return WatchOut.model_validate(found), False
            row = TrendWatch(
                id=_new_id(),
                keyword=keyword,
                key=key,
                niche=one_line(niche)[:100],
                threshold=threshold,
                region=region.upper() if region else None,
                language=language.lower() if language else None,
            )
            session.add(row)
            session.flush()
            return WatchOut.model_validate(row), True

    def watches(self) -> list[WatchOut]:
        with self.db.session() as session:
            rows = session.scalars(
                select(TrendWatch).order_by(TrendWatch.created_at, TrendWatch.id)
            )
            return [WatchOut.model_validate(r) for r in rows]

    def unwatch(self, watch_id: str) -> None:
        with self.db.session() as session:
            row = session.get(TrendWatch, watch_id)
            if row is None:
                raise NotFoundError(f"the watch {watch_id} does not exist")
            session.delete(row)

    # -- channels ------------------------------------------------------------------------

    def add_webhook(self, url: str) -> WebhookCreated:
        url = url.strip()
        check_url(url, allow_private=self.allow_private_urls)
        secret = signed.new_secret()
        with self.db.session() as session:
            if session.scalar(
                select(AlertChannel).where(
                    AlertChannel.kind == "webhook", AlertChannel.target == url
                )
            ):
                raise InputError(
                    f"the webhook {url} is already added (remove it to get a new secret)"
                )
            row = AlertChannel(
                id=_new_id(),
                kind="webhook",
                target=url[:500],
                secret=self.cipher.encrypt(secret.encode()).decode("ascii"),
            )
            session.add(row)
            session.flush()
            return WebhookCreated(**ChannelOut.model_validate(row).model_dump(), secret=secret)

    def add_email(self, address: str) -> tuple[ChannelOut, bool]:
        address = address.strip()
        if not _EMAIL.match(address):
            raise InputError(f"{address!r} is not an e-mail address")
        with self.db.session() as session:
            found = session.scalar(
                select(AlertChannel).where(
                    AlertChannel.kind == "email", AlertChannel.target == address
                )
            )
            if found is not None:
                return ChannelOut.model_validate(found), False
            row = AlertChannel(id=_new_id(), kind="email", target=address)
            session.add(row)
            session.flush()
            return ChannelOut.model_validate(row), True

    def channels(self) -> list[ChannelOut]:
        with self.db.session() as session:
            rows = session.scalars(select(AlertChannel).order_by(AlertChannel.created_at))
            return [ChannelOut.model_validate(r) for r in rows]

    def remove_channel(self, channel_id: str) -> None:
        with self.db.session() as session:
            row = session.get(AlertChannel, channel_id)
            if row is None:
                raise NotFoundError(f"the alert channel {channel_id} does not exist")
            session.delete(row)

    # -- raising -------------------------------------------------------------------------

    def raise_alerts(self, session: Session, now: datetime) -> list[str]:
        """Alerts for the trends merged at ``now`` (in the merge's transaction); their ids."""
        watches = list(session.scalars(select(TrendWatch)))
        if not watches:
            return []
        trends = list(
            session.scalars(
                select(Trend)
                .where(Trend.last_seen_at >= now, Trend.breadth > 0)
                .order_by(Trend.score.desc(), Trend.id)
            )
        )
        recent = session.scalar(
            select(func.count())
            .select_from(TrendAlert)
            .where(TrendAlert.created_at > now - timedelta(hours=1))
        )
        budget = self.per_hour - int(recent or 0)
        channels = list(session.scalars(select(AlertChannel).where(AlertChannel.enabled.is_(True))))
        raised: list[str] = []
        for trend in trends:
            terms = frozenset(trend.terms)
            for watch in watches:
                if trend.score < watch.threshold or not fit(terms, [watch.keyword]):
                    continue
                if not (
                    compatible(watch.region, trend.region)
                    and compatible(watch.language, trend.language)
                ):
                    continue
                exists = session.scalar(
                    select(TrendAlert.id).where(
                        TrendAlert.watch_id == watch.id, TrendAlert.trend_id == trend.id
                    )
                )
                if exists is not None:
                    continue
                if budget <= 0:
                    logger.info("trend alerts: %d this hour, the rest wait", self.per_hour)
                    return raised
                alert = TrendAlert(
                    id=_new_id(),
                    watch_id=watch.id,
                    trend_id=trend.id,
                    keyword=watch.keyword,
                    title=trend.title,
                    score=trend.score,
                    created_at=now,
                )
                try:
                    with session.begin_nested():  # another server may raise it at once
                        session.add(alert)
                        session.flush()
                except IntegrityError:
                    continue
                for channel in channels:
                    session.add(
                        AlertDelivery(
                            id=_new_id(),
                            alert_id=alert.id,
                            channel_id=channel.id,
                            next_attempt_at=now,
                        )
                    )
                budget -= 1
                raised.append(alert.id)
        session.flush()
        return raised

    # -- the studio ------------------------------------------------------------------------

    def alerts(self, *, unread: bool = False, limit: int = 50) -> list[AlertOut]:
        if not 1 <= limit <= 500:
            raise InputError("limit must be between 1 and 500")
        with self.db.session() as session:
            stmt = select(TrendAlert)
            if unread:
                stmt = stmt.where(TrendAlert.read_at.is_(None))
            rows = session.scalars(
                stmt.order_by(TrendAlert.created_at.desc(), TrendAlert.id).limit(limit)
            )
            return [AlertOut.model_validate(r) for r in rows]

    def unread_count(self) -> int:
        with self.db.session() as session:
            count = session.scalar(
                select(func.count()).select_from(TrendAlert).where(TrendAlert.read_at.is_(None))
            )
            return int(count or 0)

    def mark_read(self, ids: Sequence[str] | None, now: datetime) -> int:
        """Mark these alerts (every unread one when ``ids`` is None) read; how many."""
        with self.db.session() as session:
            stmt = update(TrendAlert).where(TrendAlert.read_at.is_(None))
            if ids is not None:
                stmt = stmt.where(TrendAlert.id.in_(list(ids)))
            result = session.execute(stmt.values(read_at=now))
            return int(getattr(result, "rowcount", 0) or 0)

    # -- delivering ------------------------------------------------------------------------

    def deliver_due(self, now: datetime, *, limit: int = 50) -> list[DeliveryOutcome]:
        """Send every delivery that is due (each claimed first); what became of each."""
        with self.db.session() as session:
            due = session.execute(
                select(AlertDelivery.id, AlertDelivery.attempts)
                .where(AlertDelivery.status == "pending", AlertDelivery.next_attempt_at <= now)
                .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id)
                .limit(limit)
            ).all()
        outcomes = []
        for delivery_id, attempts in due:
            if not self._claim(delivery_id, attempts, now):
                continue
            outcomes.append(self._deliver(delivery_id, attempts + 1, now))
        return outcomes

    def next_delivery_at(self) -> datetime | None:
        """When the next pending delivery is due (None: none is pending)."""
        with self.db.session() as session:
            found: datetime | None = session.scalar(
                select(func.min(AlertDelivery.next_attempt_at)).where(
                    AlertDelivery.status == "pending"
                )
            )
            return found

    def _claim(self, delivery_id: str, attempts: int, now: datetime) -> bool:
        with self.db.session() as session:
            result = session.execute(
                update(AlertDelivery)
                .where(
                    AlertDelivery.id == delivery_id,
                    AlertDelivery.attempts == attempts,
                    AlertDelivery.status == "pending",
                )
                .values(
                    attempts=attempts + 1,
                    next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS),
                )
            )
            return int(getattr(result, "rowcount", 0) or 0) == 1

    def _deliver(self, delivery_id: str, attempt: int, now: datetime) -> DeliveryOutcome:
        with self.db.session() as session:
            delivery = session.get(AlertDelivery, delivery_id)
            assert delivery is not None
            channel = session.get(AlertChannel, delivery.channel_id)
            alert = session.get(TrendAlert, delivery.alert_id)
            trend = session.get(Trend, alert.trend_id) if alert else None
            assert channel is not None and alert is not None and trend is not None
            evidence = list(
                session.scalars(
                    select(TrendEvidence)
                    .where(TrendEvidence.trend_id == trend.id)
                    .order_by(TrendEvidence.seen_at.desc(), TrendEvidence.id)
                    .limit(5)
                )
            )
            payload = _payload(alert, trend, evidence)
            kind, target, secret = channel.kind, channel.target, channel.secret
        try:
            if kind == "webhook":
                assert secret is not None
                signed.post(
                    target,
                    json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                    secret=self.cipher.decrypt(secret.encode()).decode(),
                    message_id=delivery_id,
                    timestamp=int(now.timestamp()),
                    timeout=self.webhook_timeout,
                    user_agent=self.user_agent,
                    allow_private=self.allow_private_urls,
                )
            else:
                send_mail(self.mail, [target], *_email(payload))
        except VoError as error:
            message = one_line(str(error))[:1000]
            final = attempt >= MAX_ATTEMPTS
            with self.db.session() as session:
                row = session.get(AlertDelivery, delivery_id)
                assert row is not None
                row.last_error = message
                row.status = "failed" if final else "pending"
                row.next_attempt_at = now + timedelta(seconds=FIRST_RETRY * 2 ** (attempt - 1))
            logger.warning("alert delivery to %s failed (attempt %d): %s", kind, attempt, message)
            return DeliveryOutcome(delivery_id, kind, "failed" if final else "pending", message)
        with self.db.session() as session:
            row = session.get(AlertDelivery, delivery_id)
            assert row is not None
            row.status, row.delivered_at, row.last_error = "sent", now, None
        return DeliveryOutcome(delivery_id, kind, "sent")


def _payload(
    alert: TrendAlert, trend: Trend, evidence: Sequence[TrendEvidence]
) -> dict[str, object]:
    return {
        "type": "trend.alert",
        "alert_id": alert.id,
        "created_at": alert.created_at.isoformat(),
        "keyword": alert.keyword,
        "trend": {
            "id": trend.id,
            "title": trend.title,
            "score": trend.score,
            "momentum": trend.momentum,
            "breadth": trend.breadth,
            "region": trend.region,
            "language": trend.language,
            "links": [
                {"title": e.title, "url": e.url, "publisher": e.publisher or e.source_label}
                for e in evidence
            ],
        },
    }


def _email(payload: dict[str, object]) -> tuple[str, str]:
    trend = payload["trend"]
    assert isinstance(trend, dict)
    lines = [
        f"“{trend['title']}” is rising (you watch “{payload['keyword']}”).",
        f"Score {trend['score']:.2f}, momentum {trend['momentum']:+.2f}, "
        f"seen in {trend['breadth']} source(s).",
        "",
        "What explains it:",
        *(f"- {link['title']} — {link['url']}" for link in trend["links"]),
    ]
    return f"Trend alert: {shorten(str(trend['title']), 120)}", "\n".join(lines)
