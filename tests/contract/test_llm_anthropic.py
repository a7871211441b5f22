"""Anthropic Messages API specifics: the request (headers, forced tool with the schema),
answers in tool_use or text blocks, 529 overloaded, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.contract.llm_servers import (
    ANTHROPIC,
    KEY,
    MODEL,
    Sleeps,
    anthropic_message,
    tool_use,
)
from tests.contract.test_llm_openai_compat import VALID_ANSWER
from tests.httpserver import HTTPTestServer
from video_orchestrator.errors import ConfigError, ProviderError, ProviderUnavailable
from video_orchestrator.pipeline.script import script_request, script_schema
from video_orchestrator.providers.anthropic.llm import AnthropicLLM


@pytest.fixture
def server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer(ANTHROPIC.default) as running:
        yield running


def test_the_request_follows_the_messages_api(server: HTTPTestServer) -> None:
    request = script_request("black holes", "facts", language="en", target_seconds=40)
    ANTHROPIC.make(server.base_url).complete_json(request)
    (sent,) = server.requests
    assert sent.path == "/v1/messages"
    assert sent.headers["x-api-key"] == KEY
    assert sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers
    body: dict[str, Any] = sent.body
    assert body["model"] == MODEL
    assert body["max_tokens"] == request.max_tokens
    assert body["system"] == request.system
    assert body["messages"] == [{"role": "user", "content": request.user}]
    (tool,) = body["tools"]
    assert tool["name"] == "short_video_script"
    assert body["tool_choice"] == {"type": "tool", "name": "short_video_script"}
    schema = tool["input_schema"]
    assert schema["type"] == "object"
    assert set(schema["properties"]) == set(script_schema()["properties"])
    assert "$ref" not in str(schema) and "$defs" not in schema, "references are inlined"
    scene = schema["properties"]["scenes"]["items"]
    assert scene["properties"]["narration"]["type"] == "string"


def test_overloaded_529_is_retried(server: HTTPTestServer) -> None:
    server.replies.append(ANTHROPIC.error(529, "Overloaded"))
    sleeps = Sleeps()
    assert ANTHROPIC.make(server.base_url, sleeps).complete_json(_request()) == VALID_ANSWER
    assert sleeps.calls == [1.0]


def test_overloaded_529_twice_is_unavailable(server: HTTPTestServer) -> None:
    server.replies.extend([ANTHROPIC.error(529, "Overloaded")] * 2)
    with pytest.raises(ProviderUnavailable, match="HTTP 529: Overloaded"):
        ANTHROPIC.make(server.base_url).complete_json(_request())


def test_a_tool_use_cut_off_at_max_tokens_is_not_trusted(server: HTTPTestServer) -> None:
    partial = {"title": "Black holes"}
    reply = anthropic_message([tool_use("short_video_script", partial)], stop="max_tokens")
    server.replies.append(_reply(reply))
    with pytest.raises(ProviderError, match="cut off"):
        ANTHROPIC.make(server.base_url).complete_json(_request())


def test_a_text_answer_beside_the_tool_call_is_ignored(server: HTTPTestServer) -> None:
    blocks = [
        {"type": "text", "text": "Here you go."},
        tool_use("short_video_script", VALID_ANSWER),
    ]
    server.replies.append(_reply(anthropic_message(blocks)))
    assert ANTHROPIC.make(server.base_url).complete_json(_request()) == VALID_ANSWER


def test_a_refusal(server: HTTPTestServer) -> None:
    server.replies.append(_reply(anthropic_message([], stop="refusal")))
    with pytest.raises(ProviderError, match="refused"):
        ANTHROPIC.make(server.base_url).complete_json(_request())


def test_a_key_is_required() -> None:
    with pytest.raises(ConfigError, match="VO_ANTHROPIC_API_KEY"):
        AnthropicLLM(api_key="")


def _request() -> Any:
    return script_request("black holes", "facts", language="en", target_seconds=40)


def _reply(body: dict[str, Any]) -> Any:
    from tests.httpserver import Reply

    return Reply(200, body)
