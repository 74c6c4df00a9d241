"""Files in `.mfsite-cache/`: each written whole beside the old one and renamed over it, and
read back by loaders that refuse to run code.

A cache file that cannot be written (a full disk, a read-only folder) only costs the next build
some speed: writing it says so by returning False, and leaves no half-written file behind.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import tempfile
from pathlib import Path

CACHE_DIR = ".mfsite-cache"
PHOTOS_FOLDER = "photos"  # processed photos (state/photos.py)


def write_file(folder: Path, name: str, data: bytes) -> bool:
    """Write one cache file atomically; False when it could not be written."""
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)  # (parts/ may come before .mfsite-cache/)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, folder / name)
        return True
    except OSError:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False


def write_pickle(folder: Path, name: str, data: object) -> bool:
    return write_file(folder, name, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def remove_file(folder: Path, name: str) -> None:
    with contextlib.suppress(OSError):
        (folder / name).unlink()


# What the batch cache may hold besides containers and strings: the model's classes, the
# function that makes a stored batch, and the standard types inside them. Anything else is
# refused, so a planted file cannot make the loader call arbitrary code (pickle's "restricting
# globals"): no other function of those modules, nor a dotted name reaching past them.
_ALLOWED = {
    "mfsite.model": None,  # every class defined there, and stored_batch
    "mfsite.diagnostics": {"Span", "Diagnostic"},
    "mfsite.validate.batch": {"BatchResult"},
    "datetime": {"date"},
    "decimal": {"Decimal"},
}
_found: dict[tuple[str, str], object] = {}


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) in _found:
            return _found[module, name]
        allowed = _ALLOWED.get(module, set())
        if module in _ALLOWED and (name in allowed if allowed is not None else "." not in name):
            found = super().find_class(module, name)
            if allowed is not None or _of_the_model(found):
                _found[module, name] = found
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of mfsite's cache")


def _of_the_model(found: object) -> bool:
    """A class the model defines, or the function that makes a stored batch."""
    made_there = getattr(found, "__module__", None) == "mfsite.model"
    return made_there and (isinstance(found, type) or getattr(found, "__name__", "") == "stored_batch")


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        raise pickle.UnpicklingError(f"{module}.{name} is not part of mfsite's cache")


class DamagedState(Exception):
    """A part of the state found damaged only once in use (a stored batch's body): the engine
    runs the build again without the batch cache."""


def model_data(raw: bytes) -> object:
    """Unpickled data that may hold the model's classes, and no other."""
    return _ModelUnpickler(io.BytesIO(raw)).load()


def plain_data(raw: bytes) -> object:
    """Unpickled data made of containers, strings and numbers only: any class is refused."""
    return _PlainUnpickler(io.BytesIO(raw)).load()


def strings_only(found: object) -> bool:
    """Whether this is a dict of strings to strings, checked without a loop in Python (the
    output record's dicts have tens of thousands of entries)."""
    return type(found) is dict and set(map(type, found)) | set(map(type, found.values())) <= {str}
