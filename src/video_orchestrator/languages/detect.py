"""Which of the supported languages a text is written in, offline.

The detector is `lingua` (``lingua-language-detector``, Apache-2.0; its models ship in the
wheel, nothing is downloaded), built for the eight supported languages only: fewer
candidates make short texts more accurate and the detector smaller. It is built once per
process, in high-accuracy mode (measured against low-accuracy mode on the corpus in
``tests/language_corpus.py``; figures in ADR 0031 and ``bench/language_detection.py``).

A detection below :data:`MIN_CONFIDENCE` is no answer: the caller then keeps its default
and says so, rather than guessing a language from two words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from video_orchestrator.languages import SUPPORTED

if TYPE_CHECKING:
    from lingua import LanguageDetector

#: The least confidence (0–1, lingua's relative confidence of the best language) taken as an
#: answer. Every 1-sentence script of the corpus that is detected correctly is above it.
MIN_CONFIDENCE = 0.5
#: Text read at most: a script's first characters decide (a long article needs no more).
MAX_CHARS = 2000


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


def detect_language(text: str, *, low_accuracy: bool = False) -> Detection | None:
    """The language of ``text`` with lingua's confidence, or None when nothing is sure
    enough (an empty text, digits and emoji only, or below :data:`MIN_CONFIDENCE`)."""
    sample = text.strip()[:MAX_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None
    values = _detector(low_accuracy).compute_language_confidence_values(sample)
    if not values:
        return None
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    if code not in SUPPORTED or best.value < MIN_CONFIDENCE:
        return None
    return Detection(code, round(float(best.value), 4))
