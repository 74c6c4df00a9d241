"""Reading many batch files at once, in worker processes, into the build state.

Worth it for a cold build of a large site (reading YAML is a large share of it, and no file
depends on another) and for a fresh checkout, where every file has a new status and the
bytes are compared instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mfsite.load.sources import (
    BATCHES,
    Listing,
    SourceCache,
    StatKey,
    batch_file_reader,
    content_stems,
    same_bytes,
)
from mfsite.state.batches import BatchFiles, Entry, add_group, group_of
from mfsite.validate import ValidationMemo
from mfsite.validate.batch import read_batch
from mfsite.workers import pool

PREREAD_AT_LEAST = 400  # batch files to read before it pays to start processes for it


@dataclass(slots=True)
class _Part:
    """Batch files read and validated in a worker process: those whose bytes the cache holds
    under a new status (a fresh checkout), and the others as one group of cache entries,
    pickled once, here, for the cache file too."""

    unchanged: list[tuple[str, StatKey]] = field(default_factory=list)
    keys: dict[str, StatKey] = field(default_factory=dict)  # the files the group holds
    group: bytes = b""


def read_batches_in_parallel(source: Path, files: BatchFiles, jobs: int, listing: Listing) -> bool:
    """Read and validate the batch files the state does not hold, in `jobs` processes, into
    the state, where check_site then finds them. Worth it for a cold build of a large site
    (reading YAML is a large share of it, and no file depends on another) and for a fresh
    checkout, where every file has a new status and the bytes are compared instead."""
    if jobs < 2 or (listing.changed is not None and len(listing.changed) < PREREAD_AT_LEAST):
        return False  # (a watch's few changes: load_sources reads them, and any left before)
    stems = content_stems(listing)
    if files.cache.stems != stems:  # validated against other content files: all read again
        files.cache, files.memo = SourceCache(), ValidationMemo()
    entries = files.cache.entries
    # (A name shown with escapes is not a path: load_sources reads that file itself.)
    folder = f"{BATCHES.path}/"
    stale = []
    for rel, key in listing.stats:
        if not rel.startswith(folder) or "\\" in rel:
            continue
        if (entry := entries.get(rel)) is None or entry[0] != key:
            stale.append((rel, str(source / rel), key, entry[1].digest if entry and entry[1] else ""))
    if len(stale) < PREREAD_AT_LEAST:
        return False  # load_sources reads these few (or sees their bytes are unchanged)
    files.cache.stems = files.memo.stems = stems
    size = -(-len(stale) // (jobs * 4))  # a few parts per process, so they finish together
    parts = [(source, stale[i : i + size], stems) for i in range(0, len(stale), size)]
    with pool(jobs) as workers:
        for part in workers.imap(_read_part, parts):
            for rel, key in part.unchanged:
                entries[rel] = (key, *entries[rel][1:])
            if part.keys:
                add_group(files, part.keys, part.group)
    return True


def _read_part(part: tuple[Path, list[tuple[str, str, StatKey, str]], dict[str, list[str]]]) -> _Part:
    source, stale, stems = part
    read_batch_file = batch_file_reader(source)
    found, entries = _Part(), list[Entry]()
    for rel, path, key, digest in stale:
        if digest and same_bytes(path, digest):
            found.unchanged.append((rel, key))
            continue
        parsed, problems = read_batch_file(path)
        result = read_batch(parsed, stems) if parsed is not None else None
        entries.append((rel, parsed.digest if parsed else "", result, problems))
        found.keys[rel] = key
    found.group = group_of(entries)
    return found
