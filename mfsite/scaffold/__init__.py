"""Scaffolding: `mfsite init`, `mfsite new batch` and `mfsite ci`. Never overwrites a file."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from mfsite import __version__
from mfsite.load.sources import load_sources
from mfsite.load.yamltree import Map, Node, Scalar
from mfsite.validate.fields import ID_PATTERN, ID_RULE, windows_problem

EXAMPLE = "example"  # the package folder holding the init example site
# What a copied batch does not keep: its id (the new file's name is the new one), and its place in
# the status list and revocation, each with the indented lines below it (a reason's languages).
OWN_LINES = re.compile(r"^(id|status_index|passport_status|status_reason):.*(\n[ \t]+.*)*\n?", re.MULTILINE)

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


# The workflow each host runs, and where it looks for it. Its text is in ci/<host>.yml.
WORKFLOWS = {"github": ".github/workflows/mfsite.yml", "gitlab": ".gitlab-ci.yml"}
INSTALL_TOKEN = "__MFSITE_INSTALL__"
SAFE_INSTALL = re.compile(r"[A-Za-z0-9._@:/+=<>!~,\[\]-]+")  # pip's words, nothing YAML or a shell reads


def write_workflow(site: Path, host: str, install: str | None = None) -> Path:
    """The host's workflow for this site, with pip installing mfsite from `install` (this version
    by default, so that an upgrade is a change of its own)."""
    install = install or f"mfsite=={__version__}"
    if not SAFE_INSTALL.fullmatch(install):
        raise Refused(f"--install '{install}': use pip's words only (a name, ==version, git+https://…)")
    text = resources.files("mfsite.scaffold").joinpath("ci", f"{host}.yml").read_text(encoding="utf-8")
    target = site / WORKFLOWS[host]
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as out:  # "x": fail rather than overwrite
            out.write(text.replace(INSTALL_TOKEN, install))
    except FileExistsError:
        raise Refused(f"{target} already exists: mfsite never overwrites it; move it aside first") from None
    return target


def workflow_note(target: Path, host: str) -> str:
    """What to do once the workflow is written."""
    if host == "github":
        then = "in the repository's Settings > Pages, set Source to GitHub Actions; then commit and push"
    else:
        then = "commit and push: the pages job publishes the site (Deploy > Pages shows its address)"
    return f"wrote {target}: {then} (docs/hosting.md in mfsite)"


def init_site(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise Refused(f"{directory} already exists and is not empty; choose a new folder")
    example = resources.files("mfsite.scaffold").joinpath(EXAMPLE)
    with resources.as_file(example) as source:
        shutil.copytree(source, directory, dirs_exist_ok=True)


@dataclass(slots=True)
class Existing:
    """What a new batch must not repeat: the ids, and the status list's indexes."""

    ids: dict[str, tuple[Path, str]]  # id (lower case) -> (file, id as written)
    status_list: bool  # site.yaml's passport.status_list
    next_index: int  # one past the highest status_index written


def existing_batches(source: Path) -> Existing:
    sources, _ = load_sources(source)
    found = Existing({}, _status_list(sources.site.tree if sources.site else None), 0)
    for file in sources.batches:
        batch_id = file.stem
        entries = file.tree.entries if isinstance(file.tree, Map) else {}
        if isinstance(value := entries.get("id", (None, None))[1], Scalar):
            batch_id = value.text
        found.ids[batch_id.lower()] = (source / file.path, batch_id)
        if isinstance(index := entries.get("status_index", (None, None))[1], Scalar) and index.text.isdigit():
            found.next_index = max(found.next_index, int(index.text) + 1)
    return found


def _status_list(site: Node | None) -> bool:
    passport = site.entries.get("passport", (None, None))[1] if isinstance(site, Map) else None
    value = passport.entries.get("status_list", (None, None))[1] if isinstance(passport, Map) else None
    return isinstance(value, Scalar) and value.text == "true"


def new_batch(source: Path, batch_id: str, from_id: str | None) -> Path:
    if not ID_PATTERN.fullmatch(batch_id):
        raise Refused(f"'{batch_id}' is not a valid batch id: {ID_RULE}")
    if (problem := windows_problem(batch_id)) is not None:
        raise Refused(f"'{batch_id}' cannot be a batch id: {problem}")
    existing = existing_batches(source)
    if batch_id.lower() in existing.ids:
        path, written = existing.ids[batch_id.lower()]
        raise Refused(f"batch '{written}' already exists in {path}")
    if from_id is not None:
        if from_id.lower() not in existing.ids:
            raise Refused(f"there is no batch '{from_id}' to copy")
        text = existing.ids[from_id.lower()][0].read_text(encoding="utf-8-sig")
        text = OWN_LINES.sub("", text)  # the new file's name is its id; its status is its own
    else:
        text = BATCH_TEMPLATE.format(today=date.today().isoformat(), **defaults(source))
    if existing.status_list:
        text = text if text.endswith("\n") or not text else text + "\n"
        text += f"status_index: {existing.next_index}  # its bit in the status list: never change it\n"
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
        stems = sorted(p.stem for p in (source / "content" / kind).glob("*.md") if "." not in p.stem)
        return stems[0] if stems else fallback  # (name.de.md is a translation, not an item)

    return {
        "product": "New product",
        "partner": first("partners", "your-partner"),
        "material": first("materials", "your-material"),
        "place": "Berlin",
        "country": "DE",
    }
