"""The dictionary form of a word (its lemma) and whether it can be a noun, offline, so that
keywords and hashtags merge their twins (``octopus`` / ``octopuses``, ``volcán`` /
``volcanes``) and prefer the things a video is about over what is said of them.

* English: ``lemminflect`` (MIT), a lemmatiser with the parts of speech each form can
  have: ``begins`` is a verb only, ``worms`` a noun or a verb, ``octopuses`` a noun.
* Romanian, Spanish, French, German, Portuguese, Italian: ``simplemma`` (MIT, pure Python,
  dictionaries for 50+ languages). It gives no part of speech; what it gives is used as a
  hint: a German noun's lemma is capitalised (``Vulkane`` → ``Vulkan``), a Romance verb's
  lemma is its infinitive, which replaces the form's ending (``empieza`` → ``empezar``,
  ``commence`` → ``commencer``) where a noun's lemma is the form itself or its stem
  (``mares`` → ``mar``).
* Languages written without spaces: the word is its own lemma.

Both libraries read their packaged tables (no downloads); the tables of a language are read
on its first word and kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from video_orchestrator.languages import primary

#: The languages :func:`lemma_of` lemmatises (the others keep every word as it is).
LEMMATISED = frozenset({"en", "ro", "es", "fr", "de", "pt", "it"})

#: Infinitive endings of the Romance languages: a lemma with one of these that is not the
#: start of the form it came from is a verb (``empieza`` → ``empezar``).
_INFINITIVE = {
    "es": re.compile(r"(ar|er|ir)$"),
    "pt": re.compile(r"(ar|er|ir|or)$"),
    "fr": re.compile(r"(er|ir|re|oir)$"),
    "it": re.compile(r"(are|ere|ire|rre)$"),
}

Noun = Literal["yes", "maybe", "no"]


@dataclass(frozen=True)
class Lemma:
    """A word's dictionary form (case-folded, except German nouns keep their capital) and
    whether it can be a noun: ``yes`` (a noun reading only, or unknown to the dictionary,
    as names are), ``maybe`` (a noun or something else: ``worms``, ``change``), ``no``."""

    text: str
    noun: Noun
    adjective: bool = False  # English only: the form can be an adjective (ancient, deep)


def lemma_of(word: str, language: str) -> Lemma:
    """The lemma of ``word`` (as written in the text) in ``language``."""
    code = primary(language)
    if code not in LEMMATISED or not word:
        return Lemma(word.casefold(), "maybe")
    if code == "en":
        return _english(word.casefold())
    return _simplemma(word, code)


@cache
def _english(word: str) -> Lemma:
    from lemminflect import getAllLemmas

    readings = getAllLemmas(word)
    if not readings:
        return Lemma(word, "yes")  # not in the dictionary: a name or a rare noun
    nouns = readings.get("NOUN") or readings.get("PROPN")
    if nouns:
        only = len(readings) == 1
        return Lemma(str(nouns[0]).casefold(), "yes" if only else "maybe", "ADJ" in readings)
    first = next(iter(readings.values()))
    return Lemma(str(first[0]).casefold(), "no", "ADJ" in readings)


@cache
def _simplemma(word: str, code: str) -> Lemma:
    import simplemma

    # the memory-frugal tables: about 50 MB for the six languages instead of 440 MB, read
    # in well under a second each (the full ones took 2-12 s per language)
    found = simplemma.lemmatize(word, lang=code, low_memory=True)
    if found == word and "œ" in word.casefold():  # cœurs: the tables spell it oe
        spelt = word.replace("œ", "oe").replace("Œ", "Oe")
        found = simplemma.lemmatize(spelt, lang=code, low_memory=True)
    folded, form = found.casefold(), word.casefold()
    if code == "de":
        # German writes every noun with a capital, and so does the lemma of a noun
        if found[:1].isupper() or (word[:1].isupper() and folded == form):
            return Lemma(found[:1].upper() + found[1:], "maybe")
        return Lemma(folded, "no")
    infinitive = _INFINITIVE.get(code)
    conjugated = folded != form and not form.startswith(folded)
    if infinitive is not None and conjugated and infinitive.search(folded):
        return Lemma(folded, "no")  # a conjugated verb: empieza → empezar
    return Lemma(folded, "maybe")
