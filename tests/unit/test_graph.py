"""The immutable filter-graph model and its rendering to one -filter_complex."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from video_orchestrator.render.escape import parse_filter_args
from video_orchestrator.render.graph import (
    Filter,
    Input,
    apply,
    compile_graph,
    format_value,
    one,
    source,
)


def test_a_linear_chain_is_one_comma_joined_chain() -> None:
    clip = Input("in.mp4", ("-stream_loop", "-1"))
    video = clip.video().filter("scale", w=1080, h=1920).filter("setsar", "1")
    compiled = compile_graph([(video, "vout")])
    assert compiled.filter_complex == "[0:v:0]scale=w=1080:h=1920,setsar=1[vout]"
    assert compiled.maps == ("[vout]",)
    assert compiled.input_args() == ["-stream_loop", "-1", "-i", "in.mp4"]


def test_a_stream_used_twice_is_split_automatically() -> None:
    base = source("color", "video", c="red", s="16x16")
    left = base.filter("hflip")
    right = base.filter("vflip")
    stacked = one("hstack", [left, right])
    text = compile_graph([(stacked, "out")]).filter_complex
    assert text == (
        "color=c=red:s=16x16,split=outputs=2[v1][v2];[v1]hflip[v3];[v2]vflip[v4];"
        "[v3][v4]hstack[out]"
    )


def test_an_audio_stream_used_three_times_gets_asplit() -> None:
    voice = Input("voice.wav").audio().filter("volume", volume="3dB")
    mixed = one("amix", [voice, voice.filter("aecho"), voice], inputs=3)
    text = compile_graph([(mixed, "aout")]).filter_complex
    assert text.startswith("[0:a:0]volume=volume=3dB,asplit=outputs=3[a1][a2][a3];")
    assert text.endswith(";[a1]aecho[a4];[a2][a4][a3]amix=inputs=3[aout]")
    assert text.count("asplit") == 1


def test_an_input_stream_used_twice_is_split_at_the_input() -> None:
    clip = Input("in.mp4")
    out = one("overlay", [clip.video(), clip.video().filter("scale", w=10, h=10)])
    text = compile_graph([(out, "v")]).filter_complex
    assert text.startswith("[0:v:0]split=outputs=2[v1][v2];")
    assert "[v1]scale=w=10:h=10[v3]" in text
    assert text.endswith("[v2][v3]overlay[v]")


def test_inputs_are_numbered_in_first_use_order_and_shared() -> None:
    a, b = Input("a.mp4"), Input("b.mp4")
    video = one("xfade", [a.video(), b.video()], transition="fade")
    sound = one("amix", [b.audio(), a.audio()], inputs=2)
    compiled = compile_graph([(video, "vout"), (sound, "aout")])
    assert [i.path for i in compiled.inputs] == ["a.mp4", "b.mp4"]
    assert "[1:a:0][0:a:0]amix" in compiled.filter_complex
    assert compiled.maps == ("[vout]", "[aout]")


def test_an_output_also_used_inside_the_graph_keeps_its_name() -> None:
    base = source("color", "video", c="blue")
    preview = base.filter("scale", w=8, h=8)
    text = compile_graph([(base, "main"), (preview, "small")]).filter_complex
    assert "split=outputs=2[v1][main]" in text
    assert "[v1]scale=w=8:h=8[small]" in text


def test_multi_output_filters_label_each_output_and_split_reused_ones() -> None:
    left, right = apply("split", [source("color", "video")], [(None, "2")], outputs=["video"] * 2)
    text = compile_graph([(one("hstack", [left, right, left]), "o")]).filter_complex
    assert text == ("color,split=2[v1][v4];[v1]split=outputs=2[v2][v3];[v2][v4][v3]hstack[o]")


def test_an_unused_output_is_an_error() -> None:
    first, _second = apply("split", [source("color", "video")], {}, outputs=["video", "video"])
    with pytest.raises(ValueError, match="never used"):
        compile_graph([(first, "o")])


def test_duplicate_output_labels_are_refused() -> None:
    base = source("color", "video")
    with pytest.raises(ValueError, match="distinct"):
        compile_graph([(base, "x"), (base.filter("null"), "x")])


def test_arguments_are_escaped_and_read_back() -> None:
    path = "/tmp/we:ird [dir], it's; \\ here/captions.ass"
    video = source("color", "video").filter("ass", filename=path, fontsdir="/f")
    text = compile_graph([(video, "v")]).filter_complex
    args = text.split("ass=", 1)[1].rsplit("[v]", 1)[0]
    assert parse_filter_args(args) == [("filename", path), ("fontsdir", "/f")]


def test_nodes_are_immutable_and_compare_by_identity() -> None:
    a = source("color", "video", c="red")
    b = source("color", "video", c="red")
    assert a != b
    assert a.source is not b.source
    assert isinstance(a.source, Filter)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.source.name = "other"  # type: ignore[misc]
    # Two equal-looking sources stay two sources (no accidental merge).
    text = compile_graph([(one("hstack", [a, b]), "o")]).filter_complex
    assert text.count("color=c=red") == 2


def test_long_graphs_render_without_recursion() -> None:
    stream = source("color", "video")
    for _ in range(3000):
        stream = stream.filter("null")
    text = compile_graph([(stream, "o")]).filter_complex
    assert text.count(",null") == 3000


@pytest.mark.parametrize(
    ("value", "text"),
    [(1, "1"), (0.5, "0.5"), (2.0, "2"), (1 / 3, "0.333333"), (-0.0, "0"), (True, "1"),
     (Fraction(3, 1), "3"), (Fraction(1, 4), "0.25"), ("x", "x")],
)  # fmt: skip
def test_values_are_formatted_without_exponents(value: object, text: str) -> None:
    assert format_value(value) == text  # type: ignore[arg-type]


def test_a_source_filter_must_name_its_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        apply("color", [], {})


def test_an_input_stream_can_be_an_output_directly_or_through_a_split() -> None:
    clip = Input("in.mp4")
    direct = compile_graph([(clip.audio(), "a"), (clip.video().filter("null"), "v")])
    assert direct.maps == ("0:a:0", "[v]")
    shared = compile_graph([(clip.video(), "raw"), (clip.video().filter("hflip"), "flipped")])
    assert shared.filter_complex == "[0:v:0]split=outputs=2[v1][v2];[v1]hflip[flipped]"
    assert shared.maps == ("[v2]", "[flipped]")


def test_one_stream_mapped_to_two_outputs() -> None:
    base = source("color", "video")
    compiled = compile_graph([(base, "first"), (base, "second")])
    assert compiled.filter_complex == "color,split=outputs=2[first][second]"
    assert compiled.maps == ("[first]", "[second]")
