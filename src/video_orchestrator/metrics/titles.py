"""Matching a published video's title to the title of the project that made it.

The rule (ADR 0029): titles are compared after normalising (Unicode NFKC, case folded,
hashtags, emoji and punctuation dropped, spaces collapsed). Equal normalised titles match.
Otherwise the most similar title matches when its similarity (``difflib`` ratio) is at
least ``THRESHOLD`` and no other title comes within ``MARGIN`` of it; a tie matches nothing.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping

THRESHOLD = 0.85
MARGIN = 0.05
_HASHTAG = re.compile(r"[#@]\w+")


def normal_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    text = _HASHTAG.sub(" ", text)
    kept = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in text)
    return " ".join(kept.split())


def match_title(title: str, candidates: Mapping[str, str]) -> str | None:
    """The key of the candidate title ``title`` matches (``candidates``: key → title), or
    ``None`` when none does or two are equally close."""
    wanted = normal_title(title)
    if not wanted:
        return None
    normalised = {key: normal_title(text) for key, text in candidates.items()}
    exact = [key for key, text in normalised.items() if text and text == wanted]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        return None
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, wanted, text).ratio(), key)
            for key, text in normalised.items()
            if text
        ),
        reverse=True,
    )
    if not scored or scored[0][0] < THRESHOLD:
        return None
    if len(scored) > 1 and scored[1][0] > scored[0][0] - MARGIN:
        return None
    return scored[0][1]
