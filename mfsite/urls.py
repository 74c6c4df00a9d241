"""The one way to name a page: routes, and the URLs made from them.

A route is a path inside the output, relative to its root, with forward
slashes: `b/hd-2611-a/` for a page (a folder with an index.html) or
`feed.xml` for a file. Links between pages are relative, so the site works
from any folder of any static host; QR codes and feeds use absolute URLs made
from the base URL.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit, urlunsplit

from mfsite.model import Batch, SiteConfig

HOME = ""


def batch_route(batch: Batch) -> str:
    """The batch's own folder: its QR images and label live here, whatever the page's address."""
    return f"b/{batch.slug}/"


def compact_route(batch: Batch) -> str:
    """With qr.compact: the same page at an upper-case path (alphanumeric QR mode)."""
    return f"B/{batch.id.upper()}/"


def digital_link_route(gtin: str, lot: str) -> str:
    """GS1 Digital Link path: GTIN padded to 14 digits, the lot percent-encoded."""
    from biip.gs1_messages import GS1Message  # here: slow to import, and only for GTIN batches

    uri = GS1Message.parse_hri(f"(01){gtin.zfill(14)}(10){lot}").as_gs1_digital_link_uri()
    return urlsplit(uri.as_uri(domain="x.invalid")).path.lstrip("/") + "/"


def uses_digital_link(config: SiteConfig, batch: Batch) -> bool:
    return config.gs1_digital_link and batch.gtin is not None


def page_route(config: SiteConfig, batch: Batch) -> str:
    """Where the batch page itself lives (the canonical address)."""
    if uses_digital_link(config, batch):
        return digital_link_route(batch.gtin, batch.id)  # type: ignore[arg-type]
    return batch_route(batch)


def qr_url(config: SiteConfig, batch: Batch) -> str:
    """The absolute URL a batch's QR code encodes."""
    base = config.base_url or ""
    if not config.qr.compact:
        return base + page_route(config, batch)
    # Scheme and host are case-insensitive: upper case lets them join the
    # alphanumeric segment. The base URL's path is case-sensitive: kept as written.
    parts = urlsplit(base)
    base = urlunsplit((parts.scheme.upper(), parts.netloc.upper(), parts.path, "", ""))
    if uses_digital_link(config, batch):
        return base + page_route(config, batch)  # the lot is case-sensitive in GS1 too
    return base + compact_route(batch)


def archive_route(month: str) -> str:
    """All batches made in one month (YYYY-MM): the catalogue beyond the home page."""
    return f"archive/{month}/"


def content_route(kind: str, stem: str) -> str:
    """partners/, materials/ and stories/ pages; free pages sit at the top level."""
    slug = stem.lower()
    return f"{slug}/" if kind == "pages" else f"{kind}/{slug}/"


def output_path(route: str) -> str:
    """The file a route is written to: folders get an index.html."""
    return f"{route}index.html" if route == HOME or route.endswith("/") else route


def absolute(base_url: str, route: str) -> str:
    return base_url + route


def relative(route: str, from_route: str) -> str:
    """A link to `route` that works from the page at `from_route`.

    Always up to the site's root, then down: `../../partners/x/` from a batch
    page. Simple, and fast enough to call for every link of 10,000 pages.
    """
    depth = from_route.count("/")  # a page's route ends in "/"; a file's last part is its name
    return "../" * depth + route if depth or route else "./"


def language_folder(config: SiteConfig) -> str:
    """Where the pages in the config's language live: "" for the default, "en/" for another
    (a site as one language's pages show it has that language as its config's)."""
    return "" if config.language == config.languages[0] else f"{config.language}/"


def in_language(route: str, lang: str, config: SiteConfig) -> str:
    """A route to the version of a page in `lang`. Only pages and the feed have one: the QR
    images, labels, passports and static files exist once, at their own routes."""
    if lang == config.languages[0] or not (route == HOME or route.endswith("/") or route == "feed.xml"):
        return route
    if route.endswith("/label/"):
        return route
    return f"{lang}/{route}"


def did_web(base_url: str) -> str:
    """did:web for a site (https, validation sees to it): `https://shop.example/kiez/` ->
    `did:web:shop.example:kiez`; the host in lower case, a port's colon and anything but letters,
    digits and `.-_` in a path segment percent-encoded, as the method asks."""
    parts = urlsplit(base_url)
    segments = [_did_segment(s) for s in parts.path.split("/") if s]
    return ":".join(["did:web", parts.netloc.lower().replace(":", "%3A"), *segments])


def _did_segment(segment: str) -> str:
    return quote(unquote(segment), safe="").replace("~", "%7E")


def did_base(did: str) -> str:
    """The site a did:web names, as its base URL: `did:web:shop.example:kiez` ->
    `https://shop.example/kiez/` (path segments kept percent-encoded, as a base URL has them)."""
    host, *segments = did.removeprefix("did:web:").split(":")
    return "".join([f"https://{host.replace('%3A', ':')}/", *(f"{s}/" for s in segments)])


def same_url(a: str, b: str) -> bool:
    """Whether two URLs name the same place: scheme and host in any case, the rest as written,
    the path's escapes taken as what they stand for (`%7E` and `~`, `%C3%A4` and `%c3%a4`)."""
    first, second = urlsplit(a), urlsplit(b)
    return (first.scheme.lower(), first.netloc.lower(), unquote(first.path), first.query, first.fragment) == (
        second.scheme.lower(),
        second.netloc.lower(),
        unquote(second.path),
        second.query,
        second.fragment,
    )


def did_route(base_url: str) -> str:
    """The DID document's path under the base URL: did.json, or .well-known/did.json at a domain's
    root (where did:web looks for it)."""
    return "did.json" if urlsplit(base_url).path.strip("/") else ".well-known/did.json"


def did_url(did: str) -> str:
    """Where did:web's document is fetched from."""
    base = did_base(did)
    return base + did_route(base)
