"""Suite-wide settings."""

import fnmatch
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Wall-clock deadlines make property tests flaky on a busy 2-core CI machine; tests never
# assert times (speed is measured in bench/).
settings.register_profile(
    "vo", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("vo")


def pytest_report_header() -> str:
    """Say at the top of every run whether the browser tests (tests/ui) run, and why."""
    from tests.ui.chromium import status

    return status()


#: The browser tests (tests/ui/*_browser.py) are one unit of work under ``make test``
#: (pytest-xdist): each starts a server and a Chromium, so two at once on a 2-core machine would
#: only slow each other and race their own timeouts. The simulated-user tests beside them run
#: in process, like any other file.
BROWSER_TESTS = "tests/ui/*_browser.py"


def work_unit(nodeid: str) -> str:
    """The unit of work a test belongs to: its file (a file's module fixtures, such as a rendered
    video, are made once, on one worker, and its tests never run beside each other), or one unit
    for all the browser tests."""
    path = nodeid.split("::", 1)[0]
    return BROWSER_TESTS if fnmatch.fnmatch(path, BROWSER_TESTS) else path


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Schedule whole work units (see :func:`work_unit`) on the workers.

    ``--dist loadgroup`` with ``xdist_group`` marks is silently a no-op on pytest 9 (xdist
    renames ``item._nodeid``, which pytest 9 no longer reads), so the suite picks its own
    scheduler: xdist's scope scheduler with our grouping, the documented way to group."""
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return WorkUnitScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests first: they are the longest unit (one worker runs them all), and
    started last they would run alone at the end while the other worker sits idle."""
    items.sort(key=lambda item: work_unit(item.nodeid) != BROWSER_TESTS)
