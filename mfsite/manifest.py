"""What each output was made from, so a rebuild renders only what changed.

Every planned output gets a signature: a hash of the bytes of every source
file it is made from, plus what every page shares (site.yaml, the free pages
in the footer, the site's templates, and mfsite itself: its version, the
bytes of its code and theme, and the versions of Python and of the libraries
that shape its output, `mfsite.dependencies`). A manifest in
`.mfsite-cache/`, one per output folder, keeps the signatures of the files in
the live output. A rebuild renders only the files whose signature changed and
publishes them in place (publish.py); files no longer planned are deleted.
A batch's own files (its page, label, passport, QR images: most of the
output) share the batch's signature and are kept as one entry, so a rebuild
plans the files of the batches that changed only (`compare`).

The dependencies are deliberately broad: a batch's files depend on the batch
and every content file it names; a partner, material or story page on its
file, on the batches it shows (by the batches' own signatures, so with every
file they name, their partners among them) and on how many more name it; a
month page on its batches; the site-wide files on everything. Too broad only
costs time; too narrow would be a stale page, and the tests compare cached
builds with clean ones byte for byte.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from pathlib import Path

from mfsite import dependencies
from mfsite.cache import CACHE_DIR, plain_data, strings_only, write_cache_file, write_pickle
from mfsite.load.sources import file_digest
from mfsite.model import Batch, Site, users
from mfsite.plan import CONTENT_KINDS, Output, plan_batch, plan_shared
from mfsite.render.pages import shown_on_page
from mfsite.urls import by_month

PACKAGE = Path(__file__).parent


def package_files() -> list[Path]:
    """mfsite's own files: its code, theme and schemas. A page depends on all of them, so a
    change to any (a new mfsite, or a working copy being edited) makes every output anew."""
    return sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


class Signatures:
    """Signatures of a site's outputs, from the bytes of its source files."""

    def __init__(
        self, site: Site, source: Path, digests: dict[str, str] | None = None, kept: Manifest | None = None
    ) -> None:
        self.site = site
        self.source = source
        self.kept = kept  # the live output's manifest: its batches' signatures, where still right
        self.files: dict[str, str] = dict(digests or {})  # the loader's digests: no second read
        self.shared = digest(
            dependencies(),
            repr(site.config),  # the settings in effect: --base-url and MFSITE_BASE_URL too
            os.environ.get("SOURCE_DATE_EPOCH", ""),  # the feed's date when the data has none
            self.file("site.yaml"),
            *(self.file(page.span.path) for page in site.pages.values()),
            *self.templates(),
        )
        self.users = users(site.batches)

    def file(self, rel: str) -> str:
        found = self.files.get(rel)
        if found is None:
            try:
                found = file_digest((self.source / rel).read_bytes())
            except OSError:
                found = "missing"
            self.files[rel] = found
        return found

    def templates(self) -> Iterable[str]:
        """What renders every page: mfsite itself (its code and theme) and the site's overrides."""
        for path in package_files():
            yield f"mfsite/{path.relative_to(PACKAGE).as_posix()}"
            yield file_digest(path.read_bytes())
        overrides = self.source / "templates"
        for path in sorted(overrides.rglob("*")) if overrides.is_dir() else ():
            if path.is_file():
                yield f"templates/{path.relative_to(overrides).as_posix()}"
                yield file_digest(path.read_bytes())

    @cached_property
    def context(self) -> str:
        """What a batch's own signature covers besides its file: what every page shares, and
        every content file (which of them a batch names follows from its file and their names)."""
        return digest(self.shared, *self.content)

    @cached_property
    def content(self) -> list[str]:
        """Every content file (named by a batch or not), with its digest."""
        paths = sorted(f"content/{k}/{s}.md" for k in CONTENT_KINDS for s in getattr(self.site, k))
        return [f"{path} {self.file(path)}" for path in paths]

    @cached_property
    def sources(self) -> dict[str, str]:
        """By batch id: its file (its path too: an id can come from the file's name) and digest."""
        file = self.file
        return {b.id: f"{b.span.path} {file(b.span.path)}" for b in self.site.batches}

    @cached_property
    def own(self) -> dict[str, str]:
        """By batch id: its file and every content file it names (the same for all its outputs).
        A batch whose file is unchanged, in an unchanged context, keeps the live output's."""
        kept = self.kept if self.kept is not None and self.kept.context == self.context else Manifest()
        sources = self.sources
        found = {}
        for batch in self.site.batches:
            if kept.sources.get(batch.id) == sources[batch.id] and (signature := kept.batches.get(batch.id)):
                found[batch.id] = signature  # (empty where a stopped publish left its files in doubt)
            else:
                names = {f"content/{kind}/{stem}.md" for kind, stem in batch.named()}
                parts = sorted(f"{name} {self.file(name)}" for name in names)
                found[batch.id] = digest(self.shared, sources[batch.id], *parts)
        return found

    def listed(self, batches: Iterable[Batch]) -> list[str]:
        """Batches as lists show them (with their maker): by their own signatures, which are
        broader (every file a batch names) but made anyway."""
        return list(map(self.own.__getitem__, map(attrgetter("id"), batches)))  # no Python step per batch

    def of(self, out: Output) -> str:
        """Any output but a batch's own files: those share the batch's own signature, which
        covers what decides them (the settings and the batch)."""
        if out.kind == "static":
            return digest("static", self.file(f"static/{out.key}"))
        if out.kind in CONTENT_KINDS:
            own = self.file(f"content/{out.kind}/{out.key}.md")
            shown, more = shown_on_page(self.users.get((out.kind, out.key), []))
            return digest(self.shared, out.kind, own, str(more), *self.listed(shown))
        if out.kind == "archive":
            return digest(self.shared, "archive", *self.listed(self.months[out.key]))
        return digest(self.shared, out.kind, self.all)

    @cached_property
    def months(self) -> dict[str, list[Batch]]:
        return by_month(self.site.batches)

    @cached_property
    def all(self) -> str:
        """Every source file: content files (named by a batch or not) and the batches'."""
        return digest(*self.content, *self.own.values())  # (by batch, in the batches' order)


SEP = "\0"  # between the paths of a batch's files (no path holds it)


@dataclass(slots=True)
class Manifest:
    """The files of an output and what they were made from. A batch's own files go together,
    under the batch's own signature, so a rebuild compares 10,000 batches, not 50,000 files,
    and plans the files of those that changed only."""

    batches: dict[str, str] = field(default_factory=dict)  # batch id -> its own signature
    paths: dict[str, str] = field(default_factory=dict)  # batch id -> its files' paths, SEP between
    files: dict[str, str] = field(default_factory=dict)  # any other file's path -> its signature
    context: str = ""  # Signatures.context when it was written
    sources: dict[str, str] = field(default_factory=dict)  # batch id -> Signatures.sources
    versions: dict[str, str] = field(default_factory=dict)  # batch id -> its QR code's version

    def holds(self, out: Output) -> bool:
        """Whether this output's file is one the manifest names (where it would be)."""
        return out.path in self.files or out.path in self.paths.get(out.key, "").split(SEP)

    @property
    def empty(self) -> bool:
        return not (self.batches or self.files)

    def every_path(self) -> set[str]:
        return {*self.files, *(path for paths in self.paths.values() for path in paths.split(SEP))}


@dataclass(slots=True)
class Changes:
    """What turns the output a manifest describes into this build's."""

    todo: list[Output]  # to render, by path: new, or made from sources that changed
    removed: list[str]  # to delete: files of the old output this build does not make
    now: Manifest  # the output once published
    files: int  # how many files it holds


def compare(site: Site, signatures: Signatures, before: Manifest, reuse: bool) -> Changes:
    """The files to render and to delete. With `reuse`, a file whose signature is unchanged is
    kept, and a batch whose own signature is unchanged keeps its files, which are not even
    planned; without (the first build, --clean), every file is made."""
    shared = plan_shared(site)
    own = signatures.own
    now = Manifest(
        batches=own,
        files={out.path: signatures.of(out) for out in shared},
        context=signatures.context,
        sources=signatures.sources,
    )
    todo = [out for out in shared if not reuse or before.files.get(out.path) != now.files[out.path]]
    removed = [path for path in before.files if path not in now.files]
    kept = before.batches if reuse else {}
    now.paths = {i: before.paths[i] for i, signature in own.items() if kept.get(i) == signature}
    for batch_id in before.paths.keys() - now.paths.keys():  # a batch gone, or made anew: its old files
        removed += before.paths[batch_id].split(SEP)
    for batch in site.batches:
        if batch.id not in now.paths:
            outputs = plan_batch(site.config, batch)
            todo += outputs
            now.paths[batch.id] = SEP.join(out.path for out in outputs)
    made = {out.path for out in todo}  # (a batch whose id changed case makes the same paths)
    count = len(shared) + sum(paths.count(SEP) + 1 for paths in now.paths.values())
    return Changes(
        sorted(todo, key=attrgetter("path")), sorted({p for p in removed if p not in made}), now, count
    )


def manifest_file(source: Path, output: Path) -> Path:
    """One manifest per output folder: a build to a second folder leaves the first one's alone."""
    return source / CACHE_DIR / f"manifest-{digest(str(output.resolve()))[:16]}.pickle"


def _pending_file(source: Path, output: Path) -> Path:
    """The files an in-place publish is writing, until it is done (see `begin`)."""
    return manifest_file(source, output).with_suffix(".publishing")


def load(source: Path, output: Path) -> Manifest:
    """The live output's manifest, if it describes this very output folder; else an empty one.
    A file is made again where its signature cannot be trusted (a build stopped while
    publishing it): its signature, or its batch's, is emptied. (A manifest another mfsite,
    Python or library version wrote needs no check: every signature it holds covers them.)"""
    try:
        data = plain_data(manifest_file(source, output).read_bytes())
        if not isinstance(data, dict) or data.get("output") != str(output.resolve()):
            return Manifest()
        found = Manifest(*(data[name] for name in Manifest.__match_args__))
        dicts = (found.batches, found.paths, found.files, found.sources, found.versions)
        if type(found.context) is not str or not all(map(strings_only, dicts)):
            return Manifest()
        if found.batches.keys() != found.paths.keys() or found.batches.keys() != found.versions.keys():
            return Manifest()
        if not all(map(str.isdecimal, found.versions.values())):  # what int() takes
            return Manifest()
    except Exception:  # missing or damaged (pickle's errors are of many kinds): build everything
        return Manifest()
    try:
        pending = set(json.loads(_pending_file(source, output).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return found  # no build was stopped half-way
    grouped = set()
    for batch_id, paths in found.paths.items():
        if not pending.isdisjoint(listed := paths.split(SEP)):
            found.batches[batch_id] = ""
            grouped.update(listed)
    # The rest are files of their own, or ones watch mode wrote after the manifest: mfsite's too.
    found.files.update((path, "") for path in pending - grouped)
    return found


def begin(source: Path, output: Path, paths: list[str]) -> None:
    """Note the files a build is about to write or delete, in case it is stopped half-way, or
    that watch mode wrote: mfsite's own, but not as the manifest describes them."""
    pending = _pending_file(source, output)
    write_cache_file(source, pending.name, json.dumps(paths).encode())


def save(source: Path, output: Path, now: Manifest) -> None:
    # Pickled, not JSON: it loads in half the time and saves in a third.
    data = {"output": str(output.resolve())} | {name: getattr(now, name) for name in Manifest.__match_args__}
    write_pickle(source, manifest_file(source, output).name, data)
    with contextlib.suppress(OSError):
        _pending_file(source, output).unlink(missing_ok=True)
