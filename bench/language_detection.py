"""Language detection on short scripts: accuracy and speed of lingua in high- and
low-accuracy mode, over the labelled corpus of tests/language_corpus.py.

    PYTHONPATH=src python bench/language_detection.py

Prints one table per mode: accuracy per language for the first three words of a sentence
(Japanese: six characters) and for scripts of 1, 2 and 5 sentences (a
script counts as right only when the detected language is the label; "no answer" below the
confidence threshold counts as wrong), then the time to build the detector, to load its
models (the first call) and per script after that.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.language_corpus import CORPUS, scripts

from video_orchestrator.languages import SUPPORTED
from video_orchestrator.languages.detect import Mode, _detector, detect_language


def prefixes(language: str) -> list[str]:
    """The first three words of each sentence (Japanese: its first six characters)."""
    lines = CORPUS[language]
    if language == "ja":
        return [line[:6] for line in lines]
    return [" ".join(line.split()[:3]) for line in lines]


def rss_mb() -> float:
    """This process's resident memory, in MB (Linux)."""
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def run(mode: Mode) -> None:
    before = rss_mb()
    started = time.perf_counter()
    if mode != "auto":
        _detector(mode == "low")
    built = time.perf_counter() - started
    started = time.perf_counter()
    detect_language("Hello there, how are you?", mode=mode)
    first = time.perf_counter() - started
    print(
        f"\n{mode}: build {built * 1000:.1f} ms, first call (models load) {first:.2f} s, "
        f"memory +{rss_mb() - before:.0f} MB"
    )
    print(f"{'lang':<6}{'3 words':>10}{'1 sentence':>12}{'2 sentences':>13}{'5 sentences':>13}")
    totals = {0: [0, 0], 1: [0, 0], 2: [0, 0], 5: [0, 0]}
    calls = 0
    spent = 0.0
    for language in SUPPORTED:
        row = [language]
        for size in (0, 1, 2, 5):
            texts = scripts(language, size) if size else prefixes(language)
            right = 0
            for text in texts:
                started = time.perf_counter()
                found = detect_language(text, mode=mode)
                spent += time.perf_counter() - started
                calls += 1
                right += found is not None and found.language == language
            totals[size][0] += right
            totals[size][1] += len(texts)
            row.append(f"{right}/{len(texts)}")
        print(f"{row[0]:<6}{row[1]:>10}{row[2]:>12}{row[3]:>13}{row[4]:>13}")
    shares = [f"{100 * r / n:.1f} %" for r, n in totals.values()]
    print(f"{'all':<6}{shares[0]:>10}{shares[1]:>12}{shares[2]:>13}{shares[3]:>13}")
    print(f"per script: {1000 * spent / calls:.2f} ms ({calls} scripts)")


if __name__ == "__main__":
    print(f"corpus: {sum(len(v) for v in CORPUS.values())} sentences")
    # low accuracy first: its models load on their own (high accuracy loads them too);
    # "auto" last (both loaded by then: its load time and memory are the others')
    for mode in ("low", "high", "auto"):
        run(mode)
