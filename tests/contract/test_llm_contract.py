"""The LLM port's contract, run against every registered adapter and the fake.

The HTTP adapters talk to a local server that speaks their protocol and answers with an
object built from the schema it RECEIVED (in the provider's own dialect), so passing means
the adapter sent the schema in a form a real provider can follow and read the answer back.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from tests.contract.llm_servers import PROTOCOLS, ProviderProtocol
from tests.contract.test_llm_openai_compat import closed_port
from tests.httpserver import HTTPTestServer, Recorded, Reply
from video_orchestrator.domain.script import Script
from video_orchestrator.errors import ProviderError, ProviderUnavailable
from video_orchestrator.pipeline.script import script_request
from video_orchestrator.ports import LLM_ENTRY_POINTS
from video_orchestrator.ports.llm import JsonRequest, LLMProvider, MeteredLLM, complete_metered
from video_orchestrator.providers.fake.llm import FakeLLM, _Builder

ADAPTERS = ["anthropic", "gemini", "openai-compatible", "fake"]


class Hook(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    kind: Literal["question", "bold_claim", "statistic"]
    score: int = Field(ge=0, le=10)


class Hooks(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hooks: list[Hook] = Field(min_length=3, max_length=5)
    note: str | None


def hooks_request() -> JsonRequest:
    return JsonRequest(
        system="You write hooks.",
        user="Five hooks about black holes.",
        schema=Hooks.model_json_schema(),
        schema_name="hooks",
        temperature=0.5,
        max_tokens=500,
    )


def script_req() -> JsonRequest:
    return script_request("black holes", "facts", language="en", target_seconds=40)


# --------------------------------------------------------------------------- schema-echo servers


def _lower_types(node: Any) -> Any:
    """Gemini's dialect back to JSON-schema-ish for the answer builder."""
    if isinstance(node, list):
        return [_lower_types(item) for item in node]
    if isinstance(node, dict):
        result = {k: _lower_types(v) for k, v in node.items()}
        if isinstance(result.get("type"), str):
            result["type"] = result["type"].lower()
        return result
    return node


def received_schema(name: str, body: dict[str, Any]) -> dict[str, Any]:
    if name == "anthropic":
        schema: dict[str, Any] = body["tools"][0]["input_schema"]
        return schema
    if name == "gemini":
        converted: dict[str, Any] = _lower_types(body["generationConfig"]["responseSchema"])
        return converted
    openai_schema: dict[str, Any] = body["response_format"]["json_schema"]["schema"]
    return openai_schema


def echo(protocol: ProviderProtocol) -> Any:
    def default(request: Recorded) -> Reply:
        checked = protocol.default(request)
        if checked.status != 200:
            return checked
        schema = received_schema(protocol.name, request.body)
        answer = _Builder(schema, "abcd1234").build(schema, "result")
        return protocol.answer(answer, request)

    return default


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> Iterator[LLMProvider]:
    name: str = request.param
    if name == "fake":
        yield FakeLLM()
        return
    protocol = PROTOCOLS[name]
    with HTTPTestServer(echo(protocol)) as server:
        yield protocol.make(server.base_url)


# --------------------------------------------------------------------------- the contract


def test_every_adapter_is_registered() -> None:
    registered = {entry.name: entry.load() for entry in entry_points(group=LLM_ENTRY_POINTS)}
    assert set(ADAPTERS) <= set(registered)
    for name in ADAPTERS:
        assert registered[name].name == name


def test_it_is_a_metered_llm_provider(adapter: LLMProvider) -> None:
    assert isinstance(adapter, LLMProvider)
    assert isinstance(adapter, MeteredLLM)
    assert isinstance(adapter.name, str) and adapter.name in ADAPTERS


def test_a_script_request_gives_a_valid_script(adapter: LLMProvider) -> None:
    answer = adapter.complete_json(script_req())
    script = Script.model_validate({**answer, "topic": "black holes", "genre": "facts"})
    assert 3 <= len(script.scenes) <= 6


def test_any_schema_is_followed(adapter: LLMProvider) -> None:
    answer = adapter.complete_json(hooks_request())
    hooks = Hooks.model_validate(answer)
    assert 3 <= len(hooks.hooks) <= 5


def test_usage_names_the_provider_and_model(adapter: LLMProvider) -> None:
    result = complete_metered(adapter, hooks_request())
    assert result.usage.provider == adapter.name
    assert result.usage.model == getattr(adapter, "model", None)
    assert result.usage.input_tokens is not None and result.usage.input_tokens > 0
    assert result.usage.output_tokens is not None and result.usage.output_tokens > 0
    assert result.calls == (result.usage,)
    assert result.data == adapter.complete_json(hooks_request())


def test_the_request_is_not_changed(adapter: LLMProvider) -> None:
    request = hooks_request()
    before = copy.deepcopy(request.schema)
    adapter.complete_json(request)
    assert request.schema == before


@pytest.mark.parametrize("name", ADAPTERS)
def test_an_unreachable_backend_is_provider_unavailable(name: str) -> None:
    if name == "fake":
        llm: LLMProvider = FakeLLM(error=ProviderUnavailable("down"))
    else:
        llm = PROTOCOLS[name].make(f"http://127.0.0.1:{closed_port()}", timeout=2.0)
    with pytest.raises(ProviderUnavailable):
        llm.complete_json(hooks_request())


@pytest.mark.parametrize("name", ADAPTERS)
def test_failures_are_provider_errors(name: str) -> None:
    if name == "fake":
        llm: LLMProvider = FakeLLM(error=ProviderError("refused"))
        with pytest.raises(ProviderError):
            llm.complete_json(hooks_request())
        return
    protocol = PROTOCOLS[name]
    bad = protocol.error(400, "bad request")
    with HTTPTestServer(lambda _: bad) as server, pytest.raises(ProviderError, match="bad request"):
        protocol.make(server.base_url).complete_json(hooks_request())
