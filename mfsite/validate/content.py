"""content/*/*.md front matter -> Partner, Material, Story, Page."""

from __future__ import annotations

from mfsite import codes
from mfsite import fibres as annex
from mfsite.diagnostics import Diagnostic, Span
from mfsite.load.sources import SourceFile
from mfsite.model import Certification, Material, Page, Partner, Story, Translation
from mfsite.validate.fields import (
    Fields,
    Problems,
    shorten,
    to_coordinates,
    to_country,
    to_date,
    to_integer,
    to_percent,
    to_text,
    to_url,
    to_words,
)
from mfsite.validate.photos import read_one_photo, story_photo


def read_partner(source: SourceFile, problems: Problems) -> Partner | None:
    if (f := Fields.of(source.tree, "", problems, Span(source.path))) is None:
        return None
    partner = Partner(
        id=source.stem,
        span=Span(source.path),
        name=f.get("name", to_words, required=True),  # type: ignore[arg-type]
        body=source.body,
        place=f.get("place", to_words),
        country=f.get("country", to_country),
        coordinates=f.get("coordinates", to_coordinates),
        website=f.get("website", to_url),
        kind=f.get("kind", to_words),
        photo=read_one_photo(f),
    )
    f.finish()
    return None if f.failed else partner


def read_material(source: SourceFile, problems: Problems, labels: tuple[str, ...] = ()) -> Material | None:
    """A material; `labels`, the languages its fibre is printed in (label.languages)."""
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
        name=f.get("name", to_words, required=True),  # type: ignore[arg-type]
        body=source.body,
        fibre=f.get("fibre", to_text),
        origin_country=f.get("origin_country", to_country),
        supplier=f.get("supplier", to_text),
        recycled_percent=f.get("recycled_percent", to_percent),
        certifications=tuple(certifications),
        photo=read_one_photo(f),
    )
    f.finish()
    if f.failed:
        return None
    warn_fibre(material.fibre, labels, f.span("fibre"), problems)  # (a warning: not a failed read)
    return material


def warn_fibre(fibre: str | None, labels: tuple[str, ...], span: Span, problems: Problems) -> None:
    """A warning where a material's fibre is not a fibre name of Regulation (EU) 1007/2011
    (Annex I), which labels in the EU must use: it is shown and printed as written; and where
    its name in a label language is not confirmed in mfsite's data: it is printed in English."""
    if fibre and annex.match(fibre) is not None:
        unsure = [lang for lang in labels if annex.annex_name(fibre, lang) is None]
        if unsure:
            message = (
                f"fibre: the Annex I name of '{shorten(fibre)}' in {', '.join(unsure)} is not confirmed "
                "in mfsite's data (docs/fibres.md): labels print it in English there; check it "
                "against the Regulation in that language on EUR-Lex before printing"
            )
            problems.append(Diagnostic(span, codes.UNCONFIRMED_FIBRE_NAME, message, "warning"))
    elif fibre:
        close = annex.nearest(fibre)
        hint = f"; did you mean {' or '.join(repr(name) for name in close)}?" if close else ""
        message = (
            f"fibre: '{shorten(fibre)}' is not a fibre name of EU Regulation 1007/2011 (Annex I): "
            f"pages and labels show it as written, untranslated{hint}"
        )
        problems.append(Diagnostic(span, codes.NOT_ANNEX_FIBRE, message, "warning"))


def read_story(
    source: SourceFile, static: frozenset[str], photos: frozenset[str], problems: Problems
) -> Story | None:
    """A story; its `image` names a file in photos/ (published as processed copies) or in static/
    (published as it is)."""
    if (f := Fields.of(source.tree, "", problems, Span(source.path))) is None:
        return None
    image = f.get("image", to_text)
    alt = f.get("image_alt", to_words)
    if image is not None and image not in static and image not in photos:
        message = f"image: '{image}' is not a file in photos/ or static/ (give its path inside one of them)"
        problems.append(Diagnostic(f.span("image"), codes.MISSING_FILE, message))
    elif image in photos and alt is None:
        message = "image: give `image_alt`, what the photo shows, for people who cannot see it"
        problems.append(Diagnostic(f.span("image"), codes.PHOTO_NO_ALT, message))
    photo = story_photo(image, f.span("image"), alt, photos)
    story = Story(
        id=source.stem,
        span=Span(source.path),
        title=f.get("title", to_words, required=True),  # type: ignore[arg-type]
        body=source.body,
        date=f.get("date", to_date),
        image=image if photo is None else None,
        image_alt=alt if photo is None else None,
        summary=f.get("summary", to_words),
        photo=photo,
    )
    f.finish()
    return None if f.failed else story


def read_page(source: SourceFile, problems: Problems) -> Page | None:
    if (f := Fields.of(source.tree, "", problems, Span(source.path))) is None:
        return None
    page = Page(
        id=source.stem,
        span=Span(source.path),
        title=f.get("title", to_words, required=True),  # type: ignore[arg-type]
        body=source.body,
        order=f.get("order", to_integer) or 0,
    )
    f.finish()
    return None if f.failed else page


# The front matter a translation file may give, by kind: its texts (the rest is the original's).
TRANSLATED_KEYS = {
    "partners": ("name", "place", "kind"),
    "materials": ("name",),
    "stories": ("title", "summary", "image_alt"),
    "pages": ("title",),
}


def read_translation(source: SourceFile, kind: str, lang: str, problems: Problems) -> list[Translation]:
    """A translation file's texts: the front matter keys it gives and its body. A key it leaves
    out, and an empty body, fall back to the original's."""
    found: list[Translation] = []
    if source.tree is not None:  # (empty front matter: the body alone is translated)
        if (f := Fields.of(source.tree, "", problems, Span(source.path))) is None:
            return found
        for key in TRANSLATED_KEYS[kind]:
            if (text := f.get(key, to_text)) is not None:
                found.append((lang, key, text))
                if key == "image_alt":  # (where the image is a photo, its alt is the photo's)
                    found.append((lang, "photo.alt", text))
        f.finish()
    if source.body.strip():
        found.append((lang, "body", source.body))
    return found
