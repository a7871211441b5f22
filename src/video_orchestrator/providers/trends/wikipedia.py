"""Wikipedia's most read articles as a trend source (Wikimedia REST API, pageviews).

Documented protocol: ``GET {base}/metrics/pageviews/top/{project}/{access}/{yyyy}/{mm}/{dd}``
→ ``{"items": [{"project", "access", "year", "month", "day", "articles": [{"article",
"views", "rank"}]}]}`` (up to 1000 articles, ranked). A day's figures appear the next day
(a 404 ``{"type", "title": "Not found.", "detail"}`` until then), so yesterday is asked for,
then the day before. Wikimedia asks every client for a descriptive ``User-Agent``. The main
page and the special, file, portal, help, talk and Wikipedia namespaces are not subjects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote

from video_orchestrator.errors import InputError, ProviderError
from video_orchestrator.ports.provider import Provider
from video_orchestrator.ports.trends import Fetched, SourceQuery, TrendItem
from video_orchestrator.providers.trends import _http

DEFAULT_BASE_URL = "https://wikimedia.org/api/rest_v1"
_PROJECT = re.compile(r"^[a-z][a-z-]{1,15}\.(wikipedia|wiktionary|wikinews)$")
_NOT_SUBJECTS = re.compile(
    r"^(Main_Page|Special:|Wikipedia:|File:|Portal:|Help:|Talk:|Template:|Category:|User:|-$)"
)
MAX_COUNT = 200


class WikipediaSettings(_http.TrendSettings):
    required: ClassVar[str] = "nothing (an open API)"

    trends_wikipedia_base_url: str = DEFAULT_BASE_URL


def parse(data: Any, project: str, count: int) -> tuple[TrendItem, ...]:
    try:
        articles = data["items"][0]["articles"]
    except (KeyError, IndexError, TypeError) as error:
        raise ProviderError("Wikimedia returned pageviews without articles") from error
    if not isinstance(articles, list):
        raise ProviderError("Wikimedia returned pageviews without a list of articles")
    items = []
    for article in articles:
        name = str(article.get("article") or "") if isinstance(article, dict) else ""
        if not name or _NOT_SUBJECTS.match(name):
            continue
        views = article.get("views")
        items.append(
            TrendItem(
                external_id=name,
                title=name.replace("_", " "),
                url=f"https://{project}.org/wiki/{quote(name)}",
                kind="page",
                metric=float(views) if isinstance(views, int | float) else None,
            )
        )
        if len(items) >= count:
            break
    return tuple(items)


class WikipediaTop(Provider[WikipediaSettings]):
    """The most read articles of a Wikipedia (en.wikipedia, ro.wikipedia …) yesterday."""

    name = "wikipedia"
    settings_model = WikipediaSettings
    requests_per_minute = 100.0

    def __init__(self, settings: WikipediaSettings | None = None) -> None:
        self.settings = settings or WikipediaSettings()

    @classmethod
    def from_settings(cls, settings: WikipediaSettings) -> WikipediaTop:
        return cls(settings)

    def check(self, config: Mapping[str, str]) -> dict[str, str]:
        project = (config.get("project") or "en.wikipedia").strip().lower()
        if not _PROJECT.match(project):
            raise InputError(f"{project!r} is not a Wikimedia project such as en.wikipedia")
        count = (config.get("count") or "50").strip()
        if not count.isdigit() or not 1 <= int(count) <= MAX_COUNT:
            raise InputError(f"count must be a number from 1 to {MAX_COUNT}")
        return {"project": project, "count": count}

    def label(self, config: Mapping[str, str]) -> str:
        return f"Wikipedia most read ({config.get('project', 'en.wikipedia')})"

    def fetch(self, query: SourceQuery) -> Fetched:
        project = query.config.get("project", "en.wikipedia")
        base = self.settings.trends_wikipedia_base_url.rstrip("/")
        requests = 0
        for days_back in (1, 2):
            day: datetime = query.now - timedelta(days=days_back)
            url = f"{base}/metrics/pageviews/top/{project}/all-access/{day:%Y/%m/%d}"
            requests += 1
            try:
                answer = _http.get(
                    url,
                    provider="Wikimedia",
                    settings=self.settings,
                    etag=query.etag,
                    last_modified=query.last_modified,
                    headers={"Accept": "application/json"},
                )
            except ProviderError as error:
                if days_back == 1 and "HTTP 404" in error.message:
                    continue  # yesterday's figures are not out yet
                raise
            if answer.not_modified:
                return Fetched(None, answer.etag, answer.last_modified, requests=requests)
            items = parse(answer.json("Wikimedia"), project, int(query.config.get("count", "50")))
            return Fetched(items, answer.etag, answer.last_modified, requests=requests)
        raise ProviderError("Wikimedia has no pageviews for the last two days")  # pragma: no cover
