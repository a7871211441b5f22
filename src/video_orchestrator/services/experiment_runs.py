"""Use case: experiments end to end (ADR 0036) — plan a project's variants and store them,
render them as one batch, count published videos for each variant, analyse them at a fixed
post age and feed a winner back into the project.

- **Create**: ``plan_experiment`` (``services/experiments.py``) over the project's options;
  the design and every variant's overrides are stored. Nothing is rendered yet.
- **Render**: each variant becomes a project of its own (the base project with the variant's
  overrides laid over it: options, the script's hook, the target length), and every variant's
  project gets one render job for the experiment's platform — all in one transaction, as one
  batch (``jobs.batch_id``), handed to the executor once committed.
- **Link**: a variant's published videos, named by a publishing post (its platform and remote
  id) or by an imported video's platform and remote id. A video counts for one variant of an
  experiment; an imported video is also linked (rule "mapping") to the variant's project and
  render in the metrics store.
- **Analyse**: each linked video's metric at the experiment's post age (24 h, 72 h, 7 d) from
  the stored metric rows — its day rows from the post day through the age, else the longest
  period row from the post day that ends within the age; a video younger than the age or with
  no rows there is left out and counted — then ``analyse_experiment`` (ADR 0028). The verdict
  is stored as a snapshot with the time it was made.
- **Apply**: a variant that beat the control in exactly one factor, with the decision
  threshold's probability over at least 20 posts, sets that factor in the base project
  (``feedback.propose_defaults``); the change (setting, from, to, evidence) is stored.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from video_orchestrator.analytics.design import KNOWN_FACTORS, Level, merged
from video_orchestrator.analytics.experiment import (
    AnalysisSettings,
    Arm,
    Comparison,
    ExperimentResult,
    analyse_experiment,
    prior_sd_from,
)
from video_orchestrator.analytics.experiment_metrics import METRICS as METRICS
from video_orchestrator.analytics.feedback import LevelResult, propose_defaults
from video_orchestrator.analytics.stats import TestResult
from video_orchestrator.errors import InputError, InvalidStateError, NotFoundError
from video_orchestrator.services.experiments import plan_experiment
from video_orchestrator.services.jobs import JobService
from video_orchestrator.services.metrics import MetricsService
from video_orchestrator.services.projects import (
    ProjectCreate,
    ProjectOut,
    ProjectService,
    ProjectUpdate,
    new_id,
    platform_names,
)
from video_orchestrator.spec.options import VideoOptions
from video_orchestrator.store import Database
from video_orchestrator.store.tables import (
    Experiment,
    ExperimentLink,
    ExperimentVariant,
    Job,
    MetricValue,
    MetricVideo,
    Post,
    utcnow,
)

Age = Literal["24h", "72h", "7d"]
AGE_DAYS: dict[str, int] = {"24h": 1, "72h": 3, "7d": 7}
_RATE_OF = {"like_rate": "likes", "share_rate": "shares"}
#: Factors rendered as video options, and the content factors the render applies itself.
RENDERED_CONTENT = ("hook", "length", "background")
#: Posts (variant + control) a comparison needs before its level may become the default.
MIN_FEEDBACK_POSTS = 20
MAX_FACTORS = 6
MAX_LEVELS = 8


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExperimentCreate(_In):
    project_id: str = Field(min_length=1, max_length=32)
    factors: dict[str, list[str | int | float]] = Field(
        description=(
            "factor → levels, the first level the control's: hook, caption_style, "
            "caption_position, background, music, transition, voice, voice_speed, length"
        ),
        min_length=1,
        max_length=MAX_FACTORS,
    )
    name: str | None = Field(None, max_length=200)
    platform: str | None = Field(None, max_length=40, description="default: the project's first")
    metric: str = Field("average_view_duration", description=", ".join(METRICS))
    age: Age = Field("72h", description="the post age the videos are compared at")
    strategy: Literal["auto", "full", "fraction", "one_at_a_time"] = "auto"
    max_variants: int = Field(8, ge=2, le=16)


class LinkIn(_In):
    variant: str = Field(min_length=1, max_length=8)
    post_id: str | None = Field(None, max_length=32, description="a publishing post")
    platform: str | None = Field(None, max_length=32, description="with remote_id")
    remote_id: str | None = Field(None, max_length=200, description="an imported video's id")


class LinkOut(BaseModel):
    platform: str
    remote_id: str
    post_id: str | None


class VariantOut(BaseModel):
    label: str
    control: bool
    levels: dict[str, Any]
    options: dict[str, Any]
    content: dict[str, Any]
    project_id: str | None
    job_id: str | None
    job_status: str | None
    videos: list[LinkOut]


class ExperimentSummary(BaseModel):
    id: str
    name: str
    project_id: str | None
    platform: str
    metric: str
    age: str
    status: str = Field(description="planned, rendering, analysed or applied")
    variants: int
    videos: int
    decision: str | None = Field(description="the last analysis's decision")
    winner: str | None
    verdict: str | None
    created_at: datetime
    analysed_at: datetime | None


class ExperimentOut(ExperimentSummary):
    design: dict[str, Any]
    batch_id: str | None
    items: list[VariantOut]
    analysis: dict[str, Any] | None = Field(description="the verdict snapshot of the last analysis")
    feedback: dict[str, Any] | None = Field(description="what applying the winner changed")
    applied_at: datetime | None


class ExperimentRuns:
    def __init__(
        self,
        db: Database,
        jobs: JobService,
        metrics: MetricsService,
        *,
        clock: Callable[[], datetime] = utcnow,
        settings: AnalysisSettings | None = None,
    ) -> None:
        self.db = db
        self.jobs = jobs
        self.metrics = metrics
        self.projects = ProjectService(db)
        self.clock = clock
        self.settings = settings or AnalysisSettings()

    # -- create ----------------------------------------------------------------------------

    def create(self, data: ExperimentCreate) -> ExperimentOut:
        """Plan the variants over the project's options and store them (nothing rendered)."""
        if data.metric not in METRICS:
            raise InputError(
                f"unknown metric {data.metric!r}; an experiment is judged on one of "
                f"{', '.join(METRICS)}"
            )
        for name, levels in data.factors.items():
            if name == "thumbnail_text":
                raise InputError(
                    "the thumbnail_text factor is not rendered yet: the render has no cover text"
                )
            if len(levels) > MAX_LEVELS:
                raise InputError(f"factor {name!r} has {len(levels)} levels; at most {MAX_LEVELS}")
        project = self.projects.get(data.project_id)
        platform = platform_names([data.platform or project.platforms[0]])[0]
        if "hook" in data.factors and project.script is None:
            raise InputError(
                "the hook factor replaces the first line of the project's script: write or "
                "generate the project's script first"
            )
        if "length" in data.factors and project.script is not None:
            raise InputError(
                "the length factor writes each variant's script at its length: it needs a "
                "project without a script (a stored script keeps its own length)"
            )
        factors: dict[str, Sequence[Level]] = dict(data.factors)
        plan = plan_experiment(
            factors,
            base=project.video_options(platform),
            max_variants=data.max_variants,
            strategy=data.strategy,
        )
        design = {
            "strategy": plan.design.strategy,
            "note": plan.design.note,
            "full_size": plan.design.full_size,
            "dropped": plan.design.dropped,
            "factors": {f.name: list(f.levels) for f in plan.design.factors},
        }
        now = self.clock()
        experiment_id = new_id()
        with self.db.session() as session:
            session.add(
                Experiment(
                    id=experiment_id,
                    name=(data.name or f"{project.name} — {', '.join(data.factors)}")[:200],
                    project_id=project.id,
                    platform=platform,
                    metric=data.metric,
                    age=data.age,
                    design=design,
                    status="planned",
                    created_at=now,
                    updated_at=now,
                )
            )
            session.flush()
            for planned in plan.variants:
                variant = planned.variant
                session.add(
                    ExperimentVariant(
                        experiment_id=experiment_id,
                        label=variant.id,
                        levels=dict(variant.levels),
                        options=dict(variant.options),
                        content=dict(variant.content),
                    )
                )
        return self.get(experiment_id)

    # -- read ------------------------------------------------------------------------------

    def find(self, *, project_id: str | None = None, limit: int = 100) -> list[ExperimentSummary]:
        with self.db.session() as session:
            stmt = select(Experiment).order_by(Experiment.created_at.desc()).limit(limit)
            if project_id:
                stmt = stmt.where(Experiment.project_id == project_id)
            rows = session.scalars(stmt).all()
            return [self._summary(session, row) for row in rows]

    def get(self, experiment_id: str) -> ExperimentOut:
        with self.db.session() as session:
            row = _row(session, experiment_id)
            variants = _variants(session, experiment_id)
            links = _links(session, experiment_id)
            statuses = _job_statuses(session, [v.job_id for v in variants if v.job_id])
            items = [
                VariantOut(
                    label=v.label,
                    control=index == 0,
                    levels=v.levels,
                    options=v.options,
                    content=v.content,
                    project_id=v.project_id,
                    job_id=v.job_id,
                    job_status=statuses.get(v.job_id) if v.job_id else None,
                    videos=[
                        LinkOut(platform=k.platform, remote_id=k.remote_id, post_id=k.post_id)
                        for k in links
                        if k.label == v.label
                    ],
                )
                for index, v in enumerate(variants)
            ]
            summary = self._summary(session, row, variants=len(variants), videos=len(links))
            return ExperimentOut(
                **summary.model_dump(),
                design=row.design,
                batch_id=row.batch_id,
                items=items,
                analysis=row.analysis,
                feedback=row.feedback,
                applied_at=row.applied_at,
            )

    @staticmethod
    def _summary(
        session: Session,
        row: Experiment,
        *,
        variants: int | None = None,
        videos: int | None = None,
    ) -> ExperimentSummary:
        if variants is None:
            variants = len(_variants(session, row.id))
        if videos is None:
            videos = len(_links(session, row.id))
        analysis = row.analysis or {}
        return ExperimentSummary(
            id=row.id,
            name=row.name,
            project_id=row.project_id,
            platform=row.platform,
            metric=row.metric,
            age=row.age,
            status=row.status,
            variants=variants,
            videos=videos,
            decision=analysis.get("decision"),
            winner=analysis.get("winner"),
            verdict=analysis.get("verdict"),
            created_at=row.created_at,
            analysed_at=row.analysed_at,
        )

    def delete(self, experiment_id: str) -> None:
        """The experiment, its variants and links (the variants' projects and renders stay)."""
        with self.db.session() as session:
            session.delete(_row(session, experiment_id))

    # -- render ----------------------------------------------------------------------------

    def render(self, experiment_id: str) -> ExperimentOut:
        """Every variant's project and one render job each, as one batch, all or none."""
        experiment = self.get(experiment_id)
        if experiment.batch_id is not None:
            raise InvalidStateError(
                f"the experiment's variants were already sent to render (batch "
                f"{experiment.batch_id}); retry a failed render from the queue"
            )
        if experiment.project_id is None:
            raise InvalidStateError("the experiment's project was deleted: nothing to render")
        base = self.projects.get(experiment.project_id)
        creates = [
            (item.label, _variant_project(base, experiment, item)) for item in experiment.items
        ]
        job_ids: list[str] = []
        batch_id = new_id()
        with self.db.session() as session:
            # claim the experiment first: a twin request waits here, then finds it claimed
            claimed = session.execute(
                update(Experiment)
                .where(Experiment.id == experiment_id, Experiment.batch_id.is_(None))
                .values(batch_id=batch_id, status="rendering", updated_at=self.clock())
            )
            if getattr(claimed, "rowcount", 0) != 1:
                raise InvalidStateError("the experiment's variants were already sent to render")
            variants = {v.label: v for v in _variants(session, experiment_id)}
            for label, create in creates:
                project = self.projects.add(session, create)
                session.flush()
                job_id = self.jobs.add_render(session, project.id, experiment.platform, batch_id)
                session.flush()  # the job row first: the variant refers to it
                variants[label].project_id = project.id
                variants[label].job_id = job_id
                job_ids.append(job_id)
        self.jobs.dispatch(job_ids)
        return self.get(experiment_id)

    # -- link ------------------------------------------------------------------------------

    def link(self, experiment_id: str, data: LinkIn) -> ExperimentOut:
        """Count a published video (a post, or an imported video) for one variant."""
        if (data.post_id is None) == (data.remote_id is None):
            raise InputError("name either a post (post_id) or an imported video (remote_id)")
        with self.db.session() as session:
            _row(session, experiment_id)
            variants = {v.label: v for v in _variants(session, experiment_id)}
            label = data.variant.strip().upper()
            if label not in variants:
                raise InputError(
                    f"the experiment has no variant {data.variant!r}; its variants are "
                    f"{', '.join(variants)}"
                )
            if data.post_id is not None:
                post = session.get(Post, data.post_id)
                if post is None:
                    raise NotFoundError(f"there is no post {data.post_id!r}")
                if not post.remote_id:
                    raise InvalidStateError(
                        f"the post {data.post_id} has no video on {post.platform} yet (it is "
                        f"{post.state}): link it once it is published"
                    )
                platform, remote_id, post_id = post.platform, post.remote_id, post.id
            else:
                if not data.platform:
                    raise InputError("an imported video is named by its platform and remote_id")
                platform, remote_id, post_id = data.platform.strip(), str(data.remote_id), None
                video = session.scalar(
                    select(MetricVideo).where(
                        MetricVideo.platform == platform, MetricVideo.remote_id == remote_id
                    )
                )
                if video is None:
                    raise NotFoundError(
                        f"no imported {platform} video has the id {remote_id!r}: import its "
                        f"metrics first (vo analytics import)"
                    )
            taken = session.scalar(
                select(ExperimentLink).where(
                    ExperimentLink.experiment_id == experiment_id,
                    ExperimentLink.platform == platform,
                    ExperimentLink.remote_id == remote_id,
                )
            )
            if taken is not None:
                if taken.label == label:
                    return self.get(experiment_id)  # the same link again changes nothing
                raise InvalidStateError(
                    f"the {platform} video {remote_id} already counts for variant {taken.label}"
                )
            variant = variants[label]
            try:
                with session.begin_nested():
                    session.add(
                        ExperimentLink(
                            experiment_id=experiment_id,
                            label=label,
                            platform=platform,
                            remote_id=remote_id,
                            post_id=post_id,
                            created_at=self.clock(),
                        )
                    )
            except IntegrityError as exc:
                raise InvalidStateError(
                    f"the {platform} video {remote_id} was linked at the same moment"
                ) from exc
            mirror = variant.project_id is not None and post_id is None
            project_id, job_id = variant.project_id, variant.job_id
        if mirror:  # the metrics store's own link: the video's project, render and variant
            self.metrics.link(
                platform,
                remote_id,
                project_id=project_id,
                job_id=job_id,
                variant_id=f"{experiment_id}:{label}",
            )
        return self.get(experiment_id)

    def unlink(self, experiment_id: str, platform: str, remote_id: str) -> ExperimentOut:
        """Stop counting a video for the experiment; an imported video's metrics-store link
        to the variant is removed too (the automatic rules may link it again)."""
        with self.db.session() as session:
            _row(session, experiment_id)
            link = session.scalar(
                select(ExperimentLink).where(
                    ExperimentLink.experiment_id == experiment_id,
                    ExperimentLink.platform == platform,
                    ExperimentLink.remote_id == remote_id,
                )
            )
            if link is None:
                raise NotFoundError(
                    f"the {platform} video {remote_id} is not linked to the experiment"
                )
            variant_id = f"{experiment_id}:{link.label}"
            mirrored = link.post_id is None
            session.delete(link)
            video = session.scalar(
                select(MetricVideo).where(
                    MetricVideo.platform == platform, MetricVideo.remote_id == remote_id
                )
            )
            mirrored = mirrored and video is not None and video.variant_id == variant_id
        if mirrored:
            self.metrics.link(platform, remote_id, project_id=None)
        return self.get(experiment_id)

    # -- analyse ---------------------------------------------------------------------------

    def analyse(self, experiment_id: str) -> ExperimentOut:
        """Each variant's videos at the post age through ``analyse_experiment``; the verdict
        snapshot is stored."""
        result, extra = self._result(experiment_id)
        snapshot = {**_jsonable(dataclasses.asdict(result)), **extra}
        now = self.clock()
        with self.db.session() as session:
            row = _row(session, experiment_id)
            row.analysis = snapshot
            row.analysed_at = now
            if row.status in ("planned", "rendering"):
                row.status = "analysed"
            row.updated_at = now
        return self.get(experiment_id)

    def _result(self, experiment_id: str) -> tuple[ExperimentResult, dict[str, Any]]:
        now = self.clock()
        with self.db.session() as session:
            row = _row(session, experiment_id)
            kind, words = METRICS[row.metric]
            days, age, metric = AGE_DAYS[row.age], row.age, row.metric
            labels = [v.label for v in _variants(session, experiment_id)]
            links = _links(session, experiment_id)
            values: dict[str, list[float]] = {label: [] for label in labels}
            successes: dict[str, list[float]] = {label: [] for label in labels}
            trials: dict[str, list[float]] = {label: [] for label in labels}
            measured: dict[str, Any] = {"young": 0, "unmeasured": 0, "measured": 0}
            for link in links:
                video = session.scalar(
                    select(MetricVideo).where(
                        MetricVideo.platform == link.platform,
                        MetricVideo.remote_id == link.remote_id,
                    )
                )
                rows = (
                    list(
                        session.scalars(select(MetricValue).where(MetricValue.video_id == video.id))
                    )
                    if video is not None
                    else []
                )
                point = metric_at_age(video, rows, days, now, metric)
                if point == "young":
                    measured["young"] += 1
                    continue
                if point is None:
                    measured["unmeasured"] += 1
                    continue
                measured["measured"] += 1
                if kind == "rate":
                    successes[link.label].append(point[0])
                    trials[link.label].append(point[1])
                else:
                    values[link.label].append(point[0])
            past = _past_comparisons(session, experiment_id, metric)
        learned = prior_sd_from(past)
        settings = (
            self.settings
            if learned is None
            else dataclasses.replace(self.settings, prior_sd=learned)
        )
        prior = (
            f"learned from {len(past)} earlier comparisons: {learned:.3g}"
            if learned is not None
            else f"the default ({self.settings.prior_sd})"
        )
        if kind == "rate":
            arms = [Arm.rate(label, successes[label], trials[label]) for label in labels]
        else:
            arms = [Arm.of(label, values[label]) for label in labels]
        result = analyse_experiment(
            arms, control=labels[0], kind=kind, metric=f"{words} at {age}", settings=settings
        )
        return result, {"measured": measured, "prior": prior}

    # -- apply -----------------------------------------------------------------------------

    def apply(self, experiment_id: str) -> ExperimentOut:
        """Analyse again, then set in the base project each factor whose single-factor
        variant beat the control surely enough (see the module's docstring); the changes and
        the reasons for what stayed are stored."""
        experiment = self.get(experiment_id)
        if experiment.project_id is None:
            raise InvalidStateError("the experiment's project was deleted: nothing to apply to")
        result, extra = self._result(experiment_id)
        control = experiment.items[0]
        base = self.projects.get(experiment.project_id)
        current: dict[str, str | float] = {}
        results: list[LevelResult] = []
        posts = {arm.name: arm.posts for arm in result.arms}
        for factor in experiment.design["factors"]:
            setting = _setting(factor)
            value = _current(base, factor)
            current[setting] = value if value is not None else str(control.levels[factor])
            for comparison in result.comparisons:
                variant = next(v for v in experiment.items if v.label == comparison.variant)
                differs = [f for f in variant.levels if variant.levels[f] != control.levels[f]]
                if differs != [factor]:
                    continue  # only a comparison that changes this factor alone speaks for it
                results.append(
                    LevelResult(
                        setting=setting,
                        level=_level(variant.levels[factor]),
                        against=current[setting],
                        chance_to_beat=comparison.chance_to_beat_control,
                        lift=comparison.lift,
                        lift_interval=comparison.lift_interval,
                        posts=posts[comparison.variant] + posts[result.control],
                        metric=result.metric,
                    )
                )
        proposal = propose_defaults(
            current,
            results,
            threshold=self.settings.threshold,
            min_posts=MIN_FEEDBACK_POSTS,
        )
        if proposal.changes:
            patch = _patch(base, {c.setting: c.proposed for c in proposal.changes})
            base = self.projects.update(base.id, ProjectUpdate(version=base.version, **patch))
        feedback = {
            "project_id": base.id,
            "project_version": base.version,
            "changes": [
                {"setting": c.setting, "from": c.current, "to": c.proposed, "evidence": c.evidence}
                for c in proposal.changes
            ],
            "kept": [{"setting": s, "why": why} for s, why in proposal.kept],
        }
        now = self.clock()
        with self.db.session() as session:
            row = _row(session, experiment_id)
            row.analysis = {**_jsonable(dataclasses.asdict(result)), **extra}
            row.analysed_at = now
            row.feedback = feedback
            row.applied_at = now
            row.status = "applied"
            row.updated_at = now
        return self.get(experiment_id)


# --------------------------------------------------------------------------- helpers


def _row(session: Session, experiment_id: str) -> Experiment:
    row = session.get(Experiment, experiment_id)
    if row is None:
        raise NotFoundError(f"there is no experiment {experiment_id!r}")
    return row


def _variants(session: Session, experiment_id: str) -> list[ExperimentVariant]:
    rows = session.scalars(
        select(ExperimentVariant).where(ExperimentVariant.experiment_id == experiment_id)
    ).all()
    return sorted(rows, key=lambda v: (len(v.label), v.label))  # A … Z, AA …


def _links(session: Session, experiment_id: str) -> list[ExperimentLink]:
    return list(
        session.scalars(
            select(ExperimentLink)
            .where(ExperimentLink.experiment_id == experiment_id)
            .order_by(ExperimentLink.id)
        )
    )


def _past_comparisons(session: Session, experiment_id: str, metric: str) -> list[Comparison]:
    """The comparisons of the other analysed experiments on the same metric, from their
    snapshots: what the prior learns from (ADR 0028 ``prior_sd_from``)."""
    snapshots = session.scalars(
        select(Experiment.analysis).where(
            Experiment.id != experiment_id,
            Experiment.metric == metric,
            Experiment.analysed_at.is_not(None),
        )
    )
    past: list[Comparison] = []
    for snapshot in snapshots:
        for item in (snapshot or {}).get("comparisons") or []:
            try:
                test = dict(item["test"])
                test["df"] = math.inf if test.get("df") is None else test["df"]
                past.append(
                    Comparison(
                        **{
                            **item,
                            "lift_interval": tuple(item["lift_interval"]),
                            "test": TestResult(**test),
                        }
                    )
                )
            except (KeyError, TypeError):
                continue  # a snapshot of another shape: not evidence
    return past


def _job_statuses(session: Session, job_ids: Sequence[str]) -> dict[str, str]:
    if not job_ids:
        return {}
    rows = session.execute(select(Job.id, Job.status).where(Job.id.in_(job_ids)))
    return {job_id: status for job_id, status in rows}


def _variant_project(
    base: ProjectOut, experiment: ExperimentOut, item: VariantOut
) -> ProjectCreate:
    """The base project with the variant's overrides: its options (validated again), the
    script's hook, the target length, the background."""
    options = VideoOptions.model_validate(
        merged(base.video_options(experiment.platform).model_dump(), item.options)
    )
    fields = base.model_dump(
        include={"topic", "genre", "language", "target_seconds", "script"}, mode="json"
    )
    fields.update(
        name=f"{base.name} · {experiment.name[:60]} · {item.label}"[:200],
        platforms=[experiment.platform],
        voice=options.voice,
        background=options.background,
        audio=options.audio,
        captions=options.captions,
        export=options.export,
    )
    create = ProjectCreate.model_validate(fields)
    content = item.content
    if "hook" in content and create.script is not None:
        create.script = create.script.model_copy(update={"hook": str(content["hook"])})
    if "length" in content:
        create.target_seconds = round(float(content["length"]))
    if "background" in content:
        chosen = str(content["background"])
        scenes = len(create.script.scenes) if create.script is not None else 1
        assets: list[str | None] = [] if chosen == "generated" else [chosen] * scenes
        create.background = create.background.model_copy(update={"assets": assets})
    return create


def _setting(factor: str) -> str:
    """Where a factor lives in a project: a section path, or the script's hook, the length."""
    if factor == "hook":
        return "script.hook"
    if factor == "length":
        return "target_seconds"
    if factor == "background":
        return "background.assets"
    path = KNOWN_FACTORS[factor]
    assert path is not None
    return path


def _current(project: ProjectOut, factor: str) -> str | float | None:
    if factor == "hook":
        return project.script.hook if project.script is not None else None
    if factor == "length":
        return project.target_seconds
    if factor == "background":
        return None
    section, _, leaf = _setting(factor).partition(".")
    value = getattr(getattr(project, section), leaf)
    return value if isinstance(value, str | int | float) else None


def _level(value: Any) -> str | float:
    return value if isinstance(value, str | int | float) else str(value)


def _patch(project: ProjectOut, changes: Mapping[str, str | float]) -> dict[str, Any]:
    """A project update that sets each changed setting (section paths, hook, length)."""
    patch: dict[str, Any] = {}
    for setting, value in changes.items():
        if setting == "script.hook" and project.script is not None:
            patch["script"] = project.script.model_copy(update={"hook": str(value)})
        elif setting == "target_seconds":
            patch["target_seconds"] = round(float(value))
        elif setting == "background.assets":
            continue  # a background is per scene: not a default to carry over
        else:
            section, _, leaf = setting.partition(".")
            current = patch.get(section) or getattr(project, section)
            patch[section] = current.model_copy(update={leaf: value})
    return patch


def metric_at_age(
    video: MetricVideo | None,
    rows: Sequence[MetricValue],
    days: int,
    now: datetime,
    metric: str,
) -> tuple[float, float] | Literal["young"] | None:
    """One video's metric at ``days`` after its post day: (value, 0) or, for a rate,
    (successes, trials); "young" when the video is not that old yet; None when no row
    measures it there (day rows must cover every day of the age)."""
    if video is None:
        return None
    if video.published_at is not None:
        if video.published_at + timedelta(days=days) > now:
            return "young"
        start = video.published_at.date()
    elif rows:
        start = min(r.period_start for r in rows)
        if start + timedelta(days=days) > now.date():
            return "young"
    else:
        return None
    last = start + timedelta(days=days - 1)
    window = [r for r in rows if r.period_start == r.period_end and start <= r.period_start <= last]
    if len({r.period_start for r in window}) < days:  # a day missing: not the whole age
        periods = [
            r
            for r in rows
            if r.period_start >= start and r.period_end <= last and r.period_end > r.period_start
        ]
        if not periods:
            return None
        window = [max(periods, key=lambda r: (r.period_end, r.period_start))]
    return _value(window, metric)


def _value(rows: Sequence[MetricValue], metric: str) -> tuple[float, float] | None:
    if metric in _RATE_OF:
        likes = [getattr(r, _RATE_OF[metric]) for r in rows]
        views = [r.views for r in rows]
        if any(v is None for v in likes) or any(v is None for v in views):
            return None
        trials = float(sum(v for v in views if v is not None))
        if trials <= 0:
            return None
        return float(sum(v for v in likes if v is not None)), trials
    values = [getattr(r, metric) for r in rows]
    if any(v is None for v in values):
        return None
    numbers = [float(v) for v in values if v is not None]
    if METRICS[metric][0] == "count":
        return float(sum(numbers)), 0.0
    weights = [float(r.views or 0) for r in rows]
    if sum(weights) > 0:  # a duration over days: weighted by the day's views
        return sum(v * w for v, w in zip(numbers, weights, strict=True)) / sum(weights), 0.0
    return sum(numbers) / len(numbers), 0.0


def _jsonable(value: Any) -> Any:
    """A snapshot fit for a JSON column: tuples as lists, ∞ and NaN as None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


__all__ = [
    "AGE_DAYS",
    "METRICS",
    "ExperimentCreate",
    "ExperimentOut",
    "ExperimentRuns",
    "ExperimentSummary",
    "LinkIn",
    "metric_at_age",
]
