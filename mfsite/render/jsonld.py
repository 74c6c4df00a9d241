"""What a page tells the machines that read it: schema.org JSON-LD and sharing tags.

Batch pages describe the batch as schema.org `SomeProducts` (a lot of one
product), partner pages an `Organization`, story pages an `Article`; batch
and story pages also get Open Graph and Twitter card values. Every value
comes from the site's files, every URL is absolute (made from the base URL),
and nothing here is executed by a browser: a JSON-LD `<script>` is data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from mfsite.i18n import Words
from mfsite.model import Batch, Partner, Site, SiteConfig, Story
from mfsite.plan import CARD_SIZE, card_route, passport_route
from mfsite.render.cards import card_alt
from mfsite.render.pages import batch_title, certifications, composition, describe
from mfsite.render.text import ENGLISH, country_name
from mfsite.urls import (
    absolute,
    content_route,
    digital_link_route,
    in_language,
    page_route,
    uses_digital_link,
)

SCHEMA_ORG = "https://schema.org"
# Characters that could end a <script> element or start markup: JSON allows \\u escapes for
# any character inside a string, so the data stays the same and the HTML parser sees none.
SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data: object) -> Markup:
    """JSON for a `<script type="application/ld+json">` block that hostile text cannot close."""
    # On one line: an indented dump goes through json's pure-Python encoder, a page's costliest part.
    text = json.dumps(data, ensure_ascii=False)
    for char, escape in SCRIPT_UNSAFE.items():
        text = text.replace(char, escape)
    return Markup(text)  # safe: no character that could end the element is left


def url(config: SiteConfig, route: str) -> str:
    """A page's address in the config's language (a file's, the one address it has)."""
    return absolute(config.base_url or "", in_language(route, config.language, config))


def organization_id(config: SiteConfig, partner: Partner) -> str:
    """One node per partner: its page's URL plus #organization, the same on every page."""
    return url(config, content_route("partners", partner.id)) + "#organization"


def organization(config: SiteConfig, partner: Partner) -> dict[str, object]:
    return {
        "@type": "Organization",
        "@id": organization_id(config, partner),
        "name": partner.name,
        "url": url(config, content_route("partners", partner.id)),
    }


def country(code: str, language: str = "en") -> dict[str, object]:
    return {"@type": "Country", "identifier": code, "name": country_name(code, language)}


def batch_jsonld(site: Site, batch: Batch, words: Words = ENGLISH) -> dict[str, object]:
    config = site.config
    page_url = url(config, page_route(config, batch))
    parts = composition(site, batch)
    data: dict[str, object] = {
        "@context": SCHEMA_ORG,
        "@type": "SomeProducts",
        "@id": page_url + "#product",
        "url": page_url,
        "name": batch.product,
        "description": describe(site, batch, words),
        "productID": batch.id,
        "productionDate": batch.produced.isoformat(),
    }
    if batch.gtin:
        data["gtin"] = batch.gtin
        # Only where the page really lives: without gs1_digital_link that address would be a 404.
        # It is the address the printed code opens, the default language's, on every page.
        if uses_digital_link(config, batch):
            data["hasGS1DigitalLink"] = absolute(
                config.base_url or "", digital_link_route(batch.gtin, batch.id)
            )
    data["countryOfOrigin"] = country(batch.origin.country, words.language)
    data["countryOfAssembly"] = country(batch.origin.country, words.language)
    data["manufacturer"] = organization(config, site.partners[batch.partner.id])
    if batch.brands:
        data["brand"] = [organization(config, site.partners[b.id]) for b in batch.brands]
    names = [material.name for component in parts for _, material in component.parts]
    data["material"] = list(dict.fromkeys(names))
    certs = []
    for material, cert in certifications(parts):
        entry: dict[str, object] = {"@type": "Certification", "name": cert.name}
        if cert.id:
            entry["certificationIdentification"] = cert.id
        if cert.url:
            entry["url"] = cert.url
        entry["about"] = {"@type": "Thing", "name": material.name}
        certs.append(entry)
    if certs:
        data["hasCertification"] = certs
    data["subjectOf"] = {
        "@type": "DigitalDocument",
        "name": "Digital product passport",
        "encodingFormat": "application/json",
        "url": url(config, passport_route(batch)),
    }
    return data


def partner_jsonld(site: Site, partner: Partner) -> dict[str, object]:
    config = site.config
    data: dict[str, object] = {"@context": SCHEMA_ORG, **organization(config, partner)}
    if partner.website:
        data["sameAs"] = partner.website
    if partner.place or partner.country:
        address: dict[str, object] = {"@type": "PostalAddress"}
        if partner.place:
            address["addressLocality"] = partner.place
        if partner.country:
            address["addressCountry"] = partner.country
        data["address"] = address
    if partner.coordinates:
        latitude, longitude = partner.coordinates
        data["location"] = {
            "@type": "Place",
            "geo": {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude},
        }
    return data


def story_image(site: Site, story: Story) -> str | None:
    """A story's image as an absolute URL: its largest JPEG copy where it is a photo, else the
    file in static/."""
    if story.photo is not None:
        from mfsite.state.photos import copies_of  # (Pillow: imported where there are photos)

        shown = copies_of(story.photo.src, site.photos[story.photo.src])
        return url(site.config, [c.path for c in shown.copies if c.format == "jpeg"][-1])
    return url(site.config, "static/" + quote(story.image)) if story.image else None


def story_jsonld(site: Site, story: Story) -> dict[str, object]:
    config = site.config
    data: dict[str, object] = {
        "@context": SCHEMA_ORG,
        "@type": "Article",
        "url": url(config, content_route("stories", story.id)),
        "headline": story.title,
    }
    if story.summary:
        data["description"] = story.summary
    if story.date:
        data["datePublished"] = story.date.isoformat()
    if story.image or story.photo:
        data["image"] = story_image(site, story)
    data["publisher"] = {
        "@type": "Organization",
        "name": config.shop.name or config.title,
        "url": config.base_url,
    }
    return data


@dataclass(frozen=True, slots=True)
class Share:
    """Open Graph and Twitter card values: what a link preview in a chat or a post shows."""

    title: str
    description: str
    url: str
    type: str  # website | article
    image: str | None = None
    published: str | None = None  # article:published_time
    image_alt: str | None = None
    image_size: tuple[int, int] | None = None  # where known: width, height

    @property
    def card(self) -> str:
        return "summary_large_image" if self.image else "summary"


def batch_share(site: Site, batch: Batch, words: Words = ENGLISH) -> Share:
    return Share(
        title=batch_title(batch, words),
        description=describe(site, batch, words),
        url=url(site.config, page_route(site.config, batch)),
        type="website",
        image=url(site.config, card_route(batch)),  # (its photo, or the brand's colour: state/cards.py)
        image_alt=card_alt(site, batch),
        image_size=CARD_SIZE,
    )


def story_share(site: Site, story: Story) -> Share:
    return Share(
        title=story.title,
        description=story.summary or story.title,
        url=url(site.config, content_route("stories", story.id)),
        type="article",
        image=story_image(site, story),
        image_alt=story.photo.alt if story.photo is not None else story.image_alt,
        published=story.date.isoformat() if story.date else None,
    )


def page_context(site: Site, item: object, words: Words = ENGLISH) -> dict[str, object]:
    """A page's JSON-LD and sharing tags, in the words' language; None for pages without
    them, or without a base URL."""
    context: dict[str, object] = {"jsonld": None, "share": None}
    if not site.config.base_url:
        return context
    if isinstance(item, Batch):
        context.update(
            jsonld=_script(site, batch_jsonld(site, item, words)), share=batch_share(site, item, words)
        )
    elif isinstance(item, Partner):
        context.update(jsonld=_script(site, partner_jsonld(site, item)))
    elif isinstance(item, Story):
        context.update(jsonld=_script(site, story_jsonld(site, item)), share=story_share(site, item))
    return context


def _script(site: Site, data: dict[str, object]) -> Markup:
    """The page's JSON-LD, with the language its texts are in where a site has several."""
    if len(site.config.languages) > 1:
        data["inLanguage"] = site.config.language
    return script_json(data)
