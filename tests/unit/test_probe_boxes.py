"""The top-level ISO-BMFF box walk that tells whether ``moov`` precedes ``mdat``."""

from __future__ import annotations

import io
import struct

import pytest

from video_orchestrator.render.probe import read_top_level_boxes


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def large_box(kind: bytes, payload: bytes = b"") -> bytes:
    """A box whose size is given in the 64-bit ``largesize`` field (size == 1)."""
    return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload


FTYP = box(b"ftyp", b"isom" + b"\x00\x00\x02\x00" + b"isomiso2avc1mp41")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (FTYP + box(b"moov", b"x" * 20) + box(b"mdat", b"y" * 50), True),
        (FTYP + box(b"free") + box(b"mdat", b"y" * 50) + box(b"moov", b"x" * 20), False),
        (FTYP + large_box(b"mdat", b"y" * 40) + box(b"moov", b"x" * 10), False),
        (FTYP + box(b"moov", b"x" * 10) + large_box(b"mdat", b"y" * 40), True),
        # size 0: the last box runs to the end of the file
        (FTYP + box(b"moov", b"x" * 10) + struct.pack(">I4s", 0, b"mdat") + b"y" * 30, True),
        (FTYP + struct.pack(">I4s", 0, b"mdat") + b"y" * 30, False),
        # fragmented MP4: moov first, then moof/mdat pairs
        (FTYP + box(b"moov") + box(b"moof") + box(b"mdat", b"z"), True),
        (FTYP + box(b"free"), None),
        (b"", None),
    ],
)
def test_moov_position(data: bytes, expected: bool | None) -> None:
    assert read_top_level_boxes(io.BytesIO(data)).moov_before_mdat is expected


def test_major_brand_is_read() -> None:
    layout = read_top_level_boxes(io.BytesIO(FTYP + box(b"moov") + box(b"mdat")))
    assert layout.major_brand == "isom"
    quicktime = box(b"ftyp", b"qt  \x00\x00\x00\x00qt  ")
    assert read_top_level_boxes(io.BytesIO(quicktime + box(b"mdat"))).major_brand == "qt  "


def test_malformed_header_stops_the_walk() -> None:
    # a box claiming 4 bytes (smaller than its own header) hides whatever follows
    data = FTYP + struct.pack(">I4s", 4, b"junk") + box(b"moov") + box(b"mdat")
    assert read_top_level_boxes(io.BytesIO(data)).moov_before_mdat is None


def test_a_box_larger_than_the_file_ends_the_walk() -> None:
    truncated = FTYP + struct.pack(">I4s", 10_000, b"mdat") + b"y" * 8 + box(b"moov")
    assert read_top_level_boxes(io.BytesIO(truncated)).moov_before_mdat is False
