from tests.trend_fixtures import trend_db  # noqa: F401 - a fixture, found by name
