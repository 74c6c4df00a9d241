"""Site-wide files for machines: batches.json, sitemap.xml and the Atom feed.xml.

XML is built as an ElementTree and serialised by it, so every piece of text
is escaped by the serialiser, never by hand. Dates come from the data (a
batch's production date, a story's date), never from the clock; where the
data has none, SOURCE_DATE_EPOCH is honoured, else the Unix epoch is used.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from itertools import accumulate
from operator import attrgetter
from typing import Protocol

from mfsite.i18n import N_, Words
from mfsite.model import Batch, Site, Users
from mfsite.plan import BATCH_INDEX, CONTENT_KINDS, DISCOVERY_KINDS, FEED, SITEMAP, passport_route
from mfsite.render.pages import View, batch_title, describe, same
from mfsite.render.passport import compact_json, iso_datetime
from mfsite.urls import HOME, absolute, archive_route, content_route, in_language, language_folder, page_route

ATOM = "http://www.w3.org/2005/Atom"
SITEMAPS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"  # the sitemap's language alternates
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 cannot carry at all, not even escaped (YAML's "\x01" can make them).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def to_xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode").encode() + b"\n"
    )


def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def fallback_updated(site: Site) -> str:
    """When a date is needed and no batch has one: a story's, SOURCE_DATE_EPOCH, or the epoch."""
    dated = [story.date for story in site.stories.values() if story.date]
    if dated:
        return iso_datetime(max(dated))
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        when = datetime.fromtimestamp(int(epoch) if epoch.isascii() and epoch.isdigit() else 0, UTC)
    except (OverflowError, OSError, ValueError):  # beyond the year 9999: not a date
        when = datetime.fromtimestamp(0, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


SEP = "\0"  # between the ids and the signatures a list keeps (neither holds it)


@dataclass(slots=True)
class ListParts:
    """One list's parts as a build made them: its batches' ids and their signatures, each run
    joined by SEP, and the parts as the list shows them (UTF-8), joined by its `sep`, with each
    part's length. Kept between builds this way, a list of 10,000 batches loads and saves as a
    few long strings, not as 30,000 objects, and a rebuild splices the parts that changed into
    the bytes it writes."""

    ids: str
    signatures: str
    sep: bytes
    text: bytes
    lengths: array  # (NUMBERS) each part's, in order
    fresh: int = 0  # how many of them this build made (not kept: the state saves the others)

    def starts(self) -> list[int]:
        step = len(self.sep)
        return list(accumulate((length + step for length in self.lengths), initial=0))

    def parts(self) -> list[bytes]:
        text = self.text
        return [
            text[start : start + length] for start, length in zip(self.starts(), self.lengths, strict=False)
        ]

    def keyed(self) -> dict[str, tuple[str, bytes]]:
        """batch id -> (signature, part)."""
        if not self.ids:
            return {}
        pairs = zip(self.signatures.split(SEP), self.parts(), strict=True)
        return dict(zip(self.ids.split(SEP), pairs, strict=True))


NUMBERS = "q"  # the array type of ListParts.lengths
Parts = dict[str, ListParts]  # list file -> its parts


class Kept(Protocol):
    """The lists' parts as the last build made them (state.StoredParts, or a dict)."""

    def get(self, name: str, /) -> ListParts | None: ...


class BatchParts:
    """Each batch's part of the long lists (batches.json, sitemap.xml, and the rows of each
    month page), kept between builds under the batch's own signature (compare.Signatures.own),
    which covers all a part shows, and the `theme` of a list made by templates: a rebuild makes
    the parts of the batches that changed only, and joins. Without signatures (watch mode),
    every part is made."""

    def __init__(self, own: dict[str, str] | None = None, kept: Kept | None = None, theme: str = "") -> None:
        self.own = own
        self.kept: Kept = kept if kept is not None else {}
        self.made: Parts = {}  # the lists rendered here: every batch's part, kept or new
        self.theme = theme  # the site's templates that the rows use (Signatures.theme("archive"))

    def of(
        self, name: str, batches: Iterable[Batch], make: Callable[[Batch], str], themed: bool = False
    ) -> list[str]:
        """The parts of this list, by `make` where not kept; `themed`: made by the site's templates
        (a month page's rows), so kept under the theme too."""
        if self.own is None:
            return [make(batch) for batch in batches]
        return [part.decode() for part in self._made(name, list(batches), make, themed, b"").parts()]

    def joined(self, name: str, batches: Iterable[Batch], make: Callable[[Batch], str], sep: bytes) -> bytes:
        """The parts of this list joined by `sep`, as UTF-8: a long list is kept joined, and so given."""
        if self.own is None:
            return sep.join(make(batch).encode() for batch in batches)
        return self._made(name, list(batches), make, False, sep).text

    def _made(
        self, name: str, batches: list[Batch], make: Callable[[Batch], str], themed: bool, sep: bytes
    ) -> ListParts:
        own = self.own
        assert own is not None
        ids = list(map(attrgetter("id"), batches))
        signatures = [own[i] + self.theme for i in ids] if themed else list(map(own.__getitem__, ids))
        joined_ids, joined_signatures = SEP.join(ids), SEP.join(signatures)
        kept = self.kept.get(name)
        if kept is None or kept.sep != sep:
            made = _fresh(batches, signatures, make, sep, {})
        elif kept.ids != joined_ids:  # batches added, gone or moved: each kept part found by its id
            made = _fresh(batches, signatures, make, sep, kept.keyed())
        elif kept.signatures == joined_signatures:
            made = ListParts("", "", sep, kept.text, kept.lengths)
        else:  # the same batches, a few of them changed: their parts spliced in
            old = kept.signatures.split(SEP)
            changed = [at for at, (now, was) in enumerate(zip(signatures, old, strict=True)) if now != was]
            made = _spliced(kept, {at: make(batches[at]).encode() for at in changed})
        made.ids, made.signatures = joined_ids, joined_signatures
        self.made[name] = made
        return made

    def take_made(self) -> Parts:
        """The lists made since last asked (a worker sends each once)."""
        made, self.made = self.made, {}
        return made


def _fresh(
    batches: list[Batch],
    signatures: list[str],
    make: Callable[[Batch], str],
    sep: bytes,
    before: dict[str, tuple[str, bytes]],
) -> ListParts:
    """A list made part by part: each kept one `before` holds under its signature, the others made."""
    parts, fresh = [], 0
    for batch, signature in zip(batches, signatures, strict=True):
        found = before.get(batch.id)
        if found is not None and found[0] == signature:
            parts.append(found[1])
        else:
            parts.append(make(batch).encode())
            fresh += 1
    return ListParts("", "", sep, sep.join(parts), array(NUMBERS, map(len, parts)), fresh)


def _spliced(kept: ListParts, new: dict[int, bytes]) -> ListParts:
    """The kept list with the parts at these places made anew: the bytes between them copied
    as they are."""
    starts, lengths = kept.starts(), array(NUMBERS, kept.lengths)
    pieces, done = [], 0
    for at, part in sorted(new.items()):
        pieces += [kept.text[done : starts[at]], part]
        done = starts[at] + lengths[at]
        lengths[at] = len(part)
    pieces.append(kept.text[done:])
    return ListParts("", "", kept.sep, b"".join(pieces), lengths, len(new))


def batch_index(site: Site, used_by: Users, parts: BatchParts) -> bytes:
    """Every batch, newest first, for a till or a shop system to look batches up. Written as the
    compact JSON to_json writes, with each batch's entry made (or kept) on its own."""
    config = site.config
    base = config.base_url or ""
    makers = {p.id: {"id": p.id, "name": p.name} for p in site.partners.values()}  # made once each

    def entry(batch: Batch) -> str:
        item = {
            "id": batch.id,
            "url": absolute(base, page_route(config, batch)),
            "product": batch.product,
            "produced": batch.produced.isoformat(),
            "gtin": batch.gtin,
            "quantity": batch.quantity,
            "partner": makers[batch.partner.id],
            "passport": absolute(base, passport_route(batch)),
        }
        return compact_json(item)

    # to_json's bytes for {"title": ..., "url": ..., "batches": [...]}, the list joined from parts.
    head = compact_json({"title": config.title, "url": base}).removesuffix("}")
    entries = parts.joined(BATCH_INDEX, site.batches, entry, b",")
    return b"".join([f'{head},"batches":['.encode(), entries, b"]}\n"])


def sitemap_entries(site: Site, used_by: Users) -> Iterator[tuple[str, date | None]]:
    """(route, last modified) of every page a search engine should know but the batches' own
    (sitemap lists those first), at its canonical address."""
    yield HOME, site.batches[0].produced if site.batches else None
    for month, run in site.by_month.items():  # newest first: a month's first batch is its newest
        yield archive_route(month), run[0].produced
    for kind in CONTENT_KINDS:
        for stem in sorted(getattr(site, kind), key=str.lower):
            if kind == "stories":
                changed = site.stories[stem].date
            elif kind == "pages":
                changed = None
            else:  # a partner or a material changes, for its page, with the newest batch using it
                users = used_by.get((kind, stem))  # (in the batches' order: newest first)
                changed = users[0].produced if users else None
            yield content_route(kind, stem), changed


def sitemap(site: Site, used_by: Users, parts: BatchParts) -> bytes:
    """Written as text, not as a tree: one line a page keeps it fast at 10,000 batches.
    Every URL is escaped (the only text in it that comes from the data). A site in several
    languages lists each page's every language version, each naming all of them (hreflang)."""
    config = site.config
    base = config.base_url or ""

    def url(route: str) -> str:
        return escape(xml_text(absolute(base, route)), quote=False)

    def one(route: str, changed: date | None) -> str:
        lastmod = f"<lastmod>{changed.isoformat()}</lastmod>" if changed else ""
        return f"  <url><loc>{url(route)}</loc>{lastmod}</url>"

    def every_language(route: str, changed: date | None) -> str:
        lastmod = f"<lastmod>{changed.isoformat()}</lastmod>" if changed else ""
        versions = [(lang, in_language(route, lang, config)) for lang in config.languages]
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lang}" href="{url(r)}"/>' for lang, r in versions
        )
        links += f'<xhtml:link rel="alternate" hreflang="x-default" href="{url(route)}"/>'
        return "\n".join(f"  <url><loc>{url(r)}</loc>{lastmod}{links}</url>" for _, r in versions)

    line = one if len(config.languages) == 1 else every_language
    urlset = (
        f'<urlset xmlns="{SITEMAPS}">'
        if line is one
        else f'<urlset xmlns="{SITEMAPS}" xmlns:xhtml="{XHTML}">'
    )
    entries = sitemap_entries(site, used_by)
    head = "\n".join(['<?xml version="1.0" encoding="utf-8"?>', urlset, line(*next(entries))])
    tail = "\n".join([*(line(route, changed) for route, changed in entries), "</urlset>\n"])
    config = site.config
    pages = [head.encode()]
    if site.batches:
        pages.append(
            parts.joined(SITEMAP, site.batches, lambda b: line(page_route(config, b), b.produced), b"\n")
        )
    return b"\n".join([*pages, tail.encode()])


def feed(site: Site, words: Words, view: View = same) -> bytes:
    """An Atom feed of the newest batches, in the words' language: customers follow new drops
    in their reader."""
    config = site.config
    base = config.base_url or ""
    shop = config.shop.name or config.title
    root = ET.Element("feed", {"xmlns": ATOM, XML_LANG: xml_text(config.language)})
    folder = language_folder(config)  # the feed of another language lives, and links, in its folder
    sub(root, "id", absolute(base, folder + FEED))
    sub(root, "title", config.title)
    sub(root, "subtitle", words.gettext(N_("New batches from %(shop)s"), shop=shop))
    sub(root, "updated", iso_datetime(site.batches[0].produced) if site.batches else fallback_updated(site))
    author = sub(root, "author")
    sub(author, "name", shop)
    sub(author, "uri", base)
    sub(root, "link", rel="self", type="application/atom+xml", href=absolute(base, folder + FEED))
    sub(root, "link", rel="alternate", type="text/html", href=absolute(base, folder + HOME))
    for batch in map(view, site.batches[: config.feed.entries]):
        page_url = absolute(base, folder + page_route(config, batch))
        entry = sub(root, "entry")
        sub(entry, "id", page_url)
        sub(entry, "title", batch_title(batch, words))
        sub(entry, "updated", iso_datetime(batch.produced))
        sub(entry, "link", rel="alternate", type="text/html", href=page_url)
        passport_url = absolute(base, passport_route(batch))
        sub(entry, "link", rel="describedby", type="application/json", href=passport_url)
        sub(entry, "summary", describe(site, batch, words))
    return to_xml(root)


# The plan's kinds (plan.DISCOVERY_KINDS) of the lists for machines -> what renders them.
# (The feed is for people: it is written in each language, with the words of one.)
RENDERERS: dict[str, Callable[[Site, Users, BatchParts], bytes]] = {
    DISCOVERY_KINDS[BATCH_INDEX]: batch_index,
    DISCOVERY_KINDS[SITEMAP]: sitemap,
}
