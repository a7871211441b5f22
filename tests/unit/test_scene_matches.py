"""Library assets matched to scenes by keywords with the CLI's matcher (planted answers)."""

from __future__ import annotations

from datetime import UTC, datetime

from video_orchestrator.domain.script import Scene, Script
from video_orchestrator.services.assets import AssetOut
from video_orchestrator.services.scene_matches import scene_matches


def asset(
    asset_id: str, filename: str, kind: str = "video", tags: list[str] | None = None
) -> AssetOut:
    return AssetOut(
        id=asset_id,
        kind=kind,  # type: ignore[arg-type]
        filename=filename,
        size=1,
        sha256="0" * 64,
        container="mp4",
        duration=2.0,
        width=1080,
        height=1920,
        has_audio=False,
        source="upload",
        source_url=None,
        attribution=None,
        tags=tags or [],
        created_at=datetime(2026, 12, 4, tzinfo=UTC),
    )


def script(*scenes: tuple[str, list[str]]) -> Script:
    return Script(
        topic="the sea",
        title="The sea",
        hook="Look closer.",
        scenes=[Scene(narration=n, keywords=k) for n, k in scenes],
        call_to_action="Follow.",
    )


def test_each_scene_gets_the_asset_sharing_most_keywords_and_unmatched_scenes_none() -> None:
    made = script(
        ("Octopuses have three hearts.", ["octopuses", "hearts"]),
        ("The city never sleeps.", ["city", "night"]),
        ("Jellyfish glow in the ocean.", ["jellyfish", "ocean", "glow"]),
    )
    library = [
        asset("a1", "octopus-ocean.mp4"),
        asset("a2", "jellyfish_ocean_glow.mov"),
        asset("a3", "mountain.jpg", kind="image"),
        asset("a4", "voice.wav", kind="audio"),
    ]
    found = scene_matches(made, library)
    assert [m.asset_id if m else None for m in found] == ["a1", None, "a2"]
    assert found[0] is not None and found[0].words == ("octopus",)  # plural folded
    assert found[2] is not None and found[2].words == ("glow", "jellyfish", "ocean")


def test_an_asset_is_used_once_and_tags_count_like_its_name() -> None:
    made = script(("Waves at dawn.", ["waves"]), ("More waves.", ["waves"]))
    library = [asset("b1", "clip-0001.mp4", tags=["ocean waves"])]
    found = scene_matches(made, library)
    assert [m.asset_id if m else None for m in found] == ["b1", None]


def test_a_scene_without_keywords_is_matched_by_its_narration() -> None:
    made = script(("A volcano erupts at night.", []))
    found = scene_matches(made, [asset("c1", "volcano.mp4")])
    assert found[0] is not None and found[0].asset_id == "c1"
