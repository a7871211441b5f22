"""Kokoro Japanese voice: speed (real-time factor), memory, and caption timing error.

    PYTHONPATH=src python bench/kokoro_ja.py

The timing error is measured where the audio itself says where words are: at each pause
after a sentence or a comma (``。！？、``), the longest silent stretch (10 ms frames quieter than
5 % of the loudest) between the start of the phrase before it and the end of the phrase after
it is found, and the phrase's end and the next phrase's start are compared with its edges.
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from video_orchestrator.ports.tts import SpeechRequest
from video_orchestrator.providers.kokoro_ja.tts import KokoroJaTTS

VERBOSE = __import__("os").environ.get("VERBOSE") == "1"

TEXTS = (
    "今日は海の話をします。深海には、不思議な生き物がたくさんいます。",
    "タコの心臓は3つあります。そして、血は青いです！",
    "富士山は日本で一番高い山です。毎年、たくさんの人が登ります。",
    "東京タワーは1958年に完成しました。高さは333メートルです。",
)


def main() -> None:
    started = time.perf_counter()
    tts = KokoroJaTTS()
    tts.phonemize("準備")
    print(f"load: {time.perf_counter() - started:.1f} s")
    errors: dict[str, list[float]] = {"sentence": [], "comma": []}
    synth_seconds = audio_seconds = cpu_seconds = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for number, text in enumerate(TEXTS):
            out = Path(folder) / f"{number}.wav"
            began, cpu_began = time.perf_counter(), time.process_time()
            speech = tts.synthesize(SpeechRequest(text, "jf_alpha", language="ja"), out)
            synth_seconds += time.perf_counter() - began
            cpu_seconds += time.process_time() - cpu_began
            audio_seconds += speech.duration
            with wave.open(str(out), "rb") as wav:
                samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
            rate = speech.sample_rate
            frame = rate // 100
            count = samples.size // frame
            energy = np.sqrt(
                np.mean(
                    np.square(samples[: count * frame].astype(np.float64).reshape(count, -1)), 1
                )
            )
            silent = energy < 0.05 * energy.max()
            for word, after in zip(speech.words, speech.words[1:], strict=False):
                if word.text[-1] not in "。！？、":
                    continue
                first, last = int(word.start * 100), int(after.end * 100)
                best, run_start, best_span = 0, None, (first, first)
                for index in range(first, min(last, count)):
                    if silent[index] and run_start is None:
                        run_start = index
                    if (not silent[index] or index == last - 1) and run_start is not None:
                        if index - run_start > best:
                            best, best_span = index - run_start, (run_start, index)
                        run_start = None
                kind = "comma" if word.text[-1] == "、" else "sentence"
                errors[kind].append(abs(word.end - best_span[0] / 100))
                if VERBOSE:
                    print(word.text, after.text, f"{word.end:.3f}-{after.start:.3f}", best_span)
                errors[kind].append(abs(after.start - best_span[1] / 100))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rtf = synth_seconds / audio_seconds
    print(f"speech {audio_seconds:.1f} s in {synth_seconds:.1f} s: RTF {rtf:.2f}")
    # CPU time does not grow when other processes share the cores (wall time does).
    print(f"CPU time {cpu_seconds:.1f} s: {cpu_seconds / audio_seconds:.2f} CPU-s per s of speech")
    print(f"peak memory (max RSS): {rss:.0f} MB")
    for kind, found in errors.items():
        print(
            f"{kind} pauses: {len(found)} edges; error median "
            f"{statistics.median(found) * 1000:.0f} ms, max {max(found) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
