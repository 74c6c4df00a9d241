"""mfsite: static traceability sites for microfactory production batches."""

import hashlib
import sys
import zlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("mfsite")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

# The libraries whose versions can change the bytes a build writes, or what it makes of the
# sources (YAML, country codes, GTINs, QR symbols, markdown, links, escaping, photos, cards).
# Not numpy: it only speeds up drawing QR codes, held to qrcode's own module for module; not
# click or watchdog, which take the command line and file events.
OUTPUT_LIBRARIES = (
    "jinja2", "markupsafe", "markdown-it-py", "mdurl", "pyyaml", "pycountry", "qrcode", "biip", "babel",
    "pillow",
)  # fmt: skip


@cache
def dependencies() -> str:
    """What besides the sources shapes the output: mfsite's version, those libraries', Python's
    (its Unicode data decides markdown's emphasis and the journey's text widths) and zlib's
    (the QR code's PNG). Part of every signature and cache stamp, and of the up-to-date check,
    so upgrading any of them makes everything anew, as a clean build would."""
    found = [f"mfsite {__version__}", f"python {sys.version.split()[0]}", f"zlib {zlib.ZLIB_RUNTIME_VERSION}"]
    for name in OUTPUT_LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:  # installed without its metadata (a bundled app)
            found.append(f"{name} unknown")
    return "; ".join(found)


PACKAGE = Path(__file__).parent


def package_files() -> list[Path]:
    """mfsite's own files: its code, theme and schemas."""
    return sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@cache
def own_digest() -> str:
    """The bytes of mfsite's own files as the running process found them, as one value. Part
    of every signature and of the state's stamp: a change to any (a new mfsite, or a working
    copy being edited) makes every output, and every cached reading, anew."""
    found = hashlib.blake2b(digest_size=16)
    for path in package_files():
        found.update(f"{path.relative_to(PACKAGE).as_posix()}\0".encode())
        found.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return found.hexdigest()
