"""The offline writer: the user's material (an article, notes, a transcript) → a script.

Nothing is invented. The script is made of the source's own sentences, chosen and trimmed
(ADR 0020):

1. **Reading.** HTML is reduced to the article's text by trafilatura (menus, footers and
   cookie banners dropped; the page's title kept); SubRip/WebVTT transcripts lose their
   numbers, timestamps and tags, and the repeated lines of rolling captions; markdown loses
   its markup (headings, bullets, emphasis, link targets, code).
2. **Choosing.** Each sentence is scored by how central its content words are to the whole
   text (a word's weight grows with how often the source uses it), with a bonus for its
   place (the first sentence of the text and of each paragraph), for numbers (facts) and for
   words of the title; a sentence that leans on the one before it ("This …", "They …") or
   reads like page furniture ("subscribe", "cookies") loses points or is left out.
   Near-duplicates (half their content words shared) are kept once.
3. **Trimming.** Bracketed asides and citation marks (``(see below)``, ``[3]``) and an
   opening connective ("However, ") are removed; the words of the sentence are otherwise
   kept as written, so every fact is the source's.
4. **Shaping.** The strongest short sentence is the hook; the best of the rest, up to the
   platform's length, are told in the source's order as 3–6 scenes; each scene's keywords
   are its own content words; the description names the source ("Source: <title or URL>").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from video_orchestrator.domain.script import Genre, Scene, Script
from video_orchestrator.errors import ScriptError
from video_orchestrator.pipeline.keywords import hashtags_from, keywords_from
from video_orchestrator.pipeline.script_writer import (
    HOOK_MAX_CHARS,
    NARRATION_MAX_CHARS,
    TITLE_MAX_CHARS,
    TOPIC_MAX_CHARS,
    language_data,
    stop_words_for,
)
from video_orchestrator.text import (
    content_words,
    one_line,
    sentences_by_punctuation,
    shorten,
    words_of,
)

#: The most text read from a source (characters after extraction): a long article's
#: sentences beyond this are not considered.
MAX_SOURCE_CHARS = 200_000
MIN_SENTENCE_WORDS = 4
MAX_SENTENCE_WORDS = 40
HOOK_MAX_WORDS = 22
MIN_SCENES = 3
MAX_SCENES = 6
MAX_SCENE_KEYWORDS = 8
#: Two sentences sharing this share of their content words say the same thing.
DUPLICATE_OVERLAP = 0.5
DEFAULT_WORDS_PER_MINUTE = 150

_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_SUBTITLE_SUFFIXES = frozenset({".srt", ".vtt"})
_HTML_START = re.compile(
    r"\A\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|article)\b", re.I | re.S
)
_TIMESTAMP = re.compile(r"\d{1,2}:\d{2}(:\d{2})?[.,]\d{1,3}\s*-->")
_TAG = re.compile(r"<[^>]{0,200}>")
_CITATION = re.compile(r"\s*\[(\d{1,3}|citation needed|note \d+|[a-z])\]", re.I)
_ASIDE = re.compile(r"\s*\([^()]{0,120}\)")
#: Page furniture in any language (addresses, handles, the copyright sign); each language's
#: words of the kind ("subscribe", "cookies") are in its data (``furniture``).
_FURNITURE_MARKS = re.compile(r"(https?://|www\.|@\w|©)", re.I)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(\*\*|__|\*|`)")
_MD_BULLET = re.compile(r"\A\s*([-*+•]|\d{1,3}[.)])\s+")
_MD_HEADING = re.compile(r"\A\s*#{1,6}\s+")
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class _Words:
    """The offline writer's word lists of one language (``data/script_templates.json``)."""

    connective: re.Pattern[str]
    dangling: frozenset[str]
    number_words: frozenset[str]
    striking: tuple[str, ...]
    furniture: re.Pattern[str]


@cache
def _words(language: str) -> _Words:
    data = language_data(language)

    def alternatives(phrases: Sequence[str]) -> str:
        longest_first = sorted({p.casefold() for p in phrases if p.strip()}, key=len, reverse=True)
        return "|".join(re.escape(p) for p in longest_first) or "(?!)"

    return _Words(
        connective=re.compile(rf"\A({alternatives(data.connectives)})\s*,\s*", re.I),
        dangling=frozenset(w.casefold() for w in data.dangling),
        number_words=frozenset(w.casefold() for w in data.number_words),
        striking=tuple(w.casefold() for w in data.striking),
        furniture=re.compile(rf"(?<!\w)({alternatives(data.furniture)})", re.I),
    )


@dataclass(frozen=True)
class SourceText:
    """The readable text of the user's material: paragraphs separated by blank lines, its
    title when it has one, and where it came from (a file name or a URL)."""

    text: str
    title: str | None
    origin: str

    @property
    def label(self) -> str:
        """How the source is named to viewers: its title, else its address or file name."""
        return self.title or self.origin


# --------------------------------------------------------------------------- reading


def read_source(data: bytes | str, *, origin: str, content_type: str | None = None) -> SourceText:
    """The readable text of a file's or a download's content (HTML, subtitles, markdown or
    plain text, told apart by the name, the content type and the content itself)."""
    text = data if isinstance(data, str) else _decode(data, origin)
    text = text.lstrip("\ufeff")
    suffix = PurePosixPath(urlsplit(origin).path if "://" in origin else origin).suffix.lower()
    kind = (content_type or "").split(";")[0].strip().lower()
    if (
        suffix in _HTML_SUFFIXES
        or kind in ("text/html", "application/xhtml+xml")
        or (_HTML_START.match(text))
    ):
        return _read_html(text, origin)
    if suffix in _SUBTITLE_SUFFIXES or kind == "text/vtt" or _TIMESTAMP.search(text[:2000]):
        return SourceText(text=_read_subtitles(text), title=None, origin=origin)
    body, title = _read_markdown(text)
    return SourceText(text=body, title=title, origin=origin)


def _decode(data: bytes, origin: str) -> str:
    for encoding in ("utf-8", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:  # a page in a legacy encoding (its own meta tag says which)
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except ImportError:  # pragma: no cover - a dependency of trafilatura
        pass
    raise ScriptError(f"{origin} is not text: give an article, notes or a transcript")


def _read_html(html: str, origin: str) -> SourceText:
    import trafilatura  # a few hundred ms to import: only when a page is read

    document = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    body = getattr(document, "text", None) or ""
    title = getattr(document, "title", None)
    # trafilatura gives one paragraph a line; blank lines are the paragraphs here
    paragraphs = [_MD_BULLET.sub("", line).strip() for line in body.splitlines()]
    text = "\n\n".join(p for p in paragraphs if p)
    return SourceText(
        text=text,
        title=one_line(title) if isinstance(title, str) and title.strip() else None,
        origin=origin,
    )


def _read_subtitles(text: str) -> str:
    """The words of an SRT or WebVTT file: no header, numbers, timestamps, notes or tags;
    a cue repeating the line before it (rolling captions) is kept once."""
    lines: list[str] = []
    skipping_block = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            skipping_block = False
            continue
        if skipping_block or line.startswith("WEBVTT") or line.isdigit():
            continue
        if line.startswith(("NOTE", "STYLE", "REGION")):
            skipping_block = True
            continue
        if "-->" in line:
            continue
        line = one_line(_TAG.sub("", line))
        if line and (not lines or line != lines[-1]):
            lines.append(line)
    # cues break sentences anywhere: the words run on, one paragraph per blank-line pause
    return " ".join(lines)


def _read_markdown(text: str) -> tuple[str, str | None]:
    """Plain paragraphs of markdown or notes, and the first heading as the title."""
    title: str | None = None
    paragraphs: list[str] = []
    current: list[str] = []
    fenced = False

    def close() -> None:
        if current:
            paragraphs.append(one_line(" ".join(current)))
            current.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw.strip().startswith("```"):
            fenced = not fenced
            close()
            continue
        if fenced:
            continue
        line = raw.strip()
        if not line:
            close()
            continue
        if _MD_HEADING.match(line):
            close()
            heading = _clean_inline(_MD_HEADING.sub("", line))
            if title is None and raw.lstrip().startswith("# "):
                title = heading
            elif heading:
                paragraphs.append(heading)  # a heading is not a sentence: scored as one anyway
            continue
        if _MD_BULLET.match(line):
            close()
            item = _clean_inline(_MD_BULLET.sub("", line))
            if item:
                paragraphs.append(item if item[-1] in ".!?…" else f"{item}.")
            continue
        current.append(_clean_inline(line))
    close()
    return "\n\n".join(p for p in paragraphs if p), title


def _clean_inline(line: str) -> str:
    return _MD_MARKS.sub("", _MD_LINK.sub(r"\1", line)).strip()


# --------------------------------------------------------------------------- choosing


@dataclass(frozen=True)
class _Sentence:
    index: int  # its place in the source
    paragraph: int
    first_in_paragraph: bool
    text: str  # trimmed, as it will be said
    terms: frozenset[str]
    words: int


def source_sentences(source: SourceText, language: str) -> list[_Sentence]:
    """Every sentence of the source a script could say, trimmed, in the source's order."""
    stop_words = stop_words_for(language)
    found: list[_Sentence] = []
    paragraphs = [p for p in source.text[:MAX_SOURCE_CHARS].split("\n\n") if p.strip()]
    for number, paragraph in enumerate(paragraphs):
        first = True
        for raw in sentences_by_punctuation(one_line(paragraph)):
            for piece in _clauses(raw):
                text = _trim(piece, language)
                words = len(text.split())
                if not text or _furniture(text, language) or not _sayable(text, words):
                    continue
                terms = frozenset(content_words(text, stop_words))
                if not terms:
                    continue
                found.append(_Sentence(len(found), number, first, text, terms, words))
                first = False
    return found


def _clauses(sentence: str) -> list[str]:
    """A sentence too long to say in one breath split at ``;`` or ``:`` when that gives two
    complete parts; otherwise left whole (and left out later if still too long)."""
    if len(sentence.split()) <= MAX_SENTENCE_WORDS:
        return [sentence]
    parts = [p.strip() for p in re.split(r"(?<=[;:])\s+", sentence) if p.strip()]
    return [p[:-1] + "." if p[-1] in ";:" else p for p in parts]


def _furniture(text: str, language: str) -> bool:
    return bool(_FURNITURE_MARKS.search(text) or _words(language).furniture.search(text))


def _trim(sentence: str, language: str) -> str:
    """The sentence without citation marks, bracketed asides or an opening connective."""
    text = _CITATION.sub("", sentence)
    text = _ASIDE.sub("", text)
    text = _words(language).connective.sub("", text).strip()
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text)
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text


def _sayable(text: str, words: int) -> bool:
    return MIN_SENTENCE_WORDS <= words <= MAX_SENTENCE_WORDS and text[-1] in ".!?…\"'”’)"


def _scores(sentences: Sequence[_Sentence], title: str | None, language: str) -> list[float]:
    counts: Counter[str] = Counter()
    for sentence in sentences:
        counts.update(sentence.terms)
    title_terms = frozenset(content_words(title or "", stop_words_for(language)))
    scores = []
    for sentence in sentences:
        central = sum(math.log1p(counts[t] - 1) for t in sentence.terms)
        score = central / math.sqrt(len(sentence.terms))
        if sentence.index == 0:
            score += 1.0
        elif sentence.first_in_paragraph:
            score += 0.4
        if _has_number(sentence.text, language):
            score += 0.5
        score += 0.4 * len(sentence.terms & title_terms)
        first_word = sentence.text.split()[0].casefold().strip("\"'“‘«„¿¡")
        if first_word in _words(language).dangling:
            score -= 0.8
        scores.append(score)
    return scores


def _hook_score(sentence: _Sentence, score: float, language: str) -> float:
    folded = f" {' '.join(words_of(sentence.text)).casefold()} "
    striking = any(f" {phrase} " in folded for phrase in _words(language).striking)
    return (
        score
        + 0.8 * _has_number(sentence.text, language)
        + 0.5 * striking
        + 0.3 * (sentence.words <= 15)
    )


def _has_number(text: str, language: str) -> bool:
    numbers = _words(language).number_words
    return bool(_NUMBER.search(text)) or any(w.casefold() in numbers for w in words_of(text))


def _duplicate(a: _Sentence, b: _Sentence) -> bool:
    smaller = min(len(a.terms), len(b.terms))
    return smaller > 0 and len(a.terms & b.terms) / smaller >= DUPLICATE_OVERLAP


# --------------------------------------------------------------------------- the script


def script_from_source(
    source: SourceText,
    *,
    genre: Genre | None = None,
    language: str = "en",
    target_seconds: int = 40,
    words_per_minute: int = DEFAULT_WORDS_PER_MINUTE,
) -> Script:
    """A script told in the source's own sentences, about ``target_seconds`` long."""
    sentences = source_sentences(source, language)
    if len(sentences) < 2:
        raise ScriptError(
            f"{source.origin} has too few complete sentences to make a script from "
            f"({len(sentences)} found): give an article, notes in sentences or a transcript"
        )
    scores = _scores(sentences, source.title, language)
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    budget = target_seconds * words_per_minute / 60

    # the hook: the strongest short sentence, a number or a striking word counting extra
    hook_ranked = sorted(
        range(len(sentences)), key=lambda i: (-_hook_score(sentences[i], scores[i], language), i)
    )
    hook_index = next(
        (
            i
            for i in hook_ranked
            if sentences[i].words <= HOOK_MAX_WORDS
            and len(sentences[i].text) <= HOOK_MAX_CHARS
            and sentences[i].text.split()[0].casefold() not in _words(language).dangling
        ),
        ranked[0],
    )
    hook = sentences[hook_index]
    chosen: list[_Sentence] = []
    used = hook.words
    for index in ranked:
        sentence = sentences[index]
        if index == hook_index or any(_duplicate(sentence, c) for c in [hook, *chosen]):
            continue
        if used + sentence.words > budget * 1.08:
            if used >= budget * 0.85:
                break
            continue
        chosen.append(sentence)
        used += sentence.words
    if not chosen:
        raise ScriptError(
            f"{source.origin} says one thing only ({shorten(hook.text, 80)!r}): "
            "a script needs at least a few sentences of material"
        )
    chosen.sort(key=lambda s: s.index)
    scenes = [
        Scene(narration=text, keywords=keywords_from(text, language, MAX_SCENE_KEYWORDS))
        for text in _scenes(chosen)
    ]
    hook_text = shorten(hook.text, HOOK_MAX_CHARS)
    title = shorten(one_line(source.title or hook_text).rstrip(" .:;,"), TITLE_MAX_CHARS)
    credit = f"Source: {shorten(source.label, 200)}"
    description = f"{shorten(hook_text, 2000 - len(credit) - 2)}\n\n{credit}"
    return Script(
        topic=shorten(one_line(source.title or hook_text), TOPIC_MAX_CHARS),
        genre=genre or "custom",
        language=language,
        title=title or shorten(hook_text, TITLE_MAX_CHARS),
        hook=hook_text,
        scenes=scenes,
        call_to_action="",
        description=description,
        hashtags=hashtags_from(
            " ".join(s.text for s in [hook, *chosen]), language, topic=source.title or ""
        ),
    )


def _scenes(chosen: Sequence[_Sentence]) -> list[str]:
    """Sentences (in source order) grouped into ``MIN_SCENES``–``MAX_SCENES`` scenes of
    similar length; a new paragraph of the source starts a new scene where it can."""
    count = min(MAX_SCENES, max(MIN_SCENES, round(sum(s.words for s in chosen) / 18)))
    count = min(count, len(chosen))
    groups: list[list[_Sentence]] = [[s] for s in chosen]
    while len(groups) > count:
        # join the neighbouring pair that is shortest together, preferring one paragraph
        def cost(i: int) -> tuple[float, int]:
            a, b = groups[i], groups[i + 1]
            length = sum(s.words for s in a + b)
            same = a[-1].paragraph == b[0].paragraph
            return (length * (0.7 if same else 1.0), i)

        joinable = [
            i
            for i in range(len(groups) - 1)
            if sum(len(s.text) + 1 for s in groups[i] + groups[i + 1]) <= NARRATION_MAX_CHARS
        ]
        if not joinable:
            break
        best = min(joinable, key=cost)
        groups[best : best + 2] = [groups[best] + groups[best + 1]]
    return [" ".join(s.text for s in group) for group in groups]
