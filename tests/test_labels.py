"""Batch labels: printed by a real browser at their true size, and their codes scan."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import mfsite, write_site
from htmlcheck import parse
from realparts import decode_pdf, need_chromium, need_poppler, pdf_pages, print_to_pdf

BASE = "https://mini.example/shop/"
LAYERED = {
    "content/materials/elastane.md": "---\nname: Recycled elastane\nfibre: elastane\n---\n",
    "batches/tee-1.yaml": """\
        product: Tee
        produced: 2026-11-20
        partner: atelier
        origin: {place: Berlin, country: DE}
        materials:
          - {material: elastane, percent: 8}
          - {material: cotton, percent: 92}
          - {material: cotton, percent: 100, component: trim}
        care: {wash: 30-gentle, bleach: no, tumble: low, iron: low, dry: line}
        """,
}


@pytest.fixture
def printer() -> None:
    """Chromium prints, poppler reads the PDF back: both asked for before a test does any work."""
    need_chromium()
    need_poppler()


def close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 0.5 and abs(a[1] - b[1]) < 0.5  # within half a millimetre


@pytest.mark.usefixtures("printer")
@pytest.mark.parametrize(
    ("label", "size"),
    [
        ("", (50, 80)),
        ("label: {width_mm: 62, height_mm: 100, qr_mm: 40}\n", (62, 100)),
        # Composition and care in three languages still fit the default label.
        ("label: {languages: [de, fr, en]}\n", (50, 80)),
    ],
)
def test_label_prints_on_one_page_of_its_size_and_scans(
    tmp_path: Path, label: str, size: tuple[int, int]
) -> None:
    site_yaml = f"title: Mini\nbase_url: {BASE}\nshop: {{name: Mini Shop}}\n{label}"
    site = write_site(tmp_path / "site", {"site.yaml": site_yaml, **LAYERED})
    assert mfsite("build", "--source", site).code == 0
    page = site / "output/b/tee-1/label/index.html"
    pdf = print_to_pdf(page, tmp_path / "label.pdf")
    pages = pdf_pages(pdf)
    assert len(pages) == 1 and close(pages[0], size), pages
    assert decode_pdf(pdf) == [f"{BASE}b/tee-1/"]
    if "languages" in label:
        text = page.read_text(encoding="utf-8")
        assert text.count('<p class="label-care" lang=') == 3 and "Elasthan / elastane" in text


def test_label_content(tmp_path: Path) -> None:
    site = write_site(
        tmp_path, {"site.yaml": f"title: Mini\nbase_url: {BASE}\nshop: {{name: Mini Shop}}\n", **LAYERED}
    )
    assert mfsite("build", "--source", site).code == 0
    text = parse(site / "output/b/tee-1/label/index.html").plain
    # Largest share first, per component, as EU 1007/2011 labels list fibres.
    assert "Body: 92 % Organic cotton, 8 % elastane" in text
    assert "Trim: 100 % Organic cotton" in text
    assert "Machine wash at 30 °C, gentle cycle · Do not bleach" in text
    assert "Batch tee-1 · 2026-11-20" in text and "Mini Shop" in text
    found = re.search(r"30 mm square, QR version (\d+) \((\d+) × \2 modules\), ([\d.]+) mm per module", text)
    assert found, text
    version, modules, module_mm = int(found[1]), int(found[2]), Decimal(found[3])
    assert modules == 17 + 4 * version  # the QR standard's size for that version
    assert module_mm == (Decimal(30) / (modules + 8)).quantize(Decimal("0.01"))  # 4-module quiet zone


def test_small_codes_warn_and_fail_strict_builds(tmp_path: Path) -> None:
    site_yaml = f"title: Mini\nbase_url: {BASE}\nlabel: {{qr_mm: 12}}\n"
    site = write_site(tmp_path, {"site.yaml": site_yaml})
    run = mfsite("build", "--source", site)
    assert run.code == 0
    warning = "batches/tee-1.yaml:1:1: warning: the label's QR code prints at 0.32 mm per module"
    assert warning in run.err
    assert "below 0.4 mm" in (site / "output/b/tee-1/label/index.html").read_text(encoding="utf-8")
    before = (site / "output/b/tee-1/label/index.html").read_bytes()
    tee = (site / "batches/tee-1.yaml").read_text(encoding="utf-8")
    (site / "batches/tee-2.yaml").write_text(tee, encoding="utf-8")
    again = mfsite("build", "--source", site, "--verbose")  # tee-1's files kept: its facts too
    assert again.code == 0 and warning in again.err
    assert "tee-1: QR version 3, 29 modules, 0.32 mm per module on the label" in again.out
    strict = mfsite("build", "--source", site, "--strict")
    assert strict.code == 1 and warning in strict.err
    assert (site / "output/b/tee-1/label/index.html").read_bytes() == before


@pytest.mark.usefixtures("printer")
def test_labels_sheet_for_a_production_run(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"batches/tee-2.yaml": LAYERED["batches/tee-1.yaml"], **LAYERED})
    sheet = tmp_path / "run.html"
    run = mfsite("labels", "tee-1", "TEE-2", "--copies", "3", "--out", sheet, "--source", site)
    assert run.code == 0, run.err
    assert "wrote 6 labels for 2 batches" in run.out
    html = sheet.read_text(encoding="utf-8")
    assert html.count('class="label"') == 6
    pdf = print_to_pdf(sheet, tmp_path / "sheet.pdf")
    pages = pdf_pages(pdf)
    assert pages and all(close(p, (210, 297)) for p in pages)  # A4
    codes = decode_pdf(pdf, dpi=200)
    assert sorted(codes) == sorted([f"{BASE}b/tee-1/"] * 3 + [f"{BASE}b/tee-2/"] * 3)
    # Run again: the sheet is ours, so it may be written again.
    assert mfsite("labels", "--out", sheet, "--source", site).code == 0
    assert sheet.read_text(encoding="utf-8").count('class="label"') == 2


def test_labels_never_overwrite_other_files_or_guess_ids(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    mine = tmp_path / "notes.html"
    mine.write_text("<p>my notes</p>", encoding="utf-8")
    run = mfsite("labels", "--out", mine, "--source", site)
    assert run.code == 2 and "is not a label sheet mfsite wrote" in run.err
    assert mine.read_text(encoding="utf-8") == "<p>my notes</p>"
    unknown = mfsite("labels", "ghost", "--out", tmp_path / "x.html", "--source", site)
    assert unknown.code == 2 and "no batch 'ghost'" in unknown.err
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("enabled", [True, False])
def test_care_symbols_are_opt_in(tmp_path: Path, enabled: bool) -> None:
    site_yaml = f"title: Mini\nbase_url: {BASE}\ncare_symbols: {'true' if enabled else 'false'}\n"
    site = write_site(tmp_path, {"site.yaml": site_yaml, **LAYERED})
    assert mfsite("build", "--source", site).code == 0
    for rel in ("b/tee-1/index.html", "b/tee-1/label/index.html"):
        page = parse(site / "output" / rel)
        symbols = [
            attrs.get("aria-label")
            for tag, attrs in page.tags
            if tag == "svg" and attrs.get("aria-label") and not attrs["aria-label"].startswith("QR")
        ]
        if enabled:
            assert symbols == [
                "Machine wash at 30 °C, gentle cycle",
                "Do not bleach",
                "Tumble dry, low heat",
                "Line dry",
                "Iron cool (up to 110 °C), without steam",
            ]
        else:
            assert symbols == []
        assert "Machine wash at 30 °C, gentle cycle" in page.plain  # care is always text too
