"""mfsite watch: the real observer, real files, the real CLI in a subprocess."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from background import Background, wait_for
from conftest import MINI_SITE, mfsite, tree_bytes, write_site
from PIL import Image

NEW_BATCH = MINI_SITE["batches/tee-1.yaml"].replace("product: Tee", "product: Hoodie")


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[tuple[Path, Background]]:
    site = write_site(tmp_path / "site")
    proc = Background("watch", "--source", site)
    proc.wait_line(lambda line: line.startswith("watching "))
    assert (site / "output/b/tee-1/index.html").is_file()
    yield site, proc
    assert proc.stop() == 0
    assert proc.seen[-1] == "stopped; the output holds the last good build"


def page(site: Path, rel: str = "b/tee-1/index.html") -> str:
    path = site / "output" / rel
    return path.read_text(encoding="utf-8") if path.exists() else ""


def rebuilt(proc: Background, what: str) -> str:
    return proc.wait_line(lambda line: line.startswith(what) and "files written" in line)


def clean_build_equals_live(site: Path, tmp_path: Path) -> None:
    assert mfsite("build", "--source", site, "--output", tmp_path / "clean").code == 0
    assert tree_bytes(site / "output") == tree_bytes(tmp_path / "clean")


def test_new_batch_file_becomes_a_page(watching: tuple[Path, Background], tmp_path: Path) -> None:
    site, proc = watching
    (site / "batches/hoodie-1.yaml").write_text(NEW_BATCH, encoding="utf-8")
    line = rebuilt(proc, "batches/hoodie-1.yaml")
    assert "Hoodie" in page(site, "b/hoodie-1/index.html")
    assert "b/hoodie-1/" in page(site, "index.html")
    assert " ms" in line  # one line: what changed, how many files, how long
    clean_build_equals_live(site, tmp_path)


def test_atomic_save_is_picked_up(watching: tuple[Path, Background], tmp_path: Path) -> None:
    site, proc = watching
    # The way most editors save: a temporary file, then a rename over the original.
    temp = site / "batches/.tee-1.yaml.swp"
    temp.write_text(MINI_SITE["batches/tee-1.yaml"].replace("Tee", "Boxy Tee"), encoding="utf-8")
    os.replace(temp, site / "batches/tee-1.yaml")
    rebuilt(proc, "batches/tee-1.yaml")
    assert "Boxy Tee" in page(site)
    clean_build_equals_live(site, tmp_path)


def test_broken_edit_keeps_the_live_page_and_the_fix_rebuilds(
    watching: tuple[Path, Background], tmp_path: Path
) -> None:
    site, proc = watching
    before = tree_bytes(site / "output")
    (site / "batches/tee-1.yaml").write_text("product: [Tee\n", encoding="utf-8")
    proc.wait_line(lambda line: line.startswith("batches/tee-1.yaml:2:1: error: YAML syntax"))
    proc.wait_line(lambda line: "keeps the last good build" in line)
    assert proc.proc.poll() is None  # still watching
    assert tree_bytes(site / "output") == before
    fixed = MINI_SITE["batches/tee-1.yaml"].replace("product: Tee", "product: Fixed Tee")
    (site / "batches/tee-1.yaml").write_text(fixed, encoding="utf-8")
    rebuilt(proc, "batches/tee-1.yaml")
    assert "Fixed Tee" in page(site)
    clean_build_equals_live(site, tmp_path)


def test_deleted_batch_disappears_everywhere(watching: tuple[Path, Background], tmp_path: Path) -> None:
    site, proc = watching
    (site / "batches/hoodie-1.yaml").write_text(NEW_BATCH, encoding="utf-8")
    rebuilt(proc, "batches/hoodie-1.yaml")
    (site / "batches/hoodie-1.yaml").unlink()
    line = rebuilt(proc, "batches/hoodie-1.yaml")
    assert "removed" in line and not line.endswith("0 removed")
    assert not (site / "output/b/hoodie-1").exists()
    assert "hoodie-1" not in page(site, "index.html")
    assert "hoodie-1" not in page(site, "partners/atelier/index.html")
    clean_build_equals_live(site, tmp_path)


def test_content_and_template_changes_rebuild_what_uses_them(
    watching: tuple[Path, Background], tmp_path: Path
) -> None:
    site, proc = watching
    partner = site / "content/partners/atelier.md"
    partner.write_text(partner.read_text(encoding="utf-8").replace("name: Atelier", "name: Atelier Nord"))
    rebuilt(proc, "content/partners/atelier.md")
    assert "Atelier Nord" in page(site)  # the batch page names its partner
    (site / "templates").mkdir()
    (site / "templates/404.html").write_text("<p>{{ site.title }}: nothing here</p>\n", encoding="utf-8")
    line = rebuilt(proc, "templates/404.html")
    assert page(site, "404.html") == "<p>Mini Shop: nothing here</p>"
    assert line.startswith("templates/404.html: 1 files written")  # only the page that uses it
    clean_build_equals_live(site, tmp_path)


def test_no_rebuild_without_a_change(watching: tuple[Path, Background]) -> None:
    """Editor droppings, and the output itself, are not changes. They are made between two real
    changes, and the rebuilds counted from the first one's to the second one's: however long
    the machine takes to build, nothing else may be reported in between."""
    site, proc = watching
    about = site / "content/pages/about.md"
    about.write_text(about.read_text(encoding="utf-8").replace("Us.", "Us, once."), encoding="utf-8")
    rebuilt(proc, "content/pages/about.md")
    count = len([line for line in proc.drain() if "files written" in line])
    for name in ("4913", ".tee-1.yaml.swp", "tee-1.yaml~", ".#tee-1.yaml"):
        (site / "batches" / name).write_text("x", encoding="utf-8")
    (site / "output/extra.txt").write_text("x", encoding="utf-8")
    (site / "output/extra.txt").unlink()
    time.sleep(1.5)  # a rebuild they set off would start now, not together with the next change's
    about.write_text(about.read_text(encoding="utf-8").replace("once", "twice"), encoding="utf-8")
    rebuilt(proc, "content/pages/about.md")
    written = [line for line in proc.drain() if "files written" in line]
    assert len(written) == count + 1, written[count - 1 :]


def test_polling_fallback_and_ctrl_c(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    proc = Background("watch", "--source", site, "--poll")
    proc.wait_line(lambda line: line.startswith("watching "))
    (site / "batches/hoodie-1.yaml").write_text(NEW_BATCH, encoding="utf-8")
    rebuilt(proc, "batches/hoodie-1.yaml")
    wait_for(lambda: (site / "output/b/hoodie-1/index.html").is_file())
    assert proc.stop() == 0  # SIGINT, as Ctrl-C sends
    assert (site / "output/.mfsite-output").is_file()
    clean_build_equals_live(site, tmp_path)


def test_a_photo_added_or_replaced_is_seen(watching: tuple[Path, Background], tmp_path: Path) -> None:
    site, proc = watching
    (site / "photos").mkdir()
    Image.new("RGB", (600, 400), (200, 40, 40)).save(site / "photos/tee.png")
    rebuilt(proc, "photos/tee.png")  # (not shown yet: nothing to render but the listing)
    batch = site / "batches/tee-1.yaml"
    batch.write_text(batch.read_text(encoding="utf-8") + "photos:\n  - src: tee.png\n    alt: The tee\n")
    rebuilt(proc, "batches/tee-1.yaml")
    assert 'alt="The tee"' in page(site)
    first = page(site)
    Image.new("RGB", (600, 400), (40, 40, 200)).save(site / "photos/tee.png")  # same name, new photo
    rebuilt(proc, "photos/tee.png")
    assert page(site) != first  # new copies, new names, a new placeholder
    clean_build_equals_live(site, tmp_path)
