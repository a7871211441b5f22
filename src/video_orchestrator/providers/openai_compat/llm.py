"""Any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, LM Studio, llama.cpp
server, vLLM, Groq, OpenRouter, DeepSeek …) as an ``LLMProvider``.

Structured output is requested with ``response_format`` of type ``json_schema`` (strict).
Servers that reject ``json_schema`` with HTTP 400 are asked once more with ``json_object``
and the schema written into the system message. Every failure is translated into our errors:
unreachable or too slow → ``ProviderUnavailable``; an HTTP error or an unusable answer →
``ProviderError``. The API key is sent only in the ``Authorization`` header and never
appears in logs or error messages.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from video_orchestrator.errors import ConfigError, ProviderError, ProviderUnavailable
from video_orchestrator.ports.llm import JsonRequest

logger = logging.getLogger(__name__)

_FENCED = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_SCHEMA_NAME = re.compile(r"[^a-zA-Z0-9_-]")
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class LLMRequestError(ProviderError):
    """The endpoint answered, but with an error or an unusable answer.

    ``reason`` is a short phrase for notices ("HTTP 401: Incorrect API key");
    ``status`` is the HTTP status when there was one.
    """

    def __init__(self, message: str, *, reason: str, status: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


class LLMUnreachable(ProviderUnavailable):
    """The endpoint could not be reached or did not answer in time."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class OpenAICompatibleLLM:
    """Structured JSON generation over ``POST {base_url}/chat/completions``."""

    name = "openai-compatible"

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None = None,
        model: str = "gpt-4o-mini",
        timeout: float = 60.0,
        client: httpx.Client | None = None,
        max_retry_wait: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"the language model URL {base_url!r} is not an http(s) URL; "
                "set VO_LLM_BASE_URL to something like http://127.0.0.1:11434/v1"
            )
        if timeout <= 0:
            raise ConfigError(f"the language model timeout must be positive, not {timeout}")
        self.base_url = base_url.strip().rstrip("/")
        self.host = parts.netloc.rpartition("@")[2]  # never show user:password@
        self.model = model
        self.timeout = timeout
        self._api_key = api_key or None
        self._client = client
        self._max_retry_wait = max(0.0, max_retry_wait)
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"OpenAICompatibleLLM(base_url={self.base_url!r}, model={self.model!r})"

    # ------------------------------------------------------------------ the port

    def complete_json(self, request: JsonRequest) -> dict[str, Any]:
        body = self._body(request, structured=True)
        try:
            data = self._post(body)
        except LLMRequestError as exc:
            if exc.status != 400 or not _mentions_response_format(exc.reason):
                raise
            logger.info(
                "%s rejected json_schema output (%s); asking with json_object", self.host, exc
            )
            data = self._post(self._body(request, structured=False))
        return self._parse(data)

    # ------------------------------------------------------------------ HTTP

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

    def _post(self, body: dict[str, Any]) -> Any:
        url = f"{self.base_url}/chat/completions"
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        for attempt in (1, 2):
            with self._transport_errors():
                response = self._send(url, body, headers)
            if response.status_code in _RETRY_STATUSES and attempt == 1:
                wait = self._retry_wait(response)
                logger.info(
                    "%s answered HTTP %s; retrying in %.1fs", self.host, response.status_code, wait
                )
                if wait > 0:
                    self._sleep(wait)
                continue
            if response.status_code >= 400:
                raise self._http_error(response)
            try:
                return response.json()
            except ValueError as exc:
                raise LLMRequestError(
                    f"the language model at {self.host} sent a response that is not JSON; "
                    "check that VO_LLM_BASE_URL points at an OpenAI-compatible API (often "
                    "ending in /v1)",
                    reason="the response was not JSON",
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        if self._client is not None:
            return self._client.post(url, json=body, headers=headers, timeout=self.timeout)
        with httpx.Client(timeout=self.timeout) as client:
            return client.post(url, json=body, headers=headers)

    @contextmanager
    def _transport_errors(self) -> Iterator[None]:
        try:
            yield
        except httpx.TimeoutException as exc:
            raise LLMUnreachable(
                f"the language model at {self.host} did not answer within {self.timeout:g}s; "
                "try again, raise VO_LLM_TIMEOUT or use a smaller model",
                reason=f"no answer within {self.timeout:g}s",
            ) from exc
        except httpx.TransportError as exc:
            detail = self._redact(str(exc)) or type(exc).__name__
            raise LLMUnreachable(
                f"cannot reach the language model at {self.host} ({detail}); check that it is "
                "running and that VO_LLM_BASE_URL is right",
                reason=f"cannot connect: {detail}",
            ) from exc

    def _retry_wait(self, response: httpx.Response) -> float:
        """Seconds to wait before the retry: Retry-After (seconds or an HTTP date), bounded."""
        header = response.headers.get("retry-after", "").strip()
        wait = 1.0
        if header:
            try:
                wait = float(header)
            except ValueError:
                try:
                    wait = parsedate_to_datetime(header).timestamp() - time.time()
                except (TypeError, ValueError, IndexError):
                    wait = 1.0
        return min(max(wait, 0.0), self._max_retry_wait)

    def _http_error(self, response: httpx.Response) -> LLMRequestError:
        detail = self._redact(_error_message(response))
        status = response.status_code
        reason = f"HTTP {status}: {detail}" if detail else f"HTTP {status}"
        advice = {
            401: "check VO_LLM_API_KEY",
            403: "check VO_LLM_API_KEY and the model's access rights",
            404: "check VO_LLM_BASE_URL (often ending in /v1) and VO_LLM_MODEL",
            429: "the rate limit was hit; wait a moment and try again",
        }.get(status, "try again later" if status >= 500 else "check the model settings")
        return LLMRequestError(
            f"the language model at {self.host} answered {reason}; {advice}",
            reason=reason,
            status=status,
        )

    def _redact(self, text: str) -> str:
        text = " ".join(text.split())
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return text[:300]

    # ------------------------------------------------------------------ answer

    def _parse(self, data: Any) -> dict[str, Any]:
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError) as exc:
            raise LLMRequestError(
                f"the language model at {self.host} sent an answer without choices[0].message; "
                "check that it speaks the chat-completions protocol",
                reason="the answer had no message",
            ) from exc
        refusal = message.get("refusal") if isinstance(message, dict) else None
        if refusal:
            refused = self._redact(str(refusal))
            raise LLMRequestError(
                f"the language model at {self.host} refused: {refused}",
                reason=f"it refused: {refused}",
            )
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, str) or not content.strip():
            raise LLMRequestError(
                f"the language model at {self.host} sent an empty answer; try again or use "
                "another model",
                reason="the answer was empty",
            )
        parsed = _json_object(content)
        if parsed is None:
            cut = choice.get("finish_reason") == "length" if isinstance(choice, dict) else False
            why = "it was cut off at max_tokens" if cut else "it was not a JSON object"
            raise LLMRequestError(
                f"the language model at {self.host} answered with unusable text ({why}); "
                "try again or use a model that supports structured output",
                reason=f"the answer was unusable: {why}",
            )
        return parsed


def _json_object(content: str) -> dict[str, Any] | None:
    """The JSON object in ``content``: plain, inside a ```json fence, or amid some prose."""
    candidates = [content.strip()]
    candidates.extend(match.strip() for match in _FENCED.findall(content))
    start, end = content.find("{"), content.rfind("}")
    if 0 <= start < end:
        candidates.append(content[start : end + 1])
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _error_message(response: httpx.Response) -> str:
    """The API's ``error.message`` (OpenAI style), ``error`` as text, or the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
        if body.get("message"):
            return str(body["message"])
        if body.get("detail"):
            return str(body["detail"])
    return response.text[:200]


def _mentions_response_format(reason: str) -> bool:
    lowered = reason.lower()
    return "response_format" in lowered or "json_schema" in lowered
