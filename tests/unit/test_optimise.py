"""Platform optimisation: every rule as a table (script in → suggestion out), no suggestion
for a compliant script on any platform, apply(), and the post text per platform."""

from __future__ import annotations

from typing import Any

import pytest

from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.pipeline.optimise import (
    OptimiseInput,
    Suggestion,
    analyse,
    apply,
    estimate_seconds,
    plan_hashtags,
    post_metadata,
    split_hook,
)
from video_orchestrator.platforms import PlatformPreset, get_preset

GOOD_HOOK = "Why do 130 volcanoes sleep under Iceland?"
NAMES = ["tiktok", "youtube-shorts", "instagram-reels", "facebook-reels"]


def filler(words: int) -> str:
    """``words`` words of narration in sentences of eight."""
    pool = ["lava", "flows", "slowly", "across", "the", "black", "fields", "near", "Reykjavik"]
    out = [pool[i % len(pool)] for i in range(words)]
    sentences = [" ".join(out[i : i + 8]) for i in range(0, len(out), 8)]
    return ". ".join(s.capitalize() for s in sentences) + "."


def make_script(
    *,
    words: int = 70,
    scenes: int = 4,
    hook: str = GOOD_HOOK,
    cta: str = "Follow for more volcano facts.",
    hashtags: list[str] | None = None,
    title: str = "Why Iceland's volcanoes sleep",
    description: str = "Iceland's 130 volcanoes, explained in half a minute.",
    topic: str = "volcanoes in Iceland",
) -> Script:
    """A script of about ``words`` spoken words in all (hook and call to action included)."""
    rest = max(scenes, words - len(hook.split()) - len(cta.split()))
    per_scene = [rest // scenes + (1 if i < rest % scenes else 0) for i in range(scenes)]
    return Script(
        topic=topic,
        title=title,
        hook=hook,
        scenes=[
            Scene(narration=filler(n), keywords=["volcano", "lava", "iceland"]) for n in per_scene
        ],
        call_to_action=cta,
        description=description,
        hashtags=["volcano", "iceland", "geology"] if hashtags is None else hashtags,
    )


def compliant(preset: PlatformPreset) -> OptimiseInput:
    """A script that suits ``preset``: ideal pace and length, short hook, good hashtags."""
    wpm = preset.pace.ideal_wpm
    seconds = (preset.script.ideal_min_s + preset.script.ideal_max_s) / 2
    tags = ["volcano", "iceland", "geology", "lava"][: preset.hashtags.max]
    return OptimiseInput(
        script=make_script(words=round(seconds * wpm / 60), hashtags=tags),
        preset=preset,
        speed=wpm / 150,
        base_wpm=150,
        caption_style=preset.captions.style,
    )


def rules(inp: OptimiseInput) -> dict[str, Suggestion]:
    return {s.rule: s for s in analyse(inp)}


def tiktok(**script: Any) -> OptimiseInput:
    speed = script.pop("speed", 1.1)
    style = script.pop("caption_style", "karaoke")
    return OptimiseInput(
        script=make_script(**script), preset=get_preset("tiktok"), speed=speed,
        caption_style=style,
    )  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_a_compliant_script_gets_no_suggestion(name: str) -> None:
    inp = compliant(get_preset(name))
    assert analyse(inp) == []
    done = apply(inp)
    assert done.changes == [] and done.script == inp.script and done.remaining == []


# --------------------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("speed", "rule", "text"),
    [
        (1.0, "pace.too_slow", "raise the pace to 165 wpm: voice speed 1.10"),
        (1.5, "pace.too_fast", "lower the pace to 165 wpm: voice speed 1.10"),
    ],
)
def test_pace(speed: float, rule: str, text: str) -> None:
    found = rules(tiktok(speed=speed))
    assert set(found) == {rule}
    suggestion = found[rule]
    assert suggestion.severity == "warning" and suggestion.auto
    assert suggestion.change.startswith(text)
    assert "155–185 wpm" in suggestion.why and "heuristic" in suggestion.source


@pytest.mark.parametrize(
    ("platform", "words", "speed", "rule", "severity", "auto", "text"),
    [
        # 300 words at 155 wpm ≈ 116 s: over Facebook's 90 s
        ("facebook-reels", 300, 155 / 150, "duration.over_platform_max", "error", True,
         "cut to 60 s, about 155 words: drop the last 3 scene(s)"),
        # 200 words at 165 wpm ≈ 73 s: over our 60 s cap, under TikTok's 600 s
        ("tiktok", 200, 1.1, "duration.over_cap", "warning", True, "cut to 60 s, about 165 words"),
        # 110 words ≈ 40 s: over the ideal 21–34 s
        ("tiktok", 110, 1.1, "duration.over_ideal", "info", False, "cut to 34 s, about 93 words"),
        # 40 words ≈ 15 s: under the ideal
        ("tiktok", 40, 1.1, "duration.under_ideal", "info", False, "lengthen to 21 s, about 57"),
    ],
)  # fmt: skip
def test_duration(
    platform: str, words: int, speed: float, rule: str, severity: str, auto: bool, text: str
) -> None:
    inp = OptimiseInput(
        script=make_script(words=words, hashtags=["volcano", "iceland", "lava"][:3]),
        preset=get_preset(platform),
        speed=speed,
        caption_style=get_preset(platform).captions.style,
    )
    found = rules(inp)
    assert rule in found, found
    suggestion = found[rule]
    assert (suggestion.severity, suggestion.auto) == (severity, auto)
    assert suggestion.change.startswith(text), suggestion.change
    preset = get_preset(platform)
    assert f"{preset.script.ideal_min_s:g}–{preset.script.ideal_max_s:g} s" in suggestion.why


def test_duration_under_the_platform_minimum() -> None:
    inp = tiktok(words=6, scenes=1, hook="Lava is hot.", cta="")
    found = rules(inp)
    assert found["duration.under_min"].severity == "error"
    assert "at least 3 s" in found["duration.under_min"].change


def test_one_long_scene_cannot_be_cut_automatically() -> None:
    inp = OptimiseInput(
        script=make_script(words=300, scenes=1), preset=get_preset("facebook-reels"), speed=1.0
    )
    suggestion = rules(inp)["duration.over_platform_max"]
    assert not suggestion.auto and "shorten the narration" in suggestion.change


def test_the_length_rules_judge_the_suggested_pace() -> None:
    # 100 words: ≈ 40 s at 150 wpm (over the ideal), ≈ 36 s at the suggested 165 wpm
    found = rules(tiktok(words=100, speed=1.0))
    assert "at 165 wpm" in found["duration.over_ideal"].change


@pytest.mark.parametrize(
    ("hook", "auto", "text"),
    [
        (
            "Iceland has 130 volcanoes, and most of them are sleeping right under the farms.",
            True,
            'move the hook into the first 3 s: keep "Iceland has 130 volcanoes."',
        ),
        (
            "Iceland has one hundred and thirty volcanoes that sleep under farms and towns",
            False,
            "shorten the hook to at most 8 words so it ends by 3 s (now 13 words ≈ 4.7 s)",
        ),
    ],
)
def test_hook_too_long(hook: str, auto: bool, text: str) -> None:
    suggestion = rules(tiktok(hook=hook))["hook.too_long"]
    assert suggestion.auto is auto and suggestion.severity == "warning"
    assert suggestion.change.startswith(text), suggestion.change
    assert "by 2 s" in suggestion.why and "by 3 s" in suggestion.why


def test_split_hook_keeps_every_word() -> None:
    head, rest = split_hook("Lava is hot, but Icelanders grow bananas with it anyway.", 8) or (
        "",
        "",
    )
    assert (head, rest) == ("Lava is hot.", "But Icelanders grow bananas with it anyway.")
    assert split_hook("Lava, hot.", 8) is None  # under the three-word minimum


def test_a_weak_hook_gets_alternatives() -> None:
    suggestion = rules(tiktok(hook="This is about lava."))["hook.weak"]
    assert suggestion.severity == "info" and not suggestion.auto
    assert "vo hooks" in suggestion.change and "scores" in suggestion.change
    assert "/100 (under 50)" in suggestion.why


def test_missing_call_to_action() -> None:
    suggestion = rules(tiktok(cta=""))["cta.missing"]
    assert suggestion.auto and suggestion.severity == "warning"
    assert '"Follow for more about volcanoes in Iceland."' in suggestion.change


@pytest.mark.parametrize(
    ("tags", "expected", "text"),
    [
        (
            ["fyp", "viral", "foryou", "volcano", "iceland", "geology", "travel", "nature",
             "science", "earth", "explore", "trending"],
            {"hashtags.too_many", "hashtags.too_broad"},
            "use 3–5 hashtags, not 12: #fyp #volcano #iceland #geology #travel",
        ),
        (["volcano"], {"hashtags.too_few", "hashtags.no_niche"},
         "use 3–5 hashtags, not 1: #volcano #volcanoiceland #iceland"),
        (["fyp", "viral", "volcano", "iceland"], {"hashtags.too_broad"}, "keep at most 1 broad"),
        (["fyp", "viral", "foryou", "volcano"], {"hashtags.too_broad", "hashtags.no_niche"}, ""),
    ],
)  # fmt: skip
def test_hashtags(tags: list[str], expected: set[str], text: str) -> None:
    found = {rule: s for rule, s in rules(tiktok(hashtags=tags)).items() if "hashtags" in rule}
    assert set(found) == expected
    assert all(s.auto for s in found.values())
    assert any(s.change.startswith(text) for s in found.values())
    assert all(
        "3–5 hashtags, at most 1 broad and at least 2 niche" in s.why for s in found.values()
    )


def test_planned_hashtags_keep_the_mix() -> None:
    preset = get_preset("tiktok")
    script = make_script(hashtags=["fyp", "viral", "foryou", "volcano"])
    planned = plan_hashtags(script, preset)
    assert planned[:2] == ["fyp", "volcano"]
    assert 3 <= len(planned) <= 5
    assert sum(preset.hashtags.is_broad(t) for t in planned) == 1


def test_title_over_the_platform_limit() -> None:
    base = get_preset("youtube-shorts")
    preset = base.model_copy(
        update={"post_text": base.post_text.model_copy(update={"title_max_chars": 20})}
    )
    inp = OptimiseInput(script=make_script(), preset=preset, speed=1.1)
    suggestion = rules(inp)["title.too_long"]
    assert suggestion.severity == "error" and suggestion.auto
    assert "at most 20 characters" in suggestion.why
    assert len(apply(inp).script.title) <= 20


def test_title_longer_than_the_visible_part() -> None:
    inp = OptimiseInput(
        script=make_script(
            title="Why the one hundred and thirty volcanoes of Iceland never wake up"
        ),
        preset=get_preset("youtube-shorts"),
        speed=1.1,
    )
    suggestion = rules(inp)["title.truncated"]
    assert suggestion.severity == "info" and not suggestion.auto
    assert "first 60 characters" in suggestion.change


def test_missing_description_and_too_long_post_text() -> None:
    found = rules(tiktok(description=""))
    assert found["description.missing"].auto
    long = rules(tiktok(description="Lava. " * 366))  # 2196 characters + title + hashtags
    suggestion = long["caption.too_long"]
    assert suggestion.severity == "error" and "at most 2200 characters" in suggestion.why


def test_caption_style_recommendation() -> None:
    preset = get_preset("instagram-reels")
    inp = compliant(preset)
    found = rules(OptimiseInput(**{**inp.__dict__, "caption_style": "karaoke"}))
    assert set(found) == {"captions.style"}
    assert found["captions.style"].change == "use the pop caption style (now karaoke)"


def test_suggestions_are_sorted_by_severity() -> None:
    inp = OptimiseInput(
        script=make_script(words=300, cta="", hashtags=[f"tag{i}" for i in range(12)]),
        preset=get_preset("facebook-reels"),
        speed=1.0,
    )
    order = [s.severity for s in analyse(inp)]
    assert order == sorted(order, key=["error", "warning", "info"].index)


# --------------------------------------------------------------------------- apply


def test_apply_makes_every_automatic_change() -> None:
    inp = tiktok(
        speed=1.0,
        words=60,
        hook="Iceland has 130 volcanoes, and most of them are sleeping right under the farms.",
        cta="",
        description="",
        hashtags=["fyp", "viral", "foryou", "volcano", "iceland", "geology", "travel", "nature"],
        caption_style="pop",
    )
    done = apply(inp)
    changed = [c.rule for c in done.changes]
    assert changed == [
        "pace.too_slow", "cta.missing", "hook.too_long", "hashtags", "description.missing",
        "captions.style",
    ]  # fmt: skip
    assert done.speed == 1.1 and done.caption_style == "karaoke"
    script = done.script
    assert script.hook == "Iceland has 130 volcanoes."
    assert script.scenes[0].narration.startswith("And most of them are sleeping")
    assert script.call_to_action == "Follow for more about volcanoes in Iceland."
    assert script.hashtags == ["fyp", "volcano", "iceland", "geology", "travel"]
    assert script.description
    # every word of the old script is still said, plus the call to action
    assert script.word_count() == inp.script.word_count() + 7
    assert not [s for s in done.remaining if s.auto]


def test_apply_cuts_scenes_and_keeps_the_call_to_action() -> None:
    inp = OptimiseInput(
        script=make_script(words=300, scenes=6), preset=get_preset("facebook-reels"), speed=1.0
    )
    done = apply(inp)
    assert estimate_seconds(done.script, done.speed * 150) <= 60
    assert done.script.call_to_action == inp.script.call_to_action
    assert len(done.script.scenes) < 6
    assert any(c.rule == "duration.over_platform_max" for c in done.changes)


def test_apply_is_idempotent() -> None:
    once = apply(tiktok(speed=1.0, cta="", hashtags=["fyp", "viral", "volcano"]))
    again = apply(
        OptimiseInput(
            script=once.script, preset=get_preset("tiktok"), speed=once.speed,
            caption_style=once.caption_style,
        )
    )  # fmt: skip
    assert again.changes == [] and again.script == once.script


# --------------------------------------------------------------------------- metadata


def test_post_text_per_platform() -> None:
    script = make_script(hashtags=["volcano", "iceland"])
    shorts = post_metadata(script, get_preset("youtube-shorts"))
    assert shorts.title == script.title
    assert shorts.caption == f"{script.description}\n\n#volcano #iceland"
    tiktok_text = post_metadata(script, get_preset("tiktok"))
    assert tiktok_text.title is None
    assert tiktok_text.caption.startswith(script.title + "\n\n" + script.description)
    assert tiktok_text.hashtags == ["#volcano", "#iceland"]


def test_post_text_does_not_repeat_a_title_the_description_starts_with() -> None:
    script = make_script(title="Lava is hot", description="Lava is hot. Here is why.")
    text = post_metadata(script, get_preset("instagram-reels")).caption
    assert text.count("Lava is hot") == 1


def test_post_text_is_cut_to_the_platform_limit() -> None:
    script = make_script(description="Lava flows. " * 179)  # 2148 characters + title + tags
    meta = post_metadata(script, get_preset("instagram-reels"))
    assert len(meta.caption) <= 2200
    assert meta.caption.endswith("#volcano #iceland #geology")


def test_split_hook_prefers_a_sentence_end() -> None:
    hook = "Lava is hot. Really, it melts rock and steel in minutes."
    assert split_hook(hook, 8) == ("Lava is hot.", "Really, it melts rock and steel in minutes.")
