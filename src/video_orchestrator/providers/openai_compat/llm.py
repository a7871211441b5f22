"""Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, LM Studio, llama.cpp
server, vLLM, Groq, OpenRouter, DeepSeek …) as an ``LLMProvider``.

Structured output is requested with ``response_format`` of type ``json_schema`` (strict).
Servers that reject ``json_schema`` with HTTP 400 are asked once more with ``json_object``
and the schema written into the system message. Base URLs of the known servers are presets
(``data/llm_presets.json``, ``VO_LLM_PRESET``). Timeouts, retries and error translation are
shared with the other adapters (``providers/_http.py``). The API key is sent only in the
``Authorization`` header and never appears in logs or error messages.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from video_orchestrator.errors import ConfigError
from video_orchestrator.ports.llm import JsonRequest
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.providers._http import (
    Answer,
    HttpLLM,
    HttpProviderError,
    HttpUnavailable,
    RetryPolicy,
    json_object,
    mapping,
)

logger = logging.getLogger(__name__)

_SCHEMA_NAME = re.compile(r"[^a-zA-Z0-9_-]")

#: Kept for callers of the first version of this adapter.
LLMRequestError = HttpProviderError
LLMUnreachable = HttpUnavailable
_json_object = json_object


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    base_url: str
    model: str
    local: bool


@cache
def presets() -> dict[str, Preset]:
    """The named base URLs (``data/llm_presets.json``)."""
    raw = json.loads(
        resources.files("video_orchestrator")
        .joinpath("data", "llm_presets.json")
        .read_text(encoding="utf-8")
    )
    return {
        name: Preset(name, str(v["base_url"]), str(v["model"]), bool(v.get("local", False)))
        for name, v in raw.items()
        if not name.startswith("_")
    }


def preset(name: str) -> Preset:
    key = name.strip().lower().replace("-", "").replace(" ", "").replace(".", "")
    known = presets()
    if key not in known:
        raise ConfigError(
            f"unknown language model preset {name!r}; choose one of {', '.join(known)}"
        )
    return known[key]


def vendor_for(base_url: str) -> str:
    """The preset whose host (and port) the URL has — the price-table key — or
    ``openai-compatible`` for any other server."""
    netloc = urlsplit(base_url).netloc.rpartition("@")[2].lower()
    netloc = netloc.replace("localhost", "127.0.0.1")
    for known in presets().values():
        if urlsplit(known.base_url).netloc.lower() == netloc:
            return known.name
    return "openai-compatible"


class OpenAICompatibleSettings(ProviderSettings):
    """``VO_LLM_BASE_URL`` or ``VO_LLM_PRESET``, key, model, timeout and retries."""

    required: ClassVar[str] = "VO_LLM_BASE_URL or VO_LLM_PRESET"

    llm_base_url: str | None
    llm_preset: str | None
    llm_api_key: str | None
    llm_model: str
    llm_timeout: float
    llm_retries: int
    llm_max_retry_wait: float


class OpenAICompatibleLLM(HttpLLM, Provider[OpenAICompatibleSettings]):
    """Structured JSON generation over ``POST {base_url}/chat/completions``."""

    name = "openai-compatible"
    settings_model = OpenAICompatibleSettings
    not_json_advice = (
        "check that VO_LLM_BASE_URL points at an OpenAI-compatible API (often ending in /v1)"
    )

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        model: str | None = None,
        timeout: float = 60.0,
        client: httpx.Client | None = None,
        max_retries: int = 1,
        max_retry_wait: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        preset: str | None = None,
    ) -> None:
        chosen = _preset(preset) if preset else None
        url = base_url if base_url is not None else (chosen.base_url if chosen else "")
        super().__init__(
            base_url=url,
            url_example="http://127.0.0.1:11434/v1 (or set VO_LLM_PRESET)",
            api_key=api_key,
            model=model or (chosen.model if chosen else "gpt-4o-mini"),
            timeout=timeout,
            client=client,
            retry=RetryPolicy(max_retries=max_retries, max_delay=max_retry_wait),
            sleep=sleep,
            vendor=chosen.name if chosen else vendor_for(url),
        )

    @classmethod
    def from_settings(cls, settings: OpenAICompatibleSettings) -> OpenAICompatibleLLM | None:
        """Built by the composition root; None when neither a base URL nor a preset is set."""
        if not settings.llm_base_url and not settings.llm_preset:
            return None
        model = settings.llm_model if "llm_model" in settings.explicit else None
        return cls(
            base_url=settings.llm_base_url or None,
            api_key=settings.llm_api_key,
            model=model,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_retries,
            max_retry_wait=settings.llm_max_retry_wait,
            preset=settings.llm_preset or None,
        )

    # ------------------------------------------------------------------ the protocol

    def _answer(self, request: JsonRequest) -> Answer:
        try:
            data = self._post(self._body(request, structured=True))
        except HttpProviderError as exc:
            if exc.status != 400 or not _mentions_response_format(exc.reason):
                raise
            logger.info(
                "%s rejected json_schema output (%s); asking with json_object", self.host, exc
            )
            data = self._post(self._body(request, structured=False))
        return self._read(data)

    def _post(self, body: dict[str, Any]) -> Any:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        return self.post_json(f"{self.base_url}/chat/completions", body, headers)

    def _body(self, request: JsonRequest, *, structured: bool) -> dict[str, Any]:
        system = request.system
        if structured:
            name = _SCHEMA_NAME.sub("_", request.schema_name)[:64] or "result"
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": request.schema, "strict": True},
            }
        else:
            schema = json.dumps(request.schema, ensure_ascii=False)
            system = (
                f"{system}\n\nAnswer with one JSON object only, matching this JSON schema:\n"
                f"{schema}"
            )
            response_format = {"type": "json_object"}
        return {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": request.user},
            ],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "response_format": response_format,
        }

    def _read(self, data: Any) -> Answer:
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError) as exc:
            raise self.malformed("choices[0].message") from exc
        raw_usage = mapping(data.get("usage") if isinstance(data, dict) else None)
        usage = self._usage(raw_usage.get("prompt_tokens"), raw_usage.get("completion_tokens"))
        if not isinstance(message, dict):
            raise self.malformed("choices[0].message")
        refusal = message.get("refusal")
        content = message.get("content")
        return Answer(
            usage=usage,
            text=content if isinstance(content, str) else None,
            truncated=isinstance(choice, dict) and choice.get("finish_reason") == "length",
            refusal=str(refusal) if refusal else None,
        )


def _preset(name: str) -> Preset:
    return preset(name)


def _mentions_response_format(reason: str) -> bool:
    lowered = reason.lower()
    return "response_format" in lowered or "json_schema" in lowered
