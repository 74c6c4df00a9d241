"""The site's pictures as the loader finds them: the photos in photos/, and the images in
static/ (published as they are), each read once per change of its status.

A photo is known by the digest of its bytes (which names its published copies and enters the
signature of every page that shows it) and its upright size (which the pages' markup gives, so
nothing shifts while it loads); an image in static/ by whether it carries GPS coordinates. Both
are kept between builds under the file's status: a rebuild of a site with a thousand photos
reads only the photos that changed, never their pixels.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from mfsite.load.sources import NO_STATUS, Sources, StatKey, file_digest, stat_key

# The images in static/ that a phone or camera may have stamped with where it was.
STAMPED_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


@dataclass(frozen=True, slots=True)
class Picture:
    digest: str  # of the file's bytes
    width: int = 0  # upright (after the EXIF orientation); 0 where it cannot be read
    height: int = 0
    problem: str = ""  # why it cannot be published, for the person who added it
    gps: bool = False  # carries GPS coordinates (told of images in static/ only)


# Site-relative path -> (the file's status when read, what was found). Plain data: the state
# keeps it between builds.
Pictures = dict[str, tuple[StatKey, Picture]]


def pictures_of(sources: Sources, kept: Pictures, listed: dict[str, StatKey]) -> dict[str, Picture]:
    """The site's photos, and its images in static/ that may carry GPS coordinates; `listed`,
    their status as the listing took it (where there was one)."""
    stamped = [f"static/{name}" for name in sources.static if name.lower().endswith(STAMPED_SUFFIXES)]
    paths = [f"photos/{name}" for name in sources.photos] + stamped
    return read_pictures(str(sources.root), paths, kept, listed)


def read_pictures(
    root: str, paths: list[str], kept: Pictures, listed: dict[str, StatKey]
) -> dict[str, Picture]:
    """Each of these files (site-relative: photos/... or static/...) as a Picture, read only where
    `kept` lacks it under its present status (`listed`'s, else one stat); `kept` is brought up to
    date, files gone dropped."""
    prefix = "" if root == "." else os.path.join(root, "")
    found: dict[str, Picture] = {}
    for rel in paths:
        key = listed.get(rel) or stat_key(prefix + rel)
        entry = kept.get(rel)
        if entry is None or entry[0] != key or key == NO_STATUS:
            entry = kept[rel] = (key, _read(prefix + rel, photo=rel.startswith("photos/")))
        found[rel] = entry[1]
    for gone in kept.keys() - found.keys():
        del kept[gone]
    return found


def _read(path: str, photo: bool) -> Picture:
    # Imported here: Pillow takes a while to import, and a build whose pictures are all known
    # (every rebuild but the first) does without it.
    from mfsite.photos import MAX_BYTES, PhotoProblem, has_gps, inspect

    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # (one byte more: inspect says it is too large)
    except OSError as exc:
        return Picture("", problem=f"cannot read the file: {exc.strerror or exc}")
    digest = file_digest(data)
    if not photo:
        return Picture(digest, gps=path.lower().endswith(STAMPED_SUFFIXES) and has_gps(data))
    try:
        shape = inspect(data)
    except PhotoProblem as exc:
        return Picture(digest, problem=str(exc))
    return Picture(digest, shape.width, shape.height)
