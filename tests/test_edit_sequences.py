"""Random sequences of edits, each state compared byte for byte with a clean build (issue 18).

Whatever a person does to a site between builds (change a batch's fields, rename a partner,
override a template, retitle the site, add or drop a static file, add, delete, rename or
move a batch file, break a batch and fix it again), the output after `mfsite build`, and
after `mfsite watch` has rebuilt, is exactly what a clean build of a copy of the same
sources writes. While the site is broken, the build fails and the output stays the last
good one.

Edits are drawn as small tuples of choices, resolved against the site as it is when the
edit is made (an index picks among the batches there are), so every drawn sequence is one a
person could make. A failure names every edit made so far and the first paths that differ.
Examples are few and not shrunk (each runs the real command line many times): the message
shows the whole sequence instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from background import Background
from conftest import MINI_SITE, mfsite, tree_bytes, write_site
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from test_never_stale import (
    SOURCES,
    clean_build,
    differences,
    next_status,
    running,
    save,
    started,
    theme_template,
)

T = TypeVar("T")
PRODUCTS = ("Tee", "Boxy Tee", "Polo", "Hoodie", "Tank Top", "Long Sleeve")
RUNS = ("stock", "pre-order", "made-to-order")
DATES = ("2026-11-20", "2026-10-05", "2025-12-24", "2026-11-02")
TITLES = ("Mini Shop", "Mini Shop Berlin", "Kleiner Laden", "Mini & Co")
PAGES = ("faq", "care-guide", "shipping", "contact")
STATIC = ("notes.txt", "press/kit.txt", "extra.css")
FOLDERS = ("", "2026", "archive/old")  # where a batch file may lie, below batches/
TEMPLATES = ("batch-row.html", "base.html", "404.html")
FIELDS = ("quantity", "product", "run", "produced")

PRODUCT_LINK = "{{ batch.product | marked }}</a>"
TEMPLATE_VARIANTS = {  # None: no override, the theme's own
    "batch-row.html": (
        None,
        theme_template("batch-row.html", PRODUCT_LINK, PRODUCT_LINK + " <i>{{ batch.run }}</i>"),
        theme_template("batch-row.html", PRODUCT_LINK, PRODUCT_LINK + " <i>{{ batch.quantity }}</i>"),
    ),
    "base.html": (
        None,
        theme_template("base.html", "Skip to content", "Skip to the content"),
        theme_template("base.html", "Skip to content", "Jump to the content"),
    ),
    "404.html": (
        None,
        "<p>{{ site.title }}: nothing here</p>\n",
        "<p>Not here, sorry ({{ site.title }})</p>\n",
    ),
}


def batch_text(product: str, quantity: int, run: str, produced: str = DATES[0]) -> str:
    text = textwrap.dedent(MINI_SITE["batches/tee-1.yaml"])
    text = text.replace("product: Tee", f"product: {product}").replace("2026-11-20", produced)
    return text + f"quantity: {quantity}\nrun: {run}\n"


START = {
    "batches/tee-1.yaml": batch_text("Tee", 10, "stock"),
    "batches/tee-2.yaml": batch_text("Polo", 20, "pre-order", DATES[1]),
    "batches/2026/tee-3.yaml": batch_text("Hoodie", 30, "stock", DATES[2]),
    "static/notes.txt": "Notes.\n",
}


# The edits ---------------------------------------------------------------------------------

choice = st.integers(0, 11)
simple_edit = st.one_of(
    st.tuples(st.just("field"), choice, st.sampled_from(FIELDS), choice),
    st.tuples(st.just("content"), choice, st.sampled_from(("text", "name")), choice),
    st.tuples(st.just("page"), choice, st.sampled_from(("add", "rename", "delete")), choice),
    st.tuples(st.just("template"), st.sampled_from(TEMPLATES), choice),
    st.tuples(st.just("title"), choice),
    st.tuples(st.just("static"), choice, st.sampled_from(("add", "change", "delete")), choice),
    st.tuples(st.just("new batch"), st.sampled_from(FOLDERS), choice),
)
any_edit = st.one_of(
    simple_edit,
    st.tuples(st.just("delete batch"), choice),
    st.tuples(st.just("rename batch"), choice),
    st.tuples(st.just("move batch"), choice, choice),
    st.tuples(st.just("break"), choice, simple_edit),  # break a batch, edit on, fix it
)
sequences = st.lists(any_edit, min_size=3, max_size=6)

# Sequences every run tries, in both ways of building: each kind of edit, and case 7 of the
# issue (edits made while the site is broken).
ALL_KINDS = [
    ("template", "batch-row.html", 1),
    ("field", 0, "run", 1),
    ("content", 0, "name", 3),
    ("new batch", "2026", 4),
    ("move batch", 0, 1),
    ("delete batch", 1),
    ("rename batch", 0),
    ("title", 2),
    ("static", 0, "add", 1),
    ("page", 0, "rename", 0),
    ("field", 1, "produced", 1),
    ("static", 0, "delete", 0),
]
WHILE_BROKEN = [
    ("template", "base.html", 1),
    ("break", 0, ("field", 1, "quantity", 5)),
    ("break", 2, ("template", "base.html", 2)),
    ("content", 2, "text", 1),
]


@dataclass
class Site:
    """The site being edited, and the edits made so far, in words."""

    root: Path
    made: list[str] = field(default_factory=list)
    next_number: int = 4  # for new batch files: tee-4, tee-5...

    def batches(self) -> list[Path]:
        return sorted((self.root / "batches").rglob("*.yaml"))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def new_stem(self) -> str:
        taken = {p.stem for p in self.batches()}
        while f"tee-{self.next_number}" in taken:
            self.next_number += 1
        self.next_number += 1
        return f"tee-{self.next_number - 1}"


def pick(options: Sequence[T], i: int) -> T:
    return options[i % len(options)]


def other(options: tuple[str, ...], current: str, i: int) -> str:
    """options[i], or the next one where that is what there is already: every edit changes."""
    value = pick(options, i)
    return value if value != current else pick(options, i + 1)


def set_line(path: Path, key: str, value: str) -> str:
    """Replace the first top-level `key: ...` line; returns the old value."""
    text = path.read_text(encoding="utf-8")
    found = re.search(rf"^{key}: (.*)$", text, flags=re.MULTILINE)
    assert found, f"no {key}: in {path}"
    save(path, text[: found.start(1)] + value + text[found.end(1) :])
    return found[1]


def current(path: Path, key: str) -> str:
    found = re.search(rf"^{key}: (.*)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return found[1] if found else ""


def apply(site: Site, edit: tuple) -> Iterator[tuple[str, bool]]:  # type: ignore[type-arg]
    """Make the edit; after each change to the files, yield what was done and whether the
    site is valid now (the caller builds, or waits for watch, then compares)."""
    kind, root = edit[0], site.root
    if kind == "field":
        _, i, key, v = edit
        path = pick(site.batches(), i)
        was = current(path, key)
        value = {
            "quantity": lambda: str(v + 1 if str(v + 1) != was else v + 2),
            "product": lambda: other(PRODUCTS, was, v),
            "run": lambda: other(RUNS, was, v),
            "produced": lambda: other(DATES, was, v),
        }[key]()
        set_line(path, key, value)
        yield f"{site.rel(path)}: {key}: {was} -> {value}", True
    elif kind == "content":
        _, i, what, v = edit
        path = pick(sorted((root / "content").rglob("*.md")), i)
        if what == "name":
            key = "name" if path.parent.name in ("partners", "materials") else "title"
            was = current(path, key)
            value = f"{was.split(' #')[0]} #{v}" if not was.endswith(f" #{v}") else f"{was} again"
            set_line(path, key, value)
            yield f"{site.rel(path)}: {key}: {was} -> {value}", True
        else:
            text = path.read_text(encoding="utf-8")
            head, body = text.rsplit("---\n", 1)
            new_body = f"Text number {v}.\n" if body != f"Text number {v}.\n" else "Other text.\n"
            save(path, head + "---\n" + new_body)
            yield f"{site.rel(path)}: body -> {new_body.strip()!r}", True
    elif kind == "page":
        _, i, what, v = edit
        pages = sorted((root / "content/pages").glob("*.md"))
        free = [name for name in PAGES if not (root / f"content/pages/{name}.md").exists()]
        if what == "delete" and pages:
            path = pick(pages, i)
            path.unlink()
            yield f"deleted {site.rel(path)}", True
        elif what == "rename" and pages and free:
            path = pick(pages, i)
            target = root / f"content/pages/{pick(free, v)}.md"
            os.rename(path, target)
            yield f"renamed {site.rel(path)} -> {site.rel(target)}", True
        elif free:
            path = root / f"content/pages/{pick(free, v)}.md"
            save(path, f"---\ntitle: Page {v}\n---\nAbout {v}.\n")
            yield f"added {site.rel(path)}", True
        else:
            yield from apply(site, ("content", i, "text", v))
    elif kind == "template":
        _, name, v = edit
        path = root / "templates" / name
        was = path.read_text(encoding="utf-8") if path.exists() else None
        variants = TEMPLATE_VARIANTS[name]
        text = pick(variants, v)
        if text == was:
            text = pick(variants, v + 1)
        if text is None:
            path.unlink()
            yield f"removed the override templates/{name}", True
        else:
            save(path, text)
            yield f"templates/{name}: variant {variants.index(text)}", True
    elif kind == "title":
        _, v = edit
        was = current(root / "site.yaml", "title")
        value = other(TITLES, was, v)
        set_line(root / "site.yaml", "title", value)
        yield f"site.yaml: title: {was} -> {value}", True
    elif kind == "static":
        _, i, what, v = edit
        files = sorted(p for p in (root / "static").rglob("*") if p.is_file())
        if what == "delete" and files:
            path = pick(files, i)
            path.unlink()
            yield f"deleted {site.rel(path)}", True
        elif what == "change" and files:
            path = pick(files, i)
            text = f"Version {v}.\n" if path.read_text(encoding="utf-8") != f"Version {v}.\n" else "Other.\n"
            save(path, text)
            yield f"{site.rel(path)} -> {text.strip()!r}", True
        else:
            path = root / "static" / pick(STATIC, v)
            text = f"Static {v}.\n" if not path.exists() else path.read_text(encoding="utf-8") + "More.\n"
            save(path, text)
            yield f"wrote {site.rel(path)}", True
    elif kind == "new batch":
        _, folder, v = edit
        path = root / "batches" / folder / f"{site.new_stem()}.yaml"
        save(path, batch_text(pick(PRODUCTS, v), v + 1, pick(RUNS, v), pick(DATES, v)))
        yield f"new batch {site.rel(path)}", True
    elif kind == "delete batch":
        batches = site.batches()
        if len(batches) < 2:
            yield from apply(site, ("new batch", "", edit[1]))
            return
        path = pick(batches, edit[1])
        path.unlink()
        yield f"deleted {site.rel(path)}", True
    elif kind == "rename batch":
        path = pick(site.batches(), edit[1])
        target = path.with_name(f"{site.new_stem()}.yaml")
        os.rename(path, target)
        yield f"renamed {site.rel(path)} -> {site.rel(target)}", True
    elif kind == "move batch":
        _, i, v = edit
        path = pick(site.batches(), i)
        here = path.parent.relative_to(root / "batches").as_posix()
        folder = other(FOLDERS, "" if here == "." else here, v)
        target = root / "batches" / folder / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(path, target)
        yield f"moved {site.rel(path)} -> {site.rel(target)}", True
    elif kind == "break":
        _, i, inner = edit
        path = pick(site.batches(), i)
        set_line(path, "partner", "nope")
        yield f"broke {site.rel(path)} (partner: nope)", False
        for what, _ in apply(site, inner):
            yield f"  while broken: {what}", False
        set_line(path, "partner", "atelier")
        yield f"fixed {site.rel(path)} (partner: atelier)", True
    else:
        raise AssertionError(f"unknown edit {edit}")


# Comparing with a clean build --------------------------------------------------------------

_clean_outputs: dict[str, dict[str, bytes]] = {}


def sources_key(root: Path) -> str:
    digest = hashlib.sha256()
    for part in SOURCES:
        for path in sorted([root / part, *(root / part).rglob("*")]):
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def clean_tree(root: Path, scratch: Path) -> dict[str, bytes]:
    """What a clean build of a copy of these sources writes (remembered: states recur)."""
    key = sources_key(root)
    if key not in _clean_outputs:
        _clean_outputs[key] = tree_bytes(clean_build(root, scratch))
        shutil.rmtree(scratch)
        scratch.mkdir()
    return _clean_outputs[key]


def check(site: Site, scratch: Path, how: str) -> None:
    diffs = differences(tree_bytes(site.root / "output"), clean_tree(site.root, scratch))
    assert not diffs, (
        f"under {how}, the output differs from a clean build after these edits:\n  "
        + "\n  ".join(site.made)
        + f"\n{len(diffs)} paths differ, first:\n  "
        + "\n  ".join(diffs[:8])
    )


@contextlib.contextmanager
def fresh_site() -> Iterator[tuple[Site, Path]]:
    """The starting site in a folder of its own, and a scratch folder for the clean builds."""
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        yield Site(write_site(Path(tmp) / "site", START)), scratch


def history(site: Site) -> str:
    return "edits so far:\n  " + "\n  ".join(site.made)


# The two ways of building ------------------------------------------------------------------

SETTINGS = settings(
    max_examples=3,  # and the two explicit examples: the file runs in about a minute
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the message shows every edit
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@example(ALL_KINDS)
@example(WHILE_BROKEN)
@given(sequences)
def test_edit_sequences_under_build(edits: list[tuple]) -> None:  # type: ignore[type-arg]
    with fresh_site() as (site, scratch):
        run = mfsite("build", "--source", site.root)
        assert run.code == 0, run.err
        good = tree_bytes(site.root / "output")
        for edit in edits:
            for what, valid in apply(site, edit):
                site.made.append(what)
                run = mfsite("build", "--source", site.root)
                if valid:
                    assert run.code == 0, f"{history(site)}\nthe build failed:\n{run.err}"
                    check(site, scratch, "mfsite build")
                    good = tree_bytes(site.root / "output")
                else:
                    assert run.code == 1, f"{history(site)}\na broken site built:\n{run.out}{run.err}"
                    assert tree_bytes(site.root / "output") == good, f"{history(site)}\nthe output changed"


@SETTINGS
@example(ALL_KINDS)
@example(WHILE_BROKEN)
@given(sequences)
def test_edit_sequences_under_one_watch(edits: list[tuple]) -> None:  # type: ignore[type-arg]
    with fresh_site() as (site, scratch), running("watch", "--source", site.root) as proc:
        started(proc)
        check(site, scratch, "mfsite watch (its first build)")
        good = tree_bytes(site.root / "output")
        for edit in edits:
            for what, valid in apply(site, edit):
                site.made.append(what)
                try:
                    line = next_status(proc)
                except AssertionError as exc:
                    raise AssertionError(f"{history(site)}\nwatch did not rebuild: {exc}") from None
                said = "\n".join(proc.seen[-12:])
                assert "Traceback" not in said, f"{history(site)}\na traceback:\n{said}"
                if valid:
                    assert "files written" in line, f"{history(site)}\nthe rebuild failed:\n{said}"
                    check(site, scratch, "mfsite watch")
                    good = tree_bytes(site.root / "output")
                else:
                    assert "files written" not in line, f"{history(site)}\na broken site built:\n{said}"
                    assert tree_bytes(site.root / "output") == good, f"{history(site)}\nthe output changed"
        assert stopped(proc) == 0


def stopped(proc: Background) -> int:
    code = proc.stop()
    assert not any("Traceback" in line for line in proc.seen), "\n".join(proc.seen)
    return code
