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
from mfsite.render.text import MONTHS, care_lines, distance_km
from mfsite.urls import month_of, page_route

HOME_BATCHES = 24  # the newest, on the home page; the rest by month
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
            )
        )
        previous = here
    return steps


def batch_context(site: Site, batch: Batch) -> dict[str, object]:
    shop = site.config.shop.coordinates
    made_at = where_made(site, batch)
    parts = composition(site, batch)
    return {
        "batch": batch,
        "partner": site.partners[batch.partner.id],
        "brands": [site.partners[b.id] for b in batch.brands],
        "run_label": RUN_LABELS.get(batch.run or "", ""),
        "components": parts,
        "certifications": certifications(parts),
        "care": care_lines(batch.care),
        "care_symbols": care_symbols(batch.care) if site.config.care_symbols else [],
        "journey": journey(site, batch),
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


def home_context(site: Site) -> dict[str, object]:
    """The newest batches, then every month: a home page stays small at 10,000 batches."""
    months = Counter(month_of(b) for b in site.batches)
    return {
        "batches": listing(site, site.batches[:HOME_BATCHES]),
        "months": [(month, month_name(month), count) for month, count in months.items()],
        "stories": sorted(site.stories.values(), key=story_order),
    }


def archive_context(site: Site, month: str) -> dict[str, object]:
    return {
        "month": month_name(month),
        "batches": listing(site, (b for b in site.batches if month_of(b) == month)),
    }


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
    return {
        "item": item,
        "batches": listing(site, used_by.get((kind, stem), [])),
    }
