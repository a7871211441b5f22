"""Accessibility check in the browser: axe-core (bundled by axe-playwright-python)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_AXE = Axe()

# The one known axe-core false positive on this UI (axe-core issue #3464): inside a Quasar
# dialog, axe composites the dialog's backdrop (rgba(0,0,0,.4) over white = #999999) over
# filled or flat buttons that really sit on the white card, and reports their contrast
# against #999999. Only those nodes are dropped; every other contrast finding stays.
_BACKDROP_GREY = "#999999"


class Violations(list[dict[str, Any]]):
    """axe-core violations; ``summary`` is a readable report for an assertion message."""

    @property
    def summary(self) -> str:
        if not self:
            return "no accessibility violations"
        lines = [f"{len(self)} accessibility violation(s):"]
        for violation in self:
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']}"
                f" — {violation['helpUrl']}"
            )
            for node in violation["nodes"][:5]:
                target = " ".join(str(t) for t in node["target"])
                lines.append(f"    at {target}: {node['html'][:160]}")
                why = " ".join(str(node.get("failureSummary", "")).split())
                if why:
                    lines.append(f"      {why[:300]}")
            if len(violation["nodes"]) > 5:
                lines.append(f"    … and {len(violation['nodes']) - 5} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary


def axe_violations(
    page: Page, impact: Iterable[str] = ("serious", "critical"), context: str | None = None
) -> Violations:
    """Run axe-core on the page as it is now (or on the ``context`` selector) and return
    the violations of the given impact levels."""
    wanted = set(impact)
    # axe measures what is on screen: let dialogs finish fading in (colours mid-transition
    # fail the contrast rule) and the loading bar go away first; a spinner turns for ever
    page.wait_for_function(
        "document.getAnimations().every(a => a.playState !== 'running'"
        " || a.effect?.getTiming().iterations === Infinity)"
        " && !document.querySelector('.q-loading-bar[style*=\"opacity: 1\"]')",
        timeout=10_000,
    )
    results = _AXE.run(page, context=context)
    found = Violations()
    for violation in results.response["violations"]:
        if violation["impact"] not in wanted:
            continue
        if violation["id"] == "color-contrast":
            nodes = [n for n in violation["nodes"] if not _backdrop_false_positive(page, n)]
            if not nodes:
                continue
            violation = {**violation, "nodes": nodes}
        found.append(violation)
    return found


def _backdrop_false_positive(page: Page, node: dict[str, Any]) -> bool:
    measured = [check.get("data") or {} for check in node.get("any", [])]
    if not any(data.get("bgColor") == _BACKDROP_GREY for data in measured):
        return False
    selector = node["target"][0]
    if not isinstance(selector, str):
        return False
    return bool(page.evaluate("s => !!document.querySelector(s)?.closest('.q-dialog')", selector))
