"""Helpers shared by the benchmarks: measuring a child process, describing the machine,
and generating the source media (all with the FFmpeg from ``imageio-ffmpeg`` or numpy).

Nothing here is part of the product; it is imported by ``bench/render.py`` only.
"""

from __future__ import annotations

import math
import os
import platform
import random
import subprocess
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: the measured renderer child must not carry it
    import numpy as np

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# ---------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Measurement:
    """What one child process (and everything it started) cost."""

    wall: float  # seconds, from spawn to exit
    cpu: float  # user + sys seconds of the child and all of its waited-for descendants
    max_rss_mb: float  # largest resident set of any single process in the tree (ru_maxrss)
    tree_peak_mb: float  # largest sum of resident sets of the whole tree, sampled every 50 ms
    others: float  # CPUs kept busy by OTHER processes meanwhile (contention; 0 on a quiet box)
    stdout: str


class MeasureError(RuntimeError):
    pass


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (from ``/proc/stat``)."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(max_wait: float, threshold: float = 0.25, window: float = 3.0) -> float:
    """Wait until the machine is nearly idle (under ``threshold`` CPUs busy over ``window``
    seconds), at most ``max_wait`` seconds. Returns the load seen last, in CPUs."""
    deadline = time.monotonic() + max_wait
    while True:
        before = busy_cpu_seconds()
        time.sleep(window)
        load = (busy_cpu_seconds() - before) / window
        if load < threshold or time.monotonic() >= deadline:
            return load


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name is in parentheses and may contain spaces: split after the last ")"
        fields = stat[stat.rindex(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(root: int) -> int:
    """Sum of the resident sets of ``root`` and all its descendants, now."""
    children = _children_map()
    total = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        total += _rss_bytes(pid)
        stack.extend(children.get(pid, ()))
    return total


class _TreeSampler(threading.Thread):
    def __init__(self, root: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss(self.root))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(
    argv: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Measurement:
    """Run ``argv`` to completion and measure it.

    CPU time and ``ru_maxrss`` come from ``os.wait4`` on the child: on Linux that rusage covers
    the child and every descendant it waited for (FFmpeg started by a Python child included),
    and ``ru_maxrss`` is the largest single process among them. Because processes of one tree
    run at the same time (MoviePy keeps FFmpeg readers and a writer alive beside Python),
    the sum of the tree's resident sets is also sampled from ``/proc``.
    """
    busy_before = busy_cpu_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    sampler = _TreeSampler(process.pid)
    sampler.start()
    # drain the pipes in threads so a chatty child never blocks; wait4 reaps it ourselves
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []

    def drain(stream: object, sink: list[bytes]) -> None:
        assert hasattr(stream, "read")
        for chunk in iter(lambda: stream.read(65536), b""):
            sink.append(chunk)

    readers = [
        threading.Thread(target=drain, args=(process.stdout, out_chunks), daemon=True),
        threading.Thread(target=drain, args=(process.stderr, err_chunks), daemon=True),
    ]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    busy = busy_cpu_seconds() - busy_before
    process.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop()
    for reader in readers:
        reader.join()
    stderr = b"".join(err_chunks).decode(errors="replace")
    if process.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-25:])
        raise MeasureError(f"{argv[0]} exited with {process.returncode}:\n{tail}")
    return Measurement(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,  # Linux reports KiB
        tree_peak_mb=sampler.peak / 2**20,
        others=max(0.0, busy - (usage.ru_utime + usage.ru_stime)) / wall,
        stdout=b"".join(out_chunks).decode(errors="replace"),
    )


# ---------------------------------------------------------------- the machine


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_summary() -> str:
    memory = os.sysconf("SC_PHYS_PAGES") * PAGE_SIZE / 2**30
    return (
        f"{os.cpu_count()} CPUs (nproc), {cpu_model()}, {memory:.0f} GiB RAM, {platform.system()}"
    )


def ffmpeg_version(ffmpeg: str) -> str:
    result = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True, check=False)
    first = result.stdout.splitlines()[0] if result.stdout else "unknown"
    return " ".join(first.split()[:3])


# ---------------------------------------------------------------- source media


def run_ffmpeg(ffmpeg: str, args: list[str]) -> None:
    argv = [ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise MeasureError(f"ffmpeg failed: {' '.join(argv)}\n{result.stderr[-2000:]}")


def _atomic(path: Path) -> Path:
    return path.with_name(f".{path.stem}.partial{path.suffix}")


def landscape_source(ffmpeg: str, path: Path, pattern: str, seconds: int) -> Path:
    """A 1920×1080 30 fps H.264 clip like stock footage, ~10 Mbit/s at most (reused)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    sources = {
        # slow moving colour gradients with film grain: texture x264 has to work for
        "gradients": (
            "gradients=s=1920x1080:r=30:speed=0.015:n=4:seed=7:"
            "c0=0x1E3C72:c1=0x7F53AC:c2=0xE96443:c3=0x2A9D8F,noise=alls=4:allf=t"
        ),
        # the moving test card: sharp edges, scrolling text and gradients
        "testsrc2": "testsrc2=s=1920x1080:r=30",
    }
    partial = _atomic(path)
    run_ffmpeg(
        ffmpeg,
        [
            "-f", "lavfi", "-i", sources[pattern], "-t", str(seconds),
            # capped near 10 Mbit/s like 1080p stock footage (Pexels, Pixabay): a realistic
            # decoding load for the renderers
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-maxrate", "10M",
            "-bufsize", "20M", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", str(partial),
        ],
    )  # fmt: skip
    partial.replace(path)
    return path


@dataclass(frozen=True, slots=True)
class TimedWord:
    text: str
    start: float
    end: float
    sentence_end: bool


_SCRIPT = (
    "The deep ocean covers most of our planet, yet we have mapped less of it than the surface "
    "of Mars. Sunlight fades within the first few hundred metres, and below that lies a world "
    "of cold, pressure and darkness. Animals there make their own light: lanterns, lures and "
    "flashes that say come closer or stay away. Giant squid hunt in the gloom with eyes as "
    "large as dinner plates. Whale falls feed whole communities for decades after a single "
    "whale sinks to the floor. Hot vents pour out mineral water, and bacteria turn that "
    "chemistry into food without any sun at all. Some fish live for centuries, growing slowly "
    "in the cold. Every expedition finds species nobody has ever seen before. Scientists think "
    "millions more are still waiting down there. So next time you look at the sea, remember "
    "that most of it is still a mystery. Follow for more strange facts about our planet."
)


def script_words(target_seconds: float, seed: int = 3) -> list[TimedWord]:
    """Words of a narration with speech-like timings filling ``target_seconds``.

    About 2.6 words per second (a brisk narrator): ~150 words in 60 s. The script repeats
    if more words are needed; durations grow with word length; sentences end with a pause.
    """
    rng = random.Random(seed)
    tokens = _SCRIPT.split()
    words: list[TimedWord] = []
    position = 0.25
    index = 0
    while True:
        token = tokens[index % len(tokens)]
        index += 1
        letters = sum(ch.isalnum() for ch in token)
        length = 0.13 + 0.042 * letters + rng.uniform(-0.03, 0.04)
        ends = token[-1] in ".!?:,;"
        if position + length > target_seconds - 0.3:
            break
        words.append(TimedWord(token, position, position + length, ends))
        position += length + (0.32 if token[-1] in ".!?" else 0.14 if ends else 0.05)
    return words


def _write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """16-bit PCM WAV; ``samples`` float in [-1, 1], shape (n,) or (n, channels)."""
    import numpy as np

    channels = 1 if samples.ndim == 1 else samples.shape[1]
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    partial = _atomic(path)
    with wave.open(str(partial), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    partial.replace(path)


def voice_like(path: Path, words: list[TimedWord], seconds: float, rate: int = 22050) -> Path:
    """A mono voice stand-in with the cadence of ``words``: a gliding buzz (harmonics of a
    ~120 Hz pitch with a vowel-like spectral tilt) and a little breath noise inside each word,
    silence between them. 22 050 Hz like Piper. Reused across runs."""
    import numpy as np

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    audio = np.zeros(math.ceil(seconds * rate), dtype=np.float64)
    for number, word in enumerate(words):
        first, last = int(word.start * rate), min(int(word.end * rate), audio.size)
        if last <= first:
            continue
        t = np.arange(last - first) / rate
        pitch = 115 + 20 * math.sin(number * 0.7) + 25 * t / max(t[-1], 1e-6)
        phase = 2 * np.pi * np.cumsum(np.full(t.size, 1.0) * pitch) / rate
        tone = sum(np.sin(k * phase) * (0.9**k) / k for k in range(1, 16))
        envelope = np.clip(np.sin(np.pi * t / max(t[-1], 1e-6)), 0.0, 1.0) ** 0.6
        breath = rng.normal(0, 0.04, t.size)
        audio[first:last] += 0.35 * envelope * (tone + breath)
    _write_wav(path, audio, rate)
    return path


def music_bed(path: Path, seconds: float, rate: int = 44100) -> Path:
    """A stereo bed of slow sine chords (I–V–vi–IV in C) with a soft pulse. Reused."""
    import numpy as np

    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    chords = [(261.63, 329.63, 392.00), (196.00, 246.94, 293.66),
              (220.00, 261.63, 329.63), (174.61, 220.00, 261.63)]  # fmt: skip
    bar = 2.0
    t = np.arange(math.ceil(seconds * rate)) / rate
    index = (t // bar).astype(int) % len(chords)
    left = np.zeros_like(t)
    right = np.zeros_like(t)
    for voice in range(3):
        freq = np.array([chord[voice] for chord in chords])[index]
        phase = 2 * np.pi * np.cumsum(freq) / rate
        left += np.sin(phase) * (0.8 if voice != 2 else 0.5)
        right += np.sin(phase * 1.002) * (0.5 if voice != 2 else 0.8)
    pulse = 0.75 + 0.25 * np.cos(2 * np.pi * t * 2.0)  # 120 bpm swell
    stereo = np.stack([left, right], axis=1) * (0.18 * pulse)[:, None]
    _write_wav(path, stereo, rate)
    return path


STOCK_PATTERNS = {
    # slow colour gradients with film grain
    "gradients": (
        "gradients=s=1920x1080:r=30:speed=0.015:n=4:seed=7:"
        "c0=0x1E3C72:c1=0x7F53AC:c2=0xE96443:c3=0x2A9D8F"
    ),
    # the moving test card: sharp edges, scrolling text
    "testsrc2": "testsrc2=s=1920x1080:r=30",
    # a slow zoom into the Mandelbrot set, drawn small and upscaled (it is costly to draw)
    "mandelbrot": "mandelbrot=s=640x360:r=30:end_scale=0.05,scale=1920:1080:flags=bicubic",
}


def stock_source(ffmpeg: str, path: Path, pattern: str, seconds: int, kbps: int = 9000) -> Path:
    """A 1920×1080 30 fps H.264 clip at ~``kbps`` like 1080p stock footage (reused).

    Film grain on every pattern gives x264 texture to spend the bitrate on, so the sources
    really are ~8–10 Mbit/s (a realistic decoding load); two-pass is not needed: the grain
    keeps a one-pass ABR near its target.
    """
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = _atomic(path)
    run_ffmpeg(
        ffmpeg,
        [
            "-f", "lavfi", "-i", STOCK_PATTERNS[pattern] + ",noise=alls=6:allf=t+u,format=yuv420p",
            "-t", str(seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-b:v", f"{kbps}k",
            "-maxrate", f"{kbps * 11 // 10}k", "-bufsize", f"{kbps * 2}k",
            "-g", "60", "-movflags", "+faststart", str(partial),
        ],
    )  # fmt: skip
    partial.replace(path)
    return path
