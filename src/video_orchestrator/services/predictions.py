"""Use case: predictions that state their error, trained on the stored history (ADR 0043).

- **History**: every imported or pulled video's views and average view duration at a fixed
  post age (7 days by default), read from the stored metric rows exactly as an experiment
  reads them (``experiment_runs.metric_at_age``: the day rows of every day of the age, else the
  longest period row from the post day that ends within it). Videos younger than the age,
  and videos without both figures there, are left out and counted.
- **Features**: a video linked to a project takes the project's (hook, pace, caption style,
  keywords) with its measured length and its publish time; an unlinked one takes what its
  export says (platform, publish time, length, title), see ``prediction_features``.
- **Model**: ``analytics.predict.train_forecaster`` (ridge on the log metrics, repeated
  K-fold error, conformal interval), refusing below ``MIN_VIDEOS``. One trained model is
  kept per database and *history fingerprint* (rows and last change of the metric tables,
  last change of the linked projects, the day): the studio's page views reuse it, and an
  import, a pull, a relink or an edit of a linked project trains it again. It is kept in
  the process and stored in the database (``prediction_models``, keyed by a hash of the
  fingerprint, the model format and the settings), so another process over the same
  database (a worker, a second server, the next CLI run) reads it instead of training.
- **Prediction**: a draft project's features for a platform and a posting time; every
  figure carries the cross-validated error. Below the minimum the answer is a
  :class:`RefusalOut` (a value; the interfaces say it: problem+json 409, one CLI line, one
  line in the studio).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from video_orchestrator.analytics.predict import (
    MODEL_FORMAT,
    CvError,
    Forecaster,
    MetricForecast,
    PredictionSettings,
    PublishedVideo,
    Refusal,
    TargetName,
    model_from_data,
    model_to_data,
    train_forecaster,
)
from video_orchestrator.errors import InputError, NotEnoughHistory
from video_orchestrator.services.experiment_runs import AGE_DAYS, metric_at_age
from video_orchestrator.services.prediction_features import (
    Described,
    Fill,
    metric_platform,
    project_features,
    title_features,
    utc,
)
from video_orchestrator.services.projects import ProjectOut, ProjectService
from video_orchestrator.store import Database
from video_orchestrator.store.tables import (
    MetricValue,
    MetricVideo,
    PredictionModel,
    Project,
    utcnow,
)

Age = Literal["24h", "72h", "7d"]
#: The post age the history is read at (an experiment's longest age: most of a short's views).
DEFAULT_AGE: Age = "7d"
#: Videos read for the history (the newest).
MAX_VIDEOS = 5000

log = logging.getLogger(__name__)


class ErrorOut(BaseModel):
    """How wrong the model was on videos it had not seen (repeated K-fold)."""

    median_ape: float = Field(description="median absolute percentage error, 0.38 = 38 %")
    mae_log: float = Field(description="mean absolute error of the log metric")
    mae_log_fold_sd: float = Field(description="its spread over the folds")
    folds: int
    videos: int


class FigureOut(BaseModel):
    """One predicted figure with its interval and its cross-validated error."""

    metric: str
    value: float
    low: float
    high: float
    level: float = Field(description="the interval's coverage, 0.8 = 80 %")
    error: ErrorOut
    sentence: str


class HistoryOut(BaseModel):
    """Which stored videos the model learned from, and which were left out."""

    age: Age
    used: int = Field(description="videos with views and average view duration at the age")
    linked: int = Field(description="of those, linked to a project")
    young: int = Field(description="left out: younger than the age")
    unmeasured: int = Field(description="left out: no views or average view duration there")


class ModelOut(BaseModel):
    """The model's quality, or why there is none."""

    history: HistoryOut
    needed: int
    ready: bool
    reason: str | None = None
    more_needed: int | None = Field(None, description="published videos still needed")
    same: TargetName | None = Field(None, description="the metric every video shares")
    views_error: ErrorOut | None = None
    duration_error: ErrorOut | None = None
    trained_at: datetime | None = None


class PredictionOut(BaseModel):
    project_id: str
    platform: str
    at: datetime
    views: FigureOut
    average_view_duration: FigureOut
    imputed: list[str] = Field(description="the draft's features that were guessed")
    history: HistoryOut


class RefusalOut(BaseModel):
    project_id: str
    platform: str
    at: datetime
    reason: str
    videos: int
    needed: int
    same: TargetName | None = Field(None, description="the metric every video shares")
    history: HistoryOut

    def error(self) -> NotEnoughHistory:
        return NotEnoughHistory(self.reason, videos=self.videos, needed=self.needed)


@dataclass(frozen=True)
class History:
    videos: tuple[PublishedVideo, ...]
    summary: HistoryOut


@dataclass(frozen=True)
class Trained:
    fingerprint: tuple[object, ...]
    summary: HistoryOut
    model: Forecaster | Refusal
    trained_at: datetime


class Predictions:
    """Predictions for drafts from one database's stored history (see the module)."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
        settings: PredictionSettings | None = None,
        age: Age = DEFAULT_AGE,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings or PredictionSettings()
        self.age = age
        self.projects = ProjectService(db)
        self._lock = threading.Lock()
        self._trained: Trained | None = None
        self.trainings = 0  # how many times a model was fitted (the cache's measure)
        self.loads = 0  # how many times a model another process stored was read

    # -- the history ------------------------------------------------------------------------

    def history(self) -> History:
        now = self.clock()
        days = AGE_DAYS[self.age]
        with self.db.session() as session:
            videos = list(
                session.scalars(
                    select(MetricVideo).order_by(MetricVideo.created_at.desc()).limit(MAX_VIDEOS)
                )
            )
            rows: dict[str, list[MetricValue]] = {v.id: [] for v in videos}
            newest = (
                select(MetricVideo.id).order_by(MetricVideo.created_at.desc()).limit(MAX_VIDEOS)
            )
            for value in session.scalars(
                select(MetricValue).where(MetricValue.video_id.in_(newest.scalar_subquery()))
            ):
                if value.video_id in rows:
                    rows[value.video_id].append(value)
            projects = _projects(session, {v.project_id for v in videos if v.project_id})
        young = unmeasured = 0
        measured: list[tuple[MetricVideo, float, float]] = []
        for video in videos:
            seen = metric_at_age(video, rows[video.id], days, now, "views")
            watched = metric_at_age(video, rows[video.id], days, now, "average_view_duration")
            if seen == "young" or watched == "young":
                young += 1
            elif seen is None or watched is None or watched[0] <= 0:
                unmeasured += 1
            else:
                measured.append((video, seen[0], watched[0]))
        described: list[tuple[Described, float, float]] = []
        pending: list[tuple[MetricVideo, float, float]] = []
        for video, views, duration in measured:
            project = projects.get(video.project_id or "")
            if project is None:
                pending.append((video, views, duration))
                continue
            described.append(
                (
                    project_features(
                        project,
                        video.platform,
                        _posted(video, rows[video.id]),
                        length_s=video.duration_seconds,
                    ),
                    views,
                    duration,
                )
            )
        linked = len(described)
        fill = Fill.of(
            [d.features.words_per_second for d, _, _ in described],
            [v.duration_seconds for v, _, _ in measured if v.duration_seconds],
        )
        for video, views, duration in pending:
            described.append(
                (
                    title_features(
                        video.title,
                        video.platform,
                        _posted(video, rows[video.id]),
                        video.duration_seconds,
                        fill,
                    ),
                    views,
                    duration,
                )
            )
        published = tuple(PublishedVideo(d.features, v, s) for d, v, s in described)
        summary = HistoryOut(
            age=self.age, used=len(published), linked=linked, young=young, unmeasured=unmeasured
        )
        return History(published, summary)

    # -- the model --------------------------------------------------------------------------

    def fingerprint(self) -> tuple[object, ...]:
        """What the trained model depends on: the metric tables' rows and last change, the
        linked projects' last change, the day (videos come of age), the age."""
        with self.db.session() as session:
            values = session.execute(select(func.count(), func.max(MetricValue.updated_at))).one()
            videos = session.execute(
                select(
                    func.count(),
                    func.max(MetricVideo.updated_at),
                    func.count(MetricVideo.project_id),
                )
            ).one()
            projects = session.scalar(
                select(func.max(Project.updated_at)).where(
                    Project.id.in_(select(MetricVideo.project_id))
                )
            )
        return (
            str(self.db.engine.url),
            self.age,
            self.clock().date(),
            tuple(values),
            tuple(videos),
            projects,
        )

    def trained(self) -> Trained:
        """The model for the current history: the kept one while the history is unchanged
        (this process's, else the one stored in the database by any process)."""
        key = self.fingerprint()
        with self._lock:
            if self._trained is not None and self._trained.fingerprint == key:
                return self._trained
            stored_key = self._stored_key(key)
            trained = self._load(key, stored_key)
            if trained is None:
                history = self.history()
                model = train_forecaster(history.videos, self.settings)
                self.trainings += 1
                trained = Trained(key, history.summary, model, self.clock())
                self._store(stored_key, trained)
            self._trained = trained
            return trained

    def _stored_key(self, key: tuple[object, ...]) -> str:
        """The stored model's key: the fingerprint without the database URL (the row is in
        that database; two processes may spell its URL differently), the model's format and
        the settings it was trained with."""
        parts = [MODEL_FORMAT, asdict(self.settings), list(key[1:])]
        text = json.dumps(parts, default=str, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _load(self, key: tuple[object, ...], stored_key: str) -> Trained | None:
        with self.db.session() as session:
            row = session.get(PredictionModel, stored_key)
            if row is None:
                return None
            model = model_from_data(row.model)
            try:
                summary = HistoryOut.model_validate(row.history)
            except ValidationError:
                return None
            trained_at = row.trained_at
        if model is None:
            return None
        self.loads += 1
        return Trained(key, summary, model, trained_at)

    def _store(self, stored_key: str, trained: Trained) -> None:
        """Keep the model for other processes: the newest only (older histories are gone).
        Two processes that trained the same history at once store it once."""
        try:
            data = model_to_data(trained.model)
        except ValueError as exc:  # not finite: not kept, trained again next time
            log.warning("the prediction model is not stored: %s", exc)
            return
        try:
            with self.db.session() as session:
                session.execute(
                    delete(PredictionModel).where(PredictionModel.fingerprint != stored_key)
                )
                if session.get(PredictionModel, stored_key) is None:
                    session.add(
                        PredictionModel(
                            fingerprint=stored_key,
                            model=data,
                            history=trained.summary.model_dump(mode="json"),
                            trained_at=trained.trained_at,
                        )
                    )
        except IntegrityError:  # another process stored the same history's model first
            return

    def model(self) -> ModelOut:
        trained = self.trained()
        summary = trained.summary
        if isinstance(trained.model, Refusal):
            return ModelOut(
                history=summary,
                needed=self.settings.min_videos,
                ready=False,
                reason=_reason(trained.model, summary),
                more_needed=trained.model.more_needed or None,
                same=trained.model.same,
                trained_at=trained.trained_at,
            )
        return ModelOut(
            history=summary,
            needed=self.settings.min_videos,
            ready=True,
            views_error=_error(trained.model.error("views")),
            duration_error=_error(trained.model.error("average_view_duration")),
            trained_at=trained.trained_at,
        )

    # -- a draft ----------------------------------------------------------------------------

    def drafts(self, limit: int = 5) -> list[tuple[str, str]]:
        """The newest projects no published video is linked to yet: (id, name)."""
        with self.db.session() as session:
            linked = select(MetricVideo.project_id).where(MetricVideo.project_id.is_not(None))
            rows = session.execute(
                select(Project.id, Project.name)
                .where(Project.id.not_in(linked))
                .order_by(Project.updated_at.desc(), Project.id)
                .limit(limit)
            ).all()
        return [(str(i), str(n)) for i, n in rows]

    def default_platform(self, project: ProjectOut) -> str:
        return metric_platform(project.platforms[0]) if project.platforms else "tiktok"

    def default_time(self) -> datetime:
        """The next full hour (UTC)."""
        now = utc(self.clock())
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)

    def predict(
        self, project_id: str, *, platform: str | None = None, at: datetime | None = None
    ) -> PredictionOut | RefusalOut:
        """The draft's views and average view duration for a post on ``platform`` (a metric
        platform or a render preset; default the project's first) at ``at`` (UTC when
        naive; default the next full hour), or the refusal with its reason."""
        project = self.projects.get(project_id)
        where = metric_platform(platform) if platform else self.default_platform(project)
        when = utc(at) if at is not None else self.default_time()
        trained = self.trained()
        summary = trained.summary
        if isinstance(trained.model, Refusal):
            return RefusalOut(
                project_id=project.id,
                platform=where,
                at=when,
                reason=_reason(trained.model, summary),
                videos=trained.model.videos,
                needed=self.settings.min_videos,
                same=trained.model.same,
                history=summary,
            )
        draft = project_features(project, where, when)
        forecast = trained.model.predict(draft.features)
        return PredictionOut(
            project_id=project.id,
            platform=where,
            at=when,
            views=_figure(forecast.views),
            average_view_duration=_figure(forecast.average_view_duration),
            imputed=list(draft.imputed),
            history=summary,
        )


def parse_time(text: str | None) -> datetime | None:
    """``--at`` / ``?at=``: an ISO date and time (UTC unless it says otherwise)."""
    if text is None or not text.strip():
        return None
    try:
        return utc(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except ValueError:
        raise InputError(
            f"the posting time must be a date and time like 2026-12-08T18:00, not {text!r}"
        ) from None


def _projects(session: Session, ids: set[str]) -> dict[str, ProjectOut]:
    out: dict[str, ProjectOut] = {}
    if not ids:
        return out
    for row in session.scalars(select(Project).where(Project.id.in_(ids))):
        try:
            out[row.id] = ProjectOut.model_validate(row)
        except ValidationError:  # a project stored by an older version: its export says less
            continue
    return out


def _posted(video: MetricVideo, rows: list[MetricValue]) -> datetime:
    if video.published_at is not None:
        return video.published_at
    first = min(r.period_start for r in rows)
    return datetime(first.year, first.month, first.day)


def _reason(refusal: Refusal, summary: HistoryOut) -> str:
    left_out = []
    if summary.young:
        left_out.append(f"{summary.young} younger than {summary.age}")
    if summary.unmeasured:
        left_out.append(
            f"{summary.unmeasured} without views and average view duration at {summary.age}"
        )
    tail = f" (not counted: {', '.join(left_out)})" if left_out else ""
    return refusal.reason[:1].upper() + refusal.reason[1:] + tail + "."


def _error(error: CvError) -> ErrorOut:
    return ErrorOut(
        median_ape=error.median_ape,
        mae_log=error.mae_log,
        mae_log_fold_sd=error.mae_log_fold_sd,
        folds=error.folds,
        videos=error.videos,
    )


def _figure(forecast: MetricForecast) -> FigureOut:
    low, high = forecast.interval
    return FigureOut(
        metric=forecast.metric,
        value=forecast.value,
        low=low,
        high=high,
        level=forecast.level,
        error=_error(forecast.error),
        sentence=forecast.sentence,
    )


__all__ = [
    "DEFAULT_AGE",
    "ErrorOut",
    "FigureOut",
    "HistoryOut",
    "ModelOut",
    "NotEnoughHistory",
    "PredictionOut",
    "Predictions",
    "RefusalOut",
    "parse_time",
]
