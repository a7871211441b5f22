"""Test servers that speak each language-model provider's documented protocol.

Each :class:`ProviderProtocol` knows its provider's path, auth header, success body (with
token usage) and error body, and answers like the real API when no reply is queued: a wrong
path is 404, a missing or wrong key is the provider's auth error, anything else succeeds with
``VALID_ANSWER``. ``make(server, ...)`` builds the adapter pointed at the server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.contract.test_llm_openai_compat import VALID_ANSWER
from tests.httpserver import Recorded, Reply
from video_orchestrator.providers._http import HttpLLM
from video_orchestrator.providers.anthropic.llm import AnthropicLLM
from video_orchestrator.providers.gemini.llm import GeminiLLM
from video_orchestrator.providers.openai_compat.llm import OpenAICompatibleLLM

KEY = "sk-test-secret-987"
MODEL = "test-model"
INPUT_TOKENS, OUTPUT_TOKENS = 812, 215


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@dataclass(frozen=True)
class ProviderProtocol:
    name: str
    path: str
    build: Callable[..., HttpLLM]
    base_suffix: str = ""

    # -- bodies ----------------------------------------------------------------------------

    def answer(self, data: dict[str, Any], request: Recorded | None = None) -> Reply:
        """The normal success reply carrying ``data`` as the structured answer."""
        if self.name == "anthropic":
            tool = "short_video_script"
            if request is not None and isinstance(request.body, dict):
                tool = request.body["tools"][0]["name"]
            return Reply(200, anthropic_message([tool_use(tool, data)]))
        return self.text(json.dumps(data))

    def text(self, content: str, *, truncated: bool = False) -> Reply:
        """A success reply whose answer is ``content`` as text."""
        if self.name == "anthropic":
            stop = "max_tokens" if truncated else "end_turn"
            return Reply(200, anthropic_message([{"type": "text", "text": content}], stop))
        if self.name == "gemini":
            finish = "MAX_TOKENS" if truncated else "STOP"
            return Reply(200, gemini_response(content, finish))
        return Reply(200, openai_completion(content, "length" if truncated else "stop"))

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
        """The provider's documented error body for ``status``."""
        if self.name == "anthropic":
            kinds = {400: "invalid_request_error", 401: "authentication_error",
                     403: "permission_error", 404: "not_found_error", 429: "rate_limit_error",
                     500: "api_error", 529: "overloaded_error"}  # fmt: skip
            body: Any = {
                "type": "error",
                "error": {"type": kinds.get(status, "api_error"), "message": message},
                "request_id": "req_011CTest",
            }
        elif self.name == "gemini":
            statuses = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                        429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}  # fmt: skip
            body = {
                "error": {"code": status, "message": message, "status": statuses.get(status, "")}
            }
        else:
            body = {"error": {"message": message, "type": "error", "code": None}}
        return Reply(status, body, headers or {})

    def auth_failure(self) -> Reply:
        """What the provider answers to a wrong key."""
        if self.name == "gemini":
            return Reply(400, gemini_key_invalid())
        if self.name == "anthropic":
            return self.error(401, "invalid x-api-key")
        return self.error(401, f"Incorrect API key provided: {KEY}.")

    def overloaded(self) -> Reply:
        """The provider's usual 'busy' 5xx."""
        if self.name == "anthropic":
            return self.error(529, "Overloaded")
        if self.name == "gemini":
            return self.error(503, "The model is overloaded. Please try again later.")
        return self.error(500, "The server had an error while processing your request.")

    # -- the server's default behaviour ----------------------------------------------------

    def default(self, request: Recorded) -> Reply:
        path = request.path.split("?")[0]
        if request.method != "POST" or path != self.path:
            return self.error(404, f"Not found: {path}")
        if not self.authorised(request.headers):
            return self.auth_failure()
        if self.name == "anthropic" and request.headers.get("anthropic-version") != "2023-06-01":
            return self.error(400, "anthropic-version: header is required")
        return self.answer(VALID_ANSWER, request)

    def authorised(self, headers: dict[str, str]) -> bool:
        if self.name == "anthropic":
            return headers.get("x-api-key") == KEY
        if self.name == "gemini":
            return headers.get("x-goog-api-key") == KEY
        return headers.get("authorization") == f"Bearer {KEY}"

    def make(self, base_url: str, sleeps: Sleeps | None = None, **kwargs: Any) -> HttpLLM:
        options: dict[str, Any] = {"api_key": KEY, "model": MODEL, "timeout": 5.0}
        options.update(kwargs)
        return self.build(base_url=base_url + self.base_suffix, sleep=sleeps or Sleeps(), **options)


def anthropic_message(content: list[dict[str, Any]], stop: str = "tool_use") -> dict[str, Any]:
    return {
        "id": "msg_01Test",
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": INPUT_TOKENS, "output_tokens": OUTPUT_TOKENS},
    }


def tool_use(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "id": "toolu_01Test", "name": name, "input": data}


def gemini_response(text: str, finish: str = "STOP") -> dict[str, Any]:
    return {
        "candidates": [
            {
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": finish,
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": INPUT_TOKENS,
            "candidatesTokenCount": OUTPUT_TOKENS,
            "totalTokenCount": INPUT_TOKENS + OUTPUT_TOKENS,
        },
        "modelVersion": MODEL,
    }


def gemini_key_invalid() -> dict[str, Any]:
    return {
        "error": {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                }
            ],
        }
    }


def openai_completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": INPUT_TOKENS,
            "completion_tokens": OUTPUT_TOKENS,
            "total_tokens": INPUT_TOKENS + OUTPUT_TOKENS,
        },
    }


ANTHROPIC = ProviderProtocol("anthropic", "/v1/messages", AnthropicLLM)
GEMINI = ProviderProtocol("gemini", f"/v1beta/models/{MODEL}:generateContent", GeminiLLM)
OPENAI = ProviderProtocol(
    "openai-compatible", "/v1/chat/completions", OpenAICompatibleLLM, base_suffix="/v1"
)
PROTOCOLS = {p.name: p for p in (ANTHROPIC, GEMINI, OPENAI)}
