"""b/<id>/passport.json: the UNTP-shaped passport, checked against the schema and the YAML."""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest
from conftest import REPO, mfsite, write_site
from htmlcheck import parse
from jsonschema import Draft202012Validator, FormatChecker
from pyld import jsonld

from mfsite.engine import check_site
from mfsite.model import Site
from mfsite.render.passport import OWN_CONTEXT

BASE = "https://shop.example.test/kiez/"
SCHEMA = json.loads((REPO / "mfsite/schemas/passport.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def example_site(example_build: Path) -> Site:
    """The example shop's model, read from the same copy the fixture built."""
    checked = check_site(example_build.parent, BASE)
    assert checked.site is not None
    return checked.site


def passports(output: Path) -> dict[str, dict]:
    return {
        p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in output.glob("b/*/passport.json")
    }


def countries(data: object) -> list[str]:
    """Every value of a key that names a country, anywhere in the passport."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("countryOfProduction", "originCountry", "addressCountry", "country"):
                found.append(value)
            found += countries(value)
    elif isinstance(data, list):
        for value in data:
            found += countries(value)
    return found


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_every_example_passport_matches_the_schema(example_build: Path, example_site: Site) -> None:
    found = passports(example_build)
    assert set(found) == {b.slug for b in example_site.batches}
    for slug, passport in found.items():
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(passport)
        ]
        assert errors == [], slug
        for code in countries(passport):
            assert re.fullmatch(r"[A-Z]{2}", code) and pycountry.countries.get(alpha_2=code), (slug, code)
        shares: dict[str, float] = defaultdict(float)
        for material in passport["credentialSubject"]["materialsProvenance"]:
            shares[material["component"]] += material["massFraction"]
        assert all(math.isclose(total, 1, abs_tol=1e-9) for total in shares.values()), (slug, shares)


CONTEXTS = Path(__file__).parent / "data" / "contexts"  # the contexts the passports name (SOURCES.md)


def safe_mode_problems(passport: dict) -> list[str]:
    """What JSON-LD expansion in safe mode refuses in the passport, with the W3C VC 2.0 and UNTP
    DPP 0.6.0 contexts and mfsite's own, served from files (nothing fetched): a term no context
    defines (dropped), and a type or id left relative (a type no context defines). pyld has no
    safe mode of its own, so both are looked for: dropped terms as pyld reports them, relative
    IRIs in what it expands (with no base to resolve them against)."""
    files = {
        "https://www.w3.org/ns/credentials/v2": CONTEXTS / "credentials-v2.jsonld",
        "https://test.uncefact.org/vocabulary/untp/dpp/0.6.0/": CONTEXTS / "untp-dpp-context-0.6.0.jsonld",
        passport["@context"][-1]: OWN_CONTEXT,  # (each site publishes it: contexts/mfsite-v1.jsonld)
    }

    def load(url: str, options: object = None) -> dict:
        if url not in files:
            raise jsonld.JsonLdError(
                f"no local copy of {url}", "jsonld.LoadDocumentError", code="loading document failed"
            )
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(files[url].read_text())}

    problems: list[str] = []
    expanded = jsonld.expand(
        passport,
        {"documentLoader": load, "base": None},
        on_property_dropped=lambda term: problems.append(f"undefined term {term!r}"),
    )

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key in ("@type", "@id"):
                for iri in jsonld.JsonLdProcessor.arrayify(node.get(key, [])):
                    if isinstance(iri, str) and ":" not in iri:
                        problems.append(f"relative {key} {iri!r}")
            for value in node.values():
                walk(value)

    walk(expanded)
    return sorted(set(problems))


def test_every_passport_expands_in_json_ld_safe_mode(example_build: Path) -> None:
    found = passports(example_build)
    for slug, passport in found.items():
        assert safe_mode_problems(passport) == [], slug
    # mfsite's context is published beside the passports, where they name it
    assert all(p["@context"][-1] == BASE + "contexts/mfsite-v1.jsonld" for p in found.values())
    assert (example_build / "contexts/mfsite-v1.jsonld").read_bytes() == OWN_CONTEXT.read_bytes()
    # and the check finds what it should: a term, and a type, that no context defines
    broken = json.loads(json.dumps(next(iter(found.values()))))
    broken["credentialSubject"]["materialsProvenance"][0].update(type=["Material"], fabric="jersey")
    assert safe_mode_problems(broken) == ["relative @type 'Material'", "undefined term 'fabric'"]


def test_the_schema_rejects_what_it_should() -> None:
    good = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://test.uncefact.org/vocabulary/untp/dpp/0.6.0/",
            "https://x.example/contexts/mfsite-v1.jsonld",
        ],
        "type": ["DigitalProductPassport", "VerifiableCredential"],
        "id": "https://x.example/b/a/passport.json",
        "issuer": {"type": ["CredentialIssuer"], "id": "https://x.example/", "name": "X"},
        "validFrom": "2026-01-02T00:00:00Z",
        "credentialSubject": {
            "type": ["ProductPassport"],
            "product": {
                "type": ["Product"],
                "id": "https://x.example/b/a/",
                "name": "Tee",
                "batchNumber": "a",
                "productionDate": "2026-01-02",
                "countryOfProduction": "DE",
                "producedByParty": {"id": "https://x.example/partners/p/", "name": "P"},
                "producedAtFacility": {
                    "type": ["Facility"],
                    "id": "https://x.example/partners/p/",
                    "name": "P",
                    "address": {"addressLocality": "Berlin", "addressCountry": "DE"},
                },
            },
            "granularityLevel": "batch",
            "materialsProvenance": [{"name": "C", "component": "body", "massFraction": 1}],
        },
    }
    assert VALIDATOR.is_valid(good)
    product = good["credentialSubject"]["product"]
    for broken in (
        {**good, "validFrom": "2026-01-02"},
        {**good, "credentialSubject": {**good["credentialSubject"], "granularityLevel": "item"}},
        {
            **good,
            "credentialSubject": {
                **good["credentialSubject"],
                "product": {**product, "countryOfProduction": "de"},
            },
        },
        {**good, "credentialSubject": {**good["credentialSubject"], "product": {**product, "name": ""}}},
        {**good, "@context": good["@context"][:2]},  # without the context of mfsite's own terms
    ):
        assert not VALIDATOR.is_valid(broken)


def test_every_value_comes_from_the_yaml(example_build: Path, example_site: Site) -> None:
    site = example_site
    found = passports(example_build)
    for batch in site.batches:
        passport = found[batch.slug]
        subject = passport["credentialSubject"]
        product = subject["product"]
        partner = site.partners[batch.partner.id]
        assert passport["id"] == f"{BASE}b/{batch.slug}/passport.json"
        assert passport["issuer"] == {"type": ["CredentialIssuer"], "id": BASE, "name": "Kiez Threads"}
        assert passport["validFrom"] == f"{batch.produced.isoformat()}T00:00:00Z"
        assert "proof" not in passport  # unsigned, and says so by not pretending
        assert product["id"] == f"{BASE}b/{batch.slug}/"
        assert product["name"] == batch.product
        assert product["batchNumber"] == batch.id
        assert product["productionDate"] == batch.produced.isoformat()
        assert product["countryOfProduction"] == batch.origin.country
        assert product["producedByParty"] == {"id": f"{BASE}partners/{partner.id}/", "name": partner.name}
        assert product["producedAtFacility"]["address"] == {
            "addressLocality": batch.origin.place,
            "addressCountry": batch.origin.country,
        }
        assert subject["granularityLevel"] == "batch"
        expected = []
        for use in batch.materials:
            material = site.materials[use.material.id]
            expected.append((material.name, use.component, float(use.percent) / 100, material.origin_country))
        got = [
            (m["name"], m["component"], m["massFraction"], m.get("originCountry"))
            for m in subject["materialsProvenance"]
        ]
        assert [g[:2] + g[3:] for g in got] == [e[:2] + e[3:] for e in expected]
        assert all(math.isclose(g[2], e[2]) for g, e in zip(got, expected, strict=True))
        certs = {
            (site.materials[u.material.id].name, c.name)
            for u in batch.materials
            for c in site.materials[u.material.id].certifications
        }
        claims = subject.get("conformityClaim", [])
        assert {(c["material"]["name"], c["referenceStandard"]["name"]) for c in claims} == certs
        assert len(claims) == len(certs)
        steps = [s["valueChainProcess"] for s in subject.get("traceabilityInformation", [])]
        assert steps == [s.step for s in batch.journey]
        if batch.gtin:
            assert product["registeredId"] == batch.gtin.zfill(14)
            assert product["idScheme"]["id"] == "https://id.gs1.org/01/"
        else:
            assert "registeredId" not in product


def test_certificates_are_claims_with_their_evidence(example_build: Path) -> None:
    passport = json.loads((example_build / "b/ktos-cj-2609/passport.json").read_text(encoding="utf-8"))
    claims = passport["credentialSubject"]["conformityClaim"]
    gots = next(c for c in claims if c["referenceStandard"]["name"] == "GOTS")
    assert gots["conformance"] is True
    assert gots["conformityEvidence"]["linkURL"].startswith("https://global-standard.org/")
    assert gots["material"]["id"] == f"{BASE}materials/organic-cotton-denim/"
    assert len({c["id"] for c in claims}) == len(claims)
    weaving = passport["credentialSubject"]["traceabilityInformation"][0]
    assert weaving == {  # (no type: UNTP 0.6.0's context defines no term for it)
        "valueChainProcess": "weaving",
        "place": "Bergamo",
        "country": "IT",
        "date": "2026-07-20",
    }


def test_batch_page_links_its_passport(example_build: Path) -> None:
    page = example_build / "b/ktos-cj-2609/index.html"
    links = [a for t, a in parse(page).tags if t == "link" and a.get("type") == "application/json"]
    assert [(a["rel"], a["title"]) for a in links] == [("alternate", "Digital product passport")]
    href = links[0]["href"] or ""
    assert page.parent.joinpath(href).resolve() == (page.parent / "passport.json").resolve()


def test_passport_stays_in_the_batch_folder_with_digital_link(tmp_path: Path) -> None:
    site = write_site(
        tmp_path, {"site.yaml": "title: Mini\nbase_url: https://mini.example/\ngs1_digital_link: true\n"}
    )
    with (site / "batches/tee-1.yaml").open("a", encoding="utf-8") as batch:
        batch.write("gtin: 09506000134352\n")
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    out = site / "output"
    passport = json.loads((out / "b/tee-1/passport.json").read_text(encoding="utf-8"))
    url = "https://mini.example/01/09506000134352/10/tee-1/"
    assert passport["credentialSubject"]["product"]["id"] == url
    assert (out / "01/09506000134352/10/tee-1/index.html").is_file()
    page = (out / "01/09506000134352/10/tee-1/index.html").read_text(encoding="utf-8")
    assert 'href="../../../../b/tee-1/passport.json"' in page
    assert not (out / "01/09506000134352/10/tee-1/passport.json").exists()
