"""API and job-system benchmark: a real ``vo serve`` (uvicorn) on 127.0.0.1, bounded load.

1. **reads** — p50/p99 latency and requests/s for ``GET /projects/{id}``, ``GET /projects``
   and ``GET /renders/{id}`` under 50 concurrent clients (closed loop: each client sends its
   next request as soon as the last one is answered), then each paced (50 clients polling
   at a steady total rate), on SQLite and, when reachable, on PostgreSQL.
2. **submit → start** — ``job.started_at − job.created_at`` from the API's JSON for tiny
   render-spec jobs (a 1 s 160×288 colour clip), each submitted to an idle worker: the local
   executor (worker processes of ``vo serve``) and Celery (a ``vo worker`` subprocess over
   Redis).
3. **overhead** — the same ~10 s 1080×1920 spec (generated background + karaoke captions)
   rendered by ``vo render SPEC -o out.mp4`` and through the job system (POST /spec/render →
   Server-Sent Events until it ends → download), alternately, several times.

Targets (issue 3): reads p99 < 50 ms on SQLite; submit → start < 200 ms local, < 500 ms Celery;
job-system overhead < 5 %. Nothing asserts on time: the table says whether each is met.

Usage::

    .venv/bin/python bench/api.py                  # ~3 min; records bench/RESULTS.md
    .venv/bin/python bench/api.py --requests 1000 --jobs 5 --reps 1 --no-record
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from _common import (  # noqa: E402
    busy_cpu_seconds,
    machine_summary,
    measure,
    script_words,
    wait_for_quiet,
)
from render import ratio, record  # noqa: E402

WORK = HERE / "work" / "api"
CLK_TCK = os.sysconf("SC_CLK_TCK")
FAKE_VOICE = "fake:fake-en"
SCRIPT = {
    "topic": "tide pools",
    "title": "Tide pools",
    "hook": "Tide pools hide tiny worlds.",
    "scenes": [
        {"narration": "Crabs guard every rock in the pool.", "keywords": ["ocean", "crab"]},
        {"narration": "Anemones close when the tide goes out.", "keywords": ["anemone"]},
        {"narration": "Starfish pry open mussels slowly.", "keywords": ["starfish"]},
    ],
}
REQUEST_TIMEOUT = 30.0  # seconds; a request slower than this counts as an error
TARGETS = {"p99_ms": 50.0, "local_ms": 200.0, "celery_ms": 500.0, "overhead": 0.05}

# ---------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def vo(*args: str) -> list[str]:
    return [sys.executable, "-m", "video_orchestrator", *args]


def _stat(pid: int) -> list[bytes]:
    """The fields of ``/proc/PID/stat`` after the command name (state first); [] if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return []
    return stat[stat.rindex(b")") + 2 :].split()


def process_cpu(pid: int) -> float:
    """User + sys seconds of one process (all its threads), from ``/proc``."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / CLK_TCK if fields else 0.0


def our_cpu() -> float:
    """CPU seconds of this process and everything it started: live descendants (the servers,
    their workers, FFmpeg) by their own counters, finished ones through their parents'."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[bytes]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))):
            stats[int(entry)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry))
    total = 0
    stack = [os.getpid()]
    while stack:
        pid = stack.pop()
        fields = stats.get(pid)
        if fields:
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
        stack.extend(children.get(pid, ()))
    return total / CLK_TCK


class OtherLoad:
    """Measures the CPUs kept busy by processes this benchmark did NOT start."""

    cpus = 0.0

    def __enter__(self) -> OtherLoad:
        self._busy, self._ours, self._began = busy_cpu_seconds(), our_cpu(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self._began
        other = (busy_cpu_seconds() - self._busy) - (our_cpu() - self._ours)
        self.cpus = max(0.0, other) / wall if wall > 0 else 0.0


def base_env(work: Path, **settings: str) -> dict[str, str]:
    """The environment of every child: no ``VO_*`` of the caller, no user config file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VO_")}
    env.update(
        XDG_CONFIG_HOME=str(work / "config"),
        VO_CACHE_DIR=str(WORK / "cache"),  # fonts etc.: shared by runs
        VO_DEFAULT_VOICE=FAKE_VOICE,
        VO_RATE_LIMIT_PER_MINUTE="100000000",  # the limiter must not answer 429 here
        VO_JOB_STALE_SECONDS="30",
    )
    env.update({f"VO_{k.upper()}": v for k, v in settings.items()})
    return env


class Child:
    """A long-running child (``vo serve`` or ``vo worker``) in a process group of its own,
    stopped with SIGTERM (then SIGKILL of that group) at the end."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_handle = log.open("wb")
        self.process = subprocess.Popen(
            argv,
            env=env,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 20) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.strip().splitlines()[-lines:])

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # the group we made: leftover workers
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self._log_handle.close()


class Server(Child):
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__(vo("serve", "--port", str(self.port), "--workers", "1"), env, log)

    def wait_ready(self, timeout: float = 90) -> None:
        """Until ``/health/ready`` says the database, storage, FFmpeg and a worker are ok."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"vo serve exited:\n{self.tail()}")
            try:
                response = httpx.get(f"{self.base}/health/ready", timeout=5)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(0.2)
        raise RuntimeError(f"vo serve was not ready in {timeout:.0f} s: {last}\n{self.tail()}")


# ---------------------------------------------------------------- the API as a client


def ok(response: httpx.Response, expected: int = 200) -> Any:
    if response.status_code != expected:
        raise RuntimeError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:500]}"
        )
    return response.json()


def seed_projects(client: httpx.Client, count: int) -> list[str]:
    ids = []
    for number in range(count):
        body = {
            "topic": f"tide pools {number}",
            "script": SCRIPT,
            "voice": {"voice": FAKE_VOICE},
            "platforms": ["tiktok", "youtube-shorts"],
        }
        ids.append(ok(client.post("/projects", json=body), 201)["id"])
    return ids


def tiny_spec() -> dict[str, Any]:
    """A 1-second 160×288 colour clip: a job that starts and ends quickly."""
    return {
        "output": {"width": 160, "height": 288, "fps": 30, "preset": "ultrafast"},
        "clips": [{"kind": "colour", "duration": 30, "colour": "#204060"}],
    }


def overhead_spec(seconds: int) -> dict[str, Any]:
    """``seconds`` of 1080×1920: a generated gradient background and karaoke captions."""
    fps = 30
    frames = seconds * fps
    words = []
    for word in script_words(float(seconds)):
        start = round(word.start * fps)
        end = max(round(word.end * fps), start + 1)
        if start < frames:
            words.append(
                {"text": word.text, "start": start, "end": end, "sentence_end": word.sentence_end}
            )
    return {
        "version": 1,
        "output": {"width": 1080, "height": 1920, "fps": fps},
        "clips": [{"kind": "generated", "duration": frames, "pattern": "gradient", "speed": 2.0}],
        "captions": {"words": words},
        "metadata": {"title": "bench/api.py overhead"},
    }


def when(job: dict[str, Any], name: str) -> datetime:
    value = job[name]
    if value is None:
        raise RuntimeError(f"job {job['id']} has no {name}: {job}")
    return datetime.fromisoformat(str(value))


def wait_job(client: httpx.Client, job_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = ok(client.get(f"/renders/{job_id}"))
        if job["status"] in ("succeeded", "failed", "cancelled"):
            if job["status"] != "succeeded":
                raise RuntimeError(f"job {job_id} {job['status']}: {job['error']}")
            return job
        time.sleep(0.05)
    raise RuntimeError(f"job {job_id} did not finish in {timeout:.0f} s")


# ---------------------------------------------------------------- 1. reads under load


@dataclass
class Load:
    name: str
    requests: int
    wall: float
    latencies: list[float]  # seconds
    errors: int
    server_cpu: float
    client_cpu: float
    others: float  # CPUs kept busy by other processes meanwhile
    body_bytes: int = 0
    rate: float | None = None  # paced: the requested total rate

    def pct(self, q: float) -> float:
        return float(np.percentile(np.array(self.latencies), q)) * 1000

    @property
    def rps(self) -> float:
        return self.requests / self.wall


class RawConnection:
    """A bare HTTP/1.1 keep-alive connection: one GET at a time, ``Content-Length`` bodies.

    The load generator shares two CPUs with the server; httpx costs ~3 ms of client CPU per
    request here (more than the server spends answering), this ~0.2 ms, so the figures say
    more about the server. ``--client httpx`` uses httpx instead."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> RawConnection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def get(self, path: str) -> tuple[int, bytes]:
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode("ascii"))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        marker = head.lower().find(b"\r\ncontent-length:")
        if marker < 0:
            raise ConnectionError(f"no Content-Length in the answer to {path}")
        length = int(head[marker + 17 : head.index(b"\r\n", marker + 2)])
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def _run_load(
    base: str,
    paths: list[str],
    total: int,
    concurrency: int,
    interval: float | None,
    client_kind: str,
) -> tuple[list[float], int, int, float]:
    """``concurrency`` clients, one keep-alive connection each, share ``total`` GETs over
    ``paths`` (round robin). Closed loop when ``interval`` is None; otherwise each client
    sends one request every ``interval`` seconds and latency counts from the scheduled moment
    (no coordinated omission)."""
    latencies: list[float] = []
    errors = 0
    size = 0
    issued = 0
    url = httpx.URL(base)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT) as client:
        # open the connections first, outside the measured window
        if client_kind == "raw":
            raws = [await RawConnection.open(url.host, url.port or 80) for _ in range(concurrency)]
            await asyncio.gather(*(raw.get("/health") for raw in raws))
        else:
            await asyncio.gather(*(client.get("/health") for _ in range(concurrency)))

        async def fetch(index: int, path: str) -> tuple[int, int]:
            if client_kind == "raw":
                status, body = await asyncio.wait_for(raws[index].get(path), REQUEST_TIMEOUT)
                return status, len(body)
            response = await client.get(path)
            return response.status_code, len(response.content)

        async def one(index: int, start: float) -> None:
            nonlocal errors, size, issued
            due = start + (interval * index / concurrency if interval else 0.0)
            while issued < total:
                number = issued
                issued += 1
                path = paths[number % len(paths)]
                if interval is not None:
                    delay = due - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    began = due
                    due += interval
                else:
                    began = time.perf_counter()
                try:
                    status, length = await fetch(index, path)
                    size += length
                    if status != 200:
                        errors += 1
                except (
                    httpx.HTTPError,
                    OSError,
                    TimeoutError,
                    asyncio.IncompleteReadError,
                    ValueError,
                ):
                    errors += 1
                    if client_kind == "raw":  # start over on a fresh connection
                        raws[index].close()
                        raws[index] = await RawConnection.open(url.host, url.port or 80)
                latencies.append(time.perf_counter() - began)

        start = time.perf_counter()
        await asyncio.gather(*(one(i, start) for i in range(concurrency)))
        wall = time.perf_counter() - start
        if client_kind == "raw":
            for raw in raws:
                raw.close()
    return latencies, errors, size, wall


def run_load(
    name: str,
    server: Server,
    paths: list[str],
    total: int,
    concurrency: int,
    rate: float | None = None,
    client_kind: str = "raw",
) -> Load:
    interval = concurrency / rate if rate else None
    server_before = process_cpu(server.pid)
    with OtherLoad() as other:
        client_before = time.process_time()
        latencies, errors, size, wall = asyncio.run(
            _run_load(server.base, paths, total, concurrency, interval, client_kind)
        )
        client_cpu = time.process_time() - client_before
    load = Load(
        name=name,
        requests=len(latencies),
        wall=wall,
        latencies=latencies,
        errors=errors,
        server_cpu=process_cpu(server.pid) - server_before,
        client_cpu=client_cpu,
        others=other.cpus,
        body_bytes=size // max(1, len(latencies)),
        rate=rate,
    )
    extra = f" (paced {rate:.0f} req/s)" if rate else ""
    print(
        f"    {name}{extra}: p50 {load.pct(50):.1f} ms, p99 {load.pct(99):.1f} ms, "
        f"{load.rps:.0f} req/s, server CPU {1000 * load.server_cpu / load.requests:.2f} ms/req, "
        f"client CPU {1000 * load.client_cpu / load.requests:.2f} ms/req, "
        f"errors {errors}, other load {load.others:.2f} CPUs",
        flush=True,
    )
    return load


def read_benchmarks(
    server: Server, projects: list[str], jobs: list[str], args: argparse.Namespace
) -> list[Load]:
    n, c, kind = args.requests, args.concurrency, args.client
    get_project = [f"/projects/{p}" for p in projects]
    list_projects = ["/projects"]
    get_job = [f"/renders/{j}" for j in jobs]
    loads = [
        run_load("GET /projects/{id}", server, get_project, n, c, client_kind=kind),
        run_load(
            "GET /projects (page of 50)", server, list_projects, max(1, n // 5), c, client_kind=kind
        ),
        run_load("GET /renders/{id}", server, get_job, n, c, client_kind=kind),
    ]
    if args.paced_rate > 0:
        total = int(args.paced_rate * args.paced_seconds)
        for name, paths in (
            ("GET /projects/{id}", get_project),
            ("GET /projects (page of 50)", list_projects),
            ("GET /renders/{id}", get_job),
        ):
            loads.append(run_load(name, server, paths, total, c, args.paced_rate, kind))
    return loads


# ---------------------------------------------------------------- 2. submit → start


@dataclass
class Pickup:
    name: str
    delays_ms: list[float]  # started_at − created_at
    submit_ms: list[float]  # the POST's round trip, client side
    warmup_ms: float
    busy: float = 0.0  # other processes' load, CPUs
    job_ids: list[str] = field(default_factory=list)


def pickup_benchmark(name: str, base: str, jobs: int, pause: float) -> Pickup:
    """``jobs`` tiny spec jobs, each submitted once the worker is idle again."""
    spec = {"spec": tiny_spec(), "filename": "tiny"}
    delays: list[float] = []
    submits: list[float] = []
    ids: list[str] = []
    warmup = 0.0
    with OtherLoad() as other, httpx.Client(base_url=base, timeout=60) as client:
        for number in range(jobs + 1):
            time.sleep(pause)  # let the worker settle into its idle wait
            began = time.perf_counter()
            job = ok(client.post("/spec/render", json=spec), 202)
            submitted = (time.perf_counter() - began) * 1000
            done = wait_job(client, job["id"])
            delay = (when(done, "started_at") - when(done, "created_at")).total_seconds() * 1000
            if number == 0:
                warmup = delay  # first job of a fresh worker: imports, first FFmpeg
                continue
            delays.append(delay)
            submits.append(submitted)
            ids.append(done["id"])
    result = Pickup(name, delays, submits, warmup, job_ids=ids)
    result.busy = other.cpus
    print(
        f"    {name}: submit → start median {statistics.median(delays):.0f} ms, "
        f"p90 {np.percentile(delays, 90):.0f} ms, max {max(delays):.0f} ms "
        f"(first job after start-up {warmup:.0f} ms); POST {statistics.median(submits):.0f} ms",
        flush=True,
    )
    return result


# ---------------------------------------------------------------- 3. overhead


@dataclass
class Through:
    wall: float
    queued: float  # created → started
    worker: float  # started → finished (render + storing outputs)
    notice: float  # finished → the client saw the SSE "end" (client clock − server clock)
    download: float
    busy: float


def render_through_api(base: str, spec: dict[str, Any], out: Path) -> Through:
    began = time.perf_counter()
    with OtherLoad() as other, httpx.Client(base_url=base, timeout=300) as client:
        job = ok(client.post("/spec/render", json={"spec": spec, "filename": "overhead"}), 202)
        end_status = None
        with client.stream("GET", f"/renders/{job['id']}/events") as events:
            name = ""
            for line in events.iter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: ") and name == "end":
                    end_status = json.loads(line[6:])["status"]
                    break
        seen_end = datetime.now().astimezone()
        if end_status != "succeeded":
            detail = client.get(f"/renders/{job['id']}").text
            raise RuntimeError(f"the API render ended {end_status}: {detail}")
        done = ok(client.get(f"/renders/{job['id']}"))
        download_began = time.perf_counter()
        with client.stream("GET", f"/renders/{job['id']}/outputs/video") as response:
            if response.status_code != 200:
                raise RuntimeError(f"download: {response.status_code}")
            with out.open("wb") as handle:
                for chunk in response.iter_bytes(1 << 20):
                    handle.write(chunk)
        finished = time.perf_counter()
    wall = finished - began
    return Through(
        wall=wall,
        queued=(when(done, "started_at") - when(done, "created_at")).total_seconds(),
        worker=(when(done, "finished_at") - when(done, "started_at")).total_seconds(),
        notice=(seen_end - when(done, "finished_at")).total_seconds(),
        download=finished - download_began,
        busy=other.cpus,
    )


@dataclass
class Overhead:
    direct: list[float]
    direct_others: list[float]
    api: list[Through]
    out_sizes: tuple[int, int]
    cli_fixed: list[float]  # `vo render` of the 1-second 160×288 spec: start-up + a tiny render


def overhead_benchmark(
    server: Server, env: dict[str, str], run: Path, args: argparse.Namespace
) -> Overhead:
    spec = overhead_spec(args.seconds)
    spec_path = run / "overhead.spec.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    direct: list[float] = []
    others: list[float] = []
    api: list[Through] = []
    direct_out, api_out = run / "direct.mp4", run / "api.mp4"
    for rep in range(args.reps):
        order = ("direct", "api") if rep % 2 == 0 else ("api", "direct")
        for variant in order:
            wait_for_quiet(args.max_wait)
            if variant == "direct":
                m = measure(vo("render", str(spec_path), "-o", str(direct_out)), env=env)
                direct.append(m.wall)
                others.append(m.others)
                print(f"    rep {rep + 1} vo render: {m.wall:.2f} s", flush=True)
            else:
                t = render_through_api(server.base, spec, api_out)
                api.append(t)
                print(
                    f"    rep {rep + 1} via the API: {t.wall:.2f} s (queued {t.queued * 1000:.0f} "
                    f"ms, worker {t.worker:.2f} s, SSE end seen after {t.notice * 1000:.0f} ms, "
                    f"download {t.download * 1000:.0f} ms)",
                    flush=True,
                )
    tiny_path = run / "tiny.spec.json"
    tiny_path.write_text(json.dumps(tiny_spec()), encoding="utf-8")
    fixed = [
        measure(vo("render", str(tiny_path), "-o", str(run / "tiny.mp4")), env=env).wall
        for _ in range(2)
    ]
    print(f"    vo render of the 1 s 160×288 spec: {statistics.median(fixed):.2f} s", flush=True)
    sizes = (direct_out.stat().st_size, api_out.stat().st_size)
    return Overhead(direct, others, api, sizes, fixed)


# ---------------------------------------------------------------- PostgreSQL, Redis


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str | None]:
    """A fresh database on the server of ``admin_url`` (dropped afterwards), or None."""
    import psycopg

    name = f"vo_bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL not reachable at {admin_url}: {str(exc).splitlines()[0]}")
        yield None
        return
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_ready(url: str) -> str | None:
    """None when Redis answers and the benchmark's queue is empty; else why not."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2)
        client.ping()
        waiting = client.llen("vo-render")
    except redis.RedisError as exc:
        return f"Redis not reachable at {url}: {exc}"
    if waiting:
        return f"{url} already holds {waiting} messages in 'vo-render' (another user?)"
    return None


# ---------------------------------------------------------------- report


def met(value: float, limit: float) -> str:
    return "met" if value < limit else "NOT met"


def markdown(
    args: argparse.Namespace,
    reads: dict[str, list[Load]],
    pickups: list[Pickup],
    overhead: Overhead | None,
    started: float,
    loadavg: tuple[float, float],
) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    client = (
        "a bare asyncio HTTP/1.1 keep-alive client (~0.1 ms CPU per request)"
        if args.client == "raw"
        else f"httpx {httpx.__version__} AsyncClient"
    )
    lines = [
        f"## API and job system (bench/api.py) — {stamp}",
        "",
        f"Machine: {machine_summary()}, Python {sys.version.split()[0]}. The server (`vo "
        "serve`: one uvicorn process, h11, 1 local worker process), its workers, the load "
        f"generator ({client}, {args.concurrency} clients, one connection each) and other "
        "processes share the 2 CPUs; the 'other load' columns say how busy the rest of the "
        f"machine was (load average {loadavg[0]:.1f} at the start, {loadavg[1]:.1f} at the "
        f"end). The run took {time.monotonic() - started:.0f} s.",
        "",
    ]
    if reads:
        lines += [
            f"**Reads**: {args.concurrency} clients in a closed loop (each sends its next "
            f"request as soon as the last is answered; {args.requests} requests, "
            f"{max(1, args.requests // 5)} for the list), then each again with the "
            f"{args.concurrency} clients paced at {args.paced_rate:.0f} req/s in total for "
            f"{args.paced_seconds:.0f} s (latency counted from each request's scheduled time). "
            "Latency as the client sees it.",
            "",
            "| database | request | p50 ms | p99 ms | req/s | server CPU ms/req | "
            "body bytes | errors | other load (CPUs) |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for db, loads in reads.items():
            for load in loads:
                label = load.name + (f", paced {load.rate:.0f}/s" if load.rate else "")
                lines.append(
                    f"| {db} | {label} | {load.pct(50):.1f} | {load.pct(99):.1f} | "
                    f"{load.rps:.0f} | {1000 * load.server_cpu / load.requests:.2f} | "
                    f"{load.body_bytes} | {load.errors} | {load.others:.2f} |"
                )
        lines.append("")
    if pickups:
        lines += [
            "**Submit → start**: `started_at − created_at` from the job's JSON, tiny spec "
            "jobs (1 s of 160×288 colour) each submitted to an idle worker; the first job "
            "after start-up is shown apart.",
            "",
            "| executor | jobs | median ms | p90 ms | max ms | first job ms | "
            "POST /spec/render ms (median) | other load (CPUs) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for p in pickups:
            lines.append(
                f"| {p.name} | {len(p.delays_ms)} | {statistics.median(p.delays_ms):.0f} | "
                f"{np.percentile(p.delays_ms, 90):.0f} | {max(p.delays_ms):.0f} | "
                f"{p.warmup_ms:.0f} | {statistics.median(p.submit_ms):.0f} | {p.busy:.2f} |"
            )
        lines.append("")
    if overhead is not None:
        lines += [
            f"**A render through the job system** (POST /spec/render → SSE until `end` → "
            f"download) vs `vo render SPEC -o out.mp4`, the same {args.seconds} s 1080×1920 "
            "spec (generated gradient + karaoke captions, silent audio), alternated "
            f"({args.reps} each), wall seconds:",
            "",
            "| rep | vo render | via API: total | queued | worker (render + store) | "
            "SSE end seen after | download | other load (CPUs) direct / API |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for number, (wall, others, t) in enumerate(
            zip(overhead.direct, overhead.direct_others, overhead.api, strict=True), start=1
        ):
            lines.append(
                f"| {number} | {wall:.2f} | {t.wall:.2f} | {t.queued:.3f} | {t.worker:.2f} | "
                f"{t.notice:.3f} | {t.download:.3f} | {others:.2f} / {t.busy:.2f} |"
            )
        around = statistics.median(t.wall - t.worker for t in overhead.api)
        worker = statistics.median(t.worker for t in overhead.api)
        lines += [
            "",
            f"`vo render` of the 1 s 160×288 spec (Python start-up, imports, a tiny render): "
            f"{statistics.median(overhead.cli_fixed):.2f} s — a cost the long-running worker "
            "pays once, not per job. Time the job system adds around the worker's own "
            f"(POST, queue, SSE notice, download; median): {around:.3f} s, "
            f"{around / worker:.1%} of the worker's {worker:.2f} s. Output sizes: "
            f"direct {overhead.out_sizes[0]} B, API {overhead.out_sizes[1]} B.",
            "",
        ]
    lines += ["| target | measured | |", "| --- | --- | --- |"]
    for db, loads in reads.items():
        closed = [load for load in loads if load.rate is None]
        worst = max(closed, key=lambda load: load.pct(99))
        lines.append(
            f"| {db}: p99 < 50 ms, {args.concurrency} clients, closed loop (worst: "
            f"{worst.name}) | {worst.pct(99):.1f} ms | {met(worst.pct(99), TARGETS['p99_ms'])} |"
        )
        best = min(closed, key=lambda load: load.pct(99))
        lines.append(
            f"| {db}: same, best read ({best.name}) | {best.pct(99):.1f} ms | "
            f"{met(best.pct(99), TARGETS['p99_ms'])} |"
        )
        for load in loads:
            if load.rate is not None:
                lines.append(
                    f"| {db}: p99 < 50 ms, {args.concurrency} clients paced at "
                    f"{load.rate:.0f} req/s ({load.name}) | {load.pct(99):.1f} ms | "
                    f"{met(load.pct(99), TARGETS['p99_ms'])} |"
                )
    for p in pickups:
        limit = TARGETS["celery_ms"] if "celery" in p.name.lower() else TARGETS["local_ms"]
        value = statistics.median(p.delays_ms)
        worst_ms = max(p.delays_ms)
        lines.append(
            f"| {p.name}: submit → start < {limit:.0f} ms (median; max) | "
            f"{value:.0f} ms; {worst_ms:.0f} ms | {met(value, limit)}"
            f"{'' if worst_ms < limit else ' (the max is over)'} |"
        )
    if overhead is not None:
        d = statistics.median(overhead.direct)
        a = statistics.median(t.wall for t in overhead.api)
        extra = (a - d) / d
        lines.append(
            f"| job-system overhead < 5 % (median via API / median `vo render`) | "
            f"{ratio(a, d)} ({extra:+.1%}) | {met(extra, TARGETS['overhead'])} |"
        )
    lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--requests", type=int, default=3000, help="per read endpoint (3000; a fifth for the list)"
    )
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument(
        "--client", choices=("raw", "httpx"), default="raw", help="load generator's HTTP client"
    )
    parser.add_argument(
        "--paced-rate", type=float, default=100, help="paced load, req/s in total; 0 = skip"
    )
    parser.add_argument("--paced-seconds", type=float, default=5, help="per paced endpoint")
    parser.add_argument("--projects", type=int, default=100, help="projects seeded (100)")
    parser.add_argument("--jobs", type=int, default=20, help="tiny jobs per executor (20)")
    parser.add_argument("--pause", type=float, default=0.3, help="idle time before each job")
    parser.add_argument("--seconds", type=int, default=10, help="overhead render length (10)")
    parser.add_argument("--reps", type=int, default=3, help="overhead repetitions (3)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("VO_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL admin URL; a database is made there and dropped",
    )
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database for Celery")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-celery", action="store_true")
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument(
        "--max-wait", type=float, default=5, help="before each part, wait up to S s for quiet"
    )
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args(argv)

    started = time.monotonic()
    signal.signal(signal.SIGTERM, _terminate)  # so the `finally` blocks stop the children
    start_load = os.getloadavg()[0]
    run = WORK / time.strftime("run-%Y%m%d-%H%M%S")
    run.mkdir(parents=True, exist_ok=True)
    (run / "config").mkdir(exist_ok=True)
    print(f"machine: {machine_summary()}; work in {run}", flush=True)
    reads: dict[str, list[Load]] = {}
    pickups: list[Pickup] = []
    overhead: Overhead | None = None

    # SQLite + the local executor: reads, submit → start, overhead
    env = base_env(run, data_dir=str(run / "sqlite"))
    server = Server(env, run / "serve-sqlite.log")
    try:
        server.wait_ready()
        print("SQLite, local executor", flush=True)
        with httpx.Client(base_url=server.base, timeout=60) as client:
            projects = seed_projects(client, args.projects)
        wait_for_quiet(args.max_wait)
        pickup = pickup_benchmark("local (SQLite)", server.base, args.jobs, args.pause)
        pickups.append(pickup)
        wait_for_quiet(args.max_wait)
        reads["SQLite"] = read_benchmarks(server, projects, pickup.job_ids, args)
        if not args.skip_overhead:
            print("overhead: vo render vs the job system", flush=True)
            overhead = overhead_benchmark(server, env, run, args)
    finally:
        server.stop()

    # PostgreSQL + the local executor: reads (and submit → start on the way)
    if not args.skip_postgres:
        with postgres_database(args.postgres) as url:
            if url is not None:
                env = base_env(run, data_dir=str(run / "pg"), database_url=url)
                server = Server(env, run / "serve-pg.log")
                try:
                    server.wait_ready()
                    print("PostgreSQL, local executor", flush=True)
                    with httpx.Client(base_url=server.base, timeout=60) as client:
                        projects = seed_projects(client, args.projects)
                    wait_for_quiet(args.max_wait)
                    pickup = pickup_benchmark(
                        "local (PostgreSQL)", server.base, max(5, args.jobs // 2), args.pause
                    )
                    pickups.append(pickup)
                    wait_for_quiet(args.max_wait)
                    reads["PostgreSQL"] = read_benchmarks(server, projects, pickup.job_ids, args)
                finally:
                    server.stop()

    # Celery over Redis: a `vo worker` subprocess, the API submitting to the broker
    if not args.skip_celery:
        broker = f"redis://127.0.0.1:6379/{args.redis_db}"
        problem = redis_ready(broker)
        if problem:
            print(f"Celery skipped: {problem}")
        else:
            env = base_env(run, data_dir=str(run / "celery"), executor="celery", broker_url=broker)
            worker = Child(vo("worker", "--concurrency", "1"), env, run / "worker-celery.log")
            server = Server(env, run / "serve-celery.log")
            try:
                server.wait_ready()
                print("SQLite, Celery executor", flush=True)
                wait_for_quiet(args.max_wait)
                pickups.append(
                    pickup_benchmark("Celery (SQLite, Redis)", server.base, args.jobs, args.pause)
                )
            finally:
                server.stop()
                worker.stop()

    loadavg = (start_load, os.getloadavg()[0])
    section = markdown(args, reads, pickups, overhead, started, loadavg)
    print()
    print(section)
    if not args.no_record:
        record(args.results, section)
        print(f"recorded in {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
