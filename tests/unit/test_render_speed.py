"""Honest progress: the time left of a render comes from this machine's measured render
speed (pixel-frames per second, per encoder preset, kept per machine), not from how fast the
first percent went (issue 13: "33 % · about 0:08 left" at 5 s of a 57 s render)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from video_orchestrator.services.job_runner import EXPORT_SECONDS, Attempt, JobReporter
from video_orchestrator.services.render_speed import RenderSpeed

FULL_HD = {"width": 1080, "height": 1920}


def test_the_speed_is_measured_averaged_and_kept_per_machine_and_preset(tmp_path: Path) -> None:
    here = RenderSpeed(tmp_path, machine="studio-1")
    assert here.rate("veryfast") is None
    assert here.expected_seconds("veryfast", frames=900, **FULL_HD) is None

    here.record("veryfast", frames=900, seconds=60.0, **FULL_HD)  # 15 frames a second
    assert here.expected_seconds("veryfast", frames=900, **FULL_HD) == pytest.approx(60.0)
    here.record("veryfast", frames=900, seconds=30.0, **FULL_HD)  # faster now: halfway
    rate = 0.5 * 900 * 1080 * 1920 / 30 + 0.5 * 900 * 1080 * 1920 / 60
    assert here.rate("veryfast") == pytest.approx(rate)
    # a quarter-size draft at the same speed in pixels takes a quarter of the time
    assert here.expected_seconds("veryfast", frames=900, width=540, height=960) == pytest.approx(
        900 * 540 * 960 / rate
    )
    assert here.rate("ultrafast") is None  # another preset, another speed
    other = RenderSpeed(tmp_path, machine="studio-2")
    assert other.rate("veryfast") is None  # another machine keeps its own
    assert RenderSpeed(tmp_path, machine="studio-1").rate("veryfast") == pytest.approx(rate)


def test_a_damaged_file_means_not_measured_yet(tmp_path: Path) -> None:
    speed = RenderSpeed(tmp_path, machine="m")
    speed.path.write_text("{not json", encoding="utf-8")
    assert speed.rate("veryfast") is None
    speed.record("veryfast", frames=30, seconds=2.0, **FULL_HD)
    assert speed.rate("veryfast") == pytest.approx(30 * 1080 * 1920 / 2.0)


@dataclass
class Queue:
    """Records what the reporter writes to the job row."""

    writes: list[dict[str, Any]] = field(default_factory=list)

    def progress(self, lease: object, **fields: Any) -> None:
        self.writes.append(fields)


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


def reporter(clock: Clock) -> tuple[JobReporter, Queue]:
    queue = Queue()
    lease = type("Lease", (), {"job_id": "j", "attempt": 1})()
    made = JobReporter(queue, Attempt(lease), min_interval=0.0, clock=clock)  # type: ignore[arg-type]
    return made, queue


def test_a_fast_first_third_does_not_promise_an_early_end() -> None:
    """Planted: this machine renders the video in 57 s; 5 s in, a third is done."""
    clock = Clock()
    made, queue = reporter(clock)
    made.step("voice", "Speaking")
    assert queue.writes[-1]["eta_seconds"] is None  # no guess before the render
    made.step("render", "Rendering the video")
    made.expect("render", 57.0)
    assert queue.writes[-1]["eta_seconds"] == pytest.approx(57.0 + EXPORT_SECONDS)
    clock.now += 5
    made.progress("render", 0.33)
    eta = queue.writes[-1]["eta_seconds"]
    assert eta is not None and 30 <= eta <= 57  # the old estimate said about 8 s
    clock.now += 40
    made.progress("render", 0.9)
    late = queue.writes[-1]["eta_seconds"]
    assert late is not None and late < eta


def test_without_a_measurement_the_time_left_waits_for_the_render_to_show_its_pace() -> None:
    clock = Clock()
    made, queue = reporter(clock)
    made.step("render", "Rendering the video")
    clock.now += 1
    made.progress("render", 0.2)
    assert queue.writes[-1]["eta_seconds"] is None  # 1 s says nothing yet
    clock.now += 5  # 6 s for 40 %: 9 s to go
    made.progress("render", 0.4)
    assert queue.writes[-1]["eta_seconds"] == pytest.approx(9.0 + EXPORT_SECONDS)
