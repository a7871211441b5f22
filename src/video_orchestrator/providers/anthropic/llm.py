"""Anthropic's Messages API (``POST {base_url}/v1/messages``) as an ``LLMProvider``.

Structured output is a forced tool call: one tool whose ``input_schema`` is the request's JSON
schema (references inlined) and ``tool_choice`` ``{"type": "tool", "name": …}``, so the answer
is the ``input`` of the ``tool_use`` block. An answer without one (a proxy that ignores tools)
is read from its text blocks as JSON. Errors come as ``{"type": "error", "error": {"type",
"message"}}``; 429 carries ``retry-after``, 529 means overloaded (both retried). The key
travels in ``x-api-key`` only.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, ClassVar

import httpx

from video_orchestrator.errors import ConfigError
from video_orchestrator.ports.llm import JsonRequest
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.providers._http import (
    Answer,
    HttpLLM,
    RetryPolicy,
    inline_refs,
    mapping,
)

API_VERSION = "2023-06-01"
DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_MODEL = "claude-haiku-4-5"
_TOOL_NAME = re.compile(r"[^a-zA-Z0-9_-]")


class AnthropicSettings(ProviderSettings):
    """``VO_ANTHROPIC_*`` and the language models' timeout and retries."""

    required: ClassVar[str] = "VO_ANTHROPIC_API_KEY"

    anthropic_api_key: str | None
    anthropic_base_url: str
    anthropic_model: str
    llm_timeout: float
    llm_retries: int
    llm_max_retry_wait: float


class AnthropicLLM(HttpLLM, Provider[AnthropicSettings]):
    """Claude models through the Messages API."""

    name = "anthropic"
    settings_model = AnthropicSettings
    key_setting = "VO_ANTHROPIC_API_KEY"
    url_setting = "VO_ANTHROPIC_BASE_URL"
    model_setting = "VO_ANTHROPIC_MODEL"
    not_json_advice = "check that VO_ANTHROPIC_BASE_URL points at the Anthropic API"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        model: str = DEFAULT_MODEL,
        timeout: float = 60.0,
        client: httpx.Client | None = None,
        max_retries: int = 1,
        max_retry_wait: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not api_key:
            raise ConfigError("the Anthropic API needs a key: set VO_ANTHROPIC_API_KEY")
        super().__init__(
            base_url=base_url,
            url_example=DEFAULT_BASE_URL,
            api_key=api_key,
            model=model,
            timeout=timeout,
            client=client,
            retry=RetryPolicy(max_retries=max_retries, max_delay=max_retry_wait),
            sleep=sleep,
            vendor="anthropic",
        )

    @classmethod
    def from_settings(cls, settings: AnthropicSettings) -> AnthropicLLM | None:
        """Built by the composition root; None when no key is set."""
        key = settings.anthropic_api_key
        if not key:
            return None
        return cls(
            api_key=key,
            base_url=settings.anthropic_base_url,
            model=settings.anthropic_model,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_retries,
            max_retry_wait=settings.llm_max_retry_wait,
        )

    def _answer(self, request: JsonRequest) -> Answer:
        tool = _TOOL_NAME.sub("_", request.schema_name)[:64] or "result"
        body = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "system": request.system,
            "messages": [{"role": "user", "content": request.user}],
            "tools": [
                {
                    "name": tool,
                    "description": "Give the answer as this tool's input.",
                    "input_schema": inline_refs(request.schema),
                }
            ],
            "tool_choice": {"type": "tool", "name": tool},
        }
        headers = {"anthropic-version": API_VERSION}
        if self._api_key:
            headers["x-api-key"] = self._api_key
        data = self.post_json(f"{self.base_url}/v1/messages", body, headers)
        return self._read(data, tool)

    def _read(self, data: Any, tool: str) -> Answer:
        if not isinstance(data, dict) or not isinstance(data.get("content"), list):
            raise self.malformed("content blocks")
        raw_usage = mapping(data.get("usage"))
        usage = self._usage(raw_usage.get("input_tokens"), raw_usage.get("output_tokens"))
        truncated = data.get("stop_reason") == "max_tokens"
        blocks = [block for block in data["content"] if isinstance(block, dict)]
        for block in blocks:
            if block.get("type") == "tool_use" and block.get("name") == tool:
                given = block.get("input")
                if isinstance(given, dict) and given and not truncated:
                    return Answer(usage=usage, data=given)
        if data.get("stop_reason") == "refusal":
            return Answer(usage=usage, refusal="the model declined to answer")
        text = "".join(
            str(block.get("text", "")) for block in blocks if block.get("type") == "text"
        )
        return Answer(usage=usage, text=text, truncated=truncated)

    def error_detail(self, body: Any) -> str:
        """``{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}``"""
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
            return str(error.get("message") or error.get("type") or "")
        return super().error_detail(body)
