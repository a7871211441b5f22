"""The languages the product speaks end to end, and what is known about each without a
network: which language a text is in (:mod:`.detect`), its stop words (:mod:`.stopwords`),
and file names made from its text (:mod:`.slug`).

A pure package (it reads only packaged data): it sits beside ``spec`` and ``domain`` in the
layers, so every layer above can follow a script's language (ADR 0031).
"""

from __future__ import annotations

import re

#: The languages with offline content (stop words, hook templates, calls to action) and a
#: detector, in the order they are listed to users.
SUPPORTED: tuple[str, ...] = ("en", "ro", "es", "fr", "de", "pt", "it", "ja")

#: English names, for messages ("the script is Romanian (ro)").
NAMES: dict[str, str] = {
    "en": "English",
    "ro": "Romanian",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "ja": "Japanese",
}


def primary(language: str) -> str:
    """The primary subtag of a language tag, lower-case: ``"pt_BR"`` → ``"pt"``."""
    return re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower()


def name_of(language: str) -> str:
    """How a language is named in a message: ``"Romanian (ro)"``; an unknown tag as given."""
    code = primary(language)
    name = NAMES.get(code)
    return f"{name} ({code})" if name else repr(language)


def is_supported(language: str) -> bool:
    return primary(language) in SUPPORTED
