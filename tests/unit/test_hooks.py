"""Hook scoring (one table per component), templates, de-duplication, selection, and the
language-model path (FakeLLM and a real local chat-completions server)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.contract.test_llm_openai_compat import ChatServer, Reply, closed_port, completion
from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.errors import ConfigError, ProviderError, ProviderUnavailable, ScriptError
from video_orchestrator.pipeline.hooks import (
    HookContext,
    HookLibrary,
    ScoredHook,
    bundled_library,
    deduplicate,
    generate_hooks,
    hook_context,
    hooks_from_answer,
    hooks_request,
    number_phrases,
    placeholders,
    score_hook,
    select,
    short_topic,
    template_hooks,
)
from video_orchestrator.platforms import get_preset
from video_orchestrator.providers.fake.llm import FakeLLM
from video_orchestrator.providers.openai_compat.llm import OpenAICompatibleLLM

#: TikTok's figures: 165 wpm, hook window 2 s, whole hook by 3 s → 5.5 and 8.25 words.
CTX = HookContext(
    topic="volcanoes in Iceland",
    language="en",
    platform="TikTok",
    wpm=165,
    window_s=2.0,
    max_s=3.0,
    subject_terms=frozenset({"volcano", "volcanoes", "iceland", "lava"}),
)


def points(text: str, component: str, context: HookContext = CTX) -> float:
    return score_hook(text, "question", context).component(component).points


def script_about_volcanoes() -> Script:
    return Script(
        topic="volcanoes in Iceland",
        title="Iceland's volcanoes",
        hook="Iceland sits on top of a crack in the Earth.",
        scenes=[
            Scene(
                narration="Iceland has 130 active volcanoes. Most of them sleep for centuries.",
                keywords=["volcano", "iceland"],
            ),
            Scene(
                narration="Eyjafjallajokull stopped 100,000 flights in 2010.",
                keywords=["ash cloud", "airport"],
            ),
            Scene(narration="Scientists watch them with satellites.", keywords=["satellite"]),
        ],
        call_to_action="Follow for more.",
        hashtags=["volcano", "iceland", "geology"],
    )


# --------------------------------------------------------------------------- components


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lava never stops.", 25.0),  # 3 words: all said by 2 s
        ("Iceland has one hundred and thirty volcanoes.", 25.0 * (5.5 / 7 + 1) / 2),  # 7 words
        (
            "One two three four five six seven eight nine ten eleven",
            25.0 * (5.5 / 11 + 8.25 / 11) / 2,
        ),
    ],
)
def test_timing_is_the_share_said_by_the_window_and_by_the_end(text: str, expected: float) -> None:
    assert points(text, "timing") == pytest.approx(expected, abs=0.06)


def test_timing_uses_the_platform_pace() -> None:
    text = "Seven words are said here right now."
    slow = HookContext(**{**CTX.__dict__, "wpm": 120})
    fast = HookContext(**{**CTX.__dict__, "wpm": 210})
    assert points(text, "timing", slow) < points(text, "timing", CTX) < points(text, "timing", fast)
    reason = score_hook(text, "x", CTX).component("timing").reason
    assert "7 words" in reason and "165 wpm" in reason and "2 s" in reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lava is hot.", 0.0),
        ("Why is lava hot", 12.0),  # one cue ("why") → 60 %
        ("Why is lava hot?", 20.0),  # two cues ("why" and "?")
        ("Nobody knows the secret of lava.", 20.0),
    ],
)
def test_curiosity_counts_open_loop_cues(text: str, expected: float) -> None:
    assert points(text, "curiosity") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It is what it is.", 0.0),  # nothing concrete
        ("Lava moves.", 20.0 * (1 + 0.5) / 3),  # a subject word, a plain word (half)
        ("Lava covered Reykjavik and Iceland.", 20.0),  # names and subject words: full
        ("Lava and stuff and things.", 0.0),  # 1 subject word, 2 vague ones (minus 2 × 0.34)
    ],
)
def test_specificity_rewards_concrete_words_and_names(text: str, expected: float) -> None:
    assert points(text, "specificity") == pytest.approx(expected, abs=0.06)


def test_specificity_reason_names_the_words() -> None:
    reason = score_hook("Lava covered Reykjavik.", "x", CTX).component("specificity").reason
    assert '"Reykjavik"' in reason and '"Lava"' in reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lava is hot.", 0.0),
        ("Lava is 1,200 degrees hot.", 15.0),
        ("Three volcanoes erupted.", 15.0),
        ("Lava covers 10% of Iceland.", 15.0),
    ],
)
def test_a_number_scores_the_number_points(text: str, expected: float) -> None:
    assert points(text, "numbers") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Lava is hot.", 0.0), ("You would not touch lava.", 10.0), ("Your lava is hot.", 10.0)],
)
def test_second_person_scores_the_you_points(text: str, expected: float) -> None:
    assert points(text, "you") == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [(2, 10 * 2 / 5), (5, 10.0), (12, 10.0), (17, 10 * 8 / 13), (25, 0.0), (30, 0.0)],
)
def test_length_has_a_sweet_spot(words: int, expected: float) -> None:
    text = " ".join(["lava"] * words)
    assert points(text, "length") == pytest.approx(expected, abs=0.06)


def test_total_is_the_sum_of_the_components_and_at_most_100() -> None:
    hook = score_hook("Did you know 130 volcanoes hide in Iceland?", "question", CTX)
    assert hook.score == round(sum(part.points for part in hook.components))
    assert sum(part.max_points for part in hook.components) == 100
    assert 0 <= hook.score <= 100
    assert [part.name for part in hook.components] == [
        "timing", "curiosity", "specificity", "numbers", "you", "length",
    ]  # fmt: skip
    assert all(reason for reason in hook.reasons)


def test_a_strong_hook_beats_a_weak_one() -> None:
    strong = score_hook("Why do 130 volcanoes hide under your feet in Iceland?", "q", CTX)
    weak = score_hook("This is a video about some things that are interesting.", "q", CTX)
    assert strong.score > 70 > 30 > weak.score


# --------------------------------------------------------------------------- context


def test_context_takes_facts_numbers_and_the_platform_pace() -> None:
    context = hook_context("volcanoes in Iceland", script_about_volcanoes(), get_preset("tiktok"))
    assert (context.wpm, context.window_s, context.max_s) == (165, 2.0, 3.0)
    assert "Iceland has 130 active volcanoes" in context.stat_facts
    assert "most of them sleep for centuries" in context.facts  # lower-cased starter
    assert context.numbers[:2] == ("130 active", "100,000 flights")
    assert {"volcano", "iceland", "satellite"} <= context.subject_terms
    assert context.n == 3


def test_number_phrases_keep_units() -> None:
    lang = bundled_library().scoring_language("en")
    found = number_phrases("It is 90 % water, 3 billion years old, 2010.", frozenset(), lang)
    assert found == ["90%", "3 billion", "2010"]


def test_short_topic_for_a_sentence_long_topic() -> None:
    script = script_about_volcanoes()
    assert short_topic("volcanoes in Iceland", script) == "volcanoes in Iceland"
    long = "Here is the thing about the volcanoes nobody ever hears about"
    assert short_topic(long, script) == "Iceland"


# --------------------------------------------------------------------------- templates


def test_templates_fill_in_and_are_deterministic() -> None:
    context = hook_context("volcanoes in Iceland", script_about_volcanoes(), get_preset("tiktok"))
    first = template_hooks(context, bundled_library())
    assert first == template_hooks(context, bundled_library())
    texts = [text for text, _ in first]
    assert "Did you know that Iceland has 130 active volcanoes?" in texts
    assert "130 active. That one number explains volcanoes in Iceland." in texts
    assert all("{" not in text and "}" not in text for text in texts)
    assert {kind for _, kind in first} >= {"question", "statistic", "story", "how_to"}


def test_templates_without_a_script_skip_the_fact_placeholders() -> None:
    context = hook_context("volcanoes in Iceland", None, get_preset("tiktok"))
    texts = [text for text, _ in template_hooks(context, bundled_library())]
    assert texts and not any(text.startswith("Did you know that") for text in texts)


def test_a_how_to_topic_becomes_the_task() -> None:
    context = hook_context("how to bake bread", None, get_preset("tiktok"))
    texts = [text for text, _ in template_hooks(context, bundled_library())]
    assert "How to bake bread in three simple steps." in texts
    assert not any("about how to bake bread" in text.casefold() for text in texts if "?" in text)


def test_every_bundled_template_uses_known_placeholders() -> None:
    library = bundled_library()
    for lang in library.languages.values():
        for kind, templates in lang.templates.items():
            assert kind in library.types
            for template in templates:
                assert placeholders(template)


def test_unknown_placeholder_in_a_templates_file(tmp_path: Any) -> None:
    document = json.loads(
        bundled_library().model_dump_json()  # a valid document to break
    )
    document["languages"]["en"]["templates"]["question"] = ["What about {planet}?"]
    path = tmp_path / "hooks.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ConfigError, match="planet"):
        HookLibrary.load(path)


def test_a_language_without_templates_is_a_clear_error() -> None:
    context = HookContext(**{**CTX.__dict__, "language": "pl"})  # none of the eight
    with pytest.raises(ScriptError, match="no language 'pl'"):
        generate_hooks(context, count=5)


# --------------------------------------------------------------------------- selection


def _hook(text: str, kind: str, score: int) -> ScoredHook:
    return ScoredHook(text=text, type=kind, score=score, components=())


def test_deduplicate_drops_repeats_and_near_repeats_keeping_the_better() -> None:
    hooks = [
        _hook("Lava is hot.", "bold_claim", 40),
        _hook("lava is HOT!", "bold_claim", 60),
        _hook("Why is lava so hot in Iceland", "question", 50),
        _hook("Why is lava so hot in Iceland today", "question", 30),  # 7/8 words shared
        _hook("Volcanoes sleep for centuries.", "statistic", 20),
    ]
    kept = deduplicate(hooks, overlap=0.8)
    assert [h.text for h in kept] == [
        "lava is HOT!", "Why is lava so hot in Iceland", "Volcanoes sleep for centuries.",
    ]  # fmt: skip


def test_select_prefers_variety_then_score_and_sorts_by_score() -> None:
    hooks = [
        _hook("a1", "question", 90),
        _hook("a2", "question", 85),
        _hook("b1", "story", 40),
        _hook("c1", "statistic", 50),
    ]
    chosen = select(hooks, 3, ["question", "story", "statistic"])
    assert [h.text for h in chosen] == ["a1", "c1", "b1"]
    assert [h.text for h in select(hooks, 4, ["question"])] == ["a1", "a2", "c1", "b1"]


def test_generate_from_templates_sorted_unique_and_counted() -> None:
    context = hook_context("volcanoes in Iceland", script_about_volcanoes(), get_preset("tiktok"))
    result = generate_hooks(context, count=8, current="Iceland sits on a crack.")
    assert result.source == "template" and result.notice is None
    assert len(result.hooks) == 8
    scores = [h.score for h in result.hooks]
    assert scores == sorted(scores, reverse=True)
    assert len({h.text.casefold() for h in result.hooks}) == 8
    assert len({h.type for h in result.hooks}) >= 6
    assert result.current is not None and result.current.source == "script"
    again = generate_hooks(context, count=8, current="Iceland sits on a crack.")
    assert [h.text for h in again.hooks] == [h.text for h in result.hooks]


@pytest.mark.parametrize("count", [0, 11])
def test_count_out_of_range(count: int) -> None:
    with pytest.raises(ScriptError, match="1 to 10"):
        generate_hooks(CTX, count=count)


# --------------------------------------------------------------------------- the model


MODEL_ANSWER = {
    "hooks": [
        {"text": "Why do 130 volcanoes sleep under Iceland?", "type": "question"},
        {"text": "Iceland is splitting in two, and you can walk the gap.", "type": "bold_claim"},
        {"text": "In 2010 one volcano grounded 100,000 flights.", "type": "statistic"},
        {"text": "why do 130 volcanoes sleep under Iceland", "type": "question"},  # repeat
        {"text": "Try to say Eyjafjallajokull in one breath.", "type": "challenge"},
        {"text": "A farmer watched a volcano rise in his field.", "type": "story"},
        {"text": "   ", "type": "story"},  # blank: dropped
    ]
}


def test_model_hooks_are_scored_deduplicated_and_sorted() -> None:
    llm = FakeLLM(answer=MODEL_ANSWER)
    result = generate_hooks(CTX, count=5, llm=llm)
    assert result.source == "llm" and result.notice is None
    assert len(result.hooks) == 5
    assert {h.source for h in result.hooks} == {"llm"}
    assert len({h.text.casefold().rstrip("?") for h in result.hooks}) == 5
    scores = [h.score for h in result.hooks]
    assert scores == sorted(scores, reverse=True)
    request = llm.requests[0]
    assert "Write 5 hooks" in request.user and "volcanoes in Iceland" in request.user
    assert "at most 8 words" in request.system and "165 words per minute" in request.system
    assert request.schema["properties"]["hooks"]["minItems"] == 5


def test_too_few_model_hooks_are_topped_up_from_the_templates() -> None:
    answer = {"hooks": [{"text": "Why do 130 volcanoes sleep under Iceland?", "type": "question"}]}
    result = generate_hooks(CTX, count=5, llm=FakeLLM(answer=answer))
    assert len(result.hooks) == 5
    assert [h.source for h in result.hooks].count("llm") == 1
    assert result.notice is not None and "added 4 from the templates" in result.notice


@pytest.mark.parametrize(
    "llm",
    [
        FakeLLM(error=ProviderUnavailable("connection refused")),
        FakeLLM(error=ProviderError("HTTP 500")),
        FakeLLM(answer={"hooks": "not a list"}),
        FakeLLM(answer={"hooks": [{"text": "", "type": "question"}]}),
    ],
)
def test_a_failing_model_falls_back_to_the_templates_with_one_notice(llm: FakeLLM) -> None:
    result = generate_hooks(CTX, count=5, llm=llm)
    assert result.source == "template"
    assert len(result.hooks) == 5 and {h.source for h in result.hooks} == {"template"}
    assert result.notice is not None and "\n" not in result.notice
    assert result.notice.startswith("the language model at fake.invalid failed (")
    assert result.notice.endswith("used the hook templates instead")


def test_fake_llm_schema_answer_is_usable() -> None:
    result = generate_hooks(CTX, count=3, llm=FakeLLM())
    assert result.source == "llm" and result.hooks


def test_answer_parsing() -> None:
    types = bundled_library().types
    pairs = hooks_from_answer(
        {"hooks": [{"text": ' "Quoted hook." ', "type": "weird"}, {"text": 5}, "x"]}, types
    )
    assert pairs == [("Quoted hook.", "other")]
    with pytest.raises(ProviderError):
        hooks_from_answer({"nothing": []}, types)


def test_request_is_built_from_the_versioned_prompt() -> None:
    request = hooks_request(CTX, 6, bundled_library().types)
    assert "$" not in request.system and "$" not in request.user
    assert "(no script yet" in request.user
    assert request.schema_name == "hook_alternatives"
    item = request.schema["properties"]["hooks"]["items"]
    assert item["required"] == ["text", "type"] and "question" in item["properties"]["type"]["enum"]


# --------------------------------------------------------------------------- a real server


def test_an_openai_compatible_server_writes_the_hooks() -> None:
    with ChatServer() as server:
        server.replies.append(Reply(200, completion(json.dumps(MODEL_ANSWER))))
        llm = OpenAICompatibleLLM(base_url=server.base_url, api_key="sk-x", model="m", timeout=5)
        result = generate_hooks(CTX, count=5, llm=llm)
    assert result.source == "llm"
    sent = server.requests[0].body
    assert sent["response_format"]["type"] == "json_schema"
    assert "hooks" in json.dumps(sent["response_format"])
    assert result.hooks[0].text in {item["text"] for item in MODEL_ANSWER["hooks"]}


def test_a_server_error_and_a_down_server_fall_back_to_the_templates() -> None:
    with ChatServer() as server:
        server.replies.extend([Reply(500, {"error": {"message": "boom"}})] * 3)
        llm = OpenAICompatibleLLM(
            base_url=server.base_url, timeout=5, max_retries=0, sleep=lambda _: None
        )
        result = generate_hooks(CTX, count=5, llm=llm)
    assert result.source == "template" and result.notice and "127.0.0.1" in result.notice
    down = OpenAICompatibleLLM(base_url=f"http://127.0.0.1:{closed_port()}/v1", timeout=2)
    result = generate_hooks(CTX, count=5, llm=down)
    assert result.source == "template" and "hook templates instead" in (result.notice or "")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"timing": 50, "curiosity": 50}, "exactly"),
        ({"timing": 30, "curiosity": 20, "specificity": 20, "numbers": 15, "you": 10, "length": 10},
         "add up to 100"),
    ],
)  # fmt: skip
def test_scoring_weights_must_name_every_component_and_make_100(
    tmp_path: Any, weights: dict[str, int], message: str
) -> None:
    document = json.loads(bundled_library().model_dump_json())
    document["scoring"]["weights"] = weights
    path = tmp_path / "hooks.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        HookLibrary.load(path)


def test_a_topic_that_repeats_the_templates_word_is_not_doubled() -> None:
    from video_orchestrator.pipeline.hooks import _no_doubled_words

    assert _no_doubled_words("Ever wondered why why octopuses glow?") == (
        "Ever wondered why octopuses glow?"
    )
    assert _no_doubled_words("The the THE end") == "The end"
    assert _no_doubled_words("why whyte") == "why whyte"


def test_a_first_line_that_is_a_sentence_is_not_used_as_the_topic() -> None:
    from video_orchestrator.domain.script import Scene, Script
    from video_orchestrator.pipeline.hooks import short_topic

    script = Script(
        topic="Octopuses are interesting.",
        title="Octopuses",
        hook="Octopuses are interesting.",
        scenes=[Scene(narration="An octopus has three hearts. Octopuses taste with arms.")],
    )
    assert short_topic(script.topic, script).casefold() == "octopuses"
    assert short_topic("deep sea fish", script) == "deep sea fish"
