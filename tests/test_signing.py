"""Signed passports (issue 22): keys made by `mfsite keygen`, passports signed by the build as
enveloped credentials, the DID document published, and `mfsite verify` as a stranger's check,
with joserfc as an independent JOSE library beside it."""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import re
import shutil
import ssl
import threading
import warnings
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import copy_example, mfsite, tree_bytes, write_site

BASE = "https://shop.example.test/kiez/"
DID = "did:web:shop.example.test:kiez"


def keygen(path: Path) -> str:
    """A new key at `path`; its public key, as keygen tells it."""
    run = mfsite("keygen", "--out", path)
    assert run.code == 0, run.err
    found = re.search(r"public_key: (\S+)", run.out)
    assert found, run.out
    return found.group(1)


def signing(key: Path, public: str, retired: tuple[str, ...] = ()) -> str:
    lines = f"passport:\n  sign: true\n  key: {key}\n  public_key: {public}\n"
    if retired:
        lines += "  retired_keys:\n" + "".join(f"    - {x}\n" for x in retired)
    return lines


def signed_site(target: Path, key: Path, public: str, retired: tuple[str, ...] = ()) -> Path:
    site = copy_example(target)
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + signing(key, public, retired), encoding="utf-8")
    return site


def build(site: Path, *more: str | Path, env: dict[str, str] | None = None):
    return mfsite("build", "--source", site, "--base-url", BASE, *more, env=env)


def verify(output: Path, *more: str):
    return mfsite("verify", "--output", output, *more)


def token(passport: Path) -> str:
    envelope = json.loads(passport.read_text(encoding="utf-8"))
    return envelope["id"].removeprefix("data:application/vc+jwt,")


def part(token_: str, index: int) -> dict:
    text = token_.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The example shop, signed with a key keygen made in a temporary folder: (site, key, its x)."""
    tmp = tmp_path_factory.mktemp("signed")
    key = tmp / "keys" / "signing.key"
    public = keygen(key)
    site = signed_site(tmp / "site", key, public)
    run = build(site)
    assert run.code == 0, run.err
    return site, key, public


def test_keygen_writes_a_private_key_once(tmp_path: Path) -> None:
    key = tmp_path / "deep" / "signing.key"
    run = mfsite("keygen", "--out", key)
    assert run.code == 0, run.err
    assert key.stat().st_mode & 0o777 == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert "sign: true" in run.out and f"key: {key}" in run.out and "MFSITE_SIGNING_KEY" in run.out
    before = key.read_bytes()
    again = mfsite("keygen", "--out", key)
    assert again.code == 2 and "never overwritten" in again.err
    assert key.read_bytes() == before


def test_the_example_signs_and_verifies(signed: tuple[Path, Path, str]) -> None:
    site, _, public = signed
    output = site / "output"
    passports = sorted(output.glob("b/*/passport.json"))
    assert len(passports) == 16
    envelope = json.loads(passports[0].read_text(encoding="utf-8"))
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    assert envelope["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    header = part(token(passports[0]), 0)
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt" and header["cty"] == "vc"
    assert header["kid"].startswith(DID + "#") and not {"iat", "exp", "nbf"} & header.keys()
    credential = part(token(passports[0]), 1)
    assert credential["issuer"]["id"] == DID
    assert credential["id"] == BASE + passports[0].relative_to(output).as_posix()
    document = json.loads((output / "did.json").read_text(encoding="utf-8"))
    assert document["id"] == DID
    assert [m["publicKeyJwk"]["x"] for m in document["verificationMethod"]] == [public]
    assert document["assertionMethod"] == [header["kid"]]
    run = verify(output)
    assert run.code == 0, run.err
    assert "all 16 passports verify" in run.out
    as_json = json.loads(verify(output, "--format", "json").out)
    assert as_json["ok"] and len(as_json["passports"]) == 16


def test_joserfc_verifies_every_passport(signed: tuple[Path, Path, str]) -> None:
    from joserfc import jws
    from joserfc.jwk import OKPKey

    output = signed[0] / "output"
    document = json.loads((output / "did.json").read_text(encoding="utf-8"))
    keys = {m["id"]: OKPKey.import_key(m["publicKeyJwk"]) for m in document["verificationMethod"]}
    for passport in output.glob("b/*/passport.json"):
        compact = token(passport)
        kid = part(compact, 0)["kid"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (RFC 9864 deprecates the name EdDSA, which UNTP asks for)
            found = jws.deserialize_compact(compact, keys[kid], algorithms=["EdDSA"])
        assert json.loads(found.payload)["credentialSubject"]["product"]["batchNumber"]


def copy_output(signed: tuple[Path, Path, str], target: Path) -> Path:
    shutil.copytree(signed[0] / "output", target)
    return target


def test_a_changed_byte_fails_naming_its_batch(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    output = copy_output(signed, tmp_path / "out")
    passport = output / "b/hd-2611-a/passport.json"
    data = bytearray(passport.read_bytes())
    middle = data.index(b".") + 40  # a byte of the signed credential
    data[middle] = ord("A") if data[middle] != ord("A") else ord("B")
    passport.write_bytes(bytes(data))
    run = verify(output)
    assert run.code == 1
    assert "b/hd-2611-a/passport.json" in run.err and "1 of 16 passports do not verify" in run.err
    result = json.loads(verify(output, "--format", "json").out)
    assert [p["path"] for p in result["passports"] if not p["ok"]] == ["b/hd-2611-a/passport.json"]


def test_a_replaced_key_in_the_did_document_fails(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    output = copy_output(signed, tmp_path / "out")
    other = keygen(tmp_path / "other.key")
    document = json.loads((output / "did.json").read_text(encoding="utf-8"))
    document["verificationMethod"][0]["publicKeyJwk"]["x"] = other
    (output / "did.json").write_text(json.dumps(document), encoding="utf-8")
    run = verify(output)
    assert run.code == 1 and "16 of 16 passports do not verify" in run.err
    assert "is not named by its thumbprint" in run.err  # (the key the kid names is not the one listed)


def test_a_passport_copied_over_another_fails(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    output = copy_output(signed, tmp_path / "out")
    shutil.copy(output / "b/hd-2611-a/passport.json", output / "b/tee-2602-a/passport.json")
    run = verify(output)
    assert run.code == 1
    assert "b/tee-2602-a/passport.json (batch HD-2611-A): it is the passport of" in run.err
    assert "1 of 16" in run.err


def test_signing_is_reproducible_and_follows_the_key(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    site, key, public = signed
    again = signed_site(tmp_path / "again", key, public)
    assert build(again).code == 0
    assert tree_bytes(again / "output") == tree_bytes(site / "output")
    # A new key, the old one retired: every passport signed anew, both keys published.
    new_key = tmp_path / "new.key"
    new_public = keygen(new_key)
    config = again / "site.yaml"
    text = config.read_text(encoding="utf-8").replace(
        signing(key, public), signing(new_key, new_public, (public,))
    )
    config.write_text(text, encoding="utf-8")
    assert build(again).code == 0
    output = again / "output"
    document = json.loads((output / "did.json").read_text(encoding="utf-8"))
    assert [m["publicKeyJwk"]["x"] for m in document["verificationMethod"]] == [new_public, public]
    for passport in output.glob("b/*/passport.json"):
        assert new_public and part(token(passport), 0)["kid"] == document["assertionMethod"][0]
    assert verify(output).code == 0


def test_the_key_from_the_environment(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    site, key, public = signed
    plain = copy_example(tmp_path / "site")
    config = plain / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + f"passport:\n  sign: true\n  public_key: {public}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "MFSITE_SIGNING_KEY": key.read_text()}
    assert build(plain, env=env).code == 0
    assert tree_bytes(plain / "output") == tree_bytes(site / "output")


@pytest.mark.parametrize(
    "case",
    ["no key", "inside the site", "readable by others", "not a key", "another public key"],
)
def test_a_build_that_cannot_sign_fails_and_leaves_the_output(tmp_path: Path, case: str) -> None:
    key = tmp_path / "keys" / "signing.key"
    public = keygen(key)
    site = copy_example(tmp_path / "site")
    assert build(site).code == 0  # an earlier, unsigned build: left as it is
    before = tree_bytes(site / "output")
    config = site / "site.yaml"
    named, expected = str(key), ""
    if case == "no key":
        lines, expected = "passport:\n  sign: true\n", "no signing key was found"
    else:
        if case == "inside the site":
            shutil.copy(key, site / "signing.key")
            named, expected = "signing.key", "inside the site folder"
        elif case == "readable by others":
            key.chmod(0o644)
            expected = "can be read by others"
        elif case == "not a key":
            key.write_text("hello")
            expected = "not a signing key"
        elif case == "another public key":
            public = keygen(tmp_path / "other.key")
            expected = "is not the public key of"
        lines = f"passport:\n  sign: true\n  key: {named}\n  public_key: {public}\n"
    config.write_text(config.read_text(encoding="utf-8") + lines, encoding="utf-8")
    run = build(site, env={k: v for k, v in os.environ.items() if k != "MFSITE_SIGNING_KEY"})
    assert run.code == 1
    assert "MF045" in run.err and expected in run.err and "site.yaml:" in run.err
    assert tree_bytes(site / "output") == before


def test_a_published_private_key_fails_the_build(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    _, key, public = signed
    site = signed_site(tmp_path / "site", key, public)
    (site / "static" / "backup.txt").write_text(key.read_text())  # a key that slipped into static/
    run = build(site)
    assert run.code == 1 and "MF045" in run.err and "static/backup.txt" in run.err
    assert "private signing key" in run.err
    assert not (site / "output").exists()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("passport:\n  sign: true\n  public_key: abc\n", "passport.public_key: not an Ed25519 public key"),
        ('passport:\n  retired_keys: ["!!"]\n', "passport.retired_keys[1]: not an Ed25519 public key"),
        ("passport:\n  sign: yes please\n", "passport.sign"),
    ],
)
def test_bad_passport_settings_are_told_where_they_are(tmp_path: Path, settings: str, message: str) -> None:
    site = write_site(tmp_path / "site", {})
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + settings, encoding="utf-8")
    run = mfsite("check", "--source", site)
    assert run.code == 1 and message in run.out, run.out
    assert re.search(r"site\.yaml:\d+:\d+: ", run.out)


def test_signing_needs_a_base_url(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {})
    config = site / "site.yaml"
    text = re.sub(r"(?m)^base_url:.*\n", "", config.read_text(encoding="utf-8"))
    config.write_text(text + "passport:\n  sign: true\n", encoding="utf-8")
    run = mfsite("check", "--source", site)
    assert run.code == 1 and "MF047" in run.out and "base_url" in run.out


def test_signing_needs_an_https_base_url(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {})
    config = site / "site.yaml"
    text = re.sub(
        r"(?m)^base_url:.*\n", "base_url: http://shop.example.test/\n", config.read_text(encoding="utf-8")
    )
    config.write_text(text + "passport:\n  sign: true\n", encoding="utf-8")
    run = mfsite("check", "--source", site)
    assert run.code == 1 and "MF047" in run.out and "https base_url" in run.out


def test_an_escaped_path_and_upper_case_host_verify(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    """did:web names the site in its own spelling (host in lower case, path escapes kept); the
    passports' ids keep base_url's: verify takes them as the same address."""
    _, key, public = signed
    site = signed_site(tmp_path / "site", key, public)
    run = mfsite("build", "--source", site, "--base-url", "https://Shop.Example.TEST/l%C3%A4den/")
    assert run.code == 0, run.err
    document = json.loads((site / "output/did.json").read_text(encoding="utf-8"))
    assert document["id"] == "did:web:shop.example.test:l%C3%A4den"
    assert verify(site / "output").code == 0


def test_the_signer_never_shows_its_key(signed: tuple[Path, Path, str]) -> None:
    from mfsite.engine import check_site
    from mfsite.signing.keys import read_signer

    site, key, _ = signed
    checked = check_site(site, BASE)
    assert checked.site is not None
    signer = read_signer(checked.site.config, site, site / "output")
    shown = repr(signer)
    assert signer.did in shown and all(secret.decode("latin-1") not in shown for secret in signer.secrets)
    assert "PRIVATE" not in shown and key.read_text().splitlines()[1] not in shown


def test_a_root_site_publishes_its_did_document_under_well_known(
    signed: tuple[Path, Path, str], tmp_path: Path
) -> None:
    _, key, public = signed
    site = signed_site(tmp_path / "site", key, public)
    run = mfsite("build", "--source", site, "--base-url", "https://kiez-threads.example/")
    assert run.code == 0, run.err
    output = site / "output"
    document = json.loads((output / ".well-known/did.json").read_text(encoding="utf-8"))
    assert document["id"] == "did:web:kiez-threads.example"
    assert (output / ".nojekyll").is_file() and not (output / "did.json").exists()
    assert verify(output).code == 0


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and its key, as PEM files: a live site over https."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@contextlib.contextmanager
def live_site(folder: Path, tmp_path: Path) -> Iterator[tuple[ThreadingHTTPServer, dict[str, str]]]:
    """`folder` served over https on localhost with a certificate of its own: the server, and the
    environment in which mfsite trusts it."""
    cert, cert_key = self_signed(tmp_path)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    server = ThreadingHTTPServer(("localhost", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, cert_key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server, {**os.environ, "SSL_CERT_FILE": str(cert)}
    finally:
        server.shutdown()
        server.server_close()


def test_verify_online_reads_the_live_did_document(signed: tuple[Path, Path, str], tmp_path: Path) -> None:
    """--online fetches the DID document where did:web says (https, here a local server with a
    certificate of its own): the live one, not the output's."""
    _, key, public = signed
    live = tmp_path / "live"
    with live_site(live, tmp_path) as (server, env):
        site = signed_site(tmp_path / "site", key, public)
        base = f"https://localhost:{server.server_address[1]}/kiez/"
        assert mfsite("build", "--source", site, "--base-url", base).code == 0
        output = site / "output"
        shutil.copytree(output, live / "kiez")  # published
        run = mfsite("verify", "--output", output, "--online", env=env)
        assert run.code == 0, run.err
        # The live document with another key: the output's copy no longer counts.
        other = keygen(tmp_path / "other.key")
        document = json.loads((live / "kiez/did.json").read_text(encoding="utf-8"))
        document["verificationMethod"][0]["publicKeyJwk"]["x"] = other
        (live / "kiez/did.json").write_text(json.dumps(document), encoding="utf-8")
        assert verify(output).code == 0
        run = mfsite("verify", "--output", output, "--online", env=env)
        assert run.code == 1 and "16 of 16 passports do not verify" in run.err
        # No live site at all: said, per passport, never a traceback.
        server.shutdown()
        server.server_close()
        run = mfsite("verify", "--output", output, "--online", "--format", "json", env=env)
        assert run.code == 1
        problems = json.loads(run.out)["passports"][0]["problems"]
        assert problems and problems[0].startswith("no DID document for did:web:localhost%3A")


def test_an_unsigned_site_does_not_verify(example_build: Path) -> None:
    run = verify(example_build)
    assert run.code == 1 and "not signed" in run.err and "16 of 16" in run.err


def test_did_web_follows_the_base_url() -> None:
    from mfsite.signing.jws import thumbprint
    from mfsite.urls import did_base, did_route, did_url, did_web

    assert did_web("https://kiez-threads.example/shop/") == "did:web:kiez-threads.example:shop"
    assert did_web("https://kiez-threads.example/") == "did:web:kiez-threads.example"
    assert did_web("https://localhost:8443/a/b/") == "did:web:localhost%3A8443:a:b"
    assert did_url("did:web:localhost%3A8443:a:b") == "https://localhost:8443/a/b/did.json"
    assert did_url("did:web:kiez-threads.example") == "https://kiez-threads.example/.well-known/did.json"
    assert did_base("did:web:kiez-threads.example:shop") == "https://kiez-threads.example/shop/"
    assert did_route("https://kiez-threads.example/") == ".well-known/did.json"
    # RFC 8037's example key and its RFC 7638 thumbprint
    assert (
        thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
        == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    )
