"""The batch files as the last build read and validated them, keyed by each file's status:
a rebuild reads and validates again only the batch files whose status changed.

Each file's entry is pickled once, where the file was read (in a worker process on a cold
build), and kept as bytes, so saving the cache after a small edit pickles only what changed.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from mfsite.diagnostics import Diagnostic
from mfsite.load.sources import BATCHES, SourceCache, SourceFile, StatKey
from mfsite.state.store import model_data
from mfsite.validate import ValidationMemo
from mfsite.validate.batch import BatchResult


@dataclass(slots=True)
class BatchFiles:
    """Hollow source entries (no YAML tree) and their validated results, ready for
    load_sources and validate."""

    cache: SourceCache = field(default_factory=SourceCache)
    memo: ValidationMemo = field(default_factory=ValidationMemo)
    # Each file's entry as stored, kept so an unchanged one is not pickled again on save.
    stored: dict[str, tuple[SourceFile | None, bytes]] = field(default_factory=dict)


def entry_of(digest: str, result: BatchResult | None, problems: list[Diagnostic]) -> bytes:
    """One batch file's entry as the cache stores it."""
    return pickle.dumps((digest, result, problems), protocol=pickle.HIGHEST_PROTOCOL)


def add_entry(files: BatchFiles, rel: str, key: StatKey, entry: bytes) -> None:
    """A stored entry, back as a hollow source and its result; the bytes are kept for saving.
    Raises ValueError for an entry of other shapes: the whole cache is then set aside."""
    digest, result, problems = model_data(entry)
    if type(digest) is not str or type(problems) is not list or set(map(type, problems)) - {Diagnostic}:
        raise ValueError("a damaged batch entry")
    if type(result) is not BatchResult and (result is not None or not problems):
        raise ValueError("a damaged batch entry")  # (a file that did not read has its problems)
    source = None
    if result is not None:
        source = SourceFile(rel, None, digest=digest)
        files.memo.results[rel] = (source, result)
    files.cache.entries[rel] = (key, source, problems)
    files.stored[rel] = (source, entry)


def from_data(data: dict) -> BatchFiles:
    found = BatchFiles(SourceCache(stems=data["stems"]), ValidationMemo(stems=data["stems"]))
    for rel, key, entry in data["files"]:
        add_entry(found, rel, tuple(key), entry)
    return found


def to_data(files: BatchFiles) -> dict:
    entries = []
    for rel, (key, source, problems) in sorted(files.cache.entries.items()):
        if not rel.startswith(f"{BATCHES.path}/"):
            continue  # content files are few and read every time: their trees are not kept
        stored = files.stored.get(rel)
        if stored is None or stored[0] is not source or source is None:
            kept = files.memo.results.get(rel)
            result = kept[1] if kept is not None and kept[0] is source else None
            if source is not None and result is None:
                continue  # read but not validated (a build stopped early): read it again next time
            stored = (source, entry_of(source.digest if source is not None else "", result, problems))
            files.stored[rel] = stored
        entries.append((rel, key, stored[1]))
    return {"stems": files.cache.stems, "files": entries}
