"""Trends: the sources a user follows, polling them, merging what they list into trends
(ADR 0030). What the CLI, the API and the poll task call; they never touch the tables.

Polling (:meth:`TrendService.poll_all`) asks every *due* source once, in parallel threads
(a slow source holds up only itself, for at most its timeout), within each kind's request
budget (Reddit's 10 a minute without OAuth: counted from the polls of the last minute in the
database, so several servers share it). A source that fails is marked (its error, how many
failures in a row, when it is tried next: the advised ``Retry-After`` or a backoff doubling
from a minute up to six hours) and never stops the others. A 304 keeps the source's last
list. After a poll that brought new lists, the latest list of every source is merged and
ranked (``pipeline/trend_ranking.py``) into the trends table with their evidence; then the
watched keywords raise their alerts (``services/trend_alerts.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from video_orchestrator.config import Settings
from video_orchestrator.errors import (
    ConfigError,
    InputError,
    NotFoundError,
    ProviderRateLimited,
    VoError,
)
from video_orchestrator.pipeline.trend_ranking import (
    KnownTrend,
    Observation,
    item_scores,
    merge,
    rank,
    subject_terms,
)
from video_orchestrator.ports import TREND_ENTRY_POINTS
from video_orchestrator.ports.trends import Fetched, SourceQuery, TrendSource
from video_orchestrator.services.registry import build_provider, provider_classes
from video_orchestrator.store import Database
from video_orchestrator.store.tables import (
    Trend,
    TrendEvidence,
    TrendItemRow,
    TrendPoll,
    TrendWatch,
)
from video_orchestrator.store.tables import (
    TrendSource as SourceRow,
)
from video_orchestrator.text import one_line, shorten

logger = logging.getLogger(__name__)

#: Backoff after a failure: from a minute, doubling, to six hours at most.
FIRST_RETRY = 60.0
LONGEST_RETRY = 6 * 3600.0
#: A source's list older than this is no longer evidence of what is rising now.
LIST_LIFETIME = timedelta(days=2)
#: Polls (a source's health history) are kept this long.
POLL_MEMORY = timedelta(days=14)
#: Trends not seen for this long are not carried into the next merge.
TREND_MEMORY = timedelta(days=7)
HISTORY_POINTS = 48
POLL_THREADS = 4
#: A source taken for a poll is not taken by another server for this long (seconds).
CLAIM_SECONDS = 300.0


def new_id() -> str:
    return uuid.uuid4().hex


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- views


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SourceOut(_Out):
    id: str
    kind: str
    label: str
    config: dict[str, Any]
    region: str | None
    language: str | None
    enabled: bool
    interval_seconds: float
    last_polled_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime | None
    failures: int
    last_error: str | None


class EvidenceOut(_Out):
    kind: str
    title: str
    url: str
    publisher: str
    source_label: str
    summary: str
    published_at: datetime | None
    seen_at: datetime


class TrendOut(_Out):
    id: str
    title: str
    region: str | None
    language: str | None
    strength: float
    momentum: float
    breadth: int
    score: float
    history: list[Any]
    sources: list[Any]
    first_seen_at: datetime
    last_seen_at: datetime


class TrendDetail(TrendOut):
    evidence: list[EvidenceOut]


@dataclass(frozen=True)
class SourceOutcome:
    source_id: str
    label: str
    status: str  # ok | not_modified | failed | deferred | skipped
    items: int = 0
    error: str | None = None


@dataclass(frozen=True)
class PollReport:
    outcomes: tuple[SourceOutcome, ...]
    merged: bool
    trends: int
    alerts: tuple[str, ...] = ()


# --------------------------------------------------------------------------- adapters


def build_trend_sources(settings: Settings) -> dict[str, TrendSource]:
    """Every registered trend source, built from its settings section."""
    built: dict[str, TrendSource] = {}
    for name, cls in provider_classes(TREND_ENTRY_POINTS).items():
        adapter = build_provider(cls, name, settings)
        if adapter is None:
            continue
        if not isinstance(adapter, TrendSource):
            raise ConfigError(f"the trend source {name!r} is not a trend source")
        built[name] = adapter
    return built


def backoff(failures: int, advised: float | None) -> float:
    """Seconds before a source that failed ``failures`` times in a row is tried again."""
    if advised is not None:
        return min(max(advised, 1.0), LONGEST_RETRY)
    return float(min(FIRST_RETRY * 2.0 ** max(0, failures - 1), LONGEST_RETRY))


# --------------------------------------------------------------------------- the service


class TrendService:
    """Sources, polls and merged trends over one database; ``sources`` are the adapters by
    kind (the registered ones, or those a test hands in)."""

    def __init__(
        self,
        db: Database,
        sources: Mapping[str, TrendSource] | Callable[[], Mapping[str, TrendSource]],
        *,
        poll_seconds: float = 1800.0,
        on_merged: Callable[[Session, datetime], list[str]] | None = None,
    ) -> None:
        """``sources``: the adapters by kind, or what builds them on first use (a server
        starts even when a trend plugin is broken; using trends then says so)."""
        self.db = db
        self._sources = sources
        self._adapters: dict[str, TrendSource] | None = None
        self.poll_seconds = poll_seconds
        self.on_merged = on_merged

    @property
    def adapters(self) -> dict[str, TrendSource]:
        if self._adapters is None:
            found = self._sources() if callable(self._sources) else self._sources
            self._adapters = dict(found)
        return self._adapters

    # -- sources -------------------------------------------------------------------------

    def _adapter(self, kind: str) -> TrendSource:
        adapter = self.adapters.get(kind)
        if adapter is None:
            known = ", ".join(sorted(self.adapters)) or "none"
            raise InputError(f"unknown trend source {kind!r}; installed: {known}")
        return adapter

    def add_source(
        self,
        kind: str,
        config: Mapping[str, str],
        *,
        region: str | None = None,
        language: str | None = None,
        interval_seconds: float | None = None,
    ) -> tuple[SourceOut, bool]:
        """A new source (True), or the same one added before (False): never a duplicate."""
        adapter = self._adapter(kind)
        checked = adapter.check(config)
        region = (region or checked.get("geo") or checked.get("region") or "").upper() or None
        if language is None and checked.get("project"):
            language = checked["project"].split(".")[0]
        key = f"{kind}:{json.dumps(checked, sort_keys=True)}"
        if interval_seconds is not None and interval_seconds < 60:
            raise InputError("a source is polled at most once a minute")
        with self.db.session() as session:
            found = session.scalar(select(SourceRow).where(SourceRow.key == key))
            if found is not None:
                return SourceOut.model_validate(found), False
            row = SourceRow(
                id=new_id(),
                kind=kind,
                key=key,
                label=shorten(adapter.label(checked), 200),
                config=checked,
                region=region,
                language=language.lower() if language else None,
                interval_seconds=interval_seconds or self.poll_seconds,
            )
            session.add(row)
            session.flush()
            return SourceOut.model_validate(row), True

    def list_sources(self) -> list[SourceOut]:
        with self.db.session() as session:
            rows = session.scalars(select(SourceRow).order_by(SourceRow.created_at, SourceRow.id))
            return [SourceOut.model_validate(r) for r in rows]

    def remove_source(self, source_id: str) -> None:
        with self.db.session() as session:
            row = session.get(SourceRow, source_id)
            if row is None:
                raise NotFoundError(f"the trend source {source_id} does not exist")
            session.delete(row)

    # -- polling -------------------------------------------------------------------------

    def _budget_used(self, session: Session, kind: str, now: datetime) -> int:
        used = session.scalar(
            select(func.coalesce(func.sum(TrendPoll.requests), 0))
            .join(SourceRow, SourceRow.id == TrendPoll.source_id)
            .where(SourceRow.kind == kind, TrendPoll.started_at > now - timedelta(minutes=1))
        )
        return int(used or 0)

    def poll_all(self, now: datetime, *, force: bool = False) -> PollReport:
        """Poll every due source once (every enabled source with ``force``), merge, alert."""
        with self.db.session() as session:
            stmt = select(SourceRow).where(SourceRow.enabled.is_(True))
            if not force:
                stmt = stmt.where(
                    or_(SourceRow.next_poll_at.is_(None), SourceRow.next_poll_at <= now)
                )
            due = list(session.scalars(stmt.order_by(SourceRow.next_poll_at, SourceRow.id)))
            budget = {kind: self._budget_used(session, kind, now) for kind in {r.kind for r in due}}
        outcomes: list[SourceOutcome] = []
        to_fetch: list[tuple[SourceRow, TrendSource]] = []
        for row in due:
            if not self._claim(row, now):
                continue  # another server polls it now
            adapter = self.adapters.get(row.kind)
            if adapter is None or not adapter.configured:
                reason = (
                    f"no {row.kind} trend source is installed"
                    if adapter is None
                    else f"{row.kind} is not configured"
                )
                outcomes.append(self._failed(row.id, now, reason, None, requests=0))
                continue
            if budget[row.kind] + 1 > adapter.requests_per_minute:
                outcomes.append(self._deferred(row.id, now))
                continue
            budget[row.kind] += 1
            to_fetch.append((row, adapter))

        def fetch(pair: tuple[SourceRow, TrendSource]) -> Fetched | VoError:
            row, adapter = pair
            query = SourceQuery(
                config=dict(row.config),
                now=now,
                region=row.region,
                language=row.language,
                etag=row.etag,
                last_modified=row.last_modified,
            )
            try:
                return adapter.fetch(query)
            except VoError as error:
                return error
            except Exception as error:  # a third-party adapter's bug must not stop the poll
                logger.exception("trend source %s failed unexpectedly", row.label)
                return VoError(f"{row.label} failed unexpectedly ({type(error).__name__})")

        with ThreadPoolExecutor(max_workers=POLL_THREADS) as pool:
            results = list(pool.map(fetch, to_fetch))
        for (row, _), result in zip(to_fetch, results, strict=True):
            if isinstance(result, VoError):
                advised = result.retry_after if isinstance(result, ProviderRateLimited) else None
                outcomes.append(self._failed(row.id, now, str(result), advised))
            else:
                outcomes.append(self._stored(row.id, now, result))
        merged = any(o.status == "ok" for o in outcomes)
        count, alerts = 0, list[str]()
        if merged:
            count, alerts = self.merge(now)
            self.prune(now)
        return PollReport(tuple(outcomes), merged, count, tuple(alerts))

    def prune(self, now: datetime) -> int:
        """Forget what no merge reads again: the items of every poll but each source's
        latest list, once older than :data:`LIST_LIFETIME`, and polls older than
        :data:`POLL_MEMORY` (the evidence and the trends stay). The items removed."""
        with self.db.session() as session:
            newest = (
                select(TrendPoll.source_id, func.max(TrendPoll.started_at).label("at"))
                .where(TrendPoll.status == "ok")
                .group_by(TrendPoll.source_id)
                .subquery()
            )
            keep = set(
                session.scalars(
                    select(TrendPoll.id).join(
                        newest,
                        (TrendPoll.source_id == newest.c.source_id)
                        & (TrendPoll.started_at == newest.c.at),
                    )
                )
            )
            old = set(
                session.scalars(
                    select(TrendPoll.id).where(TrendPoll.started_at < now - LIST_LIFETIME)
                )
            )
            stale = sorted(old - keep)
            removed = 0
            for start in range(0, len(stale), 500):
                result = session.execute(
                    delete(TrendItemRow).where(TrendItemRow.poll_id.in_(stale[start : start + 500]))
                )
                removed += int(getattr(result, "rowcount", 0) or 0)
            forgotten = sorted(
                set(
                    session.scalars(
                        select(TrendPoll.id).where(TrendPoll.started_at < now - POLL_MEMORY)
                    )
                )
                - keep
            )
            for start in range(0, len(forgotten), 500):
                session.execute(
                    delete(TrendPoll).where(TrendPoll.id.in_(forgotten[start : start + 500]))
                )
            return removed

    def _claim(self, row: SourceRow, now: datetime) -> bool:
        """Take the source for this poll (its next poll moved past the poll's end), unless
        another server took it since it was read."""
        with self.db.session() as session:
            stmt = update(SourceRow).where(SourceRow.id == row.id)
            stmt = stmt.where(
                SourceRow.next_poll_at.is_(None)
                if row.next_poll_at is None
                else SourceRow.next_poll_at == row.next_poll_at
            )
            result = session.execute(
                stmt.values(next_poll_at=now + timedelta(seconds=CLAIM_SECONDS))
            )
            return int(getattr(result, "rowcount", 0) or 0) == 1

    def _deferred(self, source_id: str, now: datetime) -> SourceOutcome:
        with self.db.session() as session:
            row = session.get(SourceRow, source_id)
            assert row is not None
            row.next_poll_at = now + timedelta(minutes=1)
            session.add(TrendPoll(id=new_id(), source_id=row.id, started_at=now, status="deferred"))
            return SourceOutcome(row.id, row.label, "deferred")

    def _failed(
        self,
        source_id: str,
        now: datetime,
        error: str,
        advised: float | None,
        *,
        requests: int = 1,
    ) -> SourceOutcome:
        with self.db.session() as session:
            row = session.get(SourceRow, source_id)
            assert row is not None
            row.failures += 1
            row.last_error = one_line(error)[:2000]
            row.last_polled_at = now
            row.next_poll_at = now + timedelta(seconds=backoff(row.failures, advised))
            session.add(
                TrendPoll(
                    id=new_id(),
                    source_id=row.id,
                    started_at=now,
                    status="failed",
                    requests=requests,
                    error=row.last_error,
                )
            )
            logger.warning("trend source %s failed: %s", row.label, row.last_error)
            return SourceOutcome(row.id, row.label, "failed", error=row.last_error)

    def _stored(self, source_id: str, now: datetime, fetched: Fetched) -> SourceOutcome:
        with self.db.session() as session:
            row = session.get(SourceRow, source_id)
            assert row is not None
            row.failures = 0
            row.last_error = None
            row.last_polled_at = row.last_success_at = now
            row.next_poll_at = now + timedelta(seconds=row.interval_seconds)
            if fetched.etag or fetched.last_modified:
                row.etag, row.last_modified = fetched.etag, fetched.last_modified
            status = "not_modified" if fetched.items is None else "ok"
            poll = TrendPoll(
                id=new_id(),
                source_id=row.id,
                started_at=now,
                status=status,
                items=len(fetched.items or ()),
                requests=fetched.requests,
            )
            session.add(poll)
            session.flush()  # the poll before its items (no relationship orders them)
            items = fetched.items or ()
            scores = item_scores([item.metric for item in items])
            for place, (item, score) in enumerate(zip(items, scores, strict=True)):
                session.add(
                    TrendItemRow(
                        id=new_id(),
                        poll_id=poll.id,
                        source_id=row.id,
                        position=place,
                        external_id=item.external_id[:300],
                        title=shorten(one_line(item.title), 500),
                        url=item.url,
                        kind=item.kind,
                        summary=item.summary,
                        metric=item.metric,
                        score=score,
                        published_at=item.published_at,
                        links=[
                            {
                                "title": link.title,
                                "url": link.url,
                                "publisher": link.publisher,
                                "summary": link.summary,
                                "published_at": link.published_at.isoformat()
                                if link.published_at
                                else None,
                            }
                            for link in item.links
                        ],
                    )
                )
            return SourceOutcome(row.id, row.label, status, items=len(items))

    # -- merging -------------------------------------------------------------------------

    def _latest_items(self, session: Session, now: datetime) -> list[TrendItemRow]:
        """The items of each enabled source's latest list, while the source still confirms
        it (a 200 or a 304 within :data:`LIST_LIFETIME`)."""
        latest = (
            select(TrendPoll.source_id, func.max(TrendPoll.started_at).label("at"))
            .where(TrendPoll.status == "ok")
            .group_by(TrendPoll.source_id)
            .subquery()
        )
        polls = select(TrendPoll.id).join(
            latest,
            (TrendPoll.source_id == latest.c.source_id) & (TrendPoll.started_at == latest.c.at),
        )
        current = select(SourceRow.id).where(
            SourceRow.enabled.is_(True), SourceRow.last_success_at > now - LIST_LIFETIME
        )
        return list(
            session.scalars(
                select(TrendItemRow).where(
                    TrendItemRow.poll_id.in_(polls), TrendItemRow.source_id.in_(current)
                )
            )
        )

    def merge(self, now: datetime) -> tuple[int, list[str]]:
        """Merge the latest list of every source into trends; the number of trends seen
        now, and the alerts raised."""
        with self.db.session() as session:
            sources = {row.id: row for row in session.scalars(select(SourceRow))}
            items = self._latest_items(session, now)
            by_key = {item.id: item for item in items}
            observations = [
                Observation(
                    key=item.id,
                    source_id=item.source_id,
                    title=item.title,
                    score=item.score,
                    region=sources[item.source_id].region,
                    language=sources[item.source_id].language,
                )
                for item in items
            ]
            rows = {
                row.id: row
                for row in session.scalars(
                    select(Trend).where(Trend.last_seen_at > now - TREND_MEMORY)
                )
            }
            known = [
                KnownTrend(r.id, r.title, r.region, r.language, r.strength, r.first_seen_at)
                for r in rows.values()
            ]
            niches = list(session.scalars(select(TrendWatch.keyword)))
            subjects = merge(observations, known)
            ranked = rank(
                subjects,
                previous={r.id: r.strength for r in rows.values()},
                first_seen={r.id: r.first_seen_at for r in rows.values()},
                niches=niches,
                now=now,
            )
            seen = 0
            for entry in ranked:
                subject = entry.subject
                if not subject.observations:
                    row = rows[subject.trend_id] if subject.trend_id else None
                    if row is not None and row.strength > 0:
                        row.momentum, row.strength, row.breadth = -row.strength, 0.0, 0
                        row.score, row.sources = entry.score, []
                        row.history = [*row.history, [now.isoformat(), 0.0]][-HISTORY_POINTS:]
                        row.updated_at = now
                    continue
                seen += 1
                strongest = min(
                    subject.observations, key=lambda o: (-o.score, len(o.title), o.title)
                )
                if subject.trend_id is None:
                    row = Trend(id=new_id(), first_seen_at=now, history=[])
                    session.add(row)
                else:
                    row = rows[subject.trend_id]
                row.title = shorten(strongest.title, 300)
                row.terms = sorted(subject.terms)
                row.region, row.language = subject.region, subject.language
                row.strength, row.momentum = round(entry.strength, 6), round(entry.momentum, 6)
                row.breadth, row.score = entry.breadth, round(entry.score, 6)
                row.sources = subject.sources
                row.history = [*row.history, [now.isoformat(), row.strength]][-HISTORY_POINTS:]
                row.last_seen_at = row.updated_at = now
                session.flush()
                existing = set(
                    session.scalars(
                        select(TrendEvidence.url_key).where(TrendEvidence.trend_id == row.id)
                    )
                )
                for seen_item in subject.observations:
                    item = by_key[seen_item.key]
                    item.trend_id = row.id
                    label = sources[item.source_id].label
                    for evidence in _evidence_of(item, label, now):
                        if evidence.url_key in existing or not evidence.url:
                            continue
                        existing.add(evidence.url_key)
                        evidence.trend_id = row.id
                        session.add(evidence)
            session.flush()
            alerts = self.on_merged(session, now) if self.on_merged else []
            return seen, alerts

    # -- reading -------------------------------------------------------------------------

    def list_trends(
        self,
        *,
        region: str | None = None,
        language: str | None = None,
        source: str | None = None,
        niche: str | None = None,
        limit: int = 50,
        now: datetime | None = None,
    ) -> list[TrendOut]:
        """Trends best first. ``region``/``language``: those of that region (or language)
        and those of everywhere; ``source``: shown by a source of that kind; ``niche``: whose
        terms include the keyword's."""
        if not 1 <= limit <= 500:
            raise InputError("limit must be between 1 and 500")
        with self.db.session() as session:
            stmt = select(Trend).where(Trend.breadth > 0)
            if now is not None:
                stmt = stmt.where(Trend.last_seen_at > now - TREND_MEMORY)
            if region:
                stmt = stmt.where(or_(Trend.region.is_(None), Trend.region == region.upper()))
            if language:
                stmt = stmt.where(or_(Trend.language.is_(None), Trend.language == language.lower()))
            rows = list(session.scalars(stmt.order_by(Trend.score.desc(), Trend.id)))
            if source:
                ids = set(session.scalars(select(SourceRow.id).where(SourceRow.kind == source)))
                rows = [r for r in rows if ids & set(r.sources)]
            if niche:
                wanted = subject_terms(niche)
                rows = [r for r in rows if wanted and wanted <= set(r.terms)]
            return [TrendOut.model_validate(r) for r in rows[:limit]]

    def revision(self) -> str:
        """A short key that changes whenever what a reader of the trends sees may have: a
        poll stored a list or failed, a merge or a prune touched a trend, a source or a
        watched keyword was added or removed. Two aggregate queries; an open page compares
        it to decide whether to read everything again (ADR 0048)."""
        with self.db.session() as session:
            trends = session.execute(select(func.count(Trend.id), func.max(Trend.updated_at))).one()
            polls = session.execute(
                select(
                    func.count(SourceRow.id),
                    func.max(SourceRow.last_polled_at),
                    func.coalesce(func.sum(SourceRow.failures), 0),
                    select(func.count(TrendWatch.id)).scalar_subquery(),
                )
            ).one()
        return "|".join(str(v) for v in (*trends, *polls))

    def get(self, trend_id: str) -> TrendDetail:
        with self.db.session() as session:
            row = session.get(Trend, trend_id)
            if row is None:
                raise NotFoundError(f"the trend {trend_id} does not exist")
            evidence = session.scalars(
                select(TrendEvidence)
                .where(TrendEvidence.trend_id == trend_id)
                .order_by(TrendEvidence.seen_at.desc(), TrendEvidence.id)
            )
            out = TrendOut.model_validate(row).model_dump()
            return TrendDetail(**out, evidence=[EvidenceOut.model_validate(e) for e in evidence])


def _evidence_of(item: TrendItemRow, label: str, now: datetime) -> Sequence[TrendEvidence]:
    """Every article that explains the item, then the item's own page (when it is not one
    of those articles: a Google trend's link is its first news item)."""
    found = []
    for link in item.links or []:
        url = str(link.get("url") or "")
        found.append(
            TrendEvidence(
                id=new_id(),
                source_id=item.source_id,
                source_label=label,
                kind="headline",
                title=str(link.get("title") or item.title),
                url=url,
                url_key=url_key(url),
                publisher=str(link.get("publisher") or "")[:200],
                summary=str(link.get("summary") or ""),
                published_at=_parse_time(link.get("published_at")),
                seen_at=now,
            )
        )
    if item.url not in {e.url for e in found}:
        found.append(
            TrendEvidence(
                id=new_id(),
                source_id=item.source_id,
                source_label=label,
                kind=item.kind,
                title=item.title,
                url=item.url,
                url_key=url_key(item.url),
                summary=item.summary or "",
                published_at=item.published_at,
                seen_at=now,
            )
        )
    return found


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
