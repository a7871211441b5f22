"""Use cases for render jobs: submit (one project, a batch, a raw spec), list, get, cancel,
retry, watch progress, find outputs. The executor only moves work; the record is the truth."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import anyio
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from video_orchestrator.domain.script import Genre
from video_orchestrator.errors import (
    ConflictError,
    InputError,
    InvalidStateError,
    NotFoundError,
    SpecError,
)
from video_orchestrator.jobs.executor import Executor
from video_orchestrator.jobs.workload import (
    RENDER_KINDS,
    MakeWorkload,
    RenderSpecWorkload,
    TaskWorkload,
)
from video_orchestrator.services.projects import (
    ProjectCreate,
    ProjectService,
    new_id,
    platform_names,
)
from video_orchestrator.spec import RenderSpec
from video_orchestrator.spec.options import VoiceSettings
from video_orchestrator.spec.vocabulary import LANGUAGE_PATTERN, TARGET_SECONDS, CaptionPreset
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import ACTIVE, FINISHED
from video_orchestrator.store.tables import Asset, IdempotentRequest, Job, utcnow
from video_orchestrator.text import validation_summary

JobStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
MAX_BATCH = 200
#: How long an Idempotency-Key is remembered (per client): a retry within it gets the jobs
#: the first request created; after it the key is forgotten and may be used again.
IDEMPOTENCY_KEEP = timedelta(hours=24)
IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,255}")  # visible ASCII, as the header's schema says


@dataclass(frozen=True)
class Idempotency:
    """An ``Idempotency-Key`` sent with a submit (ADR 0018). ``client`` is who sent it (an API
    key id, or the address without keys): keys of different clients never meet."""

    client: str
    key: str

    def __post_init__(self) -> None:
        if not IDEMPOTENCY_KEY.fullmatch(self.key):
            raise InputError(
                "the Idempotency-Key header must be 1 to 255 visible ASCII characters "
                "(a UUID is a good key)"
            )

    def fingerprint(self, what: str, request: Any) -> str:
        """A digest of the request the key was sent with: what it asked, canonically."""
        text = json.dumps([what, request], sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


class OutputOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    filename: str
    size: int
    sha256: str
    media_type: str


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    project_id: str | None
    batch_id: str | None
    kind: str
    platform: str | None
    language: str | None = Field(
        None, description="a render of one of the project's languages (ADR 0039)"
    )
    status: JobStatus
    step: str
    progress: float
    eta_seconds: float | None
    error: str | None
    log_tail: str
    attempts: int
    max_attempts: int
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    not_before: datetime | None = Field(
        None, description="a task that waits for its time is not started before this moment"
    )
    outputs: list[OutputOut]


class JobPage(BaseModel):
    items: list[JobOut]
    total: int


class BatchItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: str = Field(min_length=1, max_length=300)
    genre: Genre = "facts"
    platform: str = "tiktok"
    language: str = Field("en", pattern=LANGUAGE_PATTERN)
    voice: str | None = Field(None, max_length=200)
    caption_style: CaptionPreset = "karaoke"
    target_seconds: int | None = Field(None, ge=TARGET_SECONDS.low, le=TARGET_SECONDS.high)


class BatchOut(BaseModel):
    batch_id: str
    jobs: list[JobOut]


def _out(job: Job) -> JobOut:
    data = {
        column: getattr(job, column)
        for column in JobOut.model_fields
        if column not in {"platform", "language", "outputs"}
    }
    return JobOut(
        **data,
        platform=job.workload.get("platform"),
        language=job.workload.get("language"),
        outputs=[OutputOut.model_validate(o) for o in job.outputs],
    )


def _state(job: JobOut) -> tuple[Any, ...]:
    return (job.status, job.step, round(job.progress, 3), job.error, len(job.outputs))


def parse_batch(text: str, content_type: str) -> list[BatchItem]:
    """Batch items from JSON (a list of objects) or CSV (a header row: topic, genre …)."""
    rows: Any
    if "csv" in content_type:
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            rows = [
                {k.strip(): v.strip() for k, v in row.items() if k and isinstance(v, str) and v}
                for row in reader
            ]
        except csv.Error as exc:
            raise InputError(f"the batch is not readable CSV: {exc}") from exc
    else:
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"the batch is not valid JSON: {exc.msg} at line {exc.lineno}"
            ) from exc
    if not isinstance(rows, list) or not rows:
        raise InputError("a batch is a non-empty list of {topic, genre, platform …} items")
    if len(rows) > MAX_BATCH:
        raise InputError(f"a batch holds at most {MAX_BATCH} items, not {len(rows)}")
    items = []
    for index, row in enumerate(rows, start=1):
        try:
            items.append(BatchItem.model_validate(row))
        except ValidationError as exc:
            raise InputError(f"batch item {index}: {validation_summary(exc)}") from exc
    return items


class JobService:
    def __init__(self, db: Database, executor: Executor | None, *, max_attempts: int = 3) -> None:
        self.db = db
        self.executor = executor
        self.max_attempts = max_attempts
        self.projects = ProjectService(db)

    def _job(self, kind: str, workload: dict[str, Any], **fields: Any) -> Job:
        return Job(
            id=new_id(),
            kind=kind,
            workload=workload,
            max_attempts=self.max_attempts,
            step="queued",
            **fields,
        )

    def _create(
        self,
        build: Callable[[Session], dict[str, Any]],
        idempotency: Idempotency | None = None,
        fingerprint: str = "",
    ) -> dict[str, Any]:
        """Add what ``build`` adds (it returns ``{"jobs": [ids], …}``) in ONE transaction with
        the record of the idempotency key, then hand the jobs to the executor. A key this
        client already used for the same request returns that request's result instead,
        creating nothing; for another request it is a conflict."""
        if idempotency is not None:
            earlier = self._earlier(idempotency, fingerprint)
            if earlier is not None:
                return earlier
        try:
            with self.db.session() as session:
                result = build(session)
                if idempotency is not None:
                    session.execute(
                        delete(IdempotentRequest).where(
                            IdempotentRequest.created_at < utcnow() - IDEMPOTENCY_KEEP
                        )
                    )
                    session.add(
                        IdempotentRequest(
                            client=idempotency.client,
                            key=idempotency.key,
                            fingerprint=fingerprint,
                            result=result,
                        )
                    )
        except IntegrityError:
            if idempotency is None:
                raise
            earlier = self._earlier(idempotency, fingerprint)  # a twin request came first
            if earlier is None:
                raise
            return earlier
        self._dispatch(list(result["jobs"]))
        return result

    def _earlier(self, idempotency: Idempotency, fingerprint: str) -> dict[str, Any] | None:
        with self.db.session() as session:
            row = session.get(IdempotentRequest, (idempotency.client, idempotency.key))
            if row is None or row.created_at < utcnow() - IDEMPOTENCY_KEEP:
                return None
            if row.fingerprint != fingerprint:
                raise ConflictError(
                    f"the Idempotency-Key {idempotency.key!r} was already used for a different "
                    "request: send a new key with a new request"
                )
            return dict(row.result)

    def add_render(
        self, session: Session, project_id: str, platform: str, batch_id: str | None
    ) -> str:
        """A render job of a project for one platform in the caller's transaction (the caller
        hands its id to :meth:`dispatch` once that commits); its id."""
        (job_id,) = self._project_jobs(session, project_id, [platform], batch_id)
        return job_id

    def dispatch(self, job_ids: list[str]) -> None:
        """Hand committed jobs to the executor."""
        self._dispatch(job_ids)

    def _dispatch(self, job_ids: list[str]) -> None:
        if self.executor is not None:
            for job_id in job_ids:
                self.executor.submit(job_id)

    def _jobs(self, job_ids: list[str]) -> list[JobOut]:
        """The jobs by id, in that order (any deleted since are left out)."""
        with self.db.session() as session:
            rows = {row.id: row for row in session.scalars(select(Job).where(Job.id.in_(job_ids)))}
            return [_out(rows[job_id]) for job_id in job_ids if job_id in rows]

    def _project_jobs(
        self,
        session: Session,
        project_id: str,
        names: list[str],
        batch_id: str | None,
        languages: Sequence[str | None] = (None,),
    ) -> list[str]:
        jobs = [
            self._job(
                "make",
                MakeWorkload(project_id=project_id, platform=name, language=language).model_dump(),
                project_id=project_id,
                batch_id=batch_id,
            )
            for language in languages
            for name in names
        ]
        session.add_all(jobs)
        return [job.id for job in jobs]

    def submit_project(
        self,
        project_id: str,
        platforms: list[str] | None = None,
        *,
        idempotency: Idempotency | None = None,
    ) -> list[JobOut]:
        """One job per platform (default: the project's platforms), all or none."""
        fingerprint = (
            idempotency.fingerprint("renders", {"project_id": project_id, "platforms": platforms})
            if idempotency is not None
            else ""
        )

        def build(session: Session) -> dict[str, Any]:
            project = self.projects.get(project_id)
            names = platform_names(platforms or project.platforms)
            return {"jobs": self._project_jobs(session, project_id, names, None)}

        result = self._create(build, idempotency, fingerprint)
        return self._jobs(list(result["jobs"]))

    def submit_languages(
        self,
        project_id: str,
        languages: list[str],
        platforms: list[str] | None = None,
        *,
        idempotency: Idempotency | None = None,
    ) -> list[JobOut]:
        """One job per language and platform of a project, in one batch (ADR 0039); the
        caller checked that each language is the project's own or one of its versions."""
        fingerprint = (
            idempotency.fingerprint(
                "renders/languages",
                {"project_id": project_id, "languages": languages, "platforms": platforms},
            )
            if idempotency is not None
            else ""
        )

        def build(session: Session) -> dict[str, Any]:
            project = self.projects.get(project_id)
            names = platform_names(platforms or project.platforms)
            batch_id = new_id()
            jobs = self._project_jobs(session, project_id, names, batch_id, languages)
            return {"batch_id": batch_id, "jobs": jobs}

        result = self._create(build, idempotency, fingerprint)
        return self._jobs(list(result["jobs"]))

    def submit_spec(self, spec: dict[str, Any], filename: str = "video") -> JobOut:
        """A raw render spec whose media are ``asset:<id>`` references, checked now."""
        self.validate_spec(spec)
        workload = RenderSpecWorkload(spec=spec, filename=filename)

        def build(session: Session) -> dict[str, Any]:
            job = self._job("render_spec", workload.model_dump())
            session.add(job)
            return {"jobs": [job.id]}

        (job_id,) = self._create(build)["jobs"]
        return self.get(str(job_id))

    def submit_task(
        self,
        workload: TaskWorkload,
        *,
        not_before: datetime | None = None,
        dedupe_key: str | None = None,
    ) -> JobOut:
        """A task job (ADR 0025), started once ``not_before`` has come (now when None). With a
        ``dedupe_key``, "this job, once": if a job with that key exists it is returned and
        nothing is created, whoever asks and however often."""
        if dedupe_key is not None:
            existing = self._by_dedupe_key(dedupe_key)
            if existing is not None:
                return existing

        def build(session: Session) -> dict[str, Any]:
            job = self._job(
                workload.kind, workload.model_dump(), not_before=not_before, dedupe_key=dedupe_key
            )
            session.add(job)
            return {"jobs": [job.id]}

        try:
            (job_id,) = self._create(build)["jobs"]
        except IntegrityError:
            existing = self._by_dedupe_key(dedupe_key) if dedupe_key is not None else None
            if existing is None:
                raise
            return existing  # a twin submit came first
        return self.get(str(job_id))

    def _by_dedupe_key(self, key: str) -> JobOut | None:
        with self.db.session() as session:
            row = session.scalar(select(Job).where(Job.dedupe_key == key))
            return _out(row) if row is not None else None

    def validate_spec(self, spec: dict[str, Any]) -> RenderSpec:
        """Validate a spec given through the API: shape, and every ``asset:<id>`` exists."""
        refs: list[str] = []

        def swap(node: Any) -> Any:
            if isinstance(node, list):
                return [swap(item) for item in node]
            if isinstance(node, dict):
                out = {}
                for key, value in node.items():
                    if key == "path" and isinstance(value, str):
                        if not value.startswith("asset:"):
                            raise SpecError(
                                f"the spec refers to the file {value!r}: through the API, media "
                                'are assets, written as "asset:<id>"'
                            )
                        refs.append(value.removeprefix("asset:"))
                        out[key] = f"/assets/{value.removeprefix('asset:')}"
                    else:
                        out[key] = swap(value)
                return out
            return node

        checked = swap(spec)
        try:
            parsed = RenderSpec.model_validate(checked)
        except ValidationError as exc:
            raise SpecError(f"the render spec is not valid: {validation_summary(exc)}") from exc
        with self.db.session() as session:
            for asset_id in refs:
                if session.get(Asset, asset_id) is None:
                    raise NotFoundError(
                        f"the spec refers to the asset {asset_id}, which does not exist"
                    )
        return parsed

    def submit_batch(
        self, items: list[BatchItem], *, idempotency: Idempotency | None = None
    ) -> BatchOut:
        """A project and a job per item, all in one transaction (all or none)."""
        platform_names([item.platform for item in items])  # check all before creating any
        fingerprint = (
            idempotency.fingerprint("renders/batch", [item.model_dump() for item in items])
            if idempotency is not None
            else ""
        )

        def build(session: Session) -> dict[str, Any]:
            batch_id = new_id()
            job_ids: list[str] = []
            for item in items:
                project = self.projects.add(
                    session,
                    ProjectCreate(
                        topic=item.topic,
                        genre=item.genre,
                        language=item.language,
                        platforms=[item.platform],
                        target_seconds=item.target_seconds,
                        voice=VoiceSettings(voice=item.voice),
                        captions={"style": item.caption_style},
                    ),
                )
                session.flush()  # the project row first: the jobs refer to it
                job_ids += self._project_jobs(session, project.id, project.platforms, batch_id)
            return {"batch_id": batch_id, "jobs": job_ids}

        result = self._create(build, idempotency, fingerprint)
        return BatchOut(batch_id=str(result["batch_id"]), jobs=self._jobs(list(result["jobs"])))

    def get(self, job_id: str) -> JobOut:
        with self.db.session() as session:
            return _out(self._row(session, job_id))

    def find(
        self,
        *,
        status: JobStatus | None = None,
        project_id: str | None = None,
        batch_id: str | None = None,
        kinds: tuple[str, ...] = RENDER_KINDS,
        limit: int = 50,
        offset: int = 0,
    ) -> JobPage:
        """Jobs newest first; renders only unless ``kinds`` names task kinds too."""
        with self.db.session() as session:
            stmt = select(Job).where(Job.kind.in_(kinds))
            if status:
                stmt = stmt.where(Job.status == status)
            if project_id:
                stmt = stmt.where(Job.project_id == project_id)
            if batch_id:
                stmt = stmt.where(Job.batch_id == batch_id)
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.scalars(
                stmt.order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)
            ).all()
            return JobPage(items=[_out(r) for r in rows], total=total)

    def latest_by_project(
        self, project_ids: list[str], status: JobStatus | None = None
    ) -> dict[str, JobOut]:
        """Each project's newest job (of ``status``), in one query: what a project list shows."""
        if not project_ids:
            return {}
        with self.db.session() as session:
            wanted: ColumnElement[bool] = Job.project_id.in_(project_ids)
            if status is not None:
                wanted = wanted & (Job.status == status)
            newest = (
                select(Job.project_id, func.max(Job.created_at).label("at"))
                .where(wanted)
                .group_by(Job.project_id)
                .subquery()
            )
            rows = session.scalars(
                select(Job)
                .join(
                    newest,
                    (Job.project_id == newest.c.project_id) & (Job.created_at == newest.c.at),
                )
                .where(wanted)
                .order_by(Job.id)
            ).all()
            return {row.project_id: _out(row) for row in rows if row.project_id}

    def cancel(self, job_id: str) -> JobOut:
        with self.db.session() as session:
            job = self._row(session, job_id)
            if job.status in FINISHED:
                raise InvalidStateError(
                    f"the job {job_id} has already {job.status}: nothing to cancel"
                )
            job.cancel_requested = True
            job.updated_at = utcnow()
            if job.status == "queued":
                job.status = "cancelled"
                job.finished_at = utcnow()
                job.log_tail += "cancelled before it started\n"
        if self.executor is not None:
            self.executor.cancel(job_id)
        return self.get(job_id)

    def retry(self, job_id: str) -> JobOut:
        with self.db.session() as session:
            job = self._row(session, job_id)
            if job.status in ACTIVE:
                raise InvalidStateError(f"the job {job_id} is {job.status}: retry it once it ends")
            if job.status == "succeeded":
                raise InvalidStateError(
                    f"the job {job_id} succeeded: submit the project again for a new render"
                )
            for output in list(job.outputs):
                session.delete(output)
            job.status, job.step, job.progress = "queued", "queued", 0.0
            # the attempt counter only grows (it fences each attempt's writes and names its
            # folders, ADR 0017): a retry grants fresh attempts instead of counting from 0
            job.error, job.cancel_requested = None, False
            job.max_attempts = job.attempts + self.max_attempts
            job.worker, job.started_at, job.finished_at = None, None, None
            job.updated_at = utcnow()
            job.log_tail += "retry requested\n"
        self._dispatch([job_id])
        return self.get(job_id)

    def delete(self, job_id: str) -> list[str]:
        """Forget a finished job; the storage keys of its outputs, for the caller to remove."""
        with self.db.session() as session:
            job = self._row(session, job_id)
            if job.status in ACTIVE:
                raise InvalidStateError(
                    f"the job {job_id} is {job.status}: cancel it before deleting it"
                )
            keys = [output.storage_key for output in job.outputs]
            session.delete(job)
        return keys

    def output(self, job_id: str, output: str) -> tuple[OutputOut, str]:
        """An output by id or kind (video, thumbnail, srt …) and its storage key."""
        with self.db.session() as session:
            job = self._row(session, job_id)
            for row in job.outputs:
                if output in (row.id, row.kind):
                    return OutputOut.model_validate(row), row.storage_key
            kinds = ", ".join(o.kind for o in job.outputs) or "none yet"
            raise NotFoundError(f"the job {job_id} has no output {output!r} (it has: {kinds})")

    async def watch(
        self,
        job_id: str,
        *,
        interval: float = 0.2,
        timeout: float = 3600,
        stop: Callable[[], Awaitable[bool]] | None = None,
    ) -> AsyncIterator[JobOut]:
        """The job each time it changes, until it ends (or ``timeout`` seconds pass). Waits
        without holding a thread (each read is a short trip to the thread pool) and ends early
        when ``stop()`` says the client has gone."""
        last: tuple[Any, ...] | None = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if stop is not None and await stop():
                return
            job = await anyio.to_thread.run_sync(self.get, job_id)
            if _state(job) != last:
                last = _state(job)
                yield job
            if job.status in FINISHED:
                return
            await anyio.sleep(interval)

    @staticmethod
    def _row(session: Session, job_id: str) -> Job:
        row = session.get(Job, job_id)
        if row is None:
            raise NotFoundError(f"the job {job_id} does not exist")
        return row
