"""The sandbox's platforms keep their state in a file of the workspace (ADR 0037): two
servers on one file are one platform (two processes), a new server starts where the last
stopped (a restart), on its home port when that is free. In one process here: each server
has its own listening socket and its own handle on the file's lock, as a process would."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.media import make_video
from video_orchestrator.atomic import write_text
from video_orchestrator.providers.sandbox.platform import WallClock
from video_orchestrator.providers.sandbox.tiktok import CLIENT_KEY, CLIENT_SECRET, TikTokServer
from video_orchestrator.providers.sandbox.youtube import PACIFIC, FakeYouTube

REDIRECT = "http://127.0.0.1:18555/callback"  # never called: the code is read from Location


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(40)
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, digest.rstrip(b"=").decode()


def code_from(answer: httpx.Response) -> str:
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


def youtube_refresh_token(yt: FakeYouTube) -> str:
    """Consent and the code's exchange, over HTTP (as the adapter does)."""
    verifier, challenge = pkce()
    consent = httpx.get(
        f"{yt.base_url}/o/oauth2/v2/auth",
        params={"client_id": yt.client_id, "response_type": "code", "redirect_uri": REDIRECT,
                "code_challenge": challenge, "code_challenge_method": "S256"},
    )  # fmt: skip
    tokens = httpx.post(
        f"{yt.base_url}/token",
        data={"client_id": yt.client_id, "client_secret": yt.client_secret,
              "grant_type": "authorization_code", "code": code_from(consent),
              "redirect_uri": REDIRECT, "code_verifier": verifier},
    )  # fmt: skip
    assert tokens.status_code == 200, tokens.text
    return str(tokens.json()["refresh_token"])


def youtube_access(yt: FakeYouTube, refresh: str) -> httpx.Response:
    return httpx.post(
        f"{yt.base_url}/token",
        data={"client_id": yt.client_id, "client_secret": yt.client_secret,
              "grant_type": "refresh_token", "refresh_token": refresh},
    )  # fmt: skip


def test_two_servers_on_one_file_are_one_platform(tmp_path: Path) -> None:
    """A code issued by one process's TikTok is exchanged at another's, and the token works
    at the first: what one process's sandbox does, the other knows."""
    state = tmp_path / "sandbox" / "tiktok.json"
    with (
        TikTokServer(WallClock()).persist(state) as first,
        TikTokServer(WallClock()).persist(state) as second,
    ):
        assert second.port != first.port and second.home_port == first.port  # port taken
        verifier, challenge = pkce()
        consent = httpx.get(
            f"{first.base_url}/v2/auth/authorize/",
            params={"client_key": CLIENT_KEY, "response_type": "code", "redirect_uri": REDIRECT,
                    "code_challenge": challenge, "code_challenge_method": "S256"},
        )  # fmt: skip
        tokens = httpx.post(
            f"{second.base_url}/v2/oauth/token/",
            data={"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET,
                  "grant_type": "authorization_code", "code": code_from(consent),
                  "redirect_uri": REDIRECT, "code_verifier": verifier},
        )  # fmt: skip
        assert tokens.status_code == 200, tokens.text
        access = tokens.json()["access_token"]
        me = httpx.get(
            f"{first.base_url}/v2/user/info/", headers={"Authorization": f"Bearer {access}"}
        )
        assert me.status_code == 200 and me.json()["data"]["user"]["open_id"], me.text
        # A refresh token rotates once, across both: the second use is refused.
        refresh = {
            "client_key": CLIENT_KEY,
            "client_secret": CLIENT_SECRET,
            "grant_type": "refresh_token",
            "refresh_token": tokens.json()["refresh_token"],
        }
        assert httpx.post(f"{first.base_url}/v2/oauth/token/", data=refresh).status_code == 200
        assert httpx.post(f"{second.base_url}/v2/oauth/token/", data=refresh).status_code == 400


def test_two_servers_answering_at_once_lose_no_write(tmp_path: Path) -> None:
    """Refreshes sent to two servers of one file at the same time: every token either
    issued is known afterwards (each request loaded the other's last write under the lock)."""
    state = tmp_path / "sandbox" / "youtube.json"
    with (
        FakeYouTube(real_time=True).persist(state) as first,
        FakeYouTube(real_time=True).persist(state) as second,
    ):
        refresh = youtube_refresh_token(first)

        def refreshed(server: FakeYouTube) -> str:
            answer = youtube_access(server, refresh)
            assert answer.status_code == 200, answer.text
            return str(answer.json()["access_token"])

        with ThreadPoolExecutor(4) as pool:
            tokens = list(pool.map(refreshed, [first, second] * 12))
    with FakeYouTube(real_time=True).persist(state) as after:
        for token in tokens:
            info = httpx.get(f"{after.base_url}/tokeninfo", params={"access_token": token})
            assert info.status_code == 200, (token, info.text)


def test_a_restarted_youtube_knows_its_channel_grants_and_videos(tmp_path: Path) -> None:
    state = tmp_path / "sandbox" / "youtube.json"
    clip = make_video(tmp_path / "clip.mp4", width=180, height=320, seconds=2.0)
    data = clip.read_bytes()
    with FakeYouTube(real_time=True).persist(state) as yt:
        port, channel = yt.port, yt.channel_id
        refresh = youtube_refresh_token(yt)
        access = youtube_access(yt, refresh).json()["access_token"]
        auth = {"Authorization": f"Bearer {access}"}
        started = httpx.post(
            f"{yt.base_url}/upload/youtube/v3/videos",
            params={"uploadType": "resumable", "part": "snippet,status"},
            headers={**auth, "X-Upload-Content-Length": str(len(data))},
            json={"snippet": {"title": "Kept"}, "status": {"privacyStatus": "public",
                  "selfDeclaredMadeForKids": False}},
        )  # fmt: skip
        session = started.headers["location"]
        put = httpx.put(
            session,
            content=data,
            headers={**auth, "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"},
        )
        assert put.status_code == 201, put.text
        video_id = put.json()["id"]
    # The finished upload's bytes are not kept twice: the file stays small.
    assert state.stat().st_size < len(data)

    with FakeYouTube(real_time=True).persist(state) as again:
        assert again.port == port and again.channel_id == channel  # its home port: free now
        access = youtube_access(again, refresh).json()["access_token"]  # the grant is known
        auth = {"Authorization": f"Bearer {access}"}
        asked = httpx.put(session, headers={**auth, "Content-Range": f"bytes */{len(data)}"})
        assert asked.status_code == 200 and asked.json()["id"] == video_id  # the old URL
        channels = httpx.get(
            f"{again.base_url}/youtube/v3/channels", params={"mine": "true"}, headers=auth
        )
        uploads = channels.json()["items"][0]["contentDetails"]["relatedPlaylists"]["uploads"]
        listed = httpx.get(
            f"{again.base_url}/youtube/v3/playlistItems",
            params={"playlistId": uploads},
            headers=auth,
        )
        assert [i["contentDetails"]["videoId"] for i in listed.json()["items"]] == [video_id]
        assert again.videos[video_id].sha256 == hashlib.sha256(data).hexdigest()
        assert again.videos[video_id].size == len(data)


def test_the_sandbox_quota_is_back_the_next_pacific_day(tmp_path: Path) -> None:
    state = tmp_path / "sandbox" / "youtube.json"
    with FakeYouTube(real_time=True).persist(state) as yt:
        refresh = youtube_refresh_token(yt)
    found = json.loads(state.read_text())
    yesterday = (datetime.now(PACIFIC) - timedelta(days=1)).date().isoformat()
    found["state"].update(quota_used=10_000, quota_day=yesterday)  # used up, yesterday
    write_text(state, json.dumps(found))
    with FakeYouTube(real_time=True).persist(state) as yt:
        access = youtube_access(yt, refresh).json()["access_token"]
        asked = httpx.get(
            f"{yt.base_url}/youtube/v3/channels",
            params={"mine": "true"},
            headers={"Authorization": f"Bearer {access}"},
        )
        assert asked.status_code == 200, asked.text
        assert yt.quota_used == 1
        yt.quota_used = yt.quota_per_day  # used up today: refused until tomorrow
        refused = httpx.get(
            f"{yt.base_url}/youtube/v3/channels",
            params={"mine": "true"},
            headers={"Authorization": f"Bearer {access}"},
        )
        assert refused.status_code == 403 and "quotaExceeded" in refused.text


def test_an_unreadable_state_file_is_set_aside_and_the_platform_starts_afresh(
    tmp_path: Path,
) -> None:
    state = tmp_path / "sandbox" / "youtube.json"
    write_text(state, "{not json")
    with FakeYouTube(real_time=True).persist(state) as yt:
        assert youtube_refresh_token(yt)
    assert (tmp_path / "sandbox" / "youtube.json.unreadable").read_text() == "{not json"
    assert json.loads(state.read_text())["state"]["grants"]


def test_the_fakes_of_the_tests_keep_no_file(tmp_path: Path) -> None:
    with FakeYouTube() as yt, TikTokServer() as tiktok:
        assert yt.store is None and tiktok.store is None
        assert youtube_refresh_token(yt)
        assert yt.now == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # the tests' clock
