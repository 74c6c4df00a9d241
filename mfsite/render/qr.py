"""QR codes drawn straight from the module matrix, as SVG and PNG bytes.

The qrcode package decides the symbol: the segments of the data, the smallest
symbol (version) for them at the error-correction level, the codewords and the
mask. We draw the images ourselves: one SVG path of horizontal runs (crisp at
any size, a few hundred bytes) and a 1-bit, two-colour PNG, each module a
square of `module_px` pixels (no blur, no anti-aliasing).

qrcode's own drawing of the matrix is slow pure Python (a build makes
thousands of codes), so its inner loops are redone here with exactly its rules
and tables: its segments are sized and encoded with integer arithmetic and the
error correction with lookup tables (qrdata.py); the bits are placed and the
mask chosen with numpy (qrmask.py). A process's first few codes are still
drawn by qrcode itself, which is quicker than importing numpy for them. The
version, the mask and every matrix are the same either way (pages and caches
stay byte-identical; tests/test_qrmask.py checks both against qrcode), except
where qrcode fails (a block of zero bytes): those take the numpy path.
"""

from __future__ import annotations

import itertools
import re
import struct
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from mfsite.model import QrSettings

if TYPE_CHECKING:
    from qrcode.util import QRData
# qrcode moves a run of characters into a denser mode (alphanumeric, numeric)
# only when the run is at least this long; short runs can still pay off in an
# upper-case URL, so a few thresholds are tried and the smallest symbol kept.
SEGMENT_THRESHOLDS = (20, 8, 4)


def size_of(version: int) -> int:
    """Modules across a symbol of this version."""
    return version * 4 + 17


DIGITS = bytes.maketrans(b"\0\1", b"01")  # modules (bytes 0 and 1) as binary digits
FROM_DIGITS = bytes.maketrans(b"01", b"\0\1")


# Not frozen: one per batch, loaded from the cache at every build (see model.Record).
@dataclass(slots=True, unsafe_hash=True)
class QrSymbol:
    data: str
    version: int
    # The modules, row after row, eight to a byte (1 dark), the last byte padded with light
    # ones: the form the build cache stores, so a rebuild that loads 10,000 codes unpacks
    # only those it draws.
    packed: bytes

    @property
    def size(self) -> int:
        return size_of(self.version)

    @property
    def digits(self) -> str:
        """The modules, row after row, as binary digits: "1" dark, "0" light; no quiet zone."""
        count = self.size**2
        return format(int.from_bytes(self.packed, "big") >> (len(self.packed) * 8 - count), f"0{count}b")

    @property
    def cells(self) -> bytes:
        """The modules, row after row: bytes 0 (light) and 1 (dark); no quiet zone."""
        return self.digits.encode("ascii").translate(FROM_DIGITS)

    @property
    def modules(self) -> tuple[bytes, ...]:
        cells, size = self.cells, self.size
        return tuple(cells[i : i + size] for i in range(0, len(cells), size))


def packed_cells(cells: bytes) -> bytes:
    """QrSymbol.cells, eight to a byte: QrSymbol.packed."""
    size = -(-len(cells) // 8)
    return (int(cells.translate(DIGITS), 2) << (size * 8 - len(cells))).to_bytes(size, "big")


class QrTooLong(ValueError):
    """The data does not fit in the largest QR symbol at this level."""


# Codes a process draws with qrcode itself before it takes numpy (qrmask.py): slower a code,
# but numpy's import costs more than a few codes, which a rebuild that adds one batch (one
# new code) should not pay. benchmarks/qrmask.py measures both.
FEW_CODES = 16
_drawn = itertools.count(1)  # numbers the codes this process draws


def make_symbol(data: str, level: str) -> QrSymbol:
    version, chunks, error_correction = fit(data, level)
    rows = drawn_by_qrcode(chunks, version, error_correction) if next(_drawn) <= FEW_CODES else None
    if rows is None:
        rows = drawn_with_numpy(chunks, version, error_correction)
    return QrSymbol(data, version, packed_cells(b"".join(rows)))


def fit(data: str, level: str) -> tuple[int, list[QRData], int]:
    """The smallest symbol for the data, as qrcode finds it: its version, the data's segments
    and qrcode's constant for the error-correction level."""
    # Imported here: a rebuild finds its codes in the cache and seldom needs qrcode.
    from qrcode.util import optimal_data_chunks

    from mfsite.render.qrdata import LEVELS, best_fit

    error_correction = LEVELS[level]
    best: tuple[int, list[QRData]] | None = None
    for threshold in SEGMENT_THRESHOLDS:
        # The segments `QRCode.add_data(data, optimize=threshold)` would hold.
        chunks = list(optimal_data_chunks(data, minimum=threshold))
        version = best_fit(chunks, error_correction)  # as `QRCode.best_fit`; None: nothing fits
        if version is not None and (best is None or version < best[0]):
            best = version, chunks  # on a tie the first threshold stays
    if best is None:
        raise QrTooLong(f"{len(data)} characters do not fit in a QR code at level {level}")
    return best[0], best[1], error_correction


def drawn_by_qrcode(chunks: list[QRData], version: int, error_correction: int) -> list[bytes] | None:
    """The symbol's rows (bytes of 0 and 1), drawn by qrcode itself, mask and all; None where
    qrcode cannot: its error correction fails on a block of zero bytes ("glog(0)"), which a
    long run of zeros in a batch id can make. qrdata's does not."""
    from qrcode.main import QRCode

    code = QRCode(version=version, error_correction=error_correction, border=0)
    code.data_list = chunks
    try:
        code.make(fit=False)
    except ValueError:
        return None
    return [bytes(map(bool, row)) for row in code.modules]


def drawn_with_numpy(chunks: list[QRData], version: int, error_correction: int) -> tuple[bytes, ...]:
    """The same rows, with qrcode's inner loops redone on tables and numpy (qrdata, qrmask)."""
    from mfsite.render.qrdata import codewords
    from mfsite.render.qrmask import symbol_rows

    return symbol_rows(codewords(chunks, version, error_correction), version, error_correction)


class _Steps(dict[bytes, str]):
    """A run of dark modules and the light ones after it (as in the row) -> its path words:
    draw the dark run as a rectangle, then move past both. After `z` the pen is back at the
    rectangle's start, so the words depend on the run alone and are made once per process."""

    def __missing__(self, run: bytes) -> str:
        dark = len(run.rstrip(b"\0"))
        words = f"h{dark}v1h-{dark}z" + (f"m{len(run)} 0" if len(run) > dark else "")
        self[run] = words
        return words


STEPS = _Steps()
STEP = re.compile(rb"\x01+\x00*")


@lru_cache(maxsize=16)
def svg_path(symbol: QrSymbol, quiet: int) -> str:
    """The dark modules as one path of horizontal runs, one absolute move per row; kept a
    while: a batch's page, label and image draw the same."""
    words = []
    for y, row in enumerate(symbol.modules):
        if dark := row.lstrip(b"\0"):
            words.append(f"M{quiet + len(row) - len(dark)} {y + quiet}")
            words += map(STEPS.__getitem__, STEP.findall(dark.rstrip(b"\0")))
    return "".join(words)


def to_svg(symbol: QrSymbol, settings: QrSettings, label: str | None = None) -> str:
    quiet = settings.quiet_zone
    width = symbol.size + 2 * quiet
    path = svg_path(symbol, quiet)
    role = f' role="img" aria-label="{escape(label)}"' if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}" '
        f'shape-rendering="crispEdges"{role}>'
        f'<rect width="{width}" height="{width}" fill="{settings.light}"/>'
        f'<path fill="{settings.dark}" d="{path}"/></svg>\n'
    )


def inline_svg(symbol: QrSymbol, settings: QrSettings, label: str) -> Markup:
    """The code as an element inside a page: the label is its text alternative."""
    return Markup(to_svg(symbol, settings, label))


def to_png(symbol: QrSymbol, settings: QrSettings) -> bytes:
    """A two-colour PNG (1 bit per pixel, palette: light, dark), written straight from the rows.

    Pillow's resize and encoder cost more than all the rest of a code; an image of two
    colours on a module grid is a few hundred bytes of PNG we can write ourselves. Each
    module row is widened to `module_px` pixels per module once; the scanlines that repeat
    it are stored as "same as the line above" (PNG's Up filter on equal lines: all zeros),
    which zlib compresses in a fraction of the time the repeated pixels would take."""
    quiet = settings.quiet_zone
    scale = settings.module_px
    count = symbol.size + 2 * quiet  # modules across, quiet zone included
    width = count * scale
    size = -(-width // 8)  # bytes in a scanline
    again = (b"\2" + bytes(size)) * (scale - 1)
    blank = b"\0" * (size + 1) + again
    # Every row's modules eight to a byte (one number parsed from binary digits), each byte
    # then looked up as its eight modules' pixels: no Python step per module. A row is padded
    # with light modules to whole bytes; the padding's pixels are cut off with the scanline.
    per_row = -(-count // 8)
    margin, tail = "0" * quiet, "0" * (per_row * 8 - count + quiet)
    digits, across = symbol.digits, symbol.size
    padded = [margin + digits[i : i + across] + tail for i in range(0, len(digits), across)]
    packed = int("".join(padded), 2).to_bytes(per_row * across, "big")
    pixels = b"".join(map(_widened(scale).__getitem__, packed))
    rows = range(0, len(pixels), per_row * scale)
    lines = [blank] * quiet + [b"\0" + pixels[i : i + size] + again for i in rows] + [blank] * quiet
    header = struct.pack(">IIBBBBB", width, width, 1, 3, 0, 0, 0)  # 1 bit, palette, no interlace
    palette = bytes((*rgb(settings.light), *rgb(settings.dark)))
    return b"".join((
        PNG_SIGNATURE,
        _chunk(b"IHDR", header),
        _chunk(b"PLTE", palette),
        _chunk(b"IDAT", zlib.compress(b"".join(lines), PNG_COMPRESSION)),
        _chunk(b"IEND", b""),
    ))  # fmt: skip


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# zlib's level 3, not its default 6: on these scanlines (mostly zeros) it is much faster, for
# a few dozen bytes more a code.
PNG_COMPRESSION = 3


@lru_cache(maxsize=8)
def _widened(scale: int) -> list[bytes]:
    """Eight modules (the bits of a byte) -> their pixels, `scale` bits each: `scale` bytes."""
    return [
        int("".join(bit * scale for bit in f"{byte:08b}"), 2).to_bytes(scale, "big") for byte in range(256)
    ]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
