"""``vo make --langs en,ro,es`` (ADR 0039): one script, its versions in the other languages
(translated and adapted as in the studio), and one video per language rendered in one batch
through the job queue, named with the language (``slug-ro.mp4``).

Every language's voice is checked before anything is written or translated: a missing one
stops the run with one line naming how to install it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from video_orchestrator.config import Settings
from video_orchestrator.errors import InputError
from video_orchestrator.languages import SUPPORTED, is_supported, name_of, primary
from video_orchestrator.services.batch import run_batch
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import BatchOut, JobOut, JobService
from video_orchestrator.services.language_versions import LanguageVersions, VersionAdd
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.progress import Reporter
from video_orchestrator.services.projects import ProjectCreate, ProjectService
from video_orchestrator.services.voices import voice_for_language


@dataclass(frozen=True)
class LanguagesMade:
    project_id: str
    jobs: list[JobOut]
    #: The video of each language that rendered, in ``out``.
    videos: dict[str, Path]


def parse_languages(text: str) -> list[str]:
    """``"en, ro,es"`` → ``["en", "ro", "es"]``; an unknown code is the user's input error."""
    codes = list(dict.fromkeys(primary(c) for c in text.split(",") if c.strip()))
    unknown = [c for c in codes if not is_supported(c)]
    if unknown or not codes:
        raise InputError(
            f"--langs: {', '.join(unknown) or 'no language'} is not one of {', '.join(SUPPORTED)}"
        )
    return codes


def make_in_languages(
    settings: Settings,
    request: MakeRequest,
    languages: list[str],
    reporter: Reporter,
    on_update: Callable[[list[JobOut]], None],
) -> LanguagesMade:
    if request.out.suffix.lower() == ".mp4":
        raise InputError("--langs makes one video per language: give -o a folder, not a .mp4")
    if request.media_dir is not None or request.music is not None or request.sfx is not None:
        raise InputError(
            "--langs renders through a project: --media, a --music file and a --sfx file are "
            "not supported with it yet (the made music and effects are)"
        )
    ctx = AppContext(settings).with_stored_secrets()
    request, script = MakeVideo(ctx).write_script(request, reporter)
    source = primary(request.language)
    others = [code for code in languages if code != source]
    for code in others:  # a missing voice stops the run before anything is translated
        voice_for_language(ctx, code)
    projects = ProjectService(ctx.db)
    options = request.options
    project = projects.create(
        ProjectCreate(
            topic=script.topic,
            genre=request.genre,
            language=source,
            platforms=[request.platform],
            target_seconds=request.target_seconds,
            script=script,
            voice=options.voice,
            background=options.background,
            audio=options.audio,
            captions=options.captions,
            export=options.export,
        )
    )
    versions = LanguageVersions(ctx, JobService(ctx.db, None))
    version = project.version
    for code in others:
        reporter.step("translate", f"Making the {name_of(code)} version")
        done = versions.add(project.id, VersionAdd(version=version, language=code))
        version = done.project.version
        notes = "; ".join(done.version.notes)
        reporter.notice(
            f"{name_of(code)}: {done.version.describe()}" + (f" — {notes}" if notes else "")
        )
    jobs = versions.render(project.id, languages)
    batch = BatchOut(batch_id=jobs[0].batch_id or "", jobs=jobs)
    finished = run_batch(
        settings, batch, workers=1, out_dir=request.out, on_update=on_update, keep_names=True
    )
    videos = {
        job.language or source: request.out / output.filename
        for job in finished
        for output in job.outputs
        if output.kind == "video"
    }
    return LanguagesMade(project.id, finished, videos)
