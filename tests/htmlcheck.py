"""Reading built pages back: links, resources and anything that could run."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

# Attributes whose value is a URL the browser follows or fetches.
URL_ATTRIBUTES = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("iframe", "src")}


@dataclass
class Page:
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, url)
    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    @property
    def plain(self) -> str:
        """The text a reader sees, white space folded (inline elements join without a gap)."""
        return " ".join("".join(self.text).split())


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.page.tags.append((tag, values))
        for name, value in attrs:
            if (tag, name) in URL_ATTRIBUTES and value is not None:
                # <link> says with rel whether the browser fetches it (icon) or not (canonical)
                kind = f"link[{values.get('rel')}]" if tag == "link" else tag
                self.page.links.append((kind, name, value))
        if tag in ("style", "script"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.page.text.append(data)


def parse(path: Path) -> Page:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector.page


def page_url(output: Path, path: Path, base_url: str) -> str:
    rel = path.relative_to(output).as_posix()
    return base_url + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def target_file(output: Path, url: str, base_url: str) -> Path | None:
    """The output file a URL under base_url lands on, or None when it leaves the site."""
    clean = url.split("#")[0].split("?")[0]
    if not clean.startswith(base_url):
        return None
    rel = clean[len(base_url) :]
    path = output / rel
    return path / "index.html" if rel == "" or rel.endswith("/") else path


def internal_links(output: Path, base_url: str) -> list[tuple[Path, str, str]]:
    """(page, link as written, absolute URL) for every link that stays on our host."""
    host = urlsplit(base_url).netloc
    found = []
    for path in sorted(output.rglob("*.html")):
        # 404.html is served at any missing address, so resolve it from a deep one.
        where = (
            base_url + "some/missing/page/" if path.name == "404.html" else page_url(output, path, base_url)
        )
        for _tag, _attr, link in parse(path).links:
            absolute = urljoin(where, link)
            if urlsplit(absolute).scheme in ("http", "https", "") and urlsplit(absolute).netloc in (host, ""):
                found.append((path, link, absolute))
    return found
