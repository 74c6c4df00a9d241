"""The build state: everything one build keeps for the next, behind one object.

`mfsite build` loads it from `.mfsite-cache/` in the site folder; `watch` and `serve` keep one
in memory between rebuilds and save it after each, so a later `mfsite build` knows what they
wrote. It holds:

- the batch files, read and validated, keyed by each file's status (batches.pickle);
- the QR codes by URL and error-correction level (qr-codes.pickle): making one is among the
  costliest steps;
- each batch's part of the long lists (parts/, a file a list), by the batch's signature;
- the photos and static images as last read, by their status (pictures.pickle): their digests
  and sizes; the processed copies themselves are in photos/ (state/photos.py);
- per output folder, the output record (output-*.pickle, record.py): what each file was made
  from, its status as written, and the last report.

Every file carries one version stamp: mfsite's version and those of Python and the libraries
that shape the output (`mfsite.dependencies`). A file with another stamp, or damaged, is
ignored: the state is a cache, safe to delete at any time, and one that cannot be written
costs speed, never correctness (every kept output file is checked against its record).
"""

from __future__ import annotations

import hashlib
import json
import sys
from array import array
from collections.abc import Callable
from dataclasses import astuple
from functools import cache, partial
from pathlib import Path

from mfsite import dependencies, own_digest
from mfsite.load.pictures import Picture, Pictures
from mfsite.publish import inside
from mfsite.render.feeds import NUMBERS, SEP, ListParts, Parts
from mfsite.render.qr import QrSymbol, size_of
from mfsite.state import batches, record
from mfsite.state.batches import BatchFiles
from mfsite.state.record import Record
from mfsite.state.store import (
    CACHE_DIR,
    model_data,
    plain_data,
    remove_file,
    write_file,
    write_pickle,
)

Symbols = dict[tuple[str, str], QrSymbol]  # (URL, level) -> code
FORMAT = 8  # of the files below: part of the stamp
BATCHES_FILE = "batches.pickle"
QR_FILE = "qr-codes.pickle"
PICTURES_FILE = "pictures.pickle"
PARTS_FOLDER = "parts"  # each list's parts, a file a list


@cache
def stamp() -> str:
    """The versions that shape the output, and the bytes of the running mfsite: what the state
    was made by (a working copy being edited makes it anew); and the machine's byte order, in
    which the record keeps its numbers."""
    return f"{dependencies()}; state {FORMAT} {sys.byteorder}; {own_digest()}"


class BuildState:
    """The state of one site built into one output folder. Each part is read from disk the
    first time it is asked for (a build that finds nothing changed reads the record only)."""

    def __init__(self, source: Path, output: Path) -> None:
        self.folder = source / CACHE_DIR
        self.output = output
        self.record_name = f"output-{_digest(str(output.resolve()))}.pickle"
        self._batches: BatchFiles | None = None
        self._symbols: Symbols | None = None
        self._parts: StoredParts | None = None
        self._record: Record | None = None
        self._pictures: Pictures | None = None
        self.saved_codes = 0  # how many codes the QR file holds
        # Watch and serve keep the state in memory and write it once the new pages are out
        # (flush); a build writes each part as it is done.
        self.deferred = False
        self.unsaved: dict[str, Callable[[], None]] = {}  # file name -> its latest save
        self.in_doubt: set[str] = set()  # the files a stopped publish left (the record forgets them)

    # -- the parts, each loaded on first use ----------------------------------------------

    @property
    def batch_files(self) -> BatchFiles:
        if self._batches is None:
            data = self._load(BATCHES_FILE, model_data)
            try:
                self._batches = batches.from_data(data) if isinstance(data, dict) else BatchFiles()
            except Exception:  # damaged in any way: read the files instead
                self._batches = BatchFiles()
        return self._batches

    def forget_batches(self) -> None:
        """Read every batch file again (the batch cache was found damaged)."""
        self._batches = BatchFiles()

    def forget(self) -> None:
        """Trust nothing kept (`--clean`): every file read again, every code made anew."""
        self._batches, self._symbols, self._pictures = BatchFiles(), {}, {}
        self._parts = StoredParts(lambda _: None)

    @property
    def pictures(self) -> Pictures:
        """The photos and static images as last read, under their status (load/pictures.py)."""
        if self._pictures is None:
            self._pictures = {}
            data = self._load(PICTURES_FILE, plain_data)
            try:
                for rel, key, (digest, width, height, problem, gps) in data if isinstance(data, list) else ():
                    picture = Picture(digest, width, height, problem, gps)
                    if _valid_picture(rel, key, picture):
                        self._pictures[rel] = (key, picture)
            except (TypeError, ValueError):  # damaged: read the pictures again
                self._pictures = {}
        return self._pictures

    @property
    def symbols(self) -> Symbols:
        if self._symbols is None:
            self._symbols = {}
            data = self._load(QR_FILE, plain_data)
            try:
                for url, level, version, packed in data if isinstance(data, list) else ():
                    self._symbols[url, level] = _symbol(url, level, version, packed)
            except (TypeError, ValueError):  # damaged: make them anew
                self._symbols = {}
            self.saved_codes = len(self._symbols)
        return self._symbols

    @property
    def parts(self) -> StoredParts:
        if self._parts is None:
            self._parts = StoredParts(self._read_list)
        return self._parts

    def _read_list(self, name: str) -> object:
        return self._load(_list_file(name), plain_data, self.folder / PARTS_FOLDER)

    @property
    def record(self) -> Record:
        """The record of the output folder; empty where none is kept, or the one kept is for
        another folder (a path's digest can collide) or damaged."""
        if self._record is None:
            data = self.record_data()
            found = None
            if data is not None:
                try:
                    found = record.from_data(data)
                except Exception:  # damaged in a way no check foresaw: build as without one
                    found = None
            self._record = self._finish_pending(found if found is not None else Record())
        return self._record

    def record_data(self) -> dict | None:
        """The record's data as saved, of this stamp and output folder (its contents are
        checked by record.from_data), or None."""
        data = self._load(self.record_name, plain_data)
        return data if isinstance(data, dict) and data.get("output") == str(self.output.resolve()) else None

    # -- saving ----------------------------------------------------------------------------

    def save_batch_files(self) -> None:
        self._when(BATCHES_FILE, lambda: self._save(BATCHES_FILE, batches.to_data(self.batch_files)))

    def save_symbols(self, in_use: set[tuple[str, str]] | None = None) -> None:
        """Save the codes; with `in_use`, only those (the cache keeps the codes the site uses)."""
        symbols = self.symbols
        keys = sorted(symbols if in_use is None else in_use & symbols.keys())

        def write() -> None:
            codes = []
            for url, level in keys:
                code = symbols[url, level]
                codes.append((url, level, code.version, code.packed))
            if self._save(QR_FILE, codes):
                self.saved_codes = len(codes)

        self._when(QR_FILE, write)

    def save_pictures(self) -> None:
        pictures = self.pictures
        data = [(rel, key, astuple(picture)) for rel, (key, picture) in sorted(pictures.items())]
        self._when(PICTURES_FILE, lambda: self._save(PICTURES_FILE, data))

    def save_parts(self, made: Parts) -> None:
        """Keep the lists made, each in a file of its own (the others stay as saved)."""
        for name, part in made.items():
            self.parts.loaded[name] = part
            file = _list_file(name)
            data = (name, part.ids, part.signatures, part.sep, part.text, part.lengths.tobytes())
            self._when(f"{PARTS_FOLDER}/{file}", partial(self._save, file, data, self.folder / PARTS_FOLDER))

    def save_record(self, now: Record) -> None:
        """Keep the new record; where it cannot be written, the old one must not stay either
        (it would describe files that were replaced since)."""
        self._record = now

        def write() -> None:
            if self._save(self.record_name, {"output": str(self.output.resolve()), **record.to_data(now)}):
                remove_file(self.folder, self._pending_name)
            else:
                remove_file(self.folder, self.record_name)

        self._when(self.record_name, write)

    def _when(self, name: str, write: Callable[[], None]) -> None:
        if self.deferred:
            self.unsaved[name] = write  # (replacing an older save of the same file)
        else:
            write()

    def flush(self) -> None:
        """Write what is kept in memory only."""
        unsaved, self.unsaved = self.unsaved, {}
        for write in unsaved.values():
            write()

    # -- a publish that may stop half-way --------------------------------------------------

    @property
    def _pending_name(self) -> str:
        return self.record_name.replace(".pickle", ".publishing")

    def begin(self, paths: list[str]) -> bool:
        """Note the files a publish in place is about to replace or delete, in case it stops
        half-way: the next build makes them again. False where the note cannot be written:
        then the build must not publish in place."""
        return write_file(self.folder, self._pending_name, json.dumps(paths).encode())

    def end(self) -> None:
        """No publish under way after all (the build failed before it)."""
        remove_file(self.folder, self._pending_name)

    def _finish_pending(self, found: Record) -> Record:
        try:
            pending = json.loads((self.folder / self._pending_name).read_bytes())
        except (OSError, ValueError):
            return found  # no publish was stopped half-way
        if found.empty:
            return found  # the folder is replaced whole
        if not isinstance(pending, list) or not all(type(p) is str and inside(p) for p in pending):
            return Record()  # damaged: trust none of it
        self.in_doubt = set(pending)
        found.forget(self.in_doubt)
        return found

    # -- the files -------------------------------------------------------------------------

    def _load(self, name: str, loader: object, folder: Path | None = None) -> object:
        """A state file's data, or None when it is missing, damaged or of another stamp."""
        try:
            data = loader(((folder or self.folder) / name).read_bytes())  # type: ignore[operator]
        except Exception:  # missing, or damaged (pickle's errors are of many kinds)
            return None
        if type(data) is not tuple or len(data) != 2 or data[0] != stamp():
            return None
        return data[1]

    def _save(self, name: str, data: object, folder: Path | None = None) -> bool:
        return write_pickle(folder or self.folder, name, (stamp(), data))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _symbol(url: str, level: str, version: int, packed: bytes) -> QrSymbol:
    """A code stored as its version and QrSymbol.packed, checked where a damage is caught."""
    if (
        type(url) is not str
        or type(level) is not str
        or type(version) is not int
        or not 1 <= version <= 40
        or type(packed) is not bytes
        or len(packed) != -(-(size_of(version) ** 2) // 8)
    ):
        raise ValueError("a damaged QR code")
    return QrSymbol(url, version, packed)


class StoredParts:
    """The lists' parts as the state keeps them: each list in a file of its own (parts/), read
    when a build asks for it. A rebuild of one batch joins four of the seventy lists of a
    10,000-batch site in two languages (its month's page in each, batches.json, sitemap.xml)."""

    def __init__(self, read: Callable[[str], object]) -> None:
        self.read = read  # a list's data as saved, by the list's name (None where none is)
        self.loaded: dict[str, ListParts | None] = {}

    def get(self, name: str) -> ListParts | None:
        if name not in self.loaded:
            self.loaded[name] = _list_of(name, self.read(name))
        return self.loaded[name]


def _list_file(name: str) -> str:
    return f"{_digest(name)}.pickle"


def _list_of(name: str, data: object) -> ListParts | None:
    """A list's parts as saved with its name; None where damaged (its parts are made again) or
    another list's (their names' digests are the same)."""
    if type(data) is not tuple or len(data) != 6 or data[0] != name:
        return None
    _, ids, signatures, sep, text, packed = data
    if {type(ids), type(signatures)} != {str} or {type(sep), type(text), type(packed)} != {bytes}:
        return None
    lengths = array(NUMBERS)
    if len(packed) % lengths.itemsize:
        return None
    lengths.frombytes(packed)
    count = _count(ids)
    if _count(signatures) != count or len(lengths) != count or (count and min(lengths) < 0):
        return None
    if sum(lengths) + len(sep) * max(count - 1, 0) != len(text):
        return None
    return ListParts(ids, signatures, sep, text, lengths)


def _count(joined: str) -> int:
    return joined.count(SEP) + 1 if joined else 0


def _valid_picture(rel: object, key: object, picture: Picture) -> bool:
    """What a damaged file could have put in an entry: each field of its own type only."""
    if type(rel) is not str or type(key) is not tuple or [type(k) for k in key] != [int, int, int]:
        return False
    kinds = (str, int, int, str, bool)
    return all(type(value) is kind for value, kind in zip(astuple(picture), kinds, strict=True))
