"""A local OpenAI-compatible chat server that translates and adapts one planted script into
Romanian and Spanish (ADR 0039): the two steps are told apart by the structured output's
schema name, the language by the prompt, so a test can recognise each step's text.

The planted script says "two miles an hour"; the translation keeps the miles, the adaptation
turns them into kilometres and says so in its notes."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.contract.llm_servers import openai_completion
from tests.httpserver import HTTPTestServer, Recorded, Reply

SCRIPT: dict[str, Any] = {
    "topic": "octopus facts",
    "title": "Octopus facts",
    "hook": "Octopuses have three hearts.",
    "scenes": [{"narration": "An octopus swims two miles an hour.", "keywords": ["octopus"]}],
}

TRANSLATIONS: dict[str, dict[str, str]] = {
    "ro": {
        "Octopus facts": "Fapte despre caracatițe",
        "Octopuses have three hearts.": "Caracatițele au trei inimi.",
        "An octopus swims two miles an hour.": "O caracatiță înoată două mile pe oră.",
    },
    "es": {
        "Octopus facts": "Datos sobre pulpos",
        "Octopuses have three hearts.": "Los pulpos tienen tres corazones.",
        "An octopus swims two miles an hour.": "Un pulpo nada dos millas por hora.",
    },
}
ADAPTATIONS: dict[str, tuple[str, str, str, list[str]]] = {
    "ro": (
        "două mile pe oră",
        "trei kilometri pe oră",
        "two miles -> three kilometres: the audience uses kilometres",
        ["caracatițe", "oceanul"],
    ),
    "es": (
        "dos millas por hora",
        "tres kilómetros por hora",
        "two miles -> three kilometres: the audience uses kilometres",
        ["pulpos", "océano"],
    ),
}
#: The adapted narration of the one scene, per language (what a test expects to see).
ADAPTED = {
    code: TRANSLATIONS[code]["An octopus swims two miles an hour."].replace(old, new)
    for code, (old, new, _, _) in ADAPTATIONS.items()
}
NOTE = ADAPTATIONS["ro"][2]


def _language(prompt: str) -> str:
    found = re.search(r"\((ro|es)\)", prompt)
    assert found, f"no target language in the prompt: {prompt[:200]}"
    return found.group(1)


def answer(request: Recorded) -> Reply:
    if request.method != "POST" or request.path != "/v1/chat/completions":
        return Reply(404, {"error": {"message": f"Not found: {request.path}"}})
    body = request.body
    step = body["response_format"]["json_schema"]["name"]
    prompt = body["messages"][-1]["content"]
    script = json.loads(prompt[prompt.index("{") :])
    code = _language(prompt)
    if step == "script_translation":
        table = TRANSLATIONS[code]
        data: dict[str, Any] = {
            key: (
                [table.get(t, t) for t in value]
                if isinstance(value, list)
                else table.get(value, value)
            )
            for key, value in script.items()
        }
    else:
        old, new, note, tags = ADAPTATIONS[code]
        data = {
            key: ([t.replace(old, new) for t in value] if isinstance(value, list) else value)
            for key, value in script.items()
        }
        data["hashtags"] = tags
        data["notes"] = [note]
    return Reply(200, openai_completion(json.dumps(data, ensure_ascii=False)))


def translation_server() -> HTTPTestServer:
    """``with translation_server() as server: ... f"{server.base_url}/v1" ...``"""
    return HTTPTestServer(answer)


def llm_url(server: HTTPTestServer) -> str:
    """The base URL the OpenAI-compatible adapter is given (the API's ``/v1``)."""
    return f"{server.base_url}/v1"
