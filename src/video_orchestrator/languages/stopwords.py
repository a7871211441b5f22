"""Stop words of the supported languages: the words that carry no subject (articles,
pronouns, auxiliaries, common adverbs), never keywords or hashtags.

Each language's list is the union of

* ``stopwords-iso`` (the ``stopwordsiso`` package, MIT: the broadest kept collection, one
  list per ISO 639-1 code), and
* the project's own additions in ``data/script_templates.json`` (``stop_words`` of each
  language): words a short-video script uses as filler that the collection lacks
  (Romanian ``există``, ``știați``; English keeps the project's own list alone, as before).

Romanian is written with comma-below ``ș ț`` and, in older text, with cedilla ``ş ţ``; both
spellings are in every Romanian list, so a word matches whichever its author typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from video_orchestrator.languages import primary

#: Languages whose stop words come from the project's list only (English: the project's
#: list is the one its keyword tests were written against).
OWN_LIST_ONLY = frozenset({"en"})
_CEDILLA = str.maketrans({"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"})
_COMMA = str.maketrans({"ș": "ş", "ț": "ţ", "Ș": "Ş", "Ț": "Ţ"})


@cache
def package_stop_words(language: str) -> frozenset[str]:
    """The ``stopwords-iso`` list of ``language`` (empty for a language it lacks)."""
    import stopwordsiso

    code = primary(language)
    if code in OWN_LIST_ONLY or not stopwordsiso.has_lang(code):
        return frozenset()
    return frozenset(word.casefold() for word in stopwordsiso.stopwords(code))


def with_spellings(words: Iterable[str], language: str) -> frozenset[str]:
    """``words`` case-folded, with the other Romanian spelling of ``ș ț`` added."""
    folded = {word.casefold().replace("’", "'") for word in words}
    if primary(language) == "ro":
        folded |= {word.translate(_CEDILLA) for word in folded}
        folded |= {word.translate(_COMMA) for word in folded}
    return frozenset(folded)


def stop_words(language: str, own: Iterable[str] = ()) -> frozenset[str]:
    """Every stop word of ``language``: the package's list and ``own`` (the project's)."""
    return with_spellings([*package_stop_words(language), *own], language)
