"""The service facade: what every interface (CLI, API, UI, workers) calls.

Functions here validate loose interface input into domain requests and run use cases; no
interface reaches past this module into ``pipeline``, ``ports``, ``render`` or ``providers``:
what an interface needs from below (a script read from text, a pydantic error in one line, a
caption style's defaults, a voice's description) is re-exported here (``X as X``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from video_orchestrator.config import Settings
from video_orchestrator.domain.script import GENRES, Script
from video_orchestrator.errors import InputError, MediaError, ScriptError, SpecError
from video_orchestrator.pipeline.script_import import condense as condense
from video_orchestrator.pipeline.script_import import script_from_text as script_from_text
from video_orchestrator.pipeline.source_script import read_source, script_from_source
from video_orchestrator.ports.media import StockItem
from video_orchestrator.ports.tts import VoiceInfo as VoiceInfo
from video_orchestrator.render.ffmpeg import Progress
from video_orchestrator.services.check import RuleResult
from video_orchestrator.services.check import check_file as _check_file
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.hooks import HooksRequest, HooksResult, generate_hooks
from video_orchestrator.services.make import MakeRequest, MakeResult, MakeVideo
from video_orchestrator.services.optimise import OptimiseReport, OptimiseRequest, write_script
from video_orchestrator.services.optimise import optimise as _optimise
from video_orchestrator.services.progress import Reporter
from video_orchestrator.services.scene_matches import SceneMatch as SceneMatch
from video_orchestrator.services.scene_matches import scene_matches as scene_matches
from video_orchestrator.services.templates import ProjectTemplate as ProjectTemplate
from video_orchestrator.services.templates import project_template as project_template
from video_orchestrator.services.templates import project_templates as project_templates
from video_orchestrator.spec import RenderSpec, json_schema
from video_orchestrator.spec.options import VideoOptions
from video_orchestrator.spec.vocabulary import CAPTION_PRESETS, TARGET_SECONDS
from video_orchestrator.text import validation_summary

MAX_SCRIPT_BYTES = 200_000


def context(settings: Settings) -> AppContext:
    return AppContext(settings)


def make_request(
    *,
    topic: str | None,
    script: Path | None,
    genre: str,
    platform: str,
    voice: str | None,
    speed: float,
    media: Path | None,
    music: Path | None,
    caption_style: str,
    lang: str,
    trim: bool,
    seconds: int | None,
    output: Path,
    stock: bool | None = None,
    music_choice: str = "auto",
    sfx: str | None = None,
    source: str | None = None,
) -> MakeRequest:
    """Check loose interface input and build a ``MakeRequest``.

    ``music`` is the user's own bed; without it ``music_choice`` says which bed the project
    makes ("auto": by genre, a mood, or "none"); ``sfx`` names a made scene-change effect;
    ``source`` is the user's material (a file or URL) the script is made from."""
    if topic is None and script is None and source is None:
        raise ScriptError(
            "say what the video is about: --from FILE_OR_URL (your material), --script FILE "
            "or --topic TEXT (with a language model)"
        )
    if script is not None and source is not None:
        raise InputError("--script and --from both give the script: choose one")
    if source is not None and not source.strip():
        raise ScriptError("--from needs a file or a URL: an article, notes or a transcript")
    if topic is not None and script is None and source is None and not topic.strip():
        raise ScriptError("the topic is empty: give --topic a few words")
    if genre not in GENRES:
        raise InputError(f"unknown genre {genre!r}; choose one of: {', '.join(GENRES)}")
    if caption_style not in CAPTION_PRESETS:
        raise InputError(
            f"unknown caption style {caption_style!r}; choose one of: {', '.join(CAPTION_PRESETS)}"
        )
    if seconds is not None and seconds not in TARGET_SECONDS:
        raise InputError(
            f"--seconds must be between {TARGET_SECONDS.low:g} and {TARGET_SECONDS.high:g}"
        )
    script_text = None
    if script is not None:
        script_text = read_script_file(script)
    if media is not None and not media.is_dir():
        raise MediaError(f"the media folder {media} does not exist or is not a folder")
    try:
        options = VideoOptions.model_validate(
            {
                "platform": platform,
                "language": lang,
                "voice": {"voice": voice, "speed": speed},
                "captions": {"style": caption_style},
                "export": {"trim": trim},
                "audio": {"music": music_choice, "sfx": sfx},
            }
        )
    except ValidationError as exc:
        raise InputError(f"the settings are not valid: {validation_summary(exc)}") from exc
    return MakeRequest(
        topic=topic,
        script_text=script_text,
        source=source.strip() if source is not None else None,
        genre=genre,
        target_seconds=seconds,
        options=options,
        media_dir=media,
        music=music,
        out=output,
        stock=stock,
    )


def script_from_material(
    text: str, *, language: str = "en", target_seconds: int | None = None
) -> Script:
    """A script made offline of the sentences of pasted material (an article, notes, a
    transcript), as ``vo make --from`` makes it (ADR 0020)."""
    if len(text.encode("utf-8")) > MAX_SCRIPT_BYTES:
        raise ScriptError(f"the text is over {MAX_SCRIPT_BYTES // 1000} kB: paste a shorter one")
    source = read_source(text, origin="the pasted text")
    return script_from_source(source, language=language, target_seconds=target_seconds or 40)


def read_script_file(path: Path) -> str:
    if not path.is_file():
        raise ScriptError(f"the script file {path} does not exist")
    if path.stat().st_size > MAX_SCRIPT_BYTES:
        raise ScriptError(f"the script file {path.name} is over {MAX_SCRIPT_BYTES // 1000} kB")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScriptError(f"the script file {path.name} is not UTF-8 text") from exc
    if not text.strip():
        raise ScriptError(f"the script file {path.name} is empty")
    return text


def make_video(
    ctx: AppContext, request: MakeRequest, reporter: Reporter, cancel: threading.Event | None = None
) -> MakeResult:
    return MakeVideo(ctx)(request, reporter, cancel)


def load_spec(path: Path) -> RenderSpec:
    """Read and validate a spec file; relative media paths resolve against its folder."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SpecError(f"the spec file {path} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read the spec file {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    try:
        spec = RenderSpec.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(
            f"{path.name} is not a valid render spec: {validation_summary(exc)}"
        ) from exc
    return spec.resolve_paths(path.resolve().parent)


def missing_files(spec: RenderSpec) -> list[str]:
    paths = [getattr(c, "path", None) for c in spec.clips]
    paths += [getattr(o, "path", None) for o in spec.overlays]
    if spec.audio.voice:
        paths.append(spec.audio.voice.path)
    if spec.audio.music:
        paths.append(spec.audio.music.path)
    paths += [e.path for e in spec.audio.effects]
    return [p for p in paths if p is not None and not Path(p).is_file()]


def render_spec_file(ctx: AppContext, spec_file: Path, output: Path, reporter: Reporter) -> Path:
    spec = load_spec(spec_file)
    missing = missing_files(spec)
    if missing:
        raise SpecError(f"{spec_file.name} refers to missing files: {', '.join(missing[:3])}")
    if output.suffix.lower() != ".mp4":
        raise InputError(f"the output must be an .mp4 path, not {output}")
    reporter.step("render", "Rendering")

    def on_progress(progress: Progress) -> None:
        if progress.fraction is not None:
            reporter.progress("render", progress.fraction)

    output.parent.mkdir(parents=True, exist_ok=True)
    return ctx.renderer.render(spec, output, on_progress=on_progress).path


def check_file(ctx: AppContext, path: Path, platform: str) -> list[RuleResult]:
    if not path.is_file():
        raise MediaError(f"{path} does not exist")
    return _check_file(path, ctx.preset(platform), ffmpeg=ctx.ffmpeg)


def list_voices(ctx: AppContext) -> list[VoiceInfo]:
    return ctx.all_voices()


def voice_catalogue(ctx: AppContext, language: str | None = None) -> tuple[list[Any], str | None]:
    """The official Piper voices (of ``language``), each marked ``installed`` when Piper has
    it, and a notice when the saved copy of the catalogue had to be used (offline)."""
    from dataclasses import replace

    from video_orchestrator.providers.piper.catalogue import PiperCatalogue

    catalogue = PiperCatalogue.from_settings(ctx.settings.section(PiperCatalogue.settings_model))
    voices = catalogue.voices(language)
    if language and not voices:
        raise InputError(f"the Piper catalogue has no voice for {language!r}")
    installed = {voice.id for voice in ctx.local_voice().voices()}
    return [replace(v, installed=v.installed or v.id in installed) for v in voices], (
        catalogue.notice
    )


def download_voice(
    ctx: AppContext, voice_id: str, on_progress: Callable[[int, int], None] | None = None
) -> Any:
    """Download a Piper voice into ``<data dir>/voices`` (checked, resumable); it is then
    usable offline with ``--voice ID``. Returns the catalogue entry."""
    from video_orchestrator.providers.piper.catalogue import PiperCatalogue

    if not voice_id.strip():
        raise InputError("give the id of a voice, e.g. vo voices download de_DE-thorsten-medium")
    catalogue = PiperCatalogue.from_settings(ctx.settings.section(PiperCatalogue.settings_model))
    return catalogue.download(voice_id.strip(), on_progress)


def spec_schema() -> dict[str, object]:
    return json_schema()


def stock_search(
    ctx: AppContext,
    text: str,
    *,
    kind: str = "video",
    provider: str | None = None,
    platform: str | None = None,
    media: Path | None = None,
    limit: int = 15,
) -> tuple[list[StockItem], list[str]]:
    """Stock footage for ``text`` fitting the platform's frame, and notices about providers
    that failed. ``provider`` asks only that one (``local`` searches the ``media`` folder)."""
    from video_orchestrator.services.stock import LOCAL, build_stock_library, local_media

    if not text.strip():
        raise InputError('give a few words to search for, e.g. vo stock search "ocean waves"')
    if kind not in ("video", "photo"):
        raise InputError(f"unknown kind {kind!r}; choose video or photo")
    if not 1 <= limit <= 80:
        raise InputError("--limit must be between 1 and 80")
    preset = ctx.preset(platform or ctx.settings.default_platform)
    name = provider.strip().lower() if provider else None
    if name == LOCAL or (name is None and media is not None):
        if media is None:
            raise InputError("searching the local library needs --media DIR")
        library = build_stock_library(ctx.settings, names=[], extra=[local_media(media)])
        name = LOCAL
    elif name is not None and name not in ctx.stock.names:
        library = build_stock_library(ctx.settings, names=[name])
    else:
        library = ctx.stock
    return library.search(
        text.strip(),
        "video" if kind == "video" else "photo",
        provider=name,
        width=preset.width,
        height=preset.height,
        per_page=limit,
    )


# --- hooks and platform optimisation


def hooks(
    ctx: AppContext,
    *,
    topic: str | None,
    script: Path | None,
    platform: str,
    count: int,
    lang: str = "en",
) -> HooksResult:
    """Scored alternative hooks for a topic or a script file (text or script JSON)."""
    if topic is None and script is None:
        raise ScriptError("say what the hooks are for: --topic TEXT or --script FILE")
    if topic is not None and script is None and not topic.strip():
        raise ScriptError("the topic is empty: give --topic a few words")
    script_text = read_script_file(script) if script is not None else None
    request = HooksRequest(
        topic=topic, script_text=script_text, platform=platform, count=count, language=lang
    )
    return generate_hooks(ctx, request)


def optimise(
    ctx: AppContext,
    *,
    script: Path,
    platform: str,
    speed: float = 1.0,
    caption_style: str = "karaoke",
    lang: str = "en",
    topic: str | None = None,
    apply: bool = False,
    output: Path | None = None,
) -> OptimiseReport:
    """Suggestions for a script file on a platform; with ``apply``, the optimised script
    too, written to ``output`` (script JSON, readable by ``vo make --script``) when given."""
    if output is not None and not apply:
        raise InputError("-o/--output writes the optimised script: add --apply")
    if output is not None and output.suffix.lower() != ".json":
        raise InputError(f"the output must be a .json path, not {output}")
    request = OptimiseRequest(
        script_text=read_script_file(script),
        platform=platform,
        speed=speed,
        caption_style=caption_style,
        topic=topic,
        language=lang,
    )
    report = _optimise(ctx, request, apply_changes=apply)
    if output is not None and report.applied is not None:
        write_script(output, report.applied.script)
    return report
