"""The user's own script: pasted text, a text file's content, or a script JSON file.

Plain text keeps every word, in order. Paragraphs (blank-line separated) become scenes; long
paragraphs are split at sentence boundaries; the first sentence becomes the hook. Keywords,
title and hashtags are derived from the words. A text that starts with a JSON object is read
as a :class:`Script` and validated.
"""

from __future__ import annotations

import json
import re

from pydantic import ValidationError

from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.errors import ScriptError
from video_orchestrator.pipeline.keywords import hashtags_from, keywords_from
from video_orchestrator.pipeline.script_writer import (
    HOOK_MAX_CHARS,
    NARRATION_MAX_CHARS,
    TITLE_MAX_CHARS,
    TOPIC_MAX_CHARS,
)
from video_orchestrator.text import (
    one_line,
    sentences_by_punctuation,
    shorten,
    tokenize,
    uses_spaces,
)

#: Scenes a long text is split into at most (more paragraphs than this stay separate).
SPLIT_SCENES = 6
#: The script model's own limit.
MAX_SCENES = 12
#: A paragraph with more words than this is split at sentence boundaries.
LONG_PARAGRAPH_WORDS = 45
MAX_SCENE_KEYWORDS = 8

# A sentence ends after . ! ? … (with closing quotes/brackets) before whitespace, or after
# the full-width marks of CJK text, which need no space.
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+")
_JSON_START = re.compile(r"\A\{\s*(\"|\})")
_HEADING = re.compile(r"\A#{1,6}\s+")


def script_from_text(text: str, *, topic: str | None = None, language: str = "en") -> Script:
    """A :class:`Script` from the user's text (or script JSON); ``ScriptError`` if unusable."""
    stripped = text.strip().lstrip("\ufeff").strip()
    if not stripped:
        raise ScriptError("the script is empty: write the narration, or give a topic instead")
    if _JSON_START.match(stripped):
        return _script_from_json(stripped, topic=topic, language=language)
    return _script_from_plain(stripped, topic=topic, language=language)


# --------------------------------------------------------------------------- JSON


def _script_from_json(text: str, *, topic: str | None, language: str) -> Script:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScriptError(
            f"the script looks like JSON but cannot be parsed: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}; fix the file or paste plain text"
        ) from exc
    if not isinstance(data, dict):  # pragma: no cover - a leading "{" makes it an object
        raise ScriptError("the script JSON must be an object with title, hook and scenes")
    if topic and topic.strip():
        data.setdefault("topic", topic.strip())
    data.setdefault("language", language)
    try:
        return Script.model_validate(data)
    except ValidationError as exc:
        raise ScriptError(f"the script JSON is not a valid script: {condense(exc)}") from exc


def condense(exc: ValidationError, limit: int = 5) -> str:
    """A pydantic error as one line: ``where: what; where: what …``."""
    parts = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(part) for part in error["loc"]) or "script"
        parts.append(f"{where}: {one_line(str(error['msg']))}")
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


# --------------------------------------------------------------------------- plain text


def _script_from_plain(text: str, *, topic: str | None, language: str) -> Script:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first_line = next(line.strip() for line in lines if line.strip())
    paragraphs = _paragraphs(lines)

    hashtags: list[str] = []
    if len(paragraphs) > 1 and _is_hashtag_line(paragraphs[-1]):
        hashtags = [word.lstrip("#") for word in paragraphs.pop().split()]

    sentences_per_paragraph = [sentences_by_punctuation(p) for p in paragraphs]
    total_sentences = sum(len(s) for s in sentences_per_paragraph)
    # Words as the captions count them: phrases for Japanese, Chinese, Thai (ADR 0032).
    all_words = tokenize(" ".join(paragraphs), language)
    joiner = " " if uses_spaces(language) else ""
    if total_sentences >= 2:
        hook = sentences_per_paragraph[0].pop(0)
        if not sentences_per_paragraph[0]:
            sentences_per_paragraph.pop(0)
    else:
        if len(all_words) < 2:
            raise ScriptError(
                f"the script is too short ({joiner.join(all_words)!r}): write at least a sentence"
            )
        hook, rest = _split_single(joiner.join(all_words), language)
        sentences_per_paragraph = [[rest]]
    if len(hook) > HOOK_MAX_CHARS:
        hook, overflow = _split_at_chars(hook, HOOK_MAX_CHARS)
        if sentences_per_paragraph:
            sentences_per_paragraph[0].insert(0, overflow)
        else:
            sentences_per_paragraph = [[overflow]]

    chunks = _scene_chunks(sentences_per_paragraph)
    if len(chunks) > MAX_SCENES:
        raise ScriptError(
            f"the script is too long: it needs {len(chunks)} scenes of at most "
            f"{NARRATION_MAX_CHARS} characters and a script has at most {MAX_SCENES}; shorten it"
        )
    scenes = [
        Scene(narration=chunk, keywords=keywords_from(chunk, language, MAX_SCENE_KEYWORDS))
        for chunk in chunks
    ]

    given_topic = topic.strip() if topic else ""
    title_source = given_topic or _HEADING.sub("", first_line)
    if not given_topic:
        title_source = sentences_by_punctuation(title_source)[0]
    title = shorten(one_line(title_source).rstrip(" .:;,"), TITLE_MAX_CHARS) or shorten(
        one_line(hook), TITLE_MAX_CHARS
    )
    final_topic = shorten(given_topic, TOPIC_MAX_CHARS) if given_topic else title
    if not hashtags:
        hashtags = hashtags_from(" ".join(paragraphs), language, topic=given_topic)
    opener = hook if hook[-1] in ".!?…。！？" else f"{hook}."
    description = shorten(one_line(" ".join([opener, *chunks[:1]])), 300)
    return Script(
        topic=final_topic,
        genre="custom",
        language=language,
        title=title,
        hook=hook,
        scenes=scenes,
        call_to_action="",
        description=description,
        hashtags=hashtags[:30],
    )


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, each on one line; a markdown ``#`` heading marker is
    dropped (it is not a word)."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(_HEADING.sub("", line.strip()))
        elif current:
            paragraphs.append(one_line(" ".join(current)))
            current = []
    return [p for p in paragraphs if p]


def _is_hashtag_line(paragraph: str) -> bool:
    words = paragraph.split()
    return bool(words) and all(w.startswith("#") and len(w) > 1 for w in words)


def _split_single(sentence: str, language: str) -> tuple[str, str]:
    """A one-sentence script split into a hook and one scene: at the first clause mark when
    it leaves words on both sides, otherwise in the middle (between phrases for languages
    written without spaces)."""
    clauses = _CLAUSE_END.split(sentence, maxsplit=1)
    if len(clauses) == 2 and clauses[0].strip() and clauses[1].strip():
        return clauses[0].strip(), clauses[1].strip()
    words = tokenize(sentence, language)
    joiner = " " if uses_spaces(language) else ""
    half = (len(words) + 1) // 2
    return joiner.join(words[:half]), joiner.join(words[half:])


def _split_at_chars(text: str, limit: int) -> tuple[str, str]:
    """``text`` cut at the last space before ``limit`` characters (words kept whole)."""
    cut = text.rfind(" ", 0, limit + 1)
    if cut <= 0:
        cut = limit
    return text[:cut].strip(), text[cut:].strip()


def _scene_chunks(paragraphs: list[list[str]]) -> list[str]:
    """Paragraph sentences → scene narrations.

    Every paragraph is a scene; while there are fewer than ``SPLIT_SCENES``, the longest
    paragraph over ``LONG_PARAGRAPH_WORDS`` words is split in two at the sentence boundary
    nearest its middle. Any chunk over the model's character limit is split regardless.
    """
    groups = [list(sentences) for sentences in paragraphs if sentences]
    while len(groups) < SPLIT_SCENES:
        candidates = [
            (index, group)
            for index, group in enumerate(groups)
            if len(group) > 1 and _word_count(group) > LONG_PARAGRAPH_WORDS
        ]
        if not candidates:
            break
        index, group = max(candidates, key=lambda item: _word_count(item[1]))
        at = _middle(group)
        groups[index : index + 1] = [group[:at], group[at:]]
    chunks: list[str] = []
    for group in groups:
        chunks.extend(_limit_chars(group))
    # More paragraphs than a script can hold: join the shortest neighbouring pair, repeatedly.
    while len(chunks) > MAX_SCENES:
        pairs = [
            (len(chunks[i]) + len(chunks[i + 1]), i)
            for i in range(len(chunks) - 1)
            if len(chunks[i]) + 1 + len(chunks[i + 1]) <= NARRATION_MAX_CHARS
        ]
        if not pairs:
            break
        _, index = min(pairs)
        chunks[index : index + 2] = [f"{chunks[index]} {chunks[index + 1]}"]
    return chunks


def _word_count(sentences: list[str]) -> int:
    return sum(len(s.split()) for s in sentences)


def _middle(sentences: list[str]) -> int:
    """The sentence index that splits ``sentences`` into two halves of similar word count."""
    half = _word_count(sentences) / 2
    running = 0
    best, best_gap = 1, float("inf")
    for index in range(1, len(sentences)):
        running += len(sentences[index - 1].split())
        gap = abs(running - half)
        if gap < best_gap:
            best, best_gap = index, gap
    return best


def _limit_chars(sentences: list[str]) -> list[str]:
    """Sentences joined into chunks of at most ``NARRATION_MAX_CHARS`` characters; a single
    longer sentence is cut at word boundaries."""
    chunks: list[str] = []
    current = ""
    for sentence in sentences:
        pieces = [sentence]
        while len(pieces[-1]) > NARRATION_MAX_CHARS:
            head, tail = _split_at_chars(pieces.pop(), NARRATION_MAX_CHARS)
            pieces.extend([head, tail])
        for piece in pieces:
            joined = f"{current} {piece}".strip()
            if len(joined) <= NARRATION_MAX_CHARS:
                current = joined
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks
