"""A local HTTP server speaking the Pexels and Pixabay search APIs, and serving media files.

The answers are shaped like the documented ones (Pexels ``videos``/``photos`` with
``video_files`` and ``src``; Pixabay ``hits`` with ``videos.{large,…}`` and
``largeImageURL``), with each provider's rate-limit headers. Per-key quotas, refused keys and
scripted replies (429, 5xx, slow, malformed) let tests drive every documented failure.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.httpserver import ServedInThread

PEXELS_PATHS = ("/videos/search", "/v1/search")
PIXABAY_PATHS = ("/api/", "/api/videos/")


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON, str → text as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Entry:
    """One piece of footage in the fake library; ``file`` is served at ``/files/<file>``."""

    id: int
    kind: str  # video | photo
    tags: tuple[str, ...]
    file: str
    width: int = 1080
    height: int = 1920
    duration: int = 10
    author: str = "Jane Doe"
    #: extra renditions (width, height) listed besides width×height (videos)
    renditions: tuple[tuple[int, int], ...] = ((540, 960), (2160, 3840))


@dataclass
class Recorded:
    path: str
    params: dict[str, str]
    headers: dict[str, str]


class StockServer(ServedInThread):
    """Serves Pexels and Pixabay endpoints from one catalogue."""

    def __init__(self, files_dir: Path) -> None:
        self.files_dir = files_dir
        self.entries: list[Entry] = []
        self.replies: dict[str, list[Reply]] = {}  # path → scripted replies, in order
        self.requests: list[Recorded] = []
        self.valid_keys: set[str] | None = None  # None: any key is accepted
        self.quota: dict[str, int] = {}  # key → requests left (absent: plenty)
        self.limit = 200
        self.reset_seconds = 3600
        self.send_length = True  # Content-Length on file downloads
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                server.requests.append(
                    Recorded(parts.path, params, {k.lower(): v for k, v in self.headers.items()})
                )
                with contextlib.suppress(OSError):  # the client gave up (timeouts)
                    server.answer(self, parts.path, params)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.serve(Handler)

    # ------------------------------------------------------------------ helpers for tests

    def script(self, path: str, *replies: Reply) -> None:
        self.replies.setdefault(path, []).extend(replies)

    def api_requests(self) -> list[Recorded]:
        return [r for r in self.requests if not r.path.startswith("/files/")]

    def downloads(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.startswith("/files/")]

    def file_url(self, name: str) -> str:
        return f"{self.base_url}/files/{name}"

    # ------------------------------------------------------------------ answering

    def answer(self, handler: BaseHTTPRequestHandler, path: str, params: dict[str, str]) -> None:
        scripted = self.replies.get(path)
        if scripted:
            reply = scripted.pop(0)
            if reply.delay and self.stop.wait(reply.delay):
                return
            self.send(handler, reply)
            return
        if path.startswith("/files/"):
            self.send_file(handler, path.removeprefix("/files/"))
            return
        if path in PEXELS_PATHS:
            key = handler.headers.get("Authorization", "")
            self.send(handler, self.pexels(path, params, key))
            return
        if path in PIXABAY_PATHS:
            self.send(handler, self.pixabay(path, params, params.get("key", "")))
            return
        self.send(handler, Reply(404, {"error": "Not found"}))

    def _matching(self, kind: str, text: str) -> list[Entry]:
        words = {w.lower() for w in text.replace(",", " ").split()}
        return [e for e in self.entries if e.kind == kind and words & set(e.tags)]

    def _quota_reply(self, key: str, pexels: bool) -> tuple[Reply | None, dict[str, str]]:
        """A refusal for a wrong or exhausted key, else None; plus the rate-limit headers."""
        if self.valid_keys is not None and key not in self.valid_keys:
            if pexels:
                return Reply(401, {"error": "Unauthorized"}), {}
            return Reply(400, "[ERROR 400] Invalid or missing API key"), {}
        left = self.quota.get(key, self.limit)
        reset = str(int(time.time()) + self.reset_seconds) if pexels else str(self.reset_seconds)
        names = (
            ("X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset")
            if pexels
            else ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
        )
        if left <= 0:
            headers = {names[0]: str(self.limit), names[1]: "0", names[2]: reset}
            body: Any = {"error": "Rate limit exceeded"} if pexels else "API rate limit exceeded"
            return Reply(429, body, headers), headers
        left -= 1
        if key in self.quota:
            self.quota[key] = left
        return None, {names[0]: str(self.limit), names[1]: str(left), names[2]: reset}

    def pexels(self, path: str, params: dict[str, str], key: str) -> Reply:
        refusal, headers = self._quota_reply(key, pexels=True)
        if refusal is not None:
            return refusal
        per_page = int(params.get("per_page", "15"))
        if path == "/videos/search":
            found = self._matching("video", params.get("query", ""))[:per_page]
            body: dict[str, Any] = {
                "page": int(params.get("page", "1")),
                "per_page": per_page,
                "total_results": len(found),
                "url": "https://www.pexels.com/search/videos/x/",
                "videos": [self._pexels_video(e) for e in found],
            }
        else:
            found = self._matching("photo", params.get("query", ""))[:per_page]
            body = {
                "total_results": len(found),
                "page": int(params.get("page", "1")),
                "per_page": per_page,
                "photos": [self._pexels_photo(e) for e in found],
            }
        return Reply(200, body, headers)

    def _pexels_video(self, e: Entry) -> dict[str, Any]:
        sizes = [(e.width, e.height), *e.renditions]
        return {
            "id": e.id,
            "width": e.width,
            "height": e.height,
            "url": f"https://www.pexels.com/video/{'-'.join(e.tags)}-{e.id}/",
            "image": f"https://images.pexels.com/videos/{e.id}/free-video-{e.id}.jpg",
            "duration": e.duration,
            "user": {"id": 7, "name": e.author, "url": "https://www.pexels.com/@jane-doe"},
            "video_files": [
                {
                    "id": e.id * 10 + n,
                    "quality": "hd" if min(w, h) >= 720 else "sd",
                    "file_type": "video/mp4",
                    "width": w,
                    "height": h,
                    "fps": 25,
                    "link": self.file_url(e.file) + f"?rendition={w}x{h}",
                }
                for n, (w, h) in enumerate(sizes)
            ],
            "video_pictures": [{"id": 1, "picture": "https://images.pexels.com/p.jpg", "nr": 0}],
        }

    def _pexels_photo(self, e: Entry) -> dict[str, Any]:
        original = self.file_url(e.file)
        return {
            "id": e.id,
            "width": e.width,
            "height": e.height,
            "url": f"https://www.pexels.com/photo/{'-'.join(e.tags)}-{e.id}/",
            "photographer": e.author,
            "photographer_url": "https://www.pexels.com/@jane-doe",
            "photographer_id": 7,
            "avg_color": "#7E7E7E",
            "src": {
                "original": original,
                "large2x": original + "?auto=compress&cs=tinysrgb&dpr=2&h=650&w=940",
                "large": original + "?auto=compress&cs=tinysrgb&h=650&w=940",
                "medium": original + "?auto=compress&cs=tinysrgb&h=350",
                "small": original + "?auto=compress&cs=tinysrgb&h=130",
                "portrait": original + "?auto=compress&cs=tinysrgb&fit=crop&h=1200&w=800",
                "landscape": original + "?auto=compress&cs=tinysrgb&fit=crop&h=627&w=1200",
                "tiny": original + "?auto=compress&cs=tinysrgb&dpr=1&fit=crop&h=200&w=280",
            },
            "liked": False,
            "alt": " ".join(e.tags),
        }

    def pixabay(self, path: str, params: dict[str, str], key: str) -> Reply:
        refusal, headers = self._quota_reply(key, pexels=False)
        if refusal is not None:
            return refusal
        per_page = int(params.get("per_page", "20"))
        if not 3 <= per_page <= 200:
            return Reply(400, "[ERROR 400] Invalid per_page value", headers)
        kind = "video" if path == "/api/videos/" else "photo"
        found = self._matching(kind, params.get("q", ""))[:per_page]
        convert = self._pixabay_video if kind == "video" else self._pixabay_photo
        hits = [convert(e) for e in found]
        return Reply(200, {"total": len(hits), "totalHits": len(hits), "hits": hits}, headers)

    def _pixabay_common(self, e: Entry) -> dict[str, Any]:
        return {
            "id": e.id,
            "pageURL": f"https://pixabay.com/videos/id-{e.id}/",
            "tags": ", ".join(e.tags),
            "views": 100,
            "downloads": 10,
            "likes": 5,
            "comments": 1,
            "user_id": 42,
            "user": e.author.replace(" ", ""),
            "userImageURL": "https://cdn.pixabay.com/user/x.png",
        }

    def _pixabay_video(self, e: Entry) -> dict[str, Any]:
        # Pixabay lists large (may be empty), medium, small, tiny renditions
        sizes = sorted([(e.width, e.height), *e.renditions], key=lambda s: -s[0] * s[1])
        names = ["large", "medium", "small", "tiny"]
        videos = {name: {"url": "", "width": 0, "height": 0, "size": 0} for name in names}
        for name, (w, h) in zip(names, sizes, strict=False):
            videos[name] = {
                "url": self.file_url(e.file) + f"?rendition={w}x{h}",
                "width": w,
                "height": h,
                "size": 123456,
                "thumbnail": f"https://cdn.pixabay.com/video/{e.id}_{name}.jpg",
            }
        return {
            **self._pixabay_common(e),
            "type": "film",
            "duration": e.duration,
            "videos": videos,
        }

    def _pixabay_photo(self, e: Entry) -> dict[str, Any]:
        return {
            **self._pixabay_common(e),
            "type": "photo",
            "previewURL": f"https://cdn.pixabay.com/photo/{e.id}_150.jpg",
            "previewWidth": 84,
            "previewHeight": 150,
            "webformatURL": self.file_url(e.file) + "?size=640",
            "webformatWidth": 360,
            "webformatHeight": 640,
            "largeImageURL": self.file_url(e.file),
            "imageWidth": e.width,
            "imageHeight": e.height,
            "imageSize": 654321,
        }

    # ------------------------------------------------------------------ sending

    def send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if isinstance(reply.body, str):
            payload, content_type = reply.body.encode(), "text/plain; charset=utf-8"
        else:
            payload, content_type = json.dumps(reply.body).encode(), "application/json"
        handler.send_response(reply.status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def send_file(self, handler: BaseHTTPRequestHandler, name: str) -> None:
        path = self.files_dir / name
        if "/" in name or not path.is_file():
            self.send(handler, Reply(404, {"error": "Not found"}))
            return
        data = path.read_bytes()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        if self.send_length:
            handler.send_header("Content-Length", str(len(data)))
        else:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        if self.send_length:
            handler.wfile.write(data)
            return
        for start in range(0, len(data), 4096):
            chunk = data[start : start + 4096]
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        handler.wfile.write(b"0\r\n\r\n")


@contextmanager
def running(files_dir: Path) -> Iterator[StockServer]:
    with StockServer(files_dir) as server:
        yield server


class Clock:
    """A settable clock for rate-limit tests (epoch seconds)."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_stock_files(folder: Path) -> Path:
    """Small real media for the server to serve (generated with FFmpeg's lavfi sources)."""
    from tests.media import make_image, make_video

    folder.mkdir(parents=True, exist_ok=True)
    make_video(folder / "waves.mp4", width=180, height=320, seconds=2.0)
    make_video(folder / "forest.mp4", width=180, height=320, seconds=3.0)
    make_video(folder / "city.mp4", width=320, height=180, seconds=2.0)
    make_image(folder / "mountain.jpg", width=180, height=320)
    (folder / "broken.mp4").write_bytes(b"<html>this is an error page, not a video</html>" * 20)
    return folder


def default_entries() -> list[Entry]:
    return [
        Entry(1, "video", ("ocean", "waves", "sea"), "waves.mp4", duration=12),
        Entry(2, "video", ("ocean", "beach", "sea"), "forest.mp4", duration=8),
        Entry(3, "video", ("forest", "trees"), "forest.mp4", duration=20),
        Entry(4, "photo", ("mountain", "snow"), "mountain.jpg", width=3000, height=4500),
        Entry(5, "video", ("city", "night"), "city.mp4", width=1920, height=1080,
              renditions=((1280, 720),)),
    ]  # fmt: skip
