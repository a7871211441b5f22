"""Language-model port: a prompt and a JSON schema in, a JSON object out.

Every provider implements :class:`LLMProvider` (``complete_json``). Providers that can say
what a call cost also implement :class:`MeteredLLM` (``complete``, returning the answer with
its :class:`Usage`); :func:`complete_metered` calls either kind and always gives a usage.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class JsonRequest:
    system: str
    user: str
    schema: dict[str, Any]
    schema_name: str = "result"
    temperature: float = 0.7
    max_tokens: int = 2000


@dataclass(frozen=True, slots=True)
class Usage:
    """What one model call consumed.

    ``provider`` is the adapter (``anthropic``, ``gemini``, ``openai-compatible`` …),
    ``vendor`` the price-table key (``openai``, ``groq``, ``ollama`` …; the provider when it
    is the vendor), ``cost_usd`` None when the price is unknown, ``cached`` True when the
    answer came from the response cache (then it cost nothing).
    """

    provider: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    cached: bool = False
    vendor: str = ""

    def priced(self, cost_usd: float | None) -> Usage:
        return replace(self, cost_usd=cost_usd)

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "vendor": self.vendor or self.provider,
            "model": self.model,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost_usd,
            "cached": self.cached,
        }


@dataclass(frozen=True, slots=True)
class Failure:
    """A provider that was tried and failed, with a short reason for notices."""

    provider: str
    reason: str


@dataclass(frozen=True, slots=True)
class JsonResult:
    """An answer, the usage of the call that produced it, and every billed call made for it
    (retries and failed providers included) plus the providers that failed first."""

    data: dict[str, Any]
    usage: Usage
    calls: tuple[Usage, ...] = ()
    failures: tuple[Failure, ...] = field(default_factory=tuple)


@runtime_checkable
class LLMProvider(Protocol):
    """Structured generation. Raises ``ProviderUnavailable`` when unreachable and
    ``ProviderError`` when the answer is unusable (not JSON, wrong shape, HTTP error); the
    error's typed fields (``reason``, ``usage``, ``retry_same_provider``) say what happened.

    ``model`` is the model it asks ("" when unknown), ``host`` the server it talks to, for
    messages and the response cache, ``base_url`` its API's address ("" for a provider
    without one). A provider that is not
    configured is never built (its ``from_settings`` gives None), so there is no
    ``configured`` here. Adapters subclass ``ports.provider.Provider``.
    """

    name: str

    @property
    def model(self) -> str: ...

    @property
    def host(self) -> str: ...

    @property
    def base_url(self) -> str: ...

    def complete_json(self, request: JsonRequest) -> dict[str, Any]: ...


@runtime_checkable
class MeteredLLM(LLMProvider, Protocol):
    """A provider that reports the usage of each call."""

    def complete(self, request: JsonRequest) -> JsonResult: ...


class UsageSink(Protocol):
    """Where usage is reported (a ledger); ``project_id`` when the call belongs to one."""

    def record(self, usage: Usage, *, project_id: str | None = None, purpose: str = "") -> None: ...


def provider_model(llm: LLMProvider) -> str:
    return llm.model or "unknown"


def complete_metered(llm: LLMProvider, request: JsonRequest) -> JsonResult:
    """``llm.complete(request)`` when it reports usage, else ``complete_json`` with a usage
    that knows the provider and model but no token counts."""
    if isinstance(llm, MeteredLLM):
        return llm.complete(request)
    data = llm.complete_json(request)
    usage = Usage(provider=llm.name, model=provider_model(llm))
    return JsonResult(data=data, usage=usage, calls=(usage,))
