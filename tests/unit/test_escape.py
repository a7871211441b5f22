"""Escaping for the filter-graph syntax: any string survives both FFmpeg parsing levels."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.media import ffmpeg_exe
from video_orchestrator.render.escape import (
    escape_graph,
    escape_value,
    filter_args,
    parse_filter_args,
    read_token,
)

# Any text FFmpeg can receive in argv: no NUL, no lone surrogates.
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
nasty = st.text(alphabet=st.sampled_from(list("\\':[],; \n\t\r=ab{}%\"")), max_size=30)
any_text = st.one_of(texts, nasty)
keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@given(any_text)
def test_a_value_reads_back_through_both_levels(value: str) -> None:
    assert parse_filter_args(filter_args([("v", value)])) == [("v", value)]


@given(st.lists(st.tuples(keys, any_text), min_size=1, max_size=5))
def test_several_values_read_back_in_order(pairs: list[tuple[str, str]]) -> None:
    assert parse_filter_args(filter_args(pairs)) == pairs


@given(any_text)
def test_graph_level_text_is_one_token(value: str) -> None:
    """No escaped argument text can end the filter or open a label early."""
    escaped = escape_graph(escape_value(value))
    token, rest = read_token(escaped + "[next]", "[],;")
    assert rest == "[next]"
    assert read_token(token, ":") == (value, "")


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("plain", "plain"),
        ("a:b", "a\\\\:b"),
        ("x,y", "x\\,y"),
        ("[l]", "\\[l\\]"),
        ("it's", "it\\\\\\'s"),
        (" pad ", "\\\\\\ pad\\\\\\ "),
    ],
)
def test_known_escapes(value: str, escaped: str) -> None:
    assert escape_graph(escape_value(value)) == escaped


def test_read_token_matches_av_get_token_rules() -> None:
    assert read_token("  a b  ,rest", ",") == ("a b", ",rest")
    assert read_token("'q: [x]'\\,y;z", ";") == ("q: [x],y", ";z")
    assert read_token("a\\ ", ",") == ("a ", "")
    assert read_token("'unterminated", ",") == ("unterminated", "")


def _roundtrip_with_ffmpeg(value: str, work: Path) -> str:
    """Put ``value`` through FFmpeg's real parsers: metadata add → metadata print to a file."""
    out = work / "meta.txt"
    out.unlink(missing_ok=True)
    graph = (
        "color=s=16x16:r=1:d=1,metadata="
        + filter_args([("mode", "add"), ("key", "vo"), ("value", value)])
        + ",metadata="
        + filter_args([("mode", "print"), ("key", "vo"), ("file", str(out))])
    )
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-filter_complex", graph, "-f", "null", "-"],
        check=True,
        capture_output=True,
        timeout=30,
    )
    text = out.read_bytes().decode("utf-8")
    first_line_end = text.index("\n")
    assert text[first_line_end + 1 :].startswith("vo=")
    return text[first_line_end + 1 + len("vo=") : -1]


@pytest.mark.render
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=any_text)
def test_ffmpeg_itself_reads_back_any_value(value: str, tmp_path: Path) -> None:
    assert _roundtrip_with_ffmpeg(value, tmp_path) == value


@pytest.mark.render
def test_ffmpeg_reads_back_the_worst_cases(tmp_path: Path) -> None:
    for value in ["", " ", "\\", "'", "a:b'c\\d", "[in];[out],x", "\n\t", "é 😀 \u202e", "k=v:w"]:
        assert _roundtrip_with_ffmpeg(value, tmp_path) == value
