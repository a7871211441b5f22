"""Property-based run of schemathesis against the API's own OpenAPI schema: no input the schema
allows (or deliberately violates) may produce a 5xx, and every 4xx is problem+json.

One app on one SQLite database for the whole module, called in-process over ASGI; no worker
(``workers=0``), so submitted renders stay queued and nothing renders.

What is checked, and what is not (on purpose):

* ``no_server_error`` (schemathesis' ``not_a_server_error``): no 5xx for any generated request,
  positive (valid by the schema) or negative (invalid on purpose). The one documented 5xx is
  ``GET /health/ready`` answering 503 with ``ready: false``: with no worker running that IS its
  contract (a probe saying "not ready").
* ``problem_json_for_4xx``: a 4xx is ``application/problem+json`` with status, title, detail.
* Every 5xx fails the run. The bugs earlier runs found (64-bit offsets, nulls in a PATCH, batch
  items and CSV the project refused, malformed import URLs, NUL bytes, unknown providers) are
  fixed and kept as targeted tests in test_bad_input.py.
* Random ids only reach the 404 branch, so ``seed_real_ids`` swaps two id path parameters
  in three for a real record made for that case (project, queued or cancelled job, asset,
  provider-secret name, platform name): the generated bodies then reach the code behind.
* Schema-conformance checks (response schema, declared status codes and content types,
  negative-data rejection) are NOT asserted here: they test the precision of the published
  schema, not the robustness of the server. Their findings are reported to the lead instead.

Excluded from fuzzing (covered by targeted tests in test_bad_input.py):

* ``GET /renders/{job_id}/events``: Server-Sent Events that block until the job ends; with no
  worker a queued job never ends.
* ``GET /voices/{voice}/preview``: synthesises speech with real TTS providers (some are
  network services, which are not reachable here and would time out).
* ``/voices/catalogue`` and its download: they reach Piper's catalogue on the internet, so
  here they answer 503 (the right answer when it is unreachable); test_catalog.py drives them
  against a local catalogue server.
* ``GET /caption-styles/{style}/preview``: renders a frame with FFmpeg per distinct input (about
  a second each): too slow to fuzz within the time budget.
"""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.python import asgi as schemathesis_asgi
from schemathesis.schemas import BaseSchema

from tests.api.conftest import FAKE_VOICE, TEST_HOSTS
from video_orchestrator.api import create_app
from video_orchestrator.config import Settings
from video_orchestrator.jobs.executor import ThreadExecutor
from video_orchestrator.services.context import AppContext
from video_orchestrator.services.experiment_runs import ExperimentCreate
from video_orchestrator.services.projects import ProjectCreate
from video_orchestrator.services.secrets_store import SECRET_NAMES
from video_orchestrator.services.worker import worker_runner
from video_orchestrator.services.workspace import Workspace

ASGIApp = Any
Case = schemathesis.Case[Any]

#: Examples per operation (positive and negative data). About 40 operations on 2 busy cores:
#: 60 keeps the module near 40 s (100 took 85 s).
MAX_EXAMPLES = 60

SCRIPT = {
    "topic": "tide pools",
    "title": "Tide pools",
    "hook": "Tide pools hide tiny worlds.",
    "scenes": [
        {"narration": "Crabs guard every rock.", "keywords": ["ocean"]},
        {"narration": "Anemones close when touched.", "keywords": ["reef"]},
    ],
}
PLATFORMS = ("tiktok", "youtube-shorts", "instagram-reels", "shorts")

EXCLUDED = {
    "/renders/{job_id}/events": "SSE stream that blocks until the job ends",
    "/voices/{voice}/preview": "synthesises speech with real (partly networked) TTS providers",
    "/caption-styles/{style}/preview": "renders an FFmpeg frame per input: too slow to fuzz",
    "/voices/catalogue": "reads Piper's catalogue on the internet: 503 here is the right answer",
    "/voices/catalogue/{voice_id}/download": "downloads from the internet (tested against a "
    "local catalogue in test_catalog.py)",
}


def _openapi() -> dict[str, Any]:
    """The schema, from an app that is built but never started (no database, no files)."""
    unused = Path("/nonexistent/vo-schemathesis")
    app = create_app(Settings(data_dir=unused, cache_dir=unused), start_executor=False)
    return dict(app.openapi())


schema: BaseSchema = schemathesis.openapi.from_dict(_openapi())
schema.config.generation.update(
    max_examples=MAX_EXAMPLES,
    deterministic=True,  # the same examples every run: a failure here is never flaky
    database="none",  # no .hypothesis directory in the repository
)
for _path in EXCLUDED:
    schema = schema.exclude(path=_path)


class ServerBehaviour:
    """Wraps the app the way a real server (uvicorn) treats it: when the app raises after it
    has sent its 500 response, the client still gets that response and the error is logged
    (the app's own handler logs the traceback). Without this the in-process transport would
    re-raise, and the 5xx check could not report the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if not started:
                raise


@dataclass
class Api:
    """The app under test and its workspace (to make real records the fuzzer can hit)."""

    app: ASGIApp
    ws: Workspace
    tone: Path
    scratch: Path

    def fresh_project(self) -> str:
        body = {"topic": "tide pools", "script": SCRIPT, "voice": {"voice": FAKE_VOICE}}
        return self.ws.projects.create(ProjectCreate.model_validate(body)).id

    def fresh_experiment(self) -> str:
        data = ExperimentCreate(
            project_id=self.fresh_project(), factors={"caption_style": ["karaoke", "pop"]}
        )
        return self.ws.experiments.create(data).id

    def fresh_job(self, cancelled: bool) -> str:
        (job,) = self.ws.jobs.submit_project(self.fresh_project())
        if cancelled:
            self.ws.jobs.cancel(job.id)
        return job.id

    def asset(self) -> str:
        copy = self.scratch / "bed.wav"
        shutil.copyfile(self.tone, copy)
        asset, _ = self.ws.assets.add_file(copy, "bed.wav")
        return asset.id


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path, tone: Path) -> Iterator[Api]:
    root = tmp_path_factory.mktemp("schemathesis")
    config = Settings(
        data_dir=root / "data",
        cache_dir=shared_cache,
        database_url=f"sqlite:///{root / 'vo.db'}",
        default_voice=FAKE_VOICE,
        rate_limit_per_minute=1_000_000_000,
        allowed_hosts=TEST_HOSTS,
    )
    ctx = AppContext(config)
    ws = Workspace(ctx, executor=ThreadExecutor(config, ctx.db, worker_runner, workers=0))
    ws.start()
    app = ServerBehaviour(create_app(config, workspace=ws, start_executor=False))
    try:
        yield Api(app, ws, tone, root)
    finally:
        schemathesis_asgi.shutdown_lifespans()
        ws.stop()
        ctx.db.dispose()


def _chosen(value: object, one_in: int) -> bool:
    """A deterministic choice from generated data (so Hypothesis can replay and shrink it)."""
    return zlib.crc32(repr(value).encode()) % one_in != 0


def seed_real_ids(case: Case, api: Api) -> None:
    """Random ids only ever reach the 404 branch. For two cases in three, swap an id path
    parameter for a real record made just for this case, so the generated bodies and queries
    reach the code behind the lookup (edits, script generation, cancel, retry …)."""
    params = case.path_parameters
    if not params:
        return
    for name, value in list(params.items()):
        if not isinstance(value, str) or not _chosen(value, 3):
            continue
        if name == "project_id":
            params[name] = api.fresh_project()
        elif name == "job_id":
            params[name] = api.fresh_job(cancelled=_chosen(value + "c", 2))
        elif name == "asset_id":
            params[name] = api.asset()
        elif name == "experiment_id":
            params[name] = api.fresh_experiment()
        elif name == "name" and case.operation.path.startswith("/settings/providers/"):
            params[name] = SECRET_NAMES[zlib.crc32(value.encode()) % len(SECRET_NAMES)]
        elif name == "name" and case.operation.path == "/platforms/{name}":
            params[name] = PLATFORMS[zlib.crc32(value.encode()) % len(PLATFORMS)]


def no_server_error(ctx: Any, response: Any, case: Case) -> bool | None:
    if (
        case.operation.label == "GET /health/ready"
        and response.status_code == 503
        and response.json().get("ready") is False
    ):
        return None  # a readiness probe saying "not ready" (no worker runs here)
    return not_a_server_error(ctx, response, case)


def problem_json_for_4xx(ctx: Any, response: Any, case: Case) -> bool | None:
    if not 400 <= response.status_code < 500:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    body = response.json() if content_type.startswith("application/problem+json") else None
    if (
        not isinstance(body, dict)
        or body.get("status") != response.status_code
        or not isinstance(body.get("title"), str)
        or not body["title"]
        or not isinstance(body.get("detail"), str)
        or not body["detail"]
    ):
        raise Failure(
            operation=case.operation.label,
            title="4xx is not problem+json with status, title and detail",
            message=f"{response.status_code} {content_type}: {response.text[:300]}",
        )
    return None


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_5xx_and_problem_json_errors(case: Case, api: Api) -> None:
    seed_real_ids(case, api)
    case.call_and_validate(app=api.app, checks=[no_server_error, problem_json_for_4xx])


def test_the_exclusions_name_real_operations() -> None:
    """An exclusion that no longer matches an operation would silently shrink the run."""
    paths = set(_openapi()["paths"])
    assert set(EXCLUDED) <= paths
