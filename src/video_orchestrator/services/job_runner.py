"""Runs one attempt at a job, whichever executor delivered it: load the workload, do the work
in the attempt's own folder, store the outputs, record the result. The same code runs in a
local worker process and in a Celery worker.

Outputs become visible only once complete: each file is stored atomically under a key of its
attempt, and the output rows are committed with the job's success, so a crash leaves nothing
half-made to download. Every write to the job is fenced on the attempt's lease (ADR 0017): an
attempt that recovery gave to another worker notices it (heartbeat, progress or finish), stops
its FFmpeg, removes what it stored and writes nothing more.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from video_orchestrator.errors import (
    JobSuperseded,
    NotFoundError,
    RenderCancelled,
    SpecError,
    VoError,
)
from video_orchestrator.jobs.workload import MakeWorkload, RenderSpecWorkload, parse_workload
from video_orchestrator.languages import name_of, primary
from video_orchestrator.languages.slug import slugify
from video_orchestrator.render.ffmpeg import Progress
from video_orchestrator.services.assets import AssetService, safe_filename, sha256_of
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.projects import ProjectService, new_id
from video_orchestrator.services.tasks import HANDLERS
from video_orchestrator.services.usage import UsageService
from video_orchestrator.spec import RenderSpec
from video_orchestrator.store.job_queue import JobQueue, Lease
from video_orchestrator.store.tables import Job, Output
from video_orchestrator.text import validation_summary

logger = logging.getLogger(__name__)

#: Share of the whole job each step takes, for one overall percentage and an ETA.
STEP_WEIGHTS = {"script": 0.05, "voice": 0.2, "media": 0.05, "render": 0.65, "export": 0.05}
#: Seconds the export step (thumbnail, captions, metadata) takes after the render, about.
EXPORT_SECONDS = 2.0
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
    ".json": "application/json",
}


class Attempt:
    """What the threads of one attempt share: its lease, the event that stops its FFmpeg, and
    why it must stop writing (superseded by another attempt, or its worker abandoning it)."""

    def __init__(self, lease: Lease, abandon: threading.Event | None = None) -> None:
        self.lease = lease
        self.cancel = threading.Event()
        self.superseded = threading.Event()
        self.abandon = abandon if abandon is not None else threading.Event()

    def supersede(self) -> None:
        if not self.superseded.is_set():
            logger.warning(
                "attempt %d of job %s was taken over by another worker: stopping it",
                self.lease.attempt,
                self.lease.job_id,
            )
        self.superseded.set()
        self.cancel.set()

    def stopped(self) -> str | None:
        """ "superseded" or "abandoned" when this attempt must write nothing more."""
        if self.superseded.is_set():
            return "superseded"
        if self.abandon.is_set():
            self.cancel.set()
            return "abandoned"
        return None


class JobReporter:
    """A :class:`~video_orchestrator.services.progress.Reporter` that writes to the job record
    (at most a few times a second) with an overall percentage and an ETA, while the attempt
    still owns the job."""

    def __init__(
        self,
        queue: JobQueue,
        attempt: Attempt,
        *,
        min_interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queue = queue
        self.attempt = attempt
        self.min_interval = min_interval
        self.clock = clock
        self.started = clock()
        self._step = "starting"
        self._done_before = 0.0
        self._fraction = 0.0
        self._last_write = 0.0
        self._expected: dict[str, float] = {}  # step → seconds, from the measured speed
        self._step_started = self.started

    def _overall(self) -> float:
        return min(1.0, self._done_before + STEP_WEIGHTS.get(self._step, 0.0) * self._fraction)

    def _write(self, *, force: bool = False, log_line: str | None = None) -> None:
        now = self.clock()
        if not force and now - self._last_write < self.min_interval:
            return
        if self.attempt.stopped():
            return
        self._last_write = now
        overall = self._overall()
        eta = self._time_left(now)
        try:
            self.queue.progress(
                self.attempt.lease,
                step=self._step,
                progress=overall,
                eta_seconds=eta,
                log_line=log_line,
            )
        except JobSuperseded:
            self.attempt.supersede()

    def _time_left(self, now: float) -> float | None:
        """Seconds left, from this machine's measured render speed: None until the render
        step begins (the voice and media steps take what they take), then the expected render
        time less what is done, trusting this render's own pace more as it gets further."""
        if self._step == "export":
            return EXPORT_SECONDS
        if self._step != "render":
            return None
        done = self._fraction
        in_step = now - self._step_started
        expected = self._expected.get("render")
        own = in_step / done * (1 - done) if done >= 0.1 and in_step >= 3 else None
        if expected is None:
            return None if own is None else own + EXPORT_SECONDS
        measured = max(expected * (1 - done), expected - in_step, 0.0)
        left = measured if own is None else (1 - done) * measured + done * own
        return left + EXPORT_SECONDS

    def expect(self, key: str, seconds: float) -> None:
        self._expected[key] = seconds
        self._write(force=True)

    def step(self, key: str, label: str) -> None:
        self._step_started = self.clock()
        if self._step in STEP_WEIGHTS:
            self._done_before += STEP_WEIGHTS[self._step]
        self._step, self._fraction = key, 0.0
        self._write(force=True, log_line=label)

    def progress(self, key: str, fraction: float) -> None:
        # Never backwards within a step (FFmpeg's out_time can jump ahead for a moment).
        self._fraction = max(self._fraction, min(1.0, fraction))
        self._write(force=fraction >= 1.0)

    def notice(self, message: str) -> None:
        self._write(force=True, log_line=f"note: {message}")


class Heartbeat:
    """Refreshes the attempt's heartbeat and turns a cancel request, a takeover by another
    attempt or the worker abandoning the attempt into ``cancel.set()`` (FFmpeg stops)."""

    def __init__(self, queue: JobQueue, attempt: Attempt, interval: float) -> None:
        self.queue, self.attempt, self.interval = queue, attempt, interval
        self.cancel = attempt.cancel
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"heartbeat-{attempt.lease.job_id}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self.attempt.stopped():
                return
            try:
                if self.queue.heartbeat(self.attempt.lease):
                    self.cancel.set()
            except JobSuperseded:
                self.attempt.supersede()
                return
            except VoError:
                logger.warning(
                    "heartbeat of job %s failed", self.attempt.lease.job_id, exc_info=True
                )


def resolve_asset_refs(data: Any, assets: AssetService) -> Any:
    """A copy of a spec's JSON with every ``"path": "asset:<id>"`` made a local file path.
    Any other path is refused: no path from a request reaches the file system."""
    if isinstance(data, list):
        return [resolve_asset_refs(item, assets) for item in data]
    if not isinstance(data, dict):
        return data
    resolved: dict[str, Any] = {}
    for key, value in data.items():
        if key == "path" and isinstance(value, str):
            if not value.startswith("asset:"):
                raise SpecError(
                    f"the spec refers to the file {value!r}: through the API, media are "
                    'assets, written as "asset:<id>" (upload the file to /assets first)'
                )
            resolved[key] = str(assets.local_path(value.removeprefix("asset:")))
        else:
            resolved[key] = resolve_asset_refs(value, assets)
    return resolved


class JobRunner:
    def __init__(self, ctx: AppContext, *, heartbeat_seconds: float = 0.5) -> None:
        self.ctx = ctx
        self.queue = JobQueue(ctx.db)
        self.assets = AssetService(ctx.db, ctx.files)
        self.projects = ProjectService(ctx.db)
        self.heartbeat_seconds = heartbeat_seconds

    def workdir(self, lease: Lease) -> Path:
        """The attempt's own folder: ``work/<job>/<attempt>``."""
        return self.ctx.settings.data_dir / "work" / lease.job_id / str(lease.attempt)

    def run(self, lease: Lease, abandon: threading.Event | None = None) -> str:
        """Do the attempt ``lease`` names; its final status, or "superseded" (another attempt
        owns the job now) or "abandoned" (``abandon`` was set: the worker is going away and
        leaves the job to recovery), in which cases it wrote nothing to the job."""
        with self.ctx.db.session() as session:
            job = session.get(Job, lease.job_id)
            if job is None:
                raise NotFoundError(f"the job {lease.job_id} does not exist")
            raw = dict(job.workload)
        attempt = Attempt(lease, abandon)
        workdir = self.workdir(lease)
        stored: list[str] = []
        status = "failed"
        try:
            _fresh_dir(workdir)
            reporter = JobReporter(self.queue, attempt)
            with Heartbeat(self.queue, attempt, self.heartbeat_seconds) as beat:
                try:
                    workload = parse_workload(raw)
                except ValidationError as exc:
                    raise SpecError(
                        f"the job's workload is not valid: {validation_summary(exc)}"
                    ) from exc
                if isinstance(workload, MakeWorkload):
                    files = self._make(workload, workdir, reporter, beat.cancel, lease.job_id)
                elif isinstance(workload, RenderSpecWorkload):
                    files = self._render_spec(workload, workdir, reporter, beat.cancel)
                else:  # a task (ADR 0025): its handler does the work, no outputs
                    reporter.step("task", f"Running {workload.kind}")
                    HANDLERS[workload.kind](self.ctx, workload, reporter, beat.cancel)
                    files = {}
                outputs = []
                for kind, path in files.items():
                    if attempt.stopped():
                        break
                    outputs.append(self._store(lease, kind, path))
                    stored.append(outputs[-1].storage_key)
            status = self._conclude(
                attempt, "succeeded", stored, outputs=outputs, log_line="finished"
            )
        except RenderCancelled:
            status = self._conclude(attempt, "cancelled", stored, log_line="cancelled")
        except VoError as exc:
            status = self._conclude(
                attempt, "failed", stored, error=str(exc), log_line=f"failed: {exc}"
            )
        except Exception as exc:  # a bug: record it for the user, keep the worker alive
            logger.exception("job %s failed unexpectedly", lease.job_id)
            status = self._conclude(
                attempt,
                "failed",
                stored,
                error=f"internal error ({type(exc).__name__}: {exc}); the log has details",
                log_line=f"internal error: {type(exc).__name__}: {exc}",
            )
        finally:
            _clear_work(workdir, owner=status not in ("superseded", "abandoned"))
        return status

    def _conclude(
        self,
        attempt: Attempt,
        status: str,
        stored: list[str],
        *,
        error: str | None = None,
        outputs: list[Output] | None = None,
        log_line: str | None = None,
    ) -> str:
        """Record the end of the attempt if it still owns the job; else remove what it
        stored and say why it wrote nothing."""
        stopped = attempt.stopped()
        if stopped is None:
            try:
                self.queue.finish(
                    attempt.lease, status, error=error, outputs=outputs, log_line=log_line
                )
                return status
            except JobSuperseded:
                attempt.supersede()
                stopped = "superseded"
        for key in stored:
            try:
                self.ctx.files.delete(key)
            except VoError:
                logger.warning("could not remove %s of a stopped attempt", key, exc_info=True)
        logger.info(
            "attempt %d of job %s %s: nothing recorded",
            attempt.lease.attempt,
            attempt.lease.job_id,
            stopped,
        )
        return stopped

    # -- the two kinds of render -----------------------------------------------------------

    def _make(
        self,
        workload: MakeWorkload,
        workdir: Path,
        reporter: JobReporter,
        cancel: threading.Event,
        job_id: str,
    ) -> dict[str, Path]:
        project = self.projects.get(workload.project_id)
        backgrounds = self._scene_backgrounds(project.background.assets, workdir / "media")
        audio = project.audio
        music = self.assets.local_path(audio.music_asset) if audio.music_asset else None
        sfx = self.assets.local_path(audio.sfx_asset) if audio.sfx_asset else None
        # the project's language setting is the script's language (ADR 0031); a language
        # version speaks its own script with its own voice (ADR 0039)
        language, script = project.language, project.script
        options = project.video_options(workload.platform)
        out = workdir / "out"
        if workload.language is not None:
            if primary(workload.language) != primary(project.language):
                version = next(
                    (v for v in project.languages if v.language == primary(workload.language)),
                    None,
                )
                if version is None:
                    raise NotFoundError(
                        f"the project has no {name_of(workload.language)} version any more"
                    )
                language, script = version.language, version.script
                options = options.model_copy(
                    update={
                        "language": language,
                        "voice": options.voice.model_copy(update={"voice": version.voice}),
                    }
                )
            if script is not None:
                out = out / f"{slugify(script.title)}-{primary(language)}.mp4"
        request = MakeRequest(
            topic=project.topic or None,
            script_text=(
                script.model_copy(update={"language": language}).model_dump_json()
                if script
                else None
            ),
            genre=project.genre,
            target_seconds=project.target_seconds,
            options=options,
            scene_media=backgrounds,
            music=music,
            sfx=sfx,
            out=out,
        )
        use_case = MakeVideo(self.ctx)
        result = use_case(request, reporter, cancel)
        UsageService(self.ctx.db).record(
            project.id, result.llm_usage, purpose="render", job_id=job_id
        )
        return {
            "video": result.video,
            "thumbnail": result.thumbnail,
            "srt": result.srt,
            "vtt": result.vtt,
            "metadata": result.metadata,
            "spec": result.spec,
        }

    def _scene_backgrounds(self, assets: list[str | None], folder: Path) -> tuple[Path | None, ...]:
        return scene_backgrounds(self.ctx, self.assets, assets, folder)

    def _render_spec(
        self,
        workload: RenderSpecWorkload,
        workdir: Path,
        reporter: JobReporter,
        cancel: threading.Event,
    ) -> dict[str, Path]:
        data = resolve_asset_refs(workload.spec, self.assets)
        try:
            spec = RenderSpec.model_validate(data)
        except ValidationError as exc:
            raise SpecError(f"the render spec is not valid: {validation_summary(exc)}") from exc
        reporter.step("render", "Rendering the spec")

        def on_progress(progress: Progress) -> None:
            if progress.fraction is not None:
                reporter.progress("render", progress.fraction)

        out = workdir / "out" / f"{safe_filename(workload.filename, 'video')}.mp4"
        out.parent.mkdir(parents=True)
        result = self.ctx.renderer.render(spec, out, on_progress=on_progress, cancel=cancel)
        spec_file = out.with_suffix(".spec.json")
        spec_file.write_text(json.dumps(workload.spec, indent=2), encoding="utf-8")
        return {"video": result.path, "spec": spec_file}

    def _store(self, lease: Lease, kind: str, path: Path) -> Output:
        suffix = ".json" if path.name.endswith(".json") else path.suffix.lower()
        # one folder per attempt: an attempt that lost the job never overwrites the files of
        # the one that replaced it (the display name is kept in the record)
        key = f"outputs/{lease.job_id}/{lease.attempt}/{kind}{suffix}"
        self.ctx.files.put_file(path, key)
        return Output(
            id=new_id(),
            kind=kind,
            filename=safe_filename(path.name),
            storage_key=key,
            size=path.stat().st_size,
            sha256=sha256_of(path),
            media_type=MEDIA_TYPES.get(suffix, "application/octet-stream"),
        )


def scene_backgrounds(
    ctx: AppContext, service: AssetService, assets: list[str | None], folder: Path
) -> tuple[Path | None, ...]:
    """Each scene's chosen background as a file under ``folder`` named after the asset
    (so notices name the user's file), in scene order; None where the scene has none."""
    paths: list[Path | None] = []
    for index, asset_id in enumerate(assets):
        if asset_id is None:
            paths.append(None)
            continue
        asset, key = service.get_with_key(asset_id)
        source = ctx.files.local_path(key)
        folder.mkdir(parents=True, exist_ok=True)
        link = folder / f"scene-{index + 1:02d}-{safe_filename(asset.filename)}"
        try:
            os.symlink(source, link)
        except OSError:
            shutil.copyfile(source, link)
        paths.append(link)
    return tuple(paths)


def _fresh_dir(path: Path) -> None:
    """An empty ``path``. Retried: an attempt ending at the same moment may remove the empty
    job folder between the creation of the parent and of ``path``."""
    shutil.rmtree(path, ignore_errors=True)
    for _ in range(5):
        try:
            path.mkdir(parents=True)
            return
        except FileNotFoundError:
            continue
    path.mkdir(parents=True)


def _clear_work(workdir: Path, *, owner: bool) -> None:
    """Remove the attempt's folder. The attempt that ended the job (``owner``) also removes
    the folders earlier attempts left (a crashed worker's); a superseded attempt removes only
    its own, never that of the attempt that replaced it. The job's folder goes when empty."""
    shutil.rmtree(workdir, ignore_errors=True)
    job_dir = workdir.parent
    if owner and workdir.name.isdigit():
        for sibling in job_dir.glob("*"):
            if sibling.name.isdigit() and int(sibling.name) < int(workdir.name):
                shutil.rmtree(sibling, ignore_errors=True)
    with contextlib.suppress(OSError):  # another attempt's folder is in it, or it is gone
        job_dir.rmdir()
