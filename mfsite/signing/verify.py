"""`mfsite verify`: every passport of a built output, checked as a stranger would check it.

For each `b/<id>/passport.json`: the envelope's shape, the JWS header, the issuer against the
`kid`, the key in the issuer's DID document (the one in the output, or with `online` the one the
live site serves), the signature, that the passport is the one for its place (its `id` is its own
address: a passport copied over another batch's fails), and its validity dates. Where the
passport names its bit in the issuer's status list (`credentialStatus`), the list is read (from
the output, or the live site), checked the same way, and a set bit reports the passport revoked:
it still verifies (the shop did sign it), and the report says so.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature

from mfsite.publish import inside
from mfsite.render.status import PURPOSE, decode, is_set
from mfsite.signing.jws import ENVELOPE_PREFIX, HEADER, VC_CONTEXT, public_key, thumbprint, unb64url
from mfsite.urls import did_base, did_route, did_url, same_url
from mfsite.validate import STATUS_LIST_MAX

FETCH_TIMEOUT = 15  # seconds, for the live DID document
MAX_DOCUMENT = 1_000_000  # bytes: a DID document lists a few keys, a status list is a few KB


@dataclass(slots=True)
class Checked:
    path: str  # in the output
    batch: str = ""  # its batchNumber, where it could be read
    problems: list[str] = field(default_factory=list)
    revoked: bool = False  # its bit in the issuer's status list is set

    @property
    def ok(self) -> bool:
        return not self.problems


class Documents:
    """The DID documents and status lists passports name, each read (or fetched) once."""

    def __init__(self, output: Path, online: bool) -> None:
        self.output = output
        self.online = online
        self.found: dict[str, dict[str, object] | str] = {}  # did -> document, or why there is none
        self.lists: dict[tuple[str, str], bytes | str] = {}  # (list URL, issuer) -> its bits, or why none

    def of(self, did: str) -> dict[str, object]:
        """The document, or ValueError saying why there is none."""
        if did not in self.found:
            self.found[did] = self._read(did)
        found = self.found[did]
        if isinstance(found, str):
            raise ValueError(found)
        return found

    def _read(self, did: str) -> dict[str, object] | str:
        where = did_url(did) if self.online else did_route(did_base(did))
        try:
            data = self.read(where)
        except (OSError, urllib.error.URLError, http.client.HTTPException, ValueError) as exc:
            return f"no DID document for {did}: cannot read {where} ({_reason(exc)})"
        try:
            document = json.loads(data)
        except (ValueError, RecursionError):
            return f"the DID document at {where} is not JSON"
        if not isinstance(document, dict) or document.get("id") != did:
            return f"the DID document at {where} is not {did}'s"
        return document

    def read(self, where: str) -> bytes:
        """A file of the site: fetched over https (`online`), else read from the output (`where`
        a path in it); ValueError for one over MAX_DOCUMENT bytes."""
        if self.online:
            with urllib.request.urlopen(where, timeout=FETCH_TIMEOUT) as response:  # (https: did:web's)
                if not response.geturl().startswith("https://"):
                    raise ValueError(f"redirected to {response.geturl()}, not https")
                data = response.read(MAX_DOCUMENT + 1)
        else:
            data = (self.output / where).read_bytes()
        if len(data) > MAX_DOCUMENT:
            raise ValueError(f"larger than {MAX_DOCUMENT // 1000} KB")
        return data

    def status_bits(self, url: str, issuer: str) -> bytes:
        """The bits of the issuer's status list at `url`, checked as a passport is; each list read
        once. ValueError says why there are none."""
        if (url, issuer) not in self.lists:
            try:
                self.lists[url, issuer] = self._status_list(url, issuer)
            except ValueError as exc:
                self.lists[url, issuer] = f"its status list {url}: {exc}"
        found = self.lists[url, issuer]
        if isinstance(found, str):
            raise ValueError(found)
        return found

    def _status_list(self, url: str, issuer: str) -> bytes:
        base = did_base(issuer)
        if not url.startswith(base) or not inside(url.removeprefix(base)):
            raise ValueError(f"is not on its issuer's site ({base})")
        try:
            data = self.read(url if self.online else url.removeprefix(base))
        except (OSError, urllib.error.URLError, http.client.HTTPException) as exc:
            raise ValueError(f"cannot be read ({_reason(exc)})") from None
        credential, signed_by = _signed(_token(data), self)
        subject = credential.get("credentialSubject")
        if signed_by != issuer:
            raise ValueError(f"is signed by {signed_by}, not by the passport's issuer {issuer}")
        kind = "BitstringStatusListCredential"
        if credential.get("id") != url or kind not in _list(credential.get("type")):
            raise ValueError("is not a BitstringStatusListCredential of that address")
        if not isinstance(subject, dict) or subject.get("statusPurpose") != PURPOSE:
            raise ValueError(f"is not a list for {PURPOSE}")
        return decode(str(subject.get("encodedList", "")), STATUS_LIST_MAX // 8)


def verify_output(output: Path, online: bool = False, now: datetime | None = None) -> list[Checked]:
    """Every passport of the output, checked; an empty list where there is none."""
    documents = Documents(output, online)
    moment = now or datetime.now(UTC)
    found = []
    for path in sorted(output.glob("b/*/passport.json")):
        rel = path.relative_to(output).as_posix()
        checked = Checked(rel)
        try:
            _check(path.read_bytes(), rel, documents, moment, checked)
        except (OSError, ValueError) as exc:
            checked.problems.append(_reason(exc))
        found.append(checked)
    return found


def _check(data: bytes, rel: str, documents: Documents, now: datetime, checked: Checked) -> None:
    """Fills `checked` in; raises ValueError at the first problem that ends the check."""
    parts = _token(data)
    subject = _json_object(unb64url(parts[1]), "the credential").get("credentialSubject")
    product = subject.get("product") if isinstance(subject, dict) else None
    checked.batch = str(product.get("batchNumber", "")) if isinstance(product, dict) else ""
    credential, issuer_id = _signed(parts, documents)
    own = did_base(issuer_id) + rel
    if not isinstance(credential.get("id"), str) or not same_url(str(credential.get("id")), own):
        raise ValueError(f"it is the passport of {credential.get('id')}, not of {own}")
    _check_dates(credential, now, checked)
    status = credential.get("credentialStatus")
    if status is not None:
        checked.revoked = _revoked(status, issuer_id, documents)


def _revoked(status: object, issuer: str, documents: Documents) -> bool:
    """Whether the passport's bit in its status list is set; ValueError where it cannot be told."""
    entries = [e for e in _list(status) if isinstance(e, dict) and e.get("statusPurpose") == PURPOSE]
    if not entries:
        return False  # (a status of another purpose, or kind, is not mfsite's to judge)
    entry = entries[0]
    index = entry.get("statusListIndex")
    if entry.get("type") != "BitstringStatusListEntry" or not (isinstance(index, str) and index.isdigit()):
        raise ValueError(f"its credentialStatus is not a BitstringStatusListEntry with an index: {entry}")
    bits = documents.status_bits(str(entry.get("statusListCredential")), issuer)
    if int(index) >= 8 * len(bits):
        raise ValueError(f"its statusListIndex {index} is beyond its status list's {8 * len(bits):,} bits")
    return is_set(bits, int(index))


def _token(data: bytes) -> list[str]:
    """The three parts of the JWS an enveloped credential carries, not yet checked."""
    envelope = _json_object(data, "the file")
    if envelope.get("type") != "EnvelopedVerifiableCredential" or VC_CONTEXT not in _list(
        envelope.get("@context")
    ):
        raise ValueError("not signed: not an enveloped Verifiable Credential (is passport.sign on?)")
    token = envelope.get("id")
    if not isinstance(token, str) or not token.startswith(ENVELOPE_PREFIX):
        raise ValueError(f"its id is not a {ENVELOPE_PREFIX}… token")
    parts = token.removeprefix(ENVELOPE_PREFIX).split(".")
    if len(parts) != 3:
        raise ValueError("its token is not a compact JWS (three parts)")
    return parts


def _signed(parts: list[str], documents: Documents) -> tuple[dict[str, object], str]:
    """The credential of a JWS whose signature is its issuer's, and that issuer."""
    header = _json_object(unb64url(parts[0]), "the JWS header")
    credential = _json_object(unb64url(parts[1]), "the credential")
    wrong = {name: header.get(name) for name, value in HEADER.items() if header.get(name) != value}
    if wrong:
        raise ValueError(f"its JWS header says {wrong}, not {HEADER}")
    kid = header.get("kid")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str) or not issuer_id.startswith("did:web:"):
        raise ValueError(f"its issuer {issuer_id!r} is not a did:web")
    if not isinstance(kid, str) or kid.partition("#")[0] != issuer_id or not kid.partition("#")[2]:
        raise ValueError(f"its key {kid!r} is not one of its issuer's ({issuer_id}#…)")
    key = _key(documents.of(issuer_id), kid)
    try:
        key.verify(unb64url(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature:
        raise ValueError(f"the signature does not match (it was changed, or not signed by {kid})") from None
    return credential, issuer_id


def _key(document: dict[str, object], kid: str):
    methods = [
        m for m in _list(document.get("verificationMethod")) if isinstance(m, dict) and m.get("id") == kid
    ]
    if not methods:
        raise ValueError(f"the issuer's DID document does not list the key {kid}")
    if kid not in _list(document.get("assertionMethod")):
        raise ValueError(
            f"the issuer's DID document does not allow {kid} to sign credentials (assertionMethod)"
        )
    jwk = methods[0].get("publicKeyJwk")
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError(f"the key {kid} is not an Ed25519 JSON Web Key")
    if kid.partition("#")[2] != thumbprint(str(jwk.get("x", ""))):
        raise ValueError(f"the key {kid} is not named by its thumbprint (RFC 7638)")
    return public_key(str(jwk.get("x", "")))


def _check_dates(credential: dict[str, object], now: datetime, checked: Checked) -> None:
    for name, ok, what in (
        ("validFrom", lambda t: t <= now, "not valid before"),
        ("validUntil", lambda t: t >= now, "expired on"),
    ):
        value = credential.get(name)
        if value is None:
            continue
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            checked.problems.append(f"its {name} is not a date and time: {value!r}")
            continue
        if moment.tzinfo is None:
            checked.problems.append(f"its {name} has no time zone: {value!r}")
        elif not ok(moment):
            checked.problems.append(f"{what} {value}")


def _json_object(data: bytes, what: str) -> dict[str, object]:
    try:
        found = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValueError(f"{what} is not JSON") from None
    if not isinstance(found, dict):
        raise ValueError(f"{what} is not a JSON object")
    return found


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return str(exc.reason)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
