"""The build cache in `.mfsite-cache/`: QR codes, kept between builds.

Making a QR code is the costliest step of a build (the qrcode package tries
all eight mask patterns, in pure Python). A code depends only on its URL and
error-correction level, so codes are kept here by those and reused. The
folder is safe to delete at any time; CI can keep it between runs (see the
README). A cache written by another mfsite or qrcode version is ignored.
"""

from __future__ import annotations

import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path

from mfsite import __version__
from mfsite.render.qr import QrSymbol

CACHE_DIR = ".mfsite-cache"
QR_FILE = "qr-codes.json"
Symbols = dict[tuple[str, str], QrSymbol]  # (URL, level) -> code


def _stamp() -> str:
    return f"mfsite {__version__}; qrcode {version('qrcode')}"


def load_symbols(site: Path) -> Symbols:
    """The cached codes, or none when the cache is missing, stale or damaged."""
    path = site / CACHE_DIR / QR_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("stamp") != _stamp():
            return {}
        return {
            (url, level): QrSymbol(url, version_, tuple(bytes.fromhex(row) for row in rows))
            for url, level, version_, rows in data["codes"]
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # damaged: make them anew
        return {}


def save_symbols(site: Path, symbols: Symbols) -> None:
    codes = [
        [url, level, symbol.version, [row.hex() for row in symbol.modules]]
        for (url, level), symbol in sorted(symbols.items())
    ]
    write_json(site, QR_FILE, {"stamp": _stamp(), "codes": codes})


def write_json(site: Path, name: str, data: object) -> None:
    """One cache file, written beside and renamed over the old one. A cache that
    cannot be written only costs the next build some speed: never an error."""
    folder = site / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, separators=(",", ":"), sort_keys=True)
        os.replace(tmp, folder / name)
    except OSError:
        pass
