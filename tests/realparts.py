"""The real decoder, the real browser, and every other part of the machine the tests use.

A test that needs a part pip does not install (a program, a system library, a node module)
gets it through this module: `tool`, `node_module`, `svg2png`, `need_chromium`, or `need`
itself. Where the part is missing, the test skips and says what to install; with CI=true
(as .ci/run sets) it fails instead.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest
import zxingcpp
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
NPM_INSTALL = "npm install --no-audit --no-fund --no-save axe-core vnu-jar, in this repository"


def need(what: str, install: str) -> NoReturn:
    """Stop a test that needs `what`, which this machine lacks; `install` says how to get it
    (a command). Where the environment variable CI is "true" (as .ci/run sets, and CI services
    do) the test FAILS: CI installs every part, and a run that passed by skipping would not
    have tested what it says. Anywhere else it skips with "install `what` (`install`)"."""
    advice = f"install {what} ({install})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing, and with CI=true that fails the test: {advice}", pytrace=False)
    pytest.skip(advice)


def tool(name: str, package: str, *other_names: str) -> str:
    """The program `name` (or one of `other_names`) on PATH, else `need` it from apt's `package`."""
    for candidate in (name, *other_names):
        found = shutil.which(candidate)
        if found:
            return found
    need(name, f"apt-get install {package}")


def node_module(package: str, file: str) -> Path:
    """A file of an npm package in node_modules/, else `need` the package."""
    path = REPO / "node_modules" / package / file
    if not path.is_file():
        need(package, NPM_INSTALL)
    return path


def need_chromium() -> str:
    return tool("chromium", "chromium", "chromium-browser")


def svg2png(svg: bytes, width: int, background: str | None = None) -> bytes:
    """An SVG rasterised by cairosvg, which needs the system's libcairo."""
    try:
        import cairosvg
    except OSError:  # cairocffi finds no libcairo to load
        need("libcairo", "apt-get install libcairo2")
    return cairosvg.svg2png(bytestring=svg, output_width=width, background_color=background)


def decode_png(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))]


def decode_svg(svg: bytes, width: int = 400) -> list[str]:
    # A white ground, as a printed label has: a transparent one decodes as all black.
    return decode_png(svg2png(svg, width, background="white"))


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


def need_poppler() -> tuple[str, str]:
    """pdfinfo and pdftoppm: a label test asks for them first, before it prints."""
    return tool("pdfinfo", "poppler-utils"), tool("pdftoppm", "poppler-utils")


def pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """Each page's size in millimetres, from pdfinfo."""
    pdfinfo, _ = need_poppler()
    info = subprocess.run([pdfinfo, "-l", "999", pdf], check=True, capture_output=True, text=True).stdout
    sizes = []
    for line in info.splitlines():
        if line.startswith("Page") and "size:" in line:
            numbers = line.split("size:")[1].split()
            sizes.append((float(numbers[0]) * 25.4 / 72, float(numbers[2]) * 25.4 / 72))
    return sizes


def decode_pdf(pdf: Path, dpi: int = 300) -> list[str]:
    _, pdftoppm = need_poppler()
    prefix = pdf.with_suffix("")
    subprocess.run([pdftoppm, "-r", str(dpi), "-png", pdf, prefix], check=True, capture_output=True)
    found = []
    for png in sorted(pdf.parent.glob(prefix.name + "-*.png")):
        found += decode_png(png.read_bytes())
    return found
