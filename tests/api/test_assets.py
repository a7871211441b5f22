"""The asset library over HTTP: uploads are streamed, size-limited and typed by probing."""

from __future__ import annotations

import io
import socket
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import RAW, ClientFactory, problem_of


def upload(client: TestClient, path: Path, name: str | None = None) -> object:
    return client.post(
        "/assets",
        params={"filename": name or path.name},
        content=path.read_bytes(),
        headers={"content-type": "application/octet-stream"},
    )


def huge_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A PNG header claiming ``width``×``height`` pixels, with a tiny body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def test_upload_probes_and_deduplicates(client: TestClient, clip: Path) -> None:
    first = upload(client, clip)
    assert first.status_code == 201, first.text
    asset = first.json()
    assert asset["kind"] == "video"
    assert asset["width"] == 640 and asset["height"] == 360
    assert asset["duration"] == pytest.approx(2.0, abs=0.1)
    assert asset["has_audio"] is True
    assert asset["tags"] == ["ocean", "waves"]

    again = upload(client, clip, "renamed.mp4")
    assert again.status_code == 200
    assert again.json()["id"] == asset["id"]
    assert client.get("/assets").json()["total"] == 1


def test_multipart_upload_and_range_read_of_the_content(client: TestClient, clip: Path) -> None:
    response = client.post("/assets", files={"file": ("clip.mp4", clip.read_bytes(), "video/mp4")})
    assert response.status_code == 201, response.text
    asset_id = response.json()["id"]
    data = clip.read_bytes()
    part = client.get(f"/assets/{asset_id}/content", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    tail = client.get(f"/assets/{asset_id}/content", headers={"Range": "bytes=-5"})
    assert tail.content == data[-5:]
    whole = client.get(f"/assets/{asset_id}/content")
    assert whole.status_code == 200 and whole.content == data
    outside = client.get(f"/assets/{asset_id}/content", headers={"Range": f"bytes={len(data)}-"})
    assert problem_of(outside)["status"] == 416


def test_a_text_file_named_mp4_is_415(client: TestClient, tmp_path: Path) -> None:
    fake = tmp_path / "movie.mp4"
    fake.write_text("this is not a video\n" * 100)
    problem = problem_of(upload(client, fake))
    assert problem["status"] == 415
    assert "movie.mp4" in str(problem["detail"])
    assert client.get("/assets").json()["total"] == 0


def test_a_zip_bomb_is_refused_without_being_unpacked(client: TestClient, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.mp4"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\x00" * 50_000_000)
    bomb.write_bytes(buffer.getvalue())
    assert bomb.stat().st_size < 200_000
    assert problem_of(upload(client, bomb))["status"] == 415


def test_a_20000_pixel_wide_image_is_refused_with_its_size(
    client: TestClient, tmp_path: Path
) -> None:
    image = tmp_path / "wide.png"
    image.write_bytes(huge_png(20_000, 100))
    problem = problem_of(upload(client, image))
    assert problem["status"] == 415
    assert "20000×100" in str(problem["detail"])


def test_a_50000_pixel_image_is_refused_before_decoding(client: TestClient, tmp_path: Path) -> None:
    image = tmp_path / "huge.png"
    image.write_bytes(huge_png())
    problem = problem_of(upload(client, image))
    assert problem["status"] == 415
    assert "megapixels" in str(problem["detail"])
    assert "huge.png" in str(problem["detail"])


def test_an_upload_over_the_limit_is_413_and_leaves_nothing(
    make_client: ClientFactory, clip: Path, settings: object
) -> None:
    client = make_client(upload_max_bytes=10_000)
    assert problem_of(upload(client, clip))["status"] == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while streaming
        data = clip.read_bytes()
        for start in range(0, len(data), 4096):
            yield data[start : start + 4096]

    streamed = client.post("/assets", params={"filename": "x.mp4"}, content=chunks(), headers=RAW)
    assert problem_of(streamed)["status"] == 413
    incoming = client.app.state.services.ctx.settings.data_dir / "incoming"  # type: ignore[attr-defined]
    assert list(incoming.iterdir()) == []


def test_path_traversal_in_a_file_name_never_reaches_the_file_system(
    client: TestClient, clip: Path
) -> None:
    response = upload(client, clip, "../../../etc/passwd.mp4")
    assert response.status_code == 201
    asset = response.json()
    assert asset["filename"] == "passwd.mp4"
    stored = client.app.state.services.ctx.files  # type: ignore[attr-defined]
    key = client.app.state.services.assets.storage_key(asset["id"])  # type: ignore[attr-defined]
    assert key == f"assets/{asset['sha256']}.mp4"
    assert stored.exists(key)


def test_empty_upload_is_refused(client: TestClient) -> None:
    response = client.post("/assets", params={"filename": "x.mp4"}, content=b"", headers=RAW)
    assert problem_of(response)["status"] == 415


def test_music_accepts_audio_only(client: TestClient, clip: Path, tone: Path) -> None:
    ok = client.post(
        "/music", params={"filename": "bed.wav"}, content=tone.read_bytes(), headers=RAW
    )
    assert ok.status_code == 201 and ok.json()["kind"] == "audio"
    video = client.post(
        "/music", params={"filename": "clip.mp4"}, content=clip.read_bytes(), headers=RAW
    )
    assert problem_of(video)["status"] == 415
    assert [a["kind"] for a in client.get("/music").json()["items"]] == ["audio"]


def test_delete_refuses_an_asset_a_project_uses(client: TestClient, clip: Path) -> None:
    asset = upload(client, clip).json()  # type: ignore[attr-defined]
    project = client.post(
        "/projects", json={"topic": "sea", "background": {"assets": [asset["id"]]}}
    ).json()
    assert problem_of(client.delete(f"/assets/{asset['id']}"))["status"] == 409
    client.patch(f"/projects/{project['id']}", json={"version": 1, "background": {"assets": []}})
    assert client.delete(f"/assets/{asset['id']}").status_code == 204
    assert problem_of(client.get(f"/assets/{asset['id']}"))["status"] == 404


def test_delete_refuses_a_sound_effect_a_project_uses(client: TestClient, tone: Path) -> None:
    sound = client.post(
        "/music", params={"filename": "whoosh.wav"}, content=tone.read_bytes(), headers=RAW
    )
    asset = sound.json()
    client.post("/projects", json={"topic": "sea", "audio": {"sfx_asset": asset["id"]}})
    assert "used by the project" in problem_of(client.delete(f"/assets/{asset['id']}"))["detail"]


def test_background_search_finds_local_assets_by_name(client: TestClient, clip: Path) -> None:
    upload(client, clip)
    found = client.get("/backgrounds/search", params={"q": "stormy ocean"}).json()
    assert [a["filename"] for a in found["local"]] == ["ocean-waves.mp4"]
    assert client.get("/backgrounds/search", params={"q": "desert"}).json()["local"] == []


# -- URL import -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/clip.mp4",
        "http://localhost/clip.mp4",
        "http://10.1.2.3/clip.mp4",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/clip.mp4",
        "file:///etc/passwd",
        "ftp://example.com/clip.mp4",
    ],
)
def test_url_import_refuses_local_and_private_addresses(client: TestClient, url: str) -> None:
    problem = problem_of(client.post("/assets/import", json={"url": url}))
    assert problem["status"] == 422
    assert problem["type"] == "tag:video-orchestrator,2026:problem/blocked-url"


class _Files(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}  # noqa: RUF012

    def do_GET(self) -> None:
        if self.path == "/redirect-home":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/secret")
            self.end_headers()
            return
        body = self.files.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def file_server(clip: Path) -> Iterator[str]:
    _Files.files = {"/media/sea.mp4": clip.read_bytes()}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_url_import_downloads_probes_and_records_the_source(
    make_client: ClientFactory, file_server: str
) -> None:
    client = make_client(allow_private_urls=True)  # the test server is on 127.0.0.1
    response = client.post("/assets/import", json={"url": f"{file_server}/media/sea.mp4"})
    assert response.status_code == 201, response.text
    asset = response.json()
    assert asset["kind"] == "video" and asset["filename"] == "sea.mp4"
    assert asset["source"] == "url" and asset["source_url"].endswith("/media/sea.mp4")
    missing = client.post("/assets/import", json={"url": f"{file_server}/nothing.mp4"})
    assert problem_of(missing)["status"] == 502


def test_url_import_over_the_size_limit_is_413(
    make_client: ClientFactory, file_server: str
) -> None:
    client = make_client(allow_private_urls=True, upload_max_bytes=1000)
    response = client.post("/assets/import", json={"url": f"{file_server}/media/sea.mp4"})
    assert problem_of(response)["status"] == 413


def test_a_chunked_multipart_upload_over_the_limit_is_answered_before_it_ends(
    make_live_server: Callable[..., str],
) -> None:
    """The server answers 413 while the client is still sending: it never spools the rest."""
    base = make_live_server(upload_max_bytes=10_000)
    host, port = base.removeprefix("http://").split(":")
    boundary = "vo-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /assets HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            + f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n".encode()
        )
        sock.sendall(b"%x\r\n%s\r\n" % (len(head), head))
        piece = b"\x00" * 4096
        for _ in range(40):  # 160 kB and no end: only an early answer can come back
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "application/problem+json" in answer
