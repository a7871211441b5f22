"""Suite-wide settings."""

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
