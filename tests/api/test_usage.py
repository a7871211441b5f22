"""Token and cost accounting per project, with a local OpenAI-compatible server as the model."""

from __future__ import annotations

import json

from tests.api.conftest import ClientFactory, problem_of
from tests.contract.test_llm_openai_compat import VALID_ANSWER, ChatServer, Reply, completion


def test_script_requests_are_charged_to_their_project(make_client: ClientFactory) -> None:
    with ChatServer() as server:
        answer = {
            **completion(json.dumps(VALID_ANSWER)),
            "usage": {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200},
        }
        server.replies = [Reply(200, answer), Reply(200, answer)]
        client = make_client(
            llm_base_url=f"{server.base_url}",
            llm_model="local-model",
            llm_cache=False,
        )
        project = client.post("/projects", json={"topic": "black holes"}).json()
        other = client.post("/projects", json={"topic": "white dwarfs"}).json()
        first = client.post(f"/projects/{project['id']}/script/generate", json={"version": 1})
        assert first.status_code == 200, first.text
        assert first.json()["source"] == "llm"
        client.post(f"/projects/{project['id']}/script/scenes/0/regenerate", json={"version": 2})
    usage = client.get(f"/projects/{project['id']}/usage").json()
    assert usage["calls"] == 2
    assert usage["input_tokens"] == 240 and usage["output_tokens"] == 160
    (model,) = usage["by_model"]
    assert model["provider"] == "openai-compatible" and model["model"] == "local-model"
    assert client.get(f"/projects/{other['id']}/usage").json()["calls"] == 0
    assert problem_of(client.get("/projects/nope/usage"))["status"] == 404
