"""Reading many batch files at once, in worker processes, into the build state.

Worth it for a cold build of a large site (reading YAML is a large share of it, and no file
depends on another) and for a fresh checkout, where every file has a new status and the
bytes are compared instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from mfsite.load.sources import (
    BATCHES,
    Listing,
    SourceCache,
    StatKey,
    batch_file_reader,
    content_stems,
    same_bytes,
)
from mfsite.state.batches import BatchFiles, add_entry, entry_of
from mfsite.validate import ValidationMemo
from mfsite.validate.batch import read_batch
from mfsite.workers import pool

PREREAD_AT_LEAST = 400  # batch files to read before it pays to start processes for it


class _Read(NamedTuple):
    """One batch file, read and validated in a worker process."""

    rel: str
    key: StatKey
    unchanged: bool  # the bytes the cache holds, under a new status (a fresh checkout)
    entry: bytes = b""  # else its cache entry, pickled once, here, for the cache file too


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
            for read in part:
                if read.unchanged:
                    entries[read.rel] = (read.key, *entries[read.rel][1:])
                else:
                    add_entry(files, read.rel, read.key, read.entry)
    return True


def _read_part(part: tuple[Path, list[tuple[str, str, StatKey, str]], dict[str, list[str]]]) -> list[_Read]:
    source, stale, stems = part
    read_batch_file = batch_file_reader(source)
    found = []
    for rel, path, key, digest in stale:
        if digest and same_bytes(path, digest):
            found.append(_Read(rel, key, unchanged=True))
            continue
        parsed, problems = read_batch_file(path)
        result = read_batch(parsed, stems) if parsed is not None else None
        found.append(_Read(rel, key, False, entry_of(parsed.digest if parsed else "", result, problems)))
    return found
