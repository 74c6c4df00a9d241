"""Processed photos, kept in `.mfsite-cache/photos/` between builds (share cards: state/cards.py).

A photo's copies are kept in a folder named after the digest of its bytes and the recipe
(`mfsite.photos.recipe_key`: the widths, formats, qualities, and the versions of Pillow and its
codecs), so a photo shown on several pages, or renamed, is processed once, and a new Pillow makes
new copies. What the site no longer uses is removed at the end of each build. The copies are
made before the pages are rendered, in the build's worker processes: a page's markup gives each
photo's placeholder colour and preview, which only processing finds.

Like the rest of the state, this is a cache: a folder that cannot be written costs the next
build the processing again, never a wrong page.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mfsite import codes
from mfsite.diagnostics import Diagnostic, SiteErrors, Span
from mfsite.load.pictures import Picture
from mfsite.photos import PhotoProblem, Processed, copy_formats, copy_sizes, process, recipe_key
from mfsite.state.store import PHOTOS_FOLDER
from mfsite.workers import pool

FACTS = "facts.json"
EXTENSIONS = {"avif": "avif", "jpeg": "jpg"}


@dataclass(frozen=True, slots=True)
class Copy:
    path: str  # in the output
    width: int
    height: int
    format: str  # "avif" or "jpeg"


@dataclass(frozen=True, slots=True)
class Shown:
    """A photo as the pages show it."""

    key: str  # its folder in the cache
    width: int  # upright
    height: int
    copies: tuple[Copy, ...]  # by width, the preferred format first at each
    colour: str = ""  # "#rrggbb", the placeholder's background while it loads
    preview: str = ""  # a data: URI of a tiny copy, the placeholder itself


@cache
def _recipe() -> str:
    return recipe_key()


def photo_key(picture: Picture) -> str:
    return hashlib.blake2b(f"{picture.digest} {_recipe()}".encode(), digest_size=8).hexdigest()


def copies_of(src: str, picture: Picture) -> Shown:
    """Where a photo's copies go in the output (img/<its name>-<key>-<width>.<ext>), from its size
    alone: the plan names them before any is made."""
    key = photo_key(picture)
    stem = _slug(Path(src).stem)
    copies = tuple(
        Copy(f"img/{stem}-{key}-{width}.{EXTENSIONS[fmt]}", width, height, fmt)
        for width, height in copy_sizes(picture.width, picture.height)
        for fmt in copy_formats()
    )
    return Shown(key, picture.width, picture.height, copies)


def _slug(stem: str) -> str:
    """A readable part of a copy's name: lower-case letters, digits and dashes (the key keeps
    names apart)."""
    kept = "".join(c if c.isascii() and c.isalnum() else "-" for c in stem.lower())
    return "-".join(part for part in kept.split("-") if part)[:40] or "photo"


class PhotoCache:
    def __init__(self, state_folder: Path, source: Path) -> None:
        self.folder = state_folder / PHOTOS_FOLDER
        self.source = source

    def entry(self, key: str) -> Path:
        return self.folder / key

    def ready(self, photos: dict[str, Picture], jobs: int) -> dict[str, Shown]:
        """Every photo shown, processed where the cache lacks it (in `jobs` processes), with its
        placeholder; the entries no longer used are removed. Raises SiteErrors for a photo that
        cannot be processed after all (one that changed since it was read, say)."""
        shown = {src: copies_of(src, picture) for src, picture in photos.items()}
        todo = {s.key: src for src, s in shown.items() if not (self.entry(s.key) / FACTS).is_file()}
        made: dict[str, dict[str, str]] = {}  # key -> facts, of the photos processed now
        if todo:
            work = [(self, src, key) for key, src in todo.items()]
            if jobs > 1 and len(work) > 1:
                with pool(jobs) as workers:
                    done = list(workers.imap_unordered(_process_one, work))
            else:
                done = list(map(_process_one, work))
            problems = [problem for _, _, problem in done if problem is not None]
            if problems:
                raise SiteErrors(sorted(problems, key=lambda d: d.span))
            made = {key: facts for key, facts, _ in done}
        found = {}
        for src, s in shown.items():
            facts = made.get(s.key) or self._facts(s.key, src)
            found[src] = Shown(s.key, s.width, s.height, s.copies, facts["colour"], facts["preview"])
        return found

    def _facts(self, key: str, src: str) -> dict[str, str]:
        try:
            facts = json.loads((self.entry(key) / FACTS).read_bytes())
            return {"colour": str(facts["colour"]), "preview": str(facts["preview"])}
        except (OSError, ValueError, TypeError, KeyError):  # lost since: made again
            _, found, problem = _process_one((self, src, key))
            if problem is not None:
                raise SiteErrors([problem]) from None
            return found

    def copy_bytes(self, src: str, picture: Picture, path: str) -> bytes:
        """One published copy; made again here where the cache lost it (or never kept it)."""
        shown = copies_of(src, picture)
        name = Path(path).name.rsplit("-", 1)[1]  # "<width>.<ext>"
        try:
            return (self.entry(shown.key) / name).read_bytes()
        except OSError:
            made = _copies(process(self._read(src)))
            return made[name]

    def _read(self, src: str) -> bytes:
        return (self.source / "photos" / src).read_bytes()

    def keep(self, entry: str, files: dict[str, bytes]) -> None:
        """Write an entry whole, or not at all (a folder made aside, then renamed into place)."""
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            aside = Path(tempfile.mkdtemp(prefix=f".{entry}.", dir=self.folder))
            try:
                for name, data in files.items():
                    (aside / name).write_bytes(data)
                os.rename(aside, self.entry(entry))
            except OSError:
                shutil.rmtree(aside, ignore_errors=True)  # (another process made it first, or no space)

    def clear(self) -> None:
        """Keep nothing (`--clean`): every photo is processed anew."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def prune(self, photos: Iterable[str]) -> None:
        """Remove the photos the site no longer uses, by key."""
        keep = set(photos)
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder):
                if entry.name not in keep and not entry.name.startswith("."):
                    shutil.rmtree(entry.path, ignore_errors=True)


def _copies(processed: Processed) -> dict[str, bytes]:
    return {f"{c.width}.{EXTENSIONS[c.format]}": c.data for c in processed.copies}


def _process_one(work: tuple[PhotoCache, str, str]) -> tuple[str, dict[str, str], Diagnostic | None]:
    """(key, the placeholder's facts, a problem) of one photo, its copies kept in the cache."""
    cache, src, key = work
    try:
        processed = process(cache._read(src))
    except (OSError, PhotoProblem) as exc:
        message = f"cannot be published: {exc.strerror if isinstance(exc, OSError) else exc}"
        return key, {}, Diagnostic(Span(f"photos/{src}"), codes.PHOTO_UNREADABLE, message)
    facts = {"colour": processed.colour, "preview": processed.preview}
    cache.keep(key, {**_copies(processed), FACTS: json.dumps(facts).encode()})
    return key, facts, None


@dataclass(slots=True)
class Published:
    """What the renderers need of the photos: how each is shown, and its copies."""

    cache: PhotoCache
    pictures: dict[str, Picture]  # the site's photos, by path inside photos/
    shown: dict[str, Shown]  # the same, as the pages show them

    def copy(self, src: str, path: str) -> bytes:
        return self.cache.copy_bytes(src, self.pictures[src], path)
