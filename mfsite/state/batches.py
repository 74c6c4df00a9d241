"""The batch files as the last build read and validated them, keyed by each file's status:
a rebuild reads and validates again only the batch files whose status changed.

The entries are stored in groups, each group one pickle of up to GROUP entries: unpickling
ten groups is about twice as fast as unpickling their entries one by one (a group shares the
strings and classes its entries repeat). A group is pickled once, where its files were read
(in a worker process on a cold build), and kept as bytes: saving the cache after an edit
pickles again only the groups that lost an entry, and the entries read anew.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from itertools import chain

from mfsite.diagnostics import Diagnostic
from mfsite.load.sources import BATCHES, SourceCache, SourceFile, StatKey
from mfsite.state.store import model_data
from mfsite.validate import ValidationMemo
from mfsite.validate.batch import BatchResult

GROUP = 1000  # entries per group pickled anew

Entry = tuple[str, str, BatchResult | None, list[Diagnostic]]  # rel, digest, result, problems


@dataclass(slots=True)
class BatchFiles:
    """Hollow source entries (no YAML tree) and their validated results, ready for
    load_sources and validate."""

    cache: SourceCache = field(default_factory=SourceCache)
    memo: ValidationMemo = field(default_factory=ValidationMemo)
    # The groups as stored (bytes), and for each file its group and the source it held
    # there: a group whose files all still hold those is saved again as it is.
    groups: list[bytes] = field(default_factory=list)
    stored: dict[str, tuple[int, SourceFile | None]] = field(default_factory=dict)


def group_of(entries: list[Entry]) -> bytes:
    """Entries as the cache stores them together."""
    return pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)


def add_group(files: BatchFiles, keys: dict[str, StatKey], raw: bytes) -> None:
    """A stored group, back as hollow sources and their results, each under its file's status
    in `keys`; the bytes are kept for saving. Raises ValueError for a group or an entry of
    other shapes: the whole cache is then set aside."""
    entries = model_data(raw)
    if type(entries) is not list or set(map(type, entries)) - {tuple} or set(map(len, entries)) - {4}:
        raise ValueError("a damaged batch group")
    # The shapes of every entry checked column by column, each in one loop in C.
    rels, digests, results, problem_lists = zip(*entries, strict=True) if entries else ((), (), (), ())
    if not keys.keys() >= set(rels) or set(map(type, digests)) - {str}:
        raise ValueError("a damaged batch entry")
    problems_of_all = chain.from_iterable(problem_lists)
    if set(map(type, problem_lists)) - {list} or set(map(type, problems_of_all)) - {Diagnostic}:
        raise ValueError("a damaged batch entry")
    if set(map(type, results)) - {BatchResult, type(None)}:
        raise ValueError("a damaged batch entry")
    number = len(files.groups)
    files.groups.append(raw)
    for rel, digest, result, problems in entries:
        if result is None and not problems:
            raise ValueError("a damaged batch entry")  # (a file that did not read has its problems)
        source = None
        if result is not None:
            source = SourceFile(rel, None, digest=digest)
            files.memo.results[rel] = (source, result)
        files.cache.entries[rel] = (keys[rel], source, problems)
        files.stored[rel] = (number, source)


def from_data(data: dict) -> BatchFiles:
    found = BatchFiles(SourceCache(stems=data["stems"]), ValidationMemo(stems=data["stems"]))
    keys: list[dict[str, StatKey]] = [{} for _ in data["groups"]]
    for rel, key, number in data["files"]:
        keys[number][rel] = tuple(key)
    for raw, of_group in zip(data["groups"], keys, strict=True):
        add_group(found, of_group, raw)
    if len(found.stored) != len(data["files"]):
        raise ValueError("a file without its entry")
    return found


def to_data(files: BatchFiles) -> dict:
    entries = {rel: kept for rel, kept in files.cache.entries.items() if rel.startswith(f"{BATCHES.path}/")}
    # A group is kept as stored while each of its files holds the source it held there.
    members: list[list[str]] = [[] for _ in files.groups]
    for rel, (number, _) in files.stored.items():
        members[number].append(rel)
    whole = [
        all(rel in entries and entries[rel][1] is files.stored[rel][1] is not None for rel in names)
        for names in members
    ]
    groups: list[bytes] = []
    rows: list[tuple[str, StatKey, int]] = []
    loose: list[tuple[StatKey, Entry]] = []
    for number, names in enumerate(members):
        if whole[number] and names:
            rows += [(rel, entries[rel][0], len(groups)) for rel in names]
            groups.append(files.groups[number])
    for rel, (key, source, problems) in sorted(entries.items()):
        if rel in files.stored and whole[files.stored[rel][0]]:
            continue
        kept = files.memo.results.get(rel)
        result = kept[1] if kept is not None and kept[0] is source else None
        if source is not None and result is None:
            continue  # read but not validated (a build stopped early): read it again next time
        loose.append((key, (rel, source.digest if source is not None else "", result, problems)))
    for start in range(0, len(loose), GROUP):
        part = loose[start : start + GROUP]
        rows += [(entry[0], key, len(groups)) for key, entry in part]
        groups.append(group_of([entry for _, entry in part]))
    files.groups = groups
    files.stored = {rel: (number, entries[rel][1]) for rel, _, number in rows}
    return {"stems": files.cache.stems, "files": rows, "groups": groups}
