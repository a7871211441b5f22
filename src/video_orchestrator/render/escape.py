"""Escaping of values placed inside an FFmpeg filter graph (``-filter_complex``).

A value passes through two parsers inside FFmpeg, both built on ``av_get_token``:

1. the **graph** parser reads everything after ``name=`` up to the next unescaped
   ``[`` ``]`` ``,`` ``;`` and removes one level of ``\\`` escapes and ``'`` quotes;
2. the **filter-argument** parser splits that text on unescaped ``:`` into ``key=value``
   pairs and removes a second level of escapes and quotes.

Both trim unescaped whitespace at the ends of a token. So a value is escaped for level 2
(:func:`escape_value`), the ``key=value:key=value`` text is assembled, and the whole
argument text is escaped for level 1 (:func:`escape_graph`). :func:`filter_args` does both.

:func:`read_token` is a faithful model of ``av_get_token``; :func:`parse_filter_args` uses it
to read the arguments back, which is how the tests prove that any string survives.
"""

from __future__ import annotations

from collections.abc import Iterable

WHITESPACE = " \n\t\r"
VALUE_SPECIALS = frozenset("\\':")
GRAPH_SPECIALS = frozenset("\\'[],;")


def _backslash(text: str, specials: frozenset[str]) -> str:
    return "".join("\\" + ch if ch in specials or ch in WHITESPACE else ch for ch in text)


def escape_value(value: str) -> str:
    """Escape one option value for the filter-argument parser (``:`` ``\\`` ``'``, blanks)."""
    return _backslash(value, VALUE_SPECIALS)


def escape_graph(args: str) -> str:
    """Escape a filter's whole argument text for the graph parser (``[ ] , ; ' \\``, blanks)."""
    return _backslash(args, GRAPH_SPECIALS)


def filter_args(pairs: Iterable[tuple[str | None, str]]) -> str:
    """``key=value:…`` text of a filter, escaped for both levels (``None`` key = positional)."""
    parts = []
    for key, value in pairs:
        escaped = escape_value(value)
        parts.append(escaped if key is None else f"{key}={escaped}")
    return escape_graph(":".join(parts))


def read_token(text: str, terminators: str) -> tuple[str, str]:
    """Read one token like FFmpeg's ``av_get_token``: returns (token, rest of text).

    Leading blanks are skipped; ``\\`` makes the next character literal; ``'…'`` quotes
    literally; the token stops at an unescaped terminator; unescaped trailing blanks go.
    """
    out: list[str] = []
    end = 0
    pos = 0
    while pos < len(text) and text[pos] in WHITESPACE:
        pos += 1
    while pos < len(text) and text[pos] not in terminators:
        ch = text[pos]
        pos += 1
        if ch == "\\" and pos < len(text):
            out.append(text[pos])
            pos += 1
            end = len(out)
        elif ch == "'":
            while pos < len(text) and text[pos] != "'":
                out.append(text[pos])
                pos += 1
            if pos < len(text):
                pos += 1
                end = len(out)
        else:
            out.append(ch)
    while len(out) > end and out[-1] in WHITESPACE:
        out.pop()
    return "".join(out), text[pos:]


def parse_filter_args(escaped: str) -> list[tuple[str | None, str]]:
    """Read back what :func:`filter_args` wrote, the way FFmpeg does (for tests and debugging)."""
    args, rest = read_token(escaped, "[],;")
    if rest:
        raise ValueError(f"filter arguments end early at {rest[:20]!r}")
    pairs: list[tuple[str | None, str]] = []
    while args:
        key: str | None = None
        index = 0
        while index < len(args) and (args[index].isalnum() or args[index] in "_-/."):
            index += 1
        if 0 < index < len(args) and args[index] == "=":
            key = args[:index]
            args = args[index + 1 :]
        value, args = read_token(args, ":")
        pairs.append((key, value))
        if args.startswith(":"):
            args = args[1:]
            if not args:
                pairs.append((None, ""))
    return pairs
