"""Predictions of a draft's views and average view duration from the user's own history,
each stated with its cross-validated error (ADR 0028).

The model is a ridge regression on the log of each metric (``log(1 + views)``,
``log(seconds)``), its penalty chosen by inner cross-validation, over the features of
:mod:`features`. Its error is measured by K-fold cross-validation with the encoder and the
penalty fitted inside each fold (no leakage): the mean absolute error on the log scale with its
spread over the folds, and the median absolute percentage error. The prediction interval is
the point prediction ± the out-of-fold absolute residual at the interval's level (a
cross-validation conformal interval), so it is as wide as the errors the model has actually
made on this user's videos. Below ``min_videos`` it refuses, saying how many more are needed.

A trained model is plain numbers (the encoder's levels and scales, each target's ridge
coefficients, its error and interval width): :func:`model_to_data` and :func:`model_from_data`
turn it (or a refusal) into JSON-ready data and back, so a service can keep it where other
processes find it (ADR 0043).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import RepeatedKFold

from video_orchestrator.analytics.features import FeatureEncoder, VideoFeatures
from video_orchestrator.analytics.stats import FloatArray
from video_orchestrator.errors import InputError

TargetName = Literal["views", "average_view_duration"]
MIN_VIDEOS = 20
ALPHAS = tuple(float(a) for a in np.logspace(-2, 3, 11))
#: The stored model's format: bump it when the features, their encoding or the model change,
#: so a model stored by an older version is trained again rather than read.
MODEL_FORMAT = 2  # 2: a refusal names the metric every video shares


@dataclass(frozen=True)
class PublishedVideo:
    """A video of the history: its features and its metrics at the fixed post age."""

    features: VideoFeatures
    views: float
    average_view_duration: float  # seconds

    def __post_init__(self) -> None:
        if not (math.isfinite(self.views) and self.views >= 0):
            raise InputError(f"views must be zero or more, not {self.views}")
        if not (math.isfinite(self.average_view_duration) and self.average_view_duration > 0):
            raise InputError(
                f"the average view duration must be positive, not {self.average_view_duration}"
            )


@dataclass(frozen=True)
class PredictionSettings:
    min_videos: int = MIN_VIDEOS
    folds: int = 5
    repeats: int = 3  # K-fold repeated with other shuffles, for a steadier error figure
    level: float = 0.80  # the prediction interval's coverage
    seed: int = 0

    def __post_init__(self) -> None:
        if self.min_videos < 10:
            raise InputError(f"predictions need at least 10 videos, not {self.min_videos}")
        if not 1 <= self.repeats <= 10:
            raise InputError(f"cross-validation repeats must be 1 to 10, not {self.repeats}")
        if not 2 <= self.folds <= 20:
            raise InputError(f"cross-validation needs 2 to 20 folds, not {self.folds}")
        if not 0.5 <= self.level < 1:
            raise InputError(f"the interval level must be 0.5 to 1, not {self.level}")


@dataclass(frozen=True)
class CvError:
    """How wrong the model was on videos it had not seen (K-fold cross-validation)."""

    mae_log: float  # mean absolute error of the log metric
    mae_log_fold_sd: float  # its spread over the folds (of every repeat)
    median_ape: float  # median absolute percentage error, 0.3 = 30 %
    folds: int
    videos: int


@dataclass(frozen=True)
class MetricForecast:
    metric: TargetName
    value: float  # the median prediction in the metric's units
    interval: tuple[float, float]
    level: float
    error: CvError

    @property
    def sentence(self) -> str:
        """E.g. "about 12k views (80 % interval 5.1k–28k; typically off by 35 % on your past
        videos)"."""
        low, high = self.interval
        unit = " views" if self.metric == "views" else " s average view duration"
        return (
            f"about {_figure(self.value, self.metric)}{unit} ({round(self.level * 100)} % "
            f"interval {_figure(low, self.metric)}–{_figure(high, self.metric)}; typically off "
            f"by {round(self.error.median_ape * 100)} % on your past videos)"
        )


@dataclass(frozen=True)
class Forecast:
    views: MetricForecast
    average_view_duration: MetricForecast


@dataclass(frozen=True)
class Refusal:
    """No prediction, and why: ``reason`` in English; ``same`` names the metric every video
    shares (nothing to learn), ``None`` when there are too few videos (``more_needed``)."""

    reason: str
    videos: int
    more_needed: int
    same: TargetName | None = None


@dataclass(frozen=True)
class _Target:
    name: TargetName
    forward: Callable[[FloatArray], FloatArray]
    back: Callable[[FloatArray], FloatArray]
    value: Callable[[PublishedVideo], float]


_TARGETS = (
    _Target("views", np.log1p, np.expm1, lambda v: v.views),
    _Target("average_view_duration", np.log, np.exp, lambda v: v.average_view_duration),
)


@dataclass(frozen=True)
class _Linear:
    """A fitted ridge regression's prediction: ``X · coef + intercept`` (what sklearn's
    ``RidgeCV.predict`` computes), kept as numbers so the model can be stored."""

    coef: tuple[float, ...]
    intercept: float

    @classmethod
    def of(cls, model: Any) -> _Linear:  # a fitted sklearn RidgeCV (untyped)
        return cls(tuple(float(c) for c in model.coef_), float(model.intercept_))

    def predict(self, matrix: FloatArray) -> FloatArray:
        result: FloatArray = matrix @ np.array(self.coef, dtype=np.float64) + self.intercept
        return result


@dataclass(frozen=True)
class _Fitted:
    target: _Target
    encoder: FeatureEncoder
    model: _Linear
    error: CvError
    half_width: float  # log-scale half width of the interval


@dataclass(frozen=True)
class Forecaster:
    """A model trained on one user's history; :meth:`predict` a draft."""

    fitted: tuple[_Fitted, ...] = field(repr=False)
    videos: int
    level: float

    def predict(self, draft: VideoFeatures) -> Forecast:
        out: dict[str, MetricForecast] = {}
        for fit in self.fitted:
            log_value = float(fit.model.predict(fit.encoder.matrix([draft]))[0])
            edges = np.array([log_value - fit.half_width, log_value, log_value + fit.half_width])
            low, value, high = (float(x) for x in fit.target.back(edges))
            out[fit.target.name] = MetricForecast(
                fit.target.name, value, (max(low, 0.0), high), self.level, fit.error
            )
        return Forecast(views=out["views"], average_view_duration=out["average_view_duration"])

    def error(self, metric: TargetName) -> CvError:
        return next(f.error for f in self.fitted if f.target.name == metric)


def train_forecaster(
    history: Sequence[PublishedVideo], settings: PredictionSettings | None = None
) -> Forecaster | Refusal:
    """A forecaster fitted on ``history``, or a :class:`Refusal` when there is too little."""
    settings = settings or PredictionSettings()
    n = len(history)
    if n < settings.min_videos:
        more = settings.min_videos - n
        return Refusal(
            reason=(
                f"predictions need at least {settings.min_videos} published videos with "
                f"metrics; there {'is' if n == 1 else 'are'} {n}, so {more} more"
            ),
            videos=n,
            more_needed=more,
        )
    rows = [video.features for video in history]
    fitted = []
    for target in _TARGETS:
        y = target.forward(np.array([target.value(v) for v in history], dtype=np.float64))
        if float(np.ptp(y)) == 0.0:
            what = target.name.replace("_", " ")
            return Refusal(
                reason=f"every video has the same {what}: nothing to learn",
                videos=n,
                more_needed=0,
                same=target.name,
            )
        error, residuals = _cross_validate(rows, y, settings)
        encoder = FeatureEncoder.fit(rows)
        model = _Linear.of(RidgeCV(alphas=ALPHAS).fit(encoder.matrix(rows), y))
        fitted.append(_Fitted(target, encoder, model, error, _conformal(residuals, settings.level)))
    return Forecaster(tuple(fitted), n, settings.level)


def predict_draft(
    history: Sequence[PublishedVideo],
    draft: VideoFeatures,
    settings: PredictionSettings | None = None,
) -> Forecast | Refusal:
    trained = train_forecaster(history, settings)
    return trained if isinstance(trained, Refusal) else trained.predict(draft)


def model_to_data(model: Forecaster | Refusal) -> dict[str, Any]:
    """A trained model or a refusal as JSON-ready data (finite floats only; ``ValueError``
    otherwise, since JSON columns on PostgreSQL refuse NaN)."""
    if isinstance(model, Refusal):
        data: dict[str, Any] = {
            "format": MODEL_FORMAT,
            "refusal": {
                "reason": model.reason,
                "videos": model.videos,
                "more_needed": model.more_needed,
                "same": model.same,
            },
        }
        return data
    fitted = []
    for fit in model.fitted:
        numbers = [*fit.model.coef, fit.model.intercept, fit.half_width, *fit.encoder.means]
        numbers += [*fit.encoder.sds, fit.error.mae_log, fit.error.mae_log_fold_sd]
        numbers.append(fit.error.median_ape)
        if not all(math.isfinite(x) for x in numbers):
            raise ValueError(f"the {fit.target.name} model has a number that is not finite")
        fitted.append(
            {
                "target": fit.target.name,
                "encoder": {
                    "means": list(fit.encoder.means),
                    "sds": list(fit.encoder.sds),
                    "categories": [list(levels) for levels in fit.encoder.categories],
                    "keywords": list(fit.encoder.keywords),
                },
                "coef": list(fit.model.coef),
                "intercept": fit.model.intercept,
                "error": asdict(fit.error),
                "half_width": fit.half_width,
            }
        )
    return {"format": MODEL_FORMAT, "videos": model.videos, "level": model.level, "fitted": fitted}


def model_from_data(data: Mapping[str, Any]) -> Forecaster | Refusal | None:
    """The model :func:`model_to_data` wrote; ``None`` when the data is of another format or
    not understood (the caller trains again)."""
    try:
        if data.get("format") != MODEL_FORMAT:
            return None
        if "refusal" in data:
            refusal = data["refusal"]
            same = refusal.get("same")
            return Refusal(
                str(refusal["reason"]),
                int(refusal["videos"]),
                int(refusal["more_needed"]),
                same if same in ("views", "average_view_duration") else None,
            )
        targets = {target.name: target for target in _TARGETS}
        fitted = []
        for item in data["fitted"]:
            encoder = item["encoder"]
            fitted.append(
                _Fitted(
                    targets[item["target"]],
                    FeatureEncoder(
                        means=tuple(float(x) for x in encoder["means"]),
                        sds=tuple(float(x) for x in encoder["sds"]),
                        categories=tuple(
                            tuple(str(level) for level in levels)
                            for levels in encoder["categories"]
                        ),
                        keywords=tuple(str(k) for k in encoder["keywords"]),
                    ),
                    _Linear(tuple(float(c) for c in item["coef"]), float(item["intercept"])),
                    CvError(**item["error"]),
                    float(item["half_width"]),
                )
            )
        if sorted(f.target.name for f in fitted) != sorted(targets):
            return None
        return Forecaster(tuple(fitted), int(data["videos"]), float(data["level"]))
    except (KeyError, TypeError, ValueError):
        return None


def _cross_validate(
    rows: Sequence[VideoFeatures], y: FloatArray, settings: PredictionSettings
) -> tuple[CvError, FloatArray]:
    folds = min(settings.folds, len(rows) // 4)
    splitter = RepeatedKFold(n_splits=folds, n_repeats=settings.repeats, random_state=settings.seed)
    table = np.empty((settings.repeats, len(rows)))
    fold_mae = []
    for index, (train, test) in enumerate(splitter.split(np.zeros(len(rows)))):
        repeat = index // folds
        encoder = FeatureEncoder.fit([rows[i] for i in train])
        model = RidgeCV(alphas=ALPHAS).fit(encoder.matrix([rows[i] for i in train]), y[train])
        predicted = model.predict(encoder.matrix([rows[i] for i in test]))
        table[repeat, test] = y[test] - predicted
        fold_mae.append(float(np.mean(np.abs(table[repeat, test]))))
    residuals = table.ravel()
    error = CvError(
        mae_log=float(np.mean(np.abs(residuals))),
        mae_log_fold_sd=float(np.std(fold_mae, ddof=1)),
        median_ape=float(np.median(np.abs(np.expm1(residuals)))),
        folds=folds,
        videos=len(rows),
    )
    return error, residuals


def _conformal(residuals: FloatArray, level: float) -> float:
    """The ⌈(n + 1)·level⌉-th smallest absolute residual (split-conformal's quantile)."""
    ordered = np.sort(np.abs(residuals))
    rank = min(len(ordered), math.ceil((len(ordered) + 1) * level))
    return float(ordered[rank - 1])


def _figure(value: float, metric: TargetName) -> str:
    if metric == "average_view_duration":
        return f"{value:.1f}"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}"
