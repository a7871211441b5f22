"""A short-lived cache for GET responses that change rarely and cost something to build
(voices, platforms, caption styles, the spec schema): Redis when configured, else in-process."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder

CACHE_SECONDS = 30


def cached_json(request: Request, build: Callable[[], Any]) -> Response:
    store = request.app.state.cache
    key = f"{request.url.path}?{request.url.query}"
    hit = store.get(key)
    if hit is not None:
        return Response(hit, media_type="application/json", headers={"X-Cache": "hit"})
    body = json.dumps(jsonable_encoder(build()), ensure_ascii=False).encode("utf-8")
    store.set(key, body, CACHE_SECONDS)
    return Response(body, media_type="application/json", headers={"X-Cache": "miss"})
