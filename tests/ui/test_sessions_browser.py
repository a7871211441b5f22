"""Web UI sessions in a real browser against a real ``vo serve`` that requires API keys
(ADR 0019): a revoked key ends the session at once (page load, websocket reconnect, media),
sign-out ends it on the server (a copied cookie stops working), an idle session expires, and
wrong keys on the sign-in form are throttled together with the API's."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.ui.conftest import free_port, launch, stop
from tests.ui.shots import shoot

PREVIEW = "0123456789abcdef0123.png"  # a file the UI's media route serves from the cache
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


class Server:
    def __init__(self, data_dir: Path, cache: Path, **settings: str) -> None:
        self.data_dir, self.cache = data_dir, cache
        self.env = {
            **os.environ,
            "VO_DATA_DIR": str(data_dir),
            "VO_CACHE_DIR": str(cache),
            "XDG_CONFIG_HOME": str(data_dir.parent / "config"),
            "VO_REQUIRE_API_KEY": "true",
            **settings,
        }
        self.process, self.url = launch(
            data_dir, cache, free_port(), VO_REQUIRE_API_KEY="true", **settings
        )
        previews = cache / "previews"
        previews.mkdir(parents=True, exist_ok=True)
        (previews / PREVIEW).write_bytes(PNG)

    def vo(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "video_orchestrator", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done

    def new_key(self, name: str) -> tuple[str, str]:
        """``vo apikey create``: (the key's id, the key)."""
        done = self.vo("apikey", "create", name)
        key_id = done.stderr.split("API key ", 1)[1].split()[0]
        return key_id, done.stdout.strip()

    @property
    def media(self) -> str:
        return f"{self.url}/ui/media/preview/{PREVIEW}"


def start(tmp: Path, cache: Path, **settings: str) -> Iterator[Server]:
    server = Server(tmp / "data", cache, **settings)
    try:
        yield server
    finally:
        stop(server.process)


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory, ui_cache: Path) -> Iterator[Server]:
    yield from start(tmp_path_factory.mktemp("vo-keyed"), ui_cache)


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Sessions idle for 6 s end; 3 wrong keys a minute from one address, then a wait."""
    tmp = tmp_path_factory.mktemp("vo-strict")
    yield from start(
        tmp,
        tmp / "cache",
        VO_UI_SESSION_IDLE_MINUTES="0.1",
        VO_AUTH_FAILURES_PER_MINUTE="3",
    )


def sign_in(page: Page, base: str, key: str) -> None:
    page.goto(base + "/ui/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="New project")).to_be_visible()


def signed_out(page: Page) -> None:
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name="New project")).to_have_count(0)


def test_revoking_the_key_ends_the_session_at_once(page: Page, keyed: Server) -> None:
    key_id, key = keyed.new_key("revoked at once")
    assert page.request.get(keyed.media).status == 401  # no session yet
    sign_in(page, keyed.url, key)
    assert page.request.get(keyed.media).status == 200

    keyed.vo("apikey", "revoke", key_id)
    assert page.request.get(keyed.media).status == 401  # the next media request
    page.reload()  # the next page load
    signed_out(page)
    expect(page.locator(".signed-out-reason")).to_contain_text("revoked")
    shoot(page, "session-revoked")
    assert page.request.get(keyed.media).status == 401


def test_a_revoked_key_ends_an_open_page_when_its_websocket_reconnects(
    page: Page, keyed: Server
) -> None:
    key_id, key = keyed.new_key("open page")
    sign_in(page, keyed.url, key)
    keyed.vo("apikey", "revoke", key_id)
    # the socket drops and comes back (a network blip): the reconnect checks the session
    page.evaluate("window.socket.io.engine.close()")
    signed_out(page)


def test_sign_out_ends_the_session_on_the_server(browser: Browser, keyed: Server) -> None:
    _, key = keyed.new_key("sign out")
    first = browser.new_context()
    copy: BrowserContext | None = None
    try:
        page = first.new_page()
        sign_in(page, keyed.url, key)
        # the cookie, copied to another browser, is the same live session (ADR 0019)
        copy = browser.new_context()
        copy.add_cookies(first.cookies())  # type: ignore[arg-type]
        other = copy.new_page()
        other.goto(keyed.url + "/ui/")
        expect(other.get_by_role("button", name="New project")).to_be_visible()

        page.get_by_role("button", name="Sign out").click()
        signed_out(page)
        expect(page.locator(".signed-out-reason")).to_contain_text("signed out")
        # the copied cookie signs no one in any more: the session ended on the server
        assert other.request.get(keyed.media).status == 401
        other.reload()
        signed_out(other)
    finally:
        first.close()
        if copy is not None:
            copy.close()


def test_an_idle_session_ends(page: Page, strict: Server) -> None:
    _, key = strict.new_key("idle")
    sign_in(page, strict.url, key)
    assert page.request.get(strict.media).status == 200
    # nobody touches the page for the idle time (6 s): the open page goes to the sign-in
    # form by itself, and the media route refuses the session
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30_000)
    expect(page.locator(".signed-out-reason")).to_contain_text("not used")
    assert page.request.get(strict.media).status == 401


def test_wrong_keys_on_the_sign_in_form_are_throttled_with_the_api(
    page: Page, strict: Server
) -> None:
    _, key = strict.new_key("throttled")
    page.goto(strict.url + "/ui/")
    message = page.locator(".sign-in-message")
    for attempt in range(3):
        page.get_by_label("API key").fill(f"vo_wrong_{attempt}")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_label("API key")).to_have_value("")  # a refused key is cleared
        expect(message).to_contain_text("not valid")
    page.get_by_label("API key").fill("vo_wrong_again")
    page.get_by_role("button", name="Sign in").click()
    expect(message).to_contain_text("wrong keys a minute")
    # the same address on the API waits too: the form is no side door, nor the reverse
    refused = httpx.get(strict.url + "/projects", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 429, refused.text
    # and a valid key on the form is refused until the minute ends
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(message).to_contain_text("wrong keys a minute")
    expect(page.get_by_role("button", name="New project")).to_have_count(0)
