"""Property: source trees whose names collide on output paths in every way the naming rules
allow (free pages named after the site's own files, names that differ only in case or in how
an accent is encoded, a file where another needs a folder, batch ids and content stems alike),
with and without a base URL and compact codes. `check` reports each collision as a positioned
error at one side that names the other; and a site `check` passes builds, into an output
where no two paths are one on macOS or Windows.

The oracle is a plain model of where each source goes (SPEC.md's Output), written apart from
plan.py. Examples run in-process; the real CLI runs them in tests/test_paths_collisions.py.
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from conftest import MINI_SITE, write_site
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mfsite.diagnostics import Diagnostic
from mfsite.engine import Engine, check_site
from mfsite.validate import RESERVED_PAGES
from mfsite.validate.paths import check_output_paths

SITE_FILES = ["index.html", "404.html", "robots.txt", "sitemap.xml", "feed.xml", "batches.json"]
MONTH_PAGE = "archive/2026-11/index.html"  # every batch here is made in November 2026
BATCH_FILES = ["index.html", "label/index.html", "passport.json", "qr.svg", "qr.png"]
CAFE = "café.css"
NAMES = [*SITE_FILES, "about", "b", "B", "a", "A", "logo.svg", "Logo.svg", "x.y", "01", "tee-1"]
STATIC_NAMES = [*NAMES, unicodedata.normalize("NFC", CAFE), unicodedata.normalize("NFD", CAFE)]
BASE_URL = "https://mini.example/shop/"
PAGE = "---\ntitle: A page\n---\nText.\n"
BASE = {rel: text for rel, text in MINI_SITE.items() if not rel.startswith("content/pages/")}
PARTNER = "---\nname: A partner\n---\n"
STORY = "---\ntitle: A story\n---\n"


def cased(names: list[str]) -> st.SearchStrategy[str]:
    """A name, its letters in any case."""
    return st.sampled_from(names).flatmap(
        lambda name: st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
            lambda upper: "".join(c.upper() if u else c for c, u in zip(name, upper, strict=True))
        )
    )


ids = st.one_of(cased(NAMES), st.from_regex(r"[a-z0-9][a-z0-9._-]{0,6}", fullmatch=True))


@dataclass
class Layout:
    pages: list[str] = field(default_factory=list)
    static: list[str] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    stories: list[str] = field(default_factory=list)
    base_url: bool = True
    compact: bool = False

    def files(self) -> dict[str, str | None]:
        settings = f"title: Mini Shop\n{f'base_url: {BASE_URL}' if self.base_url else ''}\n"
        settings += f"qr:\n  compact: {str(self.compact).lower()}\n"
        files: dict[str, str | None] = {"site.yaml": settings}
        files |= {f"content/pages/{stem}.md": PAGE for stem in self.pages}
        files |= {f"content/partners/{stem}.md": PARTNER for stem in self.partners}
        files |= {f"content/stories/{stem}.md": STORY for stem in self.stories}
        files |= {f"static/{rel}": "static\n" for rel in self.static}
        files |= {f"batches/{stem}.yaml": MINI_SITE["batches/tee-1.yaml"] for stem in self.batches}
        return files

    def allowed_pages(self) -> list[str]:
        return [stem for stem in self.pages if stem.lower() not in RESERVED_PAGES]

    def outputs(self) -> list[tuple[str, str]]:
        """(source, output path) for every file the site should make; "" is the site itself."""
        found = [("", path) for path in [*SITE_FILES, MONTH_PAGE]]
        # A page named like one of the site's own folders is refused outright (MF032): it
        # makes nothing, so it collides with nothing.
        found += [(f"content/pages/{s}.md", f"{s.lower()}/index.html") for s in self.allowed_pages()]
        found += [(f"content/partners/{s}.md", f"partners/{s.lower()}/index.html") for s in self.partners]
        found += [(f"content/stories/{s}.md", f"stories/{s.lower()}/index.html") for s in self.stories]
        found += [(f"static/{rel}", f"static/{rel}") for rel in self.static]
        for stem in ["tee-1", *self.batches]:
            source = f"batches/{stem}.yaml"
            found += [(source, f"b/{stem.lower()}/{name}") for name in BATCH_FILES]
            if self.compact:
                found.append((source, f"B/{stem.upper()}/index.html"))
        return found


def on_disk(paths: list[str]) -> list[str]:
    """The paths a (case-sensitive) folder can hold at once: no name twice, no file in a file."""
    kept: list[str] = []
    for path in paths:
        if all(path != k and not path.startswith(k + "/") and not k.startswith(path + "/") for k in kept):
            kept.append(path)
    return kept


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    static = draw(st.lists(st.lists(st.sampled_from(STATIC_NAMES), min_size=1, max_size=3), max_size=5))
    return Layout(
        pages=draw(st.lists(ids, max_size=4, unique=True)),
        static=on_disk(["/".join(parts) for parts in static]),
        batches=[b for b in draw(st.lists(ids, max_size=3, unique=True)) if b != "tee-1"],
        partners=[p for p in draw(st.lists(ids, max_size=2, unique=True)) if p not in ("atelier",)],
        stories=[s for s in draw(st.lists(ids, max_size=2, unique=True)) if s != "drop"],
        base_url=draw(st.booleans()),
        compact=draw(st.booleans()),
    )


def fold(path: str) -> str:
    return unicodedata.normalize("NFC", path.lower())


def expected(layout: Layout) -> list[tuple[str, str, str, str]]:
    """(source, path, other source, other path) for each pair of sources that collide."""
    outputs = layout.outputs()
    pairs: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for source, path in outputs:
        for other, theirs in outputs:
            a, b = fold(path), fold(theirs)
            if source != other and (a == b or b.startswith(a + "/")):
                pairs.setdefault((min(source, other), max(source, other)), (source, path, other, theirs))
    return list(pairs.values())


def told(errors: list[Diagnostic], one: str, other: str, other_path: str) -> bool:
    """An error at `one` that names the other side (a source by its path, the site by its file)."""
    return any(d.span.path == one and (other or other_path.split("/")[0]) in d.message for d in errors)


def told_any(errors: list[Diagnostic], one: str, names: set[str]) -> bool:
    """An error at `one` that names any of these."""
    return any(d.span.path == one and any(name in d.message for name in names) for d in errors)


def no_two_paths_are_one(output: Path) -> None:
    """No two files of the output are one file, or a file and a folder, where case does not
    count (macOS, Windows), except copies of one page (the compact codes' B/ID/ is b/id/)."""
    files = {p.relative_to(output).as_posix(): p for p in output.rglob("*") if p.is_file()}
    seen: dict[str, str] = {}
    folders = {fold(path.rsplit("/", 1)[0]) for path in files if "/" in path}
    for path in sorted(files):
        key = fold(path)
        assert key not in folders, path
        if key in seen:
            assert files[seen[key]].read_bytes() == files[path].read_bytes(), (seen[key], path)
        seen.setdefault(key, path)


@settings(
    max_examples=25,  # and the explicit examples: a few seconds
    deadline=None,
    derandomize=True,  # the same examples every run, so CI is repeatable
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(layouts())
@example(Layout(pages=SITE_FILES))
@example(Layout(pages=["Feed.XML"], base_url=False))
@example(Layout(static=["Logo.svg", "logo.svg", "A", "a/b", *STATIC_NAMES[-2:]]))
@example(Layout(pages=["About"], batches=["TEE-1", "b"], compact=True))
@example(Layout(pages=["index.htmL", "index.htMl"], base_url=False))  # three on one path
@example(Layout(pages=["b", "index.html"], batches=["index.html"], base_url=False))  # b is refused
def test_check_tells_every_collision_and_what_it_passes_builds(layout: Layout) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = write_site(Path(tmp) / "site", layout.files(), base=BASE)
        checked = check_site(site)
        errors = [d for d in checked.diagnostics if d.severity == "error"]
        for d in errors:  # every error is positioned at a source that is there
            assert d.span.line >= 1 and d.span.column >= 1 and (site / d.span.path).exists(), d
        for stem in set(layout.pages).difference(layout.allowed_pages()):
            assert any(d.span.path == f"content/pages/{stem}.md" for d in errors), stem  # MF032, or a twin's
        pairs = expected(layout)
        partners = defaultdict(set)  # each side -> how its errors may name the sides it meets
        for one, path, other, theirs in pairs:
            partners[one].add(other or theirs.split("/")[0])
            partners[other].add(one or path.split("/")[0])
        for one, path, other, theirs in pairs:
            # Told as a pair, or (three or more on one path) each source told of one it meets.
            each = all(told_any(errors, side, partners[side]) for side in (one, other) if side)
            assert told(errors, one, other, theirs) or told(errors, other, one, path) or each, (one, other)
        if errors:
            return
        assert checked.site is not None
        problems: list[Diagnostic] = []
        check_output_paths(checked.site, problems, every_batch=True)
        assert problems == []  # leaving the batches unplanned missed nothing
        # No build of a site check passes fails, with any base URL (build --base-url, when the
        # site has none) and from nothing (--clean).
        result = Engine(site, site / "output", None if layout.base_url else BASE_URL).run(clean=True)
        assert result.ok, result.diagnostics
        no_two_paths_are_one(site / "output")
