"""The API fixtures (a started app on SQLite and PostgreSQL, a live uvicorn server) for the
fault tests."""

from tests.api.conftest import (  # noqa: F401 - fixtures, found by name
    database_url,
    make_client,
    make_live_server,
    postgres_url,
    settings,
    shared_cache,
    tone,
)
