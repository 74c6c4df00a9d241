"""A passport as a compact JWS inside an enveloped Verifiable Credential, as UNTP asks
(VC-JOSE-COSE, EdDSA), and the issuer's DID document.

Plain data in and out; no file is read here (keys.py reads the key, verify.py the output; the
did:web addresses are in urls.py).
Ed25519 signatures are deterministic, so the same passport and key give the same bytes on
every build. The header carries no time: the output stays reproducible.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from mfsite import codes
from mfsite.diagnostics import Diagnostic, SiteErrors, Span

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://www.w3.org/ns/cid/v1"]  # (cid: JsonWebKey)
ENVELOPE_PREFIX = "data:application/vc+jwt,"
HEADER = {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc"}  # and the key's id (kid)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Base64url without padding, strictly: raises ValueError on anything else."""
    if not text or any(c not in _B64URL for c in text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def canonical(data: object) -> bytes:
    """JSON as signed: compact, keys in their order, UTF-8."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def public_x(key: Ed25519PublicKey) -> str:
    """The public key as JWK's `x`: its 32 bytes, base64url (what site.yaml names keys by)."""
    return b64url(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def public_key(x: str) -> Ed25519PublicKey:
    """The key a JWK `x` names; ValueError where it is not 32 bytes of base64url."""
    raw = unb64url(x)
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def jwk(x: str) -> dict[str, str]:
    return {"kty": "OKP", "crv": "Ed25519", "x": x}


def thumbprint(x: str) -> str:
    """RFC 7638: SHA-256 of the key's required members, sorted, without spaces."""
    members = json.dumps(jwk(x), sort_keys=True, separators=(",", ":")).encode("ascii")
    return b64url(hashlib.sha256(members).digest())


def did_document(did: str, current: str, retired: tuple[str, ...] = ()) -> dict[str, object]:
    """The issuer's keys, current first, each a JsonWebKey method the passports may name."""
    keys = [current, *(x for x in dict.fromkeys(retired) if x != current)]
    methods = [
        {"id": f"{did}#{thumbprint(x)}", "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk(x)}
        for x in keys
    ]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


@dataclass(frozen=True, slots=True)
class Signer:
    """The site's signing key, as the build holds it: in memory, never written anywhere (nor
    shown by repr)."""

    key: Ed25519PrivateKey = field(repr=False)
    did: str
    kid: str  # the key's id: the DID, and the RFC 7638 thumbprint of its public key
    x: str  # the public key, as JWK's x
    status: str = ""  # what changes with the key (signing.status.key_status)
    secrets: tuple[bytes, ...] = field(default=(), repr=False)  # what no published file may hold

    def sign(self, credential: dict[str, object]) -> str:
        """The credential as a compact JWS."""
        header = b64url(canonical({**HEADER, "kid": self.kid}))
        payload = b64url(canonical(credential))
        signed = f"{header}.{payload}"
        return f"{signed}.{b64url(self.key.sign(signed.encode('ascii')))}"

    def refuse_leaks(self, data: bytes, where: str) -> None:
        """Raise SiteErrors where a file about to be published holds the private key."""
        if any(secret in data for secret in self.secrets):
            message = (
                "holds the private signing key, and would publish it: remove it (and, since it may "
                "have been seen, make a new key with mfsite keygen and retire this one)"
            )
            raise SiteErrors([Diagnostic(Span(where), codes.SIGNING_KEY, message)])


def envelope(token: str) -> dict[str, object]:
    """The enveloped credential that stands for the JWS (its `type` a plain string, as UNTP's tools
    compare it)."""
    return {"@context": [VC_CONTEXT], "type": "EnvelopedVerifiableCredential", "id": ENVELOPE_PREFIX + token}
