"""A fallback chain of language models that is itself an ``LLMProvider``.

The chain answers from the response cache when any of its providers answered the same
request before (provider + model + server + request → the answer, in the ``ContentCache``),
so a repeated request costs nothing. Otherwise it asks its providers in order: an answer that
is not usable JSON is asked for once more from the same provider, any other failure moves on
to the next provider. The result says which provider served and which failed first; every
billed call is priced and recorded in the ledger. When all fail, the error lists each one
(``generate_script`` then uses the offline writer and tells the user).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from video_orchestrator.config import Settings
from video_orchestrator.errors import AllProvidersFailed, ConfigError, ProviderError
from video_orchestrator.pipeline.cache import ContentCache, cache_key
from video_orchestrator.pipeline.llm_usage import PriceTable
from video_orchestrator.pipeline.script_import import condense
from video_orchestrator.ports.llm import (
    Failure,
    JsonRequest,
    JsonResult,
    LLMProvider,
    Usage,
    UsageSink,
    complete_metered,
    provider_model,
)
from video_orchestrator.ports.provider import Provider
from video_orchestrator.text import one_line

logger = logging.getLogger(__name__)

__all__ = ["AllProvidersFailed", "LLMChain", "chain_from_settings", "failure_reason", "label"]

CACHE_STEP = "llm-v1"


class LLMChain:
    """Providers in order, with caching, one retry on unusable JSON, and accounting."""

    name = "chain"

    def __init__(
        self,
        providers: Sequence[LLMProvider],
        *,
        cache: ContentCache | None = None,
        prices: PriceTable | None = None,
        ledger: UsageSink | None = None,
        json_retries: int = 1,
    ) -> None:
        if not providers:
            raise ConfigError("the language model chain needs at least one provider")
        self.providers = tuple(providers)
        self.cache = cache
        self.prices = prices or PriceTable.load()
        self.ledger = ledger
        self.json_retries = max(0, json_retries)

    def __repr__(self) -> str:
        return f"LLMChain({', '.join(label(p) for p in self.providers)})"

    @property
    def model(self) -> str:
        return provider_model(self.providers[0])

    @property
    def base_url(self) -> str:
        return ""

    @property
    def host(self) -> str:
        """For messages: the one provider's host, or the providers' names."""
        if len(self.providers) == 1:
            return provider_host(self.providers[0])
        return ", ".join(p.name for p in self.providers)

    # ------------------------------------------------------------------ the port

    def complete_json(self, request: JsonRequest) -> dict[str, Any]:
        return self.complete(request).data

    def complete(self, request: JsonRequest, *, project_id: str | None = None) -> JsonResult:
        hit = self._cached(request, project_id)
        if hit is not None:
            return hit
        failures: list[Failure] = []
        calls: list[Usage] = []
        last_error: Exception | None = None
        for provider in self.providers:
            for attempt in range(self.json_retries + 1):
                try:
                    result = complete_metered(provider, request)
                except Exception as exc:  # any failure of a (possibly third-party) provider
                    known = exc if isinstance(exc, ProviderError) else None
                    if known is not None and known.usage is not None:
                        calls.append(self._record(known.usage, request, project_id))
                    if (
                        known is not None
                        and known.retry_same_provider
                        and attempt < self.json_retries
                    ):
                        logger.info("%s gave an unusable answer; asking once more", label(provider))
                        continue
                    logger.info("%s failed: %s", label(provider), failure_reason(exc))
                    logger.debug("language model failure", exc_info=True)
                    failures.append(Failure(label(provider), failure_reason(exc)))
                    last_error = exc
                    break
                usage = self._record(result.usage, request, project_id)
                calls.append(usage)
                self._store(provider, request, result.data, usage)
                return JsonResult(
                    data=result.data, usage=usage, calls=tuple(calls), failures=tuple(failures)
                )
        raise AllProvidersFailed(failures, calls) from last_error

    # ------------------------------------------------------------------ accounting

    def _record(self, usage: Usage, request: JsonRequest, project_id: str | None) -> Usage:
        priced = usage.priced(self.prices.cost(usage))
        if self.ledger is not None:
            self.ledger.record(priced, project_id=project_id, purpose=request.schema_name)
        return priced

    # ------------------------------------------------------------------ the cache

    def _key_parts(self, provider: LLMProvider, request: JsonRequest) -> dict[str, Any]:
        return {
            "provider": provider.name,
            "model": provider_model(provider),
            "server": provider_host(provider),
            "request": dataclasses.asdict(request),
        }

    def _cached(self, request: JsonRequest, project_id: str | None) -> JsonResult | None:
        if self.cache is None:
            return None
        for provider in self.providers:
            parts = self._key_parts(provider, request)
            entry = self.cache.entry_dir(CACHE_STEP, cache_key(CACHE_STEP, parts))
            if not (entry / ".complete").is_file():
                continue
            try:
                stored = json.loads((entry / "answer.json").read_text(encoding="utf-8"))
                data, billed = stored["data"], stored["usage"]
                usage = Usage(
                    provider=str(billed["provider"]),
                    model=str(billed["model"]),
                    input_tokens=billed.get("input_tokens"),
                    output_tokens=billed.get("output_tokens"),
                    cached=True,
                    vendor=str(billed.get("vendor") or ""),
                )
            except (OSError, ValueError, KeyError, TypeError):
                logger.warning("ignoring an unreadable cached answer in %s", entry)
                continue
            if not isinstance(data, dict):
                continue
            self.cache.hits += 1
            usage = self._record(usage, request, project_id)
            logger.info("answer for %s from the cache", request.schema_name)
            return JsonResult(data=data, usage=usage, calls=(usage,))
        return None

    def _store(
        self, provider: LLMProvider, request: JsonRequest, data: dict[str, Any], usage: Usage
    ) -> None:
        if self.cache is None:
            return
        payload = json.dumps({"data": data, "usage": usage.as_dict()}, ensure_ascii=False)

        def make(directory: Path) -> None:
            (directory / "answer.json").write_text(payload, encoding="utf-8")

        try:
            self.cache.get_or_create(
                CACHE_STEP, self._key_parts(provider, request), make, lambda _: None
            )
        except OSError as exc:  # a full or read-only cache must not fail the answer
            logger.warning("could not cache the language model's answer: %s", exc)


def provider_host(llm: LLMProvider) -> str:
    return llm.host


def label(llm: LLMProvider) -> str:
    """``anthropic at api.anthropic.com``, or the name alone when there is no host."""
    host = provider_host(llm)
    return f"{llm.name} at {host}" if host else llm.name


def failure_reason(exc: BaseException) -> str:
    """A short phrase saying why a model failed, for one-line notices."""
    if isinstance(exc, ProviderError) and exc.reason.strip():
        return one_line(exc.reason)
    if isinstance(exc, ValidationError):
        return f"its answer was not a valid script: {condense(exc, limit=2)}"
    return one_line(str(exc)) or type(exc).__name__


def _names(setting: str | None) -> list[str]:
    return list(dict.fromkeys(n.strip().lower() for n in (setting or "").split(",") if n.strip()))


def chain_from_settings(
    settings: Settings,
    provider_class: Callable[[str], type[Provider[Any]]],
    *,
    cache: ContentCache | None,
    ledger: UsageSink | None = None,
) -> LLMChain | None:
    """The chain the settings describe, or None when no language model is configured.

    ``provider_class`` finds a registered adapter by name; it is built from its settings
    section (``settings_model``) and its ``from_settings`` returns None when that section
    lacks what it needs (a key, a URL; ``settings_model.required`` says what). The order is
    ``VO_LLM_PROVIDERS``, else ``VO_LLM_FALLBACK_ORDER`` (each only when configured); a
    provider named in ``VO_LLM_PROVIDERS`` but not configured is a ``ConfigError``.
    """
    explicit = _names(settings.llm_providers)
    names = explicit or _names(settings.llm_fallback_order)
    providers: list[LLMProvider] = []
    for name in names:
        cls = provider_class(name)
        section = settings.section(cls.settings_model, name)
        try:
            provider = cls.from_settings(section)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"the {name} language model settings are invalid: {exc}") from exc
        if provider is not None:
            if not isinstance(provider, LLMProvider):
                raise ConfigError(f"the provider {name!r} is not a language model")
            providers.append(provider)
        elif explicit:
            needs = cls.settings_model.required
            raise ConfigError(f"VO_LLM_PROVIDERS lists {name!r}, but {needs} is not set")
    if not providers:
        return None
    return LLMChain(providers, cache=cache if settings.llm_cache else None, ledger=ledger)
