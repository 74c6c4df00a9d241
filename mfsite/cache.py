"""The build cache in `.mfsite-cache/`: what one build keeps for the next.

- QR codes (qr-codes.pickle, plain data): a code depends only on its URL and
  error-correction level, and making one is among the costliest steps.
- The batch files, read and validated (batches.pickle), keyed by each file's
  stat: a rebuild reads only the batch files that changed. This is what
  watch mode keeps in memory (load/sources.py SourceCache, validate's
  ValidationMemo), kept on disk.
- The manifest of the live output (manifest.py).

The folder is safe to delete at any time; CI can keep it between runs (see
the README). A cache written under other versions of mfsite, of the libraries
that shape the output or of Python (`mfsite.dependencies`) is ignored, and so is
a damaged one.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from mfsite import dependencies
from mfsite.diagnostics import Diagnostic, SiteErrors, Span
from mfsite.load.sources import SourceCache, SourceFile, StatKey, batch_file_reader
from mfsite.model import Batch
from mfsite.render.feeds import Parts
from mfsite.render.qr import QrSymbol, size_of
from mfsite.validate import ValidationMemo
from mfsite.validate.batch import BatchResult, read_batch

CACHE_DIR = ".mfsite-cache"
QR_FILE = "qr-codes.pickle"
BATCHES_FILE = "batches.pickle"
PARTS_FILE = "batch-parts.pickle"
Symbols = dict[tuple[str, str], QrSymbol]  # (URL, level) -> code


def _stamp() -> str:
    return f"{dependencies()}; 4"  # 4: the format of the files


def load_symbols(site: Path) -> Symbols:
    """The cached codes, or none when the cache is missing, stale or damaged."""
    try:
        data = plain_data((site / CACHE_DIR / QR_FILE).read_bytes())
        if type(data) is not dict or data.get("stamp") != _stamp():
            return {}
        return {
            (url, level): _symbol(url, level, version_, packed)
            for url, level, version_, packed in data["codes"]
        }
    except Exception:  # missing, or damaged (pickle's errors are of many kinds): make them anew
        return {}


def _symbol(url: str, level: str, version_: int, packed: bytes) -> QrSymbol:
    """A code stored as its version and QrSymbol.packed."""
    # Checked here, where a damage is caught: the modules are unpacked only when drawn.
    if (
        type(url) is not str
        or type(level) is not str
        or type(version_) is not int
        or not 1 <= version_ <= 40
        or type(packed) is not bytes
        or len(packed) != -(-(size_of(version_) ** 2) // 8)
    ):
        raise ValueError("a damaged QR code")
    return QrSymbol(url, version_, packed)


def save_symbols(site: Path, symbols: Symbols) -> None:
    codes = [(url, level, code.version, code.packed) for (url, level), code in sorted(symbols.items())]
    data = {"stamp": _stamp(), "codes": codes}
    write_pickle(site, QR_FILE, data)


def load_parts(site: Path) -> Parts:
    """Each batch's part of the long lists, as the last build made them (render.feeds.BatchParts);
    none when missing or damaged. Kept by signature: no stamp is needed."""
    try:
        data = plain_data((site / CACHE_DIR / PARTS_FILE).read_bytes())
        if type(data) is not dict:
            return {}
        for name, part in data.items():
            if type(name) is not str or type(part) is not tuple or len(part) != 2:
                return {}
            if not all(map(strings_only, part)) or part[0].keys() != part[1].keys():
                return {}
        return data
    except Exception:  # missing, or damaged (pickle's errors are of many kinds): make them all
        return {}


def save_parts(site: Path, parts: Parts) -> None:
    write_pickle(site, PARTS_FILE, parts)


def write_json(site: Path, name: str, data: object) -> None:
    write_cache_file(site, name, json.dumps(data, separators=(",", ":"), sort_keys=True).encode())


def write_pickle(site: Path, name: str, data: object) -> None:
    write_cache_file(site, name, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def write_cache_file(site: Path, name: str, data: bytes) -> None:
    """One cache file, written beside and renamed over the old one. A cache that
    cannot be written only costs the next build some speed: never an error."""
    folder = site / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, folder / name)
    except OSError:
        pass


# What batches.pickle may hold besides containers and strings: the model's classes
# and the standard types inside them. Anything else is refused, so a planted file
# cannot make the loader call arbitrary code (pickle's "restricting globals").
_ALLOWED = {
    "mfsite.model": None,  # every class there
    "mfsite.diagnostics": {"Span", "Diagnostic"},
    "mfsite.validate.batch": {"BatchResult"},
    "datetime": {"date"},
    "decimal": {"Decimal"},
}


_found: dict[tuple[str, str], object] = {}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        if (module, name) in _found:
            return _found[module, name]
        allowed = _ALLOWED.get(module, set())
        if module in _ALLOWED and (allowed is None or name in allowed):
            _found[module, name] = super().find_class(module, name)
            return _found[module, name]
        raise pickle.UnpicklingError(f"{module}.{name} is not part of mfsite's cache")


def plain_data(raw: bytes) -> object:
    """Unpickled data made of containers, strings and numbers only: any class is refused
    (the manifest)."""
    return _PlainUnpickler(io.BytesIO(raw)).load()


def strings_only(found: object) -> bool:
    """Whether this is a dict of strings to strings (what a damaged cache file may not hold),
    checked without a loop in Python: the manifest's dicts have 10,000 entries."""
    return type(found) is dict and set(map(type, found)) | set(map(type, found.values())) <= {str}


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> object:
        raise pickle.UnpicklingError(f"{module}.{name} is not part of mfsite's cache")


@dataclass(slots=True)
class BatchFiles:
    """The batch files as the last build read them: hollow source entries (no YAML tree)
    and their validated results, ready for load_sources and validate."""

    cache: SourceCache = field(default_factory=SourceCache)
    memo: ValidationMemo = field(default_factory=ValidationMemo)
    # Each file's entry as stored, kept so an unchanged one is not pickled again on save.
    stored: dict[str, tuple[SourceFile | None, bytes]] = field(default_factory=dict)


def load_batches(site: Path) -> BatchFiles:
    """Empty when the cache is missing, stale or damaged."""
    try:
        data = _Unpickler(io.BytesIO((site / CACHE_DIR / BATCHES_FILE).read_bytes())).load()
        if not isinstance(data, dict) or data.get("stamp") != _stamp():
            return BatchFiles()
        found = BatchFiles(SourceCache(stems=data["stems"], loaded=True), ValidationMemo(stems=data["stems"]))
        for rel, key, blob in data["files"]:
            add_batch_file(found, rel, tuple(key), blob, site)
        return found
    except Exception:  # any damage at all: read the files instead
        return BatchFiles()


def batch_file_entry(digest: str, result: BatchResult | None, problems: list[Diagnostic]) -> bytes:
    """One batch file's entry as the cache stores it (made where the file was read): its batch
    as a StoredBatch's head, and the rest of the batch pickled on its own."""
    head = None
    if result is not None and result.batch is not None:
        batch = result.batch
        body = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
        head = (batch.id, batch.span, batch.produced, batch.gtin, batch.named(), body)
        result = replace(result, batch=None)
    return pickle.dumps((digest, result, problems, head), protocol=pickle.HIGHEST_PROTOCOL)


def add_batch_file(
    files: BatchFiles, rel: str, key: StatKey, entry: bytes, root: Path, whole: bool = False
) -> None:
    """A stored entry, back as a hollow source and its result; the bytes are kept for saving.
    `root`: the site folder, where a batch whose stored body is damaged is read again.
    `whole`: the batch unpickled at once, for an entry just made from its file (a cold build):
    such a batch is rendered anyway, and made whole before the rendering processes fork, they
    share it rather than each unpickling it."""
    digest, result, problems, head = _Unpickler(io.BytesIO(entry)).load()
    source = None
    if isinstance(result, BatchResult):
        if head is not None and whole:
            result.batch = _Unpickler(io.BytesIO(head[-1])).load()
        elif head is not None:
            result.batch = StoredBatch.of(head, (root, files.memo.stems))
        source = SourceFile(rel, None, digest=digest)
        files.memo.results[rel] = (source, result)
    files.cache.entries[rel] = (key, source, problems)
    files.stored[rel] = (source, entry)


class StoredBatch(Batch):
    """A batch from the build cache. What builds read of every batch (its id, file, date and
    GTIN, and the content files it names) is set at once; its other fields are unpickled the
    first time one is asked for. A rebuild after a small edit shows a few hundred batches of
    10,000 (the changed ones, the home page's, a month's), and loading every batch whole was
    its largest step (about 0.3 s).

    Equal to, hashed as and pickled as the plain Batch it stands for."""

    __slots__ = ("_body", "_named", "_origin")
    _named: tuple[tuple[str, str], ...]
    _body: bytes  # the pickled Batch, until it is unpickled
    _origin: tuple[Path, dict[str, list[str]]]  # the site folder and its content stems

    @classmethod
    def of(
        cls,
        head: tuple[str, Span, date, str | None, tuple[tuple[str, str], ...], bytes],
        origin: tuple[Path, dict[str, list[str]]],
    ) -> StoredBatch:
        batch = cls.__new__(cls)
        batch.id, batch.span, batch.produced, batch.gtin, batch._named, batch._body = head
        batch._origin = origin
        return batch

    def named(self) -> tuple[tuple[str, str], ...]:
        return self._named

    def __getattr__(self, name: str) -> object:
        """Called for a field not yet set (and any other name this class lacks)."""
        if name.startswith("_") or not self._body:  # (no load for dunder probes such as __html__)
            raise AttributeError(name)
        whole = self._unpickled()
        for field_name in Batch.__match_args__:
            setattr(self, field_name, getattr(whole, field_name))
        self._body = b""
        return getattr(self, name)

    def _unpickled(self) -> Batch:
        try:
            whole = _Unpickler(io.BytesIO(self._body)).load()
            if type(whole) is Batch and whole.id == self.id:
                return whole
        except Exception:  # damaged or planted: read the file again (its status is unchanged)
            pass
        root, stems = self._origin
        parsed, problems = batch_file_reader(root)(str(root / self.span.path))
        result = read_batch(parsed, stems) if parsed is not None else None
        if result is None or result.batch is None:
            raise SiteErrors(problems + (result.problems if result is not None else []))
        return result.batch

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return Batch, tuple(getattr(self, name) for name in Batch.__match_args__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Batch) and self.__reduce__() == other.__reduce__()

    __hash__ = Batch.__hash__


def save_batches(site: Path, files: BatchFiles) -> None:
    entries = []
    for rel, (key, source, problems) in sorted(files.cache.entries.items()):
        if not rel.startswith("batches/"):
            continue  # content files are few and read every time: their trees are not kept
        stored = files.stored.get(rel)
        if stored is None or stored[0] is not source or source is None:
            kept = files.memo.results.get(rel)
            result = kept[1] if kept is not None and kept[0] is source else None
            if source is not None and result is None:
                continue  # read but not validated (a build stopped early): read it again next time
            stored = (source, batch_file_entry(source.digest if source is not None else "", result, problems))
        entries.append((rel, key, stored[1]))
    data = {"stamp": _stamp(), "stems": files.cache.stems, "files": entries}
    write_pickle(site, BATCHES_FILE, data)
