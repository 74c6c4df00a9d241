"""The signing key, handled like an SSH key: made by `mfsite keygen` with mode 0600, never over
another; read by a build from MFSITE_SIGNING_KEY (CI's secret) or from `passport.key`, and
refused where it could leak (inside the site or the output, or readable by others)."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from mfsite.model import SiteConfig
from mfsite.signing.jws import Signer, b64url, public_x, thumbprint
from mfsite.signing.status import DEFAULT_KEY_FILE, ENV, key_path, key_status
from mfsite.urls import did_web


class KeyProblem(Exception):
    """Why no key can be used; said to the user as it is."""


@dataclass(frozen=True, slots=True)
class Found:
    key: Ed25519PrivateKey
    origin: str  # where it came from, for messages: $MFSITE_SIGNING_KEY, or the file as named
    status: str  # key_status when it was read


def new_key_file(path: Path) -> Ed25519PrivateKey:
    """Write a new key to `path` (PEM, mode 0600); FileExistsError where something is there."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
    except OSError:
        path.unlink(missing_ok=True)  # (no half-written key left to block the next keygen)
        raise
    return key


def read_signer(config: SiteConfig, site: Path, output: Path) -> Signer:
    """The signer of this site's passports; KeyProblem where there is no key it may use, or the
    key is not the one site.yaml's public_key names."""
    found = read_key(config.passport.key, site, output)
    x = public_x(found.key.public_key())
    named = config.passport.public_key
    if named and named != x:
        raise KeyProblem(
            f"passport.public_key: {named} is not the public key of the signing key from {found.origin} "
            f"(that is {x}): a wrong key, or a new one whose public_key site.yaml should name (the old "
            "one then goes to passport.retired_keys)"
        )
    assert config.base_url is not None  # (validation: signing needs base_url)
    did = did_web(config.base_url)
    return Signer(found.key, did, f"{did}#{thumbprint(x)}", x, found.status, secrets(found.key))


def secrets(key: Ed25519PrivateKey) -> tuple[bytes, ...]:
    """What of the key must never appear in a published file: its PEM body (the base64 of the
    key as keygen writes it, on one line of 64 letters) and its 32 raw bytes, as they are, as
    base64url (a JWK's `d`), base64 and hex. A copy in another encoding is not recognised."""
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    body = b"".join(line for line in pem.splitlines() if line and not line.startswith(b"-----"))
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    encoded = (b64url(raw), base64.b64encode(raw).decode("ascii").rstrip("="), raw.hex(), raw.hex().upper())
    return (body, raw, *(text.encode("ascii") for text in encoded))


def read_key(named: str | None, site: Path, output: Path) -> Found:
    """The key: MFSITE_SIGNING_KEY's PEM where set, else the file `named` (`passport.key`, `~`
    expanded, relative to the site). Raises KeyProblem, saying what to do."""
    status = key_status(named, site)
    if text := os.environ.get(ENV, "").strip():
        return Found(parsed_key(text.encode(), f"${ENV}"), f"${ENV}", status)
    if not named:
        raise KeyProblem(
            f"passport.sign is on, but no signing key was found: set {ENV} (in CI, a secret) or "
            "passport.key in site.yaml to the file `mfsite keygen` wrote"
        )
    path = key_path(named, site)
    for folder, what in ((site.resolve(), "site"), (output.resolve(), "output")):
        if path.is_relative_to(folder):
            raise KeyProblem(
                f"passport.key: {named} is inside the {what} folder, where it could be published or "
                f"committed; move it out (the usual place is {DEFAULT_KEY_FILE})"
            )
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise KeyProblem(f"passport.key: cannot read {named}: {exc.strerror}") from None
    if mode & 0o077:
        raise KeyProblem(
            f"passport.key: {named} can be read by others (mode {mode & 0o777:o}); "
            f"make it private: chmod 600 {named}"
        )
    return Found(parsed_key(data, named), named, status)


def parsed_key(data: bytes, origin: str) -> Ed25519PrivateKey:
    """The PEM key; KeyProblem, saying why, where it is none mfsite can use."""
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        why = "it is protected by a passphrase" if "encrypted" in str(exc).lower() else "it is not a PEM key"
        raise KeyProblem(
            f"{origin}: not a signing key mfsite can use ({why}); make one with mfsite keygen"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{origin}: not an Ed25519 key; make one with mfsite keygen")
    return key
