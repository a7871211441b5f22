"""One project in three languages through the API (ADR 0039): the language model (a local
OpenAI-compatible server) translates and adapts, a fake offline translator stands in for
Argos Translate, no translator is a plain 422, and one batch renders one video per language
with that language's voice (espeak-ng for Romanian and Spanish) and captions."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import FAKE_VOICE, ClientFactory, problem_of
from tests.contract.llm_servers import openai_completion
from tests.httpserver import HTTPTestServer, Recorded, Reply
from tests.translation_server import ADAPTED, NOTE, SCRIPT, llm_url, translation_server
from video_orchestrator.api.app import create_app
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def new_project(client: TestClient) -> dict[str, Any]:
    body = {"topic": "octopus facts", "script": SCRIPT, "voice": {"voice": FAKE_VOICE}}
    response = client.post("/projects", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def wait_all(client: TestClient, ids: list[str], timeout: float = 240) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    jobs: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        jobs = [client.get(f"/renders/{job_id}").json() for job_id in ids]
        if all(job["status"] in {"succeeded", "failed", "cancelled"} for job in jobs):
            return jobs
        time.sleep(0.2)
    raise AssertionError(f"the jobs never ended: {[j['status'] for j in jobs]}")


def words(text: str) -> list[str]:
    return [w.strip(".,!?¿¡").casefold() for w in text.split() if w.strip(".,!?¿¡")]


def srt_words(srt: str) -> list[str]:
    lines = [
        line
        for line in srt.splitlines()
        if line.strip() and "-->" not in line and not line.strip().isdigit()
    ]
    return words(" ".join(lines))


@pytest.mark.render
@sqlite_only
def test_a_project_is_rendered_in_three_languages_from_one_script(
    make_client: ClientFactory,
) -> None:
    with translation_server() as server:
        client = make_client(
            workers=1,
            llm_base_url=llm_url(server),
            llm_model="local-model",
            llm_cache=False,
            local_voice_provider="espeak-ng",
        )
        project = new_project(client)
        pid = project["id"]
        added = client.post(
            f"/projects/{pid}/languages", json={"version": project["version"], "language": "ro"}
        )
        assert added.status_code == 201, added.text
        ro = added.json()
        assert ro["language"]["made_by"] == "llm" and "local-model" in ro["language"]["by"]
        assert ro["language"]["script"]["scenes"][0]["narration"] == ADAPTED["ro"]
        assert ro["language"]["script"]["hook"] == "Caracatițele au trei inimi."
        assert ro["language"]["notes"] == [NOTE]
        assert ro["language"]["voice"] == "espeak-ng:ro"
        assert ro["language"]["script"]["hashtags"] == ["caracatițe", "oceanul"]
        assert "translated and adapted by the language model" in ro["made"]
        steps = [r.body["response_format"]["json_schema"]["name"] for r in server.requests]
        assert steps == ["script_translation", "script_adaptation"]
        assert "kilometres" in server.requests[1].body["messages"][0]["content"]

        es = client.post(
            f"/projects/{pid}/languages",
            json={"version": ro["project"]["version"], "language": "es"},
        ).json()
        again = client.post(
            f"/projects/{pid}/languages",
            json={"version": es["project"]["version"], "language": "es"},
        )
        assert problem_of(again)["status"] == 409

    # the user edits one line of the Spanish version
    script = es["language"]["script"]
    script["hook"] = "¡Cada pulpo tiene tres corazones!"
    edited = client.patch(
        f"/projects/{pid}/languages/es",
        json={"version": es["project"]["version"], "script": script},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["language"]["edited"] is True
    assert edited.json()["made"].endswith(", edited")
    stale = client.patch(f"/projects/{pid}/languages/es", json={"version": 1, "script": script})
    assert problem_of(stale)["status"] == 409
    listed = client.get(f"/projects/{pid}/languages").json()
    assert [v["language"] for v in listed] == ["ro", "es"]

    jobs = client.post(f"/projects/{pid}/languages/renders", json={}).json()
    assert len(jobs) == 3 and len({job["batch_id"] for job in jobs}) == 1
    done = wait_all(client, [job["id"] for job in jobs])
    assert [job["status"] for job in done] == ["succeeded"] * 3, [j["error"] for j in done]
    expected = {
        "en": ("octopus-facts-en.mp4", "fake", [SCRIPT["hook"], SCRIPT["scenes"][0]["narration"]]),
        "ro": (
            "fapte-despre-caracatite-ro.mp4",
            "espeak-ng",
            ["Caracatițele au trei inimi.", ADAPTED["ro"]],
        ),
        "es": ("datos-sobre-pulpos-es.mp4", "espeak-ng", [script["hook"], ADAPTED["es"]]),
    }
    for job in done:
        meta = client.get(f"/renders/{job['id']}/outputs/metadata").json()
        code = meta["language"]
        filename, provider, spoken = expected[code]
        names = {o["kind"]: o["filename"] for o in job["outputs"]}
        assert names["video"] == filename
        assert meta["voice"]["provider"] == provider
        if provider == "espeak-ng":
            assert meta["voice"]["voice"] == code
        srt = client.get(f"/renders/{job['id']}/outputs/srt").text
        assert srt_words(srt) == words(" ".join(spoken))
        video = client.get(f"/renders/{job['id']}/outputs/video")
        assert video.status_code == 200 and video.content[4:8] == b"ftyp"
    assert sorted(expected) == sorted(
        client.get(f"/renders/{j['id']}/outputs/metadata").json()["language"] for j in done
    )


class FakeTranslator:
    """A stand-in for Argos Translate behind the translation port: a word list for en→ro."""

    name = "fake-translator 1.0"
    WORDS: ClassVar[dict[str, str]] = {
        "octopuses": "caracatițele",
        "have": "au",
        "three": "trei",
        "hearts": "inimi",
    }

    def can_translate(self, source: str, target: str) -> bool:
        return (source, target) == ("en", "ro")

    def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        return [" ".join(self._word(w) for w in t.split()) for t in texts]

    def _word(self, word: str) -> str:
        bare = word.rstrip(".!?")
        return self.WORDS.get(bare.casefold(), bare) + word[len(bare) :]


def test_without_a_model_the_offline_translator_or_the_user_writes_the_version(
    settings: Settings,
) -> None:
    ctx = AppContext(settings, translators=[FakeTranslator()])
    ws = Workspace(ctx, executor=ThreadExecutor(settings, ctx.db, worker_runner, workers=0))
    with TestClient(create_app(settings, workspace=ws), raise_server_exceptions=False) as client:
        project = new_project(client)
        pid, version = project["id"], project["version"]
        ro = client.post(f"/projects/{pid}/languages", json={"version": version, "language": "ro"})
        assert ro.status_code == 201, ro.text
        made = ro.json()
        assert made["language"]["made_by"] == "offline"
        assert made["language"]["by"] == "fake-translator 1.0"
        assert made["language"]["script"]["hook"] == "caracatițele au trei inimi."
        assert "not adapted" in made["language"]["notes"][0]
        assert "not culturally adapted" in made["made"]
        # the hashtags come from the language-aware planner: no Romanian stop word in them
        assert made["language"]["script"]["hashtags"]
        assert not {"au", "trei", "o", "pe"} & {
            t.casefold() for t in made["language"]["script"]["hashtags"]
        }
        version = made["project"]["version"]

        # Spanish: no model and no en→es translator: told plainly, nothing saved
        refused = client.post(
            f"/projects/{pid}/languages", json={"version": version, "language": "es"}
        )
        problem = problem_of(refused)
        assert problem["status"] == 422
        assert str(problem["type"]).endswith("no-translator")
        assert "no translator is configured for English (en) → Spanish (es)" in str(
            problem["detail"]
        )
        assert "translate-en_es" in str(problem["detail"])
        assert client.get(f"/projects/{pid}").json()["version"] == version

        # … so the user writes it by hand: a copy of the source, marked as not translated
        hand = client.post(
            f"/projects/{pid}/languages",
            json={"version": version, "language": "es", "mode": "hand"},
        ).json()
        assert hand["language"]["made_by"] == "hand"
        assert hand["language"]["needs_writing"] is True
        assert hand["made"].startswith("not translated")
        refused_render = client.post(f"/projects/{pid}/languages/renders", json={})
        assert problem_of(refused_render)["status"] == 409
        assert "not written yet" in str(problem_of(refused_render)["detail"])
        unknown = client.post(
            f"/projects/{pid}/languages",
            json={"version": hand["project"]["version"], "language": "xx"},
        )
        assert problem_of(unknown)["status"] == 422
        assert problem_of(client.get(f"/projects/{pid}/languages/fr"))["status"] == 404
        removed = client.delete(
            f"/projects/{pid}/languages/es", params={"version": hand["project"]["version"]}
        )
        assert removed.status_code == 204
        assert [v["language"] for v in client.get(f"/projects/{pid}/languages").json()] == ["ro"]
        # language filter + render submission without a worker: jobs queued per language
        queued = client.post(
            f"/projects/{pid}/languages/renders", json={"languages": ["ro"]}
        ).json()
        assert len(queued) == 1 and queued[0]["status"] == "queued"


@sqlite_only
def test_a_model_answer_that_is_not_a_whole_translation_saves_nothing(
    make_client: ClientFactory,
) -> None:
    """A translation missing a scene is a 502 naming the step; the project is unchanged."""

    def short_answer(request: Recorded) -> Reply:
        data = {"title": "T", "hook": "H", "scenes": [], "call_to_action": "", "description": ""}
        return Reply(200, openai_completion(json.dumps(data)))

    with HTTPTestServer(short_answer) as server:
        client = make_client(
            llm_base_url=f"{server.base_url}/v1", llm_model="local-model", llm_cache=False
        )
        project = new_project(client)
        refused = client.post(
            f"/projects/{project['id']}/languages",
            json={"version": project["version"], "language": "ro"},
        )
    problem = problem_of(refused)
    assert problem["status"] == 502
    assert "the translation of the script into Romanian (ro) failed" in str(problem["detail"])
    assert "0 scenes where the script has 1" in str(problem["detail"])
    after = client.get(f"/projects/{project['id']}").json()
    assert after["version"] == project["version"] and after["languages"] == []
