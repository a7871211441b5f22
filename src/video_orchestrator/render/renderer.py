"""Run a compiled render: workdir files, loudness analysis, atomic output.

A render is one or a few audio-only analysis passes (cheap: the same audio graph, measured
by ``ebur128``; more than one only when the peak limiter bites) followed by the single real
pass that encodes the video exactly once with the exact gain that brings the mix to the
loudness target. The output is written to a hidden
temporary file beside ``output`` and renamed into place, so a failed or cancelled render never
leaves a partial file; the temporary working directory is always removed.
"""

from __future__ import annotations

import contextlib
import logging
import math
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from video_orchestrator import atomic
from video_orchestrator.errors import RenderCancelled, RenderError
from video_orchestrator.render.compiler import (
    CAPTIONS_FILE,
    CompiledRender,
    compile_audio,
    compile_join,
    compile_loudness_analysis,
    compile_segment,
    compile_spec,
    compile_still,
    gop_frames,
    limiter_ceiling_db,
)
from video_orchestrator.render.emoji import save_emoji
from video_orchestrator.render.ffmpeg import Progress, run_ffmpeg
from video_orchestrator.render.font_subset import fonts_for, link_fonts
from video_orchestrator.render.fonts import FontEnvironment, font_files
from video_orchestrator.render.measure import Loudness, parse_ebur128_summary
from video_orchestrator.render.text_measure import FontMeasure
from video_orchestrator.render.threads import thread_plan
from video_orchestrator.spec.model import RenderSpec
from video_orchestrator.spec.window import Window, plan_windows

log = logging.getLogger(__name__)

MAX_GAIN_DB = 40.0
SILENCE_LUFS = -70.0
MAX_LEVEL_PASSES = 5
MAX_STEP_DB = 12.0
LEVEL_TOLERANCE_LU = 0.3


@dataclass(frozen=True)
class RenderResult:
    path: Path
    duration: float
    frames: int


SEGMENT_SECONDS = 20.0
"""Target length of one segment of a segmented render (ADR 0049, bench/RESULTS.md)."""
SEGMENT_ABOVE_SECONDS = 30.0
"""Videos longer than this render in segments; shorter ones in one pass (ADR 0049)."""

FONTS_SUBDIR = "fonts"
"""The render's own font directory in its workdir: the fonts its captions need (ADR 0047)."""


def _write_files(
    compiled: CompiledRender, workdir: Path, fonts: FontEnvironment | None = None
) -> None:
    """The compiled files, the emoji pictures and (with ``fonts``) the captions' fonts."""
    for name, text in compiled.files.items():
        (workdir / name).write_text(text, encoding="utf-8")
    for name, (emoji, side) in compiled.emoji.items():
        save_emoji(emoji, side, workdir / name)
    if fonts is not None:
        document = compiled.files.get(CAPTIONS_FILE, "")
        link_fonts(fonts_for(document, font_files(fonts)), fonts.fonts_dir, workdir / FONTS_SUBDIR)


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="vo-render-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _atomic(output: Path) -> Iterator[Path]:
    """A temporary path beside ``output``, renamed onto it only if the block succeeds."""
    # FFmpeg creates the file itself and picks the container from its extension.
    with atomic.replacing(output, suffix=f".partial{output.suffix}", create=False) as temporary:
        yield temporary
        if not temporary.is_file():
            raise RenderError(f"FFmpeg wrote no file for {output}; check the render spec.")


def gain_for(measured_lufs: float, target_lufs: float) -> float:
    """The gain (dB) that moves a measured integrated loudness to ``target_lufs``."""
    if not math.isfinite(measured_lufs) or measured_lufs <= SILENCE_LUFS:
        return 0.0
    return max(-MAX_GAIN_DB, min(MAX_GAIN_DB, target_lufs - measured_lufs))


class Renderer:
    """Renders specs with one FFmpeg binary and one font environment."""

    def __init__(
        self,
        ffmpeg: str,
        fonts: FontEnvironment,
        *,
        decoder_threads: int | None = None,
        encoder_threads: int | None = None,
        encoder_args: tuple[str, ...] = (),
        segment_above: float | None = SEGMENT_ABOVE_SECONDS,
        segment_seconds: float = SEGMENT_SECONDS,
    ) -> None:
        """``decoder_threads``: threads per source decoder, ``encoder_threads``: x264's
        frame threads (None: FFmpeg's choice), ``encoder_args``: the plan's other x264
        options (see ``render/threads.py``). Videos longer than ``segment_above`` seconds
        (None: never) render as segments of about ``segment_seconds`` (ADR 0049)."""
        self.ffmpeg = ffmpeg
        self.fonts = fonts
        self.decoder_threads = decoder_threads
        self.encoder_threads = encoder_threads
        self.encoder_args = encoder_args
        self.segment_above = segment_above
        self.segment_seconds = segment_seconds
        self._text_measure: FontMeasure | None = None

    @classmethod
    def for_machine(cls, ffmpeg: str, fonts: FontEnvironment, cpus: int) -> Renderer:
        """A renderer with the thread plan of a machine with ``cpus`` cores."""
        plan = thread_plan(cpus)
        return cls(
            ffmpeg,
            fonts,
            decoder_threads=plan.decoder,
            encoder_threads=plan.encoder,
            encoder_args=plan.lookahead_args(),
        )

    @property
    def text_measure(self) -> FontMeasure:
        """The fonts' advances, to set caption emoji in colour (read once, on first use)."""
        if self._text_measure is None:
            self._text_measure = FontMeasure(self.fonts)
        return self._text_measure

    def _measure(
        self,
        spec: RenderSpec,
        cancel: threading.Event | None,
        gain_db: float | None,
    ) -> Loudness | None:
        compiled = compile_loudness_analysis(spec, ffmpeg=self.ffmpeg, gain_db=gain_db)
        if compiled is None:
            return None
        log_lines = run_ffmpeg(compiled.argv, cancel=cancel, env=self.fonts.env)
        loudness = parse_ebur128_summary("\n".join(log_lines))
        if loudness is None:
            raise RenderError(
                "The loudness measurement printed no result; check the audio files and that "
                "the FFmpeg build has the ebur128 filter."
            )
        return loudness

    def measure_gain(self, spec: RenderSpec, cancel: threading.Event | None = None) -> float | None:
        """Gain that brings the mix to the loudness target; None when there is no audio.

        Audio-only passes: the raw mix first; when the peaks would reach the limiter, the
        limited result is measured again and the gain corrected (at most a few passes).
        """
        target = spec.output.loudness.integrated
        raw = self._measure(spec, cancel, None)
        if raw is None:
            return None
        gain = gain_for(raw.integrated_lufs, target)
        peak = raw.true_peak_dbtp
        if not math.isfinite(peak) or peak + gain <= limiter_ceiling_db(spec):
            return gain  # the limiter will not touch it: the gain is exact
        # The limiter makes loudness grow slower than the gain: solve by the secant method,
        # starting from the raw mix (where loudness follows the gain exactly).
        before_gain, before_level = 0.0, target - gain
        for _ in range(MAX_LEVEL_PASSES):
            limited = self._measure(spec, cancel, gain)
            measured = limited.integrated_lufs if limited else None
            if measured is None or not math.isfinite(measured) or measured <= SILENCE_LUFS:
                break
            error = target - measured
            if abs(error) < LEVEL_TOLERANCE_LU:
                break
            slope = (measured - before_level) / (gain - before_gain) if gain != before_gain else 1
            step = error / slope if slope > 0.05 else error
            before_gain, before_level = gain, measured
            gain = max(
                -MAX_GAIN_DB, min(MAX_GAIN_DB, gain + max(-MAX_STEP_DB, min(MAX_STEP_DB, step)))
            )
        log.debug("loudness gain %.2f dB", gain)
        return gain

    def windows(self, spec: RenderSpec) -> list[Window]:
        """The segments ``spec`` renders in: one window (a single pass) for short videos."""
        seconds = float(spec.timebase.to_seconds(spec.duration))
        if self.segment_above is None or seconds <= self.segment_above:
            return [Window(0, spec.duration)]
        target = spec.timebase.to_frames(self.segment_seconds)
        return plan_windows(spec, target=target, gop=gop_frames(spec))

    def render(
        self,
        spec: RenderSpec,
        output: Path,
        *,
        on_progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> RenderResult:
        """Render ``spec`` to ``output`` (MP4), atomically: in one pass, or for a long
        video in segments joined without re-encoding (ADR 0049)."""
        seconds = float(spec.timebase.to_seconds(spec.duration))
        windows = self.windows(spec)
        if len(windows) > 1:
            self.render_segments(spec, windows, output, on_progress=on_progress, cancel=cancel)
            return RenderResult(path=output, duration=seconds, frames=spec.duration)
        with (
            _workdir() as workdir,
            _atomic(output) as temporary,
            ThreadPoolExecutor(1, thread_name_prefix="vo-loudness") as pool,
        ):
            # The audio-only loudness pass (an FFmpeg process) runs while this thread reads
            # the fonts' advances and writes the captions, emoji pictures and fonts: neither
            # depends on the gain, which only the final command needs (ADR 0047).
            measuring = pool.submit(self.measure_gain, spec, cancel)

            def compiled_with(gain: float | None) -> CompiledRender:
                return compile_spec(
                    spec,
                    output=temporary,
                    workdir=workdir,
                    fonts_dir=workdir / FONTS_SUBDIR,
                    ffmpeg=self.ffmpeg,
                    audio_gain_db=gain,
                    decoder_threads=self.decoder_threads,
                    measure=self.text_measure,
                    encoder_threads=self.encoder_threads,
                    encoder_args=self.encoder_args,
                )

            try:
                _write_files(compiled_with(None), workdir, self.fonts)
            finally:
                gain = measuring.result()  # its error, if any, is the one to report
            compiled = compiled_with(gain)
            run_ffmpeg(
                compiled.argv,
                total_seconds=seconds,
                on_progress=on_progress,
                cancel=cancel,
                env=self.fonts.env,
            )
        return RenderResult(path=output, duration=seconds, frames=spec.duration)

    def render_segments(
        self,
        spec: RenderSpec,
        windows: list[Window],
        output: Path,
        *,
        on_progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """The video of each window as its own FFmpeg (only what shows in it), the audio
        once for the whole video (the loudness gain measured once; made while the segments
        are compiled, before the first one runs), then one join with ``-c copy``: peak
        memory is the largest segment's, whatever the video's length."""
        total = float(spec.timebase.to_seconds(spec.duration))
        reported = _Monotonic(on_progress)
        with (
            _workdir() as workdir,
            _atomic(output) as temporary,
            ThreadPoolExecutor(1, thread_name_prefix="vo-audio") as pool,
        ):
            audio = workdir / "audio.m4a"

            def audio_track() -> None:  # while this thread compiles the segments
                gain = self.measure_gain(spec, cancel)
                audio_pass = compile_audio(
                    spec, output=audio, ffmpeg=self.ffmpeg, audio_gain_db=gain
                )
                run_ffmpeg(audio_pass.argv, cancel=cancel, env=self.fonts.env)

            sounding = pool.submit(audio_track)
            segments = [workdir / f"segment-{number:04d}.mp4" for number in range(len(windows))]

            def compiled(window: Window, path: Path) -> CompiledRender:
                return compile_segment(
                    spec,
                    window,
                    output=path,
                    workdir=workdir,
                    fonts_dir=workdir / FONTS_SUBDIR,
                    ffmpeg=self.ffmpeg,
                    decoder_threads=self.decoder_threads,
                    measure=self.text_measure,
                    encoder_threads=self.encoder_threads,
                    encoder_args=self.encoder_args,
                )

            commands = [compiled(w, p) for w, p in zip(windows, segments, strict=True)]
            for command in commands:
                _write_files(command, workdir)
            documents = "\n".join(t for c in commands for t in c.files.values())
            link_fonts(
                fonts_for(documents, font_files(self.fonts)),
                self.fonts.fonts_dir,
                workdir / FONTS_SUBDIR,
            )
            # The audio's FFmpeg ends before the first segment's starts: beside a segment it
            # added its ~40 MB to the render's peak (the tree's), for at most a few seconds
            # of overlap (ADR 0052).
            sounding.result()  # the audio's error, if any, is reported here
            for window, command in zip(windows, commands, strict=True):
                _raise_if_cancelled(cancel)
                run_ffmpeg(
                    command.argv,
                    total_seconds=total,
                    on_progress=reported.shifted(
                        window.start, spec.timebase.to_seconds(window.start), total
                    ),
                    cancel=cancel,
                    env=self.fonts.env,
                )
            listing = workdir / "segments.txt"
            listing.write_text("".join(f"file '{path.name}'\n" for path in segments), "utf-8")
            _raise_if_cancelled(cancel)
            join = compile_join(listing, audio, output=temporary, ffmpeg=self.ffmpeg)
            run_ffmpeg(join.argv, cancel=cancel, env=self.fonts.env)
        reported(Progress(spec.duration, total, 1.0, None))

    def render_still(self, spec: RenderSpec, at_frame: int, output: Path) -> Path:
        """One frame (video layers, overlays, captions; no audio) to .jpg/.png, atomically."""
        if output.suffix.lower() not in (".jpg", ".jpeg", ".png"):
            raise RenderError(f"A still must be a .jpg or .png file, not {output.name}.")
        with _workdir() as workdir, _atomic(output) as temporary:
            compiled = compile_still(
                spec,
                at_frame=at_frame,
                output=temporary,
                workdir=workdir,
                fonts_dir=workdir / FONTS_SUBDIR,
                ffmpeg=self.ffmpeg,
                measure=self.text_measure,
            )
            _write_files(compiled, workdir, self.fonts)
            run_ffmpeg(compiled.argv, env=self.fonts.env)
        return output


def _raise_if_cancelled(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise RenderCancelled("The render was cancelled; start it again to get the video.")


class _Monotonic:
    """One progress over a render's segments: each segment's progress moved to where its
    window starts, and never reported backwards."""

    def __init__(self, on_progress: Callable[[Progress], None] | None) -> None:
        self.on_progress = on_progress
        self.fraction = 0.0
        self.seconds = 0.0

    def __call__(self, progress: Progress) -> None:
        if self.on_progress is None:
            return
        fraction = max(self.fraction, progress.fraction or 0.0)
        seconds = max(self.seconds, progress.seconds)
        self.fraction, self.seconds = fraction, seconds
        self.on_progress(Progress(progress.frame, seconds, fraction, progress.speed))

    def shifted(self, frame: int, start: Fraction, total: float) -> Callable[[Progress], None]:
        """A segment's own progress (from 0) as the whole render's, the segment starting
        at ``frame`` (``start`` seconds) of a ``total``-second video."""
        offset = float(start)

        def report(progress: Progress) -> None:
            seconds = min(total, offset + progress.seconds)
            fraction = min(1.0, seconds / total) if total else None
            self(Progress(frame + progress.frame, seconds, fraction, progress.speed))

        return report
