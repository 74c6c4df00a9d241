"""The customer's view, proven in a real browser (headless Chromium through Playwright).

The example shop is served over HTTP under a sub-path (/kiez/, as its base URL
says) and every page type is opened at a phone's width: nothing scrolls
sideways, nothing fails or logs an error, nothing is fetched from another host,
axe-core finds no serious accessibility problem (light and dark), the catalogue
filter works with JavaScript on and off, and the QR code stays dark on light in
a dark scheme. One browser for the whole module.
"""

from __future__ import annotations

import functools
import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from realparts import need, need_chromium, node_module

WIDTH = 360
PAGES = {
    "home": "",
    "archive": "archive/2026-10/",
    "batch": "b/hd-2611-a/",
    "collaboration": "b/ktos-cj-2609/",
    "label": "b/hd-2611-a/label/",
    "partner": "partners/naehwerk-neukoelln/",
    "material": "materials/organic-cotton-fleece/",
    "story": "stories/winter-capsule-2026/",
    "page": "about/",
    "404": "no/such/batch/",
    # The example's German pages: translated, and a batch left untranslated (its texts in English).
    "home (de)": "de/",
    "batch (de)": "de/b/hd-2611-a/",
    "untranslated batch (de)": "de/b/tee-2602-a/",
    "story (de)": "de/stories/winter-capsule-2026/",
}
SERIOUS = ("serious", "critical")
WCAG_AND_PRACTICE = {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}
CONTRAST = {"type": "rule", "values": ["color-contrast"]}


@pytest.fixture(scope="module")
def playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need("playwright", "pip install -e '.[test]'; never `playwright install`")
    return sync_playwright


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files as a host serves them, with the site's 404.html for a missing path."""

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "kiez" / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def site_url(example_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example shop served at http://127.0.0.1:PORT/kiez/, its base URL's path."""
    root = tmp_path_factory.mktemp("host")
    (root / "kiez").symlink_to(example_build, target_is_directory=True)
    handler = functools.partial(SiteHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/kiez/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(playwright_api):
    executable = need_chromium()
    with playwright_api() as p:
        browser = p.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


class Watched:
    """Everything a page did that a customer would suffer from."""

    def __init__(self, page, own_host: str) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.own_host = own_host

    def foreign(self) -> list[str]:
        return [u for u in self.requests if not u.startswith("data:") and urlsplit(u).netloc != self.own_host]


def open_page(context, site_url: str, rel: str):
    page = context.new_page()
    watched = Watched(page, urlsplit(site_url).netloc)
    response = page.goto(site_url + rel, wait_until="load")
    return page, watched, response


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 740})
    yield context
    context.close()


@pytest.mark.parametrize("kind", PAGES)
def test_every_page_type_fits_a_phone_and_stays_on_our_host(phone, site_url: str, kind: str) -> None:
    page, watched, response = open_page(phone, site_url, PAGES[kind])
    if kind == "404":
        assert response.status == 404
        assert page.locator("h1").inner_text() == "This page is not here"
        # The host's own answer for the document is the only failure allowed.
        watched.failed.remove(f"404 {site_url}{PAGES[kind]}")
        watched.errors = [e for e in watched.errors if "status of 404" not in e]
        # Its links go through the base URL's path: they work from any depth.
        page.get_by_role("link", name="See all batches").click()
        page.wait_for_load_state("load")
        assert page.url == site_url
    else:
        assert response.status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert watched.errors == []
    assert watched.failed == []
    assert watched.foreign() == []
    assert all(u.startswith(site_url) or u.startswith("data:") for u in watched.requests), watched.requests


def test_a_batch_page_is_one_document_and_its_pictures(phone, site_url: str) -> None:
    page, watched, _ = open_page(phone, site_url, PAGES["batch"])
    # The page (CSS and the journey inline), the logo, the QR code and the main photo's copy for
    # a phone, in AVIF: nothing else (the gallery waits to be scrolled to), no script.
    requests = sorted(u.removeprefix(site_url) for u in watched.requests if not u.startswith("data:"))
    photos = [u for u in requests if u.startswith("img/")]
    assert [u for u in requests if u not in photos] == [
        "b/hd-2611-a/",
        "b/hd-2611-a/qr.svg",
        "static/logo.svg",
    ]
    assert len(photos) == 1 and photos[0].endswith("-480.avif")
    assert page.locator("script:not([type='application/ld+json'])").count() == 0
    # What a customer asks first is on the first screen.
    first_screen = page.locator(".glance").bounding_box()
    assert first_screen is not None and first_screen["y"] < 740
    for question in ("Who made it", "Where", "Made of", "Care"):
        assert page.locator(".glance dt", has_text=question).is_visible()
    # The journey is a picture with its text beside it for screen readers.
    assert page.locator("svg.journey-map").is_visible()
    assert page.locator("figure ol li").count() == page.locator("svg.journey-map circle").count()


LAYOUT_SHIFT = """() => new Promise(resolve => {
    let sum = 0;
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) sum += entry.value;
    }).observe({type: "layout-shift", buffered: true});
    setTimeout(() => resolve(sum), 300);
})"""


@pytest.mark.parametrize("kind", ["batch", "batch (de)", "partner", "home"])
def test_photos_show_at_once_in_avif_and_shift_nothing(phone, site_url: str, kind: str) -> None:
    page, watched, _ = open_page(phone, site_url, PAGES[kind])
    page.wait_for_load_state("networkidle")
    first = page.locator("picture img").first
    assert first.evaluate("img => img.complete && img.naturalWidth > 0")
    assert first.evaluate("img => img.currentSrc").endswith(".avif")  # Chromium takes the AVIF source
    if kind != "home":  # the main photo: whole on the first screen, above the facts
        box = first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 740
    assert page.evaluate(LAYOUT_SHIFT) < 0.01
    assert watched.errors == [] and watched.failed == [] and watched.foreign() == []


def test_the_language_switcher_is_on_the_first_screen_and_leads_across(phone, site_url: str) -> None:
    page, watched, _ = open_page(phone, site_url, PAGES["batch"])
    german = page.get_by_role("link", name="Deutsch")
    box = german.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740 and box["x"] + box["width"] <= WIDTH
    assert box["height"] >= 24  # a target a thumb can hit
    german.click()
    page.wait_for_load_state("load")
    assert page.url == f"{site_url}de/b/hd-2611-a/"
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator(".glance dt").first.text_content() == "Wer es gemacht hat"
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state("load")
    assert page.url == f"{site_url}b/hd-2611-a/"
    assert watched.errors == [] and watched.failed == []


def test_journey_text_stays_inside_its_picture(phone, site_url: str, example_build: Path) -> None:
    """SVG text does not wrap: journey.py wraps it with a width estimate, checked here with real fonts."""
    page = phone.new_page()
    measured = 0
    for folder in sorted((example_build / "b").iterdir()):
        page.goto(f"{site_url}b/{folder.name}/")
        overflow = page.evaluate(
            """() => [...document.querySelectorAll('svg.journey-map')].flatMap(svg => {
                const width = svg.viewBox.baseVal.width;
                return [...svg.querySelectorAll('text')]
                    .map(t => [t.textContent, t.getBBox().x + t.getBBox().width])
                    .filter(([, right]) => right > width);
            })"""
        )
        assert overflow == [], folder.name
        measured += page.locator("svg.journey-map text").count()
    assert measured > 100


@pytest.mark.parametrize("kind", PAGES)
def test_axe_finds_no_serious_accessibility_problem(browser, site_url: str, kind: str) -> None:
    axe = node_module("axe-core", "axe.min.js")
    # The page's policy forbids every script, axe-core too: the test context bypasses it.
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, bypass_csp=True)
    problems = []
    try:
        page, _, _ = open_page(context, site_url, PAGES[kind])
        page.add_script_tag(path=str(axe))
        # Every rule in the light scheme; in the dark one only colours change, so only contrast.
        for scheme, only in [("light", WCAG_AND_PRACTICE), ("dark", CONTRAST)]:
            page.emulate_media(color_scheme=scheme)
            assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
            result = page.evaluate("only => axe.run(document, {runOnly: only})", only)
            problems += [
                (scheme, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]
                if v["impact"] in SERIOUS
            ]
    finally:
        context.close()
    assert problems == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_catalogue_filter_works_with_and_without_javascript(browser, site_url: str, javascript: bool) -> None:
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, java_script_enabled=javascript)
    try:
        page, watched, _ = open_page(context, site_url, PAGES["home"])
        rows = page.locator(".catalogue li")
        total = rows.count()
        assert total >= 12
        assert page.locator(".catalogue li:visible").count() == total  # everything, until a choice
        choice = page.locator(".filter label").nth(2)  # the second maker
        name, count = choice.inner_text().rsplit(maxsplit=1)
        choice.click()
        visible = page.locator(".catalogue li:visible")
        assert visible.count() == int(count) < total
        for i in range(visible.count()):
            assert name in visible.nth(i).inner_text()
        # Keyboard: the radio buttons are one group, arrows move the choice.
        page.keyboard.press("ArrowRight")
        third = page.locator(".filter label").nth(3).inner_text().rsplit(maxsplit=1)
        assert page.locator(".catalogue li:visible").count() == int(third[1])
        page.get_by_text("Everyone", exact=False).click()
        assert page.locator(".catalogue li:visible").count() == total
        assert watched.errors == []
    finally:
        context.close()


def test_dark_scheme_keeps_the_qr_code_dark_on_light(browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": WIDTH, "height": 740}, color_scheme="dark")
    try:
        page, _, _ = open_page(context, site_url, PAGES["batch"])
        ground = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert ground == "rgb(23, 21, 19)"  # the page itself is dark
        code = page.locator(".code img")
        code.scroll_into_view_if_needed()
        shot = Image.open(io.BytesIO(code.screenshot())).convert("L")
    finally:
        context.close()
    width, height = shot.size
    # The code's quiet zone, just inside each edge (the corners are rounded off), is white...
    edges = [(width // 2, 8), (width // 2, height - 9), (8, height // 2), (width - 9, height // 2)]
    assert min(shot.getpixel(xy) for xy in edges) > 240
    assert shot.getextrema()[0] < 30  # ...and its modules are black


def test_print_shows_the_garment_not_the_navigation(browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 800, "height": 1000})
    try:
        page, _, _ = open_page(context, site_url, PAGES["batch"])
        page.emulate_media(media="print")
        navigation = page.locator(".site-header nav")  # the site's and the language switcher
        assert navigation.count() == 2
        assert not any(nav.is_visible() for nav in navigation.all())
        assert not page.get_by_role("link", name="Print the batch label").is_visible()
        assert page.locator("h1").is_visible()
        assert page.locator("svg.journey-map").is_visible()
        assert page.locator(".code img").is_visible()
    finally:
        context.close()
