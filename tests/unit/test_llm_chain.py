"""The fallback chain: order, which provider served, one retry on unusable JSON, the response
cache, accounting into the ledger, the script step's notices, and building it from settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.contract.llm_servers import ANTHROPIC, GEMINI, INPUT_TOKENS, OPENAI, OUTPUT_TOKENS
from tests.contract.test_llm_openai_compat import VALID_ANSWER, closed_port
from tests.httpserver import HTTPTestServer
from video_orchestrator.config import Settings
from video_orchestrator.errors import ConfigError, NoScriptWriter, ProviderUnavailable
from video_orchestrator.pipeline.cache import ContentCache
from video_orchestrator.pipeline.llm_chain import AllProvidersFailed, LLMChain, chain_from_settings
from video_orchestrator.pipeline.llm_usage import UsageLedger
from video_orchestrator.pipeline.script import generate_script, script_request
from video_orchestrator.ports import LLM_ENTRY_POINTS
from video_orchestrator.ports.llm import JsonRequest, LLMProvider
from video_orchestrator.providers.anthropic.llm import AnthropicLLM
from video_orchestrator.providers.fake.llm import FakeLLM
from video_orchestrator.providers.gemini.llm import GeminiLLM
from video_orchestrator.providers.openai_compat.llm import OpenAICompatibleLLM
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.registry import provider_class


def request(topic: str = "black holes") -> JsonRequest:
    return script_request(topic, "facts", language="en", target_seconds=40)


@pytest.fixture
def anthropic_server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer(ANTHROPIC.default) as server:
        yield server


@pytest.fixture
def gemini_server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer(GEMINI.default) as server:
        yield server


def down_anthropic() -> LLMProvider:
    return ANTHROPIC.make(f"http://127.0.0.1:{closed_port()}", timeout=2.0)


# --------------------------------------------------------------------------- order and fallback


def test_the_first_provider_serves_when_it_can(
    anthropic_server: HTTPTestServer, gemini_server: HTTPTestServer
) -> None:
    chain = LLMChain(
        [ANTHROPIC.make(anthropic_server.base_url), GEMINI.make(gemini_server.base_url)]
    )
    result = chain.complete(request())
    assert result.data == VALID_ANSWER
    assert result.usage.provider == "anthropic"
    assert result.failures == ()
    assert (len(anthropic_server.requests), len(gemini_server.requests)) == (1, 0)


def test_first_down_second_serves_and_says_so(gemini_server: HTTPTestServer) -> None:
    ledger = UsageLedger()
    chain = LLMChain([down_anthropic(), GEMINI.make(gemini_server.base_url)], ledger=ledger)
    result = chain.complete(request())
    assert result.data == VALID_ANSWER
    assert result.usage.provider == "gemini"
    (failure,) = result.failures
    assert failure.provider.startswith("anthropic at 127.0.0.1:")
    assert failure.reason.startswith("cannot connect")
    assert [entry.usage.provider for entry in ledger.entries()] == ["gemini"]


def test_an_overloaded_first_provider_is_retried_then_left(
    anthropic_server: HTTPTestServer, gemini_server: HTTPTestServer
) -> None:
    anthropic_server.replies.extend([ANTHROPIC.error(529, "Overloaded")] * 2)
    chain = LLMChain(
        [ANTHROPIC.make(anthropic_server.base_url), GEMINI.make(gemini_server.base_url)]
    )
    result = chain.complete(request())
    assert result.usage.provider == "gemini"
    assert result.failures[0].reason == "HTTP 529: Overloaded"
    assert len(anthropic_server.requests) == 2


def test_all_down_raises_with_every_reason() -> None:
    chain = LLMChain([down_anthropic(), FakeLLM(error=ProviderUnavailable("gemini is down"))])
    with pytest.raises(AllProvidersFailed) as caught:
        chain.complete_json(request())
    reasons = [f.reason for f in caught.value.failures]
    assert reasons[0].startswith("cannot connect") and reasons[1] == "gemini is down"
    assert "no language model answered" in str(caught.value)


def test_an_unusable_answer_is_asked_for_once_more(gemini_server: HTTPTestServer) -> None:
    gemini_server.replies.append(GEMINI.text("I cannot answer in JSON, sorry."))
    ledger = UsageLedger()
    chain = LLMChain([GEMINI.make(gemini_server.base_url)], ledger=ledger)
    result = chain.complete(request())
    assert result.data == VALID_ANSWER
    assert len(gemini_server.requests) == 2
    assert len(result.calls) == 2, "the unusable answer was billed too"
    assert ledger.summary().output_tokens == 2 * OUTPUT_TOKENS


def test_unusable_twice_moves_on(
    gemini_server: HTTPTestServer, anthropic_server: HTTPTestServer
) -> None:
    gemini_server.replies.extend([GEMINI.text("no"), GEMINI.text("still no")])
    chain = LLMChain(
        [GEMINI.make(gemini_server.base_url), ANTHROPIC.make(anthropic_server.base_url)]
    )
    result = chain.complete(request())
    assert result.usage.provider == "anthropic"
    assert "unusable" in result.failures[0].reason
    assert len(gemini_server.requests) == 2


def test_an_empty_chain_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        LLMChain([])


# --------------------------------------------------------------------------- the script step


def generate(llm: LLMProvider) -> Any:
    return generate_script(
        "black holes", "facts", language="en", target_seconds=40, llm=llm
    )  # fmt: skip


def test_script_from_the_second_provider_with_a_notice(gemini_server: HTTPTestServer) -> None:
    chain = LLMChain([down_anthropic(), GEMINI.make(gemini_server.base_url)])
    result = generate(chain)
    assert result.source == "llm"
    assert result.script.hook == VALID_ANSWER["hook"]
    assert result.notice is not None
    assert result.notice.startswith("anthropic at 127.0.0.1:")
    assert result.notice.endswith("; used gemini (test-model) instead")
    assert result.llm["provider"] == "gemini"
    assert result.llm["model"] == "test-model"
    assert (result.llm["input_tokens"], result.llm["output_tokens"]) == (
        INPUT_TOKENS,
        OUTPUT_TOKENS,
    )
    assert result.llm["failed"][0]["provider"].startswith("anthropic")


def test_all_down_names_each_and_says_what_to_do_instead_of_pasting_the_topic() -> None:
    chain = LLMChain([down_anthropic(), FakeLLM(error=ProviderUnavailable("quota"))])
    with pytest.raises(NoScriptWriter) as caught:
        generate(chain)
    message = str(caught.value)
    assert message.startswith("the language models failed (anthropic at 127.0.0.1:")
    assert "fake: quota" in message
    assert "--from FILE_OR_URL" in message and "VO_LLM_PRESET" in message
    assert "\n" not in message


def test_a_chain_of_one_that_fails_keeps_the_single_notice() -> None:
    port = closed_port()
    chain = LLMChain([OPENAI.make(f"http://127.0.0.1:{port}", timeout=2.0)])
    with pytest.raises(NoScriptWriter) as caught:
        generate(chain)
    assert str(caught.value).startswith(f"the language model at 127.0.0.1:{port} failed (cannot")


# --------------------------------------------------------------------------- the cache


def test_a_repeated_request_is_answered_from_the_cache(
    tmp_path: Path, gemini_server: HTTPTestServer
) -> None:
    ledger = UsageLedger()
    chain = LLMChain(
        [GEMINI.make(gemini_server.base_url)], cache=ContentCache(tmp_path), ledger=ledger
    )
    first = chain.complete(request())
    second = chain.complete(request())
    assert len(gemini_server.requests) == 1, "the second identical call made no HTTP request"
    assert second.data == first.data
    assert second.usage.cached and second.usage.cost_usd == 0.0
    assert not first.usage.cached

    chain.complete(request("tides"))
    assert len(gemini_server.requests) == 2, "a different request is not a hit"

    again = LLMChain([GEMINI.make(gemini_server.base_url)], cache=ContentCache(tmp_path))
    assert again.complete(request()).usage.cached, "the cache outlives the process"
    assert len(gemini_server.requests) == 2
    assert ledger.summary().cached_calls == 1


def test_a_cached_answer_skips_a_provider_that_is_down(
    tmp_path: Path, anthropic_server: HTTPTestServer, gemini_server: HTTPTestServer
) -> None:
    anthropic_server.replies.extend([ANTHROPIC.error(529, "Overloaded")] * 2)
    providers = [ANTHROPIC.make(anthropic_server.base_url), GEMINI.make(gemini_server.base_url)]
    LLMChain(providers, cache=ContentCache(tmp_path)).complete(request())
    result = LLMChain(providers, cache=ContentCache(tmp_path)).complete(request())
    assert result.usage.provider == "gemini" and result.usage.cached
    assert (len(anthropic_server.requests), len(gemini_server.requests)) == (2, 1)


def test_the_cache_is_keyed_by_model(tmp_path: Path) -> None:
    with HTTPTestServer(OPENAI.default) as server:
        cache = ContentCache(tmp_path)
        LLMChain([OPENAI.make(server.base_url, model="a")], cache=cache).complete(request())
        LLMChain([OPENAI.make(server.base_url, model="b")], cache=cache).complete(request())
        assert len(server.requests) == 2


def test_without_a_cache_every_call_is_made(gemini_server: HTTPTestServer) -> None:
    chain = LLMChain([GEMINI.make(gemini_server.base_url)], cache=None)
    chain.complete(request())
    chain.complete(request())
    assert len(gemini_server.requests) == 2


# --------------------------------------------------------------------------- from settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("VO_"):
            monkeypatch.delenv(name)


def lookup(name: str) -> type:
    return provider_class(LLM_ENTRY_POINTS, name)


def test_nothing_configured_means_no_chain(clean_env: None, tmp_path: Path) -> None:
    settings = Settings(cache_dir=tmp_path)
    assert chain_from_settings(settings, lookup, cache=None) is None
    assert AppContext(settings).llm is None


def test_the_default_order_takes_every_configured_provider(clean_env: None) -> None:
    settings = Settings(
        anthropic_api_key="a-key", gemini_api_key="g-key", llm_base_url="http://127.0.0.1:1/v1"
    )
    chain = chain_from_settings(settings, lookup, cache=None)
    assert chain is not None
    assert [type(p) for p in chain.providers] == [AnthropicLLM, GeminiLLM, OpenAICompatibleLLM]
    assert "a-key" not in repr(settings) and "g-key" not in repr(settings)


def test_the_order_setting(clean_env: None, tmp_path: Path) -> None:
    settings = Settings(
        cache_dir=tmp_path,
        anthropic_api_key="a-key",
        gemini_api_key="g-key",
        llm_providers="gemini, anthropic",
        gemini_model="gemini-2.5-pro",
        llm_retries=0,
    )
    chain = AppContext(settings).llm
    assert isinstance(chain, LLMChain)
    assert [p.name for p in chain.providers] == ["gemini", "anthropic"]
    assert chain.providers[0].model == "gemini-2.5-pro"  # type: ignore[attr-defined]
    assert chain.cache is not None


def test_a_listed_provider_without_settings_is_a_config_error(clean_env: None) -> None:
    settings = Settings(llm_providers="anthropic,gemini", anthropic_api_key="a-key")
    with pytest.raises(ConfigError, match="VO_GEMINI_API_KEY is not set"):
        chain_from_settings(settings, lookup, cache=None)
    with pytest.raises(ConfigError, match="unknown provider 'nope'"):
        chain_from_settings(Settings(llm_providers="nope"), lookup, cache=None)


def test_the_cache_can_be_switched_off(clean_env: None, tmp_path: Path) -> None:
    settings = Settings(llm_base_url="http://127.0.0.1:1/v1", llm_cache=False)
    chain = chain_from_settings(settings, lookup, cache=ContentCache(tmp_path))
    assert chain is not None and chain.cache is None


def test_a_preset_gives_the_base_url_and_model(clean_env: None) -> None:
    chain = chain_from_settings(Settings(llm_preset="ollama"), lookup, cache=None)
    assert chain is not None
    (ollama,) = chain.providers
    assert isinstance(ollama, OpenAICompatibleLLM)
    assert (ollama.base_url, ollama.model, ollama.vendor) == (
        "http://127.0.0.1:11434/v1",
        "llama3.1",
        "ollama",
    )
    settings = Settings(llm_preset="groq", llm_model="llama-3.1-8b-instant", llm_api_key="k")
    chain = chain_from_settings(settings, lookup, cache=None)
    assert chain is not None
    groq = chain.providers[0]
    assert isinstance(groq, OpenAICompatibleLLM)
    assert (groq.base_url, groq.model, groq.vendor) == (
        "https://api.groq.com/openai/v1",
        "llama-3.1-8b-instant",
        "groq",
    )
    with pytest.raises(ConfigError, match="unknown language model preset 'nope'"):
        chain_from_settings(Settings(llm_preset="nope"), lookup, cache=None)
