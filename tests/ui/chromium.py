"""Where the browser tests find Chromium: Debian's package, never a downloaded browser."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT = Path("/usr/bin/chromium")


def chromium() -> Path | None:
    """The Chromium to drive (``VO_TEST_CHROMIUM`` or Debian's), or None when there is none."""
    path = Path(os.environ.get("VO_TEST_CHROMIUM") or DEFAULT)
    return path if path.is_file() and os.access(path, os.X_OK) else None


def skip_reason() -> str:
    wanted = os.environ.get("VO_TEST_CHROMIUM") or str(DEFAULT)
    return f"no Chromium at {wanted}: install Debian's chromium package to run the browser tests"


def status() -> str:
    """One line for the test report header: will the browser tests run, and why."""
    found = chromium()
    if found is None:
        return f"browser tests (tests/ui): SKIPPED, {skip_reason()}"
    return f"browser tests (tests/ui): run with Playwright driving {found}"
