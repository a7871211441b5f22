"""Use case: plan an experiment from one project's video options — the variants to render,
each with its options checked, and the posting plan (ADR 0028).

Pure computation over ``analytics``: nothing is stored or rendered here. The variants' options
are the project's options with each variant's overrides laid over them and validated by
``VideoOptions``, so a level the renderer would refuse is an ``InputError`` naming the variant
and the factor before any job is submitted. Wiring (a ``vo`` command, an API route, the render
batch, the experiment tables) is for the interfaces and the analytics storage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from video_orchestrator.analytics.design import (
    MAX_VARIANTS,
    Design,
    Factor,
    Level,
    Strategy,
    Variant,
    design_variants,
    merged,
)
from video_orchestrator.analytics.plan import PostingPlan, Slot, posting_plan
from video_orchestrator.errors import InputError
from video_orchestrator.spec.options import VideoOptions
from video_orchestrator.spec.vocabulary import TARGET_SECONDS
from video_orchestrator.text import validation_summary

#: Content factors (not video options) and the longest text each may be.
_TEXT_LIMITS = {"hook": 300, "thumbnail_text": 80, "background": 200}


@dataclass(frozen=True)
class PlannedVariant:
    variant: Variant
    options: VideoOptions  # the project's options with the variant's overrides, validated
    hook: str | None = None  # the opening line to use instead of the script's
    background: str | None = None  # an asset id, or "generated"
    target_seconds: int | None = None
    thumbnail_text: str | None = None


@dataclass(frozen=True)
class ExperimentPlan:
    design: Design
    variants: tuple[PlannedVariant, ...]
    posting: PostingPlan | None


def plan_experiment(
    factors: Mapping[str, Sequence[Level]],
    *,
    base: VideoOptions | None = None,
    posts_per_variant: int | None = None,
    slots: Sequence[Slot] = (),
    max_variants: int = MAX_VARIANTS,
    strategy: Strategy = "auto",
    seed: int = 0,
) -> ExperimentPlan:
    """The variants of ``factors`` (factor name → levels, the first level the control's) over
    ``base``, and, when ``posts_per_variant`` is given, their posting plan over ``slots``."""
    design = design_variants(
        [Factor.of(name, levels) for name, levels in factors.items()],
        max_variants=max_variants,
        strategy=strategy,
        seed=seed,
    )
    base_dump = (base or VideoOptions()).model_dump()
    planned = tuple(_planned(variant, base_dump) for variant in design.variants)
    posting = None
    if posts_per_variant is not None:
        ids = [v.id for v in design.variants]
        posting = posting_plan(ids, posts_per_variant, slots, seed=seed)
    return ExperimentPlan(design, planned, posting)


def _planned(variant: Variant, base: Mapping[str, object]) -> PlannedVariant:
    try:
        options = VideoOptions.model_validate(merged(base, variant.options))
    except ValidationError as exc:
        levels = ", ".join(f"{k}={v!r}" for k, v in variant.levels.items())
        raise InputError(f"variant {variant.id} ({levels}): {validation_summary(exc)}") from exc
    texts: dict[str, str | None] = {}
    for name, limit in _TEXT_LIMITS.items():
        value = variant.content.get(name)
        if value is None:
            texts[name] = None
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise InputError(
                f"variant {variant.id}: {name.replace('_', ' ')} must be text of 1 to {limit} "
                f"characters, not {value!r}"
            )
        texts[name] = value.strip()
    length = variant.content.get("length")
    seconds: int | None = None
    if length is not None:
        if not isinstance(length, int | float) or not (
            TARGET_SECONDS.low <= length <= TARGET_SECONDS.high
        ):
            raise InputError(
                f"variant {variant.id}: length must be {TARGET_SECONDS.low:g} to "
                f"{TARGET_SECONDS.high:g} seconds, not {length!r}"
            )
        seconds = round(length)
    return PlannedVariant(
        variant=variant,
        options=options,
        hook=texts["hook"],
        background=texts["background"],
        target_seconds=seconds,
        thumbnail_text=texts["thumbnail_text"],
    )
