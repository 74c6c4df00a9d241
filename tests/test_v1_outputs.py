"""A site without `languages` keeps every URL, QR code and passport it had before languages
came: the same paths, the same codes, the same passports, as recorded in tests/data/v1-outputs.json
from a build of mfsite 7da3a00. Since then each batch has one file more, its share card
(issue 21), a Digital Link batch its GS1 linkset, and the site the JSON-LD context of its
passports' own terms (issue 22); the passports changed by that work alone (`before`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import MINI_SITE, mfsite, write_site
from PIL import Image

RECORDED = json.loads((Path(__file__).parent / "data/v1-outputs.json").read_text(encoding="utf-8"))["sites"]
VARIANTS = {
    "plain": {},
    "digital-link": {  # GS1 Digital Link addresses and compact codes: other URLs, another redirect
        "site.yaml": MINI_SITE["site.yaml"].rstrip(" ")
        + "        gs1_digital_link: true\n        qr:\n          compact: true\n",
        "batches/tee-1.yaml": MINI_SITE["batches/tee-1.yaml"].rstrip(" ") + "        gtin: 09506000134352\n",
    },
}


def fingerprint(path: Path) -> str:
    """A QR image by its pixels (PNG bytes depend on the zlib at hand), a QR SVG and a passport
    by their bytes (a passport as it was before issue 22's JSON-LD conformance: see `before`);
    any other file by its path alone (the theme may change its pages)."""
    if path.name == "qr.png":
        return hashlib.sha256(Image.open(path).convert("L").tobytes()).hexdigest()
    if path.name == "qr.svg":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    if path.name == "passport.json":
        return hashlib.sha256(before(path.read_bytes())).hexdigest()
    return ""


def before(passport: bytes) -> bytes:
    """The passport with issue 22's conformance work undone: the context of mfsite's own terms
    taken out, the facility's type taken out, and the four types UNTP 0.6.0's context defines no
    term for put back, each first in its object. Equal to the recorded bytes: the passports
    changed by that work alone."""
    data = json.loads(passport)
    data["@context"] = data["@context"][:2]
    subject = data["credentialSubject"]
    del subject["product"]["producedAtFacility"]["type"]
    typed = [(item, ["Material"]) for item in subject["materialsProvenance"]]
    typed += [(item, ["Link"]) for item in subject["product"].get("furtherInformation", [])]
    typed += [
        (claim["conformityEvidence"], ["SecureLink", "Link"]) for claim in subject.get("conformityClaim", [])
    ]
    typed += [(step, ["TraceabilityPerformance"]) for step in subject.get("traceabilityInformation", [])]
    for item, kind in typed:
        rest = dict(item)
        item.clear()
        item.update(type=kind, **rest)
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


@pytest.mark.parametrize("name", VARIANTS)
def test_a_site_without_languages_keeps_its_urls_codes_and_passports(tmp_path: Path, name: str) -> None:
    site = write_site(tmp_path / name, VARIANTS[name])
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    output = site / "output"
    found = {p.relative_to(output).as_posix(): fingerprint(p) for p in output.rglob("*") if p.is_file()}
    added = {path for path in found if path.endswith(("/og.jpg", "/linkset.json"))} | {
        "contexts/mfsite-v1.jsonld"
    }
    assert added <= found.keys() and {p for p in added if p.endswith("og.jpg")} == {"b/tee-1/og.jpg"}
    assert {path: found[path] for path in found.keys() - added} == RECORDED[name]
