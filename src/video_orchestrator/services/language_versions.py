"""One project in many languages (ADR 0039): add a language version (translated and adapted
by the language model, translated by an offline translator, or written by hand), edit it,
remove it, render every language in one batch of jobs.

The versions live in the project row (``languages``, a JSON list) and change under the
project's optimistic version like any other edit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm.exc import StaleDataError

from video_orchestrator.domain.language_version import LanguageVersion
from video_orchestrator.domain.script import Script
from video_orchestrator.errors import (
    InputError,
    InvalidStateError,
    NotFoundError,
    NoTranslator,
    StaleVersionError,
    VoiceNotFoundError,
)
from video_orchestrator.languages import SUPPORTED, is_supported, name_of, primary
from video_orchestrator.pipeline.translate_script import (
    Translation,
    llm_translation,
    offline_translation,
    usable_translator,
)
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import Idempotency, JobOut, JobService
from video_orchestrator.services.projects import ProjectOut, ProjectService
from video_orchestrator.services.usage import UsageService
from video_orchestrator.services.voices import voice_for_language
from video_orchestrator.store.tables import Project, utcnow

#: How a version is asked for: made by whatever translator there is, or written by hand.
Mode = Literal["auto", "hand"]


def no_translator_advice(source: str, target: str) -> str:
    """What the user can do when nothing can translate ``source`` → ``target``."""
    s, t = primary(source), primary(target)
    return (
        f"no translator is configured for {name_of(source)} → {name_of(target)}: set up a "
        "language model (VO_LLM_PRESET=ollama or llamacpp, or a key such as "
        "VO_ANTHROPIC_API_KEY; in the studio, Settings), or install the offline translator "
        f"(pip install 'video-orchestrator[translate]', then argospm install "
        f"translate-{s}_{t}); or write the {name_of(target)} version by hand"
    )


class VersionAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="the project version the client has")
    language: str = Field(min_length=2, max_length=16)
    mode: Mode = Field(
        "auto",
        description="auto: the language model (translate, then adapt), else the offline "
        "translator, else 422 no-translator; hand: the user's script, or with none a copy of "
        "the source marked 'not translated' to write over",
    )
    script: Script | None = Field(None, description="mode hand: the version's script")


class VersionEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, description="the project version the client has")
    script: Script | None = None
    voice: str | None = Field(None, max_length=200, description="a voice id from /voices")


@dataclass(frozen=True)
class VersionOutcome:
    project: ProjectOut
    version: LanguageVersion
    #: One line for the user: a voice of the language is missing, a model fell back …
    notice: str | None = None


class LanguageVersions:
    def __init__(self, ctx: AppContext, jobs: JobService) -> None:
        self.ctx = ctx
        self.projects = ProjectService(ctx.db)
        self.jobs = jobs

    # -- reading ---------------------------------------------------------------------------

    def all(self, project_id: str) -> list[LanguageVersion]:
        return self.projects.get(project_id).languages

    def get(self, project_id: str, language: str) -> LanguageVersion:
        return _find(self.projects.get(project_id), language)

    # -- changing --------------------------------------------------------------------------

    def add(self, project_id: str, request: VersionAdd) -> VersionOutcome:
        """A new version (the model's or translator's work is done before the project is
        locked: the edit fails with 409 when the project changed meanwhile)."""
        project = self.projects.get(project_id)
        code = primary(request.language)
        source = project.script
        if source is None:
            raise InputError("the project has no script yet: write or generate it first")
        if not is_supported(code):
            raise InputError(
                f"{request.language!r} is not a language the studio speaks: choose one of "
                f"{', '.join(SUPPORTED)}"
            )
        if code == primary(project.language):
            raise InputError(f"{name_of(code)} is the project's own language")
        if any(v.language == code for v in project.languages):
            raise InvalidStateError(
                f"the project has a {name_of(code)} version already: edit it, or remove it first"
            )
        source = source.model_copy(update={"language": project.language})
        if request.mode == "hand":
            made = _by_hand(source, code, request.script)
        else:
            made = self._translate(source, code, project.platforms[0])
        voice, notice = self._voice(code)
        version = LanguageVersion(
            language=code,
            script=made.script,
            made_by=made.made_by,
            by=made.by,
            notes=list(made.notes),
            voice=voice,
            needs_writing=request.mode == "hand" and request.script is None,
        )
        saved = self._save(project_id, request.version, lambda versions: [*versions, version])
        if made.llm is not None:
            UsageService(self.ctx.db).record(project_id, made.llm, purpose="translation")
        return VersionOutcome(saved, version, notice)

    def edit(self, project_id: str, language: str, request: VersionEdit) -> VersionOutcome:
        code = primary(language)
        changes = request.model_dump(exclude_unset=True, exclude={"version"})

        def change(versions: list[LanguageVersion]) -> list[LanguageVersion]:
            out = []
            for v in versions:
                if v.language == code:
                    update: dict[str, object] = {}
                    if request.script is not None:
                        script = request.script.model_copy(update={"language": code})
                        update.update(script=script, edited=True, needs_writing=False)
                    if "voice" in changes:
                        update["voice"] = request.voice
                    v = v.model_copy(update=update)
                out.append(v)
            return out

        self.get(project_id, code)  # 404 before anything else
        saved = self._save(project_id, request.version, change)
        return VersionOutcome(saved, _find(saved, code))

    def remove(self, project_id: str, language: str, version: int) -> ProjectOut:
        code = primary(language)
        self.get(project_id, code)
        return self._save(
            project_id, version, lambda versions: [v for v in versions if v.language != code]
        )

    # -- rendering -------------------------------------------------------------------------

    def render(
        self,
        project_id: str,
        languages: list[str] | None = None,
        platforms: list[str] | None = None,
        *,
        idempotency: Idempotency | None = None,
    ) -> list[JobOut]:
        """One render job per language (default: the project's own and every version) and
        platform, in one batch. A version still to be written by hand is refused."""
        project = self.projects.get(project_id)
        if project.script is None:
            raise InputError("the project has no script yet: write or generate it first")
        own = primary(project.language)
        wanted = list(dict.fromkeys(primary(c) for c in languages)) if languages else None
        codes = wanted or [own, *(v.language for v in project.languages)]
        for code in codes:
            if code == own:
                continue
            version = _find(project, code)
            if version.needs_writing:
                raise InvalidStateError(
                    f"the {name_of(code)} version is not written yet (a copy of the source "
                    "script): write it, then render"
                )
        return self.jobs.submit_languages(project_id, codes, platforms, idempotency=idempotency)

    # -- the steps -------------------------------------------------------------------------

    def _translate(self, source: Script, target: str, platform: str) -> Translation:
        llm = self.ctx.llm
        if llm is not None:
            return llm_translation(source, target, llm)
        translator = usable_translator(self.ctx.translators, source.language, target)
        if translator is not None:
            return offline_translation(source, target, translator, self.ctx.preset(platform))
        raise NoTranslator(no_translator_advice(source.language, target))

    def _voice(self, language: str) -> tuple[str | None, str | None]:
        """The language's default voice as ``provider:voice``, or None and why."""
        try:
            chosen = voice_for_language(self.ctx, language)
        except VoiceNotFoundError as exc:
            return None, str(exc).replace(", or pick one with --voice", "")
        return f"{chosen.tts.name}:{chosen.voice.id}", None

    def _save(
        self,
        project_id: str,
        version: int,
        change: Callable[[list[LanguageVersion]], list[LanguageVersion]],
    ) -> ProjectOut:
        try:
            with self.ctx.db.session() as session:
                row = session.get(Project, project_id)
                if row is None:
                    raise NotFoundError(f"the project {project_id} does not exist")
                if row.version != version:
                    raise StaleVersionError(
                        f"the project changed since you read it (you have version {version}, "
                        f"it is at {row.version}): reload it and edit again"
                    )
                current = [LanguageVersion.model_validate(v) for v in row.languages or []]
                row.languages = [v.model_dump(mode="json") for v in change(current)]
                row.updated_at = utcnow()
                session.flush()
                return ProjectOut.model_validate(row)
        except StaleDataError as exc:
            raise StaleVersionError(
                "the project was changed by someone else at the same moment: reload it"
            ) from exc


def _find(project: ProjectOut, language: str) -> LanguageVersion:
    code = primary(language)
    for version in project.languages:
        if version.language == code:
            return version
    raise NotFoundError(f"the project has no {name_of(code)} version")


def _by_hand(source: Script, target: str, script: Script | None) -> Translation:
    if script is not None:
        return Translation(script.model_copy(update={"language": target}), "hand", "")
    return Translation(
        source.model_copy(update={"language": target}),
        "hand",
        "",
        notes=(
            f"not translated: the {name_of(source.language)} script copied as a starting "
            f"point; rewrite it in {name_of(target)} before rendering",
        ),
    )
