"""QR codes drawn straight from the module matrix, as SVG and PNG bytes.

The qrcode package chooses the smallest symbol (version) for the data and
the error-correction level; we only take its matrix and draw it ourselves:
one SVG path of horizontal runs (crisp at any size, a few hundred bytes) and
a 1-bit PNG scaled with nearest-neighbour (no blur, no anti-aliasing).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
import qrcode.constants
from PIL import Image

LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
QUIET_ZONE = 4  # modules of light margin the QR standard asks for
PNG_MODULE_PX = 8


@dataclass(frozen=True, slots=True)
class QrSymbol:
    data: str
    version: int
    modules: tuple[tuple[bool, ...], ...]  # without the quiet zone

    @property
    def size(self) -> int:
        return len(self.modules)


class QrTooLong(ValueError):
    """The data does not fit in the largest QR symbol at this level."""


def make_symbol(data: str, level: str) -> QrSymbol:
    code = qrcode.QRCode(error_correction=LEVELS[level], border=0)
    code.add_data(data)
    try:
        code.make(fit=True)
    except (ValueError, qrcode.exceptions.DataOverflowError) as exc:
        # qrcode raises a bare ValueError when nothing fits (HAZARDS.md).
        raise QrTooLong(f"{len(data)} characters do not fit in a QR code at level {level}") from exc
    matrix = tuple(tuple(bool(m) for m in row) for row in code.get_matrix())
    return QrSymbol(data=data, version=code.version, modules=matrix)


def to_svg(symbol: QrSymbol) -> bytes:
    width = symbol.size + 2 * QUIET_ZONE
    runs = []
    for y, row in enumerate(symbol.modules):
        x = 0
        while x < symbol.size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < symbol.size and row[x]:
                x += 1
            runs.append(f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}" '
        f'shape-rendering="crispEdges">'
        f'<rect width="{width}" height="{width}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>\n'
    ).encode()


def to_png(symbol: QrSymbol, module_px: int = PNG_MODULE_PX) -> bytes:
    width = symbol.size + 2 * QUIET_ZONE
    light, dark = b"\xff", b"\x00"
    margin = light * QUIET_ZONE
    rows = [light * width] * QUIET_ZONE
    rows += [margin + b"".join(dark if m else light for m in row) + margin for row in symbol.modules]
    rows += [light * width] * QUIET_ZONE
    image = Image.frombytes("L", (width, width), b"".join(rows))
    image = image.resize((width * module_px, width * module_px), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.convert("1").save(out, format="PNG", optimize=True)
    return out.getvalue()
