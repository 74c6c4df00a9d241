"""What each kind of page shows: plain dictionaries for the templates.

Templates stay simple because the questions a customer asks ("who made it?",
"how far away?", "what is it made of?") are answered here, once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from mfsite import fibres as annex
from mfsite.i18n import N_, Words
from mfsite.languages import kept
from mfsite.model import Batch, Certification, Coordinates, Material, Partner, Site, Story
from mfsite.render.care_symbols import care_symbols
from mfsite.render.journey import Figure, Point, layout, place_text, shop_point
from mfsite.render.text import (
    ENGLISH,
    care_lines,
    component_name,
    distance_km,
    format_month,
    format_percent,
    run_label,
)
from mfsite.urls import page_route

CONTENT_LIST_CAP = 60  # batches listed on a partner, material or story page
HOME_BATCHES = 24  # the newest, on the home page; the rest by month
FILTER_MIN_ROWS = 5  # a shorter list needs no filter
NBSP = "\u00a0"
# Translators: a page's summary for search engines and link previews.
DESCRIBED = N_("%(product)s, batch %(id)s: made by %(partner)s in %(place)s on %(date)s.")


@dataclass(frozen=True, slots=True)
class Component:
    """One part of a garment (body, lining, trim) and what it is made of."""

    name: str
    parts: list[tuple[Decimal, Material]]  # largest share first, as labels list fibres


@dataclass(frozen=True, slots=True)
class Step:
    step: str
    partner: Partner | None
    place: str | None
    country: str | None
    date: object
    km_from_previous: float | None
    coordinates: Coordinates | None = None  # the partner's, when the step names one


@dataclass(frozen=True, slots=True)
class Facet:
    """One choice of the catalogue filter: `key` is safe in CSS and HTML (maker_key)."""

    key: str
    label: str
    count: int


def composition(site: Site, batch: Batch) -> list[Component]:
    by_component: dict[str, list[tuple[Decimal, Material]]] = {}
    for use in batch.materials:
        by_component.setdefault(use.component, []).append((use.percent, site.materials[use.material.id]))
    return [
        Component(name, sorted(parts, key=lambda p: (-p[0], p[1].name)))
        for name, parts in by_component.items()
    ]


def certifications(parts: list[Component]) -> list[tuple[Material, Certification]]:
    seen: dict[tuple[str, str], tuple[Material, Certification]] = {}
    for component in parts:
        for _, material in component.parts:
            for cert in material.certifications:
                seen.setdefault((material.id, cert.name), (material, cert))
    return list(seen.values())


def where_made(site: Site, batch: Batch) -> Coordinates | None:
    partner = site.partners[batch.partner.id]
    return batch.origin.coordinates or partner.coordinates


def journey(site: Site, batch: Batch) -> list[Step]:
    steps = []
    previous: Coordinates | None = None
    for step in batch.journey:
        partner = site.partners[step.partner.id] if step.partner else None
        here = partner.coordinates if partner else None
        km = distance_km(previous, here) if previous and here else None
        steps.append(
            Step(
                step.step,
                partner,
                step.place or (partner.place if partner else None),
                step.country or (partner.country if partner else None),
                step.date,
                km,
                here,
            )
        )
        previous = here
    return steps


def journey_picture(site: Site, steps: list[Step], words: Words = ENGLISH) -> Figure | None:
    """The journey's stops, then the shop: what journey.svg draws."""
    if not steps:
        return None
    points = [
        Point(
            kept(step.step[:1].upper() + step.step[1:], step.step),
            step.partner.name if step.partner else None,
            place_text(step.place, step.country, words.language),
            step.date,  # type: ignore[arg-type]
            step.coordinates,
        )
        for step in steps
    ]
    shop = shop_point(site.config.shop, site.config.title, words)
    return layout([*points, shop] if shop else points, words.language)


def fibres(parts: list[Component], words: Words = ENGLISH) -> list[str]:
    """Composition in a few words, as a care label says it: "92 % cotton, 8 % elastane"; in
    another language with the fibres' Annex I names in it ("92 % Baumwolle")."""
    lines = []
    lang = words.language
    for component in parts:
        said = ", ".join(
            f"{percent_kept_together(p, lang)} {fibre_name(m, lang)}" for p, m in component.parts
        )
        named = len(parts) > 1 or component.name != "body"
        if named:
            part = component_title(component.name, words)
            said = words.gettext(N_("%(part)s: %(composition)s"), part=part, composition=said)
        lines.append(said)
    return lines


def percent_kept_together(value: Decimal, language: str) -> str:
    """A share that stays on one line however narrow the screen: "92 %" with a no-break space."""
    return format_percent(value, language).replace(" ", NBSP)


def component_title(name: str, words: Words) -> str:
    """A garment part as a heading or a line starts with it: "Body", "Futter"."""
    said = component_name(name, words)
    return said[:1].upper() + said[1:]


def fibre_name(material: Material, language: str) -> str:
    """What a material is made of, as shown: its fibre by the Annex I name in the page's
    language (a fibre that is none, as written), else its name."""
    return annex.shown(material.fibre, language) if material.fibre else material.name


def label_composition(parts: list[Component], languages: Sequence[str], words: Sequence[Words]) -> list[str]:
    """The composition as a label prints it in several languages, a line a garment part:
    "92 % Baumwolle / cotton, 8 % Elasthan / elastane"; a part named in each language
    ("Futter / Lining: ..."). A fibre that is not an Annex I name is printed as written."""
    # Each share once, as the first label language writes it.
    share = partial(percent_kept_together, language=languages[0])
    lines = []
    for component in parts:
        fibres_and_shares = [(m.fibre or m.name, p) for p, m in component.parts]
        line = annex.composition_line(fibres_and_shares, languages, share)
        if len(parts) > 1 or component.name != "body":
            names = dict.fromkeys(component_title(component.name, said) for said in words)
            line = f"{' / '.join(names)}: {line}"
        lines.append(line)
    return lines


def batch_context(site: Site, batch: Batch, words: Words = ENGLISH) -> dict[str, object]:
    shop = site.config.shop.coordinates
    made_at = where_made(site, batch)
    parts = composition(site, batch)
    steps = journey(site, batch)
    return {
        "batch": batch,
        "partner": site.partners[batch.partner.id],
        "brands": [site.partners[b.id] for b in batch.brands],
        "run_label": run_label(batch.run, words),
        "components": parts,
        "certifications": certifications(parts),
        "care": care_lines(batch.care, words),
        "care_symbols": care_symbols(batch.care, words) if site.config.care_symbols else [],
        "journey": steps,
        "journey_picture": journey_picture(site, steps, words),
        "fibres": fibres(parts, words),
        "story": site.stories[batch.story.id] if batch.story else None,
        "km_to_shop": distance_km(made_at, shop) if made_at and shop else None,
        "description": describe(site, batch, words),
    }


def batch_title(batch: Batch, words: Words = ENGLISH) -> str:
    """A batch as a feed entry or a link preview names it: "Hoodie · batch hd-2611-a"."""
    return f"{batch.product} · {words.gettext('batch %(id)s', id=batch.id)}"


def describe(site: Site, batch: Batch, words: Words = ENGLISH) -> str:
    partner = site.partners[batch.partner.id]
    return words.gettext(
        DESCRIBED,
        product=batch.product,
        id=batch.id,
        partner=partner.name,
        place=batch.origin.place,
        date=batch.produced.isoformat(),
    )


def same(batch: Batch) -> Batch:
    return batch


# A batch as a page shows it: in the page's language (languages.Localizer), or as it is.
View = Callable[[Batch], Batch]


class Listing(Sequence[tuple[Batch, Partner, str]]):
    """A list page's batches as its templates may show them: each with its maker and the
    address of its page, made (and the batch localized) only when a template asks for it. The
    theme shows `rows` (Renderer.rows); a site's own list template may show these."""

    def __init__(self, site: Site, batches: Sequence[Batch], view: View) -> None:
        self.site, self.batches, self.view = site, batches, view

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, at: int | slice) -> Any:  # (a row, or a list of rows for a slice)
        if isinstance(at, slice):
            return [self.row(batch) for batch in self.batches[at]]
        return self.row(self.batches[at])

    def row(self, batch: Batch) -> tuple[Batch, Partner, str]:
        return self.view(batch), self.site.partners[batch.maker], page_route(self.site.config, batch)


def maker_key(partner_id: str) -> str:
    """A maker's key in the catalogue filter (a row's data-maker), safe in CSS and HTML: the same
    on every page, so a batch's row is one text wherever it is listed (a month page keeps each
    row between builds)."""
    return "m" + hashlib.blake2b(partner_id.encode(), digest_size=5).hexdigest()


def maker_filter(site: Site, batches: Sequence[Batch]) -> list[Facet]:
    """The catalogue filter, by maker: most batches first. Empty for a short list or one maker.
    (Batch.maker: no batch's whole data is loaded for it.)"""
    counts = Counter(batch.maker for batch in batches)
    if len(batches) < FILTER_MIN_ROWS or len(counts) < 2:
        return []
    names = {pid: site.partners[pid].name for pid in counts}
    order = sorted(counts, key=lambda pid: (-counts[pid], names[pid].casefold(), pid))
    return [Facet(maker_key(pid), names[pid], counts[pid]) for pid in order]


def home_context(site: Site, language: str = "en") -> dict[str, object]:
    """The newest batches (listed: the renderer makes their rows), then every month: a home page
    stays small at 10,000 batches."""
    months = {month: len(run) for month, run in site.by_month.items()}
    listed = site.batches[:HOME_BATCHES]
    return {
        "listed": listed,
        "facets": maker_filter(site, listed),
        "months": [(month, month_name(month, language), count) for month, count in months.items()],
        "stories": sorted(site.stories.values(), key=story_order),
    }


def archive_context(site: Site, month: str, language: str = "en") -> dict[str, object]:
    listed = site.by_month[month]
    return {"listed": listed, "facets": maker_filter(site, listed), "month": month_name(month, language)}


def month_name(month: str, language: str = "en") -> str:
    """A month as the lists name it: "November 2026", "November 2026" (de), "Listopad 2026"."""
    year, number = month.split("-")
    return format_month(date(int(year), int(number), 1), language, standalone=True)


def story_order(story: Story) -> tuple[bool, int, str]:
    """Newest first; stories without a date after the dated ones."""
    return (story.date is None, -story.date.toordinal() if story.date else 0, story.title)


def content_context(
    site: Site, kind: str, stem: str, used_by: dict[tuple[str, str], list[Batch]]
) -> dict[str, object]:
    item = {
        "partners": site.partners,
        "materials": site.materials,
        "stories": site.stories,
        "pages": site.pages,
    }[kind][stem]
    shown, more = shown_on_page(used_by.get((kind, stem), []))
    return {"item": item, "listed": shown, "more": more}


def shown_on_page(users: list[Batch]) -> tuple[list[Batch], int]:
    """What a partner, material or story page shows of the batches naming it (and so all its
    signature covers of them): the newest only, a material in 5,000 batches must not make a
    5,000-row page; and how many more there are."""
    return users[:CONTENT_LIST_CAP], max(0, len(users) - CONTENT_LIST_CAP)
