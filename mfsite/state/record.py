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
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain

from mfsite.diagnostics import Diagnostic
from mfsite.load.sources import StatKey
from mfsite.seen import Seen
from mfsite.state.store import strings_only

SEP = "\0"  # between the paths of a batch's files (no path holds it)
# An output file as mfsite wrote it: its modification time (ns), size, inode, and its bytes' CRC-32,
# each a signed 64-bit number (inode numbers from 2**63 up are taken 2**64 lower: see statuses).
OutputKey = tuple[int, int, int, int]
UNKNOWN: OutputKey = (-1, -1, -1, -1)  # (no file has it: a CRC-32 is never negative)
NUMBERS = "q"  # the array type the record keeps them in: signed, 64 bits


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
        """The recorded files no longer as mfsite wrote them, and those that are though their
        status changed (see `changed_files`): of every file, or of those a watch of the output
        has `seen` change."""
        stats = self.stats
        return changed_files(output, ((path, stats[path]) for path in seen.among(stats)))

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


def changed_files(
    output: str, recorded: Iterable[tuple[str, OutputKey]]
) -> tuple[set[str], dict[str, OutputKey]]:
    """Of these files and their recorded statuses: those that are no longer as mfsite wrote
    them (or gone), and those that are though their status changed, with their status now.
    One stat each, and a read of each whose status changed but not its size. Stat'ed relative
    to the folder, opened once (the kernel then walks two or three names a file rather than
    the whole path), in one loop that makes no tuple for a file unchanged: a rebuild of 10,000
    batches stats 70,000."""
    changed: set[str] = set()
    moved: dict[str, OutputKey] = {}
    try:
        folder = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return {path for path, _ in recorded}, moved  # no output folder: every file is gone
    stat = os.stat
    try:
        for path, (mtime, size, ino, crc) in recorded:
            try:
                st = stat(path, dir_fd=folder, follow_symlinks=False)
            except OSError:
                changed.add(path)
                continue
            if st.st_mtime_ns == mtime and st.st_size == size and _signed(st.st_ino) == ino:
                continue
            if st.st_size == size and _crc(output, path) == crc:
                moved[path] = (st.st_mtime_ns, size, _signed(st.st_ino), crc)
            else:
                changed.add(path)
    finally:
        os.close(folder)
    return changed, moved


def _signed(ino: int) -> int:
    """An inode number as the signed 64-bit number of its bits, as the record keeps it."""
    return ino if ino < 1 << 63 else ino - (1 << 64)


def _crc(output: str, path: str) -> int:
    try:
        with open(os.path.join(output, path), "rb") as handle:
            return zlib.crc32(handle.read())
    except OSError:
        return -1


def _all_inside(names: str) -> bool:
    """publish.inside for every path of `names` (SEP between them), in a few scans of the one
    string (a record names 70,000): with slashes around every path, a part that is empty, `.`
    or `..` shows as `//`, `/./` or `/../`."""
    joined = "/" + names.replace(SEP, f"/{SEP}/") + "/"
    return not any(bad in joined for bad in ("//", "/./", "/../", "\\"))


def pack_stats(stats: dict[str, OutputKey]) -> tuple[str, bytes]:
    """Every file's status as two values: the paths, SEP between them, and their numbers as one
    array's bytes, four a file. The record of 70,000 files then loads in a few hundredths of a
    second, rather than in a tenth as a dict of tuples: every rebuild loads it, twice."""
    return SEP.join(stats), array(NUMBERS, chain.from_iterable(stats.values())).tobytes()


def unpack_stats(packed: object) -> dict[str, OutputKey] | None:
    """The statuses as pack_stats gave them, or None where they are not of its shapes (a path
    twice, numbers not four a path)."""
    pairs = packed_statuses(packed)
    if pairs is None:
        return None
    stats = dict(pairs)
    names: str = packed[0]  # type: ignore[index]
    return stats if len(stats) == (names.count(SEP) + 1 if names else 0) else None


def packed_statuses(packed: object) -> Iterable[tuple[str, OutputKey]] | None:
    """The paths and statuses of pack_stats's data, one by one (no dict made), or None where the
    data is not of its shapes (numbers not four a path, a path not inside the output)."""
    if type(packed) is not tuple or len(packed) != 2:
        return None
    names, numbers = packed
    if type(names) is not str or type(numbers) is not bytes:
        return None
    paths = names.split(SEP) if names else []
    if paths and not _all_inside(names):
        return None
    table = array(NUMBERS)
    if len(numbers) != 4 * table.itemsize * len(paths):
        return None
    table.frombytes(numbers)
    four = [iter(table)] * 4
    return zip(paths, zip(*four, strict=True), strict=True)


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


def statuses(output: str, paths: Iterable[str]) -> dict[str, StatKey]:
    """The status of these files, just written, in the output folder (as changed_files takes
    them: relative to the folder, an inode number as the record keeps it)."""
    found: dict[str, StatKey] = {}
    folder = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for path in paths:
            st = os.stat(path, dir_fd=folder, follow_symlinks=False)
            found[path] = (st.st_mtime_ns, st.st_size, _signed(st.st_ino))
    finally:
        os.close(folder)
    return found


def to_data(record: Record) -> dict:
    """The record as plain data (containers, strings, numbers), which loads without any class."""
    report = record.report
    data = {name: getattr(record, name) for name in Record.__match_args__ if name != "report"}
    data["stats"] = pack_stats(record.stats)
    warnings = [w.as_dict() for w in report.warnings]
    data["report"] = (report.sources, report.base_url, report.batches, report.level, report.facts, warnings)
    return data


def from_data(data: object) -> Record | None:
    """A record from plain data, or None where it lacks the shapes the engine relies on (a
    damaged or planted cache file is ignored)."""
    try:
        sources, base_url, batches, level, facts, warnings = data["report"]  # type: ignore[index]
        report = Report(sources, base_url, batches, level, facts, [Diagnostic.from_dict(w) for w in warnings])
        fields = {name: data[name] for name in Record.__match_args__ if name not in ("stats", "report")}
        stats = unpack_stats(data["stats"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    if stats is None:
        return None
    record = Record(**fields, stats=stats, report=report)
    dicts = (record.batches, record.paths, record.files, record.sources)
    if (
        type(record.context) is not str
        or type(report.sources) is not str
        or not all(map(strings_only, dicts))
    ):
        return None
    if type(record.versions) is not dict:
        return None
    if record.batches.keys() != record.paths.keys() or record.batches.keys() != record.versions.keys():
        return None
    versions = record.versions.values()
    if set(map(type, versions)) - {int} or not all(map(range(1, 41).__contains__, versions)):
        return None
    if not _valid_report(report, set(versions)):
        return None
    of_batches = SEP.join(record.paths.values()).split(SEP) if record.paths else []
    if stats.keys() != {*record.files, *of_batches}:
        return None  # every file it names has its status, and no other
    return record
