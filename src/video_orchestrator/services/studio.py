"""Interactive use cases behind the editor: generate or regenerate a project's script, hear a
voice, see a caption style on a frame. Previews are cached by content, so asking twice is free."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from video_orchestrator.domain.script import Script
from video_orchestrator.errors import InputError, NotFoundError, ScriptError
from video_orchestrator.pipeline.build_spec import caption_track, loudness, music_bed, sound_effect
from video_orchestrator.pipeline.cache import cache_key
from video_orchestrator.pipeline.script import generate_script
from video_orchestrator.pipeline.source_script import read_source, script_from_source
from video_orchestrator.ports.tts import SpeechRequest
from video_orchestrator.render.ffmpeg import run_ffmpeg
from video_orchestrator.render.probe import probe
from video_orchestrator.services.assets import AssetService
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.languages import script_language
from video_orchestrator.services.make import made_effect, made_music, video_format
from video_orchestrator.services.projects import ProjectOut, ProjectService, ProjectUpdate
from video_orchestrator.services.sources import MAX_SOURCE_BYTES, is_url, load_source
from video_orchestrator.services.usage import UsageService
from video_orchestrator.spec import RenderSpec
from video_orchestrator.spec.caption_styles import CAPTION_STYLE_DESCRIPTIONS
from video_orchestrator.spec.model import (
    AudioTracks,
    ColourClip,
    GeneratedClip,
    Output,
    VoiceTrack,
    Word,
)
from video_orchestrator.spec.options import CaptionSettings
from video_orchestrator.spec.vocabulary import SPEED, CaptionPreset
from video_orchestrator.text import distribute, tokenize

#: Every caption style and its description, from the one style table (ADR 0022).
CAPTION_STYLES: Mapping[CaptionPreset, str] = CAPTION_STYLE_DESCRIPTIONS
PREVIEW_TEXT = "Did you know octopuses have three hearts?"
MAX_PREVIEW_CHARS = 400
#: Seconds into the previewed word: past every style's entrance (≤ 0.15 s), before its end (0.4 s).
PREVIEW_SETTLED = 0.2
#: The mixed-audio preview: music alone for a moment, the hook over it, the sound effect after.
MIX_LEAD_IN = 1.0  # seconds of music before the voice starts
MIX_TAIL = 2.5  # seconds after the voice: the music comes back up, the effect sounds
MIX_MIN_SECONDS = 6.0
MIX_MAX_SECONDS = 12.0
MIX_FPS = 10  # the preview's (discarded) picture: tiny and cheap
MIX_TEXT_CHARS = 160  # about ten seconds of speech at most


def cut_text(text: str, limit: int = MAX_PREVIEW_CHARS) -> tuple[str, bool]:
    """``text`` cut to at most ``limit`` characters at a word boundary; and whether it was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text, False
    head = text[: limit + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else head[:limit]
    return cut[:limit].rstrip(" ,;:-"), True


@dataclass(frozen=True)
class ScriptDraft:
    script: Script
    source: str
    notice: str | None


@dataclass(frozen=True)
class ScriptOutcome:
    project: ProjectOut
    source: str
    notice: str | None


class Studio:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.projects = ProjectService(ctx.db)
        self.assets = AssetService(ctx.db, ctx.files)

    def _new_script(
        self, project: ProjectOut, purpose: str = "script", scenes: int | None = None
    ) -> tuple[Script, str, str | None]:
        if not project.topic.strip():
            raise InputError("the project has no topic: set one before generating a script")
        target = project.target_seconds or self.ctx.preset(project.platforms[0]).ideal_seconds
        # no language model: NoScriptWriter, with what to do (import text, Settings)
        result = generate_script(
            project.topic,
            project.genre,
            language=project.language,
            target_seconds=target,
            llm=self.ctx.llm,
            words_per_minute=self.ctx.words_per_minute,
            scenes=scenes,
        )
        UsageService(self.ctx.db).record(project.id, result.llm, purpose=purpose)
        return result.script, result.source, result.notice

    def generate_script(
        self, project_id: str, version: int, *, scenes: int | None = None
    ) -> ScriptOutcome:
        """A new script for the project's topic (of exactly ``scenes`` scenes when given),
        saved on the project."""
        draft = self.write_script(project_id, scenes=scenes)
        saved = self.projects.update(
            project_id, ProjectUpdate(version=version, script=draft.script)
        )
        return ScriptOutcome(saved, draft.source, draft.notice)

    def write_script(self, project_id: str, *, scenes: int | None = None) -> ScriptDraft:
        """A new script for the project's topic, not saved: the studio saves it with the
        version its page holds, unless the user cancelled while the model was writing."""
        project = self.projects.get(project_id)
        script, source, notice = self._new_script(project, scenes=scenes)
        return ScriptDraft(script, source, notice)

    def material_script(
        self,
        material: str,
        *,
        language: str = "en",
        target_seconds: int | None = None,
        data: bytes | None = None,
        filename: str | None = None,
    ) -> Script:
        """A script made offline from the user's material (ADR 0020): pasted text, an
        http(s) URL (fetched with the import limits), or an uploaded file's bytes."""
        if data is not None:
            if len(data) > MAX_SOURCE_BYTES:
                raise ScriptError(
                    f"{filename or 'the file'} is over {MAX_SOURCE_BYTES // 1_000_000} MB"
                )
            source = read_source(data, origin=filename or "the uploaded file")
        elif is_url(material):
            source = load_source(material, self.ctx.settings)
        elif len(material.encode("utf-8")) > MAX_SOURCE_BYTES:
            raise ScriptError(
                f"the text is over {MAX_SOURCE_BYTES // 1_000_000} MB: paste a shorter one"
            )
        else:
            source = read_source(material, origin="the pasted text")
        return script_from_source(source, language=language, target_seconds=target_seconds or 40)

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
        fresh, source, notice = self._new_script(project, "scene")
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
        if speed not in SPEED:
            raise InputError(f"speed must be between {SPEED.low} and {SPEED.high}")
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
        self,
        captions: CaptionSettings,
        platform: str,
        text: str | None = None,
        *,
        language: str | None = None,
    ) -> Path:
        """A JPEG frame of a project's ``captions`` over a generated background, made by the
        real renderer with the captions a render builds (``caption_track``), while the
        third word is spoken (its animation settled). ``language`` (default: the text's,
        detected) decides how the words are cut and joined."""
        text = (text or PREVIEW_TEXT).strip()[:MAX_PREVIEW_CHARS]
        if not text:
            raise InputError("give some caption text")
        language = language or script_language(text) or "en"
        preset = self.ctx.preset(platform)
        fmt = video_format(preset)
        fps = fmt.fps
        tokens = tokenize(text, language)
        timings = distribute(tokens, 0.2, 0.2 + 0.4 * len(tokens))
        duration = int((timings[-1].end + 0.5) * fps) + 1
        words = [
            Word(
                text=t.text,
                start=round(t.start * fps),
                end=max(round(t.end * fps), round(t.start * fps) + 1),
                sentence_end=t.sentence_end,
            )
            for t in timings
        ]
        spec = RenderSpec(
            output=Output(width=fmt.width, height=fmt.height, fps=fps),
            clips=[GeneratedClip(duration=duration, pattern="aurora")],
            captions=caption_track(words, captions, fmt, language),
        )
        # Mid-word: an animated style (a pop, a sweep, a slam) has settled by then.
        at = round((timings[min(2, len(timings) - 1)].start + PREVIEW_SETTLED) * fps)
        key = cache_key("caption-preview", {"spec": spec.model_dump(mode="json"), "at": at})
        target = self.ctx.settings.cache_dir / "previews" / f"{key}.jpg"
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            self.ctx.renderer.render_still(spec, at, target)
        return target

    def audio_preview(self, project_id: str) -> Path:
        """An M4A (AAC) of about ten seconds of the project's mix, made by the real renderer:
        a moment of music, then the hook in the project's voice and speed with the music
        ducked under it as set, the sound effect just after, all levelled to the project's
        loudness target. Cached by content: the same settings give the same file at once."""
        project = self.projects.get(project_id)
        script = project.script
        spoken = (
            script.hook or (script.scenes[0].narration if script.scenes else "")
            if script is not None
            else ""
        )
        text, _ = cut_text(spoken or PREVIEW_TEXT, MIX_TEXT_CHARS)
        voice = project.voice.voice or self.ctx.settings.default_voice
        speech = self.voice_preview(
            voice, text, speed=project.voice.speed, language=project.language
        )
        voice_seconds = probe(speech).duration or 0.0
        seconds = min(max(MIX_LEAD_IN + voice_seconds + MIX_TAIL, MIX_MIN_SECONDS), MIX_MAX_SECONDS)
        fps = MIX_FPS
        frames = round(seconds * fps)
        audio = project.audio
        preset = self.ctx.preset(project.platforms[0])
        fmt = video_format(preset)
        made = made_music(self.ctx, audio, project.genre)  # the project's own bed, if any
        bed_path = (
            str(self.assets.local_path(audio.music_asset))
            if audio.music_asset
            else (str(made.path) if made is not None else None)
        )
        music = (
            music_bed(bed_path, audio, fade_in=round(0.3 * fps), fade_out=round(1.0 * fps))
            if bed_path
            else None
        )
        effect_at = min(round((MIX_LEAD_IN + voice_seconds + 0.3) * fps), frames - round(fps))
        made_sfx = made_effect(self.ctx, audio)
        sfx_path = (
            str(self.assets.local_path(audio.sfx_asset))
            if audio.sfx_asset
            else (str(made_sfx.path) if made_sfx is not None else None)
        )
        effects = [sound_effect(sfx_path, max(effect_at, 0), audio)] if sfx_path else []
        spec = RenderSpec(
            output=Output(
                width=144,
                height=256,
                fps=fps,
                preset="ultrafast",
                crf=40,
                max_bitrate_kbps=None,
                audio_bitrate_kbps=fmt.audio_bitrate_kbps,
                loudness=loudness(fmt, audio),
            ),
            clips=[ColourClip(duration=frames)],
            audio=AudioTracks(
                voice=VoiceTrack(path=str(speech), start=round(MIX_LEAD_IN * fps)),
                music=music,
                effects=effects,
            ),
        )
        key = cache_key("audio-preview", {"spec": spec.model_dump(mode="json")})
        folder = self.ctx.settings.cache_dir / "previews"
        target_path = folder / f"{key}.m4a"
        if target_path.is_file():
            return target_path
        folder.mkdir(parents=True, exist_ok=True)
        work = uuid.uuid4().hex[:8]
        video = folder / f".{key}.{work}.mp4"
        partial = folder / f".{key}.{work}.partial.m4a"
        try:
            self.ctx.renderer.render(spec, video)
            run_ffmpeg(
                [
                    *(self.ctx.ffmpeg, "-hide_banner", "-nostdin", "-y", "-i", str(video)),
                    *("-map", "0:a:0", "-vn", "-c:a", "copy", "-movflags", "+faststart"),
                    *("-f", "ipod", str(partial)),
                ]
            )
            os.replace(partial, target_path)
        finally:
            for leftover in (video, partial):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        return target_path
