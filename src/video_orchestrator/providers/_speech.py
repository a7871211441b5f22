"""Helpers every TTS adapter shares: request checks and atomic WAV writing."""

from __future__ import annotations

import math
import os
import tempfile
import wave
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from video_orchestrator.errors import ConfigError, ProviderError
from video_orchestrator.ports.tts import SpeechRequest

MIN_SPEED = 0.5
MAX_SPEED = 2.0
MAX_SENTENCE_PAUSE = 5.0


def check_request(request: SpeechRequest) -> None:
    """Speed and sentence pause inside what every voice supports."""
    if not (math.isfinite(request.speed) and MIN_SPEED <= request.speed <= MAX_SPEED):
        raise ConfigError(
            f"Speech speed {request.speed} is out of range; use a value from {MIN_SPEED} "
            f"to {MAX_SPEED} (1.0 is the voice's natural pace)."
        )
    pause = request.sentence_pause
    if not (math.isfinite(pause) and 0.0 <= pause <= MAX_SENTENCE_PAUSE):
        raise ConfigError(
            f"Sentence pause {pause} s is out of range; use 0 to {MAX_SENTENCE_PAUSE} seconds."
        )


def write_wav(out_path: Path, samples: NDArray[np.int16], sample_rate: int) -> None:
    """Write mono 16-bit PCM to a temporary file beside ``out_path``, then rename it."""
    tmp_name: str | None = None
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(
            dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".part"
        )
        with os.fdopen(handle, "wb") as raw, wave.open(raw, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            wav.writeframes(samples.astype("<i2").tobytes())
        os.replace(tmp_name, out_path)
        tmp_name = None
    except OSError as error:
        raise ProviderError(
            f"Could not write the speech audio to {out_path} ({error}); check that the "
            "folder is writable and the path is not a directory."
        ) from error
    finally:
        if tmp_name is not None:
            Path(tmp_name).unlink(missing_ok=True)
