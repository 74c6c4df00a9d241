"""QR codes: every code the build writes decodes to a page that exists."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import mfsite, write_site
from PIL import Image
from realparts import decode_png, decode_svg, svg2png

from mfsite.model import QrSettings
from mfsite.render.qr import QrSymbol, make_symbol, to_png, to_svg
from mfsite.urls import digital_link_route

BASE = "https://mini.example/shop/"
TWO_BATCHES = {
    "batches/HD-2611-A.yaml": "product: Hoodie\nproduced: 2026-11-21\npartner: atelier\n"
    "origin: {place: Berlin, country: DE}\nmaterials: [{material: cotton, percent: 100}]\n"
    "care: {wash: 30, bleach: no, tumble: low, iron: low}\ngtin: '12345670'\n",
}


def settings_yaml(level: str, compact: bool, extra: str = "") -> str:
    return (
        f"title: Mini\nbase_url: {BASE}\nqr:\n  error_correction: {level}\n"
        f"  compact: {'true' if compact else 'false'}\n{extra}"
    )


def page_exists(output: Path, url: str) -> bool:
    assert url.lower().startswith(BASE.lower().replace("/shop/", "/")), url
    path = url.split("/shop/", 1)[1]
    return (output / path / "index.html").is_file()


@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_every_code_decodes_to_an_existing_page(tmp_path: Path, level: str, compact: bool) -> None:
    site = write_site(tmp_path, {"site.yaml": settings_yaml(level, compact), **TWO_BATCHES})
    run = mfsite("build", "--source", site, "--verbose")
    assert run.code == 0, run.err
    output = site / "output"
    folders = sorted(p.parent for p in output.glob("b/*/qr.png"))
    assert [f.name for f in folders] == ["hd-2611-a", "tee-1"]
    for folder in folders:
        expected = f"{BASE}b/{folder.name}/"
        if compact:  # scheme and host upper case, the base path as written, the batch part upper case
            expected = f"HTTPS://MINI.EXAMPLE/shop/B/{folder.name.upper()}/"
        assert decode_png((folder / "qr.png").read_bytes()) == [expected]
        assert decode_svg((folder / "qr.svg").read_bytes()) == [expected]
        assert page_exists(output, expected)
    assert "HD-2611-A: QR version" in run.out and "tee-1: QR version" in run.out  # --verbose lists each
    assert re.search(rf"QR codes \({level}\): \d+ × version \d+ \(\d+ modules\)", run.out)


def test_compact_codes_are_smaller_and_their_pages_link_correctly(tmp_path: Path) -> None:
    long_base = "https://kiez-threads.example/a-shop-path/"
    url = f"{long_base}b/hd-2611-a/"
    compact = "HTTPS://KIEZ-THREADS.EXAMPLE/a-shop-path/B/HD-2611-A/"
    assert make_symbol(compact, "H").version < make_symbol(url, "H").version
    site = write_site(tmp_path, {"site.yaml": settings_yaml("M", True), **TWO_BATCHES})
    assert mfsite("build", "--source", site).code == 0
    alias = (site / "output/B/HD-2611-A/index.html").read_text(encoding="utf-8")
    assert 'src="../../b/hd-2611-a/qr.svg"' in alias  # images stay in the lower-case folder
    assert f'<link rel="canonical" href="{BASE}b/hd-2611-a/">' in alias


def test_svg_is_one_path_with_a_viewbox() -> None:
    symbol = make_symbol("https://mini.example/b/x/", "M")
    svg = ET.fromstring(to_svg(symbol, QrSettings()))
    width = symbol.size + 8
    assert svg.get("viewBox") == f"0 0 {width} {width}"
    children = [child.tag.split("}")[1] for child in svg]
    assert children == ["rect", "path"]  # a light ground and one dark path, no raster
    assert len(to_svg(symbol, QrSettings())) < 4000


def test_colours_quiet_zone_and_module_size(tmp_path: Path) -> None:
    extra = "  dark: '#1a2b3c'\n  light: '#fffbe6'\n  quiet_zone: 6\n  module_px: 3\n"
    site = write_site(tmp_path, {"site.yaml": settings_yaml("M", False, extra)})
    assert mfsite("build", "--source", site).code == 0
    folder = site / "output/b/tee-1"
    svg = (folder / "qr.svg").read_text(encoding="utf-8")
    assert 'fill="#1a2b3c"' in svg and 'fill="#fffbe6"' in svg
    png = (folder / "qr.png").read_bytes()
    assert decode_png(png) == [f"{BASE}b/tee-1/"]
    symbol = make_symbol(f"{BASE}b/tee-1/", "M")
    image = Image.open(io.BytesIO(png))
    assert image.size == ((symbol.size + 12) * 3,) * 2
    assert sorted(c for _, c in image.convert("RGB").getcolors()) == [(26, 43, 60), (255, 251, 230)]


@pytest.mark.parametrize(("module_px", "quiet_zone"), [(1, 4), (3, 5), (8, 4), (7, 40)])
def test_png_pixels_are_the_modules(module_px: int, quiet_zone: int) -> None:
    """mfsite writes the PNG itself: every pixel is its module's colour, at any scale (rows that
    are not whole bytes included), and the palette is the settings' two colours."""
    settings = QrSettings(dark="#1a2b3c", light="#fffbe6", quiet_zone=quiet_zone, module_px=module_px)
    symbol = make_symbol(f"{BASE}b/tee-1/", "Q")
    png = to_png(symbol, settings)
    assert decode_png(png) == [symbol.data]
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and image.size == ((symbol.size + 2 * quiet_zone) * module_px,) * 2
    pixels = image.convert("RGB").load()
    colour = {0: (255, 251, 230), 1: (26, 43, 60)}
    for x, y, module in drawn_modules(symbol, quiet_zone):
        for dy, dx in ((0, 0), (module_px - 1, module_px - 1), (0, module_px - 1)):
            assert pixels[x * module_px + dx, y * module_px + dy] == colour[module], (x, y)


@pytest.mark.parametrize(("url", "quiet_zone"), [(f"{BASE}b/tee-1/", 4), (f"{BASE}b/{'x' * 300}/", 1)])
def test_svg_modules_are_the_modules(url: str, quiet_zone: int) -> None:
    """The SVG path, drawn by a real rasteriser at four pixels a module: every module's
    centre is its own colour (runs that reach the edge and long rows included)."""
    settings = QrSettings(quiet_zone=quiet_zone)
    symbol = make_symbol(url, "H")
    width = symbol.size + 2 * quiet_zone
    png = svg2png(to_svg(symbol, settings).encode(), width * 4)
    pixels = Image.open(io.BytesIO(png)).convert("L").load()
    for x, y, module in drawn_modules(symbol, quiet_zone):
        assert (pixels[x * 4 + 2, y * 4 + 2] < 128) == (module == 1), (x, y)


def drawn_modules(symbol: QrSymbol, quiet_zone: int) -> Iterator[tuple[int, int, int]]:
    """Every module of the drawn code, quiet zone included: (x, y, 1 dark or 0 light)."""
    width = symbol.size + 2 * quiet_zone
    for y in range(width):
        for x in range(width):
            inside = quiet_zone <= x < width - quiet_zone and quiet_zone <= y < width - quiet_zone
            yield x, y, symbol.modules[y - quiet_zone][x - quiet_zone] if inside else 0


@pytest.mark.parametrize(
    ("qr", "expected"),
    [
        ("  dark: '#777777'\n  light: '#888888'\n", "contrast of 1.3:1; codes need at least 4.5:1"),
        ("  dark: '#ffffff'\n  light: '#000000'\n", "the dark colour is lighter than the light one"),
        ("  quiet_zone: 2\n", "qr.quiet_zone: 2 is below 4: the QR standard asks for 4 modules"),
        ("  dark: red\n", "qr.dark: 'red' is not a colour; write it as #rrggbb"),
    ],
)
def test_bad_qr_settings_are_errors(tmp_path: Path, qr: str, expected: str) -> None:
    site = write_site(tmp_path, {"site.yaml": settings_yaml("M", False, qr)})
    run = mfsite("build", "--source", site)
    assert run.code == 1
    assert re.search(r"^site\.yaml:\d+:\d+: error: .*" + re.escape(expected), run.err, re.M), run.err
    assert not (site / "output").exists()


@pytest.mark.parametrize(
    ("gtin", "lot", "path"),
    [
        ("12345670", "HD-2611-A", "01/00000012345670/10/HD-2611-A/"),  # GTIN-8
        ("123456789012", "lot.7", "01/00123456789012/10/lot.7/"),  # GTIN-12 (UPC-A)
        ("4260735142086", "AB-12/3", "01/04260735142086/10/AB-12%2F3/"),  # GTIN-13, a slash
        ("09506000134352", 'a&b%c"d!', "01/09506000134352/10/a%26b%25c%22d%21/"),  # GTIN-14
    ],
)
def test_digital_link_paths(gtin: str, lot: str, path: str) -> None:
    assert digital_link_route(gtin, lot) == path


def test_gs1_digital_link_build(tmp_path: Path) -> None:
    site = write_site(
        tmp_path, {"site.yaml": settings_yaml("M", False, "gs1_digital_link: true\n"), **TWO_BATCHES}
    )
    assert mfsite("build", "--source", site).code == 0
    output = site / "output"
    url = f"{BASE}01/00000012345670/10/HD-2611-A/"
    assert decode_png((output / "b/hd-2611-a/qr.png").read_bytes()) == [url]
    assert page_exists(output, url)
    redirect = (output / "b/hd-2611-a/index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{url}">' in redirect
    assert 'content="0; url=../../01/00000012345670/10/HD-2611-A/"' in redirect
    page = (output / "01/00000012345670/10/HD-2611-A/index.html").read_text(encoding="utf-8")
    assert 'src="../../../../b/hd-2611-a/qr.svg"' in page
    # A batch without a GTIN keeps its b/ page.
    assert decode_png((output / "b/tee-1/qr.png").read_bytes()) == [f"{BASE}b/tee-1/"]


def test_long_ids_cannot_be_gs1_lots(tmp_path: Path) -> None:
    long_id = {"batches/a-very-long-batch-identifier.yaml": TWO_BATCHES["batches/HD-2611-A.yaml"]}
    site = write_site(
        tmp_path, {"site.yaml": settings_yaml("M", False, "gs1_digital_link: true\n"), **long_id}
    )
    run = mfsite("check", "--source", site)
    assert run.code == 1
    assert (
        "batches/a-very-long-batch-identifier.yaml:1:1: error: GS1 lot numbers have at most 20 characters"
        in run.out
    )
