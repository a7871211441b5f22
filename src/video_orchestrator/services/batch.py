"""``vo batch``: many videos from a CSV or JSON list of topics, through the same job queue the
server uses — run here by worker threads, or left queued for ``vo serve`` / ``vo worker``."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from video_orchestrator.config import Settings
from video_orchestrator.errors import InputError
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.jobs import BatchOut, JobOut, JobService, parse_batch
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.store.job_queue import FINISHED

MAX_BATCH_FILE = 1_000_000


def read_batch(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"the batch file {path} does not exist")
    if path.stat().st_size > MAX_BATCH_FILE:
        raise InputError(f"the batch file {path.name} is over {MAX_BATCH_FILE // 1000} kB")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the batch file {path.name} is not UTF-8 text") from exc


def submit_batch(settings: Settings, path: Path) -> BatchOut:
    """Queue every item of the file (checked first: a bad item queues nothing)."""
    text = read_batch(path)
    kind = "text/csv" if path.suffix.lower() == ".csv" else "application/json"
    items = parse_batch(text, kind)
    ctx = AppContext(settings)
    return JobService(ctx.db, None, max_attempts=settings.job_max_attempts).submit_batch(items)


def run_batch(
    settings: Settings,
    batch: BatchOut,
    *,
    workers: int,
    out_dir: Path | None,
    on_update: Callable[[list[JobOut]], None],
    poll_seconds: float = 0.3,
    keep_names: bool = False,
) -> list[JobOut]:
    """Run the batch's jobs with ``workers`` threads until all end; copy each finished job's
    files into ``out_dir`` (named ``<job id>-<file>``, or as they are with ``keep_names``).
    Interrupted (Ctrl-C): the jobs not finished are cancelled."""
    ctx = AppContext(settings).with_stored_secrets()
    executor = ThreadExecutor(ctx.settings, ctx.db, worker_runner, workers=workers)
    jobs = JobService(ctx.db, executor)
    ids = [job.id for job in batch.jobs]
    executor.start()
    for job_id in ids:
        executor.submit(job_id)
    try:
        while True:
            current = [jobs.get(job_id) for job_id in ids]
            on_update(current)
            if all(job.status in FINISHED for job in current):
                break
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        for job_id in ids:
            if jobs.get(job_id).status not in FINISHED:
                jobs.cancel(job_id)
        raise
    finally:
        executor.end()
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for job in current:
            for output in job.outputs:
                _, key = jobs.output(job.id, output.id)
                name = output.filename if keep_names else f"{job.id[:8]}-{output.filename}"
                target = out_dir / name
                shutil.copyfile(ctx.files.local_path(key), target)
    return current
