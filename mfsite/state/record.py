"""The output record: what each file of one output folder was made from, and its status as
mfsite left it.

A file is kept by a rebuild only while both still hold: its signature (what it is made from,
compare.py) is unchanged, and it is the very file mfsite wrote: one stat shows the size,
modification time and inode it had, or, where those changed but the size did not, its bytes have
the CRC-32 it had (a copy of the folder, or a CI cache restored: new inodes, the same files). A page
deleted, edited by hand or put back from an older copy is made again.
A batch's own files (its page, label, passport, QR images: most of the output) share the
batch's signature and are kept as one entry, so a rebuild compares batches, not files.

The record also holds the report of the build that wrote it, so a build that finds nothing
changed says what that one said.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain

from mfsite.diagnostics import Diagnostic
from mfsite.load.sources import StatKey
from mfsite.seen import Seen
from mfsite.state.store import strings_only

SEP = "\0"  # between the paths of a batch's files (no path holds it)
# An output file as mfsite wrote it: its modification time (ns), size, inode, and its bytes' CRC-32.
OutputKey = tuple[int, int, int, int]
UNKNOWN: OutputKey = (-1, -1, -1, -1)  # (no file has it: a CRC-32 is never negative)


@dataclass(slots=True)
class Report:
    """What a build said: kept for a later build that finds nothing changed."""

    sources: str = ""  # the sources' status when the build began (compare.sources_print)
    base_url: str = ""  # in effect (site.yaml's, or the one given)
    batches: int = 0
    level: str = ""  # the QR codes' error-correction level
    facts: dict[int, tuple[int, str, str]] = field(default_factory=dict)  # version -> modules, sizes
    warnings: list[Diagnostic] = field(default_factory=list)
    key: str = ""  # the signing key's status, where the build signed (signing.keys.key_status)
    key_file: str | None = None  # passport.key, as written


@dataclass(slots=True)
class Record:
    batches: dict[str, str] = field(default_factory=dict)  # batch id -> its own signature
    paths: dict[str, str] = field(default_factory=dict)  # batch id -> its files' paths, SEP between
    files: dict[str, str] = field(default_factory=dict)  # any other file's path -> its signature
    context: str = ""  # compare.Signatures.context when it was written
    sources: dict[str, str] = field(default_factory=dict)  # batch id -> its file and digest
    versions: dict[str, int] = field(default_factory=dict)  # batch id -> its QR code's version
    stats: dict[str, OutputKey] = field(default_factory=dict)  # every file -> its status as written
    report: Report = field(default_factory=Report)

    @property
    def empty(self) -> bool:
        return not self.stats

    def holds(self, path: str) -> bool:
        return path in self.stats

    def batch_paths(self, batch_id: str) -> list[str]:
        return self.paths[batch_id].split(SEP)

    def changed_files(self, output: str, seen: Seen) -> tuple[set[str], dict[str, OutputKey]]:
        """The recorded files that are no longer as mfsite wrote them (or gone), and those that
        are though their status changed, with their status now: one stat each, of every file or
        of those a watch of the output has `seen` change, and a read of each whose status changed
        but not its size."""
        paths = seen.among(self.stats)
        found = statuses(output, paths, missing_ok=True)
        changed, moved = set(), {}
        for path in paths:
            now, then = found.get(path), self.stats[path]
            if now == then[:3]:
                continue
            if now is not None and now[1] == then[1] and _crc(output, path) == then[3]:
                moved[path] = (*now, then[3])
            else:
                changed.add(path)
        return changed, moved

    def forget(self, paths: set[str]) -> None:
        """These files may hold anything (a publish stopped while writing them): each is made
        again, and its batch's other files with it; one the record did not name (a new file)
        is recorded as a site-wide file of no known signature, made again or removed."""
        of_batches: set[str] = set()
        for batch_id, joined in self.paths.items():
            if not paths.isdisjoint(files := joined.split(SEP)):
                self.batches[batch_id] = ""
                of_batches.update(files)
        for path in paths:
            if path not in of_batches:
                self.files[path] = ""
            self.stats[path] = UNKNOWN  # mfsite's own file, whatever it holds now


def _crc(output: str, path: str) -> int:
    try:
        with open(os.path.join(output, path), "rb") as handle:
            return zlib.crc32(handle.read())
    except OSError:
        return -1


def _all_inside(paths: Iterable[str]) -> bool:
    """publish.inside for every path, in a few scans of one string (a record names 50,000):
    with slashes around every path, a part that is empty, `.` or `..` shows as `//`, `/./` or
    `/../`."""
    joined = "/" + "\n".join(paths).replace("\n", "/\n/") + "/"
    return not any(bad in joined for bad in ("//", "/./", "/../", "\\", "\0"))


def _valid_report(report: Report, versions: set[int]) -> bool:
    """The report a build that finds nothing changed repeats: the QR facts of every version in
    use, as numbers and decimal text."""
    if type(report.batches) is not int or type(report.level) is not str or type(report.base_url) is not str:
        return False
    facts = report.facts
    if type(facts) is not dict or not versions <= facts.keys():
        return False
    for fact in facts.values():
        if type(fact) is not tuple or len(fact) != 3 or [type(f) for f in fact] != [int, str, str]:
            return False
        try:
            Decimal(fact[1]), Decimal(fact[2])
        except (TypeError, ValueError, ArithmeticError):
            return False
    return True


def _only(values: Iterable[object], kind: type) -> bool:
    """Whether every value is of exactly this type (a loop in C: a record holds 50,000)."""
    return set(map(type, values)) <= {kind}


def statuses(output: str, paths: Iterable[str], missing_ok: bool = False) -> dict[str, StatKey]:
    """The status of these files in the output folder (a missing one is left out where
    `missing_ok`, else an error). Taken relative to the folder, opened once: the kernel then
    walks two or three names a file rather than the whole path."""
    found: dict[str, StatKey] = {}
    try:
        folder = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        if missing_ok:
            return found  # no output folder (yet): every file is missing
        raise
    try:
        for path in paths:
            try:
                st = os.stat(path, dir_fd=folder, follow_symlinks=False)
            except OSError:
                if missing_ok:
                    continue
                raise
            found[path] = (st.st_mtime_ns, st.st_size, st.st_ino)
    finally:
        os.close(folder)
    return found


def to_data(record: Record) -> dict:
    """The record as plain data (containers, strings, numbers), which loads without any class."""
    report = record.report
    data = {name: getattr(record, name) for name in Record.__match_args__ if name != "report"}
    warnings = [w.as_dict() for w in report.warnings]
    data["report"] = (report.sources, report.base_url, report.batches, report.level, report.facts, warnings)
    return data


def from_data(data: object) -> Record | None:
    """A record from plain data, or None where it lacks the shapes the engine relies on (a
    damaged or planted cache file is ignored)."""
    try:
        sources, base_url, batches, level, facts, warnings = data["report"]  # type: ignore[index]
        report = Report(sources, base_url, batches, level, facts, [Diagnostic.from_dict(w) for w in warnings])
        record = Record(
            **{name: data[name] for name in Record.__match_args__ if name != "report"}, report=report
        )  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    dicts = (record.batches, record.paths, record.files, record.sources)
    if (
        type(record.context) is not str
        or type(report.sources) is not str
        or not all(map(strings_only, dicts))
    ):
        return None
    if type(record.versions) is not dict or type(record.stats) is not dict:
        return None
    if record.batches.keys() != record.paths.keys() or record.batches.keys() != record.versions.keys():
        return None
    stats = record.stats
    if type(stats) is not dict or not _only(stats, str) or not _all_inside(stats):
        return None
    keys, versions = stats.values(), record.versions.values()
    if not _only(keys, tuple) or not set(map(len, keys)) <= {4} or not _only(chain.from_iterable(keys), int):
        return None
    if not _only(versions, int) or not all(map(range(1, 41).__contains__, versions)):
        return None
    if not _valid_report(report, set(versions)):
        return None
    if stats.keys() != {*record.files, *chain.from_iterable(p.split(SEP) for p in record.paths.values())}:
        return None  # every file it names has its status, and no other
    return record
