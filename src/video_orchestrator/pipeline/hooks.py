"""Hooks: alternative opening lines for a short, each with a transparent 0–100 score.

Hooks come from a language model when one is configured (prompt ``data/prompts/hooks_v1.txt``)
and from the templates of ``data/hook_templates.json`` otherwise, or when the model fails.
Templates are filled from the topic and from the script's short sentences and numbers.

Every hook is scored by the same rules, each worth a share of 100 (the weights are data):

- ``timing``: how much of the hook is said by the platform's hook window (2 s) and by its
  end (3 s) at the platform's ideal pace;
- ``curiosity``: an open loop (a question, "why", "nobody", "secret", "what if" …);
- ``specificity``: concrete words (the script's subject matter, names) rather than vague ones;
- ``numbers``: a number;
- ``you``: the viewer addressed as "you";
- ``length``: a word count in the sweet spot for one caption screen.

The template path is deterministic: the same topic, script and platform give the same hooks.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from video_orchestrator.domain.script import Script
from video_orchestrator.errors import ConfigError, ProviderError, ScriptError
from video_orchestrator.pipeline.prompts import prompt_sections
from video_orchestrator.pipeline.script import provider_label
from video_orchestrator.pipeline.script_writer import (
    TemplateLibrary,
    capitalise,
    language_data,
    stop_words_for,
)
from video_orchestrator.platforms import PlatformPreset
from video_orchestrator.ports.llm import JsonRequest, LLMProvider
from video_orchestrator.text import (
    is_unspaced_char as _unspaced_char,
)
from video_orchestrator.text import (
    keyword_terms,
    one_line,
    sentences_by_punctuation,
    shorten,
    singular,
    words_of,
)

logger = logging.getLogger(__name__)

PROMPT_VERSION = "hooks_v1"
SCHEMA_NAME = "hook_alternatives"
MIN_COUNT = 1
MAX_COUNT = 10
HOOK_MAX_CHARS = 300
#: Topic characters used inside a template (a longer topic is cut at a word boundary).
TEMPLATE_TOPIC_CHARS = 60
#: Sentences of the script usable as a fact inside a hook, by word count.
FACT_MIN_WORDS = 4
FACT_MAX_WORDS = 14
#: A topic longer than this (words) is a sentence, not a subject (see :func:`short_topic`).
SHORT_TOPIC_WORDS = 6
#: Script text sent to the model at most (characters).
PROMPT_SCRIPT_CHARS = 2000

HookSource = Literal["llm", "template", "script"]
#: The score's components, in the order they are shown.
COMPONENTS = ("timing", "curiosity", "specificity", "numbers", "you", "length")
_PLACEHOLDERS = frozenset(
    {
        "topic", "Topic", "subject", "Subject", "task", "n", "n_word", "N_word", "seconds",
        "fact", "Fact", "stat_fact", "Stat_fact", "number", "Number",
    }
)  # fmt: skip
_NUMBER = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)(\s*%)?")
_SENTENCE_BREAK = re.compile(r"[.!?…]+\s+")


# --------------------------------------------------------------------------- data


class _LengthRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ideal_min_words: int = Field(gt=0)
    ideal_max_words: int = Field(gt=0)
    zero_at_words: int = Field(gt=0)


class ScoringRules(BaseModel):
    """The hook score's weights and thresholds (``scoring`` in hook_templates.json)."""

    model_config = ConfigDict(extra="forbid")

    weights: dict[str, float]
    curiosity_full_at: int = Field(ge=1)
    curiosity_one_cue: float = Field(ge=0, le=1)
    specific_terms_full_at: float = Field(gt=0)
    vague_penalty: float = Field(ge=0, le=1)
    length: _LengthRule
    near_duplicate_overlap: float = Field(gt=0, le=1)
    weak_below: int = Field(50, ge=0, le=100, description="vo optimise flags hooks under this")

    def weight(self, name: str) -> float:
        return float(self.weights.get(name, 0.0))

    @model_validator(mode="after")
    def _weights_make_100(self) -> ScoringRules:
        if set(self.weights) != set(COMPONENTS):
            raise ValueError(f"scoring weights must name exactly: {', '.join(COMPONENTS)}")
        if abs(sum(self.weights.values()) - 100) > 1e-6:
            raise ValueError("scoring weights must add up to 100")
        return self


class HookLanguage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    curiosity_cues: list[str] = Field(min_length=1)
    vague_words: list[str] = Field(default_factory=list)
    second_person: list[str] = Field(min_length=1)
    number_words: list[str] = Field(default_factory=list)
    number_units: list[str] = Field(default_factory=list)
    sentence_starters: list[str] = Field(default_factory=list)
    task_default: str = Field(min_length=1)
    templates: dict[str, list[str]]
    calls_to_action: dict[str, str] = Field(
        default_factory=dict,
        description="the call to action per platform ({topic}); none: the platform's own",
    )
    articles: list[str] = Field(
        default_factory=list,
        description="articles a subject word from the script keeps ('les pieuvres')",
    )
    contractions: dict[str, str] = Field(
        default_factory=dict,
        description="preposition + article → its contraction ('de el' → 'del')",
    )

    def contract(self, text: str) -> str:
        """``text`` with this language's preposition + article pairs contracted."""
        for pair, joined in self.contractions.items():
            pattern = rf"(?<![\w'’]){re.escape(pair)}(?![\w'’])"
            text = re.sub(pattern, joined, text)
        return text


class HookLibrary(BaseModel):
    """The parsed contents of ``hook_templates.json``."""

    model_config = ConfigDict(extra="forbid")

    version: int
    about: str = ""
    types: list[str] = Field(min_length=1)
    scoring: ScoringRules
    languages: dict[str, HookLanguage] = Field(min_length=1)

    @classmethod
    def load(cls, path: Path | None = None) -> HookLibrary:
        """Read the bundled hook templates, or ``path`` when given."""
        try:
            if path is None:
                text = (
                    resources.files("video_orchestrator")
                    .joinpath("data", "hook_templates.json")
                    .read_text(encoding="utf-8")
                )
            else:
                text = path.read_text(encoding="utf-8")
            library = cls.model_validate(json.loads(text))
        except (OSError, ValueError, ValidationError) as exc:
            where = path or "the bundled hook_templates.json"
            raise ConfigError(
                f"cannot read the hook templates from {where}: {one_line(str(exc))[:300]}"
            ) from exc
        library._check_templates()
        return library

    def _check_templates(self) -> None:
        for code, lang in self.languages.items():
            for hook_type, templates in lang.templates.items():
                if hook_type not in self.types:
                    raise ConfigError(
                        f"hook templates ({code}) use unknown type {hook_type!r}; "
                        f"add it to 'types' or rename it"
                    )
                for template in templates:
                    unknown = set(placeholders(template)) - _PLACEHOLDERS
                    if unknown:
                        raise ConfigError(
                            f"hook template {template!r} ({code}) has unknown placeholder(s) "
                            f"{', '.join(sorted(unknown))}"
                        )

    def language(self, code: str) -> HookLanguage | None:
        primary = code.strip().replace("_", "-").split("-")[0].lower()
        return self.languages.get(primary)

    def scoring_language(self, code: str) -> HookLanguage:
        """The cue lists for ``code``; English when the language has none."""
        found = self.language(code)
        if found is not None:
            return found
        return self.languages.get("en") or next(iter(self.languages.values()))


@cache
def bundled_library() -> HookLibrary:
    return HookLibrary.load()


@cache
def _script_library() -> TemplateLibrary:
    return TemplateLibrary.load()


def placeholders(template: str) -> list[str]:
    """The ``{names}`` a template uses."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ScoreComponent:
    """One part of a hook's score: the points it earned of its maximum, and why."""

    name: str
    points: float
    max_points: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "points": self.points,
            "max_points": self.max_points,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ScoredHook:
    text: str
    type: str
    score: int
    components: tuple[ScoreComponent, ...]
    source: HookSource = "template"

    def component(self, name: str) -> ScoreComponent:
        for part in self.components:
            if part.name == name:
                return part
        raise KeyError(name)

    @property
    def reasons(self) -> list[str]:
        return [
            f"{part.name} {part.points:g}/{part.max_points:g}: {part.reason}"
            for part in self.components
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "type": self.type,
            "score": self.score,
            "source": self.source,
            "components": [part.to_dict() for part in self.components],
        }


@dataclass(frozen=True)
class HookContext:
    """What the templates and the scorer know about the video."""

    topic: str
    language: str
    platform: str
    wpm: int
    window_s: float
    max_s: float
    n: int = 3
    seconds: int = 30
    facts: tuple[str, ...] = ()
    stat_facts: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    subject_terms: frozenset[str] = frozenset()
    script_text: str = ""

    @property
    def max_words(self) -> int:
        return max(1, int(self.max_s * self.wpm / 60))


@dataclass(frozen=True)
class HooksResult:
    hooks: list[ScoredHook]
    source: Literal["llm", "template"]
    notice: str | None = None
    current: ScoredHook | None = None
    context: HookContext | None = field(default=None, compare=False)


# --------------------------------------------------------------------------- context


def hook_context(
    topic: str,
    script: Script | None,
    preset: PlatformPreset,
    *,
    language: str = "en",
    library: HookLibrary | None = None,
) -> HookContext:
    """What is known about the video: the topic, the script's facts and numbers, the
    platform's pace and hook window."""
    lib = library or bundled_library()
    lang = lib.scoring_language(language)
    stop_words = _stop_words(language)
    starters = frozenset(lang.sentence_starters)
    wpm = preset.pace.ideal_wpm
    facts: list[str] = []
    stat_facts: list[str] = []
    numbers: list[str] = []
    subject = set(keyword_terms(topic, stop_words))
    script_text = ""
    n = 3
    seconds: float = preset.ideal_seconds
    if script is not None:
        n = min(max(len(script.scenes), 2), 10)
        seconds = script.word_count() * 60 / wpm
        script_text = "\n".join(script.spoken_parts())
        for scene in script.scenes:
            for keyword in scene.keywords:
                subject.update(keyword_terms(keyword, stop_words))
            for sentence in sentences_by_punctuation(scene.narration):
                bare = sentence.strip().rstrip(".!?…;:,").strip()
                count = len(bare.split())
                if not FACT_MIN_WORDS <= count <= FACT_MAX_WORDS or '"' in bare:
                    continue
                fact = _lower_first(bare, starters)
                if any(ch.isdigit() for ch in bare):
                    stat_facts.append(fact)
                facts.append(fact)
            numbers.extend(number_phrases(scene.narration, stop_words, lang))
    numbers.extend(number_phrases(topic, stop_words, lang))
    return HookContext(
        topic=short_topic(topic, script, language),
        language=language,
        platform=preset.display_name,
        wpm=wpm,
        window_s=preset.hook.window_s,
        max_s=preset.hook.max_s,
        n=n,
        seconds=max(10, int(5 * round(seconds / 5))),
        facts=tuple(dict.fromkeys(facts)),
        stat_facts=tuple(dict.fromkeys(stat_facts)),
        numbers=tuple(dict.fromkeys(numbers)),
        subject_terms=frozenset(subject),
        script_text=script_text,
    )


_SENTENCE_VERBS = frozenset(
    {"is", "are", "was", "were", "has", "have", "had", "can", "will", "do", "does", "did"}
)


def _reads_as_sentence(topic: str) -> bool:
    """ "Octopuses are interesting." is a sentence (a plain script's first line), not a topic."""
    words = [w.strip(".,!?;:").casefold() for w in topic.split()]
    return topic.rstrip().endswith((".", "!", "?")) or any(w in _SENTENCE_VERBS for w in words)


def short_topic(topic: str, script: Script | None, language: str = "en") -> str:
    """The topic to put inside a template: as given when it is short; for a long one (a
    plain-text script's first sentence) the script's most frequent subject word."""
    first_line = script is not None and topic.strip().casefold() in script.hook.casefold()
    if script is None or (
        len(topic.split()) <= SHORT_TOPIC_WORDS
        and not _reads_as_sentence(topic)
        and not (first_line and len(topic.split()) > 2)  # a plain script's first line
    ):
        return topic
    stop_words = _stop_words(language)
    counts: dict[str, int] = {}
    spelling: dict[str, str] = {}
    for part in script.spoken_parts():
        for word in words_of(part):
            key = word.casefold()
            if len(key) < 4 or key in stop_words or word.isdigit():
                continue
            counts[key] = counts.get(key, 0) + 1
            if key not in spelling or word.islower():  # "Octopuses" at a sentence start
                spelling[key] = word
    if not counts:
        return topic
    best = max(counts, key=lambda key: counts[key])  # first seen wins a tie
    return _with_article(spelling[best], script, bundled_library().language(language))


def _with_article(word: str, script: Script, lang: HookLanguage | None) -> str:
    """``word`` with the article the script puts before it (``pieuvres`` → ``les
    pieuvres``) in languages that need one there; as it is otherwise."""
    if lang is None or not lang.articles:
        return word
    articles = {a.casefold() for a in lang.articles}
    for part in script.spoken_parts():
        words = words_of(part)
        for before, current in itertools.pairwise(words):
            if current.casefold() == word.casefold() and before.casefold() in articles:
                return f"{before.casefold()} {word}"
    return word


def number_phrases(text: str, stop_words: frozenset[str], lang: HookLanguage) -> list[str]:
    """Numbers in ``text`` with their unit or noun: ``90 percent``, ``130 volcanoes``."""
    units = {u.casefold() for u in lang.number_units}
    found: list[str] = []
    for match in _NUMBER.finditer(text):
        number = match.group(1).rstrip(",")
        if match.group(2):
            found.append(f"{number}%")
            continue
        rest = text[match.end() :]
        following = words_of(rest[:40])
        phrase = number
        if following and rest[:1].isspace():
            word = following[0]
            if word.casefold() in units or (
                word.casefold() not in stop_words and word.isalpha() and word.islower()
            ):
                phrase = f"{number} {word}"
        found.append(phrase)
    return found


def _lower_first(sentence: str, starters: frozenset[str]) -> str:
    first = sentence.split(maxsplit=1)[0] if sentence.split() else ""
    if first.casefold() in starters and first[:1].isupper() and first != "I":
        return sentence[:1].lower() + sentence[1:]
    return sentence


def _stop_words(language: str) -> frozenset[str]:
    return stop_words_for(language)


# --------------------------------------------------------------------------- templates


def template_values(context: HookContext, library: HookLibrary) -> dict[str, str]:
    """The placeholder values available for this video (missing ones skip templates)."""
    lang = library.language(context.language)
    script_lang = language_data(context.language, _script_library())
    topic = shorten(one_line(context.topic), TEMPLATE_TOPIC_CHARS)
    lowered = topic.casefold()
    first_word = lowered.split()[0] if lowered.split() else ""
    task_verbs = set(script_lang.task_verbs)
    values: dict[str, str] = {"topic": topic, "Topic": capitalise(topic)}
    how_to = next(
        (p for p in script_lang.how_to if lowered.startswith(p) and topic[len(p) :].strip()), None
    )
    if how_to is not None:
        values["task"] = topic[len(how_to) :].strip()
    elif first_word in task_verbs:
        values["task"] = topic
    else:
        default = lang.task_default if lang else "understand {topic}"
        values["task"] = default.format_map({"topic": topic})
        values["subject"] = topic
        values["Subject"] = capitalise(topic)
    numbers = script_lang.numbers
    n = min(max(context.n, 2), 10)
    values["n"] = str(n)
    if len(numbers) >= n:
        values["n_word"] = numbers[n - 1]
        values["N_word"] = capitalise(numbers[n - 1])
    values["seconds"] = str(context.seconds)
    if context.facts:
        values["fact"] = context.facts[0]
        values["Fact"] = capitalise(context.facts[0])
    if context.stat_facts:
        values["stat_fact"] = context.stat_facts[0]
        values["Stat_fact"] = capitalise(context.stat_facts[0])
    if context.numbers:
        values["number"] = context.numbers[0]
        values["Number"] = capitalise(context.numbers[0])
    return values


def template_hooks(context: HookContext, library: HookLibrary) -> list[tuple[str, str]]:
    """Every template of the context's language filled in: ``(text, type)`` pairs, in the
    data file's order; templates whose placeholders have no value are skipped."""
    lang = library.language(context.language)
    if lang is None:
        known = ", ".join(sorted(library.languages))
        raise ScriptError(
            f"the hook templates have no language {context.language!r} (they have: {known}); "
            "configure a language model to write hooks in it"
        )
    values = template_values(context, library)
    hooks: list[tuple[str, str]] = []
    for hook_type in library.types:
        for template in lang.templates.get(hook_type, []):
            if not set(placeholders(template)) <= set(values):
                continue
            text = lang.contract(_no_doubled_words(one_line(template.format_map(values))))
            if text and len(text) <= HOOK_MAX_CHARS:
                hooks.append((capitalise(text), hook_type))
    return hooks


_DOUBLED = re.compile(r"\b(\w+)(\s+\1\b)+", re.IGNORECASE)


def _no_doubled_words(text: str) -> str:
    """ "why why octopuses …" → "why octopuses …" (a template word repeated by the topic)."""
    return _DOUBLED.sub(r"\1", text)


# --------------------------------------------------------------------------- scoring


_TOKEN_CLEAN = str.maketrans({"’": "'", "‘": "'"})


def _norm(text: str) -> str:
    return text.translate(_TOKEN_CLEAN).casefold()


def _unspaced(phrase: str) -> bool:
    """A phrase of a script written without spaces (Japanese): found inside a run of
    letters, so it is matched as a substring, not as a word."""
    return any(_unspaced_char(ch) for ch in phrase)


def _has_phrase(text: str, phrase: str) -> bool:
    if not any(ch.isalnum() for ch in phrase) or _unspaced(phrase):
        return phrase in text
    pattern = r"(?<![\w'])" + re.escape(_norm(phrase)) + r"(?![\w'])"
    return re.search(pattern, _norm(text)) is not None


def _quote(items: Iterable[str], limit: int = 4) -> str:
    listed = list(items)
    shown = ", ".join(f'"{item}"' for item in listed[:limit])
    return shown + (f" +{len(listed) - limit}" if len(listed) > limit else "")


def score_hook(
    text: str,
    hook_type: str,
    context: HookContext,
    *,
    library: HookLibrary | None = None,
    source: HookSource = "template",
) -> ScoredHook:
    """The hook's score (0–100) and its components, each with the reason for its points."""
    lib = library or bundled_library()
    rules = lib.scoring
    lang = lib.scoring_language(context.language)
    text = one_line(text)
    words = words_of(text)
    count = len(words)
    components = [
        _timing(count, context, rules.weight("timing")),
        _curiosity(text, lang, rules),
        _specificity(text, words, lang, rules, context),
        _numbers(text, words, lang, rules.weight("numbers")),
        _you(words, lang, rules.weight("you")),
        _length(count, rules),
    ]
    total = sum(part.points for part in components)
    return ScoredHook(
        text=text,
        type=hook_type,
        score=max(0, min(100, round(total))),
        components=tuple(components),
        source=source,
    )


def _timing(count: int, context: HookContext, weight: float) -> ScoreComponent:
    by_window = context.window_s * context.wpm / 60
    by_end = context.max_s * context.wpm / 60
    seconds = count * 60 / context.wpm if context.wpm else 0.0
    if count == 0:
        return ScoreComponent("timing", 0.0, weight, "no words")
    share_window = min(1.0, by_window / count)
    share_end = min(1.0, by_end / count)
    points = round(weight * (share_window + share_end) / 2, 1)
    said_by_window = min(count, int(by_window))
    if count <= by_window:
        verdict = f"all said by the {context.window_s:g} s mark"
    elif count <= by_end:
        verdict = (
            f"{said_by_window} of {count} words said by {context.window_s:g} s, "
            f"all by {context.max_s:g} s"
        )
    else:
        verdict = f"runs past the {context.max_s:g} s mark (at most {int(by_end)} words fit)"
    reason = f"{count} words ≈ {seconds:.1f} s at {context.wpm} wpm: {verdict}"
    return ScoreComponent("timing", points, weight, reason)


def _curiosity(text: str, lang: HookLanguage, rules: ScoringRules) -> ScoreComponent:
    weight = rules.weight("curiosity")
    cues = [cue for cue in lang.curiosity_cues if _has_phrase(text, cue)]
    if not cues:
        return ScoreComponent("curiosity", 0.0, weight, "no open loop (question, why, secret …)")
    share = 1.0 if len(cues) >= rules.curiosity_full_at else rules.curiosity_one_cue
    return ScoreComponent(
        "curiosity", round(weight * share, 1), weight, f"open loop: {_quote(cues)}"
    )


def _specificity(
    text: str,
    words: Sequence[str],
    lang: HookLanguage,
    rules: ScoringRules,
    context: HookContext,
) -> ScoreComponent:
    weight = rules.weight("specificity")
    stop = _stop_words(context.language)
    vague_list = {_norm(w) for w in lang.vague_words}
    skip = (
        vague_list
        | {_norm(w) for w in lang.second_person}
        | {_norm(w) for w in lang.number_words}
        | {_norm(c) for c in lang.curiosity_cues}
    )
    starts = _sentence_starts(text)
    names: list[str] = []
    subject: list[str] = []
    other: list[str] = []
    vague: list[str] = []
    seen: set[str] = set()
    for index, word in enumerate(words):
        key = _norm(word)
        if key in seen:
            continue
        seen.add(key)
        if key in vague_list:
            vague.append(word)
            continue
        if word.isdigit() or len(key) < 3 or key in stop or key in skip:
            continue
        if word[:1].isupper() and index not in starts and word != "I":
            names.append(word)
        elif key in context.subject_terms or _singular_key(key) in context.subject_terms:
            subject.append(word)
        else:
            other.append(word)
    points_raw = len(names) + len(subject) + 0.5 * len(other)
    share = min(1.0, points_raw / rules.specific_terms_full_at)
    share = max(0.0, share - rules.vague_penalty * len(vague))
    parts = []
    if names:
        parts.append(f"names {_quote(names)}")
    if subject:
        parts.append(f"subject words {_quote(subject)}")
    if other:
        parts.append(f"other words {_quote(other)} (half)")
    if vague:
        parts.append(f"vague {_quote(vague)} (minus)")
    reason = "; ".join(parts) if parts else "no concrete words"
    return ScoreComponent("specificity", round(weight * share, 1), weight, reason)


def _singular_key(key: str) -> str:
    return singular(key) or key


def _sentence_starts(text: str) -> set[int]:
    """Indices (in ``words_of`` order) of words that start a sentence."""
    starts: set[int] = set()
    index = 0
    for chunk in _SENTENCE_BREAK.split(text):
        chunk_words = words_of(chunk)
        if chunk_words:
            starts.add(index)
        index += len(chunk_words)
    return starts


def _numbers(text: str, words: Sequence[str], lang: HookLanguage, weight: float) -> ScoreComponent:
    number_words = {_norm(w) for w in lang.number_words}
    found = [m.group(0).strip() for m in _NUMBER.finditer(text)]
    found += [w for w in words if _norm(w) in number_words]
    found += [w for w in lang.number_words if _unspaced(w) and w in text]
    if not found:
        return ScoreComponent("numbers", 0.0, weight, "no number")
    return ScoreComponent("numbers", weight, weight, f"number: {_quote(dict.fromkeys(found))}")


def _you(words: Sequence[str], lang: HookLanguage, weight: float) -> ScoreComponent:
    second = {_norm(w) for w in lang.second_person}
    found = [w for w in words if _norm(w) in second]
    joined = "".join(words)
    found += [w for w in lang.second_person if _unspaced(w) and w in joined]
    if not found:
        return ScoreComponent("you", 0.0, weight, "does not address the viewer as you")
    return ScoreComponent(
        "you", weight, weight, f"speaks to the viewer: {_quote(dict.fromkeys(found))}"
    )


def _length(count: int, rules: ScoringRules) -> ScoreComponent:
    weight = rules.weight("length")
    low, high = rules.length.ideal_min_words, rules.length.ideal_max_words
    zero = rules.length.zero_at_words
    if low <= count <= high:
        return ScoreComponent(
            "length", weight, weight, f"{count} words: in the {low}–{high} sweet spot"
        )
    if count < low:
        share = count / low
        reason = f"{count} words: short of the {low}–{high} sweet spot"
    else:
        share = max(0.0, (zero - count) / (zero - high)) if zero > high else 0.0
        reason = f"{count} words: over the {low}–{high} sweet spot"
    return ScoreComponent("length", round(weight * share, 1), weight, reason)


# --------------------------------------------------------------------------- selection


def _key(text: str) -> str:
    return " ".join(_norm(w) for w in words_of(text))


def deduplicate(hooks: Iterable[ScoredHook], overlap: float) -> list[ScoredHook]:
    """Hooks without repeats: the same words (case and punctuation aside), or word sets that
    overlap by ``overlap`` or more (Jaccard); the better-scored one of a pair stays."""
    ordered = sorted(hooks, key=_rank)
    kept: list[ScoredHook] = []
    kept_sets: list[set[str]] = []
    seen: set[str] = set()
    for hook in ordered:
        key = _key(hook.text)
        if not key or key in seen:
            continue
        words = set(key.split())
        if any(len(words & other) / len(words | other) >= overlap for other in kept_sets):
            continue
        seen.add(key)
        kept.append(hook)
        kept_sets.append(words)
    return kept


def _rank(hook: ScoredHook) -> tuple[int, int, str]:
    source_order = {"llm": 0, "template": 1, "script": 2}
    return (-hook.score, source_order.get(hook.source, 3), hook.text)


def select(hooks: Sequence[ScoredHook], count: int, types: Sequence[str]) -> list[ScoredHook]:
    """``count`` hooks, best first, with as many types as possible: the best of each type
    first, then the best of the rest."""
    order = {name: index for index, name in enumerate(types)}
    ranked = sorted(hooks, key=lambda h: (*_rank(h), order.get(h.type, len(order))))
    chosen: list[ScoredHook] = []
    used_types: set[str] = set()
    for hook in ranked:
        if len(chosen) >= count:
            break
        if hook.type not in used_types:
            chosen.append(hook)
            used_types.add(hook.type)
    for hook in ranked:
        if len(chosen) >= count:
            break
        if hook not in chosen:
            chosen.append(hook)
    return sorted(chosen, key=_rank)


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class _Prompt:
    system: str
    user: str


def _prompt(version: str) -> _Prompt:
    sections = prompt_sections(version)
    return _Prompt(system=sections.get("system", ""), user=sections.get("user", ""))


def hooks_schema(types: Sequence[str], count: int) -> dict[str, Any]:
    """The JSON schema of the model's answer ("strict" structured output)."""
    return {
        "type": "object",
        "properties": {
            "hooks": {
                "type": "array",
                "minItems": count,
                "maxItems": MAX_COUNT,
                "items": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string"},
                        "type": {"type": "string", "enum": list(types)},
                    },
                    "required": ["text", "type"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["hooks"],
        "additionalProperties": False,
    }


def hooks_request(context: HookContext, count: int, types: Sequence[str]) -> JsonRequest:
    """The request sent to the model: the versioned prompt filled in, and the schema."""
    prompt = _prompt(PROMPT_VERSION)
    script = context.script_text.strip()
    if len(script) > PROMPT_SCRIPT_CHARS:
        script = shorten(script, PROMPT_SCRIPT_CHARS)
    values = {
        "topic": one_line(context.topic),
        "count": str(count),
        "types": ", ".join(types),
        "platform": context.platform,
        "language": context.language,
        "window_s": f"{context.window_s:g}",
        "max_s": f"{context.max_s:g}",
        "max_words": str(context.max_words),
        "wpm": str(context.wpm),
        "script": script or "(no script yet: write from the topic)",
    }
    # Template.substitute reads placeholders in the prompt only; the values stay literal.
    return JsonRequest(
        system=string.Template(prompt.system).substitute(values),
        user=string.Template(prompt.user).substitute(values),
        schema=hooks_schema(types, count),
        schema_name=SCHEMA_NAME,
        temperature=0.9,
        max_tokens=1200,
    )


def hooks_from_answer(answer: Mapping[str, Any], types: Sequence[str]) -> list[tuple[str, str]]:
    """``(text, type)`` pairs from the model's JSON; ``ProviderError`` when there are none.
    Unknown types become ``other``; blank, over-long and non-string hooks are dropped."""
    items = answer.get("hooks") if isinstance(answer, Mapping) else None
    if not isinstance(items, list):
        raise ProviderError("its answer has no 'hooks' list")
    hooks: list[tuple[str, str]] = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        text, hook_type = item.get("text"), item.get("type")
        if not isinstance(text, str) or not text.strip():
            continue
        text = one_line(text).strip().strip('"“”')
        if len(text) > HOOK_MAX_CHARS:
            continue
        kind = hook_type if isinstance(hook_type, str) and hook_type in types else "other"
        hooks.append((text, kind))
    if not hooks:
        raise ProviderError("its answer had no usable hooks")
    return hooks


def model_failure(llm: LLMProvider, exc: BaseException) -> str:
    """One phrase saying which model failed and why (every provider of a fallback chain)."""
    known = exc if isinstance(exc, ProviderError) else None
    failures = [(f.provider, one_line(f.reason)) for f in (known.failures if known else ())]
    if len(failures) > 1:
        listed = "; ".join(f"{provider}: {reason}" for provider, reason in failures)
        return f"the language models failed ({listed})"
    if failures:
        reason = failures[0][1]
    elif known is not None and known.reason.strip():
        reason = one_line(known.reason)
    elif isinstance(exc, ValidationError):
        reason = "its answer was not valid"
    else:
        reason = one_line(str(exc)) or type(exc).__name__
    return f"the language model at {provider_label(llm)} failed ({reason})"


# --------------------------------------------------------------------------- the step


def generate_hooks(
    context: HookContext,
    *,
    count: int = 8,
    llm: LLMProvider | None = None,
    library: HookLibrary | None = None,
    current: str | None = None,
) -> HooksResult:
    """``count`` scored hooks, best first: from ``llm`` when given (topped up from the
    templates when it gives too few), else (or when it fails) from the templates."""
    if not MIN_COUNT <= count <= MAX_COUNT:
        raise ScriptError(f"the number of hooks must be {MIN_COUNT} to {MAX_COUNT}, not {count}")
    lib = library or bundled_library()
    overlap = lib.scoring.near_duplicate_overlap
    current_hook = (
        score_hook(current, "current", context, library=lib, source="script")
        if current and current.strip()
        else None
    )
    notice: str | None = None
    source: Literal["llm", "template"] = "template"
    model_hooks: list[ScoredHook] = []
    if llm is not None:
        try:
            answer = llm.complete_json(hooks_request(context, count, lib.types))
            pairs = hooks_from_answer(answer, lib.types)
        except Exception as exc:  # any failure of a (possibly third-party) model → templates
            what = model_failure(llm, exc)
            logger.warning("%s", what)
            logger.debug("language model failure", exc_info=True)
            notice = f"{what}; used the hook templates instead"
        else:
            source = "llm"
            model_hooks = deduplicate(
                (score_hook(t, k, context, library=lib, source="llm") for t, k in pairs),
                overlap,
            )
    chosen = select(model_hooks, count, [*lib.types, "other"])
    if len(chosen) < count:
        try:
            pairs = template_hooks(context, lib)
        except ScriptError:
            if not chosen:
                raise
            pairs = []
        scored = [score_hook(t, k, context, library=lib) for t, k in pairs]
        extra = deduplicate([*chosen, *scored], overlap)
        extra = [hook for hook in extra if hook not in chosen]
        topped = select(extra, count - len(chosen), lib.types)
        if chosen and topped:
            notice = (
                f"the language model gave {len(chosen)} usable hook(s); "
                f"added {len(topped)} from the templates"
            )
        chosen = sorted([*chosen, *topped], key=_rank)
    return HooksResult(
        hooks=chosen, source=source, notice=notice, current=current_hook, context=context
    )
