"""How loud the music bed is in a made video: in the narration's pauses, and under speech.

Usage: ``python bench/music_level.py OUT.mp4`` (the ``OUT.spec.json`` beside it is read).

- **mix in pauses**: the finished video's momentary loudness (400 ms windows, EBU R128)
  whose window lies wholly inside a silence of the narration (the captions' word timings,
  at least 0.4 s without a word; the first fade-in and the last fade-out left out). The voice
  is silent there, so this is the bed as the viewer hears it.
- **bed alone**: the bed rebuilt with FFmpeg as the render does it (looped, the spec's gain,
  ducked by the narration through the same side-chain compressor) and raised by the same
  gain the loudness stage gave the mix; measured integrated, in the same pauses and while
  words are spoken (how far it is ducked).
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg

from video_orchestrator.spec.model import RenderSpec

FF = str(imageio_ffmpeg.get_ffmpeg_exe())
WINDOW = 0.4


def momentary(args: list[str]) -> list[tuple[float, float]]:
    """(end time, momentary LUFS) every 100 ms of the audio FFmpeg produces from ``args``."""
    argv = [FF, "-hide_banner", "-nostdin", *args, "-f", "null", "-"]
    log = subprocess.run(argv, capture_output=True, text=True, check=True).stderr
    found = re.findall(r"t:\s*([\d.]+)\s+TARGET:.*?M:\s*(-?[\d.]+|-inf)", log)
    return [(float(t), float(m) if m != "-inf" else -120.0) for t, m in found]


def integrated(args: list[str]) -> float:
    argv = [FF, "-hide_banner", "-nostdin", *args, "-f", "null", "-"]
    log = subprocess.run(argv, capture_output=True, text=True, check=True).stderr
    return float(re.findall(r"I:\s*(-?[\d.]+) LUFS", log)[-1])


def power_mean(values: list[float]) -> float:
    import math

    if not values:
        return float("nan")
    return 10 * math.log10(sum(10 ** (v / 10) for v in values) / len(values))


def main(video: Path) -> None:
    spec = RenderSpec.model_validate_json(video.with_name(f"{video.stem}.spec.json").read_text())
    fps = spec.output.fps
    total = spec.duration / fps
    assert spec.captions is not None and spec.audio.music is not None
    words = [(w.start / fps, w.end / fps) for w in spec.captions.words]
    bed = spec.audio.music
    pauses: list[tuple[float, float]] = []
    edges = [(bed.fade_in / fps, bed.fade_in / fps), *words, (total - bed.fade_out / fps,) * 2]
    for (_, end), (start, _) in itertools.pairwise(edges):
        if start - end >= WINDOW:
            pauses.append((end, start))
    speaking = [(s, e) for s, e in words]

    def inside(t: float, spans: list[tuple[float, float]]) -> bool:
        return any(a <= t - WINDOW + 0.02 and t <= b for a, b in spans)

    mix = momentary(["-i", str(video), "-vn", "-af", "ebur128"])
    mix_pauses = [m for t, m in mix if inside(t, pauses)]
    final = integrated(["-i", str(video), "-vn", "-af", "ebur128"])

    voice = spec.audio.voice
    assert voice is not None
    rate = spec.output.sample_rate
    delay = round(voice.start / fps * rate)
    duck = bed.ducking
    fmt = f"aformat=sample_fmts=fltp:sample_rates={rate}:channel_layouts=stereo"
    inputs = ["-i", voice.path, "-stream_loop", "-1", "-t", f"{total:.3f}", "-i", bed.path]
    voice_chain = f"[0:a]{fmt},adelay={delay}S:all=1,apad=whole_len={round(total * rate)}"
    bed_chain = (
        f"[1:a]{fmt},volume={bed.gain_db}dB,afade=t=in:d={bed.fade_in / fps},atrim=end={total:.3f}"
    )
    pre_mix = (
        f"{voice_chain},asplit[v1][v2];{bed_chain}[m];"
        f"[m][v1]sidechaincompress=threshold={duck.threshold}:ratio={duck.ratio}:"
        f"attack={duck.attack_ms}:release={duck.release_ms}[d];"
    )
    # the gain the loudness stage gave: final loudness minus the unlevelled mix's
    unlevelled = integrated(
        [*inputs, "-filter_complex",
         pre_mix + "[d][v2]amix=inputs=2:duration=longest:normalize=0,ebur128[out]",
         "-map", "[out]"]
    )  # fmt: skip
    gain = final - unlevelled
    alone = momentary(
        [*inputs, "-filter_complex",
         pre_mix + f"[v2]anullsink;[d]volume={gain:.2f}dB,ebur128[out]", "-map", "[out]"]
    )  # fmt: skip
    alone_pauses = [m for t, m in alone if inside(t, pauses)]
    alone_speech = [m for t, m in alone if inside(t, speaking)]
    print(f"video {video.name}: {total:.1f} s, integrated {final:.1f} LUFS")
    print(f"bed: gain {bed.gain_db} dB, ducking ratio {duck.ratio}; levelling gain {gain:+.1f} dB")
    print(f"pauses: {len(pauses)} ({sum(b - a for a, b in pauses):.1f} s)")
    print(f"mix in pauses (momentary, power mean): {power_mean(mix_pauses):.1f} LUFS")
    print(f"bed alone in pauses:                  {power_mean(alone_pauses):.1f} LUFS")
    print(f"bed alone under words:                {power_mean(alone_speech):.1f} LUFS")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
