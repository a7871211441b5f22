"""The one provider HTTP transport, against a real local server: retries and their waits,
the status → error map, redaction, and size-limited streaming downloads."""

from __future__ import annotations

import email.utils
import io
import time
from pathlib import Path

import httpx
import pytest

from tests.httpserver import HTTPTestServer, Reply
from video_orchestrator.errors import (
    PayloadTooLarge,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
)
from video_orchestrator.providers import transport
from video_orchestrator.providers.transport import RetryPolicy

SECRET = "sk-very-secret-key"


def test_send_retries_the_retryable_statuses_honouring_retry_after() -> None:
    waits: list[float] = []
    with HTTPTestServer(lambda _: Reply(200, {"ok": True})) as server:
        server.replies += [
            Reply(429, {"error": "slow down"}, headers={"Retry-After": "2"}),
            Reply(503, {"error": "busy"}, headers={"retry-after-ms": "250"}),
            Reply(502, "bad gateway"),
        ]
        response = transport.send(
            None,
            "GET",
            f"{server.base_url}/x",
            retry=RetryPolicy(max_retries=3, base_delay=0.5, max_delay=5.0),
            timeout=5.0,
            sleep=waits.append,
        )
    assert response.status_code == 200
    assert waits == [2.0, 0.25, 2.0]  # advised, advised in ms, backoff 0.5 · 2²
    assert len(server.requests) == 4


def test_send_returns_the_last_answer_when_the_retries_run_out() -> None:
    waits: list[float] = []
    with HTTPTestServer(lambda _: Reply(500, {"error": "down"})) as server:
        response = transport.send(
            None,
            "POST",
            server.base_url,
            json={"q": 1},
            retry=RetryPolicy(max_retries=1, base_delay=9.0, max_delay=1.0),
            timeout=5.0,
            sleep=waits.append,
        )
    assert response.status_code == 500
    assert waits == [1.0]  # clamped to max_delay
    assert [r.body for r in server.requests] == [{"q": 1}, {"q": 1}]


def test_a_wait_over_give_up_over_is_reported_not_slept() -> None:
    waits: list[float] = []
    with HTTPTestServer() as server:
        server.replies.append(Reply(429, {}, headers={"Retry-After": "120"}))
        with pytest.raises(ProviderRateLimited) as caught:
            transport.request(
                httpx.Client(timeout=5.0),
                "GET",
                server.base_url,
                provider="the voice service",
                max_retries=3,
                sleep=waits.append,
            )
    assert waits == []
    assert caught.value.retry_after == pytest.approx(120.0)
    assert "try again after 120 s" in str(caught.value)


def test_retry_after_reads_milliseconds_seconds_and_dates() -> None:
    assert transport.retry_after({"retry-after-ms": "1500"}) == 1.5
    assert transport.retry_after({"retry-after": "7"}) == 7.0
    date = email.utils.formatdate(1000.0 + 30, usegmt=True)
    assert transport.retry_after({"retry-after": date}, now=lambda: 1000.0) == pytest.approx(30)
    assert transport.retry_after({"retry-after": "whenever"}) is None
    assert transport.retry_after({}) is None


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, ProviderAuthError),
        (403, ProviderAuthError),
        (429, ProviderRateLimited),
        (500, ProviderUnavailable),
        (503, ProviderUnavailable),
        (400, ProviderError),
        (404, ProviderError),
    ],
)
def test_request_maps_every_status_onto_the_error_tree(
    status: int, error: type[ProviderError]
) -> None:
    body = {"error": {"message": f"no, with {SECRET}"}}
    with HTTPTestServer(lambda _: Reply(status, body)) as server, pytest.raises(error) as caught:
        transport.request(
            httpx.Client(timeout=5.0),
            "GET",
            server.base_url,
            provider="the voice service",
            max_retries=0,
        )
    assert type(caught.value) is error
    assert f"HTTP {status}" in str(caught.value)
    assert "no, with" in str(caught.value)  # the provider's own message


def test_unreachable_and_slow_servers_are_unavailable() -> None:
    with HTTPTestServer() as server:
        url = server.base_url
        server.replies.append(Reply(200, {}, delay=2.0))
        with pytest.raises(ProviderUnavailable, match="did not answer in time"):
            transport.request(
                httpx.Client(timeout=0.2), "GET", url, provider="the voice service", max_retries=0
            )
    with pytest.raises(ProviderUnavailable, match="could not reach the voice service"):
        transport.request(
            httpx.Client(timeout=1.0), "GET", url, provider="the voice service", max_retries=0
        )


def test_redaction_keeps_secrets_out_of_messages() -> None:
    text = f"invalid key {SECRET}\n  for  {SECRET}"
    assert transport.redact(text, [SECRET, None]) == "invalid key *** for ***"
    assert transport.redact(text, [SECRET], limit=11) == "invalid key"
    assert SECRET not in transport.redact(text, ["other", SECRET])


def test_error_detail_understands_the_usual_error_bodies() -> None:
    assert transport.error_detail({"error": {"message": "bad model"}}) == "bad model"
    assert transport.error_detail({"error": {"status": "RESOURCE_EXHAUSTED"}}) == (
        "RESOURCE_EXHAUSTED"
    )
    assert transport.error_detail({"error": "nope"}) == "nope"
    assert transport.error_detail({"detail": {"message": "quota"}}) == "quota"
    assert transport.error_detail({"message": "m", "code": "c"}) == "m"
    assert transport.error_detail({"code": "c"}) == "c"
    assert transport.error_detail([1, 2]) == ""


def _fail(exc: Exception) -> ProviderError:
    return ProviderUnavailable(f"failed: {type(exc).__name__}")


def test_download_writes_atomically_and_enforces_the_declared_size(tmp_path: Path) -> None:
    payload = b"x" * 5000
    with HTTPTestServer(lambda _: Reply(200, payload)) as server:
        target = tmp_path / "clip.mp4"
        transport.download(
            None,
            f"{server.base_url}/clip.mp4",
            target,
            max_bytes=10_000,
            timeout=5.0,
            too_large=lambda n: f"too large: {n}",
            status_failure=lambda r: ProviderError(f"HTTP {r.status_code}"),
            on_timeout=_fail,
            on_unreachable=_fail,
        )
        assert target.read_bytes() == payload
        with pytest.raises(PayloadTooLarge, match="too large: 5000"):
            transport.download(
                None,
                f"{server.base_url}/clip.mp4",
                tmp_path / "big.mp4",
                max_bytes=4999,
                timeout=5.0,
                too_large=lambda n: f"too large: {n}",
                status_failure=lambda r: ProviderError(f"HTTP {r.status_code}"),
                on_timeout=_fail,
                on_unreachable=_fail,
            )
        server.replies.append(Reply(404, {"error": "gone"}))
        with pytest.raises(ProviderError, match="HTTP 404"):
            transport.download(
                None,
                f"{server.base_url}/gone.mp4",
                tmp_path / "gone.mp4",
                max_bytes=10_000,
                timeout=5.0,
                too_large=str,
                status_failure=lambda r: ProviderError(f"HTTP {r.status_code}"),
                on_timeout=_fail,
                on_unreachable=_fail,
            )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_copy_limited_stops_at_the_limit_while_streaming() -> None:
    with HTTPTestServer(lambda _: Reply(200, b"y" * 3000)) as server:
        seen: list[int] = []
        with httpx.Client(timeout=5.0) as client, client.stream("GET", server.base_url) as r:
            handle = io.BytesIO()
            # a resumed download: 1000 bytes are on disk already, so only the stream counts
            with pytest.raises(PayloadTooLarge, match="over"):
                transport.copy_limited(
                    r,
                    handle,
                    max_bytes=3500,
                    written=1000,
                    too_large=lambda n: f"over ({n})",
                    progress=seen.append,
                )
        assert len(handle.getvalue()) <= 2500
        with httpx.Client(timeout=5.0) as client, client.stream("GET", server.base_url) as r:
            handle = io.BytesIO()
            total = transport.copy_limited(
                r, handle, max_bytes=4000, written=1000, too_large=str, progress=seen.append
            )
        assert total == 4000 and handle.getvalue() == b"y" * 3000
        assert seen[-1] == 4000


def test_send_uses_the_callers_client_and_its_timeout() -> None:
    with HTTPTestServer(lambda _: Reply(200, {"ok": 1})) as server:
        with httpx.Client(base_url=server.base_url, timeout=5.0) as client:
            start = time.monotonic()
            response = transport.send(client, "GET", "/ping", retry=RetryPolicy(max_retries=0))
        assert response.json() == {"ok": 1}
        assert time.monotonic() - start < 5
        assert server.requests[0].path == "/ping"
