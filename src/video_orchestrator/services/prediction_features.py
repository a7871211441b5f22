"""What the prediction model knows about a video, from the project that made it or, for a
video no project is linked to, from its title (ADR 0043).

- **A project** (a draft, or the project a published video is linked to): the script's hook
  (its type, read from the text by :func:`hook_type_of`, and the hook scorer's score for the
  platform), the length (the published video's measured duration; for a draft its target
  length, else its script at the platform's ideal pace), words per second (the script's
  spoken words over that length), the caption style, the platform, the posting hour and
  weekday (UTC), and topic keywords (the topic's content words and the script's scene
  keywords).
- **No project** (an imported video the linking rules could not place): the title stands in
  for the hook (type and score: the first line a viewer reads), the caption style is the
  level ``"unknown"`` (its own column, so linked videos' styles are compared among themselves
  and against it), words per second is the median of the linked videos (the platform's ideal
  pace when none are linked), the length the export's duration (else the median length); the
  keywords are the title's content words. Each guessed value is named in ``imputed``.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from video_orchestrator.analytics.features import VideoFeatures
from video_orchestrator.domain.script import Script
from video_orchestrator.errors import InputError
from video_orchestrator.pipeline.hooks import hook_context, score_hook
from video_orchestrator.pipeline.script_writer import stop_words_for
from video_orchestrator.platforms import PlatformPreset, get_preset, load_presets
from video_orchestrator.services.metrics import RENDER_PLATFORM
from video_orchestrator.services.projects import ProjectOut
from video_orchestrator.text import keyword_terms

#: The caption style of a video no project is linked to.
UNKNOWN_STYLE = "unknown"
#: The hook type of a project without a script yet.
NO_HOOK = "none"
#: Topic keywords taken from one video.
MAX_KEYWORDS = 8
#: The metric platforms a prediction can be asked for.
PLATFORMS = ("youtube", "tiktok", "instagram", "facebook", "other")
_PRESET_TO_PLATFORM = {preset: platform for platform, preset in RENDER_PLATFORM.items()}
_NUMBER_WORDS = frozenset(
    [
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "twelve",
        "twenty",
        "thirty",
        "fifty",
        "hundred",
        "thousand",
        "million",
        "billion",
        "percent",
        "half",
        "dozen",
    ]
)
_HOW_TO = re.compile(r"^\s*(how to|how (?:i|you|we)\b|here'?s how|step)", re.IGNORECASE)
_LIST = re.compile(r"^\s*(\d+|three|four|five|six|seven|eight|nine|ten)\s+\w+", re.IGNORECASE)
_STORY = re.compile(r"^\s*(i |i'm |my |when i |last (?:year|week)|one day|once )", re.I)


def hook_type_of(text: str) -> str:
    """The type of a hook read from its words: the hook library's types (question,
    statistic, list, how_to, secret, mistake, challenge, story), else bold_claim."""
    lowered = text.casefold().strip()
    if not lowered:
        return NO_HOOK
    words = set(re.findall(r"[\w']+", lowered))
    if _LIST.match(lowered):
        return "list"
    if "?" in lowered:
        return "question"
    if _HOW_TO.match(lowered):
        return "how_to"
    if any(ch.isdigit() for ch in lowered) or words & _NUMBER_WORDS or "%" in lowered:
        return "statistic"
    if words & {"secret", "secrets", "hidden", "nobody", "hiding"}:
        return "secret"
    if words & {"mistake", "mistakes", "wrong", "stop"}:
        return "mistake"
    if words & {"try", "challenge", "bet", "dare"}:
        return "challenge"
    if _STORY.match(lowered):
        return "story"
    return "bold_claim"


def metric_platform(name: str) -> str:
    """A metric platform (``youtube`` …) from itself or a render preset (``youtube-shorts``)."""
    key = name.strip().casefold()
    if key in PLATFORMS:
        return key
    if key in _PRESET_TO_PLATFORM:
        return _PRESET_TO_PLATFORM[key]
    known = ", ".join((*PLATFORMS, *_PRESET_TO_PLATFORM))
    raise InputError(f"unknown platform {name!r}: use one of {known}")


@cache
def _presets() -> Mapping[str, PlatformPreset]:
    return load_presets()


def preset_for(platform: str) -> PlatformPreset:
    return get_preset(RENDER_PLATFORM.get(platform, "tiktok"), _presets())


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Described:
    """A video's features and the values that were guessed rather than known."""

    features: VideoFeatures
    imputed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fill:
    """The stand-ins for what an unlinked video's export does not say."""

    words_per_second: float | None  # the linked videos' median; None: the platform's pace
    length_s: float | None  # the history's median length

    @classmethod
    def of(cls, linked_wps: Sequence[float], lengths: Sequence[float]) -> Fill:
        return cls(
            statistics.median(linked_wps) if linked_wps else None,
            statistics.median(lengths) if lengths else None,
        )


def _keywords(texts: Sequence[str], language: str) -> tuple[str, ...]:
    stop = stop_words_for(language)
    found: list[str] = []
    for text in texts:
        for term in keyword_terms(text, stop):
            key = term.casefold()
            if key not in found:
                found.append(key)
    return tuple(found[:MAX_KEYWORDS])


def _hook(
    text: str, topic: str, script: Script | None, platform: str, language: str
) -> tuple[str, float]:
    preset = preset_for(platform)
    kind = hook_type_of(text)
    if kind == NO_HOOK:
        return kind, 0.0
    context = hook_context(topic or text, script, preset, language=language)
    return kind, float(score_hook(text, kind, context).score)


def project_features(
    project: ProjectOut, platform: str, at: datetime, *, length_s: float | None = None
) -> Described:
    """A project's features for a post on ``platform`` at ``at`` (see the module);
    ``length_s`` is the published video's measured duration when there is one."""
    preset = preset_for(platform)
    script = project.script
    imputed: list[str] = []
    words = script.word_count() if script is not None else 0
    if length_s is None or length_s <= 0:
        if project.target_seconds:
            length_s = float(project.target_seconds)
        elif words:
            length_s = preset.pace.seconds(words)
        else:
            length_s = float(preset.ideal_seconds)
            imputed.append("length")
    if words:
        wps = words / length_s
    else:
        wps = preset.pace.ideal_wpm / 60.0
        imputed.append("words per second")
    if script is not None:
        kind, score = _hook(script.hook, project.topic, script, platform, project.language)
    else:
        kind, score = NO_HOOK, 0.0
        imputed.append("hook")
    texts = [project.topic]
    if script is not None:
        texts += [k for scene in script.scenes for k in scene.keywords]
    moment = utc(at)
    features = VideoFeatures(
        hook_type=kind,
        hook_score=score,
        length_s=float(length_s),
        words_per_second=float(wps),
        caption_style=str(project.captions.style),
        platform=platform,
        hour=moment.hour,
        weekday=moment.weekday(),
        keywords=_keywords(texts, project.language),
    )
    return Described(features, tuple(imputed))


def title_features(
    title: str, platform: str, at: datetime, length_s: float | None, fill: Fill
) -> Described:
    """An unlinked video's features from its title and export (see the module)."""
    imputed: list[str] = ["caption style"]
    if length_s is None or length_s <= 0:
        length_s = fill.length_s or float(preset_for(platform).ideal_seconds)
        imputed.append("length")
    if fill.words_per_second is not None:
        wps = fill.words_per_second
    else:
        wps = preset_for(platform).pace.ideal_wpm / 60.0
    imputed.append("words per second")
    kind, score = _hook(title, title, None, platform, "en")
    moment = utc(at)
    features = VideoFeatures(
        hook_type=kind,
        hook_score=score,
        length_s=float(length_s),
        words_per_second=float(wps),
        caption_style=UNKNOWN_STYLE,
        platform=platform,
        hour=moment.hour,
        weekday=moment.weekday(),
        keywords=_keywords([title], "en"),
    )
    return Described(features, tuple(imputed))
