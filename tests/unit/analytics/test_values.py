"""Every result is a plain value: a frozen dataclass that dataclasses.asdict turns into JSON
(no NaN, no numpy objects), so the API and the studio can show it as it is."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from tests.unit.analytics.test_predict import draft, history
from video_orchestrator.analytics.design import Factor, design_variants
from video_orchestrator.analytics.experiment import Arm, analyse_experiment
from video_orchestrator.analytics.plan import posting_plan, weekly_slots
from video_orchestrator.analytics.posting_times import TimedPost, best_posting_times
from video_orchestrator.analytics.predict import Forecaster, train_forecaster


def test_results_are_frozen_and_json_ready() -> None:
    rng = np.random.default_rng(0)
    forecaster = train_forecaster(history(rng, 25))
    assert isinstance(forecaster, Forecaster)
    results = [
        analyse_experiment(
            [Arm.of("A", rng.lognormal(3, 1, 12)), Arm.of("B", rng.lognormal(3, 1, 12))],
            control="A",
            kind="count",
        ),
        design_variants([Factor.of("music", ["calm", "none"])]),
        posting_plan(["A", "B"], 3, weekly_slots(weeks=1, weekdays=range(7), hours=[9])),
        best_posting_times([TimedPost(i % 7, 9 + i % 3, 100.0 + i) for i in range(20)]),
        forecaster.predict(draft(rng)),
    ]
    for result in results:
        text = json.dumps(dataclasses.asdict(result), allow_nan=False)
        assert json.loads(text)
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.__setattr__(dataclasses.fields(result)[0].name, None)
