from pathlib import Path

from tests.media import load_example
from video_orchestrator.render.compiler import compile_spec, decoder_threads_for


def test_two_cores_get_one_thread_per_decoder_and_more_cores_ffmpegs_choice() -> None:
    assert decoder_threads_for(1) == 1
    assert decoder_threads_for(2) == 1
    assert decoder_threads_for(8) is None


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
    kwargs = {"output": Path("/o.mp4"), "workdir": Path("/w"), "fonts_dir": Path("/f")}
    capped = _options_before_inputs(compile_spec(spec, decoder_threads=1, **kwargs).argv)
    free = _options_before_inputs(compile_spec(spec, **kwargs).argv)
    videos = [path for path in capped if path.endswith(".mp4")]
    assert videos
    for path, options in capped.items():
        has_cap = options[-2:] == ["-threads", "1"]
        assert has_cap == path.endswith(".mp4"), (path, options)
    assert all("-threads" not in options for options in free.values())
