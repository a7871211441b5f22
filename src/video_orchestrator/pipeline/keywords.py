"""Keywords and hashtags a creator would keep, offline, in the eight languages: the things a
script is about (``#octopus``, ``#anglerfish``, ``#București``), not what is said of them
(``#begins``), its units (``#metres``), numbers or generic words (``#thing``), and one tag
per word whatever its form (``#octopus``, never beside ``#octopuses``).

How a word is judged (:func:`ranked_terms`):

* its lemma (:mod:`video_orchestrator.languages.lemmas`) is the word's key, so the forms of
  a word count together and are shown in their dictionary form;
* a word that cannot be a noun (an English verb or adjective by its dictionary, a Romance
  verb by its infinitive, a German word written in lower case) is left out;
* a word that may be a noun counts fully where the sentence shows it is one: right after an
  article, possessive, number or preposition (``noun_markers`` in ``data/tag_words.json``),
  written with a capital inside a sentence (a name), or carrying Romanian's article ending
  (``lacul``); elsewhere it counts half;
* units, time words and generic nouns (``weak`` in the same file), stop words, numbers and
  words shorter than three letters are left out;
* the topic's words count extra.

Languages written without spaces (Japanese) take runs of kanji or katakana: their nouns
and names (``深海``, ``タコ``), never a whole phrase with its particles.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from video_orchestrator.languages import primary
from video_orchestrator.languages.lemmas import lemma_of
from video_orchestrator.pipeline.script_writer import language_data, stop_words_for
from video_orchestrator.text import (
    content_words,
    one_line,
    proper_spellings,
    sentences_by_punctuation,
    uses_spaces,
    words_of,
)

#: A hashtag or keyword has at least this many letters (``#sea`` yes, ``#ok`` no).
MIN_LETTERS = 3
#: What an occurrence counts where the sentence does not show the word is a noun.
UNSHOWN_NOUN = 0.5
#: What a word of the topic counts extra.
TOPIC_BONUS = 1.0
#: A hashtag needs at least this score: a noun seen once, or a possible noun seen twice.
TAG_MIN_SCORE = 1.0

#: Languages whose adjectives stand before their noun (the noun ends the phrase).
ADJECTIVE_FIRST = frozenset({"en"})
#: Romanian nouns carry their definite article as an ending (lacul, apa, munții, oamenilor).
_RO_ARTICLE = re.compile(r"(ul|ului|le|lor|ii|ile|ele|ea|a)$")
#: Kanji (with the repetition mark) or katakana (with the long-vowel mark) runs.
_UNSPACED_TERM = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々]{2,}|[\u30a1-\u30faー]{2,}")
_HIRAGANA = re.compile(r"[\u3041-\u3096]")
#: Particles after a noun (海の, 心臓が); other hiragana after kanji end an inflected word.
_PARTICLES = frozenset("のはがをにでともへや")
_KANJI_NUMERALS = frozenset("〇一二三四五六七八九十百千万億兆半")


@dataclass(frozen=True)
class TagWords:
    """A language's lists in ``data/tag_words.json``."""

    noun_markers: frozenset[str]
    weak: frozenset[str]


@cache
def tag_words(language: str) -> TagWords:
    """The noun markers and weak words of ``language`` (empty lists for another)."""
    text = (
        resources.files("video_orchestrator")
        .joinpath("data", "tag_words.json")
        .read_text(encoding="utf-8")
    )
    entry = json.loads(text)["languages"].get(primary(language), {})
    return TagWords(
        noun_markers=frozenset(w.casefold() for w in entry.get("noun_markers", [])),
        weak=frozenset(w.casefold() for w in entry.get("weak", [])),
    )


@dataclass(frozen=True)
class Term:
    """A word worth tagging: ``key`` its lemma case-folded (twins share it), ``shown`` how a
    tag writes it, ``score`` how much the text is about it, ``first`` where it first comes."""

    key: str
    shown: str
    score: float
    first: int


@dataclass
class _Tally:
    first: int
    score: float = 0.0
    shown: Counter[str] = field(default_factory=Counter)


def ranked_terms(text: str, language: str, *, topic: str = "") -> list[Term]:
    """The words of ``text`` worth a keyword or a hashtag, the most telling first (ties in
    order of appearance); ``topic``'s words count extra (see the module docstring)."""
    tallies: dict[str, _Tally] = {}
    occurrences = (
        _spaced_occurrences(text, language)
        if uses_spaces(language)
        else _unspaced_occurrences(text, language)
    )
    topic_keys = {key for key, _, _ in _occurrence_keys(topic, language)}
    for position, (key, shown, weight) in enumerate(occurrences):
        tally = tallies.setdefault(key, _Tally(first=position))
        tally.score += weight
        tally.shown[shown] += 1
    terms = [
        Term(
            key=key,
            shown=tally.shown.most_common(1)[0][0],
            score=tally.score + (TOPIC_BONUS if key in topic_keys else 0.0),
            first=tally.first,
        )
        for key, tally in tallies.items()
    ]
    return sorted(terms, key=lambda t: (-t.score, t.first))


def hashtags_from(text: str, language: str, *, topic: str = "", count: int = 5) -> list[str]:
    """Up to ``count`` hashtags (without ``#``) for a script of ``text``: its nouns and names
    that score at least :data:`TAG_MIN_SCORE`, one per lemma."""
    return [
        t.shown.replace(" ", "")
        for t in ranked_terms(text, language, topic=topic)
        if t.score >= TAG_MIN_SCORE
    ][:count]


#: A scene's keywords include words not shown to be nouns only when it has fewer nouns.
MIN_KEYWORDS = 3


def keywords_from(text: str, language: str, limit: int) -> list[str]:
    """Up to ``limit`` keywords of a scene's ``text`` for finding its footage: its nouns as
    lemmas (lower case), the most telling first; its other possible nouns only when it has
    fewer than :data:`MIN_KEYWORDS`."""
    terms = ranked_terms(text, language)
    strong = [t.key for t in terms if t.score >= TAG_MIN_SCORE]
    if len(strong) >= MIN_KEYWORDS:
        return strong[:limit]
    return [t.key for t in terms][:limit]


def taggable(word: str, language: str) -> str | None:
    """``word`` (a topic word or a writer's keyword) as a tag: its lemma, or None when it is
    no noun, a unit, a number or a generic word; out of a sentence, an English word that
    can be an adjective is taken for one (``smart``, ``deep``)."""
    found = _occurrence_keys(word, language)
    if len(found) != 1:
        return None
    if primary(language) == "en" and lemma_of(word, language).adjective:
        return None
    return found[0][1].replace(" ", "")


def tag_key(tag: str, language: str) -> str:
    """What two hashtags are compared by: ``#Volcanoes`` and ``#volcano`` are one."""
    folded = tag.casefold()
    if not uses_spaces(language) or not folded.isalpha():
        return folded
    return lemma_of(tag, language).text.casefold()


def _occurrence_keys(text: str, language: str) -> list[tuple[str, str, float]]:
    if not text.strip():
        return []
    if uses_spaces(language):
        return _spaced_occurrences(text, language)
    return _unspaced_occurrences(text, language)


def _spaced_occurrences(text: str, language: str) -> list[tuple[str, str, float]]:
    """``(key, shown, weight)`` of every occurrence of a word worth tagging, in order."""
    code = primary(language)
    stops = stop_words_for(language)
    lists = tag_words(language)
    data = language_data(language)
    numbers = frozenset(w.casefold() for w in [*data.number_words, *data.numbers])
    markers = lists.noun_markers | numbers
    names = _names(text) if code != "de" else {}
    found: list[tuple[str, str, float]] = []
    for sentence in sentences_by_punctuation(one_line(text)):
        entries: list[_Entry] = []
        # content words since the last noun marker (None: no marker); a sentence opens
        # with its subject, as if after a marker (Cats purr …), unless a marker follows
        # its first word, which is then a verb (Save this video …)
        run: int | None = 0
        for index, raw in enumerate(words_of(sentence)):
            folded = raw.casefold().replace("’", "'")
            if folded in markers:
                if index == 1 and entries:
                    entries[0].run = None
                run = 0
                continue
            kept = content_words(raw, stops)
            if not kept:
                run = None  # another stop word (a pronoun, an auxiliary) ends the phrase
                continue
            word = kept[0]
            elided = word != folded  # l'océan: the article is the word's own start
            entry = _Entry(0 if elided else run, None, "", 0.0)
            run = 0 if elided else run + 1 if run is not None else None
            entries.append(entry)
            if any(ch.isdigit() for ch in word) or word in numbers:
                continue
            if index > 0 and word in names:  # a name: kept as written, never lemmatised
                entry.key, entry.shown, entry.weight = word, names[word], 1.0
                continue
            lemma = lemma_of(raw[len(raw) - len(word) :] if elided else raw, code)
            key = lemma.text.casefold()
            if (
                lemma.noun == "no"
                or len(key) < MIN_LETTERS
                or not key.replace("-", "").isalpha()
                or key in lists.weak
                or key in stops
                or key in numbers
            ):
                continue
            shown_noun = (
                lemma.noun == "yes"
                or code == "de"  # a capital (the lemma's or the word's) shows a noun
                or (code == "ro" and word != key and bool(_RO_ARTICLE.search(word)))
            )
            entry.key, entry.shown, entry.adjective = key, lemma.text, lemma.adjective
            entry.weight = 1.0 if shown_noun else UNSHOWN_NOUN
        _mark_heads(entries, adjective_first=code in ADJECTIVE_FIRST)
        found.extend((e.key, e.shown, e.weight) for e in entries if e.key is not None)
    return found


@dataclass
class _Entry:
    """A content word of a sentence: where it stands after a noun marker (``run``), and its
    key, tag and weight when it is worth tagging (``key`` None when not)."""

    run: int | None
    key: str | None
    shown: str
    weight: float
    adjective: bool = True  # whether it can be an adjective (then a noun may follow it)


def _mark_heads(entries: list[_Entry], *, adjective_first: bool) -> None:
    """Count fully the noun that follows a noun marker: the word right after it or, in a
    language that puts adjectives first, the second when the first can be an adjective and
    is followed by one more possible noun (``ancient tombs``: the tombs; ``your cat purrs``:
    the cat)."""
    for index, entry in enumerate(entries):
        if entry.run != 0:
            continue
        head = entry
        if adjective_first and index + 1 < len(entries):
            after = entries[index + 1]
            if after.run == 1 and after.key is not None and entry.adjective:
                head = after  # the deep ocean, ancient tombs: the second is the noun
        if head.key is not None:
            head.weight = 1.0


def _names(text: str) -> dict[str, str]:
    """Words written with a capital inside a sentence and never in lower case: names."""
    lower = {w.casefold() for w in words_of(text) if w[:1].islower()}
    return {k: v for k, v in proper_spellings(text).items() if k not in lower}


def _unspaced_occurrences(text: str, language: str) -> list[tuple[str, str, float]]:
    weak = tag_words(language).weak | stop_words_for(language)
    found: list[tuple[str, str, float]] = []
    for match in _UNSPACED_TERM.finditer(text):
        term = match.group()
        after = text[match.end() : match.end() + 1]
        if _HIRAGANA.fullmatch(after or "x") and after not in _PARTICLES:
            continue  # the stem of an inflected word: 深い, 見つかった
        if all(ch in _KANJI_NUMERALS for ch in term) or term in weak:
            continue
        found.append((term, term, 1.0))
    return found


def unique_tags(tags: Sequence[str], language: str) -> list[str]:
    """``tags`` without a second tag of the same lemma, in order."""
    seen: set[str] = set()
    kept: list[str] = []
    for tag in tags:
        key = tag_key(tag, language)
        if key not in seen:
            seen.add(key)
            kept.append(tag)
    return kept
