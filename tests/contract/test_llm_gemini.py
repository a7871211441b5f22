"""Gemini generateContent specifics: the request (key header, JSON mode, the converted
responseSchema), RetryInfo in 429 bodies, API_KEY_INVALID, blocked answers, thinking tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.contract.llm_servers import GEMINI, KEY, MODEL, Sleeps, gemini_response
from tests.contract.test_llm_openai_compat import VALID_ANSWER
from tests.httpserver import HTTPTestServer, Reply
from video_orchestrator.errors import ConfigError, ProviderAuthError, ProviderError
from video_orchestrator.pipeline.script import script_request
from video_orchestrator.ports.llm import JsonRequest
from video_orchestrator.providers.gemini.llm import GeminiLLM, gemini_schema


@pytest.fixture
def server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer(GEMINI.default) as running:
        yield running


def _request() -> JsonRequest:
    return script_request("black holes", "facts", language="en", target_seconds=40)


def test_the_request_follows_generate_content(server: HTTPTestServer) -> None:
    request = _request()
    GEMINI.make(server.base_url).complete_json(request)
    (sent,) = server.requests
    assert sent.path == f"/v1beta/models/{MODEL}:generateContent"
    assert sent.headers["x-goog-api-key"] == KEY
    assert "key=" not in sent.path, "the key never travels in the URL"
    body: dict[str, Any] = sent.body
    assert body["systemInstruction"] == {"parts": [{"text": request.system}]}
    assert body["contents"] == [{"role": "user", "parts": [{"text": request.user}]}]
    config = body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["maxOutputTokens"] == request.max_tokens
    assert config["temperature"] == request.temperature
    assert config["responseSchema"] == gemini_schema(request.schema)
    assert config["responseSchema"]["type"] == "OBJECT"


def test_retry_info_in_a_429_body_is_honoured(server: HTTPTestServer) -> None:
    body = {
        "error": {
            "code": 429,
            "message": "Resource has been exhausted (e.g. check quota).",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3s"}],
        }
    }
    server.replies.append(Reply(429, body))
    sleeps = Sleeps()
    assert GEMINI.make(server.base_url, sleeps).complete_json(_request()) == VALID_ANSWER
    assert sleeps.calls == [3.0]


def test_api_key_invalid_is_an_auth_error(server: HTTPTestServer) -> None:
    with pytest.raises(ProviderAuthError, match="API key not valid") as caught:
        GEMINI.make(server.base_url, api_key="wrong").complete_json(_request())
    assert "VO_GEMINI_API_KEY" in str(caught.value)


def test_permission_denied_is_an_auth_error(server: HTTPTestServer) -> None:
    server.replies.append(GEMINI.error(403, "Method doesn't allow unregistered callers."))
    with pytest.raises(ProviderAuthError):
        GEMINI.make(server.base_url).complete_json(_request())


def test_a_blocked_answer_is_a_refusal(server: HTTPTestServer) -> None:
    server.replies.append(Reply(200, gemini_response("", "SAFETY")))
    with pytest.raises(ProviderError, match=r"blocked \(SAFETY\)"):
        GEMINI.make(server.base_url).complete_json(_request())


def test_a_blocked_prompt_is_a_refusal(server: HTTPTestServer) -> None:
    server.replies.append(Reply(200, {"promptFeedback": {"blockReason": "OTHER"}}))
    with pytest.raises(ProviderError, match="prompt was blocked"):
        GEMINI.make(server.base_url).complete_json(_request())


def test_thinking_tokens_count_as_output_and_thoughts_are_skipped(server: HTTPTestServer) -> None:
    import json

    body = gemini_response(json.dumps(VALID_ANSWER))
    body["candidates"][0]["content"]["parts"].insert(0, {"text": "Let me think", "thought": True})
    body["usageMetadata"]["thoughtsTokenCount"] = 100
    server.replies.append(Reply(200, body))
    result = GEMINI.make(server.base_url).complete(_request())
    assert result.data == VALID_ANSWER
    assert result.usage.output_tokens == body["usageMetadata"]["candidatesTokenCount"] + 100


def test_a_key_is_required() -> None:
    with pytest.raises(ConfigError, match="VO_GEMINI_API_KEY"):
        GeminiLLM(api_key="")


# --------------------------------------------------------------------------- the schema dialect


def test_the_script_schema_in_gemini_dialect() -> None:
    converted = gemini_schema(_request().schema)
    text = str(converted)
    for unsupported in ("$ref", "$defs", "additionalProperties", "'const'"):
        assert unsupported not in text
    scenes = converted["properties"]["scenes"]
    assert scenes["type"] == "ARRAY" and scenes["minItems"] == 3
    scene = scenes["items"]
    assert scene["type"] == "OBJECT"
    assert scene["properties"]["keywords"]["items"] == {"type": "STRING"}
    assert converted["propertyOrdering"] == list(_request().schema["properties"])
    assert set(converted["required"]) == set(converted["properties"])


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": ["string", "null"]}, {"type": "STRING", "nullable": True}),
        (
            {"anyOf": [{"type": "integer"}, {"type": "null"}]},
            {"type": "INTEGER", "nullable": True},
        ),
        ({"const": "fixed"}, {"type": "STRING", "enum": ["fixed"]}),
        ({"type": "integer", "enum": [1, 2]}, {"type": "INTEGER"}),
        ({"type": "string", "format": "uri"}, {"type": "STRING"}),
        ({"type": "string", "format": "date-time"}, {"type": "STRING", "format": "date-time"}),
        (
            {"oneOf": [{"type": "string"}, {"type": "number"}]},
            {"anyOf": [{"type": "STRING"}, {"type": "NUMBER"}]},
        ),
        (
            {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}]},
            {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}, "propertyOrdering": ["a"]},
        ),
        (
            {
                "type": "object",
                "properties": {"n": {"$ref": "#/$defs/N"}},
                "$defs": {"N": {"type": "number", "minimum": 0}},
                "additionalProperties": False,
            },
            {
                "type": "OBJECT",
                "properties": {"n": {"type": "NUMBER", "minimum": 0}},
                "propertyOrdering": ["n"],
            },
        ),
    ],
)
def test_json_schema_to_gemini_schema(schema: dict[str, Any], expected: dict[str, Any]) -> None:
    assert gemini_schema(schema) == expected
