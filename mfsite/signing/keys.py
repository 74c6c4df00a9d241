"""The signing key, handled like an SSH key: made by `mfsite keygen` with mode 0600, never over
another; read by a build from MFSITE_SIGNING_KEY (CI's secret) or from `passport.key`, and
refused where it could leak (inside the site or the output, or readable by others)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from mfsite.model import SiteConfig
from mfsite.signing import Signer, b64url, public_x
from mfsite.urls import did_web

ENV = "MFSITE_SIGNING_KEY"
DEFAULT_KEY_FILE = Path("~/.config/mfsite/signing.key")


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
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
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
    return Signer(found.key, did_web(config.base_url), found.status, secrets(found.key))


def secrets(key: Ed25519PrivateKey) -> tuple[bytes, ...]:
    """What of the key must never appear in a published file: its PEM body (each line of it, a
    copy may be wrapped otherwise) and its raw bytes, as they are and base64url (a JWK's `d`)."""
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    body = b"".join(line for line in pem.splitlines() if line and not line.startswith(b"-----"))
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return body, raw, b64url(raw).encode("ascii")


def key_status(named: str | None, site: Path) -> str:
    """What changes when the key does, without reading it: the variable's digest, or the file's
    path and status. A build that finds its sources unchanged compares this with its record's."""
    if text := os.environ.get(ENV, "").strip():
        return "env " + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    if not named:
        return ""
    path = key_path(named, site)
    try:
        stat = path.stat()
    except OSError:
        return f"{path} gone"
    return f"{path} {stat.st_mtime_ns} {stat.st_size} {stat.st_ino} {stat.st_mode}"


def key_path(named: str, site: Path) -> Path:
    return (site / Path(named).expanduser()).resolve()


def read_key(named: str | None, site: Path, output: Path) -> Found:
    """The key: MFSITE_SIGNING_KEY's PEM where set, else the file `named` (`passport.key`, `~`
    expanded, relative to the site). Raises KeyProblem, saying what to do."""
    status = key_status(named, site)
    if text := os.environ.get(ENV, "").strip():
        return Found(_parsed(text.encode(), f"${ENV}"), f"${ENV}", status)
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
    return Found(_parsed(data, named), named, status)


def _parsed(data: bytes, origin: str) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        why = "it is protected by a passphrase" if "encrypted" in str(exc).lower() else "it is not a PEM key"
        raise KeyProblem(
            f"{origin}: not a signing key mfsite can use ({why}); make one with mfsite keygen"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{origin}: not an Ed25519 key; make one with mfsite keygen")
    return key
