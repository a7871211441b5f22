"""Which of the supported languages a text is written in, offline.

The detector is `lingua` (``lingua-language-detector``, Apache-2.0; its models ship in the
wheel, nothing is downloaded), built for the eight supported languages only: fewer
candidates make short texts more accurate and the detector smaller.

Two modes, chosen by the text's length (measured on ``tests/language_corpus.py``; figures in
ADR 0031 and ``bench/language_detection.py``): **low accuracy** (trigrams only: about 20 MB
and 0.15 s to load) for a text of :data:`SHORT_TEXT` characters or more, where it is as right
as high accuracy (every 2- and 5-sentence script of the corpus); **high accuracy** (1- to
5-grams: about 190 MB, 1–3 s to load, once per process) for a shorter text — one sentence,
a hook, a topic — where low accuracy misreads some (a Romanian sentence as another language).

A detection below :data:`MIN_CONFIDENCE` is no answer: the caller then keeps its default
and says so, rather than guessing a language from two words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from video_orchestrator.languages import SUPPORTED

if TYPE_CHECKING:
    from lingua import LanguageDetector

#: The least confidence (0–1, lingua's relative confidence of the best language) taken as an
#: answer. Every 1-sentence script of the corpus that is detected correctly is above it.
MIN_CONFIDENCE = 0.5
#: Text read at most: a script's first characters decide (a long article needs no more).
MAX_CHARS = 2000
#: Texts shorter than this are detected in high-accuracy mode (lingua's own advice: low
#: accuracy drops on texts under 120 characters).
SHORT_TEXT = 120

Mode = Literal["auto", "high", "low"]


@dataclass(frozen=True, slots=True)
class Detection:
    """The language found (a primary subtag of :data:`SUPPORTED`) and how sure it is."""

    language: str
    confidence: float


@cache
def _detector(low_accuracy: bool = False) -> LanguageDetector:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [
        Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in SUPPORTED
    ]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.build()


def detect_language(text: str, *, mode: Mode = "auto") -> Detection | None:
    """The language of ``text`` with lingua's confidence, or None when nothing is sure
    enough (an empty text, digits and emoji only, or below :data:`MIN_CONFIDENCE`).
    ``mode`` "auto": high accuracy for a text under :data:`SHORT_TEXT` characters."""
    sample = " ".join(text.split())[:MAX_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None
    low = mode == "low" or (mode == "auto" and len(sample) >= SHORT_TEXT)
    values = _detector(low).compute_language_confidence_values(sample)
    if not values:
        return None
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    if code not in SUPPORTED or best.value < MIN_CONFIDENCE:
        return None
    return Detection(code, round(float(best.value), 4))
