"""content/*/*.md front matter -> Partner, Material, Story, Page."""

from __future__ import annotations

from mfsite import codes
from mfsite.diagnostics import Diagnostic, Span
from mfsite.load.sources import SourceFile
from mfsite.model import Certification, Material, Page, Partner, Story
from mfsite.validate.fields import (
    Fields,
    Problems,
    to_coordinates,
    to_country,
    to_date,
    to_integer,
    to_percent,
    to_text,
    to_url,
)


def read_partner(source: SourceFile, problems: Problems) -> Partner | None:
    if (f := Fields.of(source.tree, "", problems, Span(source.path))) is None:
        return None
    partner = Partner(
        id=source.stem,
        span=Span(source.path),
        name=f.get("name", to_text, required=True),  # type: ignore[arg-type]
        body=source.body,
        place=f.get("place", to_text),
        country=f.get("country", to_country),
        coordinates=f.get("coordinates", to_coordinates),
        website=f.get("website", to_url),
        kind=f.get("kind", to_text),
    )
    f.finish()
    return None if f.failed else partner


def read_material(source: SourceFile, problems: Problems) -> Material | None:
    if (f := Fields.of(source.tree, "", problems, Span(source.path))) is None:
        return None
    certifications = []
    for cert in f.mappings("certifications"):
        certifications.append(
            Certification(
                name=cert.get("name", to_text, required=True),  # type: ignore[arg-type]
                id=cert.get("id", to_text),
                url=cert.get("url", to_url),
            )
        )
        cert.finish()
    material = Material(
        id=source.stem,
        span=Span(source.path),
        name=f.get("name", to_text, required=True),  # type: ignore[arg-type]
        body=source.body,
        fibre=f.get("fibre", to_text),
        origin_country=f.get("origin_country", to_country),
        supplier=f.get("supplier", to_text),
        recycled_percent=f.get("recycled_percent", to_percent),
        certifications=tuple(certifications),
    )
    f.finish()
    return None if f.failed else material


def read_story(source: SourceFile, static: frozenset[str], problems: Problems) -> Story | None:
    if (f := Fields.of(source.tree, "", problems, Span(source.path))) is None:
        return None
    image = f.get("image", to_text)
    if image is not None and image not in static:
        message = f"image: '{image}' is not a file in static/ (give its path inside static/)"
        problems.append(Diagnostic(f.span("image"), codes.MISSING_FILE, message))
    story = Story(
        id=source.stem,
        span=Span(source.path),
        title=f.get("title", to_text, required=True),  # type: ignore[arg-type]
        body=source.body,
        date=f.get("date", to_date),
        image=image,
        summary=f.get("summary", to_text),
    )
    f.finish()
    return None if f.failed else story


def read_page(source: SourceFile, problems: Problems) -> Page | None:
    if (f := Fields.of(source.tree, "", problems, Span(source.path))) is None:
        return None
    page = Page(
        id=source.stem,
        span=Span(source.path),
        title=f.get("title", to_text, required=True),  # type: ignore[arg-type]
        body=source.body,
        order=f.get("order", to_integer) or 0,
    )
    f.finish()
    return None if f.failed else page
