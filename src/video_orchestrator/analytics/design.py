"""Experiment design: a variant matrix from factors (ADR 0028).

Each factor is a list of levels; its first level is the baseline, and the variant with every
baseline (always variant ``A``) is the control. A factor maps either to a field of the video
options (``spec/options.py`` ``VideoOptions``, written as a dotted path such as
``captions.style``; the variant carries it as a nested override) or to content the caller
applies itself (the hook line, the background clip, the target length, the thumbnail text).

When the full matrix (every combination) is larger than ``max_variants``, a *main-effects
fraction* is chosen instead: the baseline plus the combinations that keep every level equally
often and every pair of factors as balanced as possible (greedy, seeded), grown until each
factor's effect is estimable (the main-effects model matrix has full rank). Interactions are
then not estimable, and the design says so and how many combinations it dropped. The
one-factor-at-a-time design (the baseline plus one change at a time) is offered too.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from video_orchestrator.errors import InputError

Level = str | int | float
Strategy = Literal["auto", "full", "fraction", "one_at_a_time"]
#: The factors the studio offers and where each lands: a VideoOptions path (dotted) or, for
#: content the caller applies itself, ``None``.
KNOWN_FACTORS: dict[str, str | None] = {
    "hook": None,  # the opening line (the script's hook)
    "caption_style": "captions.style",
    "caption_position": "captions.anchor",
    "background": None,  # a clip or picture asset id, or "generated"
    "music": "audio.music",
    "transition": "background.transition",
    "voice": "voice.voice",
    "voice_speed": "voice.speed",
    "length": None,  # the target length in seconds (the project's target_seconds)
    "thumbnail_text": None,
}
MAX_VARIANTS = 16
#: Candidates scored per step when the full matrix is larger (a seeded sample of it).
MAX_CANDIDATES = 5000


@dataclass(frozen=True)
class Factor:
    name: str
    levels: tuple[Level, ...]
    option: str | None  # VideoOptions dotted path, or None: content the caller applies

    @classmethod
    def of(cls, name: str, levels: Sequence[Level]) -> Factor:
        """A factor the studio knows (:data:`KNOWN_FACTORS`)."""
        if name not in KNOWN_FACTORS:
            raise InputError(f"unknown factor {name!r}; known factors: {', '.join(KNOWN_FACTORS)}")
        return cls(name, tuple(levels), KNOWN_FACTORS[name])

    def __post_init__(self) -> None:
        if len(self.levels) < 2:
            raise InputError(f"factor {self.name!r} needs at least two levels to compare")
        if len(set(self.levels)) != len(self.levels):
            raise InputError(f"factor {self.name!r} lists a level twice")


@dataclass(frozen=True)
class Variant:
    id: str  # A, B, … (A is the control)
    levels: dict[str, Level]  # factor → level
    options: dict[
        str, object
    ]  # a nested VideoOptions override, e.g. {"captions": {"style": "pop"}}
    content: dict[str, Level]  # factors the caller applies: hook, background, length …


@dataclass(frozen=True)
class Design:
    strategy: Literal["full", "fraction", "one_at_a_time"]
    factors: tuple[Factor, ...]
    variants: tuple[Variant, ...]
    full_size: int
    dropped: int
    note: str  # what was kept and why, in plain words

    @property
    def control(self) -> Variant:
        return self.variants[0]


def design_variants(
    factors: Sequence[Factor],
    *,
    max_variants: int = MAX_VARIANTS,
    strategy: Strategy = "auto",
    seed: int = 0,
) -> Design:
    """The variants to render and post (see the module's docstring)."""
    if not factors:
        raise InputError("an experiment needs at least one factor")
    names = [f.name for f in factors]
    if len(set(names)) != len(names):
        raise InputError(f"factor names must differ: {', '.join(names)}")
    if max_variants < 2:
        raise InputError(f"an experiment needs room for at least 2 variants, not {max_variants}")
    sizes = [len(f.levels) for f in factors]
    full = math.prod(sizes)
    minimum = 1 + sum(s - 1 for s in sizes)
    if strategy == "full" or (strategy == "auto" and full <= max_variants):
        if full > max_variants:
            raise InputError(
                f"the full matrix has {full} variants, more than the limit of {max_variants}; "
                f"use a fraction or raise the limit"
            )
        rows = list(itertools.product(*(range(s) for s in sizes)))
        note = f"all {full} combinations (full factorial): every effect and interaction measurable"
        return _design("full", factors, rows, full, note)
    if minimum > max_variants:
        raise InputError(
            f"measuring each level once needs at least {minimum} variants, more than the limit "
            f"of {max_variants}; drop some levels or raise the limit"
        )
    if strategy == "one_at_a_time":
        rows = [tuple(0 for _ in sizes)]
        for index, size in enumerate(sizes):
            for level in range(1, size):
                rows.append(tuple(level if i == index else 0 for i in range(len(sizes))))
        note = (
            f"{len(rows)} of {full} combinations, one factor changed at a time from the control: "
            f"each change is measured against the control only; interactions are not measurable "
            f"({full - len(rows)} combinations dropped)"
        )
        return _design("one_at_a_time", factors, rows, full, note)
    rows = _fraction(sizes, max_variants, seed)
    if _rank(rows, sizes) < minimum:  # the greedy search fell short: one at a time always fits
        return design_variants(factors, max_variants=max_variants, strategy="one_at_a_time")
    note = (
        f"{len(rows)} of {full} combinations (a main-effects fraction): every level appears "
        f"about equally often and every pair of factors is balanced as far as possible, so each "
        f"factor's effect is measurable but not their interactions ({full - len(rows)} "
        f"combinations dropped to stay within {max_variants} variants)"
    )
    return _design("fraction", factors, rows, full, note)


#: Greedy runs (with other tie-breaks) tried for a balanced fraction of the smallest size.
RESTARTS = 8


def _fraction(sizes: Sequence[int], max_variants: int, seed: int) -> list[tuple[int, ...]]:
    """The smallest of a few seeded greedy runs; the first that reaches the balanced size with
    every main effect estimable wins."""
    rng = np.random.default_rng(seed)
    target = _balanced_size(sizes, max_variants)
    best: list[tuple[int, ...]] | None = None
    for _ in range(RESTARTS):
        rows = _greedy(sizes, max_variants, target, rng)
        if best is None or len(rows) < len(best):
            best = rows
        if len(rows) <= target:
            break
    assert best is not None
    return best


def _greedy(
    sizes: Sequence[int], max_variants: int, target: int, rng: np.random.Generator
) -> list[tuple[int, ...]]:
    """Rows picked one at a time (vectorised over the candidates): while some main effect is
    not yet estimable, only rows that add to the model's rank; among them the one whose levels
    and level pairs are least used so far (level balance first), ties broken at random."""
    full = math.prod(sizes)
    if full <= MAX_CANDIDATES:
        grid = np.array(list(itertools.product(*(range(s) for s in sizes))), dtype=np.int64)
    else:
        grid = np.unique(
            np.column_stack([rng.integers(0, s, MAX_CANDIDATES) for s in sizes]), axis=0
        )
        grid = np.vstack([np.zeros((1, len(sizes)), dtype=np.int64), grid])
    model = _model_rows(grid, sizes)
    needed = model.shape[1]
    pairs = list(itertools.combinations(range(len(sizes)), 2))
    level_counts = [np.zeros(s) for s in sizes]
    pair_counts = {(i, j): np.zeros((sizes[i], sizes[j])) for i, j in pairs}
    used = np.zeros(len(grid), dtype=bool)
    chosen: list[int] = []

    def take(index: int) -> None:
        used[index] = True
        chosen.append(index)
        row = grid[index]
        for i in range(len(sizes)):
            level_counts[i][row[i]] += 1
        for i, j in pairs:
            pair_counts[(i, j)][row[i], row[j]] += 1

    take(int(np.flatnonzero((grid == 0).all(axis=1))[0]))  # the control
    while len(chosen) < max_variants:
        basis = _row_space(model[chosen])
        rank = basis.shape[0]
        if len(chosen) >= target and rank >= needed:
            break
        cost = sum(level_counts[i][grid[:, i]] ** 2 for i in range(len(sizes))) * 100.0
        for i, j in pairs:
            cost = cost + pair_counts[(i, j)][grid[:, i], grid[:, j]] ** 2
        if rank < needed:
            residual = model - (model @ basis.T) @ basis
            adds = np.linalg.norm(residual, axis=1) > 1e-9
            cost = cost + np.where(adds, 0.0, 1e12)
        cost = np.where(used, np.inf, cost + rng.random(len(grid)) * 1e-3)
        pick = int(np.argmin(cost))
        if not np.isfinite(cost[pick]):
            break
        take(pick)
    return [tuple(int(v) for v in grid[index]) for index in chosen]


def _model_rows(grid: NDArray[np.int64], sizes: Sequence[int]) -> NDArray[np.float64]:
    """Main-effects model rows: an intercept and treatment-coded levels (level 0 the base)."""
    columns = [np.ones(len(grid))]
    for index, size in enumerate(sizes):
        for level in range(1, size):
            columns.append((grid[:, index] == level).astype(np.float64))
    return np.column_stack(columns)


def _row_space(rows: NDArray[np.float64]) -> NDArray[np.float64]:
    """An orthonormal basis (as rows) of the span of ``rows``."""
    _, singular, vt = np.linalg.svd(rows, full_matrices=False)
    return vt[singular > 1e-9 * max(1.0, float(singular.max(initial=0.0)))]


def _balanced_size(sizes: Sequence[int], max_variants: int) -> int:
    """The smallest size ≥ the main-effects minimum that every factor's level count divides
    (so each level can appear equally often), within the limit; else the minimum."""
    minimum = 1 + sum(s - 1 for s in sizes)
    lcm = math.lcm(*sizes)
    for size in range(minimum, max_variants + 1):
        if size % lcm == 0:
            return size
    return minimum


def _rank(rows: Sequence[tuple[int, ...]], sizes: Sequence[int]) -> int:
    """The rank of the main-effects model matrix (intercept + treatment-coded levels)."""
    grid = np.array(rows, dtype=np.int64).reshape(len(rows), len(sizes))
    return int(np.linalg.matrix_rank(_model_rows(grid, sizes)))


def main_effects_estimable(design: Design) -> bool:
    sizes = [len(f.levels) for f in design.factors]
    rows = [
        tuple(f.levels.index(v.levels[f.name]) for f in design.factors) for v in design.variants
    ]
    return _rank(rows, sizes) == 1 + sum(s - 1 for s in sizes)


def _design(
    strategy: Literal["full", "fraction", "one_at_a_time"],
    factors: Sequence[Factor],
    rows: Sequence[tuple[int, ...]],
    full: int,
    note: str,
) -> Design:
    variants = []
    for index, row in enumerate(rows):
        levels = {f.name: f.levels[i] for f, i in zip(factors, row, strict=True)}
        options: dict[str, object] = {}
        content: dict[str, Level] = {}
        for factor in factors:
            if factor.option is None:
                content[factor.name] = levels[factor.name]
            else:
                _set(options, factor.option, levels[factor.name])
        variants.append(Variant(_label(index), levels, options, content))
    return Design(strategy, tuple(factors), tuple(variants), full, full - len(rows), note)


def _set(tree: dict[str, object], path: str, value: Level) -> None:
    *parents, leaf = path.split(".")
    node = tree
    for part in parents:
        child = node.setdefault(part, {})
        assert isinstance(child, dict)
        node = child
    node[leaf] = value


def _label(index: int) -> str:
    """A, B, …, Z, AA, AB …"""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


def merged(base: Mapping[str, object], override: Mapping[str, object]) -> dict[str, object]:
    """``base`` (a VideoOptions dump) with a variant's nested ``options`` laid over it."""
    out = dict(base)
    for key, value in override.items():
        current = out.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            out[key] = merged(current, value)
        else:
            out[key] = value
    return out
