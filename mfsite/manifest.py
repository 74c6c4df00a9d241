"""What each output was made from, so a rebuild renders only what changed.

Every planned output gets a signature: a hash of the bytes of every source
file it is made from, plus what every page shares (site.yaml, the free pages
in the footer, the site's templates, and mfsite itself: its version, the
bytes of its code and theme, and the versions of Python and of the libraries
that shape its output, `mfsite.dependencies`). A manifest in
`.mfsite-cache/`, one per output folder, keeps the signatures of the files in
the live output. A rebuild renders only the files whose signature changed and
publishes them in place (publish.py); files no longer planned are deleted.

The dependencies are deliberately broad: a batch's files depend on the batch
and every content file it names; a partner, material or story page on its
file and on every batch that names it (by the batches' own signatures, so with
every file they name, their partners among them); a month page likewise on its
batches; the site-wide files on everything. Too broad only costs time; too
narrow would be a stale page, and the tests compare cached builds with clean
ones byte for byte.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from mfsite import dependencies
from mfsite.cache import CACHE_DIR, plain_data, write_cache_file
from mfsite.load.sources import file_digest
from mfsite.model import Batch, Site, users
from mfsite.plan import BATCH_FILE_KINDS, CONTENT_KINDS, Output
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

    def __init__(self, site: Site, source: Path, digests: dict[str, str] | None = None) -> None:
        self.site = site
        self.source = source
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
    def own(self) -> dict[str, str]:
        """By batch id: its file and every content file it names (the same for all its outputs).
        The names come from `users`, made anyway, rather than from each batch once more."""
        named: dict[str, list[str]] = {batch.id: [] for batch in self.site.batches}
        for (kind, stem), batches in self.users.items():
            file = f"content/{kind}/{stem}.md"
            part = f"{file} {self.file(file)}"
            for batch in batches:
                named[batch.id].append(part)
        file = self.file  # the path too: a batch's id can come from its file's name
        return {
            b.id: digest(self.shared, b.span.path, file(b.span.path), *sorted(named[b.id]))
            for b in self.site.batches
        }

    def listed(self, batches: Iterable[Batch]) -> list[str]:
        """Batches as lists show them (with their maker): by their own signatures, which are
        broader (every file a batch names) but made anyway."""
        own = self.own
        return [own[b.id] for b in batches]

    def of_all(self, outputs: Iterable[Output]) -> dict[str, str]:
        """Every output's signature, by its path. A batch's own files (most of them) share one:
        the batch's, which covers what decides their kinds (the settings and the batch)."""
        own = self.own
        kinds = BATCH_FILE_KINDS
        return {o.path: own[o.key] if o.kind in kinds else self._of(o) for o in outputs}

    def _of(self, out: Output) -> str:
        """Any output but a batch's own files (of_all signs those)."""
        if out.kind == "static":
            return digest("static", self.file(f"static/{out.key}"))
        if out.kind in CONTENT_KINDS:
            own = self.file(f"content/{out.kind}/{out.key}.md")
            return digest(self.shared, out.kind, own, *self.listed(self.users.get((out.kind, out.key), [])))
        if out.kind == "archive":
            return digest(self.shared, "archive", *self.listed(self.months[out.key]))
        return digest(self.shared, out.kind, self.all)

    @cached_property
    def months(self) -> dict[str, list[Batch]]:
        return by_month(self.site.batches)

    @cached_property
    def all(self) -> str:
        """Every source file: content files (named by a batch or not) and the batches'."""
        stems = sorted(f"content/{k}/{s}.md" for k in CONTENT_KINDS for s in getattr(self.site, k))
        return digest(*(f"{p} {self.file(p)}" for p in stems), *self.listed(self.site.batches))


def manifest_file(source: Path, output: Path) -> Path:
    """One manifest per output folder: a build to a second folder leaves the first one's alone."""
    return source / CACHE_DIR / f"manifest-{digest(str(output.resolve()))[:16]}.pickle"


def _pending_file(source: Path, output: Path) -> Path:
    """The files an in-place publish is writing, until it is done (see `begin`)."""
    return manifest_file(source, output).with_suffix(".publishing")


def load(source: Path, output: Path) -> dict[str, str]:
    """The files of the live output and their signatures, if the manifest describes this very
    output folder. A signature is empty where it cannot be trusted (a build stopped while
    publishing the file): those files are made again. (A manifest another mfsite, Python or
    library version wrote needs no check: every signature it holds covers them.)"""
    try:
        data = plain_data(manifest_file(source, output).read_bytes())
        if not isinstance(data, dict) or not isinstance(files := data.get("files"), dict):
            return {}
        if data.get("output") != str(output.resolve()):
            return {}
        found = {str(path): str(signature) for path, signature in files.items()}
    except Exception:  # missing or damaged (pickle's errors are of many kinds): build everything
        return {}
    try:
        pending = json.loads(_pending_file(source, output).read_text(encoding="utf-8"))
        found.update((str(path), "") for path in pending)
    except (OSError, ValueError, TypeError):
        pass  # no build was stopped half-way
    return found


def begin(source: Path, output: Path, paths: list[str]) -> None:
    """Note the files a build is about to write or delete, in case it is stopped half-way, or
    that watch mode wrote: mfsite's own, but not as the manifest describes them."""
    pending = _pending_file(source, output)
    write_cache_file(source, pending.name, json.dumps(paths).encode())


def save(source: Path, output: Path, files: dict[str, str]) -> None:
    # Pickled, not JSON: 50,000 entries load in half the time and save in a third.
    data = {"output": str(output.resolve()), "files": files}
    write_cache_file(source, manifest_file(source, output).name, pickle.dumps(data, pickle.HIGHEST_PROTOCOL))
    with contextlib.suppress(OSError):
        _pending_file(source, output).unlink(missing_ok=True)
