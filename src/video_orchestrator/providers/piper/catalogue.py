"""The Piper voice manager: the official catalogue, and checked, resumable downloads.

The catalogue is ``voices.json`` of the ``rhasspy/piper-voices`` repository (base URL
configurable, ``VO_PIPER_VOICES_URL``): a map of voice key → ``{key, name, language: {code,
family, region, name_native, name_english, …}, quality, num_speakers, files: {relative path:
{size_bytes, md5_digest}}}``. A copy is kept in the cache dir so the list still shows
offline.

A download fetches the voice's ``.onnx`` and ``.onnx.json`` into
``<voices_dir>/.downloads/*.part``, resuming a partial file with an HTTP ``Range`` request
(from byte 0 again when the server ignores it), checks each file's size and MD5 against the
catalogue, and only then moves both into ``<voices_dir>`` (model first, config last: Piper
lists a voice only when its config is there). A failed checksum deletes the partial file and
installs nothing; an interrupted transfer keeps it for the next attempt. Afterwards the voice
works offline: :class:`~video_orchestrator.providers.piper.tts.PiperTTS` reads that folder.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from video_orchestrator import atomic
from video_orchestrator.errors import (
    PayloadTooLarge,
    ProviderError,
    ProviderRateLimited,
    ProviderUnavailable,
    VoiceNotFoundError,
)
from video_orchestrator.ports.provider import ProviderSettings
from video_orchestrator.providers import transport

__all__ = ["CatalogueFile", "CatalogueVoice", "PiperCatalogue"]

_LOGGER = logging.getLogger(__name__)
_PROVIDER = "the Piper voice catalogue"

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


@dataclass(frozen=True, slots=True)
class CatalogueFile:
    path: str  # relative to the catalogue's base URL
    size: int
    md5: str


@dataclass(frozen=True, slots=True)
class CatalogueVoice:
    id: str
    name: str
    language: str  # BCP-47-ish, e.g. "de-DE"
    language_name: str
    quality: str
    num_speakers: int
    model: CatalogueFile
    config: CatalogueFile
    installed: bool = False

    @property
    def size(self) -> int:
        return self.model.size + self.config.size


class PiperCatalogueSettings(ProviderSettings):
    """``VO_PIPER_VOICES_URL``; voices go to ``<VO_DATA_DIR>/voices``."""

    piper_voices_url: str
    data_dir: Path
    cache_dir: Path
    tts_timeout: float
    tts_max_retries: int


class PiperCatalogue:
    """Lists the official Piper voices and installs them into ``voices_dir``."""

    settings_model = PiperCatalogueSettings

    @classmethod
    def from_settings(cls, settings: PiperCatalogueSettings) -> PiperCatalogue:
        return cls(
            base_url=settings.piper_voices_url,
            voices_dir=settings.data_dir / "voices",
            cache_dir=settings.cache_dir,
            timeout=settings.tts_timeout,
            max_retries=settings.tts_max_retries,
        )

    def __init__(
        self,
        *,
        base_url: str,
        voices_dir: Path,
        cache_dir: Path | None = None,
        timeout: float = 60.0,
        max_retries: int = 2,
        retry_backoff: float = 0.5,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self.voices_dir = Path(voices_dir)
        self._cache_file = Path(cache_dir) / "piper-voices.json" if cache_dir else None
        self._timeout = timeout
        self._max_retries = max_retries
        self._backoff = retry_backoff
        self.notice: str | None = None  # set when the cached catalogue had to be used

    # --- the catalogue -------------------------------------------------------------------

    def voices(self, language: str | None = None) -> list[CatalogueVoice]:
        """Every catalogue voice (of ``language`` when given: ``de``, ``de_DE``, ``de-DE``)."""
        voices = self._parse(self._catalogue())
        if language:
            wanted = language.strip().replace("-", "_").lower()
            voices = [
                v
                for v in voices
                if v.language.replace("-", "_").lower() == wanted
                or v.language.split("-")[0].lower() == wanted
            ]
        return sorted(voices, key=lambda v: (v.language, v.id))

    def _catalogue(self) -> Any:
        self.notice = None
        try:
            with httpx.Client(timeout=self._timeout, follow_redirects=True) as client:
                response = transport.request(
                    client,
                    "GET",
                    f"{self._base_url}/voices.json",
                    provider=_PROVIDER,
                    max_retries=self._max_retries,
                    backoff=self._backoff,
                )
            body = transport.json_body(response, _PROVIDER)
            if not isinstance(body, dict):
                raise ProviderError(f"{_PROVIDER} is malformed (not a JSON object).")
        except ProviderError as error:
            cached = self._cached()
            if cached is None:
                raise
            self.notice = f"using the saved voice list; {_PROVIDER} is unavailable ({error})"
            _LOGGER.warning("%s", self.notice)
            return cached
        self._save(response.content)
        return body

    def _cached(self) -> Any:
        if self._cache_file is None or not self._cache_file.is_file():
            return None
        try:
            body = json.loads(self._cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return body if isinstance(body, dict) else None

    def _save(self, raw: bytes) -> None:
        if self._cache_file is None:
            return
        try:
            atomic.write_bytes(self._cache_file, raw)
        except OSError as error:  # a cache that cannot be written is not a failure
            _LOGGER.info("could not save the voice catalogue: %s", error)

    def _parse(self, body: Any) -> list[CatalogueVoice]:
        voices: list[CatalogueVoice] = []
        for key, entry in body.items():
            try:
                voices.append(self._voice(str(key), entry))
            except (KeyError, TypeError, ValueError) as error:
                _LOGGER.debug("skipping catalogue entry %r: %s", key, error)
        if body and not voices:
            raise ProviderError(f"{_PROVIDER} has no usable entries (unexpected format).")
        return voices

    def _voice(self, key: str, entry: Any) -> CatalogueVoice:
        language = entry["language"]
        files = entry["files"]
        model = config = None
        for path, meta in files.items():
            item = CatalogueFile(str(path), int(meta["size_bytes"]), str(meta["md5_digest"]))
            if path.endswith(".onnx"):
                model = item
            elif path.endswith(".onnx.json"):
                config = item
        if model is None or config is None:
            raise ValueError("no .onnx or .onnx.json file")
        voice_id = str(entry.get("key") or key)
        if "/" in voice_id or voice_id.startswith("."):
            raise ValueError("unsafe voice key")
        return CatalogueVoice(
            id=voice_id,
            name=str(entry.get("name", voice_id)),
            language=str(language["code"]).replace("_", "-"),
            language_name=str(language.get("name_english") or language.get("name_native", "")),
            quality=str(entry.get("quality", "")),
            num_speakers=int(entry.get("num_speakers", 1)),
            model=model,
            config=config,
            installed=self._installed(voice_id),
        )

    def _installed(self, voice_id: str) -> bool:
        return (self.voices_dir / f"{voice_id}.onnx").is_file() and (
            self.voices_dir / f"{voice_id}.onnx.json"
        ).is_file()

    def find(self, voice_id: str) -> CatalogueVoice:
        voices = {voice.id: voice for voice in self.voices()}
        voice = voices.get(voice_id)
        if voice is None:
            close = difflib.get_close_matches(voice_id, list(voices), n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "see `vo voices --catalogue`"
            raise VoiceNotFoundError(f"the Piper catalogue has no voice {voice_id!r}; {hint}")
        return voice

    # --- downloads -----------------------------------------------------------------------

    def download(self, voice_id: str, on_progress: Progress | None = None) -> CatalogueVoice:
        """Install ``voice_id`` (no-op when it is installed); resumes an earlier attempt."""
        voice = self.find(voice_id)
        if voice.installed:
            return voice
        staging = self.voices_dir / ".downloads"
        try:
            staging.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ProviderError(f"cannot create {staging} ({error}).") from error
        total = voice.size
        done_before = 0
        parts: list[Path] = []
        with httpx.Client(timeout=self._timeout, follow_redirects=True) as client:
            for item in (voice.model, voice.config):
                part = staging / f"{Path(item.path).name}.part"

                def progress(done: int, base: int = done_before) -> None:
                    if on_progress is not None:
                        on_progress(base + done, total)

                self._fetch(client, item, part, progress)
                parts.append(part)
                done_before += item.size
        model_part, config_part = parts
        try:
            os.replace(model_part, self.voices_dir / f"{voice.id}.onnx")
            os.replace(config_part, self.voices_dir / f"{voice.id}.onnx.json")
        except OSError as error:
            raise ProviderError(
                f"cannot install {voice.id} into {self.voices_dir} ({error})."
            ) from error
        return self.find(voice.id)

    def _fetch(
        self, client: httpx.Client, item: CatalogueFile, part: Path, progress: Callable[[int], None]
    ) -> None:
        url = f"{self._base_url}/{item.path}"
        have = part.stat().st_size if part.is_file() else 0
        if have > item.size:
            part.unlink()
            have = 0
        if have < item.size:
            self._transfer(client, url, item, part, have, progress)
        progress(item.size)
        digest = _md5(part)
        if digest != item.md5.lower():
            part.unlink(missing_ok=True)
            raise ProviderError(
                f"{Path(item.path).name} failed its checksum (MD5 {digest}, the catalogue says "
                f"{item.md5}); the download was discarded and nothing was installed — run the "
                "command again."
            )

    def _transfer(
        self,
        client: httpx.Client,
        url: str,
        item: CatalogueFile,
        part: Path,
        have: int,
        progress: Callable[[int], None],
    ) -> None:
        name = Path(item.path).name
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 416 and have:  # the server cannot resume this: start again
                    part.unlink(missing_ok=True)
                    return self._transfer(client, url, item, part, 0, progress)
                if status >= 400:
                    response.read()
                    _raise_for(response, name)
                resumed = status == 206 and response.headers.get("content-range", "").startswith(
                    f"bytes {have}-"
                )
                if have and not resumed:
                    _LOGGER.info("%s: the server ignored the range; downloading from 0", name)
                    have = 0
                with part.open("ab" if have else "wb") as handle:
                    transport.copy_limited(
                        response,
                        handle,
                        max_bytes=item.size,
                        too_large=lambda _declared: name,
                        written=have,
                        progress=progress,
                    )
                    handle.flush()
                    os.fsync(handle.fileno())
        except PayloadTooLarge:
            part.unlink(missing_ok=True)
            raise ProviderError(
                f"{name} is larger than the catalogue says ({item.size} bytes); nothing was "
                "installed."
            ) from None
        except (httpx.TimeoutException, httpx.TransportError) as error:
            got = part.stat().st_size if part.is_file() else 0
            raise ProviderUnavailable(
                f"the download of {name} was interrupted at {got} of {item.size} bytes "
                f"({type(error).__name__}); run the same command again to resume."
            ) from error
        except OSError as error:
            raise ProviderError(f"cannot write {part} ({error}).") from error
        got = part.stat().st_size
        if got < item.size:
            raise ProviderUnavailable(
                f"the download of {name} stopped at {got} of {item.size} bytes; run the same "
                "command again to resume."
            )
        return None


def _raise_for(response: httpx.Response, name: str) -> None:
    if response.status_code == 404:
        raise ProviderError(
            f"{name} is not at {response.url} (HTTP 404); check VO_PIPER_VOICES_URL."
        )
    # reuse the mapping of the speech providers (429, 5xx, 401/403)
    status = response.status_code
    message = transport.response_detail(response)
    if status == 429:
        raise ProviderRateLimited(
            f"{_PROVIDER} is rate limiting downloads (HTTP 429); try again later.",
            retry_after=transport.advised_wait(response),
        )
    if status >= 500:
        raise ProviderUnavailable(
            f"{_PROVIDER} failed (HTTP {status}: {message}); try again later."
        )
    raise ProviderError(f"{_PROVIDER} refused {name} (HTTP {status}: {message}).")


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
