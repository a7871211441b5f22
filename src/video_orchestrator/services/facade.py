"""The service facade: what every interface (CLI, API, UI, workers) calls.

Functions here validate loose interface input into domain requests and run use cases; no
interface reaches past this module into ``pipeline``, ``ports``, ``render`` or ``providers``:
what an interface needs from below (a script read from text, a pydantic error in one line, a
caption style's defaults, a voice's description) is re-exported here (``X as X``).

Importing this module must stay cheap: ``vo make`` and ``vo render`` start with it. A service
of another area (analytics, experiments, publishing, trends, hooks …) is imported inside the
function that calls it, and its re-exports are resolved on first use (``_LAZY``; ADR 0053).
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from video_orchestrator.analytics.experiment_metrics import METRICS as _EXPERIMENT_METRICS
from video_orchestrator.config import Settings
from video_orchestrator.domain.script import GENRES, Script
from video_orchestrator.errors import InputError, MediaError, ScriptError, SpecError
from video_orchestrator.metrics.records import METRICS as METRICS
from video_orchestrator.pipeline.script_import import condense as condense
from video_orchestrator.pipeline.script_import import script_from_text as script_from_text
from video_orchestrator.pipeline.source_script import read_source, script_from_source
from video_orchestrator.ports.media import StockItem
from video_orchestrator.ports.tts import VoiceInfo as VoiceInfo
from video_orchestrator.render.ffmpeg import Progress
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.languages import language_for
from video_orchestrator.services.progress import Reporter
from video_orchestrator.services.voices import recommended_voice as recommended_voice
from video_orchestrator.spec import RenderSpec, json_schema
from video_orchestrator.spec.options import VideoOptions
from video_orchestrator.spec.vocabulary import BACKGROUND_LOOKS, CAPTION_PRESETS, TARGET_SECONDS
from video_orchestrator.text import validation_summary

if TYPE_CHECKING:
    from video_orchestrator.services.check import RuleResult
    from video_orchestrator.services.experiment_runs import ExperimentRuns
    from video_orchestrator.services.hook_feedback import HookFeedback
    from video_orchestrator.services.hooks import HooksResult
    from video_orchestrator.services.make import MakeRequest, MakeResult
    from video_orchestrator.services.metrics_facade import Analytics as Analytics
    from video_orchestrator.services.metrics_facade import Filters as Filters
    from video_orchestrator.services.metrics_facade import Group as Group
    from video_orchestrator.services.metrics_facade import ImportOut as ImportOut
    from video_orchestrator.services.metrics_facade import Point as Point
    from video_orchestrator.services.metrics_facade import ReportIn as ReportIn
    from video_orchestrator.services.metrics_facade import ReportOut as ReportOut
    from video_orchestrator.services.metrics_facade import ReportSpec as ReportSpec
    from video_orchestrator.services.metrics_facade import ScheduleOut as ScheduleOut
    from video_orchestrator.services.metrics_facade import VideoOut as VideoOut
    from video_orchestrator.services.metrics_facade import VideoPage as VideoPage
    from video_orchestrator.services.metrics_facade import file_stem as file_stem
    from video_orchestrator.services.metrics_pull import MetricPulls
    from video_orchestrator.services.metrics_pull import describe_pull as describe_pull
    from video_orchestrator.services.optimise import OptimiseReport
    from video_orchestrator.services.predictions import FigureOut as FigureOut
    from video_orchestrator.services.predictions import HistoryOut as HistoryOut
    from video_orchestrator.services.predictions import ModelOut as ModelOut
    from video_orchestrator.services.predictions import PredictionOut as PredictionOut
    from video_orchestrator.services.predictions import RefusalOut as RefusalOut
    from video_orchestrator.services.predictions import parse_time as parse_time
    from video_orchestrator.services.publishing import Publishing as Publishing
    from video_orchestrator.services.publishing import (
        connect_with_loopback as connect_with_loopback,
    )
    from video_orchestrator.services.publishing import post_file as post_file
    from video_orchestrator.services.publishing import (
        publish_until_settled as publish_until_settled,
    )
    from video_orchestrator.services.scene_matches import SceneMatch as SceneMatch
    from video_orchestrator.services.scene_matches import scene_matches as scene_matches
    from video_orchestrator.services.scheduling import ScheduleIn as ScheduleIn
    from video_orchestrator.services.templates import ProjectTemplate as ProjectTemplate
    from video_orchestrator.services.templates import project_template as project_template
    from video_orchestrator.services.templates import project_templates as project_templates
    from video_orchestrator.services.trend_alerts import AlertService
    from video_orchestrator.services.trend_projects import TrendProjectOut
    from video_orchestrator.services.trends import PollReport, SourceOut
    from video_orchestrator.services.trends import TrendService as TrendService

#: What the facade re-exports from the analytics, statistics, publishing, trends and
#: templates services, by the module that defines it. They are imported on first use
#: (``__getattr__`` below), not with the facade: ``vo make``, ``vo render`` and a worker's
#: render never touch them, and importing them costs ~1.2 s CPU and ~100 MB (SciPy,
#: scikit-learn, the job tables; ADR 0053). The ``TYPE_CHECKING`` block above names the
#: same things for the type checker.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "Analytics",
            "Filters",
            "Group",
            "ImportOut",
            "Point",
            "ReportIn",
            "ReportOut",
            "ReportSpec",
            "ScheduleOut",
            "VideoOut",
            "VideoPage",
            "file_stem",
        ),
        "video_orchestrator.services.metrics_facade",
    ),
    "describe_pull": "video_orchestrator.services.metrics_pull",
    **dict.fromkeys(
        ("FigureOut", "HistoryOut", "ModelOut", "PredictionOut", "RefusalOut", "parse_time"),
        "video_orchestrator.services.predictions",
    ),
    **dict.fromkeys(
        ("Publishing", "connect_with_loopback", "post_file", "publish_until_settled"),
        "video_orchestrator.services.publishing",
    ),
    **dict.fromkeys(("SceneMatch", "scene_matches"), "video_orchestrator.services.scene_matches"),
    "ScheduleIn": "video_orchestrator.services.scheduling",
    **dict.fromkeys(
        ("ProjectTemplate", "project_template", "project_templates"),
        "video_orchestrator.services.templates",
    ),
    "TrendService": "video_orchestrator.services.trends",
}


def __getattr__(name: str) -> Any:
    """A re-export of ``_LAZY``, imported the first time it is asked for (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


#: The metrics an experiment is judged on, by name (``vo experiments create --metric``).
EXPERIMENT_METRICS = _EXPERIMENT_METRICS
MAX_SCRIPT_BYTES = 200_000


def context(settings: Settings) -> AppContext:
    return AppContext(settings)


def analytics(settings: Settings) -> Analytics:
    """The analytics use cases (imports, queries, exports, reports) on the settings'
    database."""
    from video_orchestrator.services.metrics_facade import Analytics

    return Analytics(AppContext(settings).db, settings)


def metric_pulls(settings: Settings, *, days: int = 28) -> MetricPulls:
    """Pulling connected accounts' figures now (``vo analytics pull``; ADR 0038)."""
    from video_orchestrator.services.metrics_pull import metric_pulls as _metric_pulls

    return _metric_pulls(AppContext(settings), days=days)


def experiments(settings: Settings) -> ExperimentRuns:
    """The experiment use cases on the settings' database; renders are left queued for
    ``vo serve`` / ``vo worker``."""
    from video_orchestrator.services.experiment_runs import ExperimentRuns
    from video_orchestrator.services.jobs import JobService
    from video_orchestrator.services.metrics import MetricsService

    db = AppContext(settings).db
    jobs = JobService(db, None, max_attempts=settings.job_max_attempts)
    return ExperimentRuns(db, jobs, MetricsService(db))


def hook_weights(settings: Settings) -> HookFeedback:
    """The hook score's weights learned from the workspace's posted hooks (ADR 0044)."""
    from video_orchestrator.services.hook_feedback import HookFeedback

    return HookFeedback(AppContext(settings).db)


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
    lang: str | None,
    trim: bool,
    seconds: int | None,
    output: Path,
    stock: bool | None = None,
    music_choice: str = "auto",
    sfx: str | None = None,
    source: str | None = None,
    allow_voice_language_mismatch: bool = False,
    background_look: str = "illustration",
) -> MakeRequest:
    """Check loose interface input and build a ``MakeRequest``.

    ``music`` is the user's own bed; without it ``music_choice`` says which bed the project
    makes ("auto": by genre, a mood, or "none"); ``sfx`` names a made scene-change effect;
    ``source`` is the user's material (a file or URL) the script is made from. ``lang``
    None: the language is detected from the script, the material or the topic (English
    when it cannot be told); ``allow_voice_language_mismatch`` lets ``voice`` speak a
    script of another language (ADR 0031)."""
    from video_orchestrator.services.make import MakeRequest

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
    if background_look not in BACKGROUND_LOOKS:
        raise InputError(
            f"unknown background look {background_look!r}; choose one of: "
            f"{', '.join(BACKGROUND_LOOKS)}"
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
                "language": lang if lang is not None else "en",
                "voice": {"voice": voice, "speed": speed},
                "captions": {"style": caption_style},
                "background": {"look": background_look},
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
        detect_language=lang is None,
        allow_voice_language_mismatch=allow_voice_language_mismatch,
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
    from video_orchestrator.services.make import MakeVideo

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
    from video_orchestrator.services.check import check_file as _check_file

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
    ctx: AppContext,
    voice_id: str | None,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    language: str | None = None,
) -> Any:
    """Download a Piper voice into ``<data dir>/voices`` (checked, resumable); it is then
    usable offline with ``--voice ID``. With ``language`` instead of an id, the language's
    recommended voice (:func:`recommended_download`). Returns the catalogue entry."""
    from video_orchestrator.providers.piper.catalogue import PiperCatalogue

    if voice_id is not None and language is not None:
        raise InputError("give a voice id or --lang, not both")
    catalogue = PiperCatalogue.from_settings(ctx.settings.section(PiperCatalogue.settings_model))
    if language is not None:
        voice_id = recommended_download(catalogue.voices(language), language)
    if voice_id is None or not voice_id.strip():
        raise InputError(
            "give the id of a voice or a language, e.g. vo voices download --lang de "
            "or vo voices download de_DE-thorsten-medium"
        )
    return catalogue.download(voice_id.strip(), on_progress)


#: Piper's quality field, worst to best.
PIPER_QUALITY = ("x_low", "low", "medium", "high")


def recommended_download(voices: list[Any], language: str) -> str:
    """The id of the Piper voice ``vo voices download --lang`` installs: the recommended
    one of ``data/voices.json`` when the catalogue has it, otherwise the catalogue's voice
    of the highest quality (one speaker before many, then by id)."""
    from video_orchestrator.languages import name_of
    from video_orchestrator.services.voices import recommended_voice

    if not voices:
        raise InputError(f"the Piper catalogue has no voice of {name_of(language)}")
    wanted = recommended_voice("piper", language)
    if any(voice.id == wanted for voice in voices):
        return str(wanted)

    def rank(voice: Any) -> tuple[int, int, str]:
        quality = PIPER_QUALITY.index(voice.quality) if voice.quality in PIPER_QUALITY else -1
        return (-quality, voice.num_speakers > 1, voice.id)

    return str(min(voices, key=rank).id)


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
    lang: str | None = None,
) -> HooksResult:
    """Scored alternative hooks for a topic or a script file (text or script JSON), scored
    with the workspace's hook weights (learned or shipped, ADR 0044)."""
    from video_orchestrator.services.hook_feedback import workspace_library
    from video_orchestrator.services.hooks import HooksRequest, generate_hooks

    if topic is None and script is None:
        raise ScriptError("say what the hooks are for: --topic TEXT or --script FILE")
    if topic is not None and script is None and not topic.strip():
        raise ScriptError("the topic is empty: give --topic a few words")
    script_text = read_script_file(script) if script is not None else None
    language = language_for(script_text, topic, lang)
    request = HooksRequest(
        topic=topic, script_text=script_text, platform=platform, count=count, language=language
    )
    return generate_hooks(ctx, request, library=workspace_library(ctx.existing_db()))


def optimise(
    ctx: AppContext,
    *,
    script: Path,
    platform: str,
    speed: float = 1.0,
    caption_style: str = "karaoke",
    lang: str | None = None,
    topic: str | None = None,
    apply: bool = False,
    output: Path | None = None,
) -> OptimiseReport:
    """Suggestions for a script file on a platform; with ``apply``, the optimised script
    too, written to ``output`` (script JSON, readable by ``vo make --script``) when given."""
    from video_orchestrator.services.hook_feedback import workspace_library
    from video_orchestrator.services.optimise import OptimiseRequest, write_script
    from video_orchestrator.services.optimise import optimise as _optimise

    if output is not None and not apply:
        raise InputError("-o/--output writes the optimised script: add --apply")
    if output is not None and output.suffix.lower() != ".json":
        raise InputError(f"the output must be a .json path, not {output}")
    script_text = read_script_file(script)
    request = OptimiseRequest(
        script_text=script_text,
        platform=platform,
        speed=speed,
        caption_style=caption_style,
        topic=topic,
        language=language_for(script_text, None, lang),
    )
    report = _optimise(
        ctx, request, apply_changes=apply, hook_library=workspace_library(ctx.existing_db())
    )
    if output is not None and report.applied is not None:
        write_script(output, report.applied.script)
    return report


# --- trends (ADR 0030)


def trend_services(ctx: AppContext) -> tuple[TrendService, AlertService]:
    from video_orchestrator.services.trend_jobs import alert_service, trend_service

    alerts = alert_service(ctx)
    return trend_service(ctx, alerts), alerts


def poll_trends(ctx: AppContext, *, force: bool = False) -> PollReport:
    """Poll the due trend sources (every source with ``force``) now, merge, alert."""
    from video_orchestrator.services.trend_jobs import poll_all as _poll_all

    return _poll_all(ctx, datetime.now(UTC), force=force)


def add_trend_source(
    ctx: AppContext,
    kind: str,
    settings: list[str],
    *,
    region: str | None = None,
    language: str | None = None,
) -> tuple[SourceOut, bool]:
    """A source from ``KEY=VALUE`` words (``geo=RO``, ``subreddit=space listing=rising``)."""
    config: dict[str, str] = {}
    for word in settings:
        key, sep, value = word.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{word!r} is not KEY=VALUE (e.g. geo=RO, subreddit=space)")
        config[key.strip()] = value.strip()
    trends, _ = trend_services(ctx)
    return trends.add_source(kind, config, region=region, language=language)


def make_from_trend(
    ctx: AppContext,
    trend_id: str,
    *,
    platform: str = "tiktok",
    language: str | None = None,
    seconds: int | None = None,
) -> TrendProjectOut:
    from video_orchestrator.services.trend_projects import TrendProjects

    trends, _ = trend_services(ctx)
    return TrendProjects(ctx, trends).create(
        trend_id, platform=platform, language=language, target_seconds=seconds
    )


def render_trend_project(
    ctx: AppContext, made: TrendProjectOut, platform: str, output: Path, reporter: Reporter
) -> MakeResult:
    """Render a project made from a trend at once, offline (``vo trends make -o``)."""
    from video_orchestrator.services.make import MakeRequest, MakeVideo

    project = made.project
    if project.script is None:  # pragma: no cover - a trend project always has a script
        raise ScriptError("the project has no script")
    request = MakeRequest(
        script_text=project.script.model_dump_json(),
        genre=project.genre,
        target_seconds=project.target_seconds,
        options=project.video_options(platform),
        out=output,
    )
    return MakeVideo(ctx)(request, reporter)
