"""Use cases for projects: create, read, list, edit (with optimistic concurrency), duplicate,
delete. What the API, the UI and the job runner call; they never touch the tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from video_orchestrator.domain.language_version import LanguageVersion
from video_orchestrator.domain.script import Genre, Script
from video_orchestrator.errors import (
    InputError,
    InvalidStateError,
    NotFoundError,
    StaleVersionError,
)
from video_orchestrator.platforms import get_preset, load_presets
from video_orchestrator.services.languages import script_language
from video_orchestrator.spec.options import (
    AudioSettings,
    BackgroundSettings,
    CaptionSettings,
    ExportSettings,
    VideoOptions,
    VoiceSettings,
)
from video_orchestrator.spec.vocabulary import LANGUAGE_PATTERN, TARGET_SECONDS
from video_orchestrator.store import Database
from video_orchestrator.store.job_queue import ACTIVE
from video_orchestrator.store.tables import Asset, Job, Project, utcnow

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProjectFields(_Strict):
    topic: str = Field("", max_length=300)
    genre: Genre = "facts"
    language: str = Field("en", pattern=LANGUAGE_PATTERN)
    platforms: list[str] = Field(default_factory=lambda: ["tiktok"], min_length=1, max_length=8)
    target_seconds: int | None = Field(None, ge=TARGET_SECONDS.low, le=TARGET_SECONDS.high)
    script: Script | None = None
    # the video's settings: the sections of the options model, stored as they are
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    background: BackgroundSettings = Field(default_factory=BackgroundSettings)
    audio: AudioSettings = Field(default_factory=AudioSettings)
    captions: CaptionSettings = Field(default_factory=CaptionSettings)
    export: ExportSettings = Field(default_factory=ExportSettings)

    def video_options(self, platform: str) -> VideoOptions:
        """The project's settings for a render on ``platform``."""
        return VideoOptions(
            platform=platform,
            language=self.language,
            voice=self.voice,
            background=self.background,
            audio=self.audio,
            captions=self.captions,
            export=self.export,
        )


class ProjectCreate(ProjectFields):
    name: Name | None = Field(None, description="default: the topic")


class ProjectUpdate(_Strict):
    """A partial edit: only the fields given change. ``version`` is the one the client read."""

    version: int = Field(ge=1)
    name: Name | None = None
    topic: str | None = Field(None, max_length=300)
    genre: Genre | None = None
    language: str | None = Field(None, pattern=LANGUAGE_PATTERN)
    platforms: list[str] | None = Field(None, min_length=1, max_length=8)
    target_seconds: int | None = Field(None, ge=TARGET_SECONDS.low, le=TARGET_SECONDS.high)
    script: Script | None = None
    voice: VoiceSettings | None = None
    background: BackgroundSettings | None = None
    audio: AudioSettings | None = None
    captions: CaptionSettings | None = None
    export: ExportSettings | None = None


class ProjectOut(ProjectFields):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    id: str
    name: str
    version: int
    created_at: datetime
    updated_at: datetime
    languages: list[LanguageVersion] = Field(
        default_factory=list, description="the script's versions in other languages (ADR 0039)"
    )

    @field_validator("languages", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return [] if value is None else value


class ProjectSummary(BaseModel):
    """A project in a list: what a list shows, without the script and settings."""

    id: str
    name: str
    topic: str
    genre: str
    language: str
    platforms: list[str]
    scenes: int = Field(description="scenes in the script; 0 when it has none yet")
    title: str | None = Field(description="the script's title")
    version: int
    created_at: datetime
    updated_at: datetime


class ProjectPage(BaseModel):
    items: list[ProjectSummary]
    total: int


def new_id() -> str:
    return uuid.uuid4().hex


def _out(row: Project) -> ProjectOut:
    return ProjectOut.model_validate(row)


def _summary(row: Project) -> ProjectSummary:
    script = row.script or {}
    return ProjectSummary(
        id=row.id,
        name=row.name,
        topic=row.topic,
        genre=row.genre,
        language=row.language,
        platforms=list(row.platforms),
        scenes=len(script.get("scenes", [])),
        title=script.get("title"),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def platform_names(platforms: list[str]) -> list[str]:
    """Canonical preset names; an unknown platform is the user's input error."""
    presets = load_presets()
    return list(dict.fromkeys(get_preset(name, presets).name for name in platforms))


def _check_assets(session: Session, ids: list[str | None], kinds: set[str], what: str) -> None:
    for asset_id in ids:
        if asset_id is None:  # a scene without a chosen background
            continue
        row = session.get(Asset, asset_id)
        if row is None:
            raise NotFoundError(f"{what}: the asset {asset_id} does not exist")
        if row.kind not in kinds:
            raise InputError(f"{what}: the asset {asset_id} is {row.kind}, not {'/'.join(kinds)}")


def _check_references(session: Session, fields: dict[str, Any]) -> None:
    background = fields.get("background")
    if background:
        _check_assets(session, background.get("assets", []), {"video", "image"}, "background")
    audio = fields.get("audio")
    if audio and audio.get("music_asset"):
        _check_assets(session, [audio["music_asset"]], {"audio"}, "music")
    if audio and audio.get("sfx_asset"):
        _check_assets(session, [audio["sfx_asset"]], {"audio"}, "sound effect")


#: Fields a PATCH may set to null (to clear them).
NULLABLE = frozenset({"target_seconds", "script"})


class ProjectService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, data: ProjectCreate) -> ProjectOut:
        with self.db.session() as session:
            row = self.add(session, data)
            session.flush()
            return _out(row)

    @staticmethod
    def add(session: Session, data: ProjectCreate) -> Project:
        """A new project in ``session`` (the caller's transaction): checked, not flushed."""
        fields = data.model_dump(mode="json", exclude={"name"})
        fields["platforms"] = platform_names(data.platforms)
        if "language" not in data.model_fields_set and data.script is not None:
            # no language chosen: the script's own when it names one, else the detected one
            declared = "language" in data.script.model_fields_set
            found = (
                data.script.language
                if declared
                else script_language(" ".join(data.script.spoken_parts()))
            )
            if found is not None:
                fields["language"] = found
                fields["script"] = {**fields["script"], "language": found}
        name = data.name or (data.topic.strip()[:200] if data.topic.strip() else None)
        if name is None and data.script is not None:
            name = data.script.title
        _check_references(session, fields)
        row = Project(id=new_id(), name=name or "Untitled", **fields)
        session.add(row)
        return row

    def get(self, project_id: str) -> ProjectOut:
        with self.db.session() as session:
            return _out(self._row(session, project_id))

    def find(self, *, query: str | None = None, limit: int = 50, offset: int = 0) -> ProjectPage:
        with self.db.session() as session:
            stmt = select(Project)
            if query:
                like = f"%{query.lower()}%"
                stmt = stmt.where(
                    or_(func.lower(Project.name).like(like), func.lower(Project.topic).like(like))
                )
            total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = session.scalars(
                stmt.order_by(Project.updated_at.desc(), Project.id).limit(limit).offset(offset)
            ).all()
            return ProjectPage(items=[_summary(r) for r in rows], total=total)

    def update(self, project_id: str, patch: ProjectUpdate) -> ProjectOut:
        changes = patch.model_dump(mode="json", exclude_unset=True, exclude={"version"})
        if "platforms" in changes and patch.platforms is not None:
            changes["platforms"] = platform_names(patch.platforms)
        try:
            with self.db.session() as session:
                row = self._row(session, project_id)
                if row.version != patch.version:
                    raise StaleVersionError(
                        f"the project changed since you read it (you have version "
                        f"{patch.version}, it is at {row.version}): reload it and edit again"
                    )
                nulls = [k for k, v in changes.items() if v is None and k not in NULLABLE]
                if nulls:
                    raise InputError(
                        f"{nulls[0]} cannot be null: leave it out to keep the current value"
                    )
                _check_references(session, changes)
                for key, value in changes.items():
                    setattr(row, key, value)
                row.updated_at = utcnow()
                session.flush()
                return _out(row)
        except StaleDataError as exc:  # another writer committed between our read and write
            raise StaleVersionError(
                "the project was changed by someone else at the same moment: reload it"
            ) from exc

    def duplicate(self, project_id: str, name: str | None = None) -> ProjectOut:
        with self.db.session() as session:
            source = self._row(session, project_id)
            copy = Project(
                id=new_id(),
                name=(name or f"{source.name} (copy)")[:200],
                topic=source.topic,
                genre=source.genre,
                language=source.language,
                platforms=list(source.platforms),
                target_seconds=source.target_seconds,
                script=source.script,
                voice=dict(source.voice),
                background=dict(source.background),
                audio=dict(source.audio),
                captions=dict(source.captions),
                export=dict(source.export),
                languages=list(source.languages or []),
            )
            session.add(copy)
            session.flush()
            return _out(copy)

    def delete(self, project_id: str) -> list[str]:
        """Delete a project with its renders (their job records and output records), in one
        transaction; the storage keys of those outputs, for the caller to remove, so nothing
        of a deleted project stays downloadable. Refused while one of its renders is queued
        or running (cancel it first): a render never outlives its project half-way."""
        with self.db.session() as session:
            row = self._row(session, project_id)
            jobs = session.scalars(select(Job).where(Job.project_id == project_id)).all()
            active = [job for job in jobs if job.status in ACTIVE]
            if active:
                raise InvalidStateError(
                    f"the project has {len(active)} render(s) queued or running: cancel them "
                    "(or wait for them to end), then delete the project"
                )
            keys = [output.storage_key for job in jobs for output in job.outputs]
            for job in jobs:
                session.delete(job)
            session.delete(row)
        return keys

    @staticmethod
    def _row(session: Session, project_id: str) -> Project:
        row = session.get(Project, project_id)
        if row is None:
            raise NotFoundError(f"the project {project_id} does not exist")
        return row
