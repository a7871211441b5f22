"""Where the cores idle in a segmented render: every process of ``vo render``'s tree sampled
from ``/proc`` every 100 ms (issue 14, ADR 0054).

Runs the product's render of a spec (``bench/render.py``'s ``_child ours``: the Renderer with
the machine's thread plan, as ``vo render`` runs it) in a child and prints:

- each process (the Python parent, the loudness passes, the audio pass, each segment's FFmpeg,
  the join): when it started and ended, its CPU seconds and the cores it kept busy;
- each segment's ramp-up (from its start to the first 0.5 s with ≥ ``--busy`` cores of the
  tree busy) and drain (from the last such 0.5 s to its end), and the gap to the next one;
- the tree's cores busy per 0.5 s, beside what other processes on the machine used (CPU
  seconds are valid under load; a tree that cannot reach 2 cores because others hold them
  shows as ``others``, not as idle).

Usage::

    python bench/render.py --versus --style karaoke --rounds 1 --variants ours --no-record
    python bench/segment_timeline.py bench/work/versus-60s-karaoke/spec.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import _children_map, busy_cpu_seconds

HERE = Path(__file__).resolve().parent
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
BIN = 0.5


@dataclass
class Proc:
    pid: int
    kind: str
    first: float  # seconds since the render's spawn, first seen
    last: float  # last seen
    cpu: float = 0.0  # seconds, last read
    samples: list[tuple[float, float, int]] = field(default_factory=list)  # (t, cpu, rss)
    threads: dict[int, tuple[str, float]] = field(default_factory=dict)  # tid → (name, cpu)


def _stat(pid: int) -> tuple[float, int] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read()
        with open(f"/proc/{pid}/statm", "rb") as handle:
            rss = int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return None
    fields = raw[raw.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICK, rss  # utime + stime


def _threads(pid: int) -> dict[int, tuple[str, float]]:
    """Each thread's name and CPU seconds so far (FFmpeg names its threads: ``dec0:0:h264``,
    ``fc0`` for the filter graph, ``enc0:0:libx264``, ``mux0:mp4``; x264's own workers
    inherit the encoder thread's name)."""
    found: dict[int, tuple[str, float]] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", "rb") as handle:
                raw = handle.read()
        except OSError:
            continue
        name = raw[raw.index(b"(") + 1 : raw.rindex(b")")].decode(errors="replace")
        fields = raw[raw.rindex(b")") + 2 :].split()
        found[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / TICK)
    return found


def _kind(pid: int, root: int) -> str:
    if pid == root:
        return "python"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            argv = handle.read().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    text = " ".join(argv)
    if "ebur128" in text:
        return "loudness"
    if "concat" in argv and "-c" in argv:
        return "join"
    for arg in argv:
        name = Path(arg).name
        if name.startswith("segment-") and name.endswith(".mp4"):
            return f"segment {int(name[8:12])}"
    if any(Path(a).name == "audio.m4a" for a in argv):
        return "audio"
    if "ffmpeg" in Path(argv[0]).name:
        return "ffmpeg"
    return Path(argv[0]).name


def tree(root: int) -> list[int]:
    children = _children_map()
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def sample(
    argv: list[str], env: dict[str, str], interval: float
) -> tuple[dict[int, Proc], list[tuple[float, float]]]:
    procs: dict[int, Proc] = {}
    machine: list[tuple[float, float]] = []
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env)
    while child.poll() is None:
        now = time.perf_counter() - started
        machine.append((now, busy_cpu_seconds()))
        for pid in tree(child.pid):
            stat = _stat(pid)
            if stat is None:
                continue
            proc = procs.get(pid)
            if proc is None:
                proc = procs[pid] = Proc(pid, _kind(pid, child.pid), now, now)
            proc.last, proc.cpu = now, stat[0]
            proc.threads.update(_threads(pid))
            proc.samples.append((now, stat[0], stat[1]))
        time.sleep(interval)
    return procs, machine


def _by_name(threads: dict[int, tuple[str, float]]) -> dict[str, list[float]]:
    """Per thread name: the CPU seconds of all its threads, of its busiest one, and how many
    (slice threads and x264's workers take their creator's name)."""
    names: dict[str, list[float]] = {}
    for name, cpu in threads.values():
        total, busiest, count = names.get(name, [0.0, 0.0, 0])
        names[name] = [round(total + cpu, 2), round(max(busiest, cpu), 2), count + 1]
    return dict(sorted(names.items(), key=lambda item: -item[1][0]))


def report(
    procs: dict[int, Proc], machine: list[tuple[float, float]], busy: float
) -> dict[str, Any]:
    end = machine[-1][0]
    bins = int(end / BIN) + 1
    tree_cpu = [0.0] * bins  # CPU seconds of the tree in each bin
    for proc in procs.values():
        for (_, c0, _), (t1, c1, _) in itertools.pairwise(proc.samples):
            tree_cpu[min(bins - 1, int(t1 / BIN))] += c1 - c0
    machine_cpu = [0.0] * bins
    for (_, c0), (t1, c1) in itertools.pairwise(machine):
        machine_cpu[min(bins - 1, int(t1 / BIN))] += c1 - c0
    cores = [c / BIN for c in tree_cpu]
    others = [max(0.0, (m - c) / BIN) for m, c in zip(machine_cpu, tree_cpu, strict=True)]
    cpus = os.cpu_count() or 1
    rows = []
    ordered = sorted(procs.values(), key=lambda p: p.first)
    ffmpegs = [p for p in ordered if p.kind != "python"]
    for proc in ordered:
        alive = max(proc.last - proc.first, 1e-9)
        ramp = drain = None
        if proc.kind.startswith("segment"):
            own = [b for b in range(int(proc.first / BIN), min(bins, int(proc.last / BIN) + 1))]
            hot = [b for b in own if cores[b] >= busy]
            if hot:
                ramp = hot[0] * BIN - proc.first
                drain = proc.last - (hot[-1] + 1) * BIN
        rows.append(
            {
                "kind": proc.kind,
                "start": round(proc.first, 2),
                "end": round(proc.last, 2),
                "cpu": round(proc.cpu, 2),
                "cores": round(proc.cpu / alive, 2),
                "peak_mb": round(max((s[2] for s in proc.samples), default=0) / 2**20),
                "ramp": None if ramp is None else round(max(0.0, ramp), 2),
                "drain": None if drain is None else round(max(0.0, drain), 2),
                "threads": _by_name(proc.threads),
            }
        )
    first_ffmpeg = ffmpegs[0].first if ffmpegs else end
    idle = sum(max(0.0, cpus - c - o) * BIN for c, o in zip(cores, others, strict=True))
    peaks: list[float] = []
    times = sorted({s[0] for p in procs.values() for s in p.samples})
    for t in times:
        peaks.append(sum(s[2] for p in procs.values() for s in p.samples if s[0] == t))
    return {
        "wall": round(end, 2),
        "cpu": round(sum(p.cpu for p in procs.values()), 2),
        "python_before_first_ffmpeg": round(first_ffmpeg, 2),
        "idle_core_seconds": round(idle, 2),
        "others_core_seconds": round(sum(others) * BIN, 2),
        "tree_peak_mb": round(max(peaks, default=0) / 2**20),
        "processes": rows,
        "cores": [round(c, 2) for c in cores],
        "others": [round(o, 2) for o in others],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("spec", type=Path, help="a spec.json (e.g. from --versus)")
    parser.add_argument("--out", type=Path, default=None, help="the video (beside the spec)")
    parser.add_argument("--cache", type=Path, default=HERE / "work" / "cache")
    parser.add_argument("--interval", type=float, default=0.1, help="sampling period (0.1 s)")
    parser.add_argument("--busy", type=float, default=1.6, help="cores that count as busy")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--src", type=Path, default=HERE.parent / "src", help="the code to run")
    parser.add_argument(
        "--command",
        type=Path,
        default=None,
        help="run this argv instead (one argument a line, "
        "e.g. --versus's hand.argv.txt), to compare its threads",
    )
    args = parser.parse_args()
    out = args.out or args.spec.with_name("timeline.mp4")
    argv = [sys.executable, str(HERE / "render.py"), "_child", "ours"]
    argv += [str(args.spec), str(out), str(args.cache)]
    if args.command is not None:
        argv = args.command.read_text(encoding="utf-8").splitlines()
    env = {**os.environ, "PYTHONPATH": str(args.src)}
    load = os.getloadavg()[0]
    procs, machine = sample(argv, env, args.interval)
    figures = report(procs, machine, args.busy)
    figures["load"] = f"{load:.1f}→{os.getloadavg()[0]:.1f}"
    print(
        f"wall {figures['wall']} s, CPU {figures['cpu']} s, tree peak {figures['tree_peak_mb']} "
        f"MB, load {figures['load']}; Python before the first FFmpeg "
        f"{figures['python_before_first_ffmpeg']} s; idle core-s {figures['idle_core_seconds']}"
        f", others' core-s {figures['others_core_seconds']}"
    )
    print("| process | start s | end s | CPU s | cores | peak MB | ramp s | drain s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in figures["processes"]:
        print(
            f"| {r['kind']} | {r['start']} | {r['end']} | {r['cpu']} | {r['cores']} "
            f"| {r['peak_mb']} | {r['ramp'] if r['ramp'] is not None else ''} "
            f"| {r['drain'] if r['drain'] is not None else ''} |"
        )
    for r in figures["processes"]:
        if r["kind"] != "python" and r["cpu"] > 1:
            top = ", ".join(
                f"{name} {total} (busiest {busiest}, {count:.0f} threads)"
                for name, (total, busiest, count) in list(r["threads"].items())[:6]
            )
            print(f"  {r['kind']} threads (CPU s): {top}")
    print("tree cores per 0.5 s:", " ".join(f"{c:.1f}" for c in figures["cores"]))
    print("others per 0.5 s:    ", " ".join(f"{c:.1f}" for c in figures["others"]))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
