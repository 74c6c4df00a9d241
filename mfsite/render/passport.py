"""b/<id>/passport.json: a batch as a UN Transparency Protocol Digital Product Passport.

The shape follows UNTP DPP 0.6 (a W3C Verifiable Credential whose subject is
the product batch), signed where site.yaml asks (`render_passport`, with
mfsite.signing). Every value is read from the batch's YAML and the files it
refers to; what the YAML does not say is left out rather than guessed.
docs/passport.md maps each field to its source, and
mfsite/schemas/passport.schema.json checks the shape in the tests.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from mfsite import PACKAGE
from mfsite.model import Batch, Site, SiteConfig
from mfsite.plan import CONTEXT_ROUTE, passport_route
from mfsite.render.pages import certifications, composition, journey
from mfsite.render.status import status_entry
from mfsite.urls import absolute, content_route, page_route

if TYPE_CHECKING:
    from mfsite.signing.jws import Signer

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://test.uncefact.org/vocabulary/untp/dpp/0.6.0/"]
# mfsite's own terms, those UNTP 0.6.0 has none for (a material's component, a claim's material, a
# journey step's who, where and when): a context each site publishes beside its passports.
OWN_CONTEXT = PACKAGE / "schemas" / "mfsite-context-v1.jsonld"
GTIN_SCHEME = {
    "type": ["IdentifierScheme"],
    "id": "https://id.gs1.org/01/",
    "name": "Global Trade Item Number (GTIN)",
}


def iso_datetime(day: date) -> str:
    """A date as the start of that day in UTC: the data knows days, not times."""
    return f"{day.isoformat()}T00:00:00Z"


def fraction(percent: Decimal) -> float:
    """92 % -> 0.92, exactly as written (a decimal, then the nearest float)."""
    return float(percent / 100)


def to_json(data: object) -> bytes:
    return (compact_json(data) + "\n").encode("utf-8")


def compact_json(data: object) -> str:
    # Compact: Python's JSON encoder is only fast (written in C) without indent,
    # and these files are for machines (`python -m json.tool` pretty-prints them).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def party(config: SiteConfig, partner_id: str, name: str) -> dict[str, object]:
    return {"id": absolute(config.base_url or "", content_route("partners", partner_id)), "name": name}


def passport(site: Site, batch: Batch) -> dict[str, object]:
    config = site.config
    base = config.base_url or ""
    partner = site.partners[batch.partner.id]
    product: dict[str, object] = {
        "type": ["Product"],
        "id": absolute(base, page_route(config, batch)),
        "name": batch.product,
    }
    if batch.gtin:
        product["idScheme"] = GTIN_SCHEME
        product["registeredId"] = batch.gtin.zfill(14)
    product.update(
        batchNumber=batch.id,
        productionDate=batch.produced.isoformat(),
        countryOfProduction=batch.origin.country,
        producedByParty=party(config, partner.id, partner.name),
        # A partner is one workshop: its page stands for the facility too, at the batch's place.
        producedAtFacility={
            "type": ["Facility"],
            **party(config, partner.id, partner.name),
            "address": {"addressLocality": batch.origin.place, "addressCountry": batch.origin.country},
        },
    )
    if batch.story:
        story = site.stories[batch.story.id]
        product["furtherInformation"] = [
            {
                "linkURL": absolute(base, content_route("stories", story.id)),
                "linkName": story.title,
            }
        ]
    subject: dict[str, object] = {
        "type": ["ProductPassport"],
        "product": product,
        "granularityLevel": "batch",
        "materialsProvenance": materials(site, batch),
    }
    claims = conformity_claims(site, batch)
    if claims:
        subject["conformityClaim"] = claims
    trace = traceability(site, batch)
    if trace:
        subject["traceabilityInformation"] = trace
    credential = {
        "@context": [*CONTEXT, absolute(base, CONTEXT_ROUTE)],
        "type": ["DigitalProductPassport", "VerifiableCredential"],
        "id": absolute(base, passport_route(batch)),
        "issuer": {"type": ["CredentialIssuer"], "id": base, "name": config.shop.name or config.title},
        "validFrom": iso_datetime(batch.produced),
        "credentialSubject": subject,
    }
    if entry := status_entry(config, batch):
        credential["credentialStatus"] = entry
    return credential


def materials(site: Site, batch: Batch) -> list[dict[str, object]]:
    """One entry per material and component, in the order the YAML lists them."""
    out = []
    for use in batch.materials:
        material = site.materials[use.material.id]
        entry: dict[str, object] = {"name": material.name, "component": use.component}
        if material.origin_country:
            entry["originCountry"] = material.origin_country
        entry["massFraction"] = fraction(use.percent)
        if material.recycled_percent is not None:
            entry["recycledMassFraction"] = fraction(material.recycled_percent)
        out.append(entry)
    return out


def conformity_claims(site: Site, batch: Batch) -> list[dict[str, object]]:
    """Each certificate of a material the batch uses: a claim, with the certificate as evidence."""
    base = site.config.base_url or ""
    claims = []
    for number, (material, cert) in enumerate(certifications(composition(site, batch)), 1):
        claim: dict[str, object] = {
            "type": ["Claim", "Declaration"],
            "id": f"{absolute(base, passport_route(batch))}#claim-{number}",
            "description": f"{material.name}: {cert.name}" + (f" ({cert.id})" if cert.id else ""),
            "referenceStandard": {"type": ["Standard"], "name": cert.name},
            "conformance": True,
            "material": {
                "name": material.name,
                "id": absolute(base, content_route("materials", material.id)),
            },
        }
        if cert.url:
            claim["conformityEvidence"] = {
                "linkURL": cert.url,
                "linkName": " ".join(filter(None, (cert.name, cert.id))),
            }
        claims.append(claim)
    return claims


def traceability(site: Site, batch: Batch) -> list[dict[str, object]]:
    """The journey, one value-chain process per step, with who, where and when."""
    out = []
    for step in journey(site, batch):
        entry: dict[str, object] = {"valueChainProcess": step.step}
        if step.partner:
            entry["performedByParty"] = party(site.config, step.partner.id, step.partner.name)
        if step.place:
            entry["place"] = step.place
        if step.country:
            entry["country"] = step.country
        if step.date:
            entry["date"] = step.date.isoformat()
        out.append(entry)
    return out


def render_passport(site: Site, batch: Batch, signer: Signer | None = None) -> bytes:
    """The passport; where it is signed, as the enveloped credential that carries it as a JWS."""
    credential = passport(site, batch)
    if signer is None:
        return to_json(credential)
    from mfsite.signing.jws import envelope

    credential["issuer"] = {**credential["issuer"], "id": signer.did}  # type: ignore[dict-item]
    return to_json(envelope(signer.sign(credential)))


def render_did_document(site: Site, signer: Signer | None) -> bytes:
    """The issuer's DID document: the key that signs now, and those that signed before."""
    if signer is None:  # (the engine signs wherever the plan has the document)
        raise ValueError("no signing key: the DID document names it")
    from mfsite.signing.jws import did_document

    return to_json(did_document(signer.did, signer.x, site.config.passport.retired_keys))
