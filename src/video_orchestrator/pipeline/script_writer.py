"""What the script steps share: the language data of ``data/script_templates.json`` (stop
words, number words, the speaking pace), the script model's text limits, and topic helpers.

There is no topic-only writer here any more (ADR 0020): offline, a script is written from the
user's material (:mod:`video_orchestrator.pipeline.source_script`) or is the user's own
(:mod:`video_orchestrator.pipeline.script_import`); a bare topic needs a language model.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from video_orchestrator.errors import ConfigError, ScriptError
from video_orchestrator.text import one_line

logger = logging.getLogger(__name__)

TOPIC_MAX_CHARS = 300
TITLE_MAX_CHARS = 100
HOOK_MAX_CHARS = 300
NARRATION_MAX_CHARS = 2000
MIN_SCENES = 3
MAX_SCENES = 6
MAX_KEYWORDS = 8
#: Targets outside this range are clamped: below it the shortest script is already longer,
#: above it the templates run out of fresh sentences.
MIN_TARGET_SECONDS = 15
MAX_TARGET_SECONDS = 90


# --------------------------------------------------------------------------- template data


class _LanguageTemplates(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numbers: list[str] = Field(min_length=MAX_SCENES)
    ordinals: list[str] = Field(min_length=MAX_SCENES)
    stop_words: list[str] = Field(default_factory=list)
    task_verbs: list[str] = Field(
        default_factory=list,
        description="first words that make a topic a task already (bake bread → how to bake "
        "bread, not how to get bake bread right)",
    )


class TemplateLibrary(BaseModel):
    """The parsed contents of ``script_templates.json``."""

    model_config = ConfigDict(extra="forbid")

    version: int
    words_per_minute: int = Field(gt=0)
    languages: dict[str, _LanguageTemplates]

    @classmethod
    def load(cls, path: Path | None = None) -> TemplateLibrary:
        """Read the bundled templates, or ``path`` when given."""
        try:
            if path is None:
                text = (
                    resources.files("video_orchestrator")
                    .joinpath("data", "script_templates.json")
                    .read_text(encoding="utf-8")
                )
            else:
                text = path.read_text(encoding="utf-8")
            return cls.model_validate(json.loads(text))
        except (OSError, ValueError, ValidationError) as exc:
            where = path or "the bundled script_templates.json"
            raise ConfigError(
                f"cannot read the script templates from {where}: {one_line(str(exc))}"
            ) from exc


@cache
def _bundled_library() -> TemplateLibrary:
    return TemplateLibrary.load()


def words_per_minute(library: TemplateLibrary | None = None) -> int:
    """The speaking pace scripts are measured at (words per minute)."""
    return (library or _bundled_library()).words_per_minute


# --------------------------------------------------------------------------- text helpers


def clean_topic(topic: str) -> str:
    """The topic as the user typed it, without surrounding whitespace; never empty."""
    cleaned = topic.strip()
    if not cleaned:
        raise ScriptError(f"the topic is empty: {topic!r}; type what the video should be about")
    if len(cleaned) > TOPIC_MAX_CHARS:
        raise ScriptError(
            f"the topic is too long: {len(cleaned)} characters, at most {TOPIC_MAX_CHARS}; "
            "shorten it"
        )
    return cleaned


def capitalise(text: str) -> str:
    """Upper-case the first letter unless the first word already mixes cases (``iPhone``)."""
    if not text or not text[0].islower():
        return text
    first_word = text.split(maxsplit=1)[0]
    if any(ch.isupper() for ch in first_word):
        return text
    return text[0].upper() + text[1:]


def stop_words_for(language: str, library: TemplateLibrary | None = None) -> frozenset[str]:
    """The stop words of ``language`` from the templates file (empty when it has none)."""
    lib = library or _bundled_library()
    primary = language.strip().replace("_", "-").split("-")[0].lower()
    found = lib.languages.get(primary)
    return frozenset(found.stop_words) if found else frozenset()
