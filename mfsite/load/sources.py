"""Find and read a site's source files into positioned YAML trees.

This is the only module that reads the site's own data files. It judges
nothing about their content: that is the validator's work. It does refuse
what must never reach a public site: files behind links that leave the site
folder, files too large to be a batch, and bytes that are not UTF-8 text.
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mfsite import codes
from mfsite.diagnostics import Diagnostic, SiteErrors, Span
from mfsite.load.yamltree import Node, read_yaml, shown
from mfsite.seen import Seen

if TYPE_CHECKING:
    from mfsite.load.pictures import Picture, Pictures

# The characters outside YAML's printable set (control characters and the like), named as
# the few ranges they are: a pattern of "not in the printable set" was slow to compile at
# every start.
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

MAX_FILE_BYTES = 1024 * 1024
EDITOR_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", "~", ".tmp", ".part", ".crdownload", ".bak")
MAX_FILES = 200_000
CONTENT_KINDS = ("partners", "materials", "stories", "pages")


class Folder(NamedTuple):
    """A folder of the site's sources and which of its files count."""

    path: str  # relative to the site
    suffixes: tuple[str, ...] | None  # None: every file
    recursive: bool


BATCHES = Folder("batches", (".yaml", ".yml"), True)
CONTENT = {kind: Folder(f"content/{kind}", (".md",), False) for kind in CONTENT_KINDS}
STATIC = Folder("static", None, True)
TEMPLATES = Folder("templates", None, True)  # overrides, read by the renderer (includes, too)
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".tif", ".tiff", ".heic", ".heif")
PHOTOS = Folder("photos", PHOTO_SUFFIXES, True)  # originals: only their processed copies are published
SOURCE_FOLDERS = (BATCHES, *CONTENT.values(), STATIC, TEMPLATES, PHOTOS)


@dataclass(slots=True)
class SourceFile:
    path: str  # relative to the site folder, with forward slashes
    tree: Node | None
    body: str = ""  # the markdown after the front matter
    body_line: int = 1  # the line the body starts on
    digest: str = ""  # of the file's bytes: what the signatures are made of (compare.py)

    @property
    def stem(self) -> str:
        return _stem(self.path)


@dataclass(slots=True)
class Sources:
    root: Path
    site: SourceFile | None
    batches: list[SourceFile] = field(default_factory=list)
    content: dict[str, list[SourceFile]] = field(default_factory=dict)
    # Every content file's stem, also of files that could not be read: a batch
    # naming a broken partner file is not also told the partner is missing.
    stems: dict[str, list[str]] = field(default_factory=dict)
    static: list[str] = field(default_factory=list)  # files under static/, relative to it
    photos: list[str] = field(default_factory=list)  # files under photos/, relative to it
    # The photos and the images in static/, by site-relative path (load/pictures.py).
    pictures: dict[str, Picture] = field(default_factory=dict)


StatKey = tuple[int, int, int]  # mtime in ns, size, inode
NO_STATUS: StatKey = (0, 0, 0)


@dataclass(slots=True)
class SourceCache:
    """Parsed files kept between loads: only files whose stat changed are read again.

    Watch mode keeps one in memory; `mfsite build` restores the batch files'
    entries from the build state (state/batches.py). Restored entries are hollow: a
    SourceFile without its tree, whose validated result the ValidationMemo
    holds. That result depends on which content files exist (`stems`), so
    when those differ every batch file is read again.
    """

    entries: dict[str, tuple[StatKey, SourceFile | None, list[Diagnostic]]] = field(default_factory=dict)
    stems: dict[str, list[str]] | None = None  # the content stems hollow entries were validated with
    changed: list[str] = field(default_factory=list)  # files read anew or gone in the last load


@dataclass(slots=True)
class Listing:
    """The source files as one pass over the folders found them, each with its status, taken
    before any is read: `mfsite build` tells from it that nothing changed since its last run,
    and load_sources then reads the files without listing the folders again."""

    stats: list[tuple[str, StatKey]]  # (the path as messages show it, its status), site.yaml first
    paths: dict[Folder, list[str]]  # each folder's files, as the loader lists them
    problems: list[Diagnostic]  # found while listing (a link that leaves the site...)
    # Files reached through a link (always stat'ed), and the links on the way to a source folder.
    linked: set[str] = field(default_factory=set)
    # Where the listing was brought up to date from a watch's report: the files added, changed
    # or gone since the listing before (else None: compare the two to know).
    changed: list[str] | None = None


def is_noise(name: str) -> bool:
    """Editor droppings, temporary and hidden files: never a source, never a reason to rebuild."""
    return (
        name.startswith((".", "#"))  # hidden files (.git, .DS_Store), .#lock files, emacs #autosave#
        or name.endswith(EDITOR_SUFFIXES)
        or name == "4913"  # vim's probe that it may write in the folder
    )


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def load_sources(
    root: Path,
    cache: SourceCache | None = None,
    listing: Listing | None = None,
    pictures: Pictures | None = None,
) -> tuple[Sources, list[Diagnostic]]:
    """Read every source file of the site at `root`; never raises for bad content.
    `listing`: the files and their status as source_stats found them, before this read;
    `pictures`: the photos as last read (load/pictures.py), brought up to date."""
    from mfsite.load.pictures import pictures_of  # (which reads a Sources: it imports this module)

    reader = _Reader(root, cache, listing)
    if cache is not None:
        cache.changed = []
    try:
        sources, problems = _load(root, cache, reader)
        sources.pictures = pictures_of(sources, pictures if pictures is not None else {}, reader.stats)
        return sources, problems
    except SiteErrors as exc:  # too many files: nothing further is read
        empty = Sources(root=root, site=None, stems={kind: [] for kind in CONTENT_KINDS})
        empty.content = {kind: [] for kind in CONTENT_KINDS}
        return empty, reader.problems + exc.diagnostics


def _load(root: Path, cache: SourceCache | None, reader: _Reader) -> tuple[Sources, list[Diagnostic]]:
    site_path = root / "site.yaml"
    site = None
    if site_path.is_symlink() and reader.link_target(site_path) is None:
        pass  # reported: a link that leaves the site, loops or leads nowhere
    elif site_path.exists():
        site = reader.yaml_file(str(site_path))
    else:
        reader.problems.append(
            Diagnostic(Span("site.yaml"), codes.MISSING_FILE, "no site.yaml in this folder")
        )
    sources = Sources(root=root, site=site)
    for kind in CONTENT_KINDS:
        paths = reader.listed(CONTENT[kind])
        sources.stems[kind] = [_stem(path) for path in paths]
        sources.content[kind] = [
            parsed for path in paths if (parsed := reader.markdown_file(path)) is not None
        ]
    if cache is not None and cache.stems != sources.stems:
        # Hollow entries were validated against other content files: read those files again.
        cache.entries = {rel: e for rel, e in cache.entries.items() if not _hollow(e[1])}
        cache.stems = sources.stems
    for path in reader.listed(BATCHES):
        if (parsed := reader.yaml_file(path)) is not None:
            sources.batches.append(parsed)
    static = reader.prefix + STATIC.path + "/"
    static_files = reader.listed(STATIC)
    sources.static = [p[len(static) :] for p in static_files]
    photos = reader.prefix + PHOTOS.path + "/"
    sources.photos = [p[len(photos) :] for p in reader.listed(PHOTOS)]
    # Template overrides are read by the renderer; a link among them is checked here, with the rest.
    reader.listed(TEMPLATES)
    if cache is not None:
        gone = cache.entries.keys() - reader.seen
        for rel in gone:
            del cache.entries[rel]
        cache.changed += gone
    return sources, reader.problems


def same_bytes(path: str | Path, digest: str) -> bool:
    """Whether a file whose status changed still holds what was read before: a fresh checkout
    (CI) gives every file a new time and inode, rarely new content."""
    try:
        with open(path, "rb") as handle:
            return bool(digest) and file_digest(handle.read(MAX_FILE_BYTES + 1)) == digest
    except OSError:
        return False


def content_stems(listing: Listing) -> dict[str, list[str]]:
    """The stems of the content files (what a batch may name), as load_sources finds them."""
    return {kind: [_stem(path) for path in listing.paths.get(CONTENT[kind], [])] for kind in CONTENT_KINDS}


def batch_file_reader(root: Path) -> Callable[[str], tuple[SourceFile | None, list[Diagnostic]]]:
    """Reads one batch file at a time as load_sources reads it, with its problems (for reading
    many in parallel): one reader for them all, made once."""
    reader = _Reader(root)

    def read(path: str) -> tuple[SourceFile | None, list[Diagnostic]]:
        reader.problems = []
        return reader.yaml_file(path), reader.problems

    return read


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _hollow(source: SourceFile | None) -> bool:
    return source is not None and source.tree is None


def source_stats(root: Path, before: Listing | None = None, seen: Seen | None = None) -> Listing:
    """The files load_sources would read (and the template overrides), with their status, read
    without opening any: how `mfsite build` tells that nothing changed since its last run.

    With the listing `before` and what a watch has `seen` change since it was taken, a file
    the watch vouches for keeps its status from `before`: the folders are listed anew (files
    come and go), but only the files that changed are stat'ed, and those reached through a
    link (whose target no watch follows)."""
    if before is not None and seen is not None and (carried := _carried(root, before, seen)) is not None:
        return carried
    reader = _Reader(root)
    try:
        paths = {folder: reader.listed(folder) for folder in SOURCE_FOLDERS}
    except SiteErrors:  # too many files: load_sources lists them again and says so
        paths, reader.problems = {}, []  # (and finds these again: said once)
    known: dict[str, StatKey] = {}
    if before is not None and seen is not None and not seen.everything:
        known = dict(before.stats)
        for rel in seen.files:
            known.pop(reader.rel(reader.prefix + rel), None)  # (as messages show the path)
        if seen.folders:
            known = {rel: key for rel, key in known.items() if not seen.covers(rel)}
    site_key = known.get("site.yaml") or stat_key(root / "site.yaml")
    linked = {reader.rel(path) for path in [*reader.linked, *reader.links_checked]}
    stats = [("site.yaml", site_key), *_stats(reader, paths, known, linked)]
    return Listing(stats, paths, reader.problems, linked)


def _carried(root: Path, before: Listing, seen: Seen) -> Listing | None:
    """The listing `before`, brought up to date from the files a watch saw change, without
    listing any folder; None where only a new listing can say (a folder made, moved or deleted,
    a link among the sources, a name that is not plain, a problem found while listing).

    At 10,000 batches, listing the folders is a large part of a rebuild under watch, and a
    save changes one file that is already listed."""
    if seen.everything or seen.folders or before.linked or before.problems or not before.paths:
        return None
    prefix = "" if str(root) == "." else os.path.join(str(root), "")
    now: dict[Folder, dict[str, bool]] = {}  # folder -> the seen files in it -> whether a file now
    for rel in seen.files:
        folder = _folder_of(rel)
        if folder is None:
            continue  # site.yaml (stat'ed below), or not in a source folder
        if "\\" in rel or shown(rel, limit=4096) != rel:
            return None
        try:
            mode = os.lstat(prefix + rel).st_mode
        except FileNotFoundError:
            now.setdefault(folder, {})[prefix + rel] = False
            continue
        except OSError:
            return None  # (said when the folder is listed)
        if not stat.S_ISREG(mode):
            return None  # a folder or a link (to a folder, perhaps) where a file was: listed anew
        if folder.suffixes is None or rel.lower().endswith(folder.suffixes):
            now.setdefault(folder, {})[prefix + rel] = True
    stats: list[tuple[str, StatKey]] = [("site.yaml", stat_key(root / "site.yaml"))]
    changed = [] if stats[0] == before.stats[0] else ["site.yaml"]
    paths: dict[Folder, list[str]] = {}
    start = 1
    for folder, listed in before.paths.items():
        kept = before.stats[start : start + len(listed)]
        start += len(listed)
        seen_here = now.get(folder)
        if not seen_here:
            paths[folder], stats = listed, stats + kept
            continue
        files, status = list(listed), list(kept)
        for path, is_file in seen_here.items():
            # The folder's files are in the order files() sorts them: by their parts.
            at = bisect.bisect_left(files, path.split("/"), key=_parts)
            there = at < len(files) and files[at] == path
            entry = (path[len(prefix) :], stat_key(path))
            if is_file and there and entry != status[at]:
                status[at] = entry
            elif is_file and not there:
                files.insert(at, path)
                status.insert(at, entry)
            elif there and not is_file:
                del files[at], status[at]
            else:
                continue
            changed.append(entry[0])
        paths[folder] = files
        stats += status
    if sum(map(len, paths.values())) > MAX_FILES:
        return None  # listed anew, which says so
    return Listing(stats, paths, [], set(), sorted(changed))


def _parts(path: str) -> list[str]:
    return path.split("/")


def _folder_of(rel: str) -> Folder | None:
    """The source folder this path is in, where a listing would look at it: neither its name
    nor a folder's on the way is noise."""
    for folder in SOURCE_FOLDERS:
        if rel.startswith(f"{folder.path}/"):
            inner = rel[len(folder.path) + 1 :].split("/")
            if any(is_noise(part) for part in inner) or (not folder.recursive and len(inner) > 1):
                return None
            return folder
    return None


def _stats(
    reader: _Reader, paths: dict[Folder, list[str]], known: dict[str, StatKey], linked: set[str]
) -> list[tuple[str, StatKey]]:
    found = []
    for listed in paths.values():
        for path in listed:
            rel = reader.rel(path)
            key = known.get(rel) if rel not in linked else None
            found.append((rel, key or stat_key(path)))
    return found


def stat_key(path: str | Path) -> StatKey:
    """What tells a file's versions apart without reading it; NO_STATUS where it cannot be taken."""
    try:
        st = os.stat(path)
    except OSError:
        return NO_STATUS
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class _Reader:
    """Paths here are strings, the root's joined with names: a site has tens of thousands."""

    def __init__(self, root: Path, cache: SourceCache | None = None, listing: Listing | None = None) -> None:
        self.root = root
        self.prefix = "" if str(root) == "." else os.path.join(str(root), "")  # ends with a separator
        self.listing = listing
        self.stats = dict(listing.stats) if listing is not None else {}
        # Each listed file's path as messages show it, as source_stats made it: the stats after
        # site.yaml's are its folders' files, in order.
        self.rels: dict[str, str] = {}
        if listing is not None and listing.paths:
            listed = (path for paths in listing.paths.values() for path in paths)
            self.rels = dict(zip(listed, (rel for rel, _ in listing.stats[1:]), strict=True))
        self.real_root = root.resolve()
        self.problems: list[Diagnostic] = list(listing.problems) if listing is not None else []
        self.count = 0
        self.cache = cache
        self.seen: set[str] = set()
        self.links_checked: dict[Path, bool] = {}
        self.linked: set[str] = set()  # files and folders listed through a link

    def cached(self, path: str, read: Callable[[str], SourceFile | None]) -> SourceFile | None:
        """Read through the cache: a file whose stat is unchanged is not read again."""
        if self.cache is None:
            return read(path)
        rel = self.rels.get(path) or self.rel(path)
        self.seen.add(rel)
        if (key := self.stats.get(rel, NO_STATUS)) == NO_STATUS and (key := stat_key(path)) == NO_STATUS:
            return read(path)  # not there (any more), or unreadable: reports the problem
        entry = self.cache.entries.get(rel)
        if entry is not None and (entry[0] == key or (entry[1] and same_bytes(path, entry[1].digest))):
            if entry[0] != key:  # the same bytes under a new status: noted, so the cache is saved
                self.cache.entries[rel] = (key, entry[1], entry[2])
                self.cache.changed.append(rel)
            self.problems.extend(entry[2])
            return entry[1]
        start = len(self.problems)
        result = read(path)
        self.cache.entries[rel] = (key, result, self.problems[start:])
        self.cache.changed.append(rel)
        return result

    def rel(self, path: str | Path) -> str:
        """The path as messages show it: a line break in a file name is written as an escape (such
        a name is an error of its own, so no page is ever made from the escaped form)."""
        full = str(path)  # every path here is the root's joined with names: cut, don't parse
        prefixed = full.startswith(self.prefix)
        inner = full[len(self.prefix) :] if prefixed else Path(path).relative_to(self.root)
        return shown(Path(inner).as_posix() if os.sep != "/" else str(inner), limit=4096)

    def listed(self, folder: Folder) -> list[str]:
        if self.listing is not None and folder in self.listing.paths:
            return self.listing.paths[folder]  # its problems are this reader's already
        return self.files(self.prefix + folder.path, folder.suffixes, folder.recursive)

    def files(self, folder: str, suffixes: tuple[str, ...] | None, recursive: bool = True) -> list[str]:
        """Files below `folder` in a stable order; links are followed only inside the site."""
        if not os.path.isdir(folder) or not self.folder_inside(Path(folder)):
            return []
        found: list[str] = []
        seen_dirs = {os.path.realpath(folder)}
        pending = [folder]
        through_links: set[str] = set()  # folders reached through a link
        while pending:
            current = pending.pop()
            linked = current in through_links
            try:
                entries = sorted(os.scandir(current), key=attrgetter("name"))
            except OSError as exc:
                self.cannot_read(current, exc)
                continue
            for entry in entries:
                if is_noise(entry.name):
                    continue
                path = f"{current}/{entry.name}"
                try:
                    if entry.is_symlink():
                        target = self.link_target(Path(path))
                        if target is None:
                            continue
                        is_dir, is_file = target.is_dir(), target.is_file()
                    else:
                        target = None
                        is_dir = entry.is_dir(follow_symlinks=False)
                        is_file = entry.is_file(follow_symlinks=False)
                except OSError as exc:
                    self.cannot_read(path, exc)
                    continue
                if is_dir and target is not None and Path(current).resolve().is_relative_to(target):
                    message = "this link leads back up to a folder it is in (a loop); it is not followed"
                    self.problems.append(Diagnostic(Span(self.rel(path)), codes.SYMLINK, message))
                    continue
                if is_dir:
                    real = str(target) if target is not None else os.path.realpath(path)
                    if recursive and real not in seen_dirs:  # a link back up is followed once, not round
                        seen_dirs.add(real)
                        pending.append(path)
                        if linked or target is not None:
                            through_links.add(path)
                            self.linked.add(path)  # (a watch sees its files' changes elsewhere)
                elif is_file and (suffixes is None or entry.name.lower().endswith(suffixes)):
                    found.append(path)
                    if linked or target is not None:
                        self.linked.add(path)
                    self.count += 1
                    if self.count > MAX_FILES:
                        message = f"more than {MAX_FILES} source files: is this the right folder?"
                        raise SiteErrors([Diagnostic(Span(self.rel(folder)), codes.TOO_MANY_FILES, message)])
        if len(seen_dirs) > 1:  # (one folder's files are in order already)
            found.sort(key=_parts)  # as paths sort: by their parts
        return found

    def cannot_read(self, path: str, exc: OSError) -> None:
        message = f"cannot read this: {exc.strerror or exc}"
        self.problems.append(Diagnostic(Span(self.rel(path)), codes.UNREADABLE, message))

    def link_target(self, link: Path) -> Path | None:
        """Where a link leads, when that is a file of the site's own; else None, reported."""
        rel = self.rel(link)
        try:
            target = link.resolve(strict=True)
        except FileNotFoundError:
            message = f"this link points to {os.readlink(link)}, which does not exist"
            self.problems.append(Diagnostic(Span(rel), codes.UNREADABLE, message))
            return None
        except (OSError, RuntimeError):  # RuntimeError: Python 3.11's word for a loop of links
            message = "this link leads round in a loop of links; it is not read"
            self.problems.append(Diagnostic(Span(rel), codes.SYMLINK, message))
            return None
        if not target.is_relative_to(self.real_root):
            message = f"this link points outside the site folder (to {target}); it is not read"
            self.problems.append(Diagnostic(Span(rel), codes.SYMLINK, message))
            return None
        inner = target.relative_to(self.real_root).parts
        if any(part.startswith(".") for part in inner):
            # Hidden files (.git, .env) are never read; a link is no way round that.
            message = f"this link points to a hidden file or folder ({'/'.join(inner)}); it is not read"
            self.problems.append(Diagnostic(Span(rel), codes.SYMLINK, message))
            return None
        return target

    def folder_inside(self, folder: Path) -> bool:
        """A top folder (batches/, content/partners/...) reached through a link that leaves the site
        is refused: the first link on the way is named, once."""
        current = self.root
        for part in folder.relative_to(self.root).parts:
            current = current / part
            if current.is_symlink():
                if current in self.links_checked:
                    if not self.links_checked[current]:
                        return False
                    continue
                ok = self.link_target(current) is not None
                self.links_checked[current] = ok
                if not ok:
                    return False
        return True

    def text(self, path: str) -> tuple[str, str] | None:
        """The file's text, with one newline convention, and the digest of its bytes."""
        rel = self.rel(path)
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            message = f"cannot read the file: {exc.strerror or exc}"
            self.problems.append(Diagnostic(Span(rel), codes.UNREADABLE, message))
            return None
        if len(data) > MAX_FILE_BYTES:
            limit = f"{MAX_FILE_BYTES / (1024 * 1024):g} MiB"
            message = f"the file is larger than {limit}, the limit for a source file"
            self.problems.append(Diagnostic(Span(rel), codes.UNREADABLE, message))
            return None
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            message = "the file is UTF-16 text; save it as UTF-8"
            self.problems.append(Diagnostic(Span(rel), codes.UNREADABLE, message))
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            start = data.rfind(b"\n", 0, exc.start) + 1
            column = len(data[start : exc.start].decode("utf-8", "replace")) + 1  # characters, not bytes
            message = f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
            self.problems.append(Diagnostic(Span(rel, line, column), codes.UNREADABLE, message))
            return None
        # One newline convention from here on, so positions and bodies agree.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if (odd := UNPRINTABLE.search(text)) is not None:
            # YAML refuses these too; a markdown body would carry them into pages and feeds.
            at = odd.start()
            line, column = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
            message = f"the character U+{ord(odd[0]):04X} is a control character; delete it"
            self.problems.append(Diagnostic(Span(rel, line, column), codes.UNREADABLE, message))
            return None
        return text, file_digest(data)

    def parse(self, text: str, rel: str, first_line: int = 1) -> tuple[bool, Node | None]:
        try:
            tree, problems = read_yaml(text, rel, first_line)
        except SiteErrors as exc:
            self.problems.extend(exc.diagnostics)
            return False, None
        self.problems.extend(problems)
        return not problems, tree

    def yaml_file(self, path: str) -> SourceFile | None:
        return self.cached(path, self._yaml_file)

    def markdown_file(self, path: str) -> SourceFile | None:
        return self.cached(path, self._markdown_file)

    def _yaml_file(self, path: str) -> SourceFile | None:
        if (read := self.text(path)) is None:
            return None
        text, digest = read
        rel = self.rel(path)
        ok, tree = self.parse(text, rel)
        return SourceFile(rel, tree, digest=digest) if ok else None

    def _markdown_file(self, path: str) -> SourceFile | None:
        if (read := self.text(path)) is None:
            return None
        text, digest = read
        rel = self.rel(path)
        lines = text.split("\n")
        if lines[0].rstrip() != "---":
            message = "a content file starts with front matter: a '---' line, YAML, a '---' line"
            self.problems.append(Diagnostic(Span(rel), codes.FRONT_MATTER, message))
            return None
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
        if end is None:
            message = "the front matter is not closed: add a '---' line after it"
            self.problems.append(Diagnostic(Span(rel), codes.FRONT_MATTER, message))
            return None
        ok, tree = self.parse("\n".join(lines[1:end]), rel, first_line=2)
        body = "\n".join(lines[end + 1 :])
        return SourceFile(rel, tree, body, end + 2, digest) if ok else None
