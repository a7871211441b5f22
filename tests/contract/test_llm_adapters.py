"""Every HTTP language-model adapter (Anthropic, Gemini, OpenAI-compatible) against a local
server speaking its documented protocol: success with usage, 429 with Retry-After, 5xx,
exponential backoff, auth failures, timeouts, malformed bodies, repaired JSON, secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from tests.contract.llm_servers import (
    INPUT_TOKENS,
    KEY,
    MODEL,
    OUTPUT_TOKENS,
    PROTOCOLS,
    ProviderProtocol,
    Sleeps,
)
from tests.contract.test_llm_openai_compat import VALID_ANSWER, closed_port
from tests.httpserver import HTTPTestServer, Reply
from video_orchestrator.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.pipeline.script import script_request
from video_orchestrator.ports.llm import JsonRequest, LLMProvider, MeteredLLM
from video_orchestrator.providers._http import InvalidAnswer


def request() -> JsonRequest:
    return script_request("black holes", "facts", language="en", target_seconds=40)


@pytest.fixture(params=sorted(PROTOCOLS))
def protocol(request: pytest.FixtureRequest) -> ProviderProtocol:
    return PROTOCOLS[request.param]


@pytest.fixture
def server(protocol: ProviderProtocol) -> Iterator[HTTPTestServer]:
    with HTTPTestServer(protocol.default) as running:
        yield running


def test_success_answer_and_usage(protocol: ProviderProtocol, server: HTTPTestServer) -> None:
    llm = protocol.make(server.base_url)
    assert isinstance(llm, LLMProvider) and isinstance(llm, MeteredLLM)
    result = llm.complete(request())
    assert result.data == VALID_ANSWER
    assert result.usage.provider == protocol.name
    assert result.usage.model == MODEL
    assert (result.usage.input_tokens, result.usage.output_tokens) == (INPUT_TOKENS, OUTPUT_TOKENS)
    assert llm.complete_json(request()) == VALID_ANSWER
    assert len(server.requests) == 2
    assert server.requests[0].path.split("?")[0] == protocol.path


def test_429_waits_for_retry_after_then_succeeds(
    protocol: ProviderProtocol, server: HTTPTestServer
) -> None:
    server.replies.append(protocol.error(429, "Rate limit reached", {"Retry-After": "2"}))
    sleeps = Sleeps()
    assert protocol.make(server.base_url, sleeps).complete_json(request()) == VALID_ANSWER
    assert sleeps.calls == [2.0]
    assert len(server.requests) == 2


def test_429_every_time_is_rate_limited_with_the_advice(
    protocol: ProviderProtocol, server: HTTPTestServer
) -> None:
    for _ in range(2):
        server.replies.append(protocol.error(429, "Rate limit reached", {"Retry-After": "7"}))
    sleeps = Sleeps()
    with pytest.raises(ProviderRateLimited) as caught:
        protocol.make(server.base_url, sleeps, max_retry_wait=3).complete_json(request())
    assert caught.value.retry_after == 7.0
    assert sleeps.calls == [3.0], "the wait is bounded"
    assert "HTTP 429: Rate limit reached" in str(caught.value)


def test_5xx_twice_is_unavailable_after_one_retry(
    protocol: ProviderProtocol, server: HTTPTestServer
) -> None:
    busy = protocol.overloaded()
    server.replies.extend([busy, busy])
    sleeps = Sleeps()
    with pytest.raises(ProviderUnavailable) as caught:
        protocol.make(server.base_url, sleeps).complete_json(request())
    assert len(server.requests) == 2
    assert sleeps.calls == [1.0]
    assert getattr(caught.value, "status", None) == busy.status
    assert f"HTTP {busy.status}" in str(caught.value)


def test_backoff_is_exponential_and_bounded(
    protocol: ProviderProtocol, server: HTTPTestServer
) -> None:
    busy = protocol.overloaded()
    server.replies.extend([busy, busy, busy, busy])
    sleeps = Sleeps()
    llm = protocol.make(server.base_url, sleeps, max_retries=4, max_retry_wait=5.0)
    assert llm.complete_json(request()) == VALID_ANSWER
    assert sleeps.calls == [1.0, 2.0, 4.0, 5.0]
    assert len(server.requests) == 5


def test_a_wrong_key_is_an_auth_error_without_the_key(
    protocol: ProviderProtocol, server: HTTPTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.replies.append(protocol.auth_failure())
    llm = protocol.make(server.base_url)
    with pytest.raises(ProviderAuthError) as caught:
        llm.complete_json(request())
    message = str(caught.value)
    assert llm.key_setting in message
    assert KEY not in message and KEY not in repr(llm)
    assert len(server.requests) == 1, "an auth failure is not retried"
    assert all(KEY not in record.getMessage() for record in caplog.records)


def test_the_server_checks_the_key_the_adapter_sends(
    protocol: ProviderProtocol, server: HTTPTestServer
) -> None:
    with pytest.raises(ProviderAuthError):
        protocol.make(server.base_url, api_key="sk-wrong").complete_json(request())


def test_a_slow_answer_is_unavailable_and_not_retried(
    protocol: ProviderProtocol, server: HTTPTestServer
) -> None:
    reply = protocol.answer(VALID_ANSWER)
    reply.delay = 3.0
    server.replies.append(reply)
    with pytest.raises(ProviderUnavailable, match=r"did not answer within 0\.2s"):
        protocol.make(server.base_url, timeout=0.2).complete_json(request())
    assert len(server.requests) == 1


def test_connection_refused_is_unavailable(protocol: ProviderProtocol) -> None:
    llm = protocol.make(f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(ProviderUnavailable, match="cannot reach"):
        llm.complete_json(request())


def test_a_body_that_is_not_json(protocol: ProviderProtocol, server: HTTPTestServer) -> None:
    server.replies.append(Reply(200, "<html>a captive portal</html>"))
    with pytest.raises(ProviderError, match="not JSON") as caught:
        protocol.make(server.base_url).complete_json(request())
    assert not isinstance(caught.value, ProviderUnavailable)


def test_json_of_the_wrong_shape(protocol: ProviderProtocol, server: HTTPTestServer) -> None:
    server.replies.append(Reply(200, {"unexpected": True}))
    with pytest.raises(ProviderError, match="sent an answer without"):
        protocol.make(server.base_url).complete_json(request())


def test_broken_json_is_repaired_without_asking_again(
    protocol: ProviderProtocol, server: HTTPTestServer
) -> None:
    broken = json.dumps(VALID_ANSWER, indent=1)[:-2] + ",\n}"  # a trailing comma
    broken = "Sure, here it is:\n" + broken.replace('"hook"', "'hook'")
    server.replies.append(protocol.text(broken))
    assert protocol.make(server.base_url).complete_json(request()) == VALID_ANSWER
    assert len(server.requests) == 1


def test_prose_is_an_invalid_answer_with_its_usage(
    protocol: ProviderProtocol, server: HTTPTestServer
) -> None:
    server.replies.append(protocol.text("Black holes are fascinating, aren't they?"))
    with pytest.raises(InvalidAnswer, match="unusable") as caught:
        protocol.make(server.base_url).complete_json(request())
    assert caught.value.usage is not None
    assert caught.value.usage.output_tokens == OUTPUT_TOKENS, "a billed answer is accounted"


def test_a_truncated_answer_says_so(protocol: ProviderProtocol, server: HTTPTestServer) -> None:
    server.replies.append(protocol.text('{"title": "Black ho', truncated=True))
    with pytest.raises(ProviderError, match="cut off"):
        protocol.make(server.base_url).complete_json(request())


def test_other_4xx_are_provider_errors_and_not_retried(
    protocol: ProviderProtocol, server: HTTPTestServer
) -> None:
    server.replies.append(protocol.error(404, f"model: {MODEL} not found"))
    with pytest.raises(ProviderError, match="not found") as caught:
        protocol.make(server.base_url).complete_json(request())
    assert not isinstance(caught.value, (ProviderUnavailable, ProviderAuthError))
    assert len(server.requests) == 1
