"""Golden snapshot of the exact ASS document of kinetic typography (ADR 0050): the example
spec ``examples/specs/kinetic-typography.json`` (an English, a Romanian and a Japanese phrase
placed by the spec builder) compiled by ``render/kinetic.py`` into ``snapshots/kinetic/``.
Run with ``VO_UPDATE_GOLDEN=1`` to rewrite it after an intended change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.media import load_example
from video_orchestrator.render.ass import build_ass
from video_orchestrator.render.kinetic import KINETIC_LAYER
from video_orchestrator.spec.model import KineticText

SNAPSHOT = Path(__file__).parent / "snapshots" / "kinetic" / "kinetic-typography.ass"


def test_kinetic_typography_matches_snapshot() -> None:
    document = build_ass(load_example("kinetic-typography"))
    assert document is not None
    if os.environ.get("VO_UPDATE_GOLDEN") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(document, encoding="utf-8")
    assert document == SNAPSHOT.read_text(encoding="utf-8")


def test_each_word_is_hidden_until_its_entrance_and_every_line_is_one_event() -> None:
    spec = load_example("kinetic-typography")
    document = build_ass(spec)
    assert document is not None
    events = [line for line in document.splitlines() if line.startswith("Dialogue:")]
    phrases = [o for o in spec.overlays if isinstance(o, KineticText)]
    assert all(line.startswith(f"Dialogue: {KINETIC_LAYER},") for line in events)
    # one run of tags per word, each starting hidden and squashed, then rising in
    assert sum(line.count("\\fscy20\\t(") for line in events) == sum(len(p.words) for p in phrases)
    # the Japanese phrase is set in the CJK face, its phrases joined without spaces
    assert "Noto Sans CJK JP" in document
    assert "深海には" in document and "光が" in document
    assert "CARACATIȚELE" in document  # diacritics kept, in capitals
