"""Output paths that two sources would share, refused by `check` before anything is written.

Every source becomes files in the output (plan.py). Two of them collide when they would write
the same path, or when one would write a file where the other needs a folder: a free page
`feed.xml.md` becomes `feed.xml/index.html`, and the site writes its own `feed.xml`. A build
would only find out half-way, with "File exists"; here each collision is one positioned error
that names both sides.

Paths are compared the way the file systems a site is built or checked out on compare them:
without case (macOS and Windows) and without regard to how accents are encoded (macOS), so a
site that builds on Linux builds everywhere.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from operator import attrgetter

from mfsite import codes
from mfsite.diagnostics import Diagnostic, Span
from mfsite.model import Site
from mfsite.plan import BATCH_TOPS, CONTENT_KINDS, Output, plan_batch, plan_shared
from mfsite.validate.fields import Problems

# A base URL for planning only: the feeds, the sitemap and batches.json are made only with a
# base URL, which `build --base-url` or MFSITE_BASE_URL may give where `check` has none.
ANY_BASE_URL = "https://check.invalid/"

# How each kind of source is named in a message, and what fixes a collision.
NOUNS = {
    "pages": ("this page", "rename this page"),
    "partners": ("this partner's page", "rename this file"),
    "materials": ("this material's page", "rename this file"),
    "stories": ("this story", "rename this file"),
    "static": ("this file", "rename one of them"),
    "batch": ("this batch", "give this batch another id"),
}


@dataclass(frozen=True, slots=True)
class Claim:
    """One output path and who makes it."""

    path: str  # inside the output, as planned
    source: str  # the source file that makes it; "" for a file the site makes itself
    kind: str  # a key of NOUNS, or "site"

    @property
    def key(self) -> str:
        return fold(self.path)


def fold(path: str) -> str:
    """A path as a case-insensitive, normalization-insensitive file system sees it."""
    return path.lower() if path.isascii() else unicodedata.normalize("NFC", path.lower())


def check_output_paths(site: Site, problems: Problems, every_batch: bool = False) -> None:
    """Append one error for each pair of sources whose outputs collide. `every_batch` plans the
    files of every batch even where no other output shares their folders (the tests compare)."""
    for claim, other in collisions(claims(site, every_batch)):
        problems.append(_diagnostic(claim, other))


def claims(site: Site, every_batch: bool = False) -> list[Claim]:
    """Every output path of the site, with its source, planned as if a base URL were set."""
    if site.config.base_url is None:
        site = replace(site, config=replace(site.config, base_url=ANY_BASE_URL))
    found = [_claim(site, out) for out in plan_shared(site)]
    tops = {fold(top) for top in BATCH_TOPS}
    # A batch's files all lie in folders named after its id, below BATCH_TOPS; ids are unique
    # without case (MF031). So only an output of another kind below those tops can collide
    # with one of them, and a large site's 50,000 batch files are not planned on every build.
    if every_batch or any(fold(c.path.split("/", 1)[0]) in tops for c in found):
        for batch in site.batches:
            found += (Claim(out.path, batch.span.path, "batch") for out in plan_batch(site.config, batch))
    return found


def _claim(site: Site, out: Output) -> Claim:
    if out.kind in CONTENT_KINDS:
        return Claim(out.path, getattr(site, out.kind)[out.key].span.path, out.kind)
    if out.kind == "static":
        return Claim(out.path, f"static/{out.key}", "static")
    if out.kind == "photo":
        return Claim(out.path, f"photos/{out.key}", "photo")
    return Claim(out.path, "", "site")  # the home page, the lists, the feeds, robots.txt...


def collisions(found: list[Claim]) -> list[tuple[Claim, Claim]]:
    """(claim, other) for each pair of sources that collide, at the first path where they do.
    The files the site makes itself come first, then the sources by path: each collision is
    told at the later source, naming the earlier one (or the site)."""
    files: dict[str, Claim] = {}  # a folded path -> the first claim of it
    folders: dict[str, Claim] = {}  # a folded folder -> the first claim of a file inside it
    pairs: dict[tuple[str, str], tuple[Claim, Claim]] = {}
    for claim in sorted(found, key=attrgetter("source", "path")):
        key = claim.key
        parts = key.split("/")
        above = ["/".join(parts[:i]) for i in range(1, len(parts))]
        # The same file; a file where another needs a folder; a folder where another has a file.
        for other in (files.get(key), folders.get(key), *map(files.get, above)):
            if other is not None and other.source != claim.source:
                pairs.setdefault((claim.source, other.source), (claim, other))
        files.setdefault(key, claim)
        for folder in above:
            folders.setdefault(folder, claim)
    return list(pairs.values())


def _diagnostic(claim: Claim, other: Claim) -> Diagnostic:
    this, fix = NOUNS[claim.kind]
    mine, theirs = claim.path, other.path
    if claim.key == other.key:
        what = f"{this} would be written to {mine}, the same file as {_named(other)}"
    elif other.key.startswith(claim.key + "/"):  # the other writes inside this file
        theirs = _first_parts(other.path, claim.path)
        what = f"{this} would be written to the file {mine}, but {_needing(other)}"
    else:  # this writes inside the other's file
        mine = _first_parts(claim.path, other.path)
        what = f"{this} would be written to {claim.path}, but {other.path} is a file{_made_by(other)}"
    code = codes.RESERVED_NAME if not other.source else codes.DUPLICATE_ID
    return Diagnostic(Span(claim.source), code, f"{what}{_note(mine, theirs)}; {fix}")


def _first_parts(path: str, like: str) -> str:
    """As many of the path's first parts as `like` has."""
    return "/".join(path.split("/")[: like.count("/") + 1])


def _named(other: Claim) -> str:
    if not other.source:
        return f"the site's own {other.path}"
    if other.source == other.path:  # a static file keeps its path
        return other.path
    return f"{other.path} (from {other.source})"


def _needing(other: Claim) -> str:
    if not other.source:
        return f"the site needs a folder there for {other.path}"
    if other.source == other.path:
        return f"{other.path} needs a folder there"
    return f"{other.source} needs a folder there for {other.path}"


def _made_by(other: Claim) -> str:
    if not other.source:
        return " the site writes itself"
    return "" if other.source == other.path else f" (from {other.source})"


def _note(mine: str, theirs: str) -> str:
    """Why two names that read differently are one."""
    if mine == theirs:
        return ""
    if mine.lower() == theirs.lower():
        return " (on macOS and Windows, names that differ only in case are the same name)"
    return " (on macOS, names that differ only in how their accents are encoded are the same name)"
