"""The OpenAI-compatible adapter against a real local HTTP server speaking chat completions,
the fake beside it, and the script step's fallback to the offline writer."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.httpserver import ServedInThread
from video_orchestrator.domain.script import Script
from video_orchestrator.errors import (
    NoScriptWriter,
    ProviderError,
    ProviderUnavailable,
    ScriptError,
)
from video_orchestrator.pipeline.script import (
    ScriptResult,
    generate_script,
    script_request,
    script_schema,
)
from video_orchestrator.ports.llm import JsonRequest, LLMProvider
from video_orchestrator.providers.fake.llm import FakeLLM
from video_orchestrator.providers.openai_compat.llm import OpenAICompatibleLLM

API_KEY = "sk-test-secret-123"
VALID_ANSWER: dict[str, Any] = {
    "title": "Black holes in 40 seconds",
    "hook": "A black hole is not a hole at all.",
    "scenes": [
        {"narration": "It is matter squeezed very tight.", "keywords": ["space", "star"]},
        {"narration": "Not even light escapes it.", "keywords": ["light", "galaxy"]},
        {"narration": "Time slows down near it.", "keywords": ["clock", "space"]},
    ],
    "call_to_action": "Follow for more space facts.",
    "description": "Black holes, explained simply.",
    "hashtags": ["space", "#blackholes", "science"],
}


# --------------------------------------------------------------------------- the server


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON; str → sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
    }


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class ChatServer(ServedInThread):
    """A tiny chat-completions server: replies are queued per test, requests recorded."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Recorded] = []
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                server.requests.append(
                    Recorded(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=json.loads(raw),
                    )
                )
                if self.path != "/v1/chat/completions":
                    reply = Reply(404, {"error": {"message": "Not found"}})
                elif server.replies:
                    reply = server.replies.pop(0)
                else:
                    reply = Reply(200, completion(json.dumps(VALID_ANSWER)))
                if reply.delay and server.stop.wait(reply.delay):
                    return
                payload = (
                    reply.body.encode()
                    if isinstance(reply.body, str)
                    else json.dumps(reply.body).encode()
                )
                try:
                    self.send_response(reply.status)
                    content_type = (
                        "text/html" if isinstance(reply.body, str) else "application/json"
                    )
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up (timeout test)
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.serve(Handler, "/v1")


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with ChatServer() as running:
        yield running


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_llm(
    server: ChatServer, sleeps: Sleeps | None = None, **kwargs: Any
) -> OpenAICompatibleLLM:
    options: dict[str, Any] = {"api_key": API_KEY, "model": "test-model", "timeout": 5.0}
    options.update(kwargs)
    return OpenAICompatibleLLM(base_url=server.base_url, sleep=sleeps or Sleeps(), **options)


def request() -> JsonRequest:
    return script_request("black holes", "facts", language="en", target_seconds=40)


# --------------------------------------------------------------------------- the adapter


def test_a_valid_answer_and_the_request_it_came_from(server: ChatServer) -> None:
    llm = make_llm(server)
    assert isinstance(llm, LLMProvider)
    assert llm.complete_json(request()) == VALID_ANSWER

    (sent,) = server.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["content-type"].startswith("application/json")
    assert sent.body["model"] == "test-model"
    assert [m["role"] for m in sent.body["messages"]] == ["system", "user"]
    assert "black holes" in sent.body["messages"][1]["content"]
    assert sent.body["temperature"] == request().temperature
    assert sent.body["max_tokens"] == request().max_tokens
    response_format = sent.body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["name"] == "short_video_script"
    assert response_format["json_schema"]["schema"] == script_schema()


def test_no_authorization_header_without_a_key(server: ChatServer) -> None:
    make_llm(server, api_key=None).complete_json(request())
    assert "authorization" not in server.requests[0].headers


def test_a_trailing_slash_in_the_base_url(server: ChatServer) -> None:
    llm = OpenAICompatibleLLM(base_url=server.base_url + "/", timeout=5.0)
    assert llm.complete_json(request()) == VALID_ANSWER
    assert server.requests[0].path == "/v1/chat/completions"


def test_a_fenced_json_answer_is_accepted(server: ChatServer) -> None:
    fenced = "Here you go:\n```json\n" + json.dumps(VALID_ANSWER, indent=2) + "\n```\n"
    server.replies.append(Reply(200, completion(fenced)))
    assert make_llm(server).complete_json(request()) == VALID_ANSWER


def test_content_that_is_not_json_is_a_provider_error(server: ChatServer) -> None:
    server.replies.append(Reply(200, completion("Sure! Black holes are fascinating.")))
    with pytest.raises(ProviderError, match="unusable") as caught:
        make_llm(server).complete_json(request())
    assert not isinstance(caught.value, ProviderUnavailable)
    assert len(server.requests) == 1


def test_a_truncated_answer_says_so(server: ChatServer) -> None:
    server.replies.append(Reply(200, completion('{"title": "Black ho', finish_reason="length")))
    with pytest.raises(ProviderError, match="cut off"):
        make_llm(server).complete_json(request())


def test_a_response_body_that_is_not_json(server: ChatServer) -> None:
    server.replies.append(Reply(200, "<html>a login page</html>"))
    with pytest.raises(ProviderError, match="not JSON"):
        make_llm(server).complete_json(request())


def test_429_waits_for_retry_after_then_succeeds(server: ChatServer) -> None:
    server.replies.append(Reply(429, {"error": {"message": "Rate limit"}}, {"Retry-After": "2"}))
    sleeps = Sleeps()
    assert make_llm(server, sleeps).complete_json(request()) == VALID_ANSWER
    assert sleeps.calls == [2.0]
    assert len(server.requests) == 2


def test_the_retry_wait_is_bounded(server: ChatServer) -> None:
    server.replies.append(Reply(503, {"error": {"message": "busy"}}, {"Retry-After": "3600"}))
    sleeps = Sleeps()
    make_llm(server, sleeps, max_retry_wait=1.5).complete_json(request())
    assert sleeps.calls == [1.5]


def test_500_twice_is_a_provider_error_after_one_retry(server: ChatServer) -> None:
    for _ in range(2):
        server.replies.append(Reply(500, {"error": {"message": "The server had an error"}}))
    sleeps = Sleeps()
    with pytest.raises(ProviderError) as caught:
        make_llm(server, sleeps).complete_json(request())
    assert len(server.requests) == 2
    assert sleeps.calls == [1.0], "without Retry-After the adapter waits one second"
    assert getattr(caught.value, "status", None) == 500
    assert "HTTP 500" in str(caught.value)
    assert "The server had an error" in str(caught.value)


def test_401_reports_the_api_message_without_the_key(
    server: ChatServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = {
        "error": {
            "message": f"Incorrect API key provided: {API_KEY}.",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }
    }
    server.replies.append(Reply(401, body))
    llm = make_llm(server)
    with pytest.raises(ProviderError) as caught:
        llm.complete_json(request())
    message = str(caught.value)
    assert "HTTP 401" in message and "Incorrect API key provided" in message
    assert "VO_LLM_API_KEY" in message
    assert API_KEY not in message
    assert API_KEY not in repr(llm)
    assert len(server.requests) == 1, "a 401 is not retried"
    assert all(API_KEY not in record.getMessage() for record in caplog.records)


def test_a_slow_answer_is_unavailable(server: ChatServer) -> None:
    server.replies.append(Reply(200, completion(json.dumps(VALID_ANSWER)), delay=3.0))
    with pytest.raises(ProviderUnavailable, match=r"did not answer within 0\.2s"):
        make_llm(server, timeout=0.2).complete_json(request())
    assert len(server.requests) == 1, "a timeout is not retried"


def test_connection_refused_is_unavailable() -> None:
    llm = OpenAICompatibleLLM(base_url=f"http://127.0.0.1:{closed_port()}/v1", timeout=2.0)
    with pytest.raises(ProviderUnavailable, match="cannot reach the language model"):
        llm.complete_json(request())


def test_servers_without_json_schema_get_json_object(server: ChatServer) -> None:
    message = "response_format type 'json_schema' is not supported by this model"
    server.replies.append(Reply(400, {"error": {"message": message}}))
    assert make_llm(server).complete_json(request()) == VALID_ANSWER
    assert len(server.requests) == 2
    retry = server.requests[1].body
    assert retry["response_format"] == {"type": "json_object"}
    assert '"scenes"' in retry["messages"][0]["content"]


def test_other_400s_are_not_retried(server: ChatServer) -> None:
    server.replies.append(Reply(400, {"error": {"message": "model 'x' not found"}}))
    with pytest.raises(ProviderError, match="model 'x' not found"):
        make_llm(server).complete_json(request())
    assert len(server.requests) == 1


@pytest.mark.parametrize("url", ["", "127.0.0.1:8080", "ftp://host/v1", "http://"])
def test_a_bad_base_url_is_a_config_error(url: str) -> None:
    from video_orchestrator.errors import ConfigError

    with pytest.raises(ConfigError, match="VO_LLM_BASE_URL"):
        OpenAICompatibleLLM(base_url=url)


# --------------------------------------------------------------------------- every adapter


@pytest.fixture(params=["openai-compatible", "fake"])
def any_llm(request: pytest.FixtureRequest) -> LLMProvider:
    if request.param == "fake":
        return FakeLLM()
    server: ChatServer = request.getfixturevalue("server")
    return make_llm(server)


def test_every_adapter_answers_a_script_request(any_llm: LLMProvider) -> None:
    answer = any_llm.complete_json(request())
    assert isinstance(answer, dict)
    script = Script.model_validate({**answer, "topic": "black holes", "genre": "facts"})
    assert 3 <= len(script.scenes) <= 6


def test_the_fake_is_deterministic_and_can_fail() -> None:
    assert FakeLLM().complete_json(request()) == FakeLLM().complete_json(request())
    other = script_request("tides", "facts", language="en", target_seconds=40)
    assert FakeLLM().complete_json(request()) != FakeLLM().complete_json(other)
    fake = FakeLLM(error=ProviderUnavailable("down"))
    with pytest.raises(ProviderUnavailable):
        fake.complete_json(request())
    assert fake.requests == [request()]
    assert FakeLLM(answer={"a": 1}).complete_json(request()) == {"a": 1}


# --------------------------------------------------------------------------- the script step


def generate(llm: LLMProvider | None, topic: str = "black holes", **kw: Any) -> ScriptResult:
    options: dict[str, Any] = {"language": "en", "target_seconds": 40}
    options.update(kw)
    return generate_script(topic, "facts", llm=llm, **options)


def test_with_a_working_model_the_script_comes_from_it(server: ChatServer) -> None:
    result = generate(make_llm(server))
    assert result.source == "llm"
    assert result.notice is None
    assert result.script.topic == "black holes"
    assert result.script.genre == "facts"
    assert result.script.hook == VALID_ANSWER["hook"]
    assert result.script.hashtags == ["space", "blackholes", "science"]


def test_a_server_that_is_down_says_so_and_what_to_do() -> None:
    port = closed_port()
    llm = OpenAICompatibleLLM(base_url=f"http://127.0.0.1:{port}/v1", timeout=2.0)
    with pytest.raises(NoScriptWriter) as caught:
        generate(llm)
    message = str(caught.value)
    assert message.startswith(f"the language model at 127.0.0.1:{port} failed (")
    assert "--from FILE_OR_URL" in message
    assert "\n" not in message


def test_an_http_error_falls_back_with_the_reason(server: ChatServer) -> None:
    server.replies.append(Reply(401, {"error": {"message": "Incorrect API key provided"}}))
    with pytest.raises(NoScriptWriter) as caught:
        generate(make_llm(server))
    assert str(caught.value).startswith(
        f"the language model at 127.0.0.1:{server.port} failed "
        "(HTTP 401: Incorrect API key provided), and the offline writer does not make up"
    )


def test_an_answer_that_is_not_a_script_falls_back(server: ChatServer) -> None:
    bad = {**VALID_ANSWER, "scenes": []}
    server.replies.append(Reply(200, completion(json.dumps(bad))))
    with pytest.raises(NoScriptWriter) as caught:
        generate(make_llm(server))
    assert "not a valid script" in str(caught.value)
    assert "scenes" in str(caught.value)


def test_harmless_excess_in_the_answer_is_trimmed() -> None:
    answer = {
        **VALID_ANSWER,
        "title": "T" * 150,
        "extra": "ignored",
        "hashtags": ["a1", "b2", "c3", "d4", "e5", "f6", "g7"],
        "scenes": [{"narration": "Hi.", "keywords": list("abcdefghij"), "mood": "x"}],
    }
    result = generate(FakeLLM(answer=answer))
    assert result.source == "llm"
    assert len(result.script.title) <= 100
    assert len(result.script.hashtags) == 5
    assert len(result.script.scenes[0].keywords) == 8


def test_any_exception_from_a_plugin_falls_back() -> None:
    class Broken:  # the LLMProvider port, and nothing else
        name = "broken"
        model = "broken-1"
        host = ""
        base_url = ""

        def complete_json(self, request: JsonRequest) -> dict[str, Any]:
            raise KeyError("boom")

    with pytest.raises(NoScriptWriter) as caught:
        generate(Broken())
    assert str(caught.value).startswith("the language model at broken")


def test_without_a_model_no_script_is_made_up() -> None:
    with pytest.raises(NoScriptWriter) as caught:
        generate(None)
    assert str(caught.value).startswith("no script writer is configured: ")


def test_the_topic_goes_to_the_model_literally() -> None:
    hostile = '{\\b1}"x"; $topic a:b [c] 🙂 שלום'
    fake = FakeLLM()
    result = generate(fake, topic=f"  {hostile} ")
    assert result.script.topic == hostile
    assert hostile in fake.requests[0].user
    assert "$" not in fake.requests[0].system


def test_an_empty_topic_never_reaches_the_model() -> None:
    fake = FakeLLM()
    with pytest.raises(ScriptError, match="the topic is empty"):
        generate(fake, topic="  ")
    assert fake.requests == []


def test_when_the_model_fails_the_error_names_it_and_the_way_out() -> None:
    fake = FakeLLM(error=ProviderUnavailable("down"))
    with pytest.raises(NoScriptWriter, match="failed \\(down\\), and the offline writer does"):
        generate(fake, language="xx")


def test_the_schema_is_strict() -> None:
    schema = script_schema()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node["additionalProperties"] is False
                assert set(node["required"]) == set(node["properties"])
            assert "default" not in node and "maxLength" not in node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema)
    assert "topic" not in schema["properties"]
    assert schema["properties"]["scenes"]["minItems"] == 3
