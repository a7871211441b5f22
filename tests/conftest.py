"""Suite-wide settings."""

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


#: Files whose tests share one worker under ``make test`` (pytest-xdist, ``--dist loadgroup``):
#: the browser tests each start a server and a Chromium, so two at once on a 2-core machine
#: would only slow each other and race their own timeouts.
SERIAL_DIRS = ("tests/ui/",)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """One xdist group per test file (a file's module fixtures, such as a rendered video, are
    made once, on one worker), and one group for all the browser tests."""
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        group = next((d for d in SERIAL_DIRS if path.startswith(d)), path)
        item.add_marker(pytest.mark.xdist_group(group))
