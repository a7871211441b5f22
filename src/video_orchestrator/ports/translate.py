"""Offline translation port: texts in one language in, the same texts in another out.

A language version of a project (ADR 0039) is translated and adapted by the language model
when one is configured; without one, an offline translator plugged in here translates it
(no cultural adaptation). Adapters raise ``ProviderUnavailable`` when they cannot translate
between the two languages (the language pair is not installed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class Translator(Protocol):
    """``name`` says which translator made a version (``argos-translate 1.11``)."""

    name: str

    def can_translate(self, source: str, target: str) -> bool:
        """True when the pair (primary language codes) is installed."""
        ...

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """Each text translated, in the same order."""
        ...
