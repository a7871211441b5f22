"""Screenshots: test artifacts in tests/ui/artifacts/; with VO_UPDATE_SCREENSHOTS=1 also the
README's pictures in docs/screenshots/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DOCS = ROOT / "docs" / "screenshots"


def shoot(page: Page, name: str) -> Path:
    """Save a full-page PNG of ``page`` as ``<name>.png``; return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.evaluate("window.scrollTo(0, 0)")  # the fixed header is drawn where the page scrolled
    page.screenshot(
        path=path,
        full_page=True,
        animations="disabled",
        style=".q-notifications { display: none !important; }",  # toasts would hide the page
    )
    if os.environ.get("VO_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / path.name)
    return path
