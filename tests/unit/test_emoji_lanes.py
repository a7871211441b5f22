"""Caption emoji share one overlay per picture lane (bench/RESULTS.md, "Memory vs length")."""

from video_orchestrator.render.caption_emoji import EmojiPlacement
from video_orchestrator.render.compiler import emoji_lanes


def spot(emoji: str, start: int, end: int, side: int = 92, x: int = 10) -> EmojiPlacement:
    return EmojiPlacement(emoji=emoji, x=x, y=20, side=side, start=start, end=end)


def test_placements_of_one_picture_that_never_overlap_share_a_lane() -> None:
    placements = [spot("🔥", 0, 10), spot("🌊", 5, 15), spot("🔥", 10, 20), spot("🔥", 40, 50)]
    lanes = emoji_lanes(placements)
    assert [[(p.emoji, p.start) for p in lane] for lane in lanes] == [
        [("🔥", 0), ("🔥", 10), ("🔥", 40)],
        [("🌊", 5)],
    ]


def test_overlapping_placements_or_other_sizes_get_lanes_of_their_own() -> None:
    placements = [spot("🔥", 0, 10, x=1), spot("🔥", 3, 12, x=2), spot("🔥", 20, 30, side=103)]
    lanes = emoji_lanes(placements)
    assert len(lanes) == 3
    assert sum(len(lane) for lane in lanes) == 3


def test_lane_count_does_not_grow_with_the_number_of_placements() -> None:
    many = [spot("🔥", 30 * n, 30 * n + 20) for n in range(500)]
    assert len(emoji_lanes(many)) == 1
