"""The options model: one vocabulary and one set of limits, used by every layer."""

from typing import get_args

from video_orchestrator.spec import CaptionStyle, Transition
from video_orchestrator.spec.options import (
    BackgroundSettings,
    CaptionSettings,
    VideoOptions,
    caption_style,
)
from video_orchestrator.spec.vocabulary import (
    BACKGROUND_LOOKS,
    CAPTION_MAX_WORDS,
    CAPTION_PRESETS,
    CAPTION_SIZE,
    TRANSITIONS,
    Limits,
    choice_text,
)


def bounds(model: type, name: str) -> tuple[object, object]:
    """The ``ge``/``le`` of a model field, read from its metadata."""
    meta = model.model_fields[name].metadata  # type: ignore[attr-defined]
    low = next(m.ge for m in meta if hasattr(m, "ge"))
    high = next(m.le for m in meta if hasattr(m, "le"))
    return low, high


def test_the_options_limits_are_the_vocabularys_and_inside_the_specs() -> None:
    assert bounds(CaptionSettings, "size") == (CAPTION_SIZE.low, CAPTION_SIZE.high)
    assert bounds(CaptionSettings, "max_words") == (CAPTION_MAX_WORDS.low, CAPTION_MAX_WORDS.high)
    spec_low, spec_high = bounds(CaptionStyle, "size")
    assert spec_low <= CAPTION_SIZE.low and CAPTION_SIZE.high <= spec_high  # type: ignore[operator]
    assert 40 in CAPTION_SIZE and 39 not in CAPTION_SIZE and "40" not in CAPTION_SIZE
    assert isinstance(CAPTION_SIZE, Limits)


def test_the_spec_speaks_the_same_vocabulary() -> None:
    assert get_args(CaptionStyle.model_fields["preset"].annotation) == CAPTION_PRESETS
    assert get_args(Transition.model_fields["kind"].annotation) == TRANSITIONS


def test_background_look_and_the_older_illustrations_switch_agree() -> None:
    assert BackgroundSettings().look == "illustration" and BackgroundSettings().illustrations
    # settings stored before ``look``: the switch off is colours only
    assert BackgroundSettings.model_validate({"illustrations": False}).look == "plain"
    assert BackgroundSettings.model_validate({"illustrations": True}).look == "illustration"
    # ``look`` wins, and the switch follows it (in what is stored and served)
    both = BackgroundSettings.model_validate({"look": "typography", "illustrations": True})
    assert both.model_dump()["illustrations"] is False and both.typography
    for look in BACKGROUND_LOOKS:
        settings = BackgroundSettings(look=look)
        again = BackgroundSettings.model_validate(settings.model_dump())
        assert again == settings  # a stored project reads back as it was saved


def test_default_options_give_the_specs_default_caption_style() -> None:
    assert caption_style(VideoOptions().captions) == CaptionStyle()
    assert choice_text(CAPTION_PRESETS).startswith("karaoke, pop, clean, ")
    assert choice_text(CAPTION_PRESETS).endswith(f" or {CAPTION_PRESETS[-1]}")


def test_the_ui_offers_every_choice_of_the_vocabulary() -> None:
    from video_orchestrator.spec.vocabulary import CAPTION_ANCHORS, QUALITIES
    from video_orchestrator.ui import tab_background, tab_captions, tab_export

    assert set(tab_background.TRANSITIONS) == set(TRANSITIONS)
    assert set(tab_background.LOOKS) == set(BACKGROUND_LOOKS)
    assert set(tab_captions.styles()) == set(CAPTION_PRESETS)
    assert set(tab_captions.anchors()) == set(CAPTION_ANCHORS)
    # the studio's marked descriptions are the spec's own (a style's look changed in one
    # place only would show the old words in the studio)
    from video_orchestrator.spec.caption_styles import CAPTION_STYLE_DESCRIPTIONS

    assert dict(CAPTION_STYLE_DESCRIPTIONS) == tab_captions.DESCRIPTIONS
    assert set(tab_captions.ANCHOR_NAMES) == set(CAPTION_ANCHORS)
    assert set(tab_export.CHOICES) == set(QUALITIES)
