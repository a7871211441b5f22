"""API key rotation for the stock providers (pure: a settable clock, no HTTP)."""

from __future__ import annotations

import pytest

from tests.stock_api import Clock
from video_orchestrator.errors import ConfigError, ProviderAuthError, ProviderRateLimited
from video_orchestrator.ports.media import StockQuery
from video_orchestrator.providers._stockhttp import KeyRing, choose_rendition, fits_orientation


def ring(*keys: str, clock: Clock | None = None) -> KeyRing:
    return KeyRing(keys, label="Pexels", setting="VO_PEXELS_API_KEYS", clock=clock or Clock(0))


def test_the_first_key_is_used_until_it_fails() -> None:
    keys = ring("a", "b", "c")
    assert [keys.current() for _ in range(3)] == ["a", "a", "a"]


def test_a_resting_key_is_skipped_until_its_reset() -> None:
    clock = Clock(1000)
    keys = ring("a", "b", clock=clock)
    keys.rest("a", until=1060)
    assert keys.current() == "b"
    clock.advance(61)
    assert keys.current() == "b", "rotation stays on the working key"
    keys.rest("b", until=2000)
    assert keys.current() == "a", "the rested key is back after its reset"


def test_all_resting_gives_the_shortest_wait() -> None:
    clock = Clock(1000)
    keys = ring("a", "b", clock=clock)
    keys.rest("a", until=1300)
    keys.rest("b", until=1100)
    with pytest.raises(ProviderRateLimited, match="all 2 API keys") as caught:
        keys.current()
    assert caught.value.retry_after == 100
    assert "2 min" in str(caught.value)


def test_refused_keys_never_come_back() -> None:
    clock = Clock(0)
    keys = ring("a", "b", clock=clock)
    keys.refuse("a")
    assert keys.current() == "b"
    keys.rest("b", until=50)
    with pytest.raises(ProviderRateLimited) as caught:
        keys.current()
    assert caught.value.retry_after == 50, "the refused key does not count as waiting"
    clock.advance(100)
    assert keys.current() == "b"
    keys.refuse("b")
    with pytest.raises(ProviderAuthError, match="refused every API key; check VO_PEXELS"):
        keys.current()


def test_one_key_messages_and_no_keys() -> None:
    keys = ring("only")
    keys.refuse("only")
    with pytest.raises(ProviderAuthError, match="refused the API key"):
        keys.current()
    with pytest.raises(ConfigError, match="no Pexels API key: set VO_PEXELS_API_KEYS"):
        ring().current()
    assert len(ring("a", " ", "")) == 1
    assert "a" not in repr(ring("secret-a")).replace("KeyRing", "")


def test_an_unknown_key_is_ignored() -> None:
    keys = ring("a")
    keys.rest("zzz", until=10**12)
    keys.refuse("zzz")
    assert keys.current() == "a"


@pytest.mark.parametrize(
    ("size", "orientation", "fits"),
    [
        ((1080, 1920), "portrait", True),
        ((1920, 1080), "portrait", False),
        ((1000, 1000), "portrait", False),
        ((1000, 1030), "square", True),
        ((1920, 1080), "landscape", True),
        ((1920, 1080), "any", True),
        ((0, 1920), "any", False),
    ],
)
def test_orientation(size: tuple[int, int], orientation: str, fits: bool) -> None:
    assert fits_orientation(*size, orientation) is fits


def test_rendition_choice() -> None:
    query = StockQuery("x", min_width=720, min_height=720)
    sizes = [(640, 1138), (720, 1280), (1080, 1920), (2160, 3840), (1920, 1080)]
    assert choose_rendition([(w, h, (w, h)) for w, h in sizes], query) == (1080, 1920)
    small = [(640, 1138, "a"), (1920, 1080, "b")]
    assert choose_rendition(small, query) is None
    tie = StockQuery("x", target_width=1000, target_height=2000)
    assert choose_rendition([(900, 1900, "small"), (1100, 2100, "big")], tie) == "big"
