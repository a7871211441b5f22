"""Golden snapshots of the exact FFmpeg argv for every example spec, plus compiler invariants.

Run with ``VO_UPDATE_GOLDEN=1`` to rewrite ``snapshots/<name>.txt`` after an intended change,
then review the diff. Paths are fixed placeholders, so snapshots do not depend on the machine.
"""

from __future__ import annotations

import os
import re
from fractions import Fraction
from pathlib import Path

import pytest

from tests.media import example_names, load_example
from video_orchestrator.render.compiler import (
    CompiledRender,
    compile_loudness_analysis,
    compile_spec,
    compile_still,
)
from video_orchestrator.render.escape import parse_filter_args
from video_orchestrator.spec.model import RenderSpec

SNAPSHOTS = Path(__file__).parent / "snapshots"
ROOT = Path("/vo-golden")
SPEC_DIR = ROOT / "specs"
GAIN_DB = -3.5


def _spec(name: str) -> RenderSpec:
    return load_example(name).resolve_paths(SPEC_DIR)


def _render(spec: RenderSpec, gain: float | None = GAIN_DB) -> CompiledRender:
    return compile_spec(
        spec,
        output=ROOT / "out" / "video.mp4",
        workdir=ROOT / "work",
        fonts_dir=ROOT / "fonts",
        audio_gain_db=gain,
    )


def _argv_text(argv: tuple[str, ...]) -> str:
    lines: list[str] = []
    for index, arg in enumerate(argv):
        if index > 0 and argv[index - 1] == "-filter_complex":
            lines.extend("    " + chain for chain in arg.split(";"))
        else:
            lines.append(repr(arg) if "\n" in arg or arg != arg.strip() else arg)
    return "\n".join(lines)


def snapshot(name: str) -> str:
    spec = _spec(name)
    render = _render(spec)
    parts = [f"# {name}: {spec.duration} frames", "## render", _argv_text(render.argv)]
    parts.append("## files: " + (", ".join(sorted(render.files)) or "none"))
    analysis = compile_loudness_analysis(spec)
    parts += ["## loudness analysis", _argv_text(analysis.argv) if analysis else "none"]
    still = compile_still(
        spec, at_frame=0, output=ROOT / "out" / "still.jpg", workdir=ROOT / "work",
        fonts_dir=ROOT / "fonts",
    )  # fmt: skip
    parts += ["## still", _argv_text(still.argv)]
    return "\n".join(parts) + "\n"


def test_there_are_examples() -> None:
    assert len(example_names()) >= 4


@pytest.mark.parametrize("name", example_names())
def test_argv_matches_snapshot(name: str) -> None:
    text = snapshot(name)
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("VO_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot for {name}: run with VO_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- invariants of every render


def _value(argv: tuple[str, ...], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def _filters(graph: str) -> list[tuple[str, list[tuple[str | None, str]]]]:
    """(name, args) of every filter in the graph, read back with FFmpeg's rules."""
    found = []
    for chain in graph.split(";"):
        body = re.sub(r"^(\[[^\]]*\])+", "", chain)
        body = re.sub(r"(\[[^\]]*\])+$", "", body)
        for item in re.split(r"(?<!\\),", body):
            name, _, args = item.partition("=")
            found.append((name, parse_filter_args(args) if args else []))
    return found


@pytest.mark.parametrize("name", example_names())
def test_render_invariants(name: str) -> None:
    spec = _spec(name)
    argv = _render(spec).argv
    out = spec.output
    assert argv.count("-filter_complex") == 1
    assert argv[1:4] == ("-hide_banner", "-nostdin", "-y")
    assert _value(argv, "-frames:v") == str(spec.duration)
    assert _value(argv, "-g") == str(round(out.gop_seconds * out.fps))
    assert _value(argv, "-flags") == "+cgop"
    assert _value(argv, "-profile:v") == "high"
    assert _value(argv, "-pix_fmt") == "yuv420p"
    assert _value(argv, "-c:a") == "aac"
    assert _value(argv, "-ar") == str(out.sample_rate)
    assert _value(argv, "-movflags") == "+faststart"
    assert argv[-1] == str(ROOT / "out" / "video.mp4")
    if out.max_bitrate_kbps:
        assert _value(argv, "-maxrate") == f"{out.max_bitrate_kbps}k"
    else:
        assert "-maxrate" not in argv
    # Every clip file is read by exactly one input (its picture and sound share it).
    inputs = [argv[i + 1] for i, a in enumerate(argv) if a == "-i"]
    for clip in spec.clips:
        if hasattr(clip, "path"):
            assert inputs.count(clip.path) == 1
    expected = {e.path for e in spec.audio.effects} | {
        o.path for o in spec.overlays if o.kind == "image"
    }
    expected |= {t.path for t in (spec.audio.voice, spec.audio.music) if t is not None}
    assert expected <= set(inputs)
    filters = _filters(_value(argv, "-filter_complex"))
    names = [n for n, _ in filters]
    # The audio ends exactly at the video's last frame.
    total = Fraction(spec.duration * out.sample_rate, out.fps)
    trims = [dict(a)["end_sample"] for n, a in filters if n == "atrim" and "end_sample" in dict(a)]
    assert str(round(total)) in trims
    if not (spec.audio.voice or spec.audio.music or spec.audio.effects):
        assert "anullsrc" in names
    else:
        assert "volume" in names and "alimiter" in names


@pytest.mark.parametrize("name", example_names())
def test_each_transition_blends_only_its_own_frames(name: str) -> None:
    # ADR 0049: an xfade gets the two clips' overlapping frames alone (trimmed), from time 0,
    # and the blended frames are concatenated with the clips' other frames.
    spec = _spec(name)
    filters = _filters(_value(_render(spec).argv, "-filter_complex"))
    fades = [dict(a) for n, a in filters if n == "xfade"]
    expected = [clip.transition for clip in spec.clips[:-1] if clip.transition.kind != "cut"]
    assert len(fades) == len(expected)
    trims = {
        (dict(a).get("start_frame"), dict(a).get("end_frame")) for n, a in filters if n == "trim"
    }
    for fade, transition, clip in zip(
        fades, expected, [c for c in spec.clips[:-1] if c.transition.kind != "cut"], strict=True
    ):
        assert fade["transition"] == transition.kind
        assert Fraction(fade["offset"]) == 0
        assert Fraction(fade["duration"]) == Fraction(transition.frames, spec.output.fps)
        tail = (str(clip.duration - transition.frames), str(clip.duration))
        assert tail in trims, f"no trim of the last {transition.frames} frames of a clip"
        assert ("0", str(transition.frames)) in trims


def test_the_voice_keys_the_music_ducking_and_is_mixed() -> None:
    spec = _spec("full-short")
    graph = _value(_render(spec).argv, "-filter_complex")
    assert "asplit=outputs=2" in graph
    duck = dict(dict(_filters(graph))["sidechaincompress"])
    ducking = spec.audio.music.ducking  # type: ignore[union-attr]
    assert float(duck["threshold"]) == ducking.threshold
    assert float(duck["ratio"]) == ducking.ratio
    assert float(duck["attack"]) == ducking.attack_ms
    assert float(duck["release"]) == ducking.release_ms
    assert "normalize=0" in graph


def test_without_a_measured_gain_loudnorm_targets_the_output_loudness() -> None:
    spec = _spec("full-short")
    filters = dict(_filters(_value(_render(spec, gain=None).argv, "-filter_complex")))
    loud = dict(filters["loudnorm"])
    assert float(loud["I"]) == spec.output.loudness.integrated
    assert float(loud["TP"]) == spec.output.loudness.true_peak


def test_captions_file_is_named_in_the_graph() -> None:
    spec = _spec("full-short")
    render = _render(spec)
    filters = dict(_filters(_value(render.argv, "-filter_complex")))
    ass = dict(filters["ass"])
    assert ass["filename"] == str(ROOT / "work" / "captions.ass")
    assert ass["fontsdir"] == str(ROOT / "fonts")
    assert "captions.ass" in render.files
    assert "Dialogue:" in render.files["captions.ass"]
