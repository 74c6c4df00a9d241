"""ISO 3166-1 countries: the codes a batch may name, and their English names, as pycountry
gives them. Read from the database file pycountry ships rather than through `import pycountry`,
which imports importlib.metadata and with it the email package: a tenth of all a one-batch
rebuild imports. Where the file is not where pycountry keeps it, pycountry itself is asked."""

from __future__ import annotations

import json
from functools import cache
from importlib.machinery import PathFinder
from pathlib import Path


@cache
def english_names() -> dict[str, str]:
    """Each alpha-2 code -> the country's name in English: its common name where it has one
    ("South Korea"), else its name ("United Kingdom")."""
    spec = PathFinder.find_spec("pycountry")
    try:
        folder = spec.submodule_search_locations[0]  # type: ignore[union-attr,index]
        entries = json.loads(Path(folder, "databases", "iso3166-1.json").read_bytes())["3166-1"]
        return {entry["alpha_2"]: entry.get("common_name") or entry["name"] for entry in entries}
    except (AttributeError, TypeError, LookupError, OSError, ValueError):
        return from_pycountry()


def from_pycountry() -> dict[str, str]:
    import pycountry

    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
