"""Recalls without a server: a batch marked `passport_status: revoked` sets its passport's bit in
the site's signed Bitstring Status List, its page says so, and `mfsite verify` reports it; every
mistake in the status fields is a positioned error that writes nothing."""

from __future__ import annotations

import base64
import gzip
import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
from conftest import MINI_SITE, mfsite, tree_bytes, write_site
from test_passport import SCHEMA, safe_mode_problems
from test_signing import keygen, live_site, part, signing, token

from mfsite.render.status import MIN_BITS, decode, encode, is_set

LIST = "status/revocation.json"
BASE = "https://mini.example/shop/"
REASON = (
    "status_reason:\n"
    "  en: The zip pull fails our 5 kg test. Bring it back for a replacement.\n"
    "  de: Der Reißverschluss hält unseren 5-kg-Test nicht aus. Bring ihn zurück.\n"
)


def settings(key: Path, public: str, status_list: bool = True, sign: bool = True) -> str:
    lines = signing(key, public).replace("sign: true", f"sign: {str(sign).lower()}")
    return lines + ("  status_list: true\n" if status_list else "")


def batch(number: int, extra: str = "") -> str:
    """A batch of the mini site, with its own product name and whatever `extra` says."""
    text = textwrap.dedent(MINI_SITE["batches/tee-1.yaml"]).replace("product: Tee", f"product: Tee {number}")
    return text + textwrap.dedent(extra)


def status_site(root: Path, key: Path, public: str, batches: dict[str, str], **more: bool) -> Path:
    config = textwrap.dedent(MINI_SITE["site.yaml"]) + "languages: [en, de]\n" + settings(key, public, **more)
    return write_site(root, {"site.yaml": config, "batches/tee-1.yaml": None, **batches})


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("keys") / "signing.key"
    return path, keygen(path)


def credential(path: Path) -> dict:
    return part(token(path), 1)


def bits_of(output: Path) -> bytes:
    subject = credential(output / LIST)["credentialSubject"]
    return decode(subject["encodedList"], 1 << 21)


# -- the list's encoding


def test_the_list_is_gzip_base64url_multibase_with_bit_zero_first() -> None:
    raw = bytearray(MIN_BITS // 8)
    raw[0], raw[2] = 0x80, 0x01  # bits 0 and 23
    encoded = encode(bytes(raw))
    assert encoded.startswith("u") and "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert decode(encoded, MIN_BITS // 8) == bytes(raw)
    assert [i for i in range(64) if is_set(bytes(raw), i)] == [0, 23]
    assert not is_set(bytes(raw), MIN_BITS + 5)  # beyond the list: not revoked
    assert encode(bytes(raw)) == encoded  # no time in the gzip header: the same bytes each build


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("H4sIAAAA", "not multibase"),
        ("u!!!!", "not gzip in base64url"),
        ("u" + "QUJD", "not gzip in base64url"),
        (encode(bytes(3_000_000)), "longer than 2,097,152 bytes"),  # a bomb: 3 MB of zeros
    ],
)
def test_a_list_that_is_not_one_is_refused(encoded: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decode(encoded, 1 << 21)


# -- a recall, end to end


def test_a_revoked_batch_is_in_the_signed_list_on_its_page_and_in_verify(
    tmp_path: Path, key: tuple[Path, str]
) -> None:
    site = status_site(
        tmp_path / "site",
        *key,
        {
            "batches/tee-1.yaml": batch(1, "status_index: 0\n"),
            "batches/tee-2.yaml": batch(2, "status_index: 7\npassport_status: revoked\n" + REASON),
            "batches/tee-3.yaml": batch(3, "status_index: 9\npassport_status: active\n"),
        },
    )
    output = site / "output"
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    # each passport names its own bit, in the schema's shape
    status_schema = {"$defs": SCHEMA["$defs"], **SCHEMA["properties"]["credentialStatus"]}
    for number, index in ((1, 0), (2, 7), (3, 9)):
        entry = credential(output / f"b/tee-{number}/passport.json")["credentialStatus"]
        assert entry == {
            "id": f"{BASE}{LIST}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": BASE + LIST,
        }
        jsonschema.validate(entry, status_schema)
    # and the terms are the VC context's: the passport still expands in JSON-LD safe mode
    passport = credential(output / "b/tee-2/passport.json")
    passport["issuer"]["id"] = BASE  # (did:web is an IRI too; the unsigned passports name the site)
    assert safe_mode_problems(passport) == []
    # the list: signed by the same issuer, at least 131,072 bits, only tee-2's bit set
    listed = credential(output / LIST)
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"] == "did:web:mini.example:shop"
    assert listed["credentialSubject"]["statusPurpose"] == "revocation"
    bits = bits_of(output)
    assert len(bits) * 8 == MIN_BITS
    assert [i for i in range(64) if is_set(bits, i)] == [7]
    # the page says it, in each language, with the shop's reason
    page = (output / "b/tee-2/index.html").read_text(encoding="utf-8")
    assert "This batch's digital product passport has been revoked." in page
    assert "The zip pull fails our 5 kg test." in page
    german = (output / "de/b/tee-2/index.html").read_text(encoding="utf-8")
    assert "Der digitale Produktpass dieser Charge wurde widerrufen." in german
    assert "Der Reißverschluss hält" in german
    assert 'class="revoked"' not in (output / "b/tee-1/index.html").read_text(encoding="utf-8")
    # verify: every passport verifies, the revoked one is said, and the exit is 0
    run = mfsite("verify", "--output", output)
    assert run.code == 0, run.err
    assert "b/tee-2/passport.json (batch tee-2): revoked by its issuer" in run.out
    assert "all 3 passports verify against the DID document in the output; 1 of them revoked" in run.out
    report = json.loads(mfsite("verify", "--output", output, "--format", "json").out)
    assert {p["batch"]: p["revoked"] for p in report["passports"]} == {
        "tee-1": False,
        "tee-2": True,
        "tee-3": False,
    }
    # the recall taken back: the bit is cleared, and the rebuild equals a clean build
    write_site(site, {"batches/tee-2.yaml": batch(2, "status_index: 7\n")}, base={})
    assert mfsite("build", "--source", site).code == 0
    assert not any(bits_of(output))
    assert 'class="revoked"' not in (output / "b/tee-2/index.html").read_text(encoding="utf-8")
    rebuilt = tree_bytes(output)
    assert mfsite("build", "--source", site, "--clean").code == 0
    assert tree_bytes(output) == rebuilt


def test_verify_fails_on_a_list_changed_or_missing(tmp_path: Path, key: tuple[Path, str]) -> None:
    site = status_site(tmp_path / "site", *key, {"batches/tee-1.yaml": batch(1, "status_index: 3\n")})
    output = site / "output"
    assert mfsite("build", "--source", site).code == 0
    listed = output / LIST
    envelope = json.loads(listed.read_text(encoding="utf-8"))
    envelope["id"] = envelope["id"][:-4] + ("AAAA" if not envelope["id"].endswith("AAAA") else "BBBB")
    listed.write_text(json.dumps(envelope), encoding="utf-8")
    run = mfsite("verify", "--output", output)
    assert run.code == 1
    assert (
        f"b/tee-1/passport.json (batch tee-1): its status list {BASE}{LIST}: the signature does not match"
        in run.err
    )
    assert "1 of 1 passports do not verify" in run.err
    listed.unlink()
    run = mfsite("verify", "--output", output)
    assert run.code == 1
    assert f"its status list {BASE}{LIST}: cannot be read" in run.err
    assert "Traceback" not in run.err


def test_a_list_signed_with_gzip_from_elsewhere_decodes(tmp_path: Path) -> None:
    """Any gzip of the bits is a list (another issuer's tool may set a time in the header)."""
    raw = bytearray(MIN_BITS // 8)
    raw[1] = 0x40  # bit 9
    packed = gzip.compress(bytes(raw), mtime=1_700_000_000)
    encoded = "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()
    assert is_set(decode(encoded, MIN_BITS // 8), 9)


# -- mistakes, each said where it is, nothing written


def unsigned(root: Path, key: tuple[Path, str], batches: dict[str, str], **more: bool) -> Path:
    return status_site(root, *key, batches, **more)


@pytest.mark.parametrize(
    ("batches", "more", "expected"),
    [
        (
            {"batches/tee-1.yaml": batch(1, "status_index: 4\n"), "batches/tee-2.yaml": batch(2)},
            {},
            [
                "batches/tee-2.yaml:1:1: error: status_index: missing: with passport.status_list, "
                "each batch names "
                "its own bit in the list, for good: add `status_index: 5` (`mfsite new batch` writes "
                "it) [MF048]"
            ],
        ),
        (
            {
                "batches/tee-1.yaml": batch(1, "status_index: 4\n"),
                "batches/tee-2.yaml": batch(2, "status_index: 4\n"),
            },
            {},
            [
                "batches/tee-2.yaml:16:15: error: status_index: 4 is already batches/tee-1.yaml's: a "
                "bit is one "
                "batch's, for good (the next free index is 5) [MF048]"
            ],
        ),
        (
            {"batches/tee-1.yaml": batch(1, "status_index: 16777216\n")},
            {},
            [
                "batches/tee-1.yaml:16:15: error: status_index: 16777216 is beyond the list's "
                "16,777,216 bits; "
                "use a lower one [MF048]"
            ],
        ),
        (
            {"batches/tee-1.yaml": batch(1, "status_index: -1\n")},
            {},
            ["batches/tee-1.yaml:16:15: error: status_index: -1 cannot be negative [MF014]"],
        ),
        (
            {"batches/tee-1.yaml": batch(1, "status_index: 0\npassport_status: revoked\n")},
            {},
            [
                "batches/tee-1.yaml:17:18: error: passport_status: revoked: say why in status_reason (the "
                "batch's page shows it to customers) [MF049]"
            ],
        ),
        (
            {"batches/tee-1.yaml": batch(1, "status_index: 0\nstatus_reason: Broken zip\n")},
            {},
            [
                "batches/tee-1.yaml:17:16: error: status_reason: is for a revoked passport: add "
                "passport_status: "
                "revoked, or remove it [MF049]"
            ],
        ),
        (
            {"batches/tee-1.yaml": batch(1, "passport_status: revoked\nstatus_reason: Broken zip\n")},
            {"status_list": False},
            [
                "batches/tee-1.yaml:16:18: error: passport_status: revoked needs the status list "
                "that tells it to "
                "those who hold the passport: set passport.status_list: true (and sign) in site.yaml [MF049]"
            ],
        ),
        (
            {"batches/tee-1.yaml": batch(1, "status_index: 0\n")},
            {"sign": False},
            [
                "site.yaml:11:16: error: passport.status_list: the list is a signed credential: set "
                "passport.sign: true as well [MF049]"
            ],
        ),
        (
            {"batches/tee-1.yaml": batch(1, "status_index: 0\npassport_status: recalled\n")},
            {},
            [
                "batches/tee-1.yaml:17:18: error: passport_status: 'recalled' is not allowed; use "
                "one of active, revoked [MF013]"
            ],
        ),
    ],
    ids=[
        "missing",
        "taken",
        "too-high",
        "negative",
        "no-reason",
        "reason-alone",
        "no-list",
        "unsigned",
        "unknown",
    ],
)
def test_status_mistakes_are_positioned_errors(
    tmp_path: Path, key: tuple[Path, str], batches: dict[str, str], more: dict[str, bool], expected: list[str]
) -> None:
    site = unsigned(tmp_path / "site", key, batches, **more)
    sources = tree_bytes(site)
    cache = ".mfsite-cache/"  # (a check keeps what it read, for the next build)
    check = mfsite("check", "--source", site)
    assert check.code == 1
    errors = [line for line in check.out.splitlines() if ": error: " in line]
    assert errors == expected
    run = mfsite("build", "--source", site)
    assert run.code == 1 and "Traceback" not in run.err
    assert not (site / "output").exists()
    after = {path: data for path, data in tree_bytes(site).items() if not path.startswith(cache)}
    assert after == sources  # nothing the manager wrote was touched


def test_new_batch_writes_the_next_index_and_a_copy_leaves_the_status_behind(
    tmp_path: Path, key: tuple[Path, str]
) -> None:
    site = status_site(
        tmp_path / "site",
        *key,
        {"batches/tee-2.yaml": batch(2, "status_index: 11\npassport_status: revoked\n" + REASON)},
    )
    assert mfsite("new", "batch", "tee-3", "--source", site).code == 0
    assert (
        (site / "batches/tee-3.yaml")
        .read_text(encoding="utf-8")
        .endswith("status_index: 12  # its bit in the status list: never change it\n")
    )
    assert mfsite("new", "batch", "tee-4", "--from", "tee-2", "--source", site).code == 0
    copied = (site / "batches/tee-4.yaml").read_text(encoding="utf-8")
    assert "revoked" not in copied and "status_reason" not in copied and "Reißverschluss" not in copied
    assert copied.endswith("status_index: 13  # its bit in the status list: never change it\n")
    assert "product: Tee 2" in copied
    run = mfsite("check", "--source", site)
    assert run.code == 0, run.err


def test_verify_online_reads_the_live_status_list(tmp_path: Path, key: tuple[Path, str]) -> None:
    """--online reads the list the live site serves: a recall published there is reported for a
    passport whose output copy knows nothing of it."""
    live = tmp_path / "live"
    with live_site(live, tmp_path) as (server, env):
        base = f"https://localhost:{server.server_address[1]}/shop/"
        site = status_site(tmp_path / "site", *key, {"batches/tee-1.yaml": batch(1, "status_index: 2\n")})
        assert mfsite("build", "--source", site, "--base-url", base).code == 0
        before = tree_bytes(site / "output")
        write_site(
            site, {"batches/tee-1.yaml": batch(1, "status_index: 2\npassport_status: revoked\n" + REASON)}, {}
        )
        assert mfsite("build", "--source", site, "--base-url", base, "--output", live / "shop").code == 0
        output = tmp_path / "kept"  # the passports as a customer downloaded them, before the recall
        for rel, data in before.items():
            (output / rel).parent.mkdir(parents=True, exist_ok=True)
            (output / rel).write_bytes(data)
        assert "revoked" not in mfsite("verify", "--output", output).out
        run = mfsite("verify", "--output", output, "--online", env=env)
        assert run.code == 0, run.err
        assert "b/tee-1/passport.json (batch tee-1): revoked by its issuer" in run.out


@pytest.mark.parametrize(
    ("where", "index", "message"),
    [
        (BASE + LIST, "131072", "its statusListIndex 131072 is beyond its status list's 131,072 bits"),
        (
            BASE + "../../etc/" + LIST,
            "3",
            f"its status list {BASE}../../etc/{LIST}: is not on its issuer's site",
        ),
        (
            "https://elsewhere.example/" + LIST,
            "3",
            "is not on its issuer's site (https://mini.example/shop/)",
        ),
    ],
    ids=["beyond", "climbs-out", "elsewhere"],
)
def test_a_status_entry_that_cannot_be_told_fails_verify(
    tmp_path: Path, key: tuple[Path, str], where: str, index: str, message: str
) -> None:
    """A passport signed by the shop, but whose entry names a bit beyond the list or a list
    outside its issuer's site: said, never taken as "not revoked", and never read from outside
    the output."""
    from mfsite.engine import check_site
    from mfsite.signing.jws import envelope
    from mfsite.signing.keys import read_signer

    site = status_site(tmp_path / "site", *key, {"batches/tee-1.yaml": batch(1, "status_index: 3\n")})
    output = site / "output"
    assert mfsite("build", "--source", site).code == 0
    checked = check_site(site)
    assert checked.site is not None
    signer = read_signer(checked.site.config, site, output)
    passport = output / "b/tee-1/passport.json"
    found = credential(passport)
    found["credentialStatus"].update(statusListIndex=index, statusListCredential=where)
    passport.write_text(json.dumps(envelope(signer.sign(found))), encoding="utf-8")
    run = mfsite("verify", "--output", output)
    assert run.code == 1
    assert message in run.err, run.err
