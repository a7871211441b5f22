"""Merging and ranking trends (pure: values in, values out; ADR 0030).

**Subjects.** A title's subject terms are its content words (the language's stop words
dropped), case-folded, without accents, each in a light singular ("Eclipses" → "eclipse").
Two titles are about the same subject when their regions and languages are compatible (equal,
or one of them unset: a source for everywhere) and they share terms covering at least half of
the shorter title's terms — at least two terms, or the one term of a one-word title. Terms are
compared with RapidFuzz (ratio ≥ 88 for words of five letters or more), so "Eurovison" and
"Eurovision" are one word.

**Merging.** The trends already known seed the clusters (strongest first), then each item
observed in a source's latest list joins the first cluster it matches (against any member,
or the seed's own title), or starts a new one. A cluster is a trend: the seed's id when it
had one, a new one otherwise.

**Scores.** An item's score in its source is ``log(1 + metric) / log(1 + best metric)`` when
every item of that list has a metric (searches, views, upvotes, pageviews, points), otherwise
by its place, ``1 − place / length``; both give 1 to the top item. A trend's *strength* is
the sum over its sources of its best item score there. Its **momentum** is the strength now
minus the strength at the previous merge (0 when it is new: all of it is rise); its
**breadth** the number of sources; its **freshness** ``0.5 ** (hours since first seen / 6)``;
its **fit** 1 when one of the user's watched keywords is among its terms, else 0. The rank
score is ``1.0·momentum + 0.5·breadth + 0.5·freshness + 1.0·fit``; ties go to the stronger,
then to the title in alphabetical order.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from video_orchestrator.pipeline.script_writer import stop_words_for
from video_orchestrator.text import content_words, normalise_keyword

FUZZY_WORD = 88.0
FUZZY_MIN_LETTERS = 5
FRESH_HALF_LIFE_HOURS = 6.0


@dataclass(frozen=True, slots=True)
class Weights:
    momentum: float = 1.0
    breadth: float = 0.5
    freshness: float = 0.5
    fit: float = 1.0


@dataclass(frozen=True, slots=True)
class Observation:
    """An item of a source's latest list: ``key`` names it (its row), ``score`` is its
    place in that list (0–1, :func:`item_scores`)."""

    key: str
    source_id: str
    title: str
    score: float
    region: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class KnownTrend:
    id: str
    title: str
    region: str | None
    language: str | None
    strength: float
    first_seen_at: datetime


@dataclass
class Subject:
    """A merged trend: the known trend it continues (``trend_id``) and what was seen now."""

    title: str
    terms: frozenset[str]
    region: str | None
    language: str | None
    trend_id: str | None = None
    observations: list[Observation] = field(default_factory=list)

    @property
    def strength(self) -> float:
        best: dict[str, float] = {}
        for seen in self.observations:
            best[seen.source_id] = max(best.get(seen.source_id, 0.0), seen.score)
        return sum(best.values())

    @property
    def sources(self) -> list[str]:
        return sorted({seen.source_id for seen in self.observations})


@dataclass(frozen=True, slots=True)
class Ranked:
    subject: Subject
    strength: float
    previous: float
    momentum: float
    breadth: int
    freshness: float
    fit: float
    score: float


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def subject_terms(title: str, language: str | None = None) -> frozenset[str]:
    """The normalised content words of a title (see the module's docstring)."""
    stop_words = stop_words_for(language or "en")
    terms = set()
    for word in content_words(title, stop_words):
        folded = _fold(normalise_keyword(word.replace("'", "")))
        if len(folded) >= 2:
            terms.add(folded)
    return frozenset(terms)


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < FUZZY_MIN_LETTERS or a.isdigit() or b.isdigit():
        return False
    return fuzz.ratio(a, b) >= FUZZY_WORD


def shared_terms(a: frozenset[str], b: frozenset[str]) -> int:
    """How many terms of the smaller set have a match in the other."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(1 for term in small if any(_same_word(term, other) for other in large))


def same_subject(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return False
    shared = shared_terms(a, b)
    smaller = min(len(a), len(b))
    return shared / smaller >= 0.5 and (shared >= 2 or smaller == 1)


def compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.casefold() == b.casefold()


def item_scores(metrics: Sequence[float | None]) -> list[float]:
    """Each item's score in its list (see the module's docstring)."""
    count = len(metrics)
    if count == 0:
        return []
    values = [m for m in metrics if m is not None]
    if len(values) == count and max(values) > 0:
        top = math.log1p(max(values))
        return [math.log1p(max(0.0, float(m or 0.0))) / top for m in metrics]
    return [1.0 - place / count for place in range(count)]


def merge(observations: Iterable[Observation], known: Sequence[KnownTrend] = ()) -> list[Subject]:
    """The subjects of ``observations``, continuing ``known`` trends where they match."""
    subjects = [
        Subject(
            title=trend.title,
            terms=subject_terms(trend.title, trend.language),
            region=trend.region,
            language=trend.language,
            trend_id=trend.id,
        )
        for trend in sorted(known, key=lambda t: (-t.strength, t.id))
    ]
    member_terms: list[list[frozenset[str]]] = [[s.terms] for s in subjects]
    ordered = sorted(observations, key=lambda o: (-o.score, o.source_id, o.key))
    for seen in ordered:
        terms = subject_terms(seen.title, seen.language)
        if not terms:
            continue
        for index, subject in enumerate(subjects):
            if not (
                compatible(subject.region, seen.region)
                and compatible(subject.language, seen.language)
            ):
                continue
            if any(same_subject(terms, other) for other in member_terms[index]):
                subject.observations.append(seen)
                member_terms[index].append(terms)
                subject.region = subject.region or seen.region
                subject.language = subject.language or seen.language
                break
        else:
            subjects.append(
                Subject(
                    title=seen.title,
                    terms=terms,
                    region=seen.region,
                    language=seen.language,
                    observations=[seen],
                )
            )
            member_terms.append([terms])
    return subjects


def fit(terms: frozenset[str], niches: Iterable[str]) -> float:
    """1 when one of the watched keywords (all of its terms) is among ``terms``."""
    for niche in niches:
        wanted = subject_terms(niche)
        if wanted and shared_terms(wanted, terms) == len(wanted) and len(wanted) <= len(terms):
            return 1.0
    return 0.0


def rank(
    subjects: Iterable[Subject],
    *,
    previous: Mapping[str, float],
    first_seen: Mapping[str, datetime],
    niches: Sequence[str],
    now: datetime,
    weights: Weights = Weights(),
) -> list[Ranked]:
    """``subjects`` ranked, best first (``previous`` and ``first_seen`` by trend id)."""
    ranked = []
    for subject in subjects:
        strength = subject.strength
        before = previous.get(subject.trend_id, 0.0) if subject.trend_id else 0.0
        seen = first_seen.get(subject.trend_id, now) if subject.trend_id else now
        hours = max(0.0, (now - seen).total_seconds() / 3600)
        freshness = 0.5 ** (hours / FRESH_HALF_LIFE_HOURS)
        breadth = len(subject.sources)
        fits = fit(subject.terms, niches)
        momentum = strength - before
        score = (
            weights.momentum * momentum
            + weights.breadth * breadth
            + weights.freshness * freshness
            + weights.fit * fits
        )
        ranked.append(Ranked(subject, strength, before, momentum, breadth, freshness, fits, score))
    ranked.sort(key=lambda r: (-r.score, -r.strength, r.subject.title.casefold()))
    return ranked
