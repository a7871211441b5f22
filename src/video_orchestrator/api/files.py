"""Sending stored files: whole, or the byte range a player asks for (RFC 9110 §14)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

from video_orchestrator.api.problems import problem

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """``(start, end)`` inclusive, None for the whole file, or "unsatisfiable"."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        return None  # a multi-range or malformed header: send the whole file
    first, last = match.group(1), match.group(2)
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
        if start >= size or (last and int(last) < start):
            return "unsatisfiable"
    else:
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        start, end = max(0, size - length), size - 1
    return start, end


def send_file(
    request: Request,
    *,
    size: int,
    media_type: str,
    filename: str,
    chunks: Callable[[int, int | None], Iterator[bytes]],
    inline: bool = False,
) -> Response:
    disposition = "inline" if inline else "attachment"
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}",
    }
    wanted = parse_range(request.headers.get("range"), size)
    if wanted == "unsatisfiable":
        return problem(
            416,
            f"the range {request.headers.get('range')} is outside the file ({size} bytes)",
            instance=request.url.path,
            headers={"Content-Range": f"bytes */{size}"},
        )
    if wanted is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(chunks(0, None), media_type=media_type, headers=headers)
    assert isinstance(wanted, tuple)
    start, end = wanted
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    return StreamingResponse(
        chunks(start, end), status_code=206, media_type=media_type, headers=headers
    )
