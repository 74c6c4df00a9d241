#!/usr/bin/env python3
"""Regenerate the README's screenshots from the example shop, as a customer's phone shows it.

    python scripts/screenshots.py [--chromium /usr/bin/chromium] [--out docs/screenshots]

Builds the repository's example shop into a temporary folder, serves it over
HTTP under a sub-path, opens it in headless Chromium (through Playwright) at a
phone's size (360 × 740 CSS pixels, at twice the pixel density) and writes
batch.png, catalogue.png, label.png and batch-dark.png. Needs `pip install
playwright` and Debian's chromium (never `playwright install`).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_PARTS = ("site.yaml", "batches", "content", "templates", "static", "photos")
BASE_URL = "https://kiez-threads.example/shop/"
PHONE = {"width": 360, "height": 740}
# file: (page, colour scheme, what to scroll to first)
SHOTS = {
    "batch.png": ("b/hd-2611-a/", "light", None),
    "catalogue.png": ("", "light", None),
    "label.png": ("b/hd-2611-a/label/", "light", None),
    "batch-dark.png": ("b/ktos-cj-2609/", "dark", "#journey"),
}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def build_example(folder: Path) -> Path:
    site = folder / "site"
    site.mkdir()
    for part in EXAMPLE_PARTS:
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, site / part)
        elif (REPO / part).is_file():
            shutil.copy2(REPO / part, site / part)
    output = folder / "host" / "shop"
    output.parent.mkdir()
    command = ["build", "--source", site, "--output", output, "--base-url", BASE_URL]
    subprocess.run([sys.executable, "-m", "mfsite", *command], check=True, cwd=REPO)
    return output.parent


def save(png: bytes, path: Path) -> None:
    """256 colours are plenty for a page of text: a third of the bytes in the repository."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    fewer = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    fewer.save(path, optimize=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        host = build_example(Path(temp))
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(host))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        site = f"http://127.0.0.1:{server.server_address[1]}/shop/"
        try:
            with sync_playwright() as p:
                flags = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
                browser = p.chromium.launch(executable_path=args.chromium, args=flags)
                for name, (route, scheme, anchor) in SHOTS.items():
                    context = browser.new_context(viewport=PHONE, device_scale_factor=2, color_scheme=scheme)
                    page = context.new_page()
                    page.goto(site + route, wait_until="load")
                    if anchor:
                        page.evaluate("id => document.querySelector(id).scrollIntoView()", anchor)
                        page.evaluate("() => window.scrollBy(0, -16)")
                    save(page.screenshot(), args.out / name)
                    print(args.out / name)
                    context.close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
