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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain
from operator import methodcaller

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
FILE_BYTES = 4 * array(NUMBERS).itemsize  # one file's status, packed


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
    # batch id -> its files' statuses as written, packed (pack), in the order of its paths: a
    # batch kept by a rebuild keeps its bytes, and 10,000 batches load as 10,000 values, not as
    # 70,000 paths and tuples.
    batch_stats: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # any other file's path -> its signature
    file_stats: dict[str, OutputKey] = field(default_factory=dict)  # those files' statuses
    context: str = ""  # compare.Signatures.context when it was written
    sources: dict[str, str] = field(default_factory=dict)  # batch id -> its file and digest
    versions: dict[str, int] = field(default_factory=dict)  # batch id -> its QR code's version
    # batch id -> what its share card is drawn from (compare.Signatures.card): an edit to a batch
    # that leaves its card as it was (most do: the card shows its product, maker and id) keeps it.
    cards: dict[str, str] = field(default_factory=dict)
    report: Report = field(default_factory=Report)

    @property
    def empty(self) -> bool:
        return not self.files and not self.paths

    @property
    def count(self) -> int:
        """How many files it names."""
        return len(self.files) + sum(joined.count(SEP) + 1 for joined in self.paths.values())

    def holder(self) -> Callable[[str], bool]:
        """Whether it names a path: one search in one string for a batch's file (few are asked)."""
        joined = f"{SEP}{SEP.join(self.paths.values())}{SEP}"
        return lambda path: path in self.files or f"{SEP}{path}{SEP}" in joined

    def batch_paths(self, batch_id: str) -> list[str]:
        return self.paths[batch_id].split(SEP)

    def statuses(self) -> Iterator[tuple[str, OutputKey]]:
        """Every file it names, with its status as written."""
        for batch_id, joined in self.paths.items():
            yield from zip(joined.split(SEP), unpack(self.batch_stats[batch_id]), strict=True)
        yield from self.file_stats.items()

    def changed_files(self, output: str, seen: Seen) -> tuple[set[str], dict[str, OutputKey]]:
        """The recorded files no longer as mfsite wrote them, and those that are though their
        status changed (see `changed_files`): of every file, or of those a watch of the output
        has `seen` change."""
        names, numbers = _columns(self.paths, self.batch_stats, self.file_stats)  # (checked as loaded)
        if seen.everything:
            return changed_files(output, names, numbers)
        wanted = seen.among(dict.fromkeys(names))
        picked = [at for at, path in enumerate(names) if path in wanted]
        kept = array(NUMBERS, chain.from_iterable(numbers[4 * at : 4 * at + 4] for at in picked))
        return changed_files(output, [names[at] for at in picked], kept)

    def take_moved(self, moved: dict[str, OutputKey]) -> dict[str, OutputKey]:
        """Take the status now of these files, found as written though their status changed;
        not of those it holds as of no known status (a stopped publish left them in doubt).
        Returns those taken."""
        taken = {path: key for path, key in moved.items() if self.file_stats.get(path) not in (None, UNKNOWN)}
        self.file_stats.update(taken)
        of_batches = {path: key for path, key in moved.items() if path not in self.files}
        if of_batches:  # (rare: a copied or restored folder, where every file moved)
            for batch_id, joined in self.paths.items():
                paths = joined.split(SEP)
                if of_batches.keys().isdisjoint(paths):
                    continue
                keys = list(unpack(self.batch_stats[batch_id]))
                for at, path in enumerate(paths):
                    if path in of_batches and keys[at] != UNKNOWN:
                        keys[at] = taken[path] = of_batches[path]
                self.batch_stats[batch_id] = pack(keys)
        return taken

    def status(self, batch_id: str, path: str) -> OutputKey | None:
        """The recorded status of one of a batch's files, where it has one."""
        paths = self.batch_paths(batch_id) if batch_id in self.paths else []
        if path not in paths:
            return None
        status = list(unpack(self.batch_stats[batch_id]))[paths.index(path)]
        return None if status == UNKNOWN else status

    def take_written(self, written: dict[str, OutputKey]) -> None:
        """Take the status of the files just written: those of each batch made anew (one
        without its statuses: every file of it was written), and the other files among them."""
        for batch_id, joined in self.paths.items():
            if batch_id not in self.batch_stats:
                self.batch_stats[batch_id] = pack(written[path] for path in joined.split(SEP))
        self.file_stats.update((path, key) for path, key in written.items() if path in self.files)

    def forget(self, paths: set[str]) -> None:
        """These files may hold anything (a publish stopped while writing them): each is made
        again, and its batch's other files with it; one the record did not name (a new file)
        is recorded as a site-wide file of no known signature, made again or removed."""
        of_batches: set[str] = set()
        for batch_id, joined in self.paths.items():
            if not paths.isdisjoint(files := joined.split(SEP)):
                self.batches[batch_id] = ""
                of_batches.update(files)
                keys = unpack(self.batch_stats[batch_id])
                self.batch_stats[batch_id] = pack(
                    UNKNOWN if p in paths else k for p, k in zip(files, keys, strict=True)
                )
        for path in paths - of_batches:
            self.files[path] = ""
            self.file_stats[path] = UNKNOWN  # mfsite's own file, whatever it holds now


def pack(keys: Iterable[OutputKey]) -> bytes:
    """Statuses as one array's bytes, four numbers a file."""
    return array(NUMBERS, chain.from_iterable(keys)).tobytes()


def unpack(packed: bytes) -> Iterator[OutputKey]:
    table = array(NUMBERS)
    table.frombytes(packed)
    return zip(*[iter(table)] * 4, strict=True)  # type: ignore[return-value]


def changed_files(output: str, names: list[str], numbers: array) -> tuple[set[str], dict[str, OutputKey]]:
    """Of these files and their recorded statuses (`numbers`: four a file, as `columns` gives
    them): those that are no longer as mfsite wrote them (or gone), and those that are though
    their status changed, with their status now. One stat each, and a read of each whose status
    changed but not its size. Stat'ed relative to the folder, opened once (the kernel then walks
    two or three names a file rather than the whole path), in one loop that makes no object for
    a file unchanged: a rebuild of 10,000 batches stats 70,000."""
    changed: set[str] = set()
    moved: dict[str, OutputKey] = {}
    try:
        folder = os.open(output, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return set(names), moved  # no output folder: every file is gone
    stat = os.stat
    try:
        for at, path in enumerate(names):
            try:
                st = stat(path, dir_fd=folder, follow_symlinks=False)
            except OSError:
                changed.add(path)
                continue
            first = 4 * at  # (its mtime, size, inode and CRC-32 follow)
            same_size = st.st_size == numbers[first + 1]
            if same_size and st.st_mtime_ns == numbers[first] and _signed(st.st_ino) == numbers[first + 2]:
                continue
            if same_size and _crc(output, path) == numbers[first + 3]:
                moved[path] = (st.st_mtime_ns, st.st_size, _signed(st.st_ino), numbers[first + 3])
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
    """The record as plain data (containers, strings, numbers, bytes), which loads without any class."""
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
        fields = {name: data[name] for name in Record.__match_args__ if name != "report"}  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    record = Record(**fields, report=report)
    dicts = (record.batches, record.paths, record.files, record.sources, record.cards)
    if (
        type(record.context) is not str
        or type(report.sources) is not str
        or not all(map(strings_only, dicts))
    ):
        return None
    if type(record.versions) is not dict or type(record.batch_stats) is not dict:
        return None
    ids = record.batches.keys()
    if ids != record.paths.keys() or ids != record.versions.keys() or ids != record.batch_stats.keys():
        return None
    if not record.cards.keys() <= ids:
        return None
    versions = record.versions.values()
    if set(map(type, versions)) - {int} or not all(map(range(1, 41).__contains__, versions)):
        return None
    if not _valid_report(report, set(versions)) or not _valid_statuses(record):
        return None
    return record


def _valid_statuses(record: Record) -> bool:
    """Every file it names inside the output, named once, with its status."""
    batch_stats, file_stats = record.batch_stats, record.file_stats
    if set(map(type, batch_stats.values())) - {bytes}:
        return False
    # Four numbers for each path of each batch: counted and measured by C loops, 10,000 batches.
    separators = list(map(methodcaller("count", SEP), record.paths.values()))
    if list(map(len, map(batch_stats.__getitem__, record.paths))) != [
        FILE_BYTES * (count + 1) for count in separators
    ]:
        return False
    if type(file_stats) is not dict or file_stats.keys() != record.files.keys():
        return False
    if not all(
        type(key) is tuple and len(key) == 4 and set(map(type, key)) <= {int} for key in file_stats.values()
    ):
        return False
    names = SEP.join([*record.paths.values(), *record.files])
    return not names or (_all_inside(names) and len(set(names.split(SEP))) == record.count)


def columns(paths: object, batch_stats: object, file_stats: object) -> tuple[list[str], array] | None:
    """Every file a record's data as saved names, and its status (`_columns`), for the output's
    check in a forked process, which makes no Record: None where they are not of a record's
    shapes (from_data then finds the record damaged, and the check goes unused)."""
    if type(paths) is not dict or type(batch_stats) is not dict or type(file_stats) is not dict:
        return None
    if not strings_only(paths) or not strings_only(dict.fromkeys(file_stats, "")):
        return None
    joined = SEP.join([*paths.values(), *file_stats])
    if joined and not _all_inside(joined):
        return None
    try:
        found = _columns(paths, batch_stats, file_stats)
    except (KeyError, TypeError, ValueError, OverflowError):  # (a block of another type, a status)
        return None
    return found if len(found[1]) == 4 * len(found[0]) else None


def _columns(
    paths: dict[str, str], batch_stats: dict[str, bytes], file_stats: dict[str, OutputKey]
) -> tuple[list[str], array]:
    """Every file named, and its status (four numbers a file, in one array): the batches'
    files, then the other files."""
    joined = SEP.join([*paths.values(), *file_stats])
    numbers = array(NUMBERS, b"".join(batch_stats[batch_id] for batch_id in paths))
    numbers.extend(chain.from_iterable(file_stats.values()))
    return (joined.split(SEP) if joined else []), numbers
