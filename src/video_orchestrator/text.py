"""Pure text helpers shared by speech providers, the caption pipeline and the script
tools: tokenising, sentence splitting, word weights, emoji, keywords, shortening.

Everything here is a function of its arguments: no I/O, no state (BudouX's phrase models are
read from its package once and kept). It is a utility module, not a port: nothing here is
implemented by an adapter.

* :func:`tokenize` cuts a text into the tokens captions show and timings are given for:
  the one segmentation every voice, caption layout and caption style goes through.
  For languages written with spaces a token is a whitespace-separated word with its
  punctuation attached (``"Hello,"``, ``"“quoted”"``, ``"3"``), exactly as displayed.
  For Japanese, Chinese and Thai a token is a **phrase** as BudouX cuts it (``"今日は"``,
  ``"海の"``, ``"話を"``, ``"します。"``: a content word with its particles and
  punctuation), so captions animate phrases and lines break only between them (ADR 0032).
  Other languages written without spaces (Lao, Khmer, Burmese …) fall back to a
  character-class segmentation (:func:`_segment_by_class`).
* :func:`split_sentences` groups the same tokens into sentences, so that joining the
  tokens of every sentence gives back ``tokenize(text)``.
* :func:`distribute` spreads a time span over words by character weight, the fallback
  when a synthesiser gives no word-level timings.
* :func:`keywords_of`, :func:`content_words` and :func:`keyword_terms` find the words that
  match footage to scenes (stop words are passed in; each language's list is in the script
  templates, read by :func:`video_orchestrator.pipeline.script_writer.stop_words_for`).
* :func:`sentences_by_punctuation`, :func:`one_line` and :func:`shorten` serve script import
  and editing, where no language is known and no tokens need to line up.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

import budoux
from pydantic import ValidationError

from video_orchestrator.ports.tts import WordTiming

#: Languages written without spaces between words (primary subtags).
UNSPACED_LANGUAGES = frozenset({"ja", "zh", "th", "lo", "km", "my", "yue", "wuu"})

#: Characters that end a sentence when they end a token (before closing quotes/brackets).
SENTENCE_TERMINATORS = frozenset(".!?…。！？‼⁇⁈⁉｡")

_CLOSERS = frozenset("\"'”’»›)]}」』）】〕〉》］｝")
_WHITESPACE_TOKEN = re.compile(r"\S+")


def primary_language(language: str) -> str:
    """The primary subtag of a language tag, lower-case: ``"en_US"`` → ``"en"``."""
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower()


def uses_spaces(language: str) -> bool:
    """Whether words of ``language`` are separated by spaces."""
    return primary_language(language) not in UNSPACED_LANGUAGES


def token_spans(text: str, language: str) -> list[tuple[int, int]]:
    """``(start, end)`` character offsets in ``text`` of every token, in order."""
    if uses_spaces(language):
        return [match.span() for match in _WHITESPACE_TOKEN.finditer(text)]
    parser = _phrase_parser(language)
    if parser is None:
        return _segment_by_class(text, primary_language(language))
    return _segment_phrases(text, parser)


def tokenize(text: str, language: str) -> list[str]:
    """The tokens of ``text`` as they are displayed (see the module docstring)."""
    return [text[start:end] for start, end in token_spans(text, language)]


def ends_sentence(token: str) -> bool:
    """Whether a token ends a sentence: its last character before any closing quotes or
    brackets is a sentence terminator (``.``, ``!``, ``?``, ``…``, ``。`` …)."""
    core = token.rstrip()
    while core and core[-1] in _CLOSERS:
        core = core[:-1]
    return bool(core) and core[-1] in SENTENCE_TERMINATORS


def sentence_ranges(text: str, language: str) -> list[tuple[int, int]]:
    """Sentences as half-open ranges of token indices into ``tokenize(text, language)``.

    A sentence ends after a token that :func:`ends_sentence`, or at a line break.
    """
    spans = token_spans(text, language)
    ranges: list[tuple[int, int]] = []
    first = 0
    for index, (start, end) in enumerate(spans):
        last = index == len(spans) - 1
        line_break = not last and "\n" in text[end : spans[index + 1][0]]
        if last or line_break or ends_sentence(text[start:end]):
            ranges.append((first, index + 1))
            first = index + 1
    return ranges


def sentence_end_flags(text: str, language: str) -> list[bool]:
    """For every token of ``tokenize(text, language)``: whether it ends a sentence."""
    flags = [False] * len(token_spans(text, language))
    for _first, stop in sentence_ranges(text, language):
        flags[stop - 1] = True
    return flags


def split_sentences(text: str, language: str) -> list[str]:
    """The sentences of ``text``, each a stripped slice of it, in order.

    Sentence boundaries fall only between tokens, so the tokens of the sentences, joined,
    are exactly ``tokenize(text, language)``. Abbreviations such as ``"Dr."`` end a
    sentence too (speech synthesisers pause there as well).
    """
    spans = token_spans(text, language)
    return [
        text[spans[first][0] : spans[stop - 1][1]]
        for first, stop in sentence_ranges(text, language)
    ]


def word_weight(word: str) -> int:
    """How long a word takes to say, roughly: its letters and digits (at least 1)."""
    return max(1, sum(1 for char in word if char.isalnum()))


def distribute(words: Sequence[str], start: float, end: float) -> list[WordTiming]:
    """Spread ``[start, end]`` over ``words`` in proportion to :func:`word_weight`.

    The timings are contiguous, in order, and cover the span exactly.
    """
    if end < start:
        raise ValueError(f"end ({end}) is before start ({start})")
    if not words:
        return []
    weights = [word_weight(word) for word in words]
    total = sum(weights)
    timings: list[WordTiming] = []
    cumulative = 0
    previous = start
    for word, weight in zip(words, weights, strict=True):
        cumulative += weight
        boundary = end if cumulative == total else start + (end - start) * cumulative / total
        boundary = min(max(boundary, previous), end)
        timings.append(WordTiming(text=word, start=previous, end=boundary))
        previous = boundary
    return timings


# --- segmentation of languages written without spaces -----------------------------------


@functools.cache
def _parser_named(name: str) -> budoux.Parser:
    loaders = {
        "ja": budoux.load_default_japanese_parser,
        "zh-hans": budoux.load_default_simplified_chinese_parser,
        "zh-hant": budoux.load_default_traditional_chinese_parser,
        "th": budoux.load_default_thai_parser,
    }
    return loaders[name]()


#: A sentence and what closes it (terminators, then closing quotes and brackets), or a line.
_SENTENCE_PIECE = re.compile(
    "[^\n" + re.escape("".join(sorted(SENTENCE_TERMINATORS))) + "]*"
    "(?:[" + re.escape("".join(sorted(SENTENCE_TERMINATORS))) + "]+"
    "[" + re.escape("".join(sorted(_CLOSERS))) + "]*|\n|$)",
)


def _phrase_parser(language: str) -> budoux.Parser | None:
    """BudouX's phrase model for ``language`` (ja, zh, zh-Hant/-TW/-HK, th), or None."""
    primary = primary_language(language)
    if primary == "zh":
        tags = {part.lower() for part in re.split(r"[-_]", language)[1:]}
        traditional = tags & {"hant", "tw", "hk", "mo"}
        return _parser_named("zh-hant" if traditional else "zh-hans")
    return _parser_named(primary) if primary in ("ja", "th") else None


def _segment_phrases(text: str, parser: budoux.Parser) -> list[tuple[int, int]]:
    """Phrases of ``text`` as BudouX cuts them, as character spans, tidied for captions:
    whitespace separates tokens; a piece that is only punctuation, symbols or emoji joins
    the token before it; opening brackets and quotes at a phrase's end join the next one.
    A phrase is never cut, so no caption line or cue breaks inside one."""
    spans: list[tuple[int, int]] = []
    offset = 0
    # BudouX reads context: each sentence is cut on its own, so that a sentence tokenized
    # alone gives the tokens it has in the whole text (``split_sentences``).
    for piece in _SENTENCE_PIECE.findall(text):
        for chunk in parser.parse(piece):
            for match in _WHITESPACE_TOKEN.finditer(chunk):
                spans.append((offset + match.start(), offset + match.end()))
            offset += len(chunk)
    tidy: list[tuple[int, int]] = []
    for start, end in spans:
        if tidy and tidy[-1][1] == start:
            prev_start, prev_end = tidy[-1]
            opening = prev_end
            while opening > prev_start and _char_class(text[opening - 1]) == _OPEN:
                opening -= 1
            if opening == prev_start:  # the previous token is only opening marks
                tidy[-1] = (prev_start, end)
                continue
            if all(_char_class(char) == _ATTACH for char in text[start:end]):
                tidy[-1] = (prev_start, end)
                continue
            if opening < prev_end:
                tidy[-1] = (prev_start, opening)
                start = opening
        tidy.append((start, end))
    return tidy


_SPACE, _OPEN, _ATTACH, _HAN, _HIRAGANA, _KATAKANA, _OTHER = range(7)


def _char_class(char: str) -> int:
    if char.isspace():
        return _SPACE
    code = ord(char)
    if 0x3040 <= code <= 0x309F:
        return _HIRAGANA
    if 0x30A0 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return _KATAKANA
    if (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x3FFFF
        or 0xF900 <= code <= 0xFAFF
        or char in "々〆〇"
    ):
        return _HAN
    category = unicodedata.category(char)
    if category in ("Ps", "Pi"):
        return _OPEN
    if category[0] in ("P", "S", "M") or category in ("Cf", "Sk"):
        return _ATTACH  # closing punctuation, emoji and marks stay with the previous token
    return _OTHER  # letters and digits of other scripts (Latin, Thai …)


def _segment_by_class(text: str, language: str) -> list[tuple[int, int]]:
    """Character-class segmentation for languages written without spaces that BudouX has no
    model for.

    Simple rules: whitespace separates tokens; a run of Han characters followed by a run of
    hiragana is one token (Japanese stem + okurigana/particle), except in Chinese where
    every Han character is a token; runs of hiragana, of katakana and of any other letters
    or digits are tokens; opening brackets and quotes join the next token; other
    punctuation, symbols and emoji join the previous token.
    """
    spans: list[tuple[int, int]] = []
    start: int | None = None  # start of the token being built
    kind = _SPACE  # class of the token being built
    pending_open: int | None = None  # start of opening punctuation waiting for a token

    def close(at: int) -> None:
        nonlocal start
        if start is not None:
            spans.append((start, at))
            start = None

    for index, char in enumerate(text):
        cls = _char_class(char)
        if cls == _SPACE:
            close(index)
            if pending_open is not None:
                spans.append((pending_open, index))
                pending_open = None
            continue
        if cls == _OPEN:
            close(index)
            if pending_open is None:
                pending_open = index
            continue
        if cls == _ATTACH:
            if start is None and pending_open is None:
                start = index
            elif start is None:
                start, pending_open = pending_open, None
            kind = _ATTACH  # joins the current token, which ends here unless more follows
            continue
        continues = start is not None and (
            (cls == kind and not (cls == _HAN and language == "zh"))
            or (kind == _HAN and cls == _HIRAGANA and language != "zh")
        )
        if continues:
            if kind == _HAN and cls == _HIRAGANA:
                kind = _HIRAGANA  # after the okurigana, no more Han in this token
            continue
        close(index)
        start, kind = (pending_open if pending_open is not None else index), cls
        pending_open = None
    close(len(text))
    if pending_open is not None:
        spans.append((pending_open, len(text)))
    return spans


_PICTOGRAPHIC_RANGES = (
    (0x1F000, 0x1FAFF),  # emoji, pictographs, flags, playing cards …
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats
    (0x2B00, 0x2BFF),  # arrows and stars used as emoji (⭐)
    (0xFE00, 0xFE0F),  # variation selectors
    (0x200D, 0x200D),  # zero-width joiner
    (0xE0020, 0xE007F),  # tag characters (subdivision flags)
)


def is_unspaced_char(char: str) -> bool:
    """Whether ``char`` is a letter of a script written without spaces (Han, kana)."""
    return _char_class(char) in (_HAN, _HIRAGANA, _KATAKANA)


def is_pictographic(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in _PICTOGRAPHIC_RANGES)


def speakable(text: str) -> str:
    """The text a voice should say: emoji and pictographs removed.

    Captions keep them (they are part of the look); a voice reading "🔥" as "fire" or "🎉" as
    "party popper" is not what a creator means.
    """
    return "".join(" " if is_pictographic(char) else char for char in text)


_KEYWORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def normalise_keyword(word: str) -> str:
    """Lower case and a light English singular: waves → wave, stories → story; a singular in
    -us keeps its s and its plural meets it: octopus and octopuses → octopus."""
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("uses") and word[-5] not in "aeiou":
        return word[:-2]  # octopuses, viruses, campuses (not houses, causes)
    if len(word) > 3 and word.endswith("us"):
        return word  # octopus, virus, cactus
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def keywords_of(text: str) -> frozenset[str]:
    """The keywords of a file name or a scene's words, for matching footage to scenes."""
    return frozenset(normalise_keyword(w) for w in _KEYWORD.findall(text) if len(w) > 1)


# --- words, sentences and shortening for scripts (any language) -------------------------

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_PUNCTUATION_SENTENCE_END = re.compile(r"(?<=[.!?…][\"'”’)\]»])\s+|(?<=[.!?…])\s+|(?<=[。！？])\s*")


def sentences_by_punctuation(text: str) -> list[str]:
    """Sentences of one paragraph, in order, with nothing dropped, for any language.

    Unlike :func:`split_sentences` this needs no language and does not follow the tokens:
    a sentence ends at ``.!?…`` (and one closing quote or bracket) followed by whitespace,
    or at ``。！？``. Script import and editing use it.
    """
    return [part.strip() for part in _PUNCTUATION_SENTENCE_END.split(text) if part and part.strip()]


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) collapsed to one space."""
    return " ".join(text.split())


def words_of(text: str) -> list[str]:
    """The words of ``text`` (letters and digits of any script, inner apostrophes kept)."""
    return _WORD.findall(text)


def content_words(text: str, stop_words: Sequence[str] | frozenset[str]) -> list[str]:
    """Case-folded words of ``text`` that carry meaning, in order of first appearance.

    Stop words, single characters and repeated words are dropped.
    """
    stops = stop_words if isinstance(stop_words, frozenset) else frozenset(stop_words)
    seen: set[str] = set()
    result: list[str] = []
    for raw in words_of(text):
        word = _without_elision(raw.casefold().replace("’", "'"), stops)
        if len(word) < 2 or word in stops or word in seen:
            continue
        seen.add(word)
        result.append(word)
    return result


def proper_spellings(text: str) -> dict[str, str]:
    """Words of ``text`` written with a capital inside a sentence (names: ``București``,
    ``Lisboa``; every German noun), by their case-folded form: hashtags keep that spelling
    (``#București``), other words stay lower case. Diacritics are kept as written."""
    spellings: dict[str, str] = {}
    for sentence in sentences_by_punctuation(one_line(text)):
        for index, word in enumerate(words_of(sentence)):
            if index > 0 and word[:1].isupper() and not word.isupper():
                spellings.setdefault(word.casefold().replace("’", "'"), word)
    return spellings


def _without_elision(word: str, stops: frozenset[str]) -> str:
    """``l'océan`` → ``océan`` when ``l'`` is a stop word (French and Italian elisions);
    a word that is a stop word whole (``it's``, ``c'è``) is kept as it is."""
    mark = word.find("'")
    if mark <= 0 or word in stops or word[: mark + 1] not in stops:
        return word
    return word[mark + 1 :]


def singular(word: str) -> str | None:
    """A naive English singular (``holes`` → ``hole``), or None when there is none."""
    if not word.isascii() or len(word) <= 3 or not word.endswith("s"):
        return None
    if word.endswith(("ss", "us", "is")):
        return None
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")) or (
        word.endswith("oes") and len(word) > 5
    ):
        return word[:-2]
    return word[:-1]


def keyword_terms(text: str, stop_words: Sequence[str] | frozenset[str]) -> list[str]:
    """Content words of ``text`` usable for matching media file names, with singulars."""
    terms: list[str] = []
    for word in content_words(text, stop_words):
        if word.isdigit():
            continue
        for term in (word, singular(word)):
            term = term.replace("'", "") if term else None
            if term and term not in terms:
                terms.append(term)
    return terms


def validation_summary(exc: ValidationError) -> str:
    """A pydantic error as one readable line: where, then what."""
    parts = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or "value"
        parts.append(f"{where}: {error['msg']}")
    more = exc.error_count() - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
