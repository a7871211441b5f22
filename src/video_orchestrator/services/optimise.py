"""Use case: platform optimisation of a script — explained suggestions, and applying them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from video_orchestrator.atomic import write_text as atomic_write
from video_orchestrator.domain.script import Script
from video_orchestrator.errors import InputError
from video_orchestrator.pipeline.hooks import HookLibrary
from video_orchestrator.pipeline.optimise import (
    MAX_SPEED,
    MIN_SPEED,
    Applied,
    OptimiseInput,
    PostMetadata,
    Suggestion,
    analyse,
    apply,
    post_metadata,
)
from video_orchestrator.pipeline.script_import import script_from_text
from video_orchestrator.platforms import PlatformPreset
from video_orchestrator.services.context import AppContext
from video_orchestrator.spec.vocabulary import CAPTION_PRESETS


@dataclass(frozen=True)
class OptimiseRequest:
    """A script's text (plain text or script JSON) as ``vo make`` would make it."""

    script_text: str
    platform: str = "tiktok"
    speed: float = 1.0
    caption_style: str = "karaoke"
    topic: str | None = None
    language: str = "en"


@dataclass(frozen=True)
class OptimiseReport:
    preset: PlatformPreset
    script: Script
    speed: float
    caption_style: str
    base_wpm: int
    suggestions: list[Suggestion]
    metadata: PostMetadata
    applied: Applied | None = None

    @property
    def wpm(self) -> float:
        return self.base_wpm * self.speed

    @property
    def final_metadata(self) -> PostMetadata:
        """The post text of the optimised script when applied, else of the script."""
        if self.applied is not None:
            return post_metadata(self.applied.script, self.preset)
        return self.metadata

    @property
    def seconds(self) -> float:
        return self.script.word_count() * 60.0 / self.wpm

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "platform": self.preset.name,
            "words": self.script.word_count(),
            "speed": self.speed,
            "wpm": round(self.wpm),
            "estimated_seconds": round(self.seconds, 1),
            "suggestions": [s.to_dict() for s in self.suggestions],
            "metadata": self.metadata.to_dict(),
        }
        if self.applied is not None:
            applied = self.applied
            result["applied"] = {
                "changes": [c.to_dict() for c in applied.changes],
                "settings": {
                    "platform": self.preset.name,
                    "speed": applied.speed,
                    "caption_style": applied.caption_style,
                },
                "remaining": [s.to_dict() for s in applied.remaining],
                "metadata": self.final_metadata.to_dict(),
                "script": applied.script.model_dump(mode="json"),
            }
        return result


def check_request(request: OptimiseRequest) -> None:
    if not MIN_SPEED <= request.speed <= MAX_SPEED:
        raise InputError(
            f"--speed {request.speed:g} is out of range: use {MIN_SPEED} to {MAX_SPEED}"
        )
    styles = CAPTION_PRESETS
    if request.caption_style not in styles:
        raise InputError(
            f"unknown caption style {request.caption_style!r}; choose one of: {', '.join(styles)}"
        )


def optimise(
    ctx: AppContext,
    request: OptimiseRequest,
    *,
    apply_changes: bool = False,
    hook_library: HookLibrary | None = None,
) -> OptimiseReport:
    """The suggestions for the script on the platform; with ``apply_changes``, also the
    optimised script and settings. ``hook_library``: the hook library the hook is scored
    with (the workspace's learned weights, ADR 0044); default the shipped one."""
    check_request(request)
    preset = ctx.preset(request.platform)
    script = script_from_text(request.script_text, topic=request.topic, language=request.language)
    inp = OptimiseInput(
        script=script,
        preset=preset,
        speed=request.speed,
        base_wpm=ctx.words_per_minute,
        caption_style=request.caption_style,
        hook_library=hook_library,
    )
    return OptimiseReport(
        preset=preset,
        script=script,
        speed=request.speed,
        caption_style=request.caption_style,
        base_wpm=inp.base_wpm,
        suggestions=analyse(inp),
        metadata=post_metadata(script, preset),
        applied=apply(inp) if apply_changes else None,
    )


def write_script(path: Path, script: Script) -> Path:
    """Write ``script`` as script JSON (readable by ``vo make --script``), atomically."""
    if path.suffix.lower() != ".json":
        raise InputError(f"the output must be a .json path, not {path}")
    text = json.dumps(script.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    try:
        atomic_write(path, text)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path
