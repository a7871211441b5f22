"""A language model for tests: a deterministic answer built from the request's JSON schema,
a canned answer, or a configured error. It records every request it receives."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from video_orchestrator.errors import VoError
from video_orchestrator.ports.llm import JsonRequest, JsonResult, Usage
from video_orchestrator.ports.provider import Provider, ProviderSettings


class FakeLLM(Provider[ProviderSettings]):
    """Answers every request without a network.

    - ``FakeLLM()``: an object that satisfies the request's schema (required properties,
      minimum item counts, enums, length limits), with readable strings derived from the
      property names and a digest of the prompt, so equal requests give equal answers.
    - ``FakeLLM(answer={...})``: that object, every time.
    - ``FakeLLM(error=ProviderError(...))``: raises it, every time.

    ``complete`` reports a usage with made-up but stable token counts (words in, words out).
    """

    name = "fake"
    kind = "local"
    settings_model = ProviderSettings
    vendor = "fake"
    host = ""  # no server: messages name it by its base URL

    def __init__(
        self,
        *,
        answer: dict[str, Any] | None = None,
        error: VoError | None = None,
        base_url: str = "http://fake.invalid/v1",
        model: str = "fake-model",
        **_: Any,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self._answer = answer
        self._error = error
        self.requests: list[JsonRequest] = []

    def complete(self, request: JsonRequest) -> JsonResult:
        data = self.complete_json(request)
        usage = Usage(
            provider=self.name,
            model=self.model,
            input_tokens=len(f"{request.system} {request.user}".split()),
            output_tokens=len(str(data).split()),
            vendor=self.vendor,
        )
        return JsonResult(data=data, usage=usage, calls=(usage,))

    def complete_json(self, request: JsonRequest) -> dict[str, Any]:
        self.requests.append(request)
        if self._error is not None:
            raise self._error
        if self._answer is not None:
            return copy.deepcopy(self._answer)
        digest = hashlib.sha256(f"{request.system}\n{request.user}".encode()).hexdigest()[:8]
        value = _Builder(request.schema, digest).build(request.schema, "result")
        return value if isinstance(value, dict) else {"result": value}


class _Builder:
    def __init__(self, root: dict[str, Any], digest: str) -> None:
        self._root = root
        self._digest = digest

    def build(self, schema: dict[str, Any], key: str) -> Any:
        schema = self._resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for combinator in ("anyOf", "oneOf"):
            if schema.get(combinator):
                options = [self._resolve(option) for option in schema[combinator]]
                chosen = next((o for o in options if o.get("type") != "null"), options[0])
                return self.build(chosen, key)
        if schema.get("allOf"):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(self._resolve(part))
            return self.build(merged, key)
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object":
            properties: dict[str, Any] = schema.get("properties", {})
            return {name: self.build(sub, name) for name, sub in properties.items()}
        if kind == "array":
            count = max(int(schema.get("minItems", 0)), 3)
            if "maxItems" in schema:
                count = min(count, int(schema["maxItems"]))
            item_key = key[:-1] if key.endswith("s") else key
            items = self._resolve(schema.get("items", {}))
            if items.get("type", "string") == "string" and not items.get("enum"):
                return [f"{item_key}{i}" for i in range(count)]  # tags and keywords: one word
            return [self.build(items, f"{item_key}{i}") for i in range(count)]
        if kind == "integer":
            return int(schema.get("minimum", 1))
        if kind == "number":
            return float(schema.get("minimum", 1.0))
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self._string(schema, key)

    def _string(self, schema: dict[str, Any], key: str) -> str:
        words = key.replace("_", " ").strip() or "text"
        text = f"Fake {words} {self._digest}."
        minimum = int(schema.get("minLength", 0))
        while len(text) < minimum:
            text += f" More {words}."
        maximum = schema.get("maxLength")
        if maximum is not None:
            text = text[: int(maximum)]
        return text

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = 0
        while "$ref" in schema and seen < 32:
            ref = str(schema["$ref"])
            node: Any = self._root
            for part in ref.removeprefix("#/").split("/"):
                if part:
                    node = node[part]
            schema = node
            seen += 1
        return schema
