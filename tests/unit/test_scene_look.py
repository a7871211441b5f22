"""Generated scenes follow the topic: palettes and illustrations chosen by keywords (ADR 0023)."""

from __future__ import annotations

import colorsys
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from video_orchestrator.pipeline.cache import ContentCache
from video_orchestrator.pipeline.scene_look import (
    emoji_for,
    illustration,
    palette_for,
    scene_illustrations,
    scene_words,
    tables,
)


def hues(colours: tuple[str, ...]) -> list[float]:
    """Hue in degrees of each colour (skipping near-greys, which have none)."""
    result = []
    for colour in colours:
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        h, _, s = colorsys.rgb_to_hls(r, g, b)
        if s > 0.2:
            result.append(h * 360)
    return result


@pytest.mark.parametrize(
    ("keywords", "narration", "low", "high"),
    [
        (["ocean", "waves"], "", 185, 235),  # deep blues
        (["underwater"], "The sea is dark.", 185, 235),
        (["honey", "bees"], "", 25, 50),  # ambers
        (["forest"], "plants grow", 80, 140),  # greens
        (["space", "stars"], "", 250, 290),  # indigo and violet
        (["fire"], "", 0, 40),  # reds and oranges
    ],
)
def test_palette_follows_the_keywords(
    keywords: list[str], narration: str, low: float, high: float
) -> None:
    found = hues(palette_for(keywords, narration))
    assert found
    assert all(low <= h <= high for h in found), found


def test_the_deep_ocean_is_never_red() -> None:
    colours = palette_for(["sunlight", "underwater", "ocean", "dark", "depth"])
    assert all(185 <= h <= 235 for h in hues(colours))


def test_keywords_outweigh_a_single_narration_word() -> None:
    # "honey" alone in the narration loses to two ocean keywords.
    assert palette_for(["ocean", "whale"], "honey") == palette_for(["ocean"])


def test_no_match_falls_back_by_keywords_not_by_position() -> None:
    first = palette_for(["zzxq", "plorb"])
    assert first == palette_for(["plorb", "zzxq"])  # order does not matter, only the words
    assert first in tables().fallback
    words = ("quux", "blarg", "zorp", "fnord", "wibble", "snark", "glorp", "vex")
    others = {palette_for([word]) for word in words}
    assert len(others) > 1  # the hash spreads different scenes over the fallbacks


def test_scene_words_keep_keyword_order_then_narration() -> None:
    assert scene_words(["Deep sea", "whales"], "Sharks hide, whales sing.") == [
        "deep",
        "sea",
        "whale",
        "shark",
        "hide",
        "sing",
    ]


def test_emoji_table_maps_topics_and_only_known_words() -> None:
    assert emoji_for(["volcano"]) == "🌋"
    assert emoji_for(["bees"]) == "🐝"  # plural keywords are normalised
    assert emoji_for(["zzxq"], "nothing here at all") is None  # honest: no random picture
    assert emoji_for([], "A jellyfish glows.") == "🪼"  # from the narration when keywords miss


def test_neighbouring_scenes_avoid_the_same_picture() -> None:
    assert emoji_for(["ocean", "whale"], avoid=["🌊"]) == "🐋"
    assert emoji_for(["ocean"], avoid=["🌊"]) == "🌊"  # nothing else to show: the same


def test_every_table_entry_has_a_colour_glyph_in_the_font(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path)
    for emoji in sorted(set(tables().emoji.values()))[::7]:  # a spread sample, quick
        with Image.open(illustration(emoji, cache, size=64)) as image:
            assert image.getbbox() is not None, emoji


def test_illustration_is_drawn_in_colour_on_transparency(tmp_path: Path) -> None:
    path = illustration("🐙", ContentCache(tmp_path), size=256)
    with Image.open(path) as image:
        assert image.mode == "RGBA"
        assert image.size == (256, 256)
        alpha = image.getchannel("A")
        assert alpha.getpixel((0, 0)) == 0  # the corners are transparent
        opaque = Image.new("L", image.size, 0)
        opaque.paste(alpha.point(lambda a: 255 if a > 200 else 0))
        rgb = image.convert("RGB")
        stat = ImageStat.Stat(rgb, mask=opaque)
        r, g, b = stat.mean
        assert r > g + 60 and r > b + 60  # the octopus is red, not grey or black
        # colour, not a grey glyph: the channels of a pixel differ (saturation)
        saturation = Image.eval(rgb.convert("HSV").getchannel("S"), lambda v: v)
        assert ImageStat.Stat(saturation, mask=opaque).mean[0] > 100


def test_illustration_is_cached_by_content(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path)
    first = illustration("🌋", cache, size=128)
    data = first.read_bytes()
    second = illustration("🌋", cache, size=128)
    assert second == first and second.read_bytes() == data
    assert (cache.hits, cache.misses) == (1, 1)
    assert illustration("🌋", cache, size=96) != first  # another size is another entry


def test_scene_illustrations_only_for_generated_scenes_that_name_one(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path)
    pictures = scene_illustrations(
        [(["volcano"], ""), (["volcano"], ""), (["zzxq"], "nothing"), (["bee"], "")],
        [True, True, True, False],
        cache,
        size=64,
    )
    assert pictures[0] is not None and pictures[1] is not None
    assert pictures[2] is None  # no word names an emoji
    assert pictures[3] is None  # the scene shows the user's footage
