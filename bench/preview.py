"""Draft preview benchmark (issue 13): the studio's draft of a 30 s project against the final
render of the same project, on this machine, in one run.

The project: a 30 s script (five scenes, spoken by the default Piper voice), two 1080p clips
as the backgrounds of scenes 1 and 3 (generated scenes between), karaoke captions, the made
music bed. Both variants go through the same code the studio runs: the final render is
``MakeVideo`` with the project's settings (standard quality, 1080×1920, what a render job
does); the draft is ``DraftPreviews.make`` (360×640, ultrafast). The voice, the music bed and
the prepared media are made once before timing (both variants then find them in the step
cache, as they do in the studio after the first render or draft). Draft and final alternate,
``--reps`` times each; the draft cache is cleared before each draft. Wall seconds and the load
average of the machine (other work shares its CPUs) are recorded.

Usage::

    .venv/bin/python bench/preview.py              # records bench/RESULTS.md
    .venv/bin/python bench/preview.py --reps 1 --no-record
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

from _common import landscape_source, machine_summary  # noqa: E402

from video_orchestrator.config import Settings  # noqa: E402
from video_orchestrator.domain.script import Scene, Script  # noqa: E402
from video_orchestrator.services.assets import AssetService  # noqa: E402
from video_orchestrator.services.context import AppContext  # noqa: E402
from video_orchestrator.services.job_runner import scene_backgrounds  # noqa: E402
from video_orchestrator.services.make import MakeRequest, MakeVideo  # noqa: E402
from video_orchestrator.services.preview import DraftPreviews  # noqa: E402
from video_orchestrator.services.progress import SilentReporter  # noqa: E402
from video_orchestrator.services.projects import ProjectCreate, ProjectUpdate  # noqa: E402
from video_orchestrator.spec.options import BackgroundSettings  # noqa: E402

SCENES = [
    "The deep ocean begins about two hundred metres down, where sunlight fades to nothing.",
    "Below a thousand metres there is no sunlight at all, and the water stays near freezing.",
    "The pressure at the bottom of the Mariana Trench is a thousand times that at the surface.",
    "Many animals there make their own light, a cold blue glow called bioluminescence.",
    "Some fish carry a glowing lure on their heads to draw their prey close in the dark.",
]


def final_render(ctx: AppContext, project_id: str, out: Path) -> float:
    """What a render job does for the project (job_runner._make), timed."""
    previews = DraftPreviews(ctx)
    project = previews.projects.get(project_id)
    assert project.script is not None
    request = MakeRequest(
        topic=project.topic,
        script_text=project.script.model_dump_json(),
        genre=project.genre,
        options=project.video_options(project.platforms[0]),
        scene_media=scene_backgrounds(ctx, previews.assets, project.background.assets, out / "m"),
        out=out / "out",
    )
    started = time.monotonic()
    MakeVideo(ctx)(request, SilentReporter())
    return time.monotonic() - started


def draft_render(previews: DraftPreviews, project_id: str) -> tuple[float, float]:
    for stale in previews.folder.glob("*.mp4"):
        stale.unlink()
    started = time.monotonic()
    draft = previews.make(project_id)
    assert not draft.cached
    return time.monotonic() - started, draft.duration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vo-bench-preview-") as folder:
        work = Path(folder)
        ctx = AppContext(Settings(data_dir=work / "data", cache_dir=work / "cache"))
        ffmpeg = str(ctx.ffmpeg)
        assets = AssetService(ctx.db, ctx.files)
        one, _ = assets.add_file(landscape_source(ffmpeg, work / "a.mp4", "gradients", 8), "a.mp4")
        two, _ = assets.add_file(landscape_source(ffmpeg, work / "b.mp4", "testsrc2", 8), "b.mp4")
        previews = DraftPreviews(ctx)
        made = previews.projects.create(ProjectCreate(topic="the deep ocean"))
        script = Script(
            topic="the deep ocean",
            title="The deep ocean",
            hook="The deep ocean is darker than you think.",
            scenes=[Scene(narration=text) for text in SCENES],
            call_to_action="Follow for more about the deep sea and the strange animals in it.",
        )
        project = previews.projects.update(
            made.id,
            ProjectUpdate(
                version=made.version,
                script=script,
                background=BackgroundSettings(assets=[one.id, None, two.id]),
            ),
        )
        print("warming the step cache (voice, music, media)…", flush=True)
        final_render(ctx, project.id, work / "warm")
        finals: list[float] = []
        drafts: list[float] = []
        loads: list[float] = []
        length = 0.0
        for rep in range(args.reps):
            loads.append(os.getloadavg()[0])
            seconds, length = draft_render(previews, project.id)
            drafts.append(seconds)
            loads.append(os.getloadavg()[0])
            finals.append(final_render(ctx, project.id, work / f"final-{rep}"))
            print(f"rep {rep + 1}: draft {drafts[-1]:.1f} s, final {finals[-1]:.1f} s", flush=True)
        loads.append(os.getloadavg()[0])
        ctx.db.dispose()
    ratio = statistics.median(drafts) / statistics.median(finals)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = "\n".join(
        f"| {i + 1} | {d:.1f} s | {f:.1f} s | {d / f:.2f} |"
        for i, (d, f) in enumerate(zip(drafts, finals, strict=True))
    )
    report = f"""## Draft preview (bench/preview.py) — {when}

{machine_summary()}. A {length:.0f} s project (five scenes, Piper voice, two 1080p clips,
karaoke captions, made music): the studio's draft (`DraftPreviews.make`, 360×640, ultrafast)
against the final render of the same project (`MakeVideo`, 1080×1920, standard quality), voice
and music already in the step cache for both, alternated. Load average (1 min) during the run:
{min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} CPUs — other helpers' builds and tests
were running on this machine at the same time, so absolute times are inflated; compare the
ratio.

| rep | draft | final | draft / final |
| --- | ---: | ---: | ---: |
{rows}

Median draft / final: **{ratio:.2f}** (target: under 0.33).
"""
    print(report)
    if not args.no_record:
        results = HERE / "RESULTS.md"
        text = results.read_text(encoding="utf-8")
        head, _, rest = text.partition("\n## ")
        results.write_text(f"{head}\n{report}\n## {rest}", encoding="utf-8")
    if work.exists():
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
