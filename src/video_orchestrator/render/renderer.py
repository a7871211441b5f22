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
from pathlib import Path

from video_orchestrator import atomic
from video_orchestrator.errors import RenderError
from video_orchestrator.render.compiler import (
    CAPTIONS_FILE,
    CompiledRender,
    compile_loudness_analysis,
    compile_spec,
    compile_still,
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
    ) -> None:
        """``decoder_threads``: threads per source decoder, ``encoder_threads``: x264's
        frame threads (None: FFmpeg's choice), ``encoder_args``: the plan's other x264
        options (see ``render/threads.py``)."""
        self.ffmpeg = ffmpeg
        self.fonts = fonts
        self.decoder_threads = decoder_threads
        self.encoder_threads = encoder_threads
        self.encoder_args = encoder_args
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

    def render(
        self,
        spec: RenderSpec,
        output: Path,
        *,
        on_progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> RenderResult:
        """Render ``spec`` to ``output`` (MP4), atomically."""
        seconds = float(spec.timebase.to_seconds(spec.duration))
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
