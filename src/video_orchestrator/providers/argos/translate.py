"""Argos Translate (MIT; OpenNMT models run by CTranslate2) behind the translation port.

Installed with ``pip install 'video-orchestrator[translate]'``; its language models are
packages the user installs once (``argospm install translate-en_ro``): nothing is
downloaded while a version is made. Without the package, :func:`installed` is None.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Sequence
from typing import Any

from video_orchestrator.errors import ProviderError, ProviderUnavailable


class ArgosTranslator:
    def __init__(self, translate_module: Any) -> None:
        self._translate = translate_module
        try:
            version = importlib.metadata.version("argostranslate")
        except importlib.metadata.PackageNotFoundError:
            version = ""
        self.name = f"argos-translate {version}".strip()

    def _languages(self) -> dict[str, Any]:
        return {lang.code: lang for lang in self._translate.get_installed_languages()}

    def can_translate(self, source: str, target: str) -> bool:
        languages = self._languages()
        if source not in languages or target not in languages:
            return False
        return languages[source].get_translation(languages[target]) is not None

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        languages = self._languages()
        pair = (
            languages[source].get_translation(languages[target])
            if source in languages and target in languages
            else None
        )
        if pair is None:
            raise ProviderUnavailable(
                f"Argos Translate has no {source}→{target} model installed: "
                f"argospm install translate-{source}_{target}"
            )
        try:
            return [str(pair.translate(text)) for text in texts]
        except Exception as exc:  # a third-party model failing on one text
            raise ProviderError(f"Argos Translate failed: {exc}") from exc


def installed() -> ArgosTranslator | None:
    """The translator when the ``argostranslate`` package is installed, else None."""
    try:
        module = importlib.import_module("argostranslate.translate")
    except ImportError:
        return None
    return ArgosTranslator(module)
