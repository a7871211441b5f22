"""What every HTTP language-model adapter shares: one JSON POST through the provider
transport (:mod:`video_orchestrator.providers.transport`: timeouts, retries honouring
``Retry-After``, the error map, redaction), the language-model wording of every failure,
and turning a model's text into a JSON object (strict, then fenced or amid prose, then
repaired with ``json_repair``).

Adapters (``anthropic``, ``gemini``, ``openai_compat``) subclass :class:`HttpLLM` and write
only their protocol: the request body, the headers, and where the answer and the token
counts are in the response.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from json_repair import repair_json

from video_orchestrator.errors import (
    ConfigError,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.ports.llm import JsonRequest, JsonResult, Usage
from video_orchestrator.providers import transport
from video_orchestrator.providers.transport import (
    RetryPolicy as RetryPolicy,  # the adapters' retries
)

logger = logging.getLogger(__name__)

_FENCED = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


# --------------------------------------------------------------------------- errors


class _Reasoned:
    """``reason``: a short phrase for one-line notices; ``status``: the HTTP status, if any;
    ``usage``: what the failed call consumed when it was billed (an unusable answer)."""

    reason: str
    status: int | None
    usage: Usage | None

    def _set(self, reason: str, status: int | None, usage: Usage | None) -> None:
        self.reason = reason
        self.status = status
        self.usage = usage


class HttpProviderError(ProviderError, _Reasoned):
    """The provider answered, but with an error or an unusable answer."""

    def __init__(
        self, message: str, *, reason: str, status: int | None = None, usage: Usage | None = None
    ) -> None:
        super().__init__(message)
        self._set(reason, status, usage)


class InvalidAnswer(HttpProviderError):
    """The answer was not a JSON object even after repair (worth asking once more)."""

    retry_same_provider = True


class HttpUnavailable(ProviderUnavailable, _Reasoned):
    """Unreachable, too slow, or a 5xx after the retries."""

    def __init__(self, message: str, *, reason: str, status: int | None = None) -> None:
        super().__init__(message)
        self._set(reason, status, None)


class HttpRateLimited(ProviderRateLimited, _Reasoned):
    """Still 429 after the retries; ``retry_after`` is the provider's last advice."""

    def __init__(
        self, message: str, *, reason: str, status: int = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self._set(reason, status, None)


class HttpAuthError(ProviderAuthError, _Reasoned):
    """401/403: the key is missing, wrong or lacks access."""

    def __init__(self, message: str, *, reason: str, status: int) -> None:
        super().__init__(message)
        self._set(reason, status, None)


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (for optional fields)."""
    return value if isinstance(value, dict) else {}


# --------------------------------------------------------------------------- retries


def parse_duration(text: Any) -> float | None:
    """A protobuf duration string such as ``"30s"`` or ``"1.5s"`` in seconds."""
    if not isinstance(text, str):
        return None
    match = _DURATION.match(text)
    return float(match.group(1)) if match else None


def check_base_url(base_url: str, setting: str, example: str) -> tuple[str, str]:
    """``(base_url without a trailing slash, host without credentials)`` or ConfigError."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"the language model URL {base_url!r} is not an http(s) URL; "
            f"set {setting} to something like {example}"
        )
    return base_url.strip().rstrip("/"), parts.netloc.rpartition("@")[2]


def check_timeout(timeout: float) -> float:
    if timeout <= 0:
        raise ConfigError(f"the language model timeout must be positive, not {timeout}")
    return timeout


# --------------------------------------------------------------------------- the adapter base


@dataclass(frozen=True, slots=True)
class Answer:
    """What an adapter found in a successful response."""

    usage: Usage
    text: str | None = None  # JSON as text, to be parsed (and repaired)
    data: dict[str, Any] | None = None  # an object already (a forced tool call)
    truncated: bool = False  # stopped at max_tokens
    refusal: str | None = None


class HttpLLM:
    """Base of the HTTP adapters. Subclasses set ``name`` and the advice strings, and
    implement :meth:`_answer` (one request/response in their protocol)."""

    name = "http"
    #: Settings named in advice ("check VO_ANTHROPIC_API_KEY").
    key_setting = "VO_LLM_API_KEY"
    url_setting = "VO_LLM_BASE_URL"
    model_setting = "VO_LLM_MODEL"
    not_json_advice = "check the base URL"

    def __init__(
        self,
        *,
        base_url: str,
        url_example: str,
        api_key: str | None,
        model: str,
        timeout: float,
        client: httpx.Client | None,
        retry: RetryPolicy,
        sleep: Callable[[float], None],
        vendor: str,
    ) -> None:
        self.base_url, self.host = check_base_url(base_url, self.url_setting, url_example)
        self.timeout = check_timeout(timeout)
        self.model = model
        self.vendor = vendor
        self._api_key = api_key or None
        self._client = client
        self._retry = retry
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, model={self.model!r})"

    @property
    def label(self) -> str:
        return f"the language model at {self.host}"

    # ------------------------------------------------------------------ the port

    def complete(self, request: JsonRequest) -> JsonResult:
        answer = self._answer(request)
        data = self._parse(answer)
        return JsonResult(data=data, usage=answer.usage, calls=(answer.usage,))

    def complete_json(self, request: JsonRequest) -> dict[str, Any]:
        return self.complete(request).data

    def _answer(self, request: JsonRequest) -> Answer:  # pragma: no cover - abstract
        raise NotImplementedError

    def _usage(self, input_tokens: Any, output_tokens: Any) -> Usage:
        return Usage(
            provider=self.name,
            model=self.model,
            input_tokens=input_tokens if isinstance(input_tokens, int) else None,
            output_tokens=output_tokens if isinstance(output_tokens, int) else None,
            vendor=self.vendor,
        )

    # ------------------------------------------------------------------ HTTP

    def post_json(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        """POST ``body``; the parsed JSON response. Retries 429/5xx as the policy says."""
        headers = {"Content-Type": "application/json", "Accept": "application/json", **headers}
        response = transport.send(
            self._client,
            "POST",
            url,
            json=body,
            headers=headers,
            retry=self._retry,
            timeout=self.timeout,
            label=self.host,
            sleep=self._sleep,
            advised=self._advised_wait,
            on_timeout=self._timed_out,
            on_unreachable=self._unreachable,
        )
        status = response.status_code
        if status >= 400:
            raise self._http_error(response)
        try:
            return response.json()
        except ValueError as exc:
            raise HttpProviderError(
                f"{self.label} sent a response that is not JSON; {self.not_json_advice}",
                reason="the response was not JSON",
                status=status,
            ) from exc

    def _timed_out(self, exc: Exception) -> ProviderError:
        return HttpUnavailable(
            f"{self.label} did not answer within {self.timeout:g}s; "
            "try again, raise VO_LLM_TIMEOUT or use a smaller model",
            reason=f"no answer within {self.timeout:g}s",
        )

    def _unreachable(self, exc: Exception) -> ProviderError:
        detail = self.redact(str(exc)) or type(exc).__name__
        return HttpUnavailable(
            f"cannot reach {self.label} ({detail}); check that it is running and that "
            f"{self.url_setting} is right",
            reason=f"cannot connect: {detail}",
        )

    def _advised_wait(self, response: httpx.Response) -> float | None:
        advised = transport.retry_after(response.headers)
        if advised is None:
            try:
                advised = self.retry_after_from_body(response.json())
            except ValueError:
                advised = None
        return advised

    def retry_after_from_body(self, body: Any) -> float | None:
        """A provider's wait advice inside the error body (Gemini's RetryInfo)."""
        return None

    def error_detail(self, body: Any) -> str:
        """The provider's error message in an error body (see :func:`transport.error_detail`)."""
        return transport.error_detail(body)

    def _http_error(self, response: httpx.Response) -> ProviderError:
        try:
            detail = self.error_detail(response.json()) or response.text[:200]
        except ValueError:
            detail = response.text[:200]
        detail = self.redact(detail)
        status = response.status_code
        reason = f"HTTP {status}: {detail}" if detail else f"HTTP {status}"
        if status in (401, 403):
            advice = f"check {self.key_setting}"
            if status == 403:
                advice += " and the model's access rights"
            return HttpAuthError(f"{self.label} answered {reason}; {advice}", reason=reason,
                                 status=status)  # fmt: skip
        if status == 429:
            return HttpRateLimited(
                f"{self.label} answered {reason}; the rate limit was hit; wait a moment and "
                "try again",
                reason=reason,
                retry_after=self._advised_wait(response),
            )
        if status >= 500:
            return HttpUnavailable(
                f"{self.label} answered {reason}; try again later", reason=reason, status=status
            )
        advice = (
            f"check {self.url_setting} and {self.model_setting}"
            if status == 404
            else "check the model settings"
        )
        return HttpProviderError(
            f"{self.label} answered {reason}; {advice}", reason=reason, status=status
        )

    def redact(self, text: str) -> str:
        return transport.redact(text, (self._api_key,), limit=300)

    # ------------------------------------------------------------------ the answer

    def malformed(self, what: str) -> HttpProviderError:
        return HttpProviderError(
            f"{self.label} sent an answer without {what}; check that {self.url_setting} "
            "points at the right API",
            reason=f"the answer had no {what}",
        )

    def _parse(self, answer: Answer) -> dict[str, Any]:
        if answer.refusal:
            refused = self.redact(answer.refusal)
            raise HttpProviderError(
                f"{self.label} refused: {refused}",
                reason=f"it refused: {refused}",
                usage=answer.usage,
            )
        if answer.data is not None:
            return answer.data
        text = answer.text or ""
        if not text.strip() and not answer.truncated:
            raise InvalidAnswer(
                f"{self.label} sent an empty answer; try again or use another model",
                reason="the answer was empty",
                usage=answer.usage,
            )
        parsed = json_object(text, repair=not answer.truncated)
        if parsed is None:
            why = "it was cut off at max_tokens" if answer.truncated else "it was not a JSON object"
            raise InvalidAnswer(
                f"{self.label} answered with unusable text ({why}); try again or use a model "
                "that supports structured output",
                reason=f"the answer was unusable: {why}",
                usage=answer.usage,
            )
        return parsed


def json_object(content: str, *, repair: bool = True) -> dict[str, Any] | None:
    """The JSON object in ``content``: plain, inside a ```json fence, or amid some prose;
    failing that (and when ``repair``), the object ``json_repair`` makes of it."""
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
    if not repair or start < 0:
        return None
    repaired = repair_json(content[start:], return_objects=True)
    if isinstance(repaired, dict) and repaired:
        logger.info("repaired a malformed JSON answer")
        return repaired
    return None


def inline_refs(schema: dict[str, Any], *, max_depth: int = 32) -> dict[str, Any]:
    """``schema`` with every local ``$ref`` replaced by its target and ``$defs`` dropped,
    for providers whose schema dialect has no references (recursion is cut at ``max_depth``)."""
    root = schema

    def resolve(ref: str) -> Any:
        node: Any = root
        for part in ref.removeprefix("#/").split("/"):
            if part:
                node = node[part]
        return node

    def walk(node: Any, depth: int) -> Any:
        if isinstance(node, list):
            return [walk(item, depth) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node and depth < max_depth:
            target = resolve(str(node["$ref"]))
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return walk(merged, depth + 1)
        return {k: walk(v, depth) for k, v in node.items() if k not in ("$defs", "definitions")}

    result: dict[str, Any] = walk(schema, 0)
    return result
