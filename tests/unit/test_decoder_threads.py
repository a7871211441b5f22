"""The thread plan of a render (ADR 0047) and where it lands in the FFmpeg command."""

import itertools
from pathlib import Path

from tests.media import load_example
from video_orchestrator.render.compiler import compile_segment, compile_spec, decoder_threads_for
from video_orchestrator.render.fonts import FontEnvironment
from video_orchestrator.render.renderer import Renderer
from video_orchestrator.render.threads import (
    MAX_DECODER_THREADS,
    MAX_ENCODER_THREADS,
    ThreadPlan,
    thread_plan,
)
from video_orchestrator.spec.window import Window

KWARGS = {"output": Path("/o.mp4"), "workdir": Path("/w"), "fonts_dir": Path("/f")}


def test_two_cores_get_one_thread_per_decoder_and_two_encoder_slice_threads() -> None:
    small = ThreadPlan(decoder=1, encoder=2, lookahead=5, sliced=True)
    assert thread_plan(1) == small
    assert thread_plan(2) == small
    # the two x264 threads share each frame (no frame of its own each in flight) and the
    # lookahead runs in the encoding thread: fewer 1080×1920 frames held (ADR 0052)
    assert small.lookahead_args() == (
        "-rc-lookahead",
        "5",
        "-x264-params",
        "sliced-threads=1:sync-lookahead=0",
    )
    assert decoder_threads_for(2) == 1


def test_a_segment_of_a_two_core_render_carries_the_sliced_encoder(tmp_path: Path) -> None:
    spec = load_example("full-short")
    two = Renderer.for_machine("ffmpeg", FontEnvironment(fonts_dir=tmp_path, env={}), 2)
    argv = compile_segment(
        spec,
        Window(0, min(spec.duration, 30)),
        decoder_threads=two.decoder_threads,
        encoder_threads=two.encoder_threads,
        encoder_args=two.encoder_args,
        **KWARGS,
    ).argv
    at = argv.index("-x264-params")
    assert argv.index("-c:v") < at and argv[at + 1] == "sliced-threads=1:sync-lookahead=0"
    assert argv[argv.index("-threads:v") + 1] == "2"


def test_big_machines_get_bounded_threads_that_never_shrink_with_more_cores() -> None:
    assert thread_plan(8) == ThreadPlan(decoder=2, encoder=12)
    assert thread_plan(8).lookahead_args() == ()  # the preset's lookahead, on its own thread
    assert thread_plan(64) == ThreadPlan(decoder=MAX_DECODER_THREADS, encoder=MAX_ENCODER_THREADS)
    plans = [thread_plan(cpus) for cpus in range(1, 129)]
    for before, after in itertools.pairwise(plans):
        assert before.decoder is not None and after.decoder is not None
        assert before.encoder is not None and after.encoder is not None
        assert before.decoder <= after.decoder <= MAX_DECODER_THREADS
        assert before.encoder <= after.encoder <= MAX_ENCODER_THREADS


def _options_before_inputs(argv: tuple[str, ...]) -> dict[str, list[str]]:
    """Each input path → the options between the previous input and its ``-i``."""
    found: dict[str, list[str]] = {}
    start = 4  # ffmpeg -hide_banner -nostdin -y
    for index, arg in enumerate(argv):
        if arg == "-i":
            found[argv[index + 1]] = list(argv[start:index])
            start = index + 2
        if arg == "-filter_complex":
            break
    return found


def test_decoder_threads_apply_to_video_clips_only() -> None:
    spec = load_example("full-short")
    capped = _options_before_inputs(compile_spec(spec, decoder_threads=1, **KWARGS).argv)
    free = _options_before_inputs(compile_spec(spec, **KWARGS).argv)
    videos = [path for path in capped if path.endswith(".mp4")]
    assert videos
    for path, options in capped.items():
        has_cap = options[-2:] == ["-threads", "1"]
        assert has_cap == path.endswith(".mp4"), (path, options)
    assert all("-threads" not in options for options in free.values())


def test_encoder_threads_are_an_output_option_of_the_video_only() -> None:
    spec = load_example("full-short")
    argv = compile_spec(spec, encoder_threads=2, **KWARGS).argv
    assert argv.count("-threads:v") == 1
    at = argv.index("-threads:v")
    assert argv[at + 1] == "2"
    assert at > argv.index("-c:v")  # after the encoder is chosen, not before an input
    assert "-threads:v" not in compile_spec(spec, **KWARGS).argv
    extra = ("-rc-lookahead", "5")
    argv = compile_spec(spec, encoder_threads=2, encoder_args=extra, **KWARGS).argv
    at = argv.index("-rc-lookahead")
    assert argv[at + 1] == "5" and argv.index("-c:v") < at < argv.index("-c:a")


def test_clips_that_do_not_loop_are_read_without_stream_loop() -> None:
    spec = load_example("full-short")
    frozen = spec.model_copy(
        update={
            "clips": [
                c.model_copy(update={"fit": "freeze"}) if hasattr(c, "fit") else c
                for c in spec.clips
            ]
        }
    )
    options = _options_before_inputs(compile_spec(frozen, **KWARGS).argv)
    videos = {path: opts for path, opts in options.items() if path.endswith(".mp4")}
    assert videos
    assert all("-stream_loop" not in opts for opts in videos.values()), videos


def test_the_renderer_for_a_machine_carries_its_plan(tmp_path: Path) -> None:
    fonts = FontEnvironment(fonts_dir=tmp_path, env={})
    two = Renderer.for_machine("ffmpeg", fonts, 2)
    assert (two.decoder_threads, two.encoder_threads) == (1, 2)
    assert two.encoder_args == thread_plan(2).lookahead_args()
    big = Renderer.for_machine("ffmpeg", fonts, 32)
    assert (big.decoder_threads, big.encoder_threads) == (4, 16)
