"""Publish: write a build beside the output, then put it in place.

Two ways, both leaving the previous output exactly as it was when a build
fails or is killed before publishing:

- whole (the first build, `--clean`, or no record of the output): the new
  output is written into a staging folder beside the old one and swapped in
  whole, in one atomic exchange. A folder is only ever replaced when mfsite
  made it: a marker file says so.
- in place (a rebuild with the output record, state/record.py): only the
  files to make again are written into a staging folder, then each is
  renamed over the live one (`Staging.apply`): a reader sees the old file or
  the new one, never half of one. A build stopped half-way through this step
  leaves some pages new and some old; the note the engine writes first
  (BuildState.begin) makes the next build write those again.

Nothing of the user's is deleted or overwritten. In place, only files the
record lists are replaced or deleted, and a file of someone else's where a
new file goes stops the build with its name (engine.py). Whole, a file that appeared in
the output after the build that made it (someone copied a CNAME or notes in),
and that the new build does not write, stops the build with its name, unless
the caller asked for a clean build (`mfsite build --clean`). "Appeared after"
is read from the file system: a file's status-change time, which creating,
copying, moving, linking or chmod-ing a file sets and nobody can set back,
against the marker's modification time. Where that cannot tell (an output
copied elsewhere, or touched by `chmod -R`, or files published in place after
the marker), it errs on the safe side and names the files.

Staging folders are locked (flock on the folder itself) while their build
runs, so a second build removes only what a killed build left behind, never
the folder another live build is writing.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

MARKER = ".mfsite-output"
MARKER_TEXT = "This folder is built by mfsite and replaced on every build: do not edit it by hand.\n"
LIST_AT_MOST = 10  # unknown files named in a refusal; the rest are counted
_RENAME_EXCHANGE = 2  # renameat2 flag: swap two paths in one step (Linux 3.15+)
_AT_FDCWD = -100


class OutputRefused(Exception):
    """The output folder is one mfsite must not write to."""


class PublishStopped(Exception):
    """Publishing in place failed with some files already replaced."""

    def __init__(self, error: OSError, replaced: int, total: int) -> None:
        super().__init__(error, replaced, total)
        self.error, self.replaced, self.total = error, replaced, total


def check_output(source: Path, output: Path) -> None:
    """Refuse outputs whose replacement would destroy something of the user's."""
    src, out = source.resolve(), output.resolve()
    if out == src or src.is_relative_to(out):
        raise OutputRefused(f"the output folder {output} contains the site's sources; choose another")
    if out in (Path(out.anchor), Path.home().resolve()):
        raise OutputRefused(f"refusing to use {output} as the output folder")
    for name in ("batches", "content", "templates", "static"):
        if out.is_relative_to(src / name):
            raise OutputRefused(f"the output folder {output} is inside the site's {name}/ folder")
    if output.is_symlink():
        raise OutputRefused(f"{output} is a link: give the folder it points to ({out}) as the output")
    if out.exists() and not out.is_dir():
        raise OutputRefused(f"{output} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise OutputRefused(
            f"{output} already holds files that mfsite did not write; "
            "move them away or choose another --output"
        )


def written_files(root: Path) -> list[str]:
    """Every file below root, relative, with forward slashes (the marker itself excluded)."""
    found = []
    for folder, dirs, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found.extend(prefix + name for name in files)
        found.extend(prefix + name for name in dirs if os.path.islink(os.path.join(folder, name)))
    return sorted(p for p in found if p != MARKER)


def unknown_files(output: Path, known: Iterable[str]) -> list[str]:
    """What lies in `output` that mfsite did not write: files, and folders of such files.

    Ours: the paths in `known`, the marker, and whatever has not changed since the build that made
    the output wrote its marker (a file's status-change time, which copying,
    moving or linking a file into place always sets and no user can set back,
    is not later than the marker's modification time).
    """
    known = set(known)
    known_dirs = _folders(known)
    old = older_than_marker(output)

    found: list[str] = []
    for folder, dirs, files in os.walk(output):
        rel = os.path.relpath(folder, output)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        descend = []
        for name in sorted(dirs):
            path = prefix + name
            if os.path.islink(os.path.join(folder, name)):
                if path not in known and not old(path):
                    found.append(path)
            elif path in known_dirs or old(path):
                descend.append(name)
            else:
                found.append(path + "/")
        dirs[:] = descend
        for name in files:
            path = prefix + name
            if path in known or path == MARKER or old(path):
                continue
            found.append(path)
    return sorted(found)


def older_than_marker(output: Path) -> Callable[[str], bool]:
    """Whether a path in the output has not changed since the build that wrote the marker (its
    status-change time, which copying, moving or linking a file into place always sets and no
    user can set back, is not later): mfsite's, since that build refused or replaced whatever
    else the folder held."""
    try:
        built = os.stat(output / MARKER).st_mtime_ns
    except OSError:
        built = -1

    def old(path: str) -> bool:
        try:
            return os.lstat(output / path).st_ctime_ns <= built
        except OSError:
            return True  # gone meanwhile: nothing to lose

    return old


def inside(rel: str) -> bool:
    """A path the output can hold, as the plan writes them: relative, without empty, `.` or
    `..` parts. (The output record says which files a rebuild deletes: a poisoned cache must not
    name any elsewhere.)"""
    return "\\" not in rel and "\0" not in rel and all(part not in ("", ".", "..") for part in rel.split("/"))


def refuse_unknown(output: Path, extra: list[str], would: str = "delete") -> None:
    shown = ", ".join(extra[:LIST_AT_MOST])
    if len(extra) > LIST_AT_MOST:
        shown += f" and {len(extra) - LIST_AT_MOST} more"
    raise OutputRefused(
        f"{output} holds files that this build would {would} and that mfsite has no record of "
        f"writing: {shown}. Move them away (files the site should carry belong in static/), "
        "or build with --clean to replace the folder whole"
    )


def staging_prefix(output: Path) -> str:
    """The staging folders of one output, beside it: of one short length whatever the output's
    name (a name near the file system's limit leaves no room to add to it)."""
    return f".mfsite-{hashlib.blake2b(output.name.encode(), digest_size=4).hexdigest()}-"


def _lock(path: Path, wait: bool) -> int | None:
    """An exclusive lock on a folder, held as long as the returned descriptor is open."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        return None
    return fd


@contextlib.contextmanager
def one_at_a_time(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (the build cache): a second build of the same site
    waits, so two builds never interleave their files in one output, nor their records.
    Where the folder cannot be made, builds go unlocked, as a cache-less build would."""
    with contextlib.suppress(OSError):
        folder.mkdir(exist_ok=True)
    fd = _lock(folder, wait=True)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


def remove_leftovers(output: Path) -> None:
    """Delete staging folders that a killed build left beside the output.

    A folder whose lock is held belongs to a build that is still running: it stays.
    """
    if not output.parent.is_dir():
        return
    for path in output.parent.glob(staging_prefix(output) + "*"):
        if path.is_dir() and not path.is_symlink():
            fd = _lock(path, wait=False)
            if fd is None:
                continue
            try:
                shutil.rmtree(path, ignore_errors=True)
            finally:
                os.close(fd)


class Staging:
    """A new output being written in a hidden folder beside the real one.

    `clean`: files in the live output that mfsite did not write are deleted
    with it; without it, commit() refuses to replace an output holding them.
    `planned`: the paths this build will write, when known up front, so an
    output holding files of someone else's is refused before any work is done.
    """

    def __init__(
        self,
        output: Path,
        clean: bool = False,
        planned: Iterable[str] | None = None,
        ours: Iterable[str] = (),
    ) -> None:
        self.output = output
        self.clean = clean
        self.ours = list(ours)  # files the output record says mfsite wrote, whatever their time
        if planned is not None and not clean and output.is_dir():
            extra = unknown_files(output, [*planned, *self.ours])
            if extra:
                refuse_unknown(output, extra)
        output.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(output)
        self.root = Path(tempfile.mkdtemp(prefix=staging_prefix(output), dir=output.parent))
        self.lock = _lock(self.root, wait=True)
        self.made_dirs: set[str] = set()

    def write(self, rel: str, data: bytes) -> None:
        folder = os.path.dirname(rel)
        if folder not in self.made_dirs:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
            self.made_dirs.add(folder)
        # A plain open-write-close: a build writes tens of thousands of small files, and
        # Python's buffered file objects would add their own set-up and system calls to each.
        fd = os.open(f"{self.root}/{rel}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    def commit(self, clean: bool | None = None) -> None:
        """Swap the staged build in. Raises OutputRefused, and changes nothing, when the live
        output holds files that neither this build nor an earlier one wrote, unless clean."""
        clean = self.clean if clean is None else clean
        (self.root / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        os.chmod(self.root, 0o755)  # mkdtemp makes it private; a web server must read it
        if not self.output.exists():
            os.rename(self.root, self.output)
            self._unlock()
            return
        if not clean:
            extra = unknown_files(self.output, [*written_files(self.root), *self.ours])
            if extra:
                refuse_unknown(self.output, extra)
        if not _exchange(self.root, self.output):
            old = Path(tempfile.mkdtemp(prefix=staging_prefix(self.output), dir=self.output.parent))
            os.rename(self.output, old / "old")
            os.rename(self.root, self.output)
            self._unlock()
            self.root = old
        shutil.rmtree(self.root, ignore_errors=True)  # the previous output, now in the staging place
        # Deleting it changed the status time of every file the new output shares with it (a build
        # links unchanged files rather than copying them): the marker's time comes after that.
        with contextlib.suppress(OSError):  # the site is out: at worst a later build asks for --clean
            os.utime(self.output / MARKER)
        self._unlock()

    def apply(self, new: list[str], todo: list[str], removed: list[str]) -> None:
        """Publish in place: move each staged file over the live one in one atomic rename
        (new files first, so no page links to one that is not there yet), then delete the
        files an earlier build wrote that this one does not (`removed`) and the folders
        that leaves empty. Files of others are never touched.

        Removed files whose place a new file or folder takes (a static file become a folder
        of the same name, or the other way round) go first. Raises PublishStopped, naming
        the path that refused, when it fails with some files already replaced."""
        first = set(new)
        order = new + [p for p in todo if p not in first]
        replaced = 0
        try:
            self._clear_the_way(order, removed)
            made: set[str] = set()
            for rel in order:
                folder = os.path.dirname(rel)
                if folder not in made:
                    _call(os.makedirs, self.output / folder, exist_ok=True)
                    made.add(folder)
                _call(os.replace, self.root / rel, self.output / rel, shown=self.output / rel)
                replaced += 1
            for rel in removed:
                self._remove(rel)
        except OSError as exc:
            raise PublishStopped(exc, replaced, len(order)) from None
        finally:
            self.discard()

    def _clear_the_way(self, order: list[str], removed: list[str]) -> None:
        folders = _folders(order)
        placed = set(order)
        for rel in removed:
            if rel in folders or not placed.isdisjoint(_folders([rel])):
                self._remove(rel)

    def _remove(self, rel: str) -> None:
        path = self.output / rel
        with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
            _call(path.unlink, shown=path)
        folder = path.parent
        while folder != self.output and _empty_folder(folder):
            _call(folder.rmdir, shown=folder)
            folder = folder.parent

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self._unlock()

    def _unlock(self) -> None:
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None


def _call(action: Callable[..., object], *args: object, shown: Path | None = None, **kwargs: object) -> None:
    """Do it; an error names the live path (`shown`), not a file in the staging folder."""
    try:
        action(*args, **kwargs)
    except OSError as exc:
        if shown is not None:
            exc.filename, exc.filename2 = str(shown), None
        raise


def _folders(paths: Iterable[str]) -> set[str]:
    """Every folder these paths lie in (`a/b/c` lies in `a` and `a/b`)."""
    return {"/".join(parts[:i]) for p in paths for parts in [p.split("/")] for i in range(1, len(parts))}


def _empty_folder(path: Path) -> bool:
    try:
        with os.scandir(path) as entries:
            return next(entries, None) is None
    except OSError:  # gone, or not a folder
        return False


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically where the kernel can; False where it cannot."""
    # The C library this process already runs on (find_library would start compilers to look).
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
