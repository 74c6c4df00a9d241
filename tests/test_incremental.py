"""Rebuilds by one engine kept in memory (as watch and serve keep it) are byte-identical to a clean build."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import copy_example, mfsite, tree_bytes

from mfsite.engine import Engine

BASE = "https://shop.example.test/kiez/"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_batch(site: Path) -> None:
    text = (site / "batches/hoodie-nov-26.yaml").read_text(encoding="utf-8")
    (site / "batches/hd-2612-b.yaml").write_text(text.replace("id: HD-2611-A\n", ""), encoding="utf-8")


def template_override(site: Path) -> None:
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/batch-list.html").write_text(
        "<p>{{ batches | length }} batches</p>\n", encoding="utf-8"
    )


def nested_override(site: Path) -> None:
    """An override that includes a template of its own from a sub-folder of templates/."""
    (site / "templates/parts").mkdir(parents=True, exist_ok=True)
    (site / "templates/parts/count.html").write_text("{{ batches | length }} batches", encoding="utf-8")
    (site / "templates/batch-list.html").write_text('<p>{% include "parts/count.html" %}</p>\n', "utf-8")


CHANGES: list[tuple[str, Callable[[Path], None]]] = [
    ("batch notes", lambda s: edit(s / "batches/hoodie-nov-26.yaml", "The third run", "The 3rd run")),
    ("partner name", lambda s: edit(s / "content/partners/naehwerk-neukoelln.md", "name: ", "name: The ")),
    (
        "material certificate",
        lambda s: edit(s / "content/materials/organic-cotton-fleece.md", "GOTS", "GOTS 7"),
    ),
    ("new batch", add_batch),
    (
        "batch moves partner",
        lambda s: edit(s / "batches/hd-2612-b.yaml", "partner: naehwerk-neukoelln", "partner: kiez-threads"),
    ),
    ("deleted batch", lambda s: (s / "batches/hd-2612-b.yaml").unlink()),
    ("story title", lambda s: edit(s / "content/stories/a-day-at-naehwerk.md", "title: ", "title: Inside, ")),
    ("page title in the footer", lambda s: edit(s / "content/pages/returns.md", "title: ", "title: Easy ")),
    ("template override", template_override),
    ("template changed", lambda s: edit(s / "templates/batch-list.html", "batches</p>", "batches made</p>")),
    ("template removed", lambda s: (s / "templates/batch-list.html").unlink()),
    ("override including one in a sub-folder", nested_override),
    ("sub-folder template changed", lambda s: edit(s / "templates/parts/count.html", "}} batches", "}} ok")),
    ("overrides removed", lambda s: shutil.rmtree(s / "templates")),
    (
        "static file",
        lambda s: (s / "static").mkdir(exist_ok=True) or (s / "static/logo.txt").write_text("logo"),
    ),
    (
        "batch moves month",
        lambda s: edit(s / "batches/hoodie-nov-26.yaml", "produced: 2026-11-20", "produced: 2026-09-30"),
    ),
    ("site settings", lambda s: edit(s / "site.yaml", "compact: false", "compact: true")),
    (
        "batch after settings",
        lambda s: edit(s / "batches/hoodie-nov-26.yaml", "quantity: 48", "quantity: 50"),
    ),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Engine]:
    site = copy_example(tmp_path_factory.mktemp("incremental") / "site")
    work = Engine(site, site / "output", BASE)
    first = work.run()
    assert first.ok and first.written == first.files, first.diagnostics
    return site, work


@pytest.mark.parametrize(("name", "change"), CHANGES, ids=[name for name, _ in CHANGES])
def test_change_then_rebuild_equals_a_clean_build(
    engine: tuple[Path, Engine], tmp_path: Path, name: str, change: Callable[[Path], None]
) -> None:
    site, work = engine
    change(site)
    result = work.run()
    assert result.ok, result.diagnostics
    assert result.changed
    clean = tmp_path / "clean"
    assert mfsite("build", "--source", site, "--output", clean, "--base-url", BASE).code == 0
    assert tree_bytes(site / "output") == tree_bytes(clean)
    shutil.rmtree(clean)


def test_an_edit_renders_its_batch_and_the_lists_that_show_it(engine: tuple[Path, Engine]) -> None:
    site, work = engine
    page = site / "output/b/tee-2503-a/index.html"
    before = page.stat().st_ino
    edit(site / "batches/2025/tee-2503-a.yaml", "  en: |\n", "  en: |\n    Restocked.\n")
    result = work.run()
    assert result.changed == ["batches/2025/tee-2503-a.yaml"]
    assert page.stat().st_ino != before and "Restocked." in page.read_text(encoding="utf-8")
    assert result.written < result.files / 3  # not the other batches' files
    assert work.run().written == 0  # and nothing the next time


def test_a_build_after_watch_mode_knows_what_it_wrote(tmp_path: Path) -> None:
    """Watch mode saves its state after each rebuild (Engine.save, once the pages are out): a
    later `mfsite build` takes the files it wrote as mfsite's own, and finds nothing to do."""
    site = copy_example(tmp_path / "site")
    work = Engine(site, site / "output", BASE)
    assert work.run().ok
    add_batch(site)
    edit(site / "batches/hoodie-nov-26.yaml", "quantity: 48", "quantity: 50")
    assert work.run().ok
    assert (site / "output/b/hd-2612-b/index.html").is_file()
    work.save()
    run = mfsite("build", "--source", site, "--base-url", BASE)
    assert run.code == 0, run.err
    assert ": 0 files written" in run.out
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns("output", ".mfsite-cache"))
    assert mfsite("build", "--source", clean, "--base-url", BASE).code == 0
    assert tree_bytes(site / "output") == tree_bytes(clean / "output")
