"""A script in another language (ADR 0039): translated, then culturally adapted, by the
language model (one versioned prompt per step: ``translate_v1``, ``adapt_v1``), or
translated by an offline translator (no adaptation; the version says so).

The scene keywords stay as they are (they search stock footage, in English); the hashtags
come from the adaptation step, or for an offline translation from the language-aware
hashtag planner (:func:`~video_orchestrator.pipeline.optimise.plan_hashtags`).
"""

from __future__ import annotations

import json
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from video_orchestrator.domain.language_version import MadeBy
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.errors import ProviderError, ScriptError
from video_orchestrator.languages import name_of, primary
from video_orchestrator.pipeline.llm_chain import failure_reason
from video_orchestrator.pipeline.optimise import plan_hashtags
from video_orchestrator.pipeline.prompts import prompt_sections
from video_orchestrator.pipeline.script import llm_report
from video_orchestrator.pipeline.script_writer import TITLE_MAX_CHARS
from video_orchestrator.platforms import PlatformPreset
from video_orchestrator.ports.llm import (
    Failure,
    JsonRequest,
    JsonResult,
    LLMProvider,
    Usage,
    complete_metered,
)
from video_orchestrator.ports.translate import Translator
from video_orchestrator.text import one_line, shorten

TRANSLATE_PROMPT = "translate_v1"
ADAPT_PROMPT = "adapt_v1"
MAX_NOTES = 12


@dataclass(frozen=True)
class Translation:
    """A script in the target language, who made it and what the adaptation changed."""

    script: Script
    made_by: MadeBy
    by: str
    notes: tuple[str, ...] = ()
    #: What the language model calls cost (None for an offline translation).
    llm: dict[str, Any] | None = None


def _texts(script: Script) -> dict[str, Any]:
    """The words a version translates, as the JSON the model reads."""
    return {
        "title": script.title,
        "hook": script.hook,
        "scenes": [scene.narration for scene in script.scenes],
        "call_to_action": script.call_to_action,
        "description": script.description,
    }


def _schema(scenes: int, *, adapt: bool) -> dict[str, Any]:
    text = {"type": "string"}
    properties: dict[str, Any] = {
        "title": text,
        "hook": text,
        "scenes": {"type": "array", "items": text, "minItems": scenes, "maxItems": scenes},
        "call_to_action": text,
        "description": text,
    }
    if adapt:
        properties["hashtags"] = {"type": "array", "items": text, "maxItems": 5}
        properties["notes"] = {"type": "array", "items": text}
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _request(
    version: str, name: str, values: dict[str, str], schema: dict[str, Any]
) -> JsonRequest:
    sections = prompt_sections(version)
    return JsonRequest(
        system=string.Template(sections["system"]).substitute(values),
        user=string.Template(sections["user"]).substitute(values),
        schema=schema,
        schema_name=name,
        temperature=0.3,
        max_tokens=3000,
    )


def translate_request(script: Script, target: str) -> JsonRequest:
    values = {
        "source_language": name_of(script.language),
        "target_language": name_of(target),
        "script": json.dumps(_texts(script), ensure_ascii=False, indent=1),
    }
    return _request(
        TRANSLATE_PROMPT, "script_translation", values, _schema(len(script.scenes), adapt=False)
    )


def adapt_request(translated: dict[str, Any], target: str, scenes: int) -> JsonRequest:
    values = {
        "target_language": name_of(target),
        "script": json.dumps(translated, ensure_ascii=False, indent=1),
    }
    return _request(ADAPT_PROMPT, "script_adaptation", values, _schema(scenes, adapt=True))


def _script_from(source: Script, answer: dict[str, Any], target: str) -> Script:
    """The source script with the answer's words, in ``target`` (``ValidationError`` or
    :class:`ScriptError` when the answer is not a whole translation)."""
    scenes = answer.get("scenes")
    if not isinstance(scenes, list) or len(scenes) != len(source.scenes):
        got = len(scenes) if isinstance(scenes, list) else 0
        raise ScriptError(f"the answer has {got} scenes where the script has {len(source.scenes)}")
    title = answer.get("title")
    hashtags = answer.get("hashtags")
    return Script.model_validate(
        {
            "topic": source.topic,
            "genre": source.genre,
            "language": primary(target),
            "title": shorten(one_line(title), TITLE_MAX_CHARS) if isinstance(title, str) else "",
            "hook": answer.get("hook"),
            "scenes": [
                Scene(narration=str(text), keywords=list(scene.keywords)).model_dump()
                for text, scene in zip(scenes, source.scenes, strict=True)
            ],
            "call_to_action": answer.get("call_to_action") or "",
            "description": answer.get("description") or "",
            "hashtags": hashtags[:5] if isinstance(hashtags, list) else [],
        }
    )


def llm_translation(script: Script, target: str, llm: LLMProvider) -> Translation:
    """Translate (step 1), then adapt for the locale (step 2), through ``llm``.
    :class:`ProviderError` (with the reason) when a step fails or answers no script."""
    calls: list[Usage] = []
    failures: list[Failure] = []
    step = "translation"
    try:
        first: JsonResult = complete_metered(llm, translate_request(script, target))
        calls += first.calls or (first.usage,)
        failures += first.failures
        translated = _script_from(script, first.data, target)
        step = "adaptation"
        adapt = adapt_request(_texts(translated), target, len(script.scenes))
        second = complete_metered(llm, adapt)
        calls += second.calls or (second.usage,)
        failures += second.failures
        adapted = _script_from(script, second.data, target)
    except (ProviderError, ScriptError, ValidationError) as exc:
        raise ProviderError(
            f"the {step} of the script into {name_of(target)} failed: {failure_reason(exc)}"
        ) from exc
    raw_notes = second.data.get("notes")
    notes = tuple(
        one_line(str(note)) for note in (raw_notes if isinstance(raw_notes, list) else [])
    )
    model = f"{second.usage.provider} {second.usage.model}".strip()
    return Translation(
        script=adapted,
        made_by="llm",
        by=model,
        notes=tuple(note for note in notes if note)[:MAX_NOTES],
        llm=llm_report(second.usage, calls, failures),
    )


def offline_translation(
    script: Script, target: str, translator: Translator, preset: PlatformPreset
) -> Translation:
    """Translate every text with ``translator``; hashtags planned from the translated
    script (the language's stop words left out). No cultural adaptation: the notes say so."""
    texts = [script.topic, script.title, script.hook]
    texts += [scene.narration for scene in script.scenes]
    texts += [script.call_to_action, script.description]
    keep = [i for i, text in enumerate(texts) if text.strip()]
    done = translator.translate([texts[i] for i in keep], script.language, primary(target))
    if len(done) != len(keep):
        raise ProviderError(
            f"{translator.name} gave {len(done)} translations for {len(keep)} texts"
        )
    out = list(texts)
    for index, text in zip(keep, done, strict=True):
        out[index] = one_line(text) if index < 3 else text.strip()
    count = len(script.scenes)
    translated = Script(
        topic=shorten(out[0], 300),
        genre=script.genre,
        language=primary(target),
        title=shorten(out[1], TITLE_MAX_CHARS),
        hook=out[2],
        scenes=[
            Scene(narration=text, keywords=list(scene.keywords))
            for text, scene in zip(out[3 : 3 + count], script.scenes, strict=True)
        ],
        call_to_action=out[3 + count],
        description=out[4 + count],
    )
    hashtags = plan_hashtags(translated, preset)
    return Translation(
        script=translated.model_copy(update={"hashtags": hashtags}),
        made_by="offline",
        by=translator.name,
        notes=(
            "translated word for word by the offline translator: units, currencies, names "
            "and idioms were not adapted for the audience; check them",
        ),
    )


def usable_translator(
    translators: Sequence[Translator], source: str, target: str
) -> Translator | None:
    """The first translator that has the language pair installed."""
    return next((t for t in translators if t.can_translate(primary(source), primary(target))), None)
