"""Runs one job, whichever executor delivered it: load the workload, do the work in a private
folder, store the outputs, record the result. The same code runs in a local worker process
and in a Celery worker.

Outputs become visible only once complete: each file is stored atomically, and the output
rows are committed with the job's success, so a crash leaves nothing half-made to download.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from video_orchestrator.errors import NotFoundError, RenderCancelled, SpecError, VoError
from video_orchestrator.jobs.workload import MakeWorkload, RenderSpecWorkload, parse_workload
from video_orchestrator.render.ffmpeg import Progress
from video_orchestrator.services.assets import AssetService, safe_filename, sha256_of
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.facade import one_line
from video_orchestrator.services.make import MakeRequest, MakeVideo
from video_orchestrator.services.projects import ProjectService, new_id
from video_orchestrator.services.usage import UsageService
from video_orchestrator.spec import RenderSpec
from video_orchestrator.store.job_queue import JobQueue
from video_orchestrator.store.tables import Job, Output

logger = logging.getLogger(__name__)

#: Share of the whole job each step takes, for one overall percentage and an ETA.
STEP_WEIGHTS = {"script": 0.05, "voice": 0.2, "media": 0.05, "render": 0.65, "export": 0.05}
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
    ".json": "application/json",
}


class JobReporter:
    """A :class:`~video_orchestrator.services.progress.Reporter` that writes to the job record
    (at most a few times a second) with an overall percentage and an ETA."""

    def __init__(self, queue: JobQueue, job_id: str, *, min_interval: float = 0.25) -> None:
        self.queue = queue
        self.job_id = job_id
        self.min_interval = min_interval
        self.started = time.monotonic()
        self._step = "starting"
        self._done_before = 0.0
        self._fraction = 0.0
        self._last_write = 0.0

    def _overall(self) -> float:
        return min(1.0, self._done_before + STEP_WEIGHTS.get(self._step, 0.0) * self._fraction)

    def _write(self, *, force: bool = False, log_line: str | None = None) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval:
            return
        self._last_write = now
        overall = self._overall()
        elapsed = now - self.started
        eta = elapsed / overall * (1 - overall) if overall >= 0.05 else None
        self.queue.progress(
            self.job_id, step=self._step, progress=overall, eta_seconds=eta, log_line=log_line
        )

    def step(self, key: str, label: str) -> None:
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
    """Refreshes the job's heartbeat and turns a cancel request into ``cancel.set()``."""

    def __init__(self, queue: JobQueue, job_id: str, worker: str, interval: float) -> None:
        self.queue, self.job_id, self.worker, self.interval = queue, job_id, worker, interval
        self.cancel = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if self.queue.heartbeat(self.job_id, self.worker):
                    self.cancel.set()
            except VoError:
                logger.warning("heartbeat of job %s failed", self.job_id, exc_info=True)


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

    def workdir(self, job_id: str) -> Path:
        return self.ctx.settings.data_dir / "work" / job_id

    def run(self, job_id: str, worker: str) -> str:
        """Do the job ``worker`` has claimed; returns its final status."""
        with self.ctx.db.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                raise NotFoundError(f"the job {job_id} does not exist")
            raw = dict(job.workload)
        workdir = self.workdir(job_id)
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        reporter = JobReporter(self.queue, job_id)
        status = "failed"
        try:
            with Heartbeat(self.queue, job_id, worker, self.heartbeat_seconds) as beat:
                try:
                    workload = parse_workload(raw)
                except ValidationError as exc:
                    raise SpecError(f"the job's workload is not valid: {one_line(exc)}") from exc
                if isinstance(workload, MakeWorkload):
                    files = self._make(workload, workdir, reporter, beat.cancel, job_id)
                else:
                    files = self._render_spec(workload, workdir, reporter, beat.cancel)
                outputs = [self._store(job_id, kind, path) for kind, path in files.items()]
            self.queue.finish(job_id, "succeeded", outputs=outputs, log_line="finished")
            status = "succeeded"
        except RenderCancelled:
            self.queue.finish(job_id, "cancelled", log_line="cancelled")
            status = "cancelled"
        except VoError as exc:
            self.queue.finish(job_id, "failed", error=str(exc), log_line=f"failed: {exc}")
        except Exception as exc:  # a bug: record it for the user, keep the worker alive
            logger.exception("job %s failed unexpectedly", job_id)
            self.queue.finish(
                job_id,
                "failed",
                error=f"internal error ({type(exc).__name__}: {exc}); the log has details",
                log_line=f"internal error: {type(exc).__name__}: {exc}",
            )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return status

    # -- the two kinds of work -------------------------------------------------------------

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
        request = MakeRequest(
            topic=project.topic or None,
            script_text=project.script.model_dump_json() if project.script else None,
            genre=project.genre,
            target_seconds=project.target_seconds,
            options=project.video_options(workload.platform),
            scene_media=backgrounds,
            music=music,
            sfx=sfx,
            out=workdir / "out",
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
        """Each scene's chosen background as a file under ``folder`` named after the asset
        (so notices name the user's file), in scene order; None where the scene has none."""
        paths: list[Path | None] = []
        for index, asset_id in enumerate(assets):
            if asset_id is None:
                paths.append(None)
                continue
            asset, key = self.assets.get_with_key(asset_id)
            source = self.ctx.files.local_path(key)
            folder.mkdir(exist_ok=True)
            link = folder / f"scene-{index + 1:02d}-{safe_filename(asset.filename)}"
            try:
                os.symlink(source, link)
            except OSError:
                shutil.copyfile(source, link)
            paths.append(link)
        return tuple(paths)

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
            raise SpecError(f"the render spec is not valid: {one_line(exc)}") from exc
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

    def _store(self, job_id: str, kind: str, path: Path) -> Output:
        suffix = ".json" if path.name.endswith(".json") else path.suffix.lower()
        key = f"outputs/{job_id}/{kind}{suffix}"  # the display name is kept in the record
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
