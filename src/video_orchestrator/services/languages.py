"""The language of what the user gave: a script, material or a topic (ADR 0031).

``vo make``, ``vo hooks`` and ``vo optimise`` without ``--lang`` follow the language the
text is written in; ``--lang`` (or a project's language setting) overrides it.
"""

from __future__ import annotations

import json

from video_orchestrator.languages.detect import detect_language

#: A topic is a few words: its language is taken from it only when it has this many words
#: and lingua is this sure ("croissant" alone reads as French at 0.85; "los secretos del
#: océano más profundo" is Spanish at 0.86; English topics of 2–3 words mostly give no
#: answer, so they stay English).
TOPIC_MIN_WORDS = 3
TOPIC_CONFIDENCE = 0.8


def spoken_text(script_text: str) -> tuple[str | None, str]:
    """The language a script JSON declares (None for plain text or a JSON without one) and
    the words the script says (a JSON's keys would read as English)."""
    stripped = script_text.strip().lstrip("\ufeff")
    if not stripped.startswith("{"):
        return None, stripped
    try:
        raw = json.loads(stripped)
    except ValueError:
        return None, stripped
    if not isinstance(raw, dict):
        return None, stripped
    declared = raw.get("language")
    parts = [raw.get("hook"), raw.get("title")]
    parts += [s.get("narration") for s in raw.get("scenes") or [] if isinstance(s, dict)]
    text = " ".join(p for p in parts if isinstance(p, str))
    return (declared if isinstance(declared, str) and declared.strip() else None), text


def script_language(script_text: str) -> str | None:
    """The language a script (plain text or script JSON) is in: the one a JSON declares,
    else the detected one; None when it cannot be told."""
    declared, text = spoken_text(script_text)
    if declared is not None:
        return declared
    found = detect_language(text)
    return found.language if found is not None else None


def topic_language(topic: str) -> str | None:
    """The language of a topic's few words, only when the detector is sure of it."""
    if len(topic.split()) < TOPIC_MIN_WORDS:
        return None
    found = detect_language(topic)
    if found is None or found.confidence < TOPIC_CONFIDENCE:
        return None
    return found.language


def language_for(script_text: str | None, topic: str | None, given: str | None) -> str:
    """``given`` when the user set it, else the script's or the topic's, else English."""
    if given is not None:
        return given
    if script_text is not None:
        return script_language(script_text) or "en"
    return topic_language(topic or "") or "en"
