"""A script about a trend, written from its evidence only (ADR 0030).

Offline the evidence (each headline or post as a sentence, followed by its summary) is the
material of the extractive writer of ``source_script.py`` (ADR 0020): every sentence said is
one of the evidence's. With a language model, the evidence is given as numbered sources with
the instruction not to go beyond them (``data/prompts/trend_script_v1.txt``); when every model
fails, the offline writer is used and a notice says so. Either way the description ends with
the links of the evidence ("Sources:"), so the post points at what the video is based on.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from video_orchestrator.domain.script import Script
from video_orchestrator.errors import ScriptError
from video_orchestrator.pipeline.llm_chain import failure_reason
from video_orchestrator.pipeline.prompts import prompt_sections
from video_orchestrator.pipeline.script import llm_report, script_from_answer, script_schema
from video_orchestrator.pipeline.script_writer import MAX_SCENES, MIN_SCENES, stop_words_for
from video_orchestrator.pipeline.source_script import (
    DUPLICATE_OVERLAP,
    SourceText,
    script_from_source,
)
from video_orchestrator.ports.llm import JsonRequest, LLMProvider, complete_metered
from video_orchestrator.text import content_words, one_line, shorten

PROMPT_VERSION = "trend_script_v1"
MAX_EVIDENCE = 12
DESCRIPTION_MAX = 2200
_ENDS = ".!?…\"'”’)"


@dataclass(frozen=True, slots=True)
class Evidence:
    title: str
    url: str
    publisher: str = ""
    summary: str = ""


@dataclass(frozen=True)
class TrendScript:
    script: Script
    source: str  # "source" (offline, the evidence's sentences) | "llm"
    llm: dict[str, Any] | None = None
    notice: str | None = None


def _sentence(text: str) -> str:
    text = one_line(text).strip()
    return text if not text or text[-1] in _ENDS else f"{text}."


def chosen(evidence: Sequence[Evidence]) -> list[Evidence]:
    """The evidence used: distinct titles, those with a summary first, at most twelve."""
    seen: set[str] = set()
    kept: list[Evidence] = []
    for item in sorted(evidence, key=lambda e: not e.summary):
        key = one_line(item.title).casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(item)
    return kept[:MAX_EVIDENCE]


def restated(headline: str, summary: str, language: str) -> bool:
    """Whether ``summary`` already says what ``headline`` says: the overlap the writer takes
    for a duplicate (``DUPLICATE_OVERLAP`` of the smaller one's content words)."""
    stop_words = stop_words_for(language)
    said = set(content_words(headline, stop_words))
    told = set(content_words(summary, stop_words))
    smaller = min(len(said), len(told))
    return smaller > 0 and len(said & told) >= DUPLICATE_OVERLAP * smaller


def evidence_source(title: str, evidence: Sequence[Evidence], language: str = "en") -> SourceText:
    """The evidence as material: one paragraph per item, its headline then its summary (the
    summary alone when it restates the headline: the writer would keep the short headline
    and drop the summary with the facts as its duplicate)."""
    paragraphs = [
        " ".join(
            p
            for p in (
                "" if e.summary and restated(e.title, e.summary, language) else _sentence(e.title),
                _sentence(e.summary),
            )
            if p
        )
        for e in chosen(evidence)
    ]
    origin = next((e.url for e in evidence if e.url), "the trend's evidence")
    return SourceText(text="\n\n".join(paragraphs), title=one_line(title) or None, origin=origin)


def links_block(evidence: Sequence[Evidence]) -> str:
    lines = []
    for item in chosen(evidence):
        who = item.publisher or urlsplit(item.url).hostname or "source"
        lines.append(f"- {shorten(one_line(who), 60)}: {item.url}")
    return "Sources:\n" + "\n".join(lines)


def with_links(script: Script, evidence: Sequence[Evidence]) -> Script:
    """The script whose description is its first line and the evidence's links."""
    links = links_block(evidence)
    lead = script.description.split("\n\n")[0].strip() or script.hook
    lead = shorten(lead, max(0, DESCRIPTION_MAX - len(links) - 2))
    description = f"{lead}\n\n{links}"[:DESCRIPTION_MAX]
    return script.model_copy(update={"description": description})


def request_for(
    title: str,
    evidence: Sequence[Evidence],
    *,
    language: str,
    target_seconds: int,
    words_per_minute: int,
) -> JsonRequest:
    sections = prompt_sections(PROMPT_VERSION)
    sources = "\n".join(
        f"[{number}] {one_line(e.title)}"
        + (f" — {shorten(one_line(e.summary), 600)}" if e.summary else "")
        + (f" ({e.publisher})" if e.publisher else "")
        for number, e in enumerate(chosen(evidence), start=1)
    )
    values = {
        "title": one_line(title),
        "sources": sources,
        "language": language,
        "target_seconds": str(target_seconds),
        "target_words": str(round(target_seconds * words_per_minute / 60)),
        "min_scenes": str(MIN_SCENES),
        "max_scenes": str(MAX_SCENES),
    }
    return JsonRequest(
        system=string.Template(sections["system"]).substitute(values),
        user=string.Template(sections["user"]).substitute(values),
        schema=script_schema(),
        schema_name="short_video_script",
        temperature=0.3,
        max_tokens=2000,
    )


def script_from_evidence(
    title: str,
    evidence: Sequence[Evidence],
    *,
    language: str = "en",
    target_seconds: int = 40,
    words_per_minute: int = 150,
    llm: LLMProvider | None = None,
) -> TrendScript:
    """A script about the trend ``title`` from ``evidence`` only, with its links."""
    if not evidence:
        raise ScriptError(f"the trend {title!r} has no evidence yet: poll its sources first")
    notice = None
    if llm is not None:
        request = request_for(
            title,
            evidence,
            language=language,
            target_seconds=target_seconds,
            words_per_minute=words_per_minute,
        )
        try:
            result = complete_metered(llm, request)
            script = script_from_answer(
                result.data, topic=shorten(one_line(title), 300), genre="facts", language=language
            )
            report = llm_report(result.usage, result.calls, result.failures)
            return TrendScript(with_links(script, evidence), "llm", report)
        except Exception as error:  # any failure of a (possibly third-party) model
            notice = (
                f"the language model failed ({failure_reason(error)}); the script is made "
                "of the evidence's own sentences instead"
            )
    material = evidence_source(title, evidence, language)
    try:
        script = script_from_source(
            material,
            language=language,
            target_seconds=target_seconds,
            words_per_minute=words_per_minute,
        )
    except ScriptError as error:
        raise ScriptError(
            f"the evidence of {title!r} is too thin for a script ({error}); wait for more "
            "sources to report it"
        ) from error
    return TrendScript(with_links(script, evidence), "source", None, notice)
