"""What each output was made from, so a rebuild renders only what changed.

Every planned output gets a signature: a hash of the bytes of every source
file it is made from, plus what every page shares (site.yaml, the free pages
in the footer, the templates, the mfsite version). The manifest in
`.mfsite-cache/` keeps the signatures of the files in the live output. A
build links a file whose signature is unchanged from the live output into the
new one (a hard link: no copy, no render) and renders the rest; the new output
is still swapped in whole.

The dependencies are deliberately broad: a batch's files depend on the batch
and every content file it names; a partner, material or story page on its
file and on every batch that names it (and their partners, which lists show);
a month page on its batches and their partners; the site-wide files on
everything. Too broad only costs time; too narrow would be a stale page, and
the tests compare cached builds with clean ones byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from mfsite import __version__
from mfsite.cache import CACHE_DIR, write_json
from mfsite.model import Batch, Site
from mfsite.plan import CONTENT_KINDS, Output
from mfsite.urls import month_of

MANIFEST = "manifest.json"
THEME = Path(__file__).parent / "theme"


def digest(*parts: str | bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class Signatures:
    """Signatures of a site's outputs, from the bytes of its source files."""

    def __init__(self, site: Site, source: Path) -> None:
        self.site = site
        self.source = source
        self.files: dict[str, str] = {}
        self.shared = digest(
            __version__,
            repr(site.config),  # the settings in effect: --base-url and MFSITE_BASE_URL too
            os.environ.get("SOURCE_DATE_EPOCH", ""),  # the feed's date when the data has none
            self.file("site.yaml"),
            *(self.file(page.span.path) for page in site.pages.values()),
            *self.templates(),
        )
        self.users: dict[tuple[str, str], list[Batch]] = defaultdict(list)
        for batch in site.batches:
            for kind_and_id in dict.fromkeys((k, r.id) for k, r in batch.references()):
                self.users[kind_and_id].append(batch)
        self.everything: str | None = None
        self.by_id = {b.id: b for b in site.batches}

    def file(self, rel: str) -> str:
        if rel not in self.files:
            try:
                self.files[rel] = digest((self.source / rel).read_bytes())
            except OSError:
                self.files[rel] = "missing"
        return self.files[rel]

    def templates(self) -> Iterable[str]:
        """Every template a page could use: the built-in theme and the site's overrides."""
        for folder in (THEME, self.source / "templates"):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
                if path.is_file():
                    yield path.relative_to(folder).as_posix()
                    yield digest(path.read_bytes())

    def batch(self, batch: Batch) -> str:
        """A batch's file and every content file it names."""
        refs = sorted({f"content/{kind}/{ref.id}.md" for kind, ref in batch.references()})
        return digest(self.file(batch.span.path), *(self.file(r) for r in refs))

    def listed(self, batches: Iterable[Batch]) -> list[str]:
        """Batches as lists show them: each with its maker."""
        return [
            part
            for b in batches
            for part in (self.file(b.span.path), self.file(f"content/partners/{b.partner.id}.md"))
        ]

    def of(self, out: Output) -> str:
        if out.kind == "static":
            return digest("static", self.file(f"static/{out.key}"))
        if out.kind in CONTENT_KINDS:
            own = self.file(f"content/{out.kind}/{out.key}.md")
            return digest(self.shared, out.kind, own, *self.listed(self.users.get((out.kind, out.key), [])))
        if out.kind == "archive":
            month = [b for b in self.site.batches if month_of(b) == out.key]
            return digest(self.shared, "archive", *self.listed(month))
        if out.key:
            return digest(self.shared, out.kind, self.batch(self.by_id[out.key]))
        return digest(self.shared, out.kind, self.all())

    def all(self) -> str:
        if self.everything is None:
            stems = [f"content/{k}/{s}.md" for k in CONTENT_KINDS for s in getattr(self.site, k)]
            batch_files = sorted(b.span.path for b in self.site.batches)
            self.everything = digest(*(self.file(p) for p in sorted(stems) + batch_files))
        return self.everything


def load(source: Path, output: Path) -> dict[str, str]:
    """The live output's signatures, if the manifest describes this very output folder."""
    try:
        data = json.loads((source / CACHE_DIR / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(files := data.get("files"), dict):
            return {}
        if data.get("version") != __version__ or data.get("output") != str(output.resolve()):
            return {}
        return {str(path): str(signature) for path, signature in files.items()}
    except (OSError, ValueError):  # missing or not JSON: build everything
        return {}


def save(source: Path, output: Path, files: dict[str, str]) -> None:
    write_json(source, MANIFEST, {"version": __version__, "output": str(output.resolve()), "files": files})
