"""Plan: a valid site -> the list of files the output will hold.

Each `Output` names its path and what renders it, nothing more, so the plan
is cheap to make and easy to compare between builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from mfsite.model import Batch, Site, SiteConfig
from mfsite.urls import (
    HOME,
    archive_route,
    batch_route,
    compact_route,
    content_route,
    did_route,
    output_path,
    page_route,
)

CONTENT_KINDS = ("partners", "materials", "stories", "pages")
# Machine-readable files: they hold absolute URLs, so a site without a base URL has none.
BATCH_INDEX = "batches.json"
SITEMAP = "sitemap.xml"
FEED = "feed.xml"
STATUS_ROUTE = "status/revocation.json"  # the signed list of revoked passports (render/status.py)
CONTEXT_ROUTE = "contexts/mfsite-v1.jsonld"  # the JSON-LD context of the passports' own terms
# What a site with a base URL has besides: the passports name the context of their own terms.
DISCOVERY_KINDS = {BATCH_INDEX: "batch-index", SITEMAP: "sitemap", FEED: "feed", CONTEXT_ROUTE: "context"}
# The kinds of output that belong to one batch (their key is its id).
BATCH_FILE_KINDS = frozenset(
    {"batch", "redirect", "label", "qr-svg", "qr-png", "passport", "card", "linkset"}
)
# The first folder of every path plan_batch makes, whatever the settings: b/ (the QR target,
# label and images), B/ (the compact codes' upper-case address) and 01/ (GS1 Digital Link).
# The check for colliding outputs (validate/paths.py) plans the batches' files only when
# another output starts with one of these: otherwise, ids unique without case keep them apart.
BATCH_TOPS = frozenset({"b", "B", "01"})


def passport_route(batch: Batch) -> str:
    """The batch's passport.json: in its own folder, beside the QR images, wherever the page lives."""
    return batch_route(batch) + "passport.json"


# Not frozen: a build makes one per file (see model.Record).
@dataclass(slots=True, unsafe_hash=True)
class Output:
    path: str  # inside the output folder, forward slashes
    kind: str  # which renderer makes it
    key: str = ""  # what it is about: a batch id, a content stem, a static file
    route: str = ""  # the page's own route, for relative links
    lang: str = ""  # a page in another language than the default: its folder (de/...)


def page(route: str, kind: str, key: str = "") -> Output:
    return Output(output_path(route), kind, key, route)


def in_language(out: Output, lang: str) -> Output:
    """The page (or feed) as the site publishes it in another language, in that language's folder."""
    route = f"{lang}/{out.route}"
    return Output(f"{lang}/{out.path}", out.kind, out.key, route, lang)


# What each other language has of its own: the pages people read and the feed. The QR images,
# labels, passports, robots.txt, the sitemap, batches.json and static files exist once.
LANGUAGE_KINDS = frozenset({"home", "archive", "batch", "feed", "partners", "materials", "stories", "pages"})


def plan_site(site: Site) -> list[Output]:
    """Every file of the output, sorted by path."""
    outputs = plan_shared(site)
    for batch in site.batches:
        outputs += plan_batch(site.config, batch)
    return sorted(outputs, key=attrgetter("path"))


def plan_batch(config: SiteConfig, batch: Batch) -> list[Output]:
    """A batch's own files (BATCH_FILE_KINDS): what a rebuild plans only for batches that changed."""
    folder = batch_route(batch)  # QR images and the label always live here
    canonical = page_route(config, batch)
    outputs = [page(canonical, "batch", batch.id)]
    outputs += [in_language(outputs[0], lang) for lang in config.languages[1:]]
    if canonical != folder:  # GS1 Digital Link: the old address points to the new one
        outputs.append(page(folder, "redirect", batch.id))
        if config.base_url:  # and what resolvers look for beside the page (render/linkset.py)
            outputs.append(Output(canonical + LINKSET_NAME, "linkset", batch.id, canonical))
    elif config.qr.compact:  # the upper-case address the compact QR code encodes
        outputs.append(page(compact_route(batch), "batch", batch.id))
    outputs.append(page(folder + "label/", "label", batch.id))
    if config.base_url:
        outputs.append(Output(passport_route(batch), "passport", batch.id, folder))
    for fmt in config.qr.formats:
        outputs.append(Output(f"{folder}qr.{fmt}", f"qr-{fmt}", batch.id, folder))
    outputs.append(Output(card_route(batch), "card", batch.id, folder))  # its share card
    return outputs


LINKSET_NAME = "linkset.json"  # a Digital Link batch's GS1 linkset, beside its page
CARD_NAME = "og.jpg"  # a batch's share card, in its folder (state/cards.py)
CARD_SIZE = (1200, 630)  # its width and height (photos/card.py draws it)


def card_route(batch: Batch) -> str:
    return batch_route(batch) + CARD_NAME


def plan_shared(site: Site) -> list[Output]:
    """Every file that is not a batch's own: the home page, lists, content pages, feeds, static files."""
    config = site.config
    outputs = [
        page(HOME, "home"),
        Output("404.html", "404", route="404.html"),
        Output("robots.txt", "robots", route="robots.txt"),
    ]
    if config.passport.sign and config.base_url:  # the issuer's keys, where did:web looks
        did = did_route(config.base_url)
        outputs.append(Output(did, "did", route=did))
        if did.startswith("."):  # GitHub Pages serves a dot-folder only beside .nojekyll
            outputs.append(Output(".nojekyll", "nojekyll", route=".nojekyll"))
        if config.passport.status_list:  # which passports are revoked (render/status.py)
            outputs.append(Output(STATUS_ROUTE, "status-list", route=STATUS_ROUTE))
    for month in site.by_month:
        outputs.append(page(archive_route(month), "archive", month))
    for kind in CONTENT_KINDS:
        for stem in getattr(site, kind):
            outputs.append(page(content_route(kind, stem), kind, stem))
    if config.base_url:
        outputs += [Output(name, kind, route=name) for name, kind in DISCOVERY_KINDS.items()]
    read = [out for out in outputs if out.kind in LANGUAGE_KINDS]
    outputs += [in_language(out, lang) for lang in config.languages[1:] for out in read]
    for name in site.static:
        outputs.append(Output(f"static/{name}", "static", name))
    if site.photos:
        from mfsite.state.photos import copies_of  # (Pillow: imported where there are photos)

        copies = {}  # by path: one photo under two names of one stem is published once
        for src, picture in site.photos.items():
            copies.update(
                (copy.path, Output(copy.path, "photo", src)) for copy in copies_of(src, picture).copies
            )
        outputs += copies.values()
    return outputs
