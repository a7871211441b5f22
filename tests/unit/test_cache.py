from pathlib import Path

import pytest

from video_orchestrator.pipeline.cache import ContentCache, cache_key


def test_same_inputs_hit_and_different_inputs_miss(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path)
    made: list[str] = []

    def make(text: str):  # type: ignore[no-untyped-def]
        def write(directory: Path) -> None:
            made.append(text)
            (directory / "out.txt").write_text(text)

        return write

    def load(directory: Path) -> str:
        return (directory / "out.txt").read_text()

    assert cache.get_or_create("step", {"text": "a"}, make("a"), load) == "a"
    assert cache.get_or_create("step", {"text": "a"}, make("a"), load) == "a"
    assert cache.get_or_create("step", {"text": "b"}, make("b"), load) == "b"
    assert made == ["a", "b"]
    assert (cache.hits, cache.misses) == (1, 2)


def test_a_failed_step_leaves_no_entry(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path)

    def boom(directory: Path) -> None:
        (directory / "half.txt").write_text("partial")
        raise RuntimeError("synthesis failed")

    with pytest.raises(RuntimeError):
        cache.get_or_create("step", {"x": 1}, boom, lambda d: d)
    assert not any(p.name == "half.txt" for p in tmp_path.rglob("*"))
    # the next attempt runs the step again rather than trusting a partial entry
    result = cache.get_or_create(
        "step", {"x": 1}, lambda d: (d / "ok").write_text("1"), lambda d: (d / "ok").read_text()
    )
    assert result == "1"


def test_key_is_independent_of_dict_order() -> None:
    assert cache_key("s", {"a": 1, "b": 2}) == cache_key("s", {"b": 2, "a": 1})
    assert cache_key("s", {"a": 1}) != cache_key("t", {"a": 1})
