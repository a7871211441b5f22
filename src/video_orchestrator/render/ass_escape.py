r"""Escaping user text for ASS (libass) so it is drawn literally, never interpreted.

libass reads event text like this (``get_next_char`` and the tag parser in ass_render.c):

* ``{`` opens an override block that runs to the next ``}`` (to the end if none): its
  content is never drawn.
* a backslash followed by ``N`` is a line break, by ``n`` a soft break (a break under
  ``WrapStyle: 2``), by ``h`` a non-breaking space, by ``{`` or ``}`` a literal brace.
  A backslash followed by anything else is drawn as a backslash.

So, in user text:

* ``{`` becomes ``\{`` and ``}`` becomes ``\}`` (drawn as braces, never opening a block);
* every backslash is followed by U+200B ZERO WIDTH SPACE, which draws nothing (Anton and
  Montserrat carry it; every Noto font too), so ``\N``, ``\n``, ``\h`` typed by a user, and
  a backslash just before an escape or an override block we add, stay literal;
* line breaks in the input (``\n``, ``\r\n``, ``\r``, U+2028 …) become ``\N`` when
  ``newlines="break"`` (text overlays) or one space when ``newlines="space"`` (caption
  words); tabs become spaces; other control characters are dropped (they draw nothing and a
  raw line break would end the ``Dialogue:`` line in the file);
* spaces at the start or end of a line become ``\h`` when ``keep_edge_spaces`` is set,
  since libass trims ordinary spaces there.

Everything else (emoji, right-to-left scripts, quotes, commas, colons …) passes unchanged:
the text field is the last field of a ``Dialogue:`` line, so commas are safe there.
This was verified with real FFmpeg 9 / libass renders (see tests/integration).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from video_orchestrator.errors import SpecError

#: Drawn after every user backslash so it cannot start an escape sequence.
BACKSLASH_GUARD = "\u200b"
NBSP = "\u00a0"
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _clean(text: str, newlines: Literal["break", "space"]) -> str:
    text = _LINE_BREAKS.sub("\n" if newlines == "break" else " ", text)
    text = text.replace("\t", " ")
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")


def _escape_chars(text: str) -> str:
    out: list[str] = []
    for char in text:
        if char == "\\":
            out.append("\\" + BACKSLASH_GUARD)
        elif char == "{":
            out.append("\\{")
        elif char == "}":
            out.append("\\}")
        else:
            out.append(char)
    return "".join(out)


def _edge_spaces(line: str) -> str:
    stripped = line.strip(" ")
    if not stripped:
        return "\\h" * len(line)
    lead = len(line) - len(line.lstrip(" "))
    trail = len(line) - len(line.rstrip(" "))
    return "\\h" * lead + line[lead : len(line) - trail] + "\\h" * trail


def escape_text(
    text: str,
    *,
    newlines: Literal["break", "space"] = "break",
    keep_edge_spaces: bool = False,
) -> str:
    """``text`` as ASS event text that libass draws literally (see the module docstring)."""
    lines = _clean(text, newlines).split("\n")
    escaped = [_escape_chars(line) for line in lines]
    if keep_edge_spaces:
        escaped = [_edge_spaces(line) for line in escaped]
    return "\\N".join(escaped)


def libass_visible_text(event_text: str, *, wrap_style: int = 2) -> str:
    """What libass draws for ``event_text``: override blocks removed, escapes resolved.

    A model of libass's parsing, used by tests to show that escaped text comes back
    unchanged. Line breaks come back as ``"\\n"``, ``\\h`` as U+00A0.
    """
    out: list[str] = []
    index = 0
    length = len(event_text)
    while index < length:
        char = event_text[index]
        if char == "{":
            close = event_text.find("}", index + 1)
            index = length if close < 0 else close + 1
            continue
        if char == "\\" and index + 1 < length:
            following = event_text[index + 1]
            if following == "N" or (following == "n" and wrap_style == 2):
                out.append("\n")
                index += 2
                continue
            if following == "n":
                out.append(" ")
                index += 2
                continue
            if following == "h":
                out.append(NBSP)
                index += 2
                continue
            if following in "{}":
                out.append(following)
                index += 2
                continue
        out.append("\t" if char == "\t" else char)
        index += 1
    return "".join(out)


def unguard(visible: str) -> str:
    """Remove the zero-width guard that ``escape_text`` puts after each backslash."""
    return visible.replace("\\" + BACKSLASH_GUARD, "\\")


def style_name_field(value: str, what: str) -> str:
    """A value for a comma-separated ``Style:`` field (a font name): checked, not escaped.

    ASS has no escape inside style fields, so a name with a comma, brace, backslash or
    line break is refused instead of being silently changed.
    """
    cleaned = value.strip()
    if (
        not cleaned
        or any(c in cleaned for c in ",{}\\")
        or any(unicodedata.category(c) == "Cc" for c in cleaned)
    ):
        raise SpecError(
            f"{what} {value!r} cannot be used: a font name must be non-empty and contain no "
            "commas, braces, backslashes or control characters"
        )
    return cleaned
