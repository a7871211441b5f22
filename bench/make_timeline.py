"""Where the time of a cold `vo make` goes, stage by stage (issue 14, part B).

Runs what ``vo make --script … --media … --platform tiktok`` runs (``bench/make.py``'s script
and media, an empty cache), in this process, with a reporter that stamps every step. For each
stage: wall seconds, this process's CPU seconds (every thread) and the CPU seconds of the child
processes it waited for (FFmpeg). Inside the stages, a few functions are wrapped to time
them on their own (the Piper model load, synthesis, probing, the loudness pass, the music bed,
the thumbnail, the render's FFmpeg). Python start-up and the CLI's imports are timed first, in
children (``python -c 'import …'``), best of three.

    python bench/make_timeline.py            # after bench/make.py made bench/work/make/
    python bench/make_timeline.py --profile  # also the top of a cProfile of the run
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "make"


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Clock:
    def __init__(self) -> None:
        self.marks: list[tuple[str, float, float, float]] = []
        self.mark("start")
        # name, thread, start, wall, CPU
        self.spans: list[tuple[str, str, float, float, float]] = []
        self.started = time.perf_counter()

    def mark(self, name: str) -> None:
        self.marks.append((name, time.perf_counter(), time.process_time(), _cpu_children()))

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        original: Callable[..., Any] = getattr(owner, attribute)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.spans.append(
                    (
                        name,
                        threading.current_thread().name,
                        start - self.started,
                        time.perf_counter() - start,
                        time.thread_time() - cpu,
                    )
                )

        setattr(owner, attribute, timed)


class StampingReporter:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.notices: list[str] = []

    def step(self, key: str, label: str) -> None:
        self.clock.mark(key)

    def progress(self, key: str, fraction: float) -> None:
        pass

    def notice(self, message: str) -> None:
        self.notices.append(message)

    def expect(self, key: str, seconds: float) -> None:
        pass


_IMPORTS = (
    ("interpreter start-up", "pass"),
    ("the CLI (what `vo` imports first)", "import video_orchestrator.cli.main"),
    (
        "the CLI + services.make (what `vo make` imports before its first step)",
        "import video_orchestrator.cli.main, video_orchestrator.services.make",
    ),
    ("services.facade", "import video_orchestrator.services.facade"),
    ("services.make alone", "import video_orchestrator.services.make"),
)


def import_times(python: str, env: dict[str, str]) -> list[tuple[str, float, float]]:
    """(label, wall, CPU) of ``python -c 'import …'`` in a child, best of three each."""
    rows = []
    for label, code in _IMPORTS:
        best_wall = best_cpu = float("inf")
        for _ in range(3):
            start, cpu = time.perf_counter(), _cpu_children()
            subprocess.run([python, "-c", code], env=env, check=True)
            best_wall = min(best_wall, time.perf_counter() - start)
            best_cpu = min(best_cpu, _cpu_children() - cpu)
        rows.append((label, best_wall, best_cpu))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--skip-imports", action="store_true")
    args = parser.parse_args()
    env = {**os.environ}
    if not args.skip_imports:
        for label, wall, cpu in import_times(sys.executable, env):
            print(f"IMPORT {label}: {wall:.2f} s wall, {cpu:.2f} s CPU (best of 3)", flush=True)

    clock = Clock()
    import video_orchestrator.render.renderer as renderer_module
    import video_orchestrator.services.make as make_module
    from video_orchestrator.config import Settings
    from video_orchestrator.services import facade as services

    clock.mark("imports (in-process)")
    cache = WORK / "cache-timeline"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["VO_CACHE_DIR"] = str(cache)
    os.environ["VO_DATA_DIR"] = str(WORK / "data-timeline")
    os.environ.pop("VO_LLM_BASE_URL", None)

    from video_orchestrator.providers.piper import tts as piper_tts

    for owner, attribute, name in (
        (renderer_module.Renderer, "render", "Renderer.render (loudness + compile + FFmpeg)"),
        (renderer_module.Renderer, "render_still", "Renderer.render_still (thumbnail)"),
        (make_module.MakeVideo, "_media", "MakeVideo._media (probing, matching)"),
        (make_module.MakeVideo, "_made_sounds", "MakeVideo._made_sounds (music bed)"),
        (make_module.MakeVideo, "_narrate", "MakeVideo._narrate (voice)"),
        (make_module, "build_spec", "build_spec"),
        (make_module, "probe", "probe (PyAV, one file)"),
    ):
        clock.wrap(owner, attribute, name)
    for attribute in dir(piper_tts):
        if attribute in ("PiperVoice",):
            clock.wrap(getattr(piper_tts, attribute), "load", "PiperVoice.load (model)")
    clock.wrap(renderer_module.Renderer, "measure_gain", "Renderer.measure_gain (loudness passes)")
    clock.wrap(renderer_module.Renderer, "_measure", "Renderer._measure (one loudness pass)")
    clock.wrap(renderer_module, "run_ffmpeg", "render.run_ffmpeg (any FFmpeg the renderer starts)")
    settings = Settings.load()
    ctx = services.context(settings)
    clock.mark("settings + context")
    request = services.make_request(
        topic=None,
        script=WORK / "script.txt",
        genre="facts",
        platform="tiktok",
        voice=None,
        speed=1.0,
        media=WORK / "media",
        music=None,
        caption_style="karaoke",
        lang=None,
        trim=False,
        seconds=None,
        output=WORK / "timeline.mp4",
        stock=None,
        music_choice="auto",
        sfx=None,
        source=None,
        allow_voice_language_mismatch=False,
    )
    reporter = StampingReporter(clock)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
    services.make_video(ctx, request, reporter)
    if args.profile:
        profiler.disable()
    clock.mark("end")
    load = os.getloadavg()
    print(f"load {load}")
    previous = clock.marks[0]
    for name, wall, cpu, children in clock.marks[1:]:
        print(
            f"STAGE until '{name}' began / ended: {wall - previous[1]:6.2f} s wall, "
            f"{cpu - previous[2]:6.2f} s CPU here, {children - previous[3]:6.2f} s CPU children "
            f"(stage '{previous[0]}')"
        )
        previous = (name, wall, cpu, children)
    for name, thread, start, wall, cpu in clock.spans:
        print(f"SPAN {name} [{thread}] at {start:6.2f} s: {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    if args.profile:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    return 0


if __name__ == "__main__":
    sys.exit(main())
