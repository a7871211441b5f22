"""The script step: a topic and a genre → a :class:`Script`, from a language model.

Without a model (none configured, or every configured one failed) a topic alone gives no
script: :class:`~video_orchestrator.errors.NoScriptWriter` says so, with what the user can do
(ADR 0020). Nothing is pasted into templates."""

from __future__ import annotations

import copy
import logging
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from video_orchestrator.domain.script import GENRES, Genre, Script
from video_orchestrator.errors import NoScriptWriter, ProviderError, ScriptError
from video_orchestrator.pipeline.llm_chain import failure_reason as failure_reason
from video_orchestrator.pipeline.llm_usage import summarize
from video_orchestrator.pipeline.prompts import prompt_sections
from video_orchestrator.pipeline.script_writer import (
    MAX_SCENES,
    MIN_SCENES,
    TITLE_MAX_CHARS,
    clean_topic,
    words_per_minute,
)
from video_orchestrator.ports.llm import (
    Failure,
    JsonRequest,
    JsonResult,
    LLMProvider,
    Usage,
    complete_metered,
)
from video_orchestrator.text import one_line, shorten

logger = logging.getLogger(__name__)

PROMPT_VERSION = "script_v1"
SCHEMA_NAME = "short_video_script"
#: Fields the caller decides; the model is not asked for them.
_CALLER_FIELDS = ("topic", "genre", "language")
#: Keywords JSON Schema "strict" structured output does not accept.
_UNSUPPORTED_KEYWORDS = frozenset({"default", "minLength", "maxLength", "format", "pattern"})


@dataclass(frozen=True)
class ScriptResult:
    """A script, where it came from, and one line for the user when something fell back."""

    script: Script
    source: Literal["llm", "source", "user"]
    notice: str | None = None
    #: What the language models did, for the video's metadata (None when none was asked).
    llm: dict[str, Any] | None = None


#: What the user can do when no language model writes a script from a topic: one sentence
#: every interface shows as it is (the CLI, the API's problem detail, the Script tab).
NO_WRITER_ADVICE = (
    "the offline writer does not make up a script from a topic alone: give it your material "
    "(vo make --from FILE_OR_URL: an article, notes or a transcript; on the Script tab, "
    "Import text) or your own script (--script FILE), or set up a language model: a local "
    "one (VO_LLM_PRESET=ollama or llamacpp) or a key (VO_ANTHROPIC_API_KEY, "
    "VO_GEMINI_API_KEY or VO_LLM_API_KEY; in the studio, Settings)"
)


def no_writer() -> NoScriptWriter:
    """The error for a topic-only script with no language model configured."""
    return NoScriptWriter(f"no script writer is configured: {NO_WRITER_ADVICE}")


def generate_script(
    topic: str,
    genre: Genre,
    *,
    language: str,
    target_seconds: int,
    llm: LLMProvider | None,
    words_per_minute: int | None = None,
    scenes: int | None = None,
) -> ScriptResult:
    """A script about ``topic`` from ``llm``; :class:`NoScriptWriter` when there is no model
    or it fails (the message names what failed and what the user can do). ``scenes`` asks for
    exactly that many scenes (a template's promise); a longer answer is cut to it."""
    topic = clean_topic(topic)
    if genre not in GENRES:
        raise ScriptError(f"unknown genre {genre!r}: choose one of {', '.join(GENRES)}")
    if scenes is not None and not MIN_SCENES <= scenes <= MAX_SCENES:
        raise ScriptError(f"a script has {MIN_SCENES} to {MAX_SCENES} scenes, not {scenes}")
    if llm is None:
        raise no_writer()

    request = script_request(
        topic,
        genre,
        language=language,
        target_seconds=target_seconds,
        words_per_minute=words_per_minute or _pace(),
        scenes=scenes,
    )
    result: JsonResult | None = None
    try:
        result = complete_metered(llm, request)
        script = script_from_answer(result.data, topic=topic, genre=genre, language=language)
        if scenes is not None and len(script.scenes) != scenes:
            if len(script.scenes) < scenes:
                raise ScriptError(
                    f"the model wrote {len(script.scenes)} scenes where {scenes} were asked for"
                )
            script = script.model_copy(update={"scenes": script.scenes[:scenes]})
    except Exception as exc:  # any failure of a (possibly third-party) model
        failures = exc.failures if isinstance(exc, ProviderError) else ()
        if result is not None:  # it answered, but not with a script
            failures = (*result.failures, Failure(result.usage.provider, failure_reason(exc)))
        where = provider_label(llm)
        if len(failures) > 1:
            what = "the language models failed ({})".format(
                "; ".join(f"{f.provider}: {f.reason}" for f in failures)
            )
        else:
            reason = failures[0].reason if failures else failure_reason(exc)
            what = f"the language model at {where} failed ({reason})"
        logger.warning("%s", what)
        logger.debug("language model failure", exc_info=True)
        raise NoScriptWriter(f"{what}, and {NO_WRITER_ADVICE}") from exc
    notice: str | None = None
    if result.failures:
        failed = "; ".join(f"{f.provider} failed ({f.reason})" for f in result.failures)
        notice = f"{failed}; used {result.usage.provider} ({result.usage.model}) instead"
        logger.warning("%s", notice)
    report = llm_report(result.usage, result.calls, result.failures)
    return ScriptResult(script=script, source="llm", notice=notice, llm=report)


def _pace() -> int:
    return words_per_minute()


def llm_report(
    served: Usage | None, calls: Sequence[Usage], failures: Sequence[Failure]
) -> dict[str, Any]:
    """The metadata record of one script request: who served (None: nobody), tokens and
    cost of every billed call, and who failed first."""
    total = summarize(list(calls) or ([served] if served else []))
    return {
        "provider": served.provider if served else None,
        "vendor": (served.vendor or served.provider) if served else None,
        "model": served.model if served else None,
        "cached": served.cached if served else False,
        **total.as_dict(),
        "failed": [{"provider": f.provider, "reason": f.reason} for f in failures],
    }


# --------------------------------------------------------------------------- the request


def script_request(
    topic: str,
    genre: Genre,
    *,
    language: str,
    target_seconds: int,
    words_per_minute: int = 150,
    scenes: int | None = None,
) -> JsonRequest:
    """The request sent to the model: the versioned prompt filled in, and the JSON schema.
    ``scenes``: exactly that many scenes (both bounds of the prompt and the schema)."""
    prompt = _prompt(PROMPT_VERSION)
    low, high = (scenes, scenes) if scenes is not None else (MIN_SCENES, MAX_SCENES)
    values = {
        "topic": one_line(topic),
        "genre": genre,
        "genre_guidance": prompt.genres.get(genre, genre),
        "language": language,
        "target_seconds": str(target_seconds),
        "target_words": str(round(target_seconds * words_per_minute / 60)),
        "min_scenes": str(low),
        "max_scenes": str(high),
    }
    # Template.substitute reads placeholders in the prompt only; the topic stays literal.
    return JsonRequest(
        system=string.Template(prompt.system).substitute(values),
        user=string.Template(prompt.user).substitute(values),
        schema=script_schema(low, high),
        schema_name=SCHEMA_NAME,
        temperature=0.8,
        max_tokens=2000,
    )


def script_schema(low: int = MIN_SCENES, high: int = MAX_SCENES) -> dict[str, Any]:
    """``Script``'s JSON schema without the caller's fields, adapted to "strict" structured
    output: every property required, no additional properties, no unsupported keywords."""
    schema = copy.deepcopy(Script.model_json_schema())
    for name in _CALLER_FIELDS:
        schema["properties"].pop(name, None)
    scenes = schema["properties"]["scenes"]
    scenes["minItems"], scenes["maxItems"] = low, high
    schema["properties"]["hashtags"]["maxItems"] = 5
    strict: dict[str, Any] = _strict(schema)
    return strict


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in _UNSUPPORTED_KEYWORDS:
            continue
        if key in ("properties", "$defs"):
            result[key] = {name: _strict(sub) for name, sub in value.items()}
        else:
            result[key] = _strict(value)
    if result.get("type") == "object" or "properties" in result:
        result["additionalProperties"] = False
        result["required"] = list(result.get("properties", {}))
    return result


@dataclass(frozen=True)
class _Prompt:
    system: str
    user: str
    genres: dict[str, str]


def _prompt(version: str) -> _Prompt:
    sections = prompt_sections(version)
    genres = {
        name.removeprefix("genre:"): " ".join(text.split())
        for name, text in sections.items()
        if name.startswith("genre:")
    }
    return _Prompt(system=sections.get("system", ""), user=sections.get("user", ""), genres=genres)


# --------------------------------------------------------------------------- the answer


def script_from_answer(
    answer: dict[str, Any], *, topic: str, genre: Genre, language: str
) -> Script:
    """Validate the model's JSON into a :class:`Script` (``ValidationError`` when it is not
    one). Harmless excess is trimmed first: unknown fields, a title over 100 characters,
    more keywords or hashtags than allowed."""
    data: dict[str, Any] = {
        key: value for key, value in answer.items() if key in Script.model_fields
    }
    if isinstance(data.get("title"), str):
        data["title"] = shorten(one_line(data["title"]), TITLE_MAX_CHARS)
    if isinstance(data.get("hashtags"), list):
        data["hashtags"] = data["hashtags"][:5]
    scenes = data.get("scenes")
    if isinstance(scenes, list):
        tidy = []
        for scene in scenes:
            if isinstance(scene, dict):
                scene = {k: v for k, v in scene.items() if k in ("narration", "keywords")}
                if isinstance(scene.get("keywords"), list):
                    scene["keywords"] = scene["keywords"][:8]
            tidy.append(scene)
        data["scenes"] = tidy
    data.update(topic=topic, genre=genre, language=language)
    return Script.model_validate(data)


def provider_label(llm: LLMProvider) -> str:
    """Where the model lives, for messages: its host when it has a URL, else its name."""
    if llm.host:
        return llm.host
    netloc = urlsplit(llm.base_url).netloc.rpartition("@")[2] if llm.base_url else ""
    return netloc or llm.name or "unknown"
