"""The real decoder and the real browser, as the tests use them."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import cairosvg
import pytest
import zxingcpp
from PIL import Image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def decode_png(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))]


def decode_svg(svg: bytes, width: int = 400) -> list[str]:
    # A white ground, as a printed label has: a transparent one decodes as all black.
    return decode_png(cairosvg.svg2png(bytestring=svg, output_width=width, background_color="white"))


def need(what: str, why: str) -> None:
    """CI must have every part (a missing one fails the run); a laptop may skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: {why}")
    pytest.skip(f"{what} is missing: {why}")


def need_chromium() -> str:
    if CHROMIUM is None:
        need("chromium", "apt-get install chromium (.ci/run installs it)")
    assert CHROMIUM is not None
    return CHROMIUM


def print_to_pdf(page: Path, pdf: Path) -> Path:
    """Print a page with headless Chromium, honouring its CSS @page size."""
    browser = need_chromium()
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--no-first-run", "--no-pdf-header-footer",
         f"--user-data-dir={pdf.parent / 'chromium-profile'}",
         f"--print-to-pdf={pdf}", page.resolve().as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return pdf


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """Each page's size in millimetres, from pdfinfo."""
    info = subprocess.run(["pdfinfo", "-l", "999", pdf], check=True, capture_output=True, text=True).stdout
    sizes = []
    for line in info.splitlines():
        if line.startswith("Page") and "size:" in line:
            numbers = line.split("size:")[1].split()
            sizes.append((float(numbers[0]) * 25.4 / 72, float(numbers[2]) * 25.4 / 72))
    return sizes


def decode_pdf(pdf: Path, dpi: int = 300) -> list[str]:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", pdf, prefix], check=True, capture_output=True)
    found = []
    for png in sorted(pdf.parent.glob(prefix.name + "-*.png")):
        found += decode_png(png.read_bytes())
    return found
