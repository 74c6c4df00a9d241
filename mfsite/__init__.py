"""mfsite: static traceability sites for microfactory production batches."""

import hashlib
import os
import re
import sys
import zlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

__version__ = "0.1.0"  # written here only: pyproject.toml reads it (tool.setuptools.dynamic)

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
    versions = installed_versions(OUTPUT_LIBRARIES)
    found += (f"{name} {versions[name]}" for name in OUTPUT_LIBRARIES)
    return "; ".join(found)


def installed_versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each of these distributions ("unknown" where it has no
    metadata: a bundled app), as the name of its `<name>-<version>.dist-info` folder says it,
    found as importlib.metadata finds it (the first on sys.path). One listing of each folder
    on the path: importlib.metadata would import the email package, about 40 ms of every
    build, to read the same version from each METADATA file. It is asked only of one this
    way does not find (an egg-info, say)."""
    wanted = {_normalized(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for item in listing:
            if item.endswith(".dist-info") and "-" in item:
                name, _, version = item.removesuffix(".dist-info").rpartition("-")
                if (known := wanted.get(_normalized(name))) is not None:
                    found.setdefault(known, version)
    if missing := [name for name in wanted.values() if name not in found]:
        from importlib.metadata import PackageNotFoundError, version

        for name in missing:
            try:
                found[name] = version(name)
            except PackageNotFoundError:
                found[name] = "unknown"
    return found


def _normalized(name: str) -> str:
    """A distribution's name as packaging compares them (`Markdown-It_py` is `markdown-it-py`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


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
