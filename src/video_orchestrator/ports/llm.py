"""Language-model port: a prompt and a JSON schema in, a JSON object out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class JsonRequest:
    system: str
    user: str
    schema: dict[str, Any]
    schema_name: str = "result"
    temperature: float = 0.7
    max_tokens: int = 2000


@runtime_checkable
class LLMProvider(Protocol):
    """Structured generation. Raises ``ProviderUnavailable`` when unreachable and
    ``ProviderError`` when the answer is unusable (not JSON, wrong shape, HTTP error)."""

    name: str

    def complete_json(self, request: JsonRequest) -> dict[str, Any]: ...
