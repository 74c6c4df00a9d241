"""QR codes drawn straight from the module matrix, as SVG and PNG bytes.

The qrcode package decides the symbol: the segments of the data, the smallest
symbol (version) for them at the error-correction level, the codewords and the
mask. We draw the images ourselves: one SVG path of horizontal runs (crisp at
any size, a few hundred bytes) and a two-colour PNG scaled with
nearest-neighbour (no blur, no anti-aliasing).

qrcode's own drawing of the matrix is slow pure Python (a build makes
thousands of codes), so its inner loops are redone here with exactly its rules
and tables: its segments are sized and encoded with integer arithmetic and the
error correction with lookup tables (qrdata.py); the bits are placed and the
mask chosen with numpy (qrmask.py). The version, the mask and every matrix are
the same as qrcode's own (pages and caches stay byte-identical;
tests/test_qrmask.py checks against qrcode).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache

import qrcode.constants
from markupsafe import Markup, escape
from PIL import Image
from qrcode.util import QRData, optimal_data_chunks

from mfsite.model import QrSettings
from mfsite.render.qrdata import best_fit, codewords

LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
# qrcode moves a run of characters into a denser mode (alphanumeric, numeric)
# only when the run is at least this long; short runs can still pay off in an
# upper-case URL, so a few thresholds are tried and the smallest symbol kept.
SEGMENT_THRESHOLDS = (20, 8, 4)


@dataclass(frozen=True, slots=True)
class QrSymbol:
    data: str
    version: int
    cells: bytes  # the modules, row after row: 0 light, 1 dark; no quiet zone

    @property
    def size(self) -> int:
        return self.version * 4 + 17

    @property
    def modules(self) -> tuple[bytes, ...]:
        size = self.size
        return tuple(self.cells[i : i + size] for i in range(0, len(self.cells), size))


class QrTooLong(ValueError):
    """The data does not fit in the largest QR symbol at this level."""


def make_symbol(data: str, level: str) -> QrSymbol:
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
    from mfsite.render.qrmask import symbol_rows  # here: numpy is slow to import (~0.1 s)

    version, chunks = best
    rows = symbol_rows(codewords(chunks, version, error_correction), version, error_correction)
    return QrSymbol(data=data, version=version, cells=b"".join(rows))


DARK_RUN = re.compile(rb"\x01+")


def runs(symbol: QrSymbol) -> list[tuple[int, int, int]]:
    """(x, y, length) of every horizontal run of dark modules."""
    return [
        (run.start(), y, run.end() - run.start())
        for y, row in enumerate(symbol.modules)
        for run in DARK_RUN.finditer(row)
    ]


@lru_cache(maxsize=16)
def svg_path(symbol: QrSymbol, quiet: int) -> str:
    """The dark modules as one path; kept a while: a batch's page, label and image draw the same."""
    return "".join(f"M{x + quiet} {y + quiet}h{n}v1h-{n}z" for x, y, n in runs(symbol))


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
    quiet = settings.quiet_zone
    width = symbol.size + 2 * quiet
    light = b"\x00"  # palette index 0; dark modules are already 1 in the rows
    margin = light * quiet
    rows = [light * width] * quiet
    rows += [margin + row + margin for row in symbol.modules]  # the rows are palette indices already
    rows += [light * width] * quiet
    image = Image.frombytes("P", (width, width), b"".join(rows))
    image.putpalette([*rgb(settings.light), *rgb(settings.dark)])
    scale = settings.module_px
    image = image.resize((width * scale, width * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", bits=1)  # 1-bit: small without the slow optimize pass
    return out.getvalue()


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)
