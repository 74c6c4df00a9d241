"""Photos as the sources name them: `photos:` on a batch, `photo:` on a partner or a material, a
story's `image` in photos/; and the images in static/ that tell where they were taken.

A photo's fields are read with the file that names it (and kept with a batch in the build
state); whether its file is there and can be published is checked against the photos as they
are now (`check_photos`), on every build: a photo replaced by a broken file is told even where
the batch naming it did not change.
"""

from __future__ import annotations

from collections.abc import Iterable

from mfsite import codes
from mfsite.diagnostics import Diagnostic, Span
from mfsite.load.pictures import Picture
from mfsite.load.yamltree import Node
from mfsite.model import Material, Partner, Photo, Story
from mfsite.validate.fields import Fields, Problems, bad, shorten, to_pair, to_text, to_words

FOCUS_HINT = "write the point to keep as [x, y], each from 0 to 1 (e.g. [0.5, 0.3])"


def read_photo(f: Fields) -> Photo | None:
    """One photo's mapping: src (a file in photos/), alt (required: what it shows) and focus."""
    src = f.get("src", to_text, required=True)
    src_span = f.span("src")
    alt_node = f.node_of("alt")
    if alt_node is None:
        message = f"{f.what}: give `alt`, what the photo shows, for people who cannot see it"
        f.problems.append(Diagnostic(f.node.span, codes.PHOTO_NO_ALT, message))
    alt = to_words(alt_node, f.name("alt"), f.problems) if alt_node is not None else None
    focus = f.get("focus", to_focus)
    f.finish()
    if src is None or alt is None:
        return None
    return Photo(src, src_span, alt, focus)  # type: ignore[arg-type]


def read_batch_photos(f: Fields) -> tuple[Photo, ...]:
    return tuple(photo for item in f.mappings("photos") if (photo := read_photo(item)) is not None)


def read_one_photo(f: Fields) -> Photo | None:
    """A partner's or a material's `photo:`."""
    found = f.mapping("photo")
    return read_photo(found) if found is not None else None


def to_focus(node: Node, what: str, problems: Problems) -> tuple[float, float] | None:
    if (pair := to_pair(node, what, problems, codes.BAD_FOCUS, FOCUS_HINT)) is None:
        return None
    x, y = pair
    if not (0 <= x <= 1 and 0 <= y <= 1):
        message = f"[{shorten(str(x))}, {shorten(str(y))}] is outside: {FOCUS_HINT}"
        bad(node, codes.BAD_FOCUS, what, message, problems)
        return None
    return pair


def story_photo(image: str | None, span: Span, alt: str | None, photos: frozenset[str]) -> Photo | None:
    """A story's image as a photo, where it names a file in photos/ (else it is a file of static/)."""
    if image is None or image not in photos or alt is None:
        return None
    return Photo(image, span, alt)


def photos_of(named: Iterable[Photo], content: Iterable[Partner | Material | Story]) -> Iterable[Photo]:
    """Every photo the site names: the batches' (`named`), then the content files'."""
    yield from named
    for item in content:
        if item.photo is not None:
            yield item.photo


def check_photos(
    photos: Iterable[Photo], pictures: dict[str, Picture], problems: Problems
) -> dict[str, Picture]:
    """The photos named, by path inside photos/; each that is missing or cannot be published is
    an error where it is named."""
    found: dict[str, Picture] = {}
    for photo in photos:
        picture = pictures.get(f"photos/{photo.src}")
        if picture is None:
            message = f"'{shorten(photo.src)}' is not a file in photos/ (give its path inside photos/)"
            problems.append(Diagnostic(photo.span, codes.MISSING_FILE, message))
        elif picture.problem:
            message = f"'{shorten(photo.src)}' cannot be published: {picture.problem}"
            problems.append(Diagnostic(photo.span, codes.PHOTO_UNREADABLE, message))
        else:
            found[photo.src] = picture
    return dict(sorted(found.items()))


def warn_without_avif(photos: list[Photo], avif: bool, problems: Problems) -> None:
    """Without AVIF (a Pillow built without libavif, as some systems' are), every photo goes out
    as JPEG only: about twice the bytes on a customer's weak connection. Told once, at the first
    photo named; `avif` is mfsite.photos.avif_available()."""
    if avif or not photos:
        return
    message = (
        "this Pillow cannot write AVIF, so photos are published as JPEG only (about twice the "
        "bytes on a customer's phone); install Pillow 11.3 or later from PyPI (pip install "
        "--upgrade pillow: its wheels carry AVIF) rather than a system build without libavif"
    )
    first = min(photos, key=lambda photo: photo.span)
    problems.append(Diagnostic(first.span, codes.NO_AVIF, message, "warning"))


def warn_located_static(pictures: dict[str, Picture], problems: Problems) -> None:
    """An image in static/ is published as it is, with whatever it says of where it was taken."""
    for rel, picture in sorted(pictures.items()):
        if rel.startswith("static/") and picture.gps:
            name = rel.removeprefix("static/")
            message = (
                "this image carries GPS coordinates (where it was taken, perhaps someone's home), "
                "and static/ is published as it is: move it to photos/ and name it there (a "
                f"story's image: '{shorten(name)}'), which publishes copies without them"
            )
            problems.append(Diagnostic(Span(rel), codes.LOCATED_IMAGE, message, "warning"))
