"""Web UI benchmark: a real ``vo serve`` on 127.0.0.1 driven by Debian's Chromium (Playwright).

1. **pages** — time until the projects list shows 50 projects, and until a project's editor
   shows its scenes, each opened fresh several times (median and max).
2. **memory** — the server's resident memory before and after 10 browser tabs hold a project
   open, per tab.
3. **render through the UI vs the API** — the same project rendered by pressing Render in the
   Export tab and waiting for the player, and by ``POST /renders`` + polling until it ends (what
   a script or an integrator would do), alternately. The ratio is what the UI adds.

Nothing here is a test; figures go to bench/RESULTS.md.

Usage::

    .venv/bin/python bench/ui.py                 # ~3 min; records bench/RESULTS.md
    .venv/bin/python bench/ui.py --reps 1 --no-record
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = os.environ.get("VO_TEST_CHROMIUM", "/usr/bin/chromium")
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "VO_DATA_DIR": str(home / "data"), "VO_CACHE_DIR": str(home / "cache")}
    env.pop("VO_LLM_BASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "video_orchestrator", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return server, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("vo serve did not start")


def rss_mb(pid: int) -> float:
    """Resident memory of the server process (not its render workers), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_project(http: httpx.Client, topic: str, seconds: int = 10) -> str:
    project = http.post("/projects", json={"topic": topic, "target_seconds": seconds}).json()
    http.post(f"/projects/{project['id']}/script/generate", json={"version": project["version"]})
    return str(project["id"])


def pages(browser: Browser, base: str, ids: list[str], reps: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"projects list (50)": [], "editor (scenes shown)": []}
    for _ in range(reps):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        start = time.perf_counter()
        page.goto(base + "/ui/")
        page.locator(".project-card").nth(49).wait_for(timeout=60_000)
        out["projects list (50)"].append(time.perf_counter() - start)
        start = time.perf_counter()
        page.goto(f"{base}/ui/projects/{ids[0]}")
        page.locator(".scene-card").first.wait_for(timeout=60_000)
        out["editor (scenes shown)"].append(time.perf_counter() - start)
        context.close()
    return out


def memory(browser: Browser, base: str, pid: int, project_id: str) -> tuple[float, float]:
    before = rss_mb(pid)
    context = browser.new_context()
    for _ in range(10):
        page = context.new_page()
        page.goto(f"{base}/ui/projects/{project_id}")
        page.locator(".scene-card").first.wait_for(timeout=60_000)
    time.sleep(1)
    after = rss_mb(pid)
    context.close()
    return before, (after - before) / 10


def render_ui(browser: Browser, base: str, project_id: str) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/ui/projects/{project_id}")
    page.get_by_role("tab", name="Export").click()
    button = page.get_by_role("button", name="Render")
    button.wait_for()
    start = time.perf_counter()
    button.click()
    page.locator(".job-card.job-succeeded video").first.wait_for(timeout=600_000)
    took = time.perf_counter() - start
    context.close()
    return took


def render_api(http: httpx.Client, project_id: str) -> float:
    start = time.perf_counter()
    (job,) = http.post("/renders", json={"project_id": project_id}).json()
    while True:
        state = http.get(f"/renders/{job['id']}").json()
        if state["status"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.1)
    took = time.perf_counter() - start
    if state["status"] != "succeeded":
        raise SystemExit(f"the API render ended {state['status']}: {state['error']}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: apt-get install chromium")

    with tempfile.TemporaryDirectory(prefix="vo-bench-ui-") as tmp:
        server, base = start_server(Path(tmp))
        try:
            with httpx.Client(base_url=base, timeout=60) as http, sync_playwright() as pw:
                ids = [make_project(http, f"topic number {n}") for n in range(50)]
                browser = pw.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
                )
                render_api(http, ids[1])  # warm the voice, fonts and worker once
                opened = pages(browser, base, ids, args.reps)
                base_mb, per_tab = memory(browser, base, server.pid, ids[0])
                ui_times, api_times = [], []
                for rep in range(args.reps):
                    ui_times.append(render_ui(browser, base, ids[2 + 2 * rep]))
                    api_times.append(render_api(http, ids[3 + 2 * rep]))
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    lines = [
        f"## Web UI (bench/ui.py) — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{os.cpu_count()} CPUs; `vo serve` with one local worker; Debian Chromium headless; "
        f"{args.reps} repetitions.",
        "",
        "| what | median | max |",
        "| --- | --- | --- |",
    ]
    for name, values in opened.items():
        lines.append(f"| open {name} | {statistics.median(values):.2f} s | {max(values):.2f} s |")
    ui_median, api_median = statistics.median(ui_times), statistics.median(api_times)
    lines += [
        f"| render a 10 s short: Render button → player shown | {ui_median:.2f} s "
        f"| {max(ui_times):.2f} s |",
        f"| the same through the API (POST /renders, poll) | {api_median:.2f} s "
        f"| {max(api_times):.2f} s |",
        "",
        f"- UI / API render time: **{ui_median / api_median:.2f}×** (the UI polls the job "
        "once a second, so up to ~1 s of the difference is the poll interval).",
        f"- Server memory: {base_mb:.0f} MB with no page open; **{per_tab:.1f} MB per open "
        "editor tab** (NiceGUI keeps each tab's page on the server).",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if not args.no_record:
        old = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\n"
        head, _, rest = old.partition("\n## ")
        RESULTS.write_text(
            head.rstrip() + "\n\n" + report + "\n## " + rest if rest else old + report
        )


if __name__ == "__main__":
    main()
