"""Valid HTML and a light page: the Nu HTML Checker over every page type, and the weight budget.

The checker (vnu.jar, from `npm install vnu-jar`) runs once, one JVM, over the
example shop and over a variant with every option that changes the markup
(GS1 Digital Link pages and their redirects, compact upper-case paths, care
symbols, a dark logo) plus a printable label sheet.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import copy_example, mfsite
from htmlcheck import parse
from realparts import node_module, tool

BUDGET = 30_000  # bytes: a batch page's HTML with its CSS and SVG inline, on a weak connection
BASE = "https://shop.example.test/kiez/"


@pytest.fixture(scope="module")
def variant_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with every markup-changing option on; its output folder holds a label sheet too."""
    site = copy_example(tmp_path_factory.mktemp("variant"))
    config = (site / "site.yaml").read_text(encoding="utf-8")
    config = config.replace("compact: false", "compact: true")
    config = config.replace("gs1_digital_link: false", "gs1_digital_link: true")
    config = config.replace("care_symbols: false", "care_symbols: true")
    config = config.replace("logo: logo.svg", "logo: logo.svg\n  logo_dark: logo.svg")
    (site / "site.yaml").write_text(config, encoding="utf-8")
    run = mfsite("build", "--source", site, "--base-url", BASE)
    assert run.code == 0, run.err
    sheet = site / "sheets" / "labels.html"
    sheet.parent.mkdir()
    run = mfsite("labels", "--source", site, "--out", sheet)
    assert run.code == 0, run.err
    return site


def test_every_page_type_passes_the_nu_html_checker(example_build: Path, variant_build: Path) -> None:
    java = tool("java", "default-jre-headless")
    vnu = node_module("vnu-jar", "build/dist/vnu.jar")
    folders = [example_build, variant_build / "output", variant_build / "sheets"]
    pages = [p for folder in folders for p in folder.rglob("*.html")]
    kinds = {p.relative_to(f).parts[0] for f in folders for p in f.rglob("*.html")}
    assert {"index.html", "404.html", "b", "B", "01", "archive", "partners", "materials", "stories"} <= kinds
    assert {"about", "labels.html"} <= kinds
    assert len(pages) > 100
    run = subprocess.run(
        [java, "-jar", vnu, "--skip-non-html", "--errors-only", *folders],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout + run.stderr == ""


def test_batch_pages_keep_the_weight_budget(example_build: Path, variant_build: Path) -> None:
    pages = sorted(example_build.glob("b/*/index.html")) + sorted(
        (variant_build / "output").glob("01/**/*.html")
    )
    assert len(pages) >= 16
    sizes = {p: p.stat().st_size for p in pages}
    heaviest = max(sizes, key=sizes.__getitem__)
    assert sizes[heaviest] < BUDGET, f"{heaviest}: {sizes[heaviest]} bytes"
    for page in pages:
        html = page.read_text(encoding="utf-8")
        # Nothing to wait for: CSS inline, no script to run (JSON-LD is data), no web font.
        assert '<link rel="stylesheet"' not in html and "@font-face" not in html and "@import" not in html
        scripts = [attrs for tag, attrs in parse(page).tags if tag == "script"]
        assert all(attrs == {"type": "application/ld+json"} for attrs in scripts)
        # The only pictures are the shop's logo, the page's QR code and processed photos: same
        # host, relative.
        images = [link for tag, _, link in parse(page).links if tag == "img"]
        allowed = r"(\.\./)+(static/logo\.svg|b/[a-z0-9._-]+/qr\.(svg|png)|img/[a-z0-9-]+-[0-9]+\.jpg)"
        assert all(re.fullmatch(allowed, i) for i in images), images


def test_the_journey_picture_has_its_text(example_build: Path) -> None:
    page = parse(example_build / "b" / "ktos-cj-2609" / "index.html")
    text = page.plain
    # Every stop, in the drawing and in the list a screen reader reads (the drawing is hidden from it).
    for stop in ["Weaving", "Bergamo, Italy", "Pattern and sample", "Ostkreuz Studio", "Cutting and sewing"]:
        assert text.count(stop) >= 2, stop
    assert "3.4 km later: Cutting and sewing, Nähwerk Neukölln" in text  # Friedrichshain to Neukölln
    assert "2.4 km later: Kiez Threads, Our shop" in text  # and on to the shop
    svgs = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert {"class": "journey-map"}.items() <= svgs[0].items() and svgs[0]["aria-hidden"] == "true"
