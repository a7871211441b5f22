"""services/experiments.plan_experiment: variants over a project's options, each validated
by VideoOptions, with a posting plan; a level the renderer would refuse is an InputError
naming the variant."""

from __future__ import annotations

from collections import Counter

import pytest

from video_orchestrator.analytics.plan import weekly_slots
from video_orchestrator.errors import InputError
from video_orchestrator.services.experiments import plan_experiment
from video_orchestrator.spec.options import CaptionSettings, VideoOptions


def test_variants_keep_the_projects_options_and_change_only_their_factors() -> None:
    base = VideoOptions(platform="youtube-shorts", captions=CaptionSettings(style="neon", size=80))
    plan = plan_experiment(
        {"caption_style": ["neon", "pop"], "length": [30, 45], "hook": ["Why?", "3 facts"]},
        base=base,
        posts_per_variant=3,
        slots=weekly_slots(weeks=2, weekdays=range(7), hours=[12, 18]),
    )
    assert len(plan.variants) == 8 and plan.design.strategy == "full"
    control = plan.variants[0]
    assert control.options == base  # the control is the project as it is
    for planned in plan.variants:
        assert planned.options.platform == "youtube-shorts"
        assert planned.options.captions.size == 80
        assert planned.options.captions.style == planned.variant.levels["caption_style"]
        assert planned.target_seconds == planned.variant.levels["length"]
        assert planned.hook == planned.variant.levels["hook"]
    assert plan.posting is not None
    assert Counter(p.variant for p in plan.posting.posts) == {
        v.variant.id: 3 for v in plan.variants
    }


def test_a_level_the_renderer_refuses_names_the_variant() -> None:
    with pytest.raises(InputError, match=r"variant B \(caption_style='sparkly'\): captions\.style"):
        plan_experiment({"caption_style": ["karaoke", "sparkly"]})
    with pytest.raises(InputError, match="variant B: length must be 5 to 600 seconds, not 900"):
        plan_experiment({"length": [30, 900]})
    with pytest.raises(InputError, match="variant B: hook must be text of 1 to 300 characters"):
        plan_experiment({"hook": ["Why?", "   "]})
