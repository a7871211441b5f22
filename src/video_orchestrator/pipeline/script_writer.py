"""The offline script writer: a topic and a genre in, a complete :class:`Script` out.

Every sentence comes from ``data/script_templates.json``; this module only chooses among the
templates (deterministically, from a seed), fills in the topic and fits the narration to the
target length at about 150 spoken words per minute. The topic is the user's text and is
inserted literally, never interpreted.

The word helpers it uses (:func:`~video_orchestrator.text.content_words`, …) live in
:mod:`video_orchestrator.text`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from video_orchestrator.domain.script import GENRES, Genre, Scene, Script
from video_orchestrator.errors import ConfigError, ScriptError
from video_orchestrator.text import content_words, keyword_terms, one_line, shorten

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


class _Beat(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visuals: list[str] = Field(min_length=1)
    lines: list[list[str]] = Field(min_length=1)


class _GenreTemplates(BaseModel):
    model_config = ConfigDict(extra="forbid")

    titles: list[str] = Field(min_length=1)
    hooks: list[str] = Field(min_length=1)
    beats: list[_Beat] = Field(min_length=MAX_SCENES)
    bridges: list[str] = Field(default_factory=list)
    ctas: list[str] = Field(min_length=1)
    descriptions: list[str] = Field(min_length=1)
    tags: list[str] = Field(min_length=3)


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
    genres: dict[str, _GenreTemplates]


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


# --------------------------------------------------------------------------- the writer


class TemplateWriter:
    """Writes a script for any topic offline, from the templates of one data file."""

    def __init__(self, templates: TemplateLibrary | Path | None = None) -> None:
        if isinstance(templates, TemplateLibrary):
            self._library = templates
        elif templates is not None:
            self._library = TemplateLibrary.load(templates)
        else:
            self._library = _bundled_library()

    @property
    def words_per_minute(self) -> int:
        return self._library.words_per_minute

    def languages(self) -> list[str]:
        return sorted(self._library.languages)

    def write(
        self,
        topic: str,
        genre: Genre,
        *,
        language: str = "en",
        target_seconds: int = 40,
        seed: int | None = None,
    ) -> Script:
        """A script about ``topic`` whose narration lasts about ``target_seconds``.

        The same topic, genre, language, length and seed always give the same script;
        without a seed, the seed is derived from the topic text.
        """
        topic = clean_topic(topic)
        if genre not in GENRES:
            raise ScriptError(f"unknown genre {genre!r}: choose one of {', '.join(GENRES)}")
        lang = self._language(language)
        templates = lang.genres.get(genre)
        if templates is None:
            raise ScriptError(
                f"the offline writer has no {genre!r} templates for language {language!r}; "
                "choose another genre or write your own script"
            )
        rng = random.Random(topic_seed(topic) if seed is None else seed)
        seconds = min(max(int(target_seconds), MIN_TARGET_SECONDS), MAX_TARGET_SECONDS)
        if seconds != target_seconds:
            logger.warning("offline writer: target of %ss clamped to %ss", target_seconds, seconds)
        target_words = seconds * self._library.words_per_minute / 60
        n = min(max(round(seconds / 10), MIN_SCENES), MAX_SCENES)

        values = _values(topic, n, lang)
        beats = _pick_beats(templates.beats, n, rng)

        hook = _fill_limited(rng.choice(templates.hooks), values, HOOK_MAX_CHARS)
        cta = _fill(rng.choice(templates.ctas), values)
        scene_lines: list[list[str]] = []
        for position, beat in enumerate(beats, start=1):
            local = {**values, **_position_values(position, lang)}
            scene_lines.append(
                [_fill(rng.choice(alternatives), local) for alternatives in beat.lines]
            )
        bridges = [_fill(text, values) for text in templates.bridges]
        rng.shuffle(bridges)
        skeleton = _words(hook) + _words(cta) + sum(_words(lines[0]) for lines in scene_lines)
        if skeleton > target_words * 1.08:
            # A short target: the shortest opening, first lines and call to action.
            hook = min(
                (_fill_limited(t, values, HOOK_MAX_CHARS) for t in templates.hooks), key=_words
            )
            cta = min((_fill(t, values) for t in templates.ctas), key=_words)
            for position, (beat, lines) in enumerate(zip(beats, scene_lines, strict=True), 1):
                local = {**values, **_position_values(position, lang)}
                lines[0] = min((_fill(t, local) for t in beat.lines[0]), key=_words)
        narrations = _fit(hook, cta, scene_lines, bridges, target_words)

        topic_terms = keyword_terms(topic, lang.stop_words)
        scenes = [
            Scene(
                narration=narration,
                keywords=_scene_keywords(topic_terms, beat.visuals, rng),
            )
            for narration, beat in zip(narrations, beats, strict=True)
        ]
        title = _fill_limited(rng.choice(templates.titles), values, TITLE_MAX_CHARS)
        description = _fill(rng.choice(templates.descriptions), values)
        return Script(
            topic=topic,
            genre=genre,
            language=language,
            title=title,
            hook=hook,
            scenes=scenes,
            call_to_action=cta,
            description=description,
            hashtags=_hashtags(topic, lang.stop_words, templates.tags),
        )

    def _language(self, language: str) -> _LanguageTemplates:
        primary = language.strip().replace("_", "-").split("-")[0].lower()
        found = self._library.languages.get(primary)
        if found is None:
            known = ", ".join(self.languages())
            raise ScriptError(
                f"the offline writer has no templates for language {language!r} "
                f"(it has: {known}); write your own script or configure a language model"
            )
        return found


# --------------------------------------------------------------------------- assembly


def _values(topic: str, n: int, lang: _LanguageTemplates) -> dict[str, str]:
    n_word = lang.numbers[n - 1]
    lowered = topic.casefold()
    first_word = lowered.split()[0] if lowered.split() else ""
    if lowered.startswith("how to ") and topic[7:].strip():
        task = topic[7:].strip()
    elif first_word in lang.task_verbs:
        task = topic
    else:
        task = f"get {topic} right"
    return {
        "topic": topic,
        "Topic": capitalise(topic),
        "task": task,
        "n": str(n),
        "n_word": n_word,
        "n_word_cap": capitalise(n_word),
    }


def _position_values(position: int, lang: _LanguageTemplates) -> dict[str, str]:
    return {
        "i": str(position),
        "i_word": lang.numbers[position - 1],
        "ordinal": lang.ordinals[position - 1],
    }


def _fill(template: str, values: Mapping[str, str]) -> str:
    # format_map only interprets the template; braces inside the values stay literal.
    return template.format_map(values)


def _fill_limited(template: str, values: Mapping[str, str], limit: int) -> str:
    """``template`` filled in, shortening the topic (never the template) to fit ``limit``."""
    text = _fill(template, values)
    topic, task = values["topic"], values["task"]
    keep = len(topic)
    while len(text) > limit and keep > 1:
        keep = max(1, min(keep - 1, keep - (len(text) - limit)))
        short = shorten(topic, keep)
        shortened = {**values, "topic": short, "Topic": capitalise(short)}
        if task.endswith(f"{topic} right"):
            shortened["task"] = f"get {short} right"
        else:
            shortened["task"] = shorten(task, keep)
        text = _fill(template, shortened)
    return text if len(text) <= limit else shorten(text, limit)


def _pick_beats(beats: Sequence[_Beat], n: int, rng: random.Random) -> list[_Beat]:
    """``n`` beats in their narrative order, always keeping the first and the last."""
    if n >= len(beats):
        return list(beats[:n])
    middle = sorted(rng.sample(range(1, len(beats) - 1), n - 2))
    return [beats[0], *(beats[i] for i in middle), beats[-1]]


def _words(text: str) -> int:
    return len(text.split())


def _fit(
    hook: str,
    cta: str,
    scene_lines: list[list[str]],
    bridges: list[str],
    target_words: float,
) -> list[str]:
    """Each scene's narration: its first line, then more lines round-robin until the whole
    script (hook + scenes + call to action) is as close to ``target_words`` as it gets."""
    chosen = [[lines[0]] for lines in scene_lines]
    pending = [list(lines[1:]) for lines in scene_lines]
    total = _words(hook) + _words(cta) + sum(_words(lines[0]) for lines in scene_lines)
    upper = target_words * 1.08

    def room(index: int, line: str) -> bool:
        current = sum(len(part) + 1 for part in chosen[index])
        return current + len(line) <= NARRATION_MAX_CHARS

    progress = True
    while total < target_words * 0.97 and progress:
        progress = False
        # The scene with the fewest lines goes first, so scenes stay balanced.
        for index in sorted(range(len(chosen)), key=lambda i: (len(chosen[i]), i)):
            if not pending[index]:
                continue
            line = pending[index][0]
            if total + _words(line) > upper or not room(index, line):
                continue
            chosen[index].append(pending[index].pop(0))
            total += _words(line)
            progress = True
            break
        if not progress and bridges and total < target_words * 0.97:
            for index in sorted(range(len(chosen)), key=lambda i: (len(chosen[i]), i)):
                fitting = [b for b in bridges if total + _words(b) <= upper and room(index, b)]
                if fitting:
                    bridge = fitting[0]
                    bridges.remove(bridge)
                    chosen[index].append(bridge)
                    total += _words(bridge)
                    progress = True
                    break
    return [" ".join(lines) for lines in chosen]


def _scene_keywords(topic_terms: list[str], visuals: list[str], rng: random.Random) -> list[str]:
    keywords = list(topic_terms[:5])
    picks = list(visuals)
    rng.shuffle(picks)
    for visual in picks:
        if len(keywords) >= MAX_KEYWORDS:
            break
        if visual not in keywords:
            keywords.append(visual)
    return keywords


def _hashtags(topic: str, stop_words: Sequence[str], genre_tags: Sequence[str]) -> list[str]:
    words = [w for w in content_words(topic, stop_words) if not w.isdigit()]
    topic_tags: list[str] = []
    joined = "".join(w.replace("'", "") for w in words[:4])
    same_kind = len({w.isascii() for w in words[:4]}) == 1
    if len(words) >= 2 and len(joined) <= 25 and same_kind and not any(map(_has_digit, words)):
        topic_tags.append(joined)
    topic_tags.extend(w.replace("'", "") for w in words if len(w) >= 3)
    tags: list[str] = []
    for tag in [*topic_tags[:2], *genre_tags]:
        if tag and tag.casefold() not in {t.casefold() for t in tags}:
            tags.append(tag)
    return tags[:5]


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


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


def topic_seed(topic: str) -> int:
    """A stable seed from the topic text (the same on every machine and run)."""
    return int.from_bytes(hashlib.sha256(topic.encode("utf-8")).digest()[:8], "big")


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


def template_placeholders() -> frozenset[str]:
    """Every placeholder a template may use (for the data-file tests)."""
    return frozenset(
        {"topic", "Topic", "task", "n", "n_word", "n_word_cap", "i", "i_word", "ordinal"}
    )
