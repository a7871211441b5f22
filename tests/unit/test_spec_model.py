import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from video_orchestrator.spec import (
    CaptionTrack,
    ColourClip,
    GeneratedClip,
    RenderSpec,
    Transition,
    VideoClip,
    Word,
    json_schema,
)


def test_duration_subtracts_transition_overlaps() -> None:
    spec = RenderSpec(
        clips=[
            GeneratedClip(duration=60, transition=Transition(kind="fade", frames=10)),
            ColourClip(duration=40, transition=Transition(kind="dissolve", frames=5)),
            ColourClip(duration=20),
        ]
    )
    assert spec.duration == 60 + 40 + 20 - 10 - 5
    assert spec.clip_starts() == [0, 50, 85]


def test_transition_longer_than_a_clip_is_rejected() -> None:
    with pytest.raises(ValidationError, match="shorter than both clips"):
        RenderSpec(
            clips=[
                ColourClip(duration=60, transition=Transition(kind="fade", frames=30)),
                ColourClip(duration=20),
            ]
        )


def test_caption_after_the_end_is_rejected() -> None:
    with pytest.raises(ValidationError, match="after the video ends"):
        RenderSpec(
            clips=[ColourClip(duration=30)],
            captions=CaptionTrack(words=[Word(text="late", start=40, end=45)]),
        )


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        RenderSpec.model_validate({"clips": [{"kind": "colour", "duration": 5, "colr": "#000000"}]})


def test_word_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="end after it starts"):
        Word(text="x", start=5, end=5)


def test_schema_is_json_and_versioned() -> None:
    schema = json_schema()
    text = json.dumps(schema)
    assert "RenderSpec" in text or schema.get("title") == "RenderSpec"
    assert "v1" in str(schema["$id"])


def test_relative_paths_resolve_against_the_spec_folder(tmp_path: Path) -> None:
    spec = RenderSpec(clips=[VideoClip(duration=10, path="media/a.mp4")])
    resolved = spec.resolve_paths(tmp_path)
    clip = resolved.clips[0]
    assert isinstance(clip, VideoClip)
    assert clip.path == str(tmp_path / "media" / "a.mp4")


@given(st.lists(st.integers(min_value=2, max_value=300), min_size=1, max_size=8))
def test_spec_json_round_trip(durations: list[int]) -> None:
    clips = [ColourClip(duration=d) for d in durations]
    spec = RenderSpec(clips=clips)
    again = RenderSpec.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert again.duration == sum(durations)
