"""Platform optimisation rules: a script and a platform profile in, explained suggestions out.

Pure: no settings, no I/O. Every figure a rule uses comes from the platform profile
(``data/platforms.json``) or the hook score's data; every suggestion says which figures it
rests on and whether :func:`apply` can make the change by itself.

Speech length is estimated from the word count and the pace: the voice speaks about
``base_wpm`` words per minute at speed 1.0, so ``pace = base_wpm × speed``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.pipeline.hooks import (
    HookLibrary,
    bundled_library,
    hook_context,
    score_hook,
    short_topic,
    template_hooks,
)
from video_orchestrator.pipeline.keywords import MIN_LETTERS, tag_key, taggable, unique_tags
from video_orchestrator.platforms import PlatformPreset
from video_orchestrator.spec.vocabulary import SPEED
from video_orchestrator.text import (
    one_line,
    sentences_by_punctuation,
    shorten,
)

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

#: The voice's pace at speed 1.0 when the caller does not say (the offline writer's figure).
DEFAULT_BASE_WPM = 150
MIN_SPEED = SPEED.low
MAX_SPEED = SPEED.high
MIN_HOOK_WORDS = 3
_CLAUSE_MARKS = (",", ";", ":", "—", "–", ".", "!", "?")


@dataclass(frozen=True)
class Suggestion:
    """One concrete change: ``rule`` id, how serious, what to change, why (with the profile's
    figures), whether :func:`apply` can do it, and the profile's source note."""

    rule: str
    severity: Severity
    change: str
    why: str
    auto: bool
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "change": self.change,
            "why": self.why,
            "auto": self.auto,
            "source": self.source,
        }


@dataclass(frozen=True)
class OptimiseInput:
    """A script as it would be made: on ``preset``, at voice ``speed`` (the voice speaks
    ``base_wpm`` at 1.0), with burned-in captions in ``caption_style``."""

    script: Script
    preset: PlatformPreset
    speed: float = 1.0
    base_wpm: int = DEFAULT_BASE_WPM
    caption_style: str = "karaoke"
    #: the hook library to score the hook with (the workspace's learned weights, ADR 0044)
    hook_library: HookLibrary | None = field(default=None, compare=False)

    @property
    def wpm(self) -> float:
        return self.base_wpm * self.speed

    def seconds(self, script: Script | None = None) -> float:
        return estimate_seconds(script or self.script, self.wpm)


@dataclass(frozen=True)
class Change:
    rule: str
    what: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "what": self.what}


@dataclass(frozen=True)
class Applied:
    """The optimised script and voice/caption settings, and every change made."""

    script: Script
    speed: float
    caption_style: str
    changes: list[Change] = field(default_factory=list)
    remaining: list[Suggestion] = field(default_factory=list)


@dataclass(frozen=True)
class PostMetadata:
    """The text posted with the video on one platform. ``caption`` is the whole post text
    (title first when the platform has no title field); ``title`` is None then."""

    platform: str
    title: str | None
    description: str
    hashtags: list[str]
    caption: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "title": self.title,
            "description": self.description,
            "hashtags": self.hashtags,
            "caption": self.caption,
        }


# --------------------------------------------------------------------------- helpers


def estimate_seconds(script: Script, wpm: float) -> float:
    """Seconds the script takes to say at ``wpm`` words per minute."""
    return script.word_count() * 60.0 / wpm if wpm > 0 else 0.0


def _words(text: str) -> int:
    return len(text.split())


def _speed_for(wpm: float, base_wpm: int) -> float:
    speed = round(wpm / base_wpm, 2)
    return min(MAX_SPEED, max(MIN_SPEED, speed))


def _fmt_s(seconds: float) -> str:
    return f"{seconds:.0f} s"


# --------------------------------------------------------------------------- rules


Rule = Callable[[OptimiseInput], list[Suggestion]]


def rule_pace(inp: OptimiseInput) -> list[Suggestion]:
    pace = inp.preset.pace
    wpm = inp.wpm
    why = (
        f"{inp.preset.display_name} pace: {pace.min_wpm}–{pace.max_wpm} wpm, ideal "
        f"{pace.ideal_wpm}; the voice speaks about {inp.base_wpm} wpm at speed 1.0"
    )
    speed = _speed_for(pace.ideal_wpm, inp.base_wpm)
    now = f"now speed {inp.speed:.2f} ≈ {wpm:.0f} wpm"
    if wpm < pace.min_wpm:
        change = f"raise the pace to {pace.ideal_wpm} wpm: voice speed {speed:.2f} ({now})"
        return [Suggestion("pace.too_slow", "warning", change, why, True, pace.source)]
    if wpm > pace.max_wpm:
        change = f"lower the pace to {pace.ideal_wpm} wpm: voice speed {speed:.2f} ({now})"
        return [Suggestion("pace.too_fast", "warning", change, why, True, pace.source)]
    return []


def rule_duration(inp: OptimiseInput) -> list[Suggestion]:
    preset = inp.preset
    script_range = preset.script
    seconds = inp.seconds()
    words = inp.script.word_count()
    now = f"now {words} words ≈ {seconds:.0f} s at {inp.wpm:.0f} wpm"
    why = (
        f"{preset.display_name}: ideal "
        f"{script_range.ideal_min_s:g}–{script_range.ideal_max_s:g} s, "
        f"our cap {script_range.max_s:g} s, the platform accepts "
        f"{preset.duration.min_s:g}–{preset.duration.max_s:g} s"
    )
    source = f"{preset.duration.source}; {script_range.source}"
    if seconds > script_range.max_s:
        target = script_range.max_s
        severity: Severity = "error" if seconds > preset.duration.max_s else "warning"
        rule = "duration.over_platform_max" if severity == "error" else "duration.over_cap"
        target_words = int(target * inp.wpm / 60)
        dropped = scenes_to_drop(inp.script, target, inp.wpm)
        how = f"drop the last {dropped} scene(s)" if dropped else "shorten the narration"
        change = f"cut to {target:g} s, about {target_words} words: {how} ({now})"
        return [Suggestion(rule, severity, change, why, dropped is not None, source)]
    if seconds > script_range.ideal_max_s:
        target = script_range.ideal_max_s
        target_words = int(target * inp.wpm / 60)
        change = f"cut to {target:g} s, about {target_words} words ({now})"
        return [Suggestion("duration.over_ideal", "info", change, why, False, source)]
    if seconds < preset.duration.min_s:
        change = f"lengthen to at least {preset.duration.min_s:g} s ({now})"
        return [Suggestion("duration.under_min", "error", change, why, False, source)]
    if seconds < script_range.ideal_min_s:
        target_words = int(script_range.ideal_min_s * inp.wpm / 60)
        change = f"lengthen to {script_range.ideal_min_s:g} s, about {target_words} words ({now})"
        return [Suggestion("duration.under_ideal", "info", change, why, False, source)]
    return []


def scenes_to_drop(script: Script, target_s: float, wpm: float) -> int | None:
    """How many scenes to drop from the end (before the call to action) so the script fits
    ``target_s``; None when even one scene is too long."""
    words = script.word_count()
    limit = target_s * wpm / 60
    dropped = 0
    for scene in reversed(script.scenes[1:]):
        if words <= limit:
            break
        words -= _words(scene.narration)
        dropped += 1
    return dropped if words <= limit else None


def hook_limit(inp: OptimiseInput) -> int:
    """The most words said within the profile's hook window end (``hook.max_s``)."""
    return max(1, int(inp.preset.hook.max_s * inp.wpm / 60))


def split_hook(hook: str, limit: int) -> tuple[str, str] | None:
    """The hook cut at its last clause mark that keeps at most ``limit`` words (and at least
    ``MIN_HOOK_WORDS``): ``(short hook, the rest)``; None when there is no such mark."""
    words = hook.split()
    marks = [
        index
        for index, word in enumerate(words[:limit], start=1)
        if MIN_HOOK_WORDS <= index < len(words) and word.endswith(_CLAUSE_MARKS)
    ]
    if not marks:
        return None
    # a sentence end leaves two whole sentences; otherwise the last clause mark that fits
    ends = [i for i in marks if words[i - 1].endswith((".", "!", "?", "…"))]
    best = (ends or marks)[-1]
    head = " ".join(words[:best]).rstrip(",;:—–").strip()
    if not head.endswith((".", "!", "?", "…")):
        head += "."
    rest = " ".join(words[best:]).strip()
    return head, rest[:1].upper() + rest[1:]


def rule_hook(inp: OptimiseInput) -> list[Suggestion]:
    preset = inp.preset
    hook = preset.hook
    words = _words(inp.script.hook)
    limit = hook_limit(inp)
    said = words * 60 / inp.wpm
    suggestions: list[Suggestion] = []
    why = (
        f"{preset.display_name}: the hook's point lands by {hook.window_s:g} s and the whole "
        f"hook is said by {hook.max_s:g} s; at {inp.wpm:.0f} wpm that is at most {limit} words"
    )
    if words > limit:
        split = split_hook(inp.script.hook, limit)
        if split:
            change = (
                f'move the hook into the first {hook.max_s:g} s: keep "{split[0]}" and open '
                f"the first scene with the rest (now {words} words ≈ {said:.1f} s)"
            )
        else:
            change = (
                f"shorten the hook to at most {limit} words so it ends by {hook.max_s:g} s "
                f"(now {words} words ≈ {said:.1f} s)"
            )
        suggestions.append(
            Suggestion("hook.too_long", "warning", change, why, split is not None, hook.source)
        )
    return suggestions


def rule_hook_strength(inp: OptimiseInput, library: HookLibrary | None = None) -> list[Suggestion]:
    lib = library or inp.hook_library or bundled_library()
    script = inp.script
    context = hook_context(script.topic, script, inp.preset, language=script.language, library=lib)
    current = score_hook(script.hook, "current", context, library=lib, source="script")
    weak_below = lib.scoring.weak_below
    if current.score >= weak_below:
        return []
    weakest = sorted(
        current.components, key=lambda c: c.points / c.max_points if c.max_points else 1
    )
    low = ", ".join(f"{c.name} {c.points:g}/{c.max_points:g}" for c in weakest[:2])
    best_text = ""
    if lib.language(script.language) is not None:
        scored = [
            score_hook(text, kind, context, library=lib)
            for text, kind in template_hooks(context, lib)
        ]
        if scored:
            best = max(scored, key=lambda h: (h.score, -len(h.text)))
            if best.score > current.score:
                best_text = f'; e.g. "{best.text}" scores {best.score}'
    change = f"try a stronger hook (`vo hooks --script FILE`){best_text}"
    why = f"the hook scores {current.score}/100 (under {weak_below}); weakest: {low}"
    return [Suggestion("hook.weak", "info", change, why, False, "heuristic: the hook score")]


def rule_cta(inp: OptimiseInput) -> list[Suggestion]:
    cta = inp.preset.call_to_action
    if not cta.required or inp.script.call_to_action.strip():
        return []
    text = default_cta(inp)
    change = f'end on a call to action, e.g. "{text}"'
    why = f"{inp.preset.display_name}: end on one short ask (follow, comment, save or share)"
    return [Suggestion("cta.missing", "warning", change, why, True, cta.source)]


def default_cta(inp: OptimiseInput, library: HookLibrary | None = None) -> str:
    """The platform's call to action in the script's language (the hook templates' own
    when the language has one for the platform, else the platform profile's)."""
    script = inp.script
    topic = shorten(one_line(short_topic(script.topic, script, script.language)), 60)
    lang = (library or bundled_library()).language(script.language)
    own = lang.calls_to_action.get(inp.preset.name) if lang is not None else None
    text = (own or inp.preset.call_to_action.default).replace("{topic}", topic)
    return lang.contract(text) if lang is not None else text


def rule_hashtags(inp: OptimiseInput) -> list[Suggestion]:
    rule = inp.preset.hashtags
    tags = list(inp.script.hashtags)
    planned = plan_hashtags(inp.script, inp.preset)
    broad = [t for t in tags if rule.is_broad(t)]
    niche = [t for t in tags if not rule.is_broad(t)]
    why = (
        f"{inp.preset.display_name}: {rule.min}–{rule.max} hashtags, at most {rule.broad_max} "
        f"broad and at least {rule.niche_min} niche"
    )
    shown = " ".join(f"#{t}" for t in planned) or "(none)"
    auto = planned != tags
    out: list[Suggestion] = []
    if len(tags) > rule.max:
        change = f"use {rule.min}–{rule.max} hashtags, not {len(tags)}: {shown}"
        out.append(Suggestion("hashtags.too_many", "warning", change, why, auto, rule.source))
    elif len(tags) < rule.min:
        fits = len(planned) >= rule.min
        change = f"use {rule.min}–{rule.max} hashtags, not {len(tags)}" + (
            f": {shown}" if fits else ": add niche ones about the topic"
        )
        out.append(Suggestion("hashtags.too_few", "info", change, why, fits, rule.source))
    if len(broad) > rule.broad_max:
        listed = " ".join(f"#{t}" for t in broad)
        change = f"keep at most {rule.broad_max} broad hashtag(s) of {listed}: {shown}"
        out.append(Suggestion("hashtags.too_broad", "warning", change, why, auto, rule.source))
    if len(niche) < rule.niche_min and tags:
        fits = sum(1 for t in planned if not rule.is_broad(t)) >= rule.niche_min
        change = f"add niche hashtags about the topic (now {len(niche)})" + (
            f": {shown}" if fits else ""
        )
        out.append(Suggestion("hashtags.no_niche", "info", change, why, fits, rule.source))
    return out


def plan_hashtags(script: Script, preset: PlatformPreset) -> list[str]:
    """The hashtags to post: the script's own, at most ``broad_max`` broad ones and enough
    niche ones (topic and scene keywords added when short), ``min``–``max`` in all."""
    rule = preset.hashtags
    tags = list(script.hashtags)
    broad = [t for t in tags if rule.is_broad(t)][: rule.broad_max]
    niche = [t for t in tags if not rule.is_broad(t)]
    chosen_niche = niche[: max(0, rule.max - len(broad))]
    want = max(rule.min - len(broad) - len(chosen_niche), rule.niche_min - len(chosen_niche), 0)
    if want:
        have = {tag_key(t, script.language) for t in [*broad, *chosen_niche]}
        for candidate in hashtag_candidates(script):
            if want <= 0:
                break
            if tag_key(candidate, script.language) in have or rule.is_broad(candidate):
                continue
            chosen_niche.append(candidate)
            have.add(tag_key(candidate, script.language))
            want -= 1
    keep = {t.casefold() for t in [*broad, *chosen_niche]}
    ordered = [t for t in tags if t.casefold() in keep]
    ordered += [t for t in chosen_niche if t not in ordered]
    return ordered[: rule.max]


def hashtag_candidates(script: Script) -> list[str]:
    """Niche hashtags: a short topic's nouns joined (``deepocean``), then each of them, then the
    scene keywords that are nouns (:func:`~video_orchestrator.pipeline.keywords.taggable`),
    one per lemma; never a verb, a unit, a number or a generic word."""
    language = script.language
    words = [t for t in (taggable(w, language) for w in script.topic.split()) if t]
    candidates: list[str] = []
    joined = "".join(w.casefold() for w in words)
    if 2 <= len(words) <= 3 and len(script.topic.split()) <= 4 and len(joined) <= 25:
        candidates.append(joined)
    candidates.extend(w for w in words if len(w) >= MIN_LETTERS)
    for scene in script.scenes:
        for keyword in scene.keywords:
            tag = taggable(keyword, language) if " " not in keyword.strip() else None
            if tag is None and " " in keyword.strip():
                parts = [taggable(w, language) for w in keyword.split()]
                tag = "".join(p for p in parts if p) if all(parts) else None
            if tag and len(tag) >= MIN_LETTERS:
                candidates.append(tag)
    return unique_tags(candidates, language)


def rule_title(inp: OptimiseInput) -> list[Suggestion]:
    text = inp.preset.post_text
    title = inp.script.title
    out: list[Suggestion] = []
    if text.title_max_chars is not None and len(title) > text.title_max_chars:
        change = (
            f"shorten the title to {text.title_max_chars} characters (now {len(title)}): "
            f'"{shorten(title, text.title_max_chars)}"'
        )
        why = f"{inp.preset.display_name} titles: at most {text.title_max_chars} characters"
        out.append(Suggestion("title.too_long", "error", change, why, True, text.source))
    elif len(title) > text.title_visible_chars:
        change = (
            f"put the title's point in its first {text.title_visible_chars} characters "
            f"(now {len(title)}): the rest is cut off"
        )
        why = (
            f"{inp.preset.display_name} shows about {text.title_visible_chars} characters "
            "before cutting the title"
        )
        out.append(Suggestion("title.truncated", "info", change, why, False, text.source))
    return out


def rule_description(inp: OptimiseInput) -> list[Suggestion]:
    out: list[Suggestion] = []
    text = inp.preset.post_text
    if not inp.script.description.strip():
        change = f'add a description, e.g. "{default_description(inp.script)}"'
        why = "the post text is what search and the feed show under the video"
        out.append(Suggestion("description.missing", "info", change, why, True, text.source))
    if text.caption_max_chars is not None:
        full = _caption(inp.script, inp.preset, inp.script.description)
        if len(full) > text.caption_max_chars:
            change = (
                f"shorten the post text to {text.caption_max_chars} characters "
                f"(now {len(full)}): cut the description"
            )
            why = (
                f"{inp.preset.display_name} post text: at most {text.caption_max_chars} characters"
            )
            out.append(Suggestion("caption.too_long", "error", change, why, True, text.source))
    return out


def default_description(script: Script) -> str:
    sentences = sentences_by_punctuation(script.scenes[0].narration)
    first = sentences[0] if sentences else script.scenes[0].narration
    return shorten(one_line(f"{script.hook} {first}"), 200)


def rule_caption_style(inp: OptimiseInput) -> list[Suggestion]:
    advice = inp.preset.captions
    if inp.caption_style == advice.style:
        return []
    change = f"use the {advice.style} caption style (now {inp.caption_style})"
    why = f"{inp.preset.display_name}: {advice.style} captions recommended"
    return [Suggestion("captions.style", "info", change, why, True, advice.source)]


RULES: tuple[Rule, ...] = (
    rule_duration,
    rule_pace,
    rule_hook,
    rule_hook_strength,
    rule_cta,
    rule_hashtags,
    rule_title,
    rule_description,
    rule_caption_style,
)


def planned_pace(inp: OptimiseInput) -> OptimiseInput:
    """``inp`` at the speed the pace rule suggests (unchanged when the pace is fine): the
    length and hook rules judge the video as it will be spoken."""
    if rule_pace(inp):
        return replace(inp, speed=_speed_for(inp.preset.pace.ideal_wpm, inp.base_wpm))
    return inp


def analyse(inp: OptimiseInput) -> list[Suggestion]:
    """Every suggestion for the script on the platform, most serious first. The length and
    hook rules assume the suggested pace when the pace rule fires."""
    suggestions: list[Suggestion] = []
    planned = planned_pace(inp)
    for rule in RULES:
        suggestions.extend(rule(inp if rule in (rule_pace, rule_caption_style) else planned))
    rank = {severity: index for index, severity in enumerate(SEVERITIES)}
    return sorted(suggestions, key=lambda s: rank[s.severity])


# --------------------------------------------------------------------------- apply


def apply(inp: OptimiseInput) -> Applied:
    """Make every automatic change: pace, call to action, hook split, length, hashtags,
    title, description and caption style. Returns the new script and settings, the changes
    made and the suggestions that remain (manual ones)."""
    changes: list[Change] = []
    current = inp

    for suggestion in rule_pace(current):
        speed = _speed_for(current.preset.pace.ideal_wpm, current.base_wpm)
        current = replace(current, speed=speed)
        changes.append(
            Change(
                suggestion.rule,
                f"voice speed {inp.speed:.2f} → {speed:.2f} (≈ {current.wpm:.0f} wpm)",
            )
        )

    if rule_cta(current):
        text = default_cta(current)
        current = _with(current, call_to_action=text)
        changes.append(Change("cta.missing", f'added the call to action "{text}"'))

    for suggestion in rule_hook(current):
        split = split_hook(current.script.hook, hook_limit(current))
        if suggestion.auto and split:
            head, rest = split
            first = current.script.scenes[0]
            scenes = [
                Scene(narration=f"{rest} {first.narration}", keywords=first.keywords),
                *current.script.scenes[1:],
            ]
            current = _with(current, hook=head, scenes=scenes)
            changes.append(
                Change(suggestion.rule, f'hook shortened to "{head}"; "{rest}" opens scene 1')
            )

    for suggestion in rule_duration(current):
        if not suggestion.auto:
            continue
        dropped = scenes_to_drop(current.script, current.preset.script.max_s, current.wpm)
        if dropped:
            before = current.seconds()
            scenes = current.script.scenes[: len(current.script.scenes) - dropped]
            current = _with(current, scenes=scenes)
            changes.append(
                Change(
                    suggestion.rule,
                    f"dropped the last {dropped} scene(s): ≈ {before:.0f} s → "
                    f"{current.seconds():.0f} s",
                )
            )

    planned = plan_hashtags(current.script, current.preset)
    if planned != current.script.hashtags and any(s.auto for s in rule_hashtags(current)):
        before_tags = " ".join(f"#{t}" for t in current.script.hashtags) or "(none)"
        current = _with(current, hashtags=planned)
        after_tags = " ".join(f"#{t}" for t in planned) or "(none)"
        changes.append(Change("hashtags", f"hashtags {before_tags} → {after_tags}"))

    for suggestion in rule_title(current):
        limit = current.preset.post_text.title_max_chars
        if suggestion.auto and limit is not None:
            title = shorten(current.script.title, limit)
            current = _with(current, title=title)
            changes.append(Change(suggestion.rule, f'title shortened to "{title}"'))

    for suggestion in rule_description(current):
        if suggestion.rule == "description.missing":
            text = default_description(current.script)
            current = _with(current, description=text)
            changes.append(Change(suggestion.rule, f'added the description "{text}"'))
    limit = current.preset.post_text.caption_max_chars
    if limit is not None and any(s.rule == "caption.too_long" for s in rule_description(current)):
        description = fit_description(current.script, current.preset, limit)
        current = _with(current, description=description)
        changes.append(
            Change("caption.too_long", f"description cut to {len(description)} characters")
        )

    for suggestion in rule_caption_style(current):
        style = current.preset.captions.style
        changes.append(Change(suggestion.rule, f"caption style {current.caption_style} → {style}"))
        current = replace(current, caption_style=style)

    remaining = analyse(current)
    return Applied(
        script=current.script,
        speed=current.speed,
        caption_style=current.caption_style,
        changes=changes,
        remaining=remaining,
    )


def _with(inp: OptimiseInput, **update: Any) -> OptimiseInput:
    script = Script.model_validate({**inp.script.model_dump(), **update})
    return replace(inp, script=script)


# --------------------------------------------------------------------------- metadata


def _caption(script: Script, preset: PlatformPreset, description: str) -> str:
    tags = " ".join(f"#{tag}" for tag in script.hashtags)
    title = script.title.strip()
    repeated = description.casefold().startswith(title.rstrip(" .…").casefold())
    parts = [title] if preset.post_text.title_in_caption and not repeated else []
    parts += [description.strip(), tags]
    return "\n\n".join(part for part in parts if part)


def fit_description(script: Script, preset: PlatformPreset, limit: int) -> str:
    """The description cut so the whole post text fits ``limit`` characters."""
    overhead = len(_caption(script, preset, "x")) - 1
    room = max(1, limit - overhead)
    return shorten(script.description, room)


def post_metadata(script: Script, preset: PlatformPreset) -> PostMetadata:
    """The title, description, hashtags and whole post text for ``preset``, within its
    limits (the title and post text are cut at word boundaries when over)."""
    text = preset.post_text
    title = script.title
    if text.title_max_chars is not None:
        title = shorten(title, text.title_max_chars)
    description = script.description
    if text.caption_max_chars is not None:
        fitted = script.model_copy(update={"title": title})
        if len(_caption(fitted, preset, description)) > text.caption_max_chars:
            description = fit_description(fitted, preset, text.caption_max_chars)
    fitted = script.model_copy(update={"title": title})
    return PostMetadata(
        platform=preset.name,
        title=None if text.title_in_caption else title,
        description=description,
        hashtags=[f"#{tag}" for tag in script.hashtags],
        caption=_caption(fitted, preset, description),
    )


def severity_counts(suggestions: Sequence[Suggestion]) -> dict[str, int]:
    return {
        severity: sum(1 for s in suggestions if s.severity == severity) for severity in SEVERITIES
    }
