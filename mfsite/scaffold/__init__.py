"""Scaffolding: `mfsite init` and `mfsite new batch`. Never overwrites a file."""

from __future__ import annotations

import re
import shutil
from datetime import date
from importlib import resources
from pathlib import Path

from mfsite.load.sources import load_sources
from mfsite.load.yamltree import Map, Scalar
from mfsite.validate.fields import ID_PATTERN, ID_RULE, windows_problem

EXAMPLE = "example"  # the package folder holding the init example site
ID_LINE = re.compile(r"^id:.*\n?", re.MULTILINE)

BATCH_TEMPLATE = """\
# A production batch: see docs/site-format.md in mfsite for every key.
product: {product}
produced: {today}
quantity: 24
run: stock                     # stock | pre-order | made-to-order | collaborative
partner: {partner}             # content/partners/{partner}.md
origin:
  place: {place}
  country: {country}           # ISO 3166-1 alpha-2, e.g. DE
materials:
  - material: {material}       # content/materials/{material}.md
    percent: 100
care:
  wash: 30                     # 95 | 70 | 60 | 50 | 40 | 30 | hand | no
  bleach: no                   # any | non-chlorine | no
  tumble: low                  # normal | low | no
  iron: medium                 # high | medium | low | no
"""


class Refused(Exception):
    """The command cannot do what was asked without overwriting or guessing."""


def init_site(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise Refused(f"{directory} already exists and is not empty; choose a new folder")
    example = resources.files("mfsite.scaffold").joinpath(EXAMPLE)
    with resources.as_file(example) as source:
        shutil.copytree(source, directory, dirs_exist_ok=True)


def batch_files(source: Path) -> dict[str, tuple[Path, str]]:
    """Existing batch ids (lower case) -> (file, id as written)."""
    sources, _ = load_sources(source)
    found = {}
    for file in sources.batches:
        batch_id = file.stem
        if isinstance(file.tree, Map) and "id" in file.tree.entries:
            value = file.tree.entries["id"][1]
            if isinstance(value, Scalar):
                batch_id = value.text
        found[batch_id.lower()] = (source / file.path, batch_id)
    return found


def new_batch(source: Path, batch_id: str, from_id: str | None) -> Path:
    if not ID_PATTERN.fullmatch(batch_id):
        raise Refused(f"'{batch_id}' is not a valid batch id: {ID_RULE}")
    if (problem := windows_problem(batch_id)) is not None:
        raise Refused(f"'{batch_id}' cannot be a batch id: {problem}")
    existing = batch_files(source)
    if batch_id.lower() in existing:
        path, written = existing[batch_id.lower()]
        raise Refused(f"batch '{written}' already exists in {path}")
    if from_id is not None:
        if from_id.lower() not in existing:
            raise Refused(f"there is no batch '{from_id}' to copy")
        text = existing[from_id.lower()][0].read_text(encoding="utf-8-sig")
        text = ID_LINE.sub("", text)  # the new file's name is its id
    else:
        text = BATCH_TEMPLATE.format(today=date.today().isoformat(), **defaults(source))
    target = source / "batches" / f"{batch_id}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as out:  # "x": fail rather than overwrite
            out.write(text)
    except FileExistsError:
        raise Refused(f"{target} already exists") from None
    return target


def defaults(source: Path) -> dict[str, str]:
    """Fill the template with the site's own first partner and material."""

    def first(kind: str, fallback: str) -> str:
        files = sorted((source / "content" / kind).glob("*.md"))
        return files[0].stem if files else fallback

    return {
        "product": "New product",
        "partner": first("partners", "your-partner"),
        "material": first("materials", "your-material"),
        "place": "Berlin",
        "country": "DE",
    }
