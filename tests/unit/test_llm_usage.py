"""Token and cost accounting: the price table as data, the ledger per run and per project,
and the chain pricing each billed call."""

from __future__ import annotations

import threading

import pytest

from tests.contract.llm_servers import INPUT_TOKENS, OPENAI, OUTPUT_TOKENS
from tests.httpserver import HTTPTestServer
from video_orchestrator.pipeline.llm_chain import LLMChain
from video_orchestrator.pipeline.llm_usage import PriceTable, UsageLedger, summarize
from video_orchestrator.pipeline.script import script_request
from video_orchestrator.ports.llm import Usage
from video_orchestrator.providers.openai_compat.llm import presets, vendor_for

TABLE = PriceTable.from_json(
    """{"free": ["ollama"], "vendors": {"openai": {
        "gpt-4o": {"input": 2.5, "output": 10.0},
        "gpt-4o-mini": {"input": 0.15, "output": 0.6}}}}"""
)


def usage(model: str, vendor: str = "openai", **kw: object) -> Usage:
    options: dict[str, object] = {"input_tokens": 1_000_000, "output_tokens": 2_000_000}
    options.update(kw)
    return Usage(provider="openai-compatible", model=model, vendor=vendor, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("model", "cost"),
    [
        ("gpt-4o", 2.5 + 20.0),
        ("gpt-4o-mini", 0.15 + 1.2),
        ("gpt-4o-mini-2024-07-18", 0.15 + 1.2),  # dated name → its family
        ("gpt-4o-2024-08-06", 2.5 + 20.0),
        ("gpt-4o-latest", 2.5 + 20.0),
        ("gpt-4o-realtime", None),  # another model, not a version of gpt-4o
        ("o3", None),
    ],
)
def test_prices_by_model(model: str, cost: float | None) -> None:
    assert TABLE.cost(usage(model)) == (pytest.approx(cost) if cost is not None else None)


def test_free_cached_unknown_and_missing_tokens() -> None:
    assert TABLE.cost(usage("llama3.1", vendor="ollama")) == 0.0
    assert TABLE.cost(usage("gpt-4o", cached=True)) == 0.0
    assert TABLE.cost(usage("gpt-4o", vendor="somewhere")) is None
    assert TABLE.cost(usage("gpt-4o", output_tokens=None)) is None


def test_the_shipped_table_prices_every_default_model() -> None:
    table = PriceTable.load()
    assert table.as_of
    defaults = [("anthropic", "claude-haiku-4-5"), ("gemini", "gemini-2.5-flash")]
    defaults += [(p.name, p.model) for p in presets().values() if not p.local]
    for vendor, model in defaults:
        if vendor == "openrouter":
            continue  # OpenRouter's prices depend on the routed model: unknown
        priced = table.cost(Usage("x", model, 1000, 1000, vendor=vendor))
        assert priced is not None and priced > 0, (vendor, model)
    for preset in presets().values():
        if preset.local:
            assert table.cost(Usage("x", preset.model, 10, 10, vendor=preset.name)) == 0.0


def test_the_vendor_comes_from_the_base_url() -> None:
    assert vendor_for("https://api.openai.com/v1") == "openai"
    assert vendor_for("http://localhost:11434/v1") == "ollama"
    assert vendor_for("https://api.groq.com/openai/v1") == "groq"
    assert vendor_for("http://10.0.0.5:9999/v1") == "openai-compatible"


def test_summaries_know_when_the_cost_is_unknown() -> None:
    known = Usage("a", "m", 10, 20, cost_usd=0.5)
    cached = Usage("a", "m", 10, 20, cost_usd=0.0, cached=True)
    unknown = Usage("b", "m", 1, 2, cost_usd=None)
    total = summarize([known, cached])
    assert (total.calls, total.cached_calls, total.input_tokens, total.output_tokens) == (
        2,
        1,
        20,
        40,
    )
    assert total.cost_usd == 0.5
    assert summarize([known, unknown]).cost_usd is None


def test_the_ledger_per_project_and_its_parent() -> None:
    process = UsageLedger()
    run = UsageLedger(project_id="p1", parent=process)
    run.record(Usage("a", "m", 1, 2, cost_usd=0.25), purpose="script")
    process.record(Usage("b", "m", 3, 4, cost_usd=0.5), project_id="p2")
    assert [e.project_id for e in process.entries()] == ["p1", "p2"]
    assert process.entries("p1")[0].purpose == "script"
    assert process.summary("p2").cost_usd == 0.5
    assert process.summary().cost_usd == 0.75
    assert run.summary().calls == 1


def test_the_ledger_is_thread_safe() -> None:
    ledger = UsageLedger()

    def work() -> None:
        for _ in range(200):
            ledger.record(Usage("a", "m", 1, 1, cost_usd=0.0))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledger.summary().calls == 800


def test_the_chain_prices_each_call_into_the_ledger() -> None:
    ledger = UsageLedger()
    with HTTPTestServer(OPENAI.default) as server:
        # the OpenAI preset's prices, the local server's URL (as behind a proxy)
        llm = OPENAI.make(server.base_url, model="gpt-4o-mini-2024-07-18", preset="openai")
        chain = LLMChain([llm], ledger=ledger)
        result = chain.complete(
            script_request("tides", "facts", language="en", target_seconds=30), project_id="p9"
        )
    expected = (INPUT_TOKENS * 0.15 + OUTPUT_TOKENS * 0.6) / 1_000_000
    assert llm.vendor == "openai"
    assert result.usage.cost_usd == pytest.approx(expected)
    (entry,) = ledger.entries("p9")
    assert entry.purpose == "short_video_script"
    assert entry.usage == result.usage
    assert ledger.summary("p9").cost_usd == pytest.approx(expected)


def test_an_unknown_server_has_an_unknown_cost() -> None:
    with HTTPTestServer(OPENAI.default) as server:
        chain = LLMChain([OPENAI.make(server.base_url, model="gpt-4o-mini")])
        result = chain.complete(script_request("tides", "facts", language="en", target_seconds=30))
    assert result.usage.vendor == "openai-compatible"
    assert result.usage.cost_usd is None
