"""The user's own script: plain text or a script JSON file."""

from __future__ import annotations

import json
import re

import pytest

from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.errors import ScriptError
from video_orchestrator.pipeline.script_import import script_from_text

CATS = """# Why cats purr

Cats purr for many reasons. Most people think it means happiness! But that's only part of it.

Kittens purr while nursing, so their mother knows they are fine. Adult cats purr when stressed,
hurt, or even giving birth.

So next time your cat purrs, listen closely.
"""

LONG_PARAGRAPH = " ".join(
    f"Sentence number {i} talks about mountain rivers and their cold clear water."
    for i in range(1, 21)
)


def _spoken_words(script: Script) -> list[str]:
    return " ".join([script.hook, *(s.narration for s in script.scenes)]).split()


def test_paragraphs_become_scenes_and_the_first_sentence_the_hook() -> None:
    script = script_from_text(CATS)
    assert script.hook == "Why cats purr"
    assert [s.narration for s in script.scenes] == [
        "Cats purr for many reasons. Most people think it means happiness! "
        "But that's only part of it.",
        "Kittens purr while nursing, so their mother knows they are fine. Adult cats purr "
        "when stressed, hurt, or even giving birth.",
        "So next time your cat purrs, listen closely.",
    ]
    assert script.genre == "custom"
    assert script.call_to_action == ""
    assert script.title == "Why cats purr"
    assert script.topic == "Why cats purr"


def test_every_word_is_kept_in_order() -> None:
    text = "Plain opening sentence here. " + LONG_PARAGRAPH + "\n\nA closing line, with commas."
    script = script_from_text(text)
    assert _spoken_words(script) == text.split()


def test_the_hook_is_not_repeated() -> None:
    script = script_from_text("First we look up. Then we look down.\n\nThen we sleep.")
    assert script.hook == "First we look up."
    assert script.scenes[0].narration == "Then we look down."
    assert script.spoken_parts().count("First we look up.") == 1


def test_a_long_paragraph_is_split_at_sentence_boundaries() -> None:
    script = script_from_text("Here we go. " + LONG_PARAGRAPH)
    assert 2 <= len(script.scenes) <= 6
    for scene in script.scenes:
        assert scene.narration.endswith(".")
        assert re.match(r"Sentence number \d+ talks", scene.narration)
    counts = [len(s.narration.split()) for s in script.scenes]
    assert max(counts) <= 2 * min(counts) + 12, counts


def test_many_paragraphs_stay_separate_up_to_the_model_limit() -> None:
    paragraphs = [f"Paragraph {i} is short." for i in range(1, 9)]
    script = script_from_text("Hello there, friends. Look.\n\n" + "\n\n".join(paragraphs))
    assert len(script.scenes) == 9
    many = [f"Paragraph {i} is short." for i in range(1, 20)]
    merged = script_from_text("\n\n".join(many))
    assert len(merged.scenes) <= 12
    assert _spoken_words(merged) == " ".join(many).split()


def test_a_single_sentence_is_split_into_hook_and_scene() -> None:
    script = script_from_text("Honey never spoils, even after thousands of years")
    assert script.hook == "Honey never spoils,"
    assert script.scenes[0].narration == "even after thousands of years"
    two = script_from_text("Hello world")
    assert (two.hook, two.scenes[0].narration) == ("Hello", "world")


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n"])
def test_empty_text_is_a_script_error(text: str) -> None:
    with pytest.raises(ScriptError, match="empty"):
        script_from_text(text)


def test_a_single_word_is_too_short() -> None:
    with pytest.raises(ScriptError, match="too short"):
        script_from_text("Hello!")


def test_keywords_are_content_words_without_stop_words() -> None:
    script = script_from_text(CATS)
    first = script.scenes[0].keywords
    assert first[0] == "cat" and "cats" not in first  # one keyword per word, its lemma
    assert "purr" in first and "happiness" in first
    for scene in script.scenes:
        assert scene.keywords
        assert not {"the", "for", "it", "that's", "of", "but", "only"} & set(scene.keywords)
        assert len(scene.keywords) <= 8


def test_title_and_topic() -> None:
    assert script_from_text(CATS, topic="Cat facts").title == "Cat facts"
    assert script_from_text(CATS, topic="Cat facts").topic == "Cat facts"
    untitled = script_from_text("Rain is falling. The street is quiet.")
    assert untitled.title == "Rain is falling"
    long_first_line = "word " * 60 + "end."
    assert len(script_from_text(long_first_line + "\n\nMore.").title) <= 100


def test_hashtags_from_frequent_words_or_a_trailing_hashtag_line() -> None:
    text = "Rivers carve valleys. Rivers feed lakes. Valleys hold rivers. Lakes freeze."
    assert script_from_text(text).hashtags[:3] == ["river", "valley", "lake"]
    tagged = script_from_text(CATS + "\n#cats #facts #purring")
    assert tagged.hashtags == ["cats", "facts", "purring"]
    assert "#cats" not in " ".join(tagged.spoken_parts())


def test_windows_newlines_and_a_byte_order_mark() -> None:
    script = script_from_text("\ufeffOne thing. Two things.\r\n\r\nThree things.\r\n")
    assert script.hook == "One thing."
    assert [s.narration for s in script.scenes] == ["Two things.", "Three things."]


def test_hostile_text_is_kept_literally() -> None:
    hostile = '{\\b1}"x"; a:b [c] 🙂 שלום. Next: \\N, commas; [brackets]!'
    script = script_from_text(hostile)
    assert " ".join(script.spoken_parts()) == hostile
    assert script.genre == "custom"


def test_text_without_spaces_is_split_at_full_width_stops() -> None:
    script = script_from_text("猫はなぜ喉を鳴らすのか。理由はたくさんあります。", language="ja")
    assert script.hook == "猫はなぜ喉を鳴らすのか。"
    assert script.scenes[0].narration == "理由はたくさんあります。"
    assert script.language == "ja"


def test_a_one_sentence_japanese_script_is_split_between_phrases() -> None:
    script = script_from_text("今日は海の話をします。", language="ja")
    assert (script.hook, script.scenes[0].narration) == ("今日は海の", "話をします。")
    assert "".join(script.spoken_parts()) == "今日は海の話をします。"


def test_a_script_json_file_is_validated() -> None:
    original = Script(
        topic="tides",
        genre="facts",
        title="Tides",
        hook="The sea breathes twice a day.",
        scenes=[Scene(narration="The moon pulls the water.", keywords=["moon", "sea"])],
        hashtags=["tides"],
    )
    assert script_from_text(original.model_dump_json(indent=2)) == original
    assert script_from_text("  \n" + original.model_dump_json()) == original


def test_a_script_json_without_topic_takes_the_given_topic() -> None:
    data = {"title": "T", "hook": "H.", "scenes": [{"narration": "N."}]}
    script = script_from_text(json.dumps(data), topic="given", language="de")
    assert script.topic == "given"
    assert script.language == "de"


def test_an_invalid_script_json_is_one_readable_line() -> None:
    bad = {"topic": "x", "title": "", "hook": "H", "scenes": [], "colour": "red"}
    with pytest.raises(ScriptError) as caught:
        script_from_text(json.dumps(bad, indent=2))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("the script JSON is not a valid script:")
    assert "title" in message and "scenes" in message and "colour" in message


def test_broken_json_is_reported_as_json() -> None:
    with pytest.raises(ScriptError, match="looks like JSON but cannot be parsed"):
        script_from_text('{"title": "T", "hook": ')


def test_an_ass_override_block_at_the_start_is_text_not_json() -> None:
    script = script_from_text("{\\b1}Bold claim here. Then the rest.")
    assert script.hook == "{\\b1}Bold claim here."
