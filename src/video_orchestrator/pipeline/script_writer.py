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
from video_orchestrator.languages import primary
from video_orchestrator.languages.stopwords import stop_words
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


class LanguageData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    numbers: list[str] = Field(min_length=MAX_SCENES)
    ordinals: list[str] = Field(min_length=MAX_SCENES)
    stop_words: list[str] = Field(default_factory=list)
    task_verbs: list[str] = Field(
        default_factory=list,
        description="first words that make a topic a task already (bake bread → how to bake "
        "bread, not how to get bake bread right)",
    )
    how_to: list[str] = Field(
        default_factory=list,
        description="openings that make a topic a task ('how to ', 'cum să ', 'wie man ')",
    )
    # the offline writer's word lists (pipeline/source_script.py), case-folded phrases
    connectives: list[str] = Field(
        default_factory=list, description="an opening connective trimmed off ('However, ')"
    )
    dangling: list[str] = Field(
        default_factory=list, description="first words that point back to an unheard sentence"
    )
    number_words: list[str] = Field(default_factory=list, description="words that are numbers")
    striking: list[str] = Field(
        default_factory=list, description="words that make a sentence worth opening with"
    )
    furniture: list[str] = Field(
        default_factory=list, description="page furniture and calls to click, never narrated"
    )


class TemplateLibrary(BaseModel):
    """The parsed contents of ``script_templates.json``."""

    model_config = ConfigDict(extra="forbid")

    version: int
    words_per_minute: int = Field(gt=0)
    languages: dict[str, LanguageData]

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


def language_data(language: str, library: TemplateLibrary | None = None) -> LanguageData:
    """The word lists of ``language`` (by primary subtag); English for a language the
    templates file does not have."""
    lib = library or _bundled_library()
    found = lib.languages.get(primary(language))
    if found is not None:
        return found
    return lib.languages.get("en") or next(iter(lib.languages.values()))


def stop_words_for(language: str, library: TemplateLibrary | None = None) -> frozenset[str]:
    """The stop words of ``language``: the templates file's own and, for the languages
    other than English, stopwords-iso's (:mod:`video_orchestrator.languages.stopwords`);
    empty for a language neither has."""
    if library is None:
        return _bundled_stop_words(primary(language))
    found = library.languages.get(primary(language))
    return stop_words(language, found.stop_words if found else ())


@cache
def _bundled_stop_words(code: str) -> frozenset[str]:
    found = _bundled_library().languages.get(code)
    return stop_words(code, found.stop_words if found else ())
