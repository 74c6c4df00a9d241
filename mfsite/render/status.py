"""status/revocation.json: which passports the shop has revoked, as a W3C Bitstring Status List.

With `passport.status_list` on, every passport names one bit of this list (its batch's
`status_index`, written in the batch's file), and the list, signed like the passports, says for
each bit whether that passport is revoked. A recall needs no server: the shop marks the batch
`passport_status: revoked`, builds, and everyone who checks a copy of the passport, however old,
finds the bit set (`mfsite verify`, or any verifier of Bitstring Status List v1.0).

The list is gzip-compressed bits, base64url-encoded with multibase's "u" in front; bit 0 is the
first byte's highest bit. It is at least 131,072 bits long, as the standard asks, so that which
bit is whose tells little.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from typing import TYPE_CHECKING

from mfsite.model import Batch, Site, SiteConfig
from mfsite.plan import STATUS_ROUTE
from mfsite.urls import absolute

if TYPE_CHECKING:
    from mfsite.signing.jws import Signer

PURPOSE = "revocation"
MIN_BITS = 131_072  # Bitstring Status List v1.0, section 6.1: the least a list holds
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"  # (it defines the status list's terms)


def list_url(config: SiteConfig) -> str:
    return absolute(config.base_url or "", STATUS_ROUTE)


def status_entry(config: SiteConfig, batch: Batch) -> dict[str, object] | None:
    """What a passport carries as its `credentialStatus`: None without a status list."""
    if not config.passport.status_list or batch.status is None or batch.status.index is None:
        return None
    where, index = list_url(config), str(batch.status.index)
    return {
        "id": f"{where}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": index,
        "statusListCredential": where,
    }


def bits(site: Site) -> bytes:
    """One bit a batch, set where its passport is revoked; whole multiples of MIN_BITS."""
    indexes = [b.status.index for b in site.batches if b.status is not None and b.status.index is not None]
    size = MIN_BITS * (max(indexes, default=0) // MIN_BITS + 1)
    found = bytearray(size // 8)
    for batch in site.batches:
        status = batch.status
        if status is not None and status.revoked and status.index is not None:
            found[status.index // 8] |= 0x80 >> (status.index % 8)
    return bytes(found)


def encode(raw: bytes) -> str:
    """The list as `encodedList` says it: gzip (no time in its header, so the bytes repeat), then
    base64url without padding, after multibase's "u"."""
    packed = gzip.compress(raw, compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str, most: int) -> bytes:
    """The bits of an `encodedList`; ValueError for one that is not one, or over `most` bytes."""
    if not encoded.startswith("u"):
        raise ValueError("its encodedList is not multibase base64url (no leading 'u')")
    text = encoded[1:]
    try:
        packed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        unpacking = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # (gzip's header)
        raw = unpacking.decompress(packed, most + 1)
    except (ValueError, zlib.error):
        raise ValueError("its encodedList is not gzip in base64url") from None
    if len(raw) > most:
        raise ValueError(f"its list is longer than {most:,} bytes")
    if not unpacking.eof:
        raise ValueError("its encodedList is not gzip in base64url (cut short)")
    return raw


def is_set(raw: bytes, index: int) -> bool:
    return index // 8 < len(raw) and bool(raw[index // 8] & (0x80 >> (index % 8)))


def status_list(site: Site, issuer: str) -> dict[str, object]:
    """The credential, unsigned. No validity dates: the list is as current as the site."""
    where = list_url(site.config)
    return {
        "@context": [VC_CONTEXT],
        "id": where,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "credentialSubject": {
            "id": f"{where}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(bits(site)),
        },
    }


def render_status_list(site: Site, signer: Signer | None) -> bytes:
    if signer is None:  # (passport.status_list needs passport.sign: validation says so)
        raise ValueError("no signing key: the status list is signed")
    from mfsite.render.passport import to_json
    from mfsite.signing.jws import envelope

    return to_json(envelope(signer.sign(status_list(site, signer.did))))
