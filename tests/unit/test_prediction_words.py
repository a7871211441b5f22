"""Why there is no prediction, in the studio's locale (ADR 0042): too few videos counts them;
a metric every video shares is named in a whole sentence of the locale, not the service's
English."""

from __future__ import annotations

import pytest

from video_orchestrator.ui import i18n
from video_orchestrator.ui.predictions_panel import refusal_text


def test_too_few_videos_are_counted_and_a_shared_metric_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert refusal_text(None, 12, 20) == (
        "No prediction yet: 12 of the 20 published videos with metrics it needs."
    )
    assert "same number of views" in refusal_text("views", 25, 20)
    assert "same average view duration" in refusal_text("average_view_duration", 25, 20)
    monkeypatch.setattr(i18n, "current", lambda: "de")
    german = refusal_text("average_view_duration", 25, 20)
    assert "durchschnittliche Wiedergabedauer" in german and "same" not in german
    assert "12" in refusal_text(None, 12, 20) and "published" not in refusal_text(None, 12, 20)
