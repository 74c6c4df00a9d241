"""End to end through the real CLI: the example shop, its pages, links and QR codes."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import zxingcpp
from conftest import MINI_SITE, copy_example, mfsite, tree_bytes, write_site
from htmlcheck import internal_links, parse
from PIL import Image
from realparts import svg2png

from mfsite.publish import staging_prefix

BASE = "https://shop.example.test/kiez/"


def decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))]


def test_example_site_has_every_page_type(example_build: Path) -> None:
    for rel in [
        "index.html",
        "404.html",
        "robots.txt",
        "about/index.html",
        "returns/index.html",
        "b/hd-2611-a/index.html",
        "b/ktos-cj-2609/index.html",
        "partners/vevstua-oslo/index.html",
        "materials/norwegian-wool/index.html",
        "stories/winter-capsule-2026/index.html",
    ]:
        assert (example_build / rel).is_file(), rel
    batch_pages = list((example_build / "b").glob("*/index.html"))
    assert len(batch_pages) == len(list(Path(__file__).parent.parent.glob("batches/**/*.yaml")))


def test_catalogue_lists_batches_newest_first(example_build: Path) -> None:
    page = parse(example_build / "index.html")
    batch_links = [link for _, _, link in page.links if link.startswith("b/")]
    dates = []
    for link in batch_links:
        html = (example_build / link / "index.html").read_text(encoding="utf-8")
        dates.append(re.search(r'made <time datetime="([\d-]+)"', html).group(1))
    assert len(batch_links) >= 12
    assert dates == sorted(dates, reverse=True)


def test_home_shows_the_newest_and_months_hold_every_batch(tmp_path: Path) -> None:
    batches = {
        f"batches/run-{i:02d}.yaml": MINI_SITE["batches/tee-1.yaml"].replace(
            "2026-11-20", f"2026-{1 + i % 3:02d}-{1 + i % 28:02d}"
        )
        for i in range(70)
    }
    site = write_site(tmp_path, batches)
    assert mfsite("build", "--source", site).code == 0
    output = site / "output"
    home = [
        link for tag, _, link in parse(output / "index.html").links if tag == "a" and link.startswith("b/")
    ]
    assert len(home) == 24  # the newest only: a phone should not load 10,000 rows
    months = sorted(p.parent.name for p in output.glob("archive/*/index.html"))
    assert months == ["2026-01", "2026-02", "2026-03", "2026-11"]
    listed = []
    for month in months:
        links = [
            link for tag, _, link in parse(output / "archive" / month / "index.html").links if tag == "a"
        ]
        listed += [link.removeprefix("../../") for link in links if link.startswith("../../b/")]
    assert sorted(listed) == sorted(f"b/{Path(rel).stem}/" for rel in [*batches, "batches/tee-1.yaml"])
    partner = parse(output / "partners/atelier/index.html")
    assert len([link for tag, _, link in partner.links if tag == "a" and link.startswith("../../b/")]) == 60
    assert "And 11 earlier batches: see every batch, by month." in partner.plain


def test_every_qr_code_decodes_to_its_page(example_build: Path) -> None:
    folders = sorted(p.parent for p in (example_build / "b").glob("*/index.html"))
    assert folders
    for folder in folders:
        url = f"{BASE}b/{folder.name}/"
        assert decode((folder / "qr.png").read_bytes()) == [url]
        svg = (folder / "qr.svg").read_bytes()
        png = svg2png(svg, 400, background="white")
        assert decode(png) == [url]
        assert (example_build / url[len(BASE) :] / "index.html").is_file()


def test_every_internal_link_resolves_under_a_sub_path(example_build: Path) -> None:
    links = internal_links(example_build, BASE)
    assert len(links) > 100
    broken = []
    for page, link, absolute in links:
        if link.startswith("#"):  # within the page: the id must exist
            ids = {attrs.get("id") for _, attrs in parse(page).tags}
            if link[1:] not in ids:
                broken.append((page, link, "no such id"))
            continue
        if not absolute.startswith(BASE):
            broken.append((page, link, "leaves the base path"))
            continue
        rel = absolute[len(BASE) :].split("#")[0]
        target = example_build / rel
        if rel == "" or rel.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            broken.append((page, link, absolute))
    assert broken == []


def test_no_external_requests_and_no_script(example_build: Path) -> None:
    for path in example_build.rglob("*.html"):
        page = parse(path)
        for tag, _attr, link in page.links:
            if tag not in ("a", "link[canonical]", "link[alternate]"):  # what the browser fetches itself
                assert not re.match(r"[a-z]+://|//", link) or link.startswith("data:"), (path, link)
        # JSON-LD is data, never run: the only script element allowed, and it loads nothing.
        scripts = [attrs for tag, attrs in page.tags if tag == "script"]
        assert all(attrs == {"type": "application/ld+json"} for attrs in scripts), path


def test_batch_page_answers_the_customers_questions(example_build: Path) -> None:
    page = parse(example_build / "b" / "ktos-cj-2609" / "index.html")
    text = page.plain
    for expected in [
        "Chore Jacket, Kiez Threads × Ostkreuz Studio",
        "KTOS-CJ-2609",
        "2 October 2026",
        "40 pieces",
        "Nähwerk Neukölln",
        "Neukölln, Berlin, Germany",
        "2.4 km from Kiez Threads",  # origin coordinates to the shop's
        "Kiez Threads × Ostkreuz Studio",
        "100 % Organic Cotton Denim",
        "Lining",
        "Machine wash at 30 °C",
        "Do not bleach",
        "Do not tumble dry",
        "Professional dry clean (P)",
        "Close all buttons before washing",
        "Weaving",
        "Bergamo, Italy",
        "triple-needle seam strength",
        "Free repairs for life",
        f"{BASE}b/ktos-cj-2609/",
    ]:
        assert expected in text, expected
    hrefs = [link for tag, _, link in page.links if tag == "a"]
    assert "../../partners/naehwerk-neukoelln/" in hrefs
    assert "../../stories/kiez-x-ostkreuz/" in hrefs
    assert any(h.startswith("https://global-standard.org/") for h in hrefs)  # a certificate link


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    assert mfsite("build", "--source", site, "--output", tmp_path / "one").code == 0
    assert mfsite("build", "--source", site, "--output", tmp_path / "two").code == 0
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_failed_build_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    assert mfsite("build", "--source", site).code == 0
    before = tree_bytes(site / "output")
    (site / "batches" / "tee-1.yaml").write_text("product: [broken\n", encoding="utf-8")
    run = mfsite("build", "--source", site)
    assert run.code == 1
    assert "batches/tee-1.yaml:2:1: error: YAML syntax" in run.err
    assert "output was left as it was" in run.err
    assert tree_bytes(site / "output") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == []


def test_rebuild_replaces_the_output_and_drops_deleted_batches(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    assert mfsite("build", "--source", site).code == 0
    assert (site / "output/b/tee-1/index.html").is_file()
    (site / "batches/tee-1.yaml").rename(site / "batches/tee-3.yaml")
    assert mfsite("build", "--source", site).code == 0
    assert not (site / "output/b/tee-1").exists()
    assert (site / "output/b/tee-3/index.html").is_file()


def test_leftover_staging_folders_are_cleaned(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    leftover = site / (staging_prefix(site / "output") + "killed")
    (leftover / "b").mkdir(parents=True)
    assert mfsite("build", "--source", site).code == 0
    assert not leftover.exists()


@pytest.mark.parametrize("where", ["source", "parent", "foreign"])
def test_output_guards(tmp_path: Path, where: str) -> None:
    site = write_site(tmp_path / "site")
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("precious", encoding="utf-8")
    output = {"source": site, "parent": tmp_path, "foreign": foreign}[where]
    before = tree_bytes(tmp_path)
    run = mfsite("build", "--source", site, "--output", output)
    assert run.code == 2
    assert run.err.startswith("mfsite: ")
    assert tree_bytes(tmp_path) == before


def test_base_url_comes_from_flag_then_environment_then_site_yaml(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    qr = site / "output/b/tee-1/qr.png"
    assert mfsite("build", "--source", site).code == 0
    assert decode(qr.read_bytes()) == ["https://mini.example/shop/b/tee-1/"]
    env = {**__import__("os").environ, "MFSITE_BASE_URL": "https://env.example/x"}
    assert mfsite("build", "--source", site, env=env).code == 0
    assert decode(qr.read_bytes()) == ["https://env.example/x/b/tee-1/"]
    assert mfsite("build", "--source", site, "--base-url", "http://flag.example/", env=env).code == 0
    assert decode(qr.read_bytes()) == ["http://flag.example/b/tee-1/"]


def test_build_without_base_url_explains(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"site.yaml": "title: Mini\n"})
    run = mfsite("build", "--source", site)
    assert run.code == 1
    assert "site.yaml:1:1: error: base_url is needed to write QR codes" in run.err
    assert not (site / "output").exists()
    assert mfsite("check", "--source", site).code == 0  # checking needs no URL


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"content/materials/linen.md": "---\nname: Linen\n---\n"})
    assert mfsite("build", "--source", site).code == 0
    run = mfsite("build", "--source", site, "--strict")
    assert run.code == 1
    assert "content/materials/linen.md:1:1: warning: material 'linen' is not used" in run.err


def test_check_json(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"batches/b.yaml": "product: Tee\nprodcut: x\n"})
    run = mfsite("check", "--source", site, "--format", "json")
    assert run.code == 1
    report = json.loads(run.out)
    assert report["errors"] == len(report["diagnostics"]) == 6
    first = report["diagnostics"][0]
    assert first == {
        "file": "batches/b.yaml",
        "line": 1,
        "column": 1,
        "severity": "error",
        "code": "MF011",
        "message": "missing required key 'care'",
    }
