"""Use case: alternative hooks for a topic or a script, scored for one platform."""

from __future__ import annotations

from dataclasses import dataclass

from video_orchestrator.errors import ScriptError
from video_orchestrator.pipeline.hooks import (
    MAX_COUNT,
    MIN_COUNT,
    HookLibrary,
    HooksResult,
    hook_context,
)
from video_orchestrator.pipeline.hooks import generate_hooks as _generate
from video_orchestrator.pipeline.script_import import script_from_text
from video_orchestrator.pipeline.script_writer import clean_topic
from video_orchestrator.services.context import AppContext

__all__ = ["DEFAULT_COUNT", "HooksRequest", "HooksResult", "generate_hooks"]

DEFAULT_COUNT = 8


@dataclass(frozen=True)
class HooksRequest:
    """A topic, or a script's text (plain text or script JSON), and the platform to score for."""

    topic: str | None = None
    script_text: str | None = None
    platform: str = "tiktok"
    count: int = DEFAULT_COUNT
    language: str = "en"


def generate_hooks(
    ctx: AppContext, request: HooksRequest, *, library: HookLibrary | None = None
) -> HooksResult:
    """``count`` hooks, best first, from the configured language model or the templates;
    the script's own hook is scored too (``current``). ``library``: the hook library to
    score with (the workspace's learned weights, ADR 0044); default the shipped one."""
    if not MIN_COUNT <= request.count <= MAX_COUNT:
        raise ScriptError(f"--count must be {MIN_COUNT} to {MAX_COUNT}, not {request.count}")
    preset = ctx.preset(request.platform)
    if request.script_text is not None:
        script = script_from_text(
            request.script_text, topic=request.topic, language=request.language
        )
        context = hook_context(
            script.topic, script, preset, language=script.language, library=library
        )
        current: str | None = script.hook
    else:
        if request.topic is None:
            raise ScriptError("say what the hooks are for: --topic TEXT or --script FILE")
        topic = clean_topic(request.topic)
        context = hook_context(topic, None, preset, language=request.language, library=library)
        current = None
    return _generate(context, count=request.count, llm=ctx.llm, library=library, current=current)
