"""Interactive use cases behind the editor: generate or regenerate a project's script, hear a
voice, see a caption style on a frame. Previews are cached by content, so asking twice is free."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from video_orchestrator.domain.script import Script
from video_orchestrator.errors import InputError, NotFoundError
from video_orchestrator.pipeline.cache import cache_key
from video_orchestrator.pipeline.script import generate_script
from video_orchestrator.ports.text import distribute, tokenize
from video_orchestrator.ports.tts import SpeechRequest
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.make import video_format
from video_orchestrator.services.projects import ProjectOut, ProjectService, ProjectUpdate
from video_orchestrator.services.usage import UsageService
from video_orchestrator.spec import CaptionStyle, RenderSpec
from video_orchestrator.spec.model import (
    CaptionPosition,
    CaptionTrack,
    GeneratedClip,
    Output,
    Word,
)

CAPTION_STYLES = {
    "karaoke": "the spoken word lights up in the highlight colour",
    "pop": "one word at a time, popping in",
    "clean": "two plain lines, no animation",
}
PREVIEW_TEXT = "Did you know octopuses have three hearts?"
MAX_PREVIEW_CHARS = 400


@dataclass(frozen=True)
class ScriptOutcome:
    project: ProjectOut
    source: str
    notice: str | None


class Studio:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.projects = ProjectService(ctx.db)

    def _new_script(
        self, project: ProjectOut, seed: int | None, purpose: str = "script"
    ) -> tuple[Script, str, str | None]:
        if not project.topic.strip():
            raise InputError("the project has no topic: set one before generating a script")
        target = project.target_seconds or self.ctx.preset(project.platforms[0]).ideal_seconds
        if seed is not None and self.ctx.llm is None:
            script = self.ctx.writer.write(
                project.topic,
                project.genre,
                language=project.language,
                target_seconds=target,
                seed=seed,
            )
            return script, "template", None
        result = generate_script(
            project.topic,
            project.genre,
            language=project.language,
            target_seconds=target,
            llm=self.ctx.llm,
            writer=self.ctx.writer,
        )
        UsageService(self.ctx.db).record(project.id, result.llm, purpose=purpose)
        return result.script, result.source, result.notice

    def generate_script(self, project_id: str, version: int) -> ScriptOutcome:
        """A new script for the project's topic, saved on the project."""
        project = self.projects.get(project_id)
        seed = random.randrange(1 << 30) if project.script is not None else None
        script, source, notice = self._new_script(project, seed)
        saved = self.projects.update(project_id, ProjectUpdate(version=version, script=script))
        return ScriptOutcome(saved, source, notice)

    def regenerate_scene(self, project_id: str, index: int, version: int) -> ScriptOutcome:
        """Scene ``index`` (0-based) written afresh; the rest of the script is kept."""
        project = self.projects.get(project_id)
        if project.script is None:
            raise InputError("the project has no script yet: generate one first")
        if not 0 <= index < len(project.script.scenes):
            raise InputError(
                f"scene {index} does not exist: the script has scenes 0 to "
                f"{len(project.script.scenes) - 1}"
            )
        old = project.script.scenes[index]
        fresh, source, notice = self._new_script(project, random.randrange(1 << 30), "scene")
        candidates = [s for s in fresh.scenes if s.narration != old.narration] or fresh.scenes
        scene = candidates[min(index, len(candidates) - 1)]
        scenes = list(project.script.scenes)
        scenes[index] = scene
        script = project.script.model_copy(update={"scenes": scenes})
        saved = self.projects.update(project_id, ProjectUpdate(version=version, script=script))
        return ScriptOutcome(saved, source, notice)

    def voice_preview(
        self, voice: str, text: str | None = None, *, speed: float = 1.0, language: str = "en"
    ) -> Path:
        """A WAV of ``voice`` saying ``text`` (default: a sample sentence)."""
        text = (text or PREVIEW_TEXT).strip()
        if not text:
            raise InputError("give some text to speak")
        if len(text) > MAX_PREVIEW_CHARS:
            raise InputError(f"a preview speaks at most {MAX_PREVIEW_CHARS} characters")
        if not 0.5 <= speed <= 2.0:
            raise InputError("speed must be between 0.5 and 2.0")
        provider = voice.partition(":")[0] if ":" in voice else None
        if provider is not None and provider not in self.ctx.tts_names():
            raise NotFoundError(
                f"no voice provider {provider!r}; there are: {', '.join(self.ctx.tts_names())}"
            )
        tts = self.ctx.tts_for_voice(voice)
        voice_id = voice.partition(":")[2] if ":" in voice else voice
        request = SpeechRequest(text=text, voice=voice_id, speed=speed, language=language)
        key = cache_key("voice-preview", {"provider": tts.name, **request.cache_key_parts()})
        target = self.ctx.settings.cache_dir / "previews" / f"{key}.wav"
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            tts.synthesize(request, target)
        return target

    def caption_preview(
        self, style: str, platform: str, text: str | None = None, *, size: int | None = None
    ) -> Path:
        """A JPEG frame of ``style`` captions over a generated background, made by the real
        renderer, at the moment the third word is spoken."""
        if style not in CAPTION_STYLES:
            raise InputError(
                f"unknown caption style {style!r}; choose one of: {', '.join(CAPTION_STYLES)}"
            )
        text = (text or PREVIEW_TEXT).strip()[:MAX_PREVIEW_CHARS]
        if not text:
            raise InputError("give some caption text")
        preset = self.ctx.preset(platform)
        fmt = video_format(preset)
        fps = fmt.fps
        words = tokenize(text, "en")
        timings = distribute(words, 0.2, 0.2 + 0.4 * len(words))
        duration = int((timings[-1].end + 0.5) * fps) + 1
        caption_style = CaptionStyle(preset=style, **({"size": size} if size else {}))
        spec = RenderSpec(
            output=Output(width=fmt.width, height=fmt.height, fps=fps),
            clips=[GeneratedClip(duration=duration, pattern="aurora")],
            captions=CaptionTrack(
                words=[
                    Word(
                        text=t.text,
                        start=round(t.start * fps),
                        end=max(round(t.end * fps), round(t.start * fps) + 1),
                        sentence_end=t.sentence_end,
                    )
                    for t in timings
                ],
                style=caption_style,
                position=CaptionPosition(safe=fmt.safe, anchor="bottom"),
            ),
        )
        at = round((timings[min(2, len(timings) - 1)].start + 0.05) * fps)
        key = cache_key("caption-preview", {"spec": spec.model_dump(mode="json"), "at": at})
        target = self.ctx.settings.cache_dir / "previews" / f"{key}.jpg"
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            self.ctx.renderer.render_still(spec, at, target)
        return target
