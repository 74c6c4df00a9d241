"""What each kind of page shows: plain dictionaries for the templates.

Templates stay simple because the questions a customer asks ("who made it?",
"how far away?", "what is it made of?") are answered here, once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from mfsite.model import Batch, Certification, Coordinates, Material, Partner, Site, Story
from mfsite.render.care_symbols import care_symbols
from mfsite.render.journey import Figure, Point, layout, place_text, shop_point
from mfsite.render.text import MONTHS, care_lines, distance_km, format_percent
from mfsite.urls import page_route

CONTENT_LIST_CAP = 60  # batches listed on a partner, material or story page
HOME_BATCHES = 24  # the newest, on the home page; the rest by month
FILTER_MIN_ROWS = 5  # a shorter list needs no filter
NBSP = "\u00a0"
RUN_LABELS = {
    "stock": "In stock",
    "pre-order": "Pre-order",
    "made-to-order": "Made to order",
    "collaborative": "Collaboration",
}


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
    """One choice of the catalogue filter: `key` is safe in CSS and HTML (m1, m2...)."""

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


def journey_picture(site: Site, steps: list[Step]) -> Figure | None:
    """The journey's stops, then the shop: what journey.svg draws."""
    if not steps:
        return None
    points = [
        Point(
            step.step[:1].upper() + step.step[1:],
            step.partner.name if step.partner else None,
            place_text(step.place, step.country),
            step.date,  # type: ignore[arg-type]
            step.coordinates,
        )
        for step in steps
    ]
    shop = shop_point(site.config.shop, site.config.title)
    return layout([*points, shop] if shop else points)


def fibres(parts: list[Component]) -> list[str]:
    """Composition in a few words, as a care label says it: "92 % cotton, 8 % elastane"."""
    lines = []
    for component in parts:
        # "92 %" stays on one line (a no-break space), however narrow the screen
        words = ", ".join(
            f"{format_percent(p).replace(' ', NBSP)} {m.fibre or m.name}" for p, m in component.parts
        )
        named = len(parts) > 1 or component.name != "body"
        lines.append(f"{component.name[:1].upper()}{component.name[1:]}: {words}" if named else words)
    return lines


def batch_context(site: Site, batch: Batch) -> dict[str, object]:
    shop = site.config.shop.coordinates
    made_at = where_made(site, batch)
    parts = composition(site, batch)
    steps = journey(site, batch)
    return {
        "batch": batch,
        "partner": site.partners[batch.partner.id],
        "brands": [site.partners[b.id] for b in batch.brands],
        "run_label": RUN_LABELS.get(batch.run or "", ""),
        "components": parts,
        "certifications": certifications(parts),
        "care": care_lines(batch.care),
        "care_symbols": care_symbols(batch.care) if site.config.care_symbols else [],
        "journey": steps,
        "journey_picture": journey_picture(site, steps),
        "fibres": fibres(parts),
        "story": site.stories[batch.story.id] if batch.story else None,
        "km_to_shop": distance_km(made_at, shop) if made_at and shop else None,
        "description": describe(site, batch),
    }


def describe(site: Site, batch: Batch) -> str:
    partner = site.partners[batch.partner.id]
    return (
        f"{batch.product}, batch {batch.id}: made by {partner.name} in "
        f"{batch.origin.place} on {batch.produced.isoformat()}."
    )


def listing(site: Site, batches: Iterable[Batch]) -> list[tuple[Batch, Partner, str]]:
    """Batches as lists show them: with their maker and the address of their page."""
    return [(b, site.partners[b.partner.id], page_route(site.config, b)) for b in batches]


def maker_filter(rows: list[tuple[Batch, Partner, str]]) -> dict[str, object]:
    """The catalogue filter, by maker: most batches first. Empty for a short list or one maker."""
    counts = Counter(partner.id for _, partner, _ in rows)
    if len(rows) < FILTER_MIN_ROWS or len(counts) < 2:
        return {"facets": [], "facet_of": {}}
    names = {partner.id: partner.name for _, partner, _ in rows}
    order = sorted(counts, key=lambda pid: (-counts[pid], names[pid].casefold(), pid))
    keys = {pid: f"m{number}" for number, pid in enumerate(order, 1)}
    return {
        "facets": [Facet(keys[pid], names[pid], counts[pid]) for pid in order],
        "facet_of": keys,
    }


def home_context(site: Site) -> dict[str, object]:
    """The newest batches, then every month: a home page stays small at 10,000 batches."""
    months = {month: len(run) for month, run in site.by_month.items()}
    rows = listing(site, site.batches[:HOME_BATCHES])
    return {
        **maker_filter(rows),
        "batches": rows,
        "months": [(month, month_name(month), count) for month, count in months.items()],
        "stories": sorted(site.stories.values(), key=story_order),
    }


def archive_context(site: Site, month: str, batches: list[Batch]) -> dict[str, object]:
    rows = listing(site, batches)
    return {**maker_filter(rows), "month": month_name(month), "batches": rows}


def month_name(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


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
    return {"item": item, "batches": listing(site, shown), "more": more}


def shown_on_page(users: list[Batch]) -> tuple[list[Batch], int]:
    """What a partner, material or story page shows of the batches naming it (and so all its
    signature covers of them): the newest only, a material in 5,000 batches must not make a
    5,000-row page; and how many more there are."""
    return users[:CONTENT_LIST_CAP], max(0, len(users) - CONTENT_LIST_CAP)
