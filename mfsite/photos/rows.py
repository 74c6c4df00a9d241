"""Baseline JPEGs cut into rows and put together again, without decoding them.

A JPEG written with a restart marker after every row of blocks (16 pixels high, with 4:2:0
chroma) holds each row as its own piece of the scan: the decoder starts afresh at each marker.
Two JPEGs of the same width, quality and tables can then swap rows byte for byte. The brand
card uses this: the card of one product and maker is encoded once, and each batch's card is
that one with the rows of its id line replaced by a strip encoded on its own, a tenth of the
time of encoding the whole card again.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image

ROW = 16  # pixels in a row of blocks, with 4:2:0 chroma subsampling
_SOF0, _DRI, _SOS = 0xC0, 0xDD, 0xDA  # frame (baseline), restart interval, start of scan
_RESTART = re.compile(rb"\xff[\xd0-\xd7]")  # (in the scan, any other 0xff is followed by a marker or 0)
_EOI = b"\xff\xd9"


def encode(image: Image.Image, quality: int) -> bytes:
    """A baseline JPEG with a restart marker after every row, and the standard tables (the same
    for every image of one quality, as splicing needs)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, subsampling="4:2:0", optimize=False, restart_marker_rows=1)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class Rows:
    """A JPEG from `encode`: what comes before its scan, and the scan's rows, markers removed."""

    head: bytes  # up to the scan's data: tables, frame, start of scan
    frame: int  # where in the head the frame (SOF0) begins
    rows: tuple[bytes, ...]


def split(jpeg: bytes) -> Rows:
    """Raises ValueError for a JPEG not made as `encode` makes them."""
    at, frame, restarts = 2, -1, False
    while at + 4 <= len(jpeg) and jpeg[at] == 0xFF:
        marker, length = jpeg[at + 1], int.from_bytes(jpeg[at + 2 : at + 4], "big")
        if marker == _SOF0:
            frame = at
        restarts = restarts or marker == _DRI
        at += 2 + length
        if marker == _SOS and frame > 0 and restarts and jpeg.endswith(_EOI):
            return Rows(jpeg[:at], frame, tuple(_RESTART.split(jpeg[at : -len(_EOI)])))
    raise ValueError("not a baseline JPEG with restart markers")


def _unsized(rows: Rows) -> bytes:
    """The head without the frame's height (the two bytes after the SOF0 segment's precision)."""
    return rows.head[: rows.frame + 5] + rows.head[rows.frame + 7 :]


def splice(whole: Rows, strip: Rows, first: int) -> bytes:
    """`whole` with its rows from `first` on replaced by the strip's, as one JPEG. Raises
    ValueError where the two were not encoded alike (then they cannot be joined)."""
    if _unsized(whole) != _unsized(strip) or first + len(strip.rows) > len(whole.rows):
        raise ValueError("the strip does not fit the image")
    rows = [*whole.rows[:first], *strip.rows, *whole.rows[first + len(strip.rows) :]]
    out = [whole.head]
    for number, row in enumerate(rows):
        if number:
            out.append(bytes((0xFF, 0xD0 + (number - 1) % 8)))
        out.append(row)
    out.append(_EOI)
    return b"".join(out)
