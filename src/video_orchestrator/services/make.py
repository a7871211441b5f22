"""Use case: topic, material or script → a platform-ready short, its thumbnail, captions, metadata.

Steps: script → voice → media → spec → render → export. Each step reports progress; the
voice and media steps are cached, so a second run that only changes the caption style
re-renders without synthesising the voice again.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from video_orchestrator.atomic import write_text as atomic_write
from video_orchestrator.domain.script import Genre, Script
from video_orchestrator.errors import (
    ConfigError,
    MediaError,
    ProviderError,
    ScriptError,
    VoiceLanguageMismatch,
    VoiceNotFoundError,
)
from video_orchestrator.languages import name_of, primary
from video_orchestrator.languages.slug import slugify
from video_orchestrator.pipeline.build_spec import (
    VideoFormat,
    build_spec,
    cover_words,
    draft_spec,
    illustration_size,
    thumbnail_spec,
)
from video_orchestrator.pipeline.cache import cache_key
from video_orchestrator.pipeline.images import generated_pictures
from video_orchestrator.pipeline.media import (
    MediaItem,
    add_follow_ups,
    assign_media,
    prepare_image,
    scan_media,
    scene_media,
)
from video_orchestrator.pipeline.scene_look import OPENMOJI_CREDIT, scene_illustrations
from video_orchestrator.pipeline.script import generate_script
from video_orchestrator.pipeline.script_import import script_from_text
from video_orchestrator.pipeline.sounds import SoundFile, find_bed, find_effect, sound_file
from video_orchestrator.pipeline.source_script import SourceText, script_from_source
from video_orchestrator.pipeline.stock import (
    Backgrounds,
    scene_seconds,
    stock_backgrounds,
    stock_for_open_scenes,
)
from video_orchestrator.pipeline.voice import Narration, narrate
from video_orchestrator.platforms import PlatformPreset
from video_orchestrator.ports.images import ImagePrompt
from video_orchestrator.ports.tts import TTSProvider, VoicePreloader
from video_orchestrator.render.ffmpeg import Progress
from video_orchestrator.render.fonts import check_coverage
from video_orchestrator.render.probe import probe
from video_orchestrator.render.sidecars import to_srt, to_vtt
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.languages import script_language, topic_language
from video_orchestrator.services.progress import Reporter
from video_orchestrator.services.render_speed import RenderSpeed
from video_orchestrator.services.voices import (
    install_hint,
    mismatch_message,
    recommended_voice,
    voice_for_language,
)
from video_orchestrator.spec import Box, RenderSpec
from video_orchestrator.spec.captions import group_words
from video_orchestrator.spec.options import AudioSettings, VideoOptions
from video_orchestrator.spec.vocabulary import SPEED, mood_for

WORDS_PER_SECOND = 2.5  # a typical narration pace, only for the early length estimate


@dataclass(frozen=True)
class MakeRequest:
    """One run: what the video is about, where its files are, and the user's settings."""

    topic: str | None = None
    script_text: str | None = None
    #: The user's material (a file path or an http(s) URL): the script is made offline from
    #: its sentences (ADR 0020).
    source: str | None = None
    genre: Genre = "facts"
    target_seconds: int | None = None
    #: Everything the user set about the video (voice, captions, background, audio, export,
    #: platform, language); the asset ids in it are not read here: the caller resolves them
    #: to the files below.
    options: VideoOptions = field(default_factory=VideoOptions)
    media_dir: Path | None = None
    # Each scene's background exactly, in scene order (a stored project's choice): entry i
    # is scene i's clip or picture; None, or no entry, is a generated background, or stock
    # footage when stock is on (stock fills only those scenes). No matching by name, no
    # reuse; media_dir is then not used. None: media_dir's files matched to the scenes.
    scene_media: tuple[Path | None, ...] | None = None
    # The user's own music bed's file; None: the bed ``options.audio.music`` says (made by
    # the sound library, picked by genre for "auto"), or none.
    music: Path | None = None
    # The user's own sound played as each scene after the first begins; None: the made
    # effect ``options.audio.sfx`` names, or none.
    sfx: Path | None = None
    out: Path = Path("out")
    stock: bool | None = None  # stock footage: None = when VO_STOCK_PROVIDERS is set
    #: The script's language is detected from its text (``options.language`` is then only
    #: the fallback for a text too short to tell); False: ``options.language`` as given
    #: (``--lang``, a project's setting).
    detect_language: bool = False
    #: Speak with ``options.voice.voice`` even when it speaks another language (ADR 0031).
    allow_voice_language_mismatch: bool = False
    #: A draft preview this many pixels high (ultrafast, every size scaled): the same cut,
    #: backgrounds and captions as the final render, made in a fraction of its time.
    draft_height: int | None = None

    # the settings the steps read most, by their short names
    @property
    def platform(self) -> str:
        return self.options.platform

    @property
    def language(self) -> str:
        return self.options.language

    @property
    def voice(self) -> str | None:
        return self.options.voice.voice

    @property
    def speed(self) -> float:
        return self.options.voice.speed

    @property
    def trim(self) -> bool:
        return self.options.export.trim


@dataclass(frozen=True)
class MakeResult:
    """Everything a run produced: its files, and what it used and reported on the way."""

    video: Path
    thumbnail: Path
    metadata: Path
    srt: Path
    vtt: Path
    spec: Path
    duration: float
    script_source: str
    notices: tuple[str, ...] = field(default_factory=tuple)  # every notice of the run, in order
    credits: tuple[str, ...] = field(default_factory=tuple)  # one line per stock clip used
    llm_usage: dict[str, Any] | None = None  # which language model wrote, tokens, cost
    voice: dict[str, str] | None = None  # which provider and voice spoke
    voice_fallback: str | None = None  # why the requested voice was replaced, when it was


@dataclass(frozen=True)
class VoiceChoice:
    """The provider and voice a run speaks with; ``fallback`` says why the requested voice
    was replaced by the local one (None when it was not), ``notice`` what is still to be told
    at the voice step."""

    tts: TTSProvider
    voice_id: str
    fallback: str | None = None
    notice: str | None = None
    #: The language the voice reads the text in, when it is not the script's (a mismatch
    #: the user allowed): a voice speaks only its own language.
    speaks: str | None = None


class _Recording:
    """A reporter that passes everything on and keeps the notices for the result."""

    def __init__(self, reporter: Reporter) -> None:
        self._reporter = reporter
        self.notices: list[str] = []

    def step(self, key: str, label: str) -> None:
        self._reporter.step(key, label)

    def progress(self, key: str, fraction: float) -> None:
        self._reporter.progress(key, fraction)

    def notice(self, message: str) -> None:
        self.notices.append(message)
        self._reporter.notice(message)

    def expect(self, key: str, seconds: float) -> None:
        self._reporter.expect(key, seconds)


def output_paths(out: Path, title: str) -> dict[str, Path]:
    """``out`` is a directory (files named after the title) or a ``.mp4`` path."""
    base = out.with_suffix("") if out.suffix.lower() == ".mp4" else out / slugify(title)
    return {
        "video": base.with_suffix(".mp4"),
        "thumbnail": base.with_suffix(".jpg"),
        "metadata": base.with_suffix(".json"),
        "srt": base.with_suffix(".srt"),
        "vtt": base.with_suffix(".vtt"),
        "spec": base.parent / f"{base.name}.spec.json",
    }


def _with_language(request: MakeRequest, language: str) -> MakeRequest:
    return replace(request, options=request.options.model_copy(update={"language": language}))


def video_format(preset: PlatformPreset) -> VideoFormat:
    safe = preset.safe_zone
    return VideoFormat(
        width=preset.width,
        height=preset.height,
        fps=preset.fps,
        max_bitrate_kbps=preset.target_bitrate_kbps,
        safe=Box(top=safe.top, bottom=safe.bottom, left=safe.left, right=safe.right),
        loudness_lufs=preset.loudness_lufs,
        true_peak_db=preset.true_peak_db,
        audio_bitrate_kbps=preset.audio.bitrate_kbps or 192,
    )


def made_music(ctx: AppContext, audio: AudioSettings, genre: str) -> SoundFile | None:
    """The music bed the sound library makes for ``audio`` (its mood, or the genre's for
    "auto"), as a cached file; None for "none" or when the user's own music is chosen."""
    if audio.music_asset is not None:
        return None
    mood = mood_for(audio.music, genre)
    if mood is None:
        return None
    return sound_file(ctx.sounds, find_bed(ctx.sounds, mood), ctx.cache)


def made_effect(ctx: AppContext, audio: AudioSettings) -> SoundFile | None:
    """The scene-change effect the sound library makes for ``audio.sfx``, or None."""
    if audio.sfx_asset is not None or audio.sfx is None:
        return None
    return sound_file(ctx.sounds, find_effect(ctx.sounds, audio.sfx), ctx.cache)


def _last_resort(tts: TTSProvider) -> bool:
    """A configured local voice does not fall back: it is what others fall back to."""
    return tts.kind == "local" and tts.configured


def _cloud_problem(tts: TTSProvider) -> str | None:
    """Why a cloud/optional voice provider cannot serve (not configured, unreachable)."""
    if _last_resort(tts):
        return None
    if not tts.configured:
        # An optional local voice says what to install (the Japanese voice: the ja extra).
        why = tts.last_error if tts.kind == "local" and tts.last_error else "see README, Voices"
        return f"{tts.name} is not configured ({why})"
    if tts.last_error:
        return f"{tts.name} voices are unavailable ({tts.last_error})"
    return None


@dataclass(frozen=True)
class _Run:
    """What a run used on the way to its files, carried to the export step."""

    source: str
    llm_usage: dict[str, Any] | None
    voice: dict[str, str]
    voice_fallback: str | None
    credits: tuple[dict[str, object], ...]
    source_text: SourceText | None = None  # the material the script was made from


class MakeVideo:
    """The ``vo make`` use case; it keeps nothing of a run (one object can serve many runs,
    at once too): everything a run produced is in its ``MakeResult``."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def write_script(self, request: MakeRequest, reporter: Reporter) -> tuple[MakeRequest, Script]:
        """The script step alone (``vo make --langs``: one script, then its language
        versions): the request in the script's language, and the script."""
        if request.script_text is not None:
            self._check_fonts(request.script_text)
        material = self._material(request)
        request = self._follow_language(request, material, reporter)
        preset = self.ctx.preset(request.platform)
        script, _, _, _ = self._script(request, preset, reporter, material)
        return request, script

    # -- steps ------------------------------------------------------------------------------

    def _material(self, request: MakeRequest) -> SourceText | None:
        """The user's material, read once (its language is detected from it)."""
        if request.script_text is not None or request.source is None:
            return None
        from video_orchestrator.services.sources import load_source

        return load_source(request.source, self.ctx.settings)

    def _follow_language(
        self, request: MakeRequest, material: SourceText | None, reporter: Reporter
    ) -> MakeRequest:
        """``request`` in the language its script is written in, when it is to be detected
        (ADR 0031): the user's script, material or topic decides; a text too short or too
        mixed to tell keeps ``options.language``."""
        if not request.detect_language:
            return request
        fallback = request.language
        found: str | None
        if request.script_text is not None:
            found = script_language(request.script_text)
        elif material is not None:
            found = script_language(material.text)
        else:  # a few words of a topic: only a sure answer counts
            found = topic_language(request.topic or "")
        if found is None:
            if request.script_text is not None or material is not None:
                reporter.notice(
                    f"could not tell the script's language; using {name_of(fallback)} "
                    "(say which with --lang)"
                )
            return request
        if primary(found) != primary(fallback):  # English, the default, goes unsaid
            reporter.notice(f"the script is {name_of(found)} (detected; --lang sets another)")
        return _with_language(request, found)

    def _script(
        self,
        request: MakeRequest,
        preset: PlatformPreset,
        reporter: Reporter,
        material: SourceText | None = None,
    ) -> tuple[Script, str, dict[str, Any] | None, SourceText | None]:
        """The script, where it came from, the language model's usage (metadata "llm") and
        the material it was made from."""
        reporter.step("script", "Writing the script")
        if request.script_text is not None:
            script = script_from_text(
                request.script_text, topic=request.topic, language=request.language
            )
            return script, "user", None, None
        target = request.target_seconds or preset.ideal_seconds
        if request.source is not None:
            from video_orchestrator.services.sources import load_source

            source = material or load_source(request.source, self.ctx.settings)
            script = script_from_source(
                source,
                genre=request.genre,
                language=request.language,
                target_seconds=target,
                words_per_minute=self.ctx.words_per_minute,
            )
            reporter.progress("script", 1.0)
            return script, "source", None, source
        topic = (request.topic or "").strip()
        if not topic:
            raise ScriptError(
                "the topic is empty: give --topic TEXT, --from FILE_OR_URL or --script FILE"
            )
        result = generate_script(
            topic,
            request.genre,
            language=request.language,
            target_seconds=target,
            llm=self.ctx.llm,
            words_per_minute=self.ctx.words_per_minute,
        )
        if result.notice:
            reporter.notice(result.notice)
        reporter.progress("script", 1.0)
        return result.script, result.source, result.llm, None

    def _check_length_estimate(
        self, script: Script, request: MakeRequest, preset: PlatformPreset
    ) -> Script:
        estimate = script.word_count() / (WORDS_PER_SECOND * request.speed)
        if estimate <= preset.max_seconds * 1.5 or request.trim:
            return script
        raise ScriptError(
            f"the script has {script.word_count()} words, about {estimate:.0f} s of speech, but "
            f"{preset.name} allows at most {preset.max_seconds:.0f} s: shorten it or pass --trim"
        )

    def _check_fonts(self, text: str) -> None:
        """Every character shown (captions are upper-cased) has a glyph in an installed font."""
        check_coverage(f"{text} {text.upper()}", self.ctx.fonts)

    def _resolve_voice(self, request: MakeRequest) -> VoiceChoice:
        """The provider and voice id to speak with, checked before any work is done: the
        voice asked for, or the one that speaks the script's language (ADR 0031)."""
        if request.voice is None:
            default = self.ctx.settings.default_voice
            if ":" in default and (problem := _cloud_problem(self.ctx.tts_for_voice(default))):
                return self._fallback_voice(request, problem)  # says why, then speaks
            chosen = voice_for_language(self.ctx, request.language)
            return VoiceChoice(chosen.tts, chosen.voice.id)
        voice_id = request.voice
        tts = self.ctx.tts_for_voice(voice_id)
        voice_id = voice_id.partition(":")[2] if ":" in voice_id else voice_id
        voices = {v.id: v for v in tts.voices()}
        if voice_id not in voices and (problem := _cloud_problem(tts)):
            return self._fallback_voice(request, problem)
        if voice_id not in voices:
            installed = ", ".join(sorted(voices)) or "none"
            raise VoiceNotFoundError(
                f"the voice {voice_id!r} is not installed (installed: {installed}); "
                "run `vo voices` to list voices"
            )
        voice = voices[voice_id]
        if not voice.speaks(request.language):
            if request.allow_voice_language_mismatch:
                notice = (
                    f"the voice {voice_id} speaks {name_of(voice.language)}, not the script's "
                    f"{name_of(request.language)}: used as asked (--allow-voice-language-mismatch)"
                )
                return VoiceChoice(tts, voice_id, notice=notice, speaks=voice.language)
            try:
                alternative: str | None = voice_for_language(self.ctx, request.language).voice.id
            except VoiceNotFoundError:
                alternative = None
            raise VoiceLanguageMismatch(mismatch_message(voice, request.language, alternative))
        return VoiceChoice(tts, voice_id)

    def _preload(
        self, voice: VoiceChoice, request: MakeRequest, pool: ThreadPoolExecutor
    ) -> Future[None] | None:
        """The voice's model loading on ``pool`` while the script is written, when the script
        is written (a language model's answer, the user's material: seconds, and new words
        the cache has no narration of) and the provider loads models (Piper). Not for the
        user's own text: its script step is ~0.3 s, and made again it is spoken from the
        cache, where a load would cost ~1.3 s CPU and ~200 MB for nothing (ADR 0053)."""
        if request.script_text is not None or not isinstance(voice.tts, VoicePreloader):
            return None
        return pool.submit(voice.tts.preload, voice.voice_id, voice.speaks or request.language)

    def _voice(
        self,
        script: Script,
        request: MakeRequest,
        voice: VoiceChoice,
        reporter: Reporter,
        preloaded: Future[None] | None = None,
    ) -> tuple[Narration, VoiceChoice]:
        """The narration and the voice that spoke it (the local one when the requested voice
        failed: it is used for the rest of the run). ``preloaded``: the voice's model loading
        beside the script step; its error is the voice's."""
        reporter.step("voice", "Synthesising the voice")
        if voice.notice:  # from _resolve_voice when a cloud voice could not be used
            reporter.notice(voice.notice)
            voice = replace(voice, notice=None)
        try:
            if preloaded is not None:
                preloaded.result()
            narration = self._narrate(script, request, voice, reporter)
        except ProviderError as exc:
            if _last_resort(voice.tts):
                raise
            voice = self._fallback_voice(request, f"the {voice.tts.name} voice failed ({exc})")
            reporter.notice(voice.notice or "")
            voice = replace(voice, notice=None)
            narration = self._narrate(script, request, voice, reporter)
        return narration, voice

    def _narrate(
        self, script: Script, request: MakeRequest, voice: VoiceChoice, reporter: Reporter
    ) -> Narration:
        return narrate(
            script.spoken_parts(),
            voice.tts,
            voice=voice.voice_id,
            speed=request.speed,
            language=voice.speaks or request.language,
            cache=self.ctx.cache,
            out_path=self._narration_path(script, voice.voice_id, request),
            on_part=lambda done, total: reporter.progress("voice", done / total),
        )

    def _fallback_voice(self, request: MakeRequest, problem: str) -> VoiceChoice:
        """A voice of the local voice provider (Piper) in the request's language instead of a
        cloud voice that cannot be used, with a one-line notice to give."""
        local = self.ctx.local_voice()
        voices = [v for v in local.voices() if v.speaks(request.language)]
        if not voices:
            raise VoiceNotFoundError(
                f"{problem}, and no installed {local.name} voice speaks "
                f"{name_of(request.language)}: {install_hint(request.language)}"
            )
        preferred = (
            self.ctx.settings.default_voice,
            recommended_voice(local.name, request.language),
        )
        chosen = next((v for v in voices if v.id in preferred), voices[0])
        notice = f"{problem}; speaking with the Piper voice {chosen.id} instead"
        return VoiceChoice(local, chosen.id, fallback=notice, notice=notice)

    def _narration_path(self, script: Script, voice_id: str, request: MakeRequest) -> Path:
        """Where the joined narration lives: in the cache, so a saved spec can be re-rendered."""
        key = cache_key(
            "narration-v1",
            {
                "parts": script.spoken_parts(),
                "voice": voice_id,
                "speed": request.speed,
                "language": request.language,
            },
        )
        return self.ctx.cache.root / "narrations" / f"{key}.wav"

    def _stock_wanted(self, request: MakeRequest) -> bool:
        """Stock footage is used when providers are configured, unless ``stock=False``."""
        if request.stock is False:
            return False
        if not self.ctx.stock.providers:
            if request.stock:
                raise ConfigError(
                    "stock footage needs a provider: set VO_STOCK_PROVIDERS=pexels and "
                    "VO_PEXELS_API_KEYS (or pixabay and VO_PIXABAY_API_KEYS)"
                )
            return False
        return True

    def _media(
        self,
        script: Script,
        request: MakeRequest,
        reporter: Reporter,
        narration: Narration | None = None,
        credits: list[dict[str, object]] | None = None,
    ) -> list[MediaItem | None]:
        reporter.step("media", "Choosing backgrounds")
        fmt = video_format(self.ctx.preset(request.platform))
        stock = narration is not None and self._stock_wanted(request)
        scene_keywords = [scene.keywords for scene in script.scenes]
        narrations = [scene.narration for scene in script.scenes]
        seconds = (
            scene_seconds(narration, len(script.scenes), fmt.fps)
            if stock and narration is not None
            else []
        )

        def on_scene(scene: int, total: int) -> None:
            reporter.progress("media", 0.9 * scene / total)

        chosen: list[MediaItem | None] = []
        found: Backgrounds | None = None
        items: tuple[MediaItem, ...] = ()
        if request.scene_media is not None:  # each scene's own choice: no matching, no reuse
            wanted = list(request.scene_media[: len(script.scenes)])
            wanted += [None] * (len(script.scenes) - len(wanted))
            chosen, problems = scene_media(wanted, probe)
            for index, path, reason in problems:
                reporter.notice(
                    f"the background chosen for scene {index + 1} cannot be used ({path.name}: "
                    f"{reason}); the scene gets a generated background"
                )
            if stock and any(item is None for item in chosen):
                found = stock_for_open_scenes(
                    self.ctx.stock,
                    scene_keywords,
                    narrations,
                    chosen,
                    seconds=seconds,
                    width=fmt.width,
                    height=fmt.height,
                    on_scene=on_scene,
                )
        else:
            if request.media_dir is not None:
                scan = scan_media(request.media_dir, probe)
                for path, reason in scan.skipped:
                    reporter.notice(f"skipped {path.name}: {reason}")
                items = scan.items
                if not items:
                    reporter.notice(
                        f"no usable clips or images in {request.media_dir}; "
                        "using generated backgrounds"
                    )
            if stock:
                found = stock_backgrounds(
                    self.ctx.stock,
                    scene_keywords,
                    narrations,
                    items,
                    seconds=seconds,
                    width=fmt.width,
                    height=fmt.height,
                    on_scene=on_scene,
                )
            else:
                keywords = [
                    kws or text.split()
                    for kws, text in zip(scene_keywords, narrations, strict=True)
                ]
                chosen = assign_media(keywords, items)
        done = 0.0  # the share of the media step's progress already reported
        if found is not None:
            for notice in found.notices:
                reporter.notice(notice)
            chosen, done = found.media, 0.9
            if credits is not None:
                credits.extend(found.credits)
        if narration is not None and items:
            # a clip too short for its scene gets a further matching clip before it is slowed
            chosen = add_follow_ups(
                chosen,
                items,
                [kws or text.split() for kws, text in zip(scene_keywords, narrations, strict=True)],
                scene_seconds(narration, len(script.scenes), fmt.fps),
            )
        if narration is not None:
            chosen = self._pictures(script, request, chosen, fmt, reporter, credits)
        prepared: list[MediaItem | None] = []
        for index, item in enumerate(chosen):
            if item is not None:
                try:
                    item = prepare_image(item, self.ctx.cache, width=fmt.width, height=fmt.height)
                except MediaError as exc:
                    reporter.notice(f"skipped {item.path.name}: {exc}")
                    item = None
            prepared.append(item)
            reporter.progress("media", done + (1 - done) * (index + 1) / max(len(chosen), 1))
        return prepared

    def _illustrations(
        self,
        script: Script,
        media: list[MediaItem | None],
        request: MakeRequest,
        credits: list[dict[str, object]],
    ) -> list[str | None]:
        """The pictures of the generated scenes (OpenMoji, credited when one is used)."""
        if not request.options.background.illustrations:
            return []
        fmt = video_format(self.ctx.preset(request.platform))
        pictures = scene_illustrations(
            [(scene.keywords, scene.narration) for scene in script.scenes],
            [index >= len(media) or media[index] is None for index in range(len(script.scenes))],
            self.ctx.cache,
            size=illustration_size(fmt.width),
        )
        if any(pictures):
            credits.append(dict(OPENMOJI_CREDIT))
        return pictures

    def _pictures(
        self,
        script: Script,
        request: MakeRequest,
        chosen: list[MediaItem | None],
        fmt: VideoFormat,
        reporter: Reporter,
        credits: list[dict[str, object]] | None,
    ) -> list[MediaItem | None]:
        """Generated pictures for the scenes still open, when image generators are
        configured (ADR 0024); a scene none could draw keeps its generated background."""
        if not self.ctx.images or all(item is not None for item in chosen):
            return chosen
        prompts = [
            ImagePrompt(scene.narration, tuple(scene.keywords), request.genre)
            for scene in script.scenes
        ]
        pictures = generated_pictures(
            self.ctx.images, chosen, prompts, self.ctx.cache, width=fmt.width, height=fmt.height
        )
        for notice in pictures.notices:
            reporter.notice(notice)
        if credits is not None:
            credits.extend(pictures.credits)
        return pictures.media

    @staticmethod
    def _audio_file(path: Path, what: str) -> str:
        """``path`` resolved, once it is known to be a file with sound."""
        if not path.is_file():
            raise MediaError(f"the {what} file {path} does not exist")
        info = probe(path)
        if info.audio is None:
            raise MediaError(f"the {what} file {path.name} has no audio stream")
        return str(path.resolve())

    def _music(self, request: MakeRequest) -> str | None:
        return None if request.music is None else self._audio_file(request.music, "music")

    def _effect(self, request: MakeRequest) -> str | None:
        return None if request.sfx is None else self._audio_file(request.sfx, "sound effect")

    def _made_sounds(
        self, request: MakeRequest, music: str | None, effect: str | None
    ) -> tuple[SoundFile | None, SoundFile | None]:
        """The music bed and scene-change effect the sound library makes, where the user
        gave no file of their own."""
        audio = request.options.audio
        if music is not None:
            audio = audio.model_copy(update={"music": "none"})
        bed = made_music(self.ctx, audio, request.genre)
        made = None if effect is not None else made_effect(self.ctx, audio)
        return bed, made

    def _fit_length(
        self,
        script: Script,
        narration: Narration,
        request: MakeRequest,
        preset: PlatformPreset,
        voice: VoiceChoice,
        reporter: Reporter,
    ) -> tuple[Script, Narration, VoiceChoice]:
        while narration.duration > preset.max_seconds:
            if not request.trim:
                raise ScriptError(
                    f"the narration lasts {narration.duration:.0f} s but {preset.name} allows "
                    f"at most {preset.max_seconds:.0f} s: shorten the script or pass --trim"
                )
            if len(script.scenes) <= 1:
                raise ScriptError(
                    f"even one scene lasts {narration.duration:.0f} s, over {preset.name}'s "
                    f"{preset.max_seconds:.0f} s limit: shorten the script"
                )
            script = script.model_copy(update={"scenes": script.scenes[:-1]})
            reporter.notice(
                f"--trim: dropped the last scene to fit {preset.name}'s "
                f"{preset.max_seconds:.0f} s limit"
            )
            narration, voice = self._voice(script, request, voice, reporter)
        return script, narration, voice

    # -- the use case ---------------------------------------------------------------------------

    def __call__(
        self, request: MakeRequest, reporter: Reporter, cancel: threading.Event | None = None
    ) -> MakeResult:
        if request.speed not in SPEED:
            raise ScriptError(
                f"speed {request.speed} is out of range: use {SPEED.low} to {SPEED.high}"
            )
        recording = _Recording(reporter)
        preset = self.ctx.preset(request.platform)
        if request.script_text is not None:  # the user's own text: fonts first, it is known
            self._check_fonts(request.script_text)
        material = self._material(request)
        request = self._follow_language(request, material, recording)
        voice = self._resolve_voice(request)
        music = self._music(request)
        effect = self._effect(request)
        self._stock_wanted(request)  # a misconfigured --stock fails before any work
        _ = (self.ctx.sounds, self.ctx.cache)  # built here: two threads never race to build them
        with ThreadPoolExecutor(2, thread_name_prefix="vo-beside") as pool:
            # The music bed and the effect are made from code (seconds of numpy on a cold
            # cache) and need nothing from the script or the voice: made while they are
            # written and synthesised, not after (ADR 0051, 0053).
            sounds = pool.submit(self._made_sounds, request, music, effect)
            preloaded = self._preload(voice, request, pool)
            script, source, llm_usage, material = self._script(request, preset, recording, material)
            script = self._check_length_estimate(script, request, preset)
            if request.script_text is None:  # a user's text was checked above, before any work
                self._check_fonts(" ".join(script.spoken_parts()))
            narration, voice = self._voice(script, request, voice, recording, preloaded)
            script, narration, voice = self._fit_length(
                script, narration, request, preset, voice, recording
            )
            credits: list[dict[str, object]] = []
            media = self._media(script, request, recording, narration, credits)
            bed, made = sounds.result()
        credits.extend(sound.sound.credit() for sound in (bed, made) if sound is not None)
        pictures = self._illustrations(script, media, request, credits)
        spec = build_spec(
            script,
            narration,
            media,
            fmt=video_format(preset),
            options=request.options,
            music=str(bed.path) if bed is not None else music,
            effect=str(made.path) if made is not None else effect,
            effect_onset=made.sound.onset if made is not None else None,
            platform=preset.name,
            illustrations=pictures,
        )
        if request.draft_height is not None:
            spec = draft_spec(spec, request.draft_height)
        run = _Run(
            source=source,
            llm_usage=llm_usage,
            voice={"provider": narration.provider, "voice": voice.voice_id},
            voice_fallback=voice.fallback,
            credits=tuple(credits),
            source_text=material,
        )
        return self._render_and_export(spec, script, run, request, recording, cancel)

    def _render_and_export(
        self,
        spec: RenderSpec,
        script: Script,
        run: _Run,
        request: MakeRequest,
        reporter: _Recording,
        cancel: threading.Event | None,
    ) -> MakeResult:
        paths = output_paths(request.out, script.title)
        reporter.step("render", "Rendering the video")

        def on_progress(progress: Progress) -> None:
            if progress.fraction is not None:
                reporter.progress("render", progress.fraction)

        speed = RenderSpeed(self.ctx.settings.cache_dir)
        frames, width, height = spec.duration, spec.output.width, spec.output.height
        expected = speed.expected_seconds(
            spec.output.preset, frames=frames, width=width, height=height
        )
        if expected is not None:
            reporter.expect("render", expected)
        started = time.monotonic()
        renderer = self.ctx.renderer
        cover = thumbnail_spec(spec, cover_words(script.hook, script.language))
        with ThreadPoolExecutor(1, thread_name_prefix="vo-thumbnail") as pool:
            # The thumbnail is drawn while the video renders (it needs nothing from it):
            # one short FFmpeg run beside the long one, not after it (ADR 0047).
            thumbnail = pool.submit(
                renderer.render_still,
                cover,
                min(15, spec.clips[0].duration - 1),
                paths["thumbnail"],
            )
            try:
                result = renderer.render(
                    spec, paths["video"], on_progress=on_progress, cancel=cancel
                )
            except BaseException:
                thumbnail.cancel()
                with contextlib.suppress(Exception):
                    thumbnail.result()
                paths["thumbnail"].unlink(missing_ok=True)  # no cover for a video not made
                raise
            thumbnail.result()  # the cover's own error, if it had one
        speed.record(
            spec.output.preset,
            frames=frames,
            width=width,
            height=height,
            seconds=time.monotonic() - started,
        )
        reporter.step("export", "Writing thumbnail, captions and metadata")
        fps = spec.output.fps
        cues = group_words(spec.captions, spec.duration, fps=fps) if spec.captions else []
        atomic_write(paths["srt"], to_srt(cues, fps))
        atomic_write(paths["vtt"], to_vtt(cues, fps))
        metadata = {
            "title": script.title,
            "description": script.description,
            "hashtags": [f"#{tag}" for tag in script.hashtags],
            "duration": round(result.duration, 3),
            "platform": spec.metadata.platform,
            "language": script.language,
            "hook": script.hook,
            "script_source": run.source,
            "llm": run.llm_usage,
            "voice": run.voice,  # which provider and voice spoke
            "files": {key: path.name for key, path in paths.items() if key != "metadata"},
            "credits": list(run.credits),
        }
        if run.source_text is not None:  # the material the script's sentences come from
            metadata["source"] = {"title": run.source_text.title, "from": run.source_text.origin}
        atomic_write(paths["metadata"], json.dumps(metadata, indent=2, ensure_ascii=False))
        atomic_write(paths["spec"], spec.model_dump_json(indent=2))
        reporter.progress("export", 1.0)
        return MakeResult(
            video=paths["video"],
            thumbnail=paths["thumbnail"],
            metadata=paths["metadata"],
            srt=paths["srt"],
            vtt=paths["vtt"],
            spec=paths["spec"],
            duration=result.duration,
            script_source=run.source,
            notices=tuple(reporter.notices),
            credits=tuple(str(credit["attribution"]) for credit in run.credits),
            llm_usage=run.llm_usage,
            voice=run.voice,
            voice_fallback=run.voice_fallback,
        )
