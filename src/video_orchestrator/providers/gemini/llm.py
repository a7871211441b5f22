"""Google's Gemini API (``POST {base_url}/v1beta/models/{model}:generateContent``) as an
``LLMProvider``.

Structured output: ``generationConfig.responseMimeType = "application/json"`` with a
``responseSchema`` — Gemini's OpenAPI-style Schema, not JSON Schema, so the request's schema
is converted (:func:`gemini_schema`: references inlined, ``["x", "null"]`` → ``nullable``,
``const`` → ``enum``, unsupported keywords such as ``additionalProperties`` dropped, property
order kept in ``propertyOrdering``). Errors come as ``{"error": {"code", "message", "status",
"details"}}``; a 429's ``RetryInfo.retryDelay`` is honoured like ``Retry-After``, and a 400
``API_KEY_INVALID`` is an authentication failure. The key travels in ``x-goog-api-key`` only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from video_orchestrator.errors import ConfigError, ProviderError
from video_orchestrator.ports.llm import JsonRequest
from video_orchestrator.ports.provider import Provider, ProviderSettings
from video_orchestrator.providers._http import (
    Answer,
    HttpAuthError,
    HttpLLM,
    RetryPolicy,
    inline_refs,
    mapping,
    parse_duration,
)

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
DEFAULT_MODEL = "gemini-2.5-flash"

#: Schema fields Gemini accepts (besides ``type``, ``properties``, ``items``, ``anyOf``).
_KEPT = frozenset(
    {
        "description",
        "enum",
        "format",
        "maxItems",
        "minItems",
        "maxLength",
        "minLength",
        "maxProperties",
        "minProperties",
        "maximum",
        "minimum",
        "pattern",
        "required",
        "title",
        "nullable",
    }
)
_TYPES = {"string", "number", "integer", "boolean", "array", "object", "null"}
_FORMATS = {"STRING": {"enum", "date-time"}, "INTEGER": {"int32", "int64"},
            "NUMBER": {"float", "double"}}  # fmt: skip
#: Finish reasons that mean the model declined (no usable text follows).
_BLOCKED = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE"}


class GeminiSettings(ProviderSettings):
    """``VO_GEMINI_*`` and the language models' timeout and retries."""

    required: ClassVar[str] = "VO_GEMINI_API_KEY"

    gemini_api_key: str | None
    gemini_base_url: str
    gemini_model: str
    llm_timeout: float
    llm_retries: int
    llm_max_retry_wait: float


class GeminiLLM(HttpLLM, Provider[GeminiSettings]):
    """Gemini models through the Generative Language REST API."""

    name = "gemini"
    settings_model = GeminiSettings
    key_setting = "VO_GEMINI_API_KEY"
    url_setting = "VO_GEMINI_BASE_URL"
    model_setting = "VO_GEMINI_MODEL"
    not_json_advice = "check that VO_GEMINI_BASE_URL points at the Gemini API"

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
            raise ConfigError("the Gemini API needs a key: set VO_GEMINI_API_KEY")
        super().__init__(
            base_url=base_url,
            url_example=DEFAULT_BASE_URL,
            api_key=api_key,
            model=model.removeprefix("models/"),
            timeout=timeout,
            client=client,
            retry=RetryPolicy(max_retries=max_retries, max_delay=max_retry_wait),
            sleep=sleep,
            vendor="gemini",
        )

    @classmethod
    def from_settings(cls, settings: GeminiSettings) -> GeminiLLM | None:
        """Built by the composition root; None when no key is set."""
        key = settings.gemini_api_key
        if not key:
            return None
        return cls(
            api_key=key,
            base_url=settings.gemini_base_url,
            model=settings.gemini_model,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_retries,
            max_retry_wait=settings.llm_max_retry_wait,
        )

    def _answer(self, request: JsonRequest) -> Answer:
        body = {
            "systemInstruction": {"parts": [{"text": request.system}]},
            "contents": [{"role": "user", "parts": [{"text": request.user}]}],
            "generationConfig": {
                "temperature": request.temperature,
                "maxOutputTokens": request.max_tokens,
                "responseMimeType": "application/json",
                "responseSchema": gemini_schema(request.schema),
            },
        }
        headers = {"x-goog-api-key": self._api_key} if self._api_key else {}
        url = f"{self.base_url}/v1beta/models/{quote(self.model, safe='-._~')}:generateContent"
        return self._read(self.post_json(url, body, headers))

    def _read(self, data: Any) -> Answer:
        if not isinstance(data, dict):
            raise self.malformed("candidates")
        meta = mapping(data.get("usageMetadata"))
        output = meta.get("candidatesTokenCount")
        thoughts = meta.get("thoughtsTokenCount")  # thinking tokens are billed as output
        if isinstance(output, int) and isinstance(thoughts, int):
            output += thoughts
        usage = self._usage(meta.get("promptTokenCount"), output)
        candidates = data.get("candidates")
        if not isinstance(candidates, list) or not candidates:
            blocked = mapping(data.get("promptFeedback")).get("blockReason")
            if blocked:
                return Answer(usage=usage, refusal=f"the prompt was blocked ({blocked})")
            raise self.malformed("candidates")
        candidate = candidates[0] if isinstance(candidates[0], dict) else {}
        finish = candidate.get("finishReason")
        if finish in _BLOCKED:
            return Answer(usage=usage, refusal=f"the answer was blocked ({finish})")
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        if not isinstance(parts, list):
            raise self.malformed("candidates[0].content.parts")
        text = "".join(
            str(part["text"])
            for part in parts
            if isinstance(part, dict) and "text" in part and not part.get("thought")
        )
        return Answer(usage=usage, text=text, truncated=finish == "MAX_TOKENS")

    # ------------------------------------------------------------------ errors

    def error_detail(self, body: Any) -> str:
        """``{"error": {"code": 429, "message": "…", "status": "RESOURCE_EXHAUSTED"}}``"""
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
            return str(error.get("message") or error.get("status") or "")
        if isinstance(body, list) and body:  # some proxies wrap the error in a list
            return self.error_detail(body[0])
        return super().error_detail(body)

    def retry_after_from_body(self, body: Any) -> float | None:
        """``error.details[].retryDelay`` of a ``google.rpc.RetryInfo``, e.g. ``"30s"``."""
        for detail in _details(body):
            if str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
                return parse_duration(detail.get("retryDelay"))
        return None

    def _http_error(self, response: httpx.Response) -> ProviderError:
        error = super()._http_error(response)
        if response.status_code == 400:
            try:
                body = response.json()
            except ValueError:
                return error
            reasons = {str(d.get("reason", "")) for d in _details(body)}
            if "API_KEY_INVALID" in reasons or "API key not valid" in str(body):
                reason = getattr(error, "reason", "HTTP 400")
                return HttpAuthError(
                    f"{self.label} answered {reason}; check {self.key_setting}",
                    reason=reason,
                    status=400,
                )
        return error


def _details(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list) and body:
        body = body[0]
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def gemini_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema in Gemini's ``Schema`` dialect (see the module docstring)."""
    converted: dict[str, Any] = _convert(inline_refs(schema))
    return converted


def _convert(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = dict(node)
    for combinator in ("allOf",):
        if isinstance(node.get(combinator), list):
            for part in node.pop(combinator):
                if isinstance(part, dict):
                    node = {**part, **node}
    options = node.pop("anyOf", None) or node.pop("oneOf", None)
    result: dict[str, Any] = {}
    if isinstance(options, list):
        real = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
        if len(real) < len(options):
            result["nullable"] = True
        if len(real) == 1:
            node = {**real[0], **node}
        elif real:
            result["anyOf"] = [_convert(option) for option in real]
    kind = node.get("type")
    if isinstance(kind, list):
        if "null" in kind:
            result["nullable"] = True
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "properties" in node:
        kind = "object"
    if "const" in node and "enum" not in node:
        node["enum"] = [node["const"]]
    if isinstance(kind, str) and kind in _TYPES:
        result["type"] = kind.upper()
    for key, value in node.items():
        if key in _KEPT:
            result[key] = value
    if "enum" in result:
        if result.get("type", "STRING") == "STRING" and all(
            isinstance(v, str) for v in result["enum"]
        ):
            result["type"] = "STRING"
        else:
            result.pop("enum")
    if "format" in result and result["format"] not in _FORMATS.get(result.get("type", ""), ()):
        result.pop("format")
    if isinstance(node.get("properties"), dict):
        result["properties"] = {k: _convert(v) for k, v in node["properties"].items()}
        result["propertyOrdering"] = list(node["properties"])
        if "required" in result:
            result["required"] = [r for r in result["required"] if r in result["properties"]]
    if isinstance(node.get("items"), dict):
        result["items"] = _convert(node["items"])
    return result
