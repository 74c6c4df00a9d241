"""The one way to name a page: routes, and the URLs made from them.

A route is a path inside the output, relative to its root, with forward
slashes: `b/hd-2611-a/` for a page (a folder with an index.html) or
`feed.xml` for a file. Links between pages are relative, so the site works
from any folder of any static host; QR codes and feeds use absolute URLs made
from the base URL.
"""

from __future__ import annotations

import posixpath

from mfsite.model import Batch

HOME = ""


def batch_route(batch: Batch) -> str:
    return f"b/{batch.slug}/"


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
    """A link to `route` that works from the page at `from_route`."""
    here = from_route if from_route == HOME or from_route.endswith("/") else posixpath.dirname(from_route)
    link = posixpath.relpath(route or ".", here or ".")
    if route == HOME or route.endswith("/"):
        link = "./" if link == "." else link + "/"
    return link
