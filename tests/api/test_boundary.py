"""The server's boundary as an attacker meets it: the exact requests a web page, a rebound DNS
name or a guessing client would send, and what the server answers (issue 11, items 2 and 6)."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import FAKE_VOICE, RAW, ClientFactory, problem_of
from video_orchestrator.api.boundary import BrowserPolicy, host_name
from video_orchestrator.api.security import is_open
from video_orchestrator.config import Settings
from video_orchestrator.errors import os_reason

EVIL = "https://evil.example"


def _project(client: object) -> str:
    response = client.post(  # type: ignore[attr-defined]
        "/projects", json={"topic": "the deep ocean", "voice": {"voice": FAKE_VOICE}}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("localhost", True),
        ("localhost:4545", True),
        ("127.0.0.1:4545", True),
        ("127.8.9.10", True),
        ("[::1]:4545", True),
        ("evil.example", False),  # a rebound DNS name
        ("evil.example:4545", False),
        ("localhost.evil.example", False),
        ("127.0.0.1.evil.example", False),
        ("", False),
    ],
)
def test_a_keyless_server_answers_only_loopback_names(host: str, allowed: bool) -> None:
    policy = BrowserPolicy.of(allowed_hosts=[], key_required=False, cors_origins=[])
    assert policy.host_allowed(host) is allowed


def test_host_names_are_compared_without_port_case_or_brackets() -> None:
    assert host_name("Studio.LAN:8080") == "studio.lan"
    assert host_name("[::1]:80") == "::1"
    assert host_name("::1") == "::1"
    keyed = BrowserPolicy.of(allowed_hosts=[], key_required=True, cors_origins=[])
    assert keyed.host_allowed("video.example.com")  # keys protect every request
    named = BrowserPolicy.of(
        allowed_hosts=["video.example.com"], key_required=True, cors_origins=[]
    )
    assert named.host_allowed("VIDEO.example.com:443")
    assert not named.host_allowed("other.example.com")
    assert BrowserPolicy.of(allowed_hosts=["*"], key_required=False, cors_origins=[]).host_allowed(
        "anything.example"
    )


def test_a_rebound_dns_name_gets_nothing(make_client: ClientFactory) -> None:
    client = make_client()
    project = _project(client)
    stolen = client.get(f"/projects/{project}", headers={"Host": "evil.example:4545"})
    assert problem_of(stolen)["status"] == 403
    assert "VO_ALLOWED_HOSTS" in str(problem_of(stolen)["detail"])
    assert "deep ocean" not in stolen.text  # the project itself is not served
    assert client.get(f"/projects/{project}", headers={"Host": "127.0.0.1:4545"}).status_code == 200
    named = make_client(allowed_hosts=["testserver", "studio.lan"])
    assert named.get("/projects", headers={"Host": "studio.lan"}).status_code == 200


def test_a_cross_site_simple_upload_is_refused_and_stores_nothing(
    make_client: ClientFactory, tone: object
) -> None:
    client = make_client()
    data = tone.read_bytes()  # type: ignore[attr-defined]
    for headers in (
        {"Content-Type": "text/plain", "Origin": EVIL},
        {"Content-Type": "text/plain", "Sec-Fetch-Site": "cross-site"},
        {"Content-Type": "audio/wav", "Origin": "null"},  # a sandboxed frame or a file
    ):
        refused = client.post(
            "/assets", params={"filename": "bed.wav"}, content=data, headers=headers
        )
        assert problem_of(refused)["status"] == 403, headers
    # A multipart form (what an HTML form can post) from another site is refused the same way.
    form = client.post("/assets", files={"file": ("bed.wav", data)}, headers={"Origin": EVIL})
    assert problem_of(form)["status"] == 403
    assert client.get("/assets").json()["total"] == 0


def test_a_raw_upload_must_name_a_media_type(client: object, tone: object) -> None:
    data = tone.read_bytes()  # type: ignore[attr-defined]
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = client.post(  # type: ignore[attr-defined]
            "/assets", params={"filename": "bed.wav"}, content=data, headers=headers
        )
        body = problem_of(response)
        assert body["status"] == 415
        assert "media type" in str(body["detail"])
    assert client.get("/assets").json()["total"] == 0  # type: ignore[attr-defined]
    ok = client.post(  # type: ignore[attr-defined]
        "/assets",
        params={"filename": "bed.wav"},
        content=data,
        headers={"Content-Type": "audio/wav"},
    )
    assert ok.status_code == 201


def test_a_cross_site_page_cannot_cancel_a_render(make_client: ClientFactory) -> None:
    client = make_client(workers=0)  # the job stays queued
    project = _project(client)
    job = client.post("/renders", json={"project_id": project})
    assert job.status_code == 202, job.text
    job_id = job.json()[0]["id"]
    refused = client.post(f"/renders/{job_id}/cancel", headers={"Origin": EVIL})
    assert problem_of(refused)["status"] == 403
    blind = client.post(f"/renders/{job_id}/cancel", headers={"Sec-Fetch-Site": "cross-site"})
    assert problem_of(blind)["status"] == 403
    assert client.get(f"/renders/{job_id}").json()["status"] == "queued"
    # The server's own pages (same origin) and programs (no Origin) still can.
    same = client.post(f"/renders/{job_id}/cancel", headers={"Origin": "http://testserver"})
    assert same.status_code == 200, same.text


def test_a_configured_origin_may_change_things(make_client: ClientFactory) -> None:
    client = make_client(cors_origins=["https://studio.example"])
    made = client.post(
        "/projects", json={"topic": "reefs"}, headers={"Origin": "https://studio.example"}
    )
    assert made.status_code == 201
    assert (
        problem_of(client.post("/projects", json={"topic": "x"}, headers={"Origin": EVIL}))[
            "status"
        ]
        == 403
    )
    # Reading is not refused (the browser keeps the answer from the page without CORS).
    assert client.get("/projects", headers={"Origin": EVIL}).status_code == 200


def test_every_body_but_an_upload_is_bounded(make_client: ClientFactory, tone: object) -> None:
    client = make_client(json_max_bytes=10_000)
    big = {"topic": "x", "script": {"title": "t", "scenes": [{"narration": "y" * 20_000}]}}
    declared = client.post("/projects", json=big)
    body = problem_of(declared)
    assert body["status"] == 413
    assert "VO_JSON_MAX_BYTES" in str(body["detail"])

    def chunks() -> object:  # no Content-Length: counted as it arrives
        yield b'{"topic": "'
        for _ in range(30):
            yield b"z" * 1000
        yield b'"}'

    streamed = client.post(
        "/projects", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert problem_of(streamed)["status"] == 413
    assert client.get("/projects").json()["total"] == 0
    # Uploads keep their own (larger) limit.
    upload = client.post(
        "/assets", params={"filename": "bed.wav"}, content=tone.read_bytes(), headers=RAW
    )  # type: ignore[attr-defined]
    assert upload.status_code == 201


def test_a_double_slash_path_is_not_an_open_path(make_client: ClientFactory) -> None:
    for path in ("//projects", "//", "//renders/x/cancel", "/projects", "/healthz"):
        assert not is_open(path), path
    for path in ("/", "/health", "/health/ready", "/docs", "/openapi.json", "/ui/projects"):
        assert is_open(path), path
    client = make_client(require_api_key=True)
    assert client.get("/").status_code != 401  # "/" itself stays open (the UI redirect)
    assert client.get("/health").status_code == 200
    assert client.get("/projects").status_code == 401


def test_wrong_keys_are_throttled_per_address(make_client: ClientFactory) -> None:
    client = make_client(require_api_key=True, auth_failures_per_minute=3)
    key = client.app.state.services.apikeys.create("ci").key  # type: ignore[attr-defined]
    statuses = [
        client.get("/projects", headers={"Authorization": f"Bearer guess-{n}"}).status_code
        for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]
    throttled = client.get("/projects", headers={"Authorization": f"Bearer {key}"})
    assert problem_of(throttled)["status"] == 429
    assert int(throttled.headers["retry-after"]) >= 1
    other = make_client(require_api_key=True, auth_failures_per_minute=3)
    key2 = other.app.state.services.apikeys.create("ci").key  # type: ignore[attr-defined]
    assert other.get("/projects", headers={"Authorization": f"Bearer {key2}"}).status_code == 200


def test_settings_read_allowed_hosts_as_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VO_ALLOWED_HOSTS", "video.example.com, studio.lan")
    assert Settings().allowed_hosts == ["video.example.com", "studio.lan"]


def test_the_api_docs_load_nothing_from_another_host(client: object) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text  # type: ignore[attr-defined]
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources, page
        assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
        for source in sources:
            asset = client.get(source)  # type: ignore[attr-defined]
            assert asset.status_code == 200, source
            assert len(asset.content) > 1000, source


def test_a_server_disk_error_names_no_server_path(make_client: ClientFactory, tone: object) -> None:
    """The upload folder cannot be made (a file sits where it should be): the answer says
    what is wrong with the server, without its paths, and nothing is stored."""
    client = make_client()
    data_dir = client.app.state.services.ctx.settings.data_dir  # type: ignore[attr-defined]
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "incoming").write_text("not a folder")
    response = client.post(
        "/assets",
        params={"filename": "bed.wav"},
        content=tone.read_bytes(),  # type: ignore[attr-defined]
        headers=RAW,
    )
    body = problem_of(response)
    assert body["status"] == 503
    assert "cannot receive files" in str(body["detail"])
    assert str(data_dir) not in response.text and "/incoming" not in response.text
    assert "database" not in str(body["detail"])


def test_os_errors_read_without_paths() -> None:
    error = OSError(28, "No space left on device", "/srv/vo/files/outputs/x/video.mp4")
    assert "/srv" in str(error)
    assert os_reason(error) == "no space left on device"
