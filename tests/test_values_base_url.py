"""base_url is an address a phone opens (issue 19): http(s), a host, a port that exists, a path
without dot segments. What a path cannot hold as written is percent-encoded; anything else is
refused, positioned at the value in site.yaml, or at site.yaml:1:1 naming --base-url and
MFSITE_BASE_URL when it came from there (as MF036 is told), and the output is left as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import mfsite, tree_bytes, write_site
from realparts import decode_png

from mfsite.validate.config import BadBaseUrl, normalise_base_url

REFUSED = {
    "https://mini.example:99999/": "the port '99999' is not a port: ports are 1 to 65535",
    "https://mini.example:0/": "the port '0' is not a port: ports are 1 to 65535",
    "https://mini.example:/": "'mini.example:' ends with ':' but gives no port; remove the ':'",
    "https://mini.example/shop/../x/": "the path '/shop/../x/' has a '..' segment, which browsers "
    "resolve away: write the path the site is served at",
    "https://mini.example/%2e/": "the path '/%2e/' has a '%2e' segment, which browsers resolve away: "
    "write the path the site is served at",
    "https://mini example/": "'mini example' is not a host name: use letters, digits and hyphens, "
    "in parts separated by dots (shop.example)",
    'https://"<mini>"/': "'\"<mini>\"' is not a host name: use letters, digits and hyphens, "
    "in parts separated by dots (shop.example)",
    "https://[mini]/": "'https://[mini]/' must be an absolute http(s) URL such as https://shop.example/",
    "https://user@mini.example/": "'https://user@mini.example/' has a user name before the host (user@): "
    "phones warn about such addresses or do not open them",
    "https://mini.example/?a=1": "'https://mini.example/?a=1' has a query (?) or a fragment (#): "
    "every page's address goes on after the base URL, so it ends with its path",
    "https://bücher.example/": "the host 'bücher.example' is not ASCII: write it in its ASCII form, "
    "which is probably 'xn--bcher-kva.example'",
    "https://256.1.1.1/": "'256.1.1.1' is not an IPv4 address",
}


def broken_build(
    site: Path, *options: str, env: dict[str, str] | None = None, changes: dict[Path, str] | None = None
) -> list[str]:
    """Build the mini site; make the changes; build again with `options`: the second build's
    diagnostics, once it has failed with exit code 1 and left the first's output as it was."""
    assert mfsite("build", "--source", site).code == 0
    before = tree_bytes(site / "output")
    for path, text in (changes or {}).items():
        path.write_text(text, encoding="utf-8")
    run = mfsite("build", "--source", site, *options, env=env)
    assert run.code == 1, run.err
    *diagnostics, last = run.err.splitlines()
    assert last.endswith("output was left as it was"), run.err
    assert tree_bytes(site / "output") == before
    return diagnostics


@pytest.mark.parametrize(("url", "why"), REFUSED.items(), ids=list(REFUSED))
def test_refused_in_site_yaml(tmp_path: Path, url: str, why: str) -> None:
    site = write_site(tmp_path)
    site_yaml = site / "site.yaml"
    written = site_yaml.read_text(encoding="utf-8").replace("https://mini.example/shop/", f"'{url}'")
    expected = [f"site.yaml:2:11: error: base_url: {why} [MF018]"]
    assert broken_build(site, changes={site_yaml: written}) == expected
    checked = mfsite("check", "--source", site)
    assert (checked.code, checked.out.splitlines()) == (1, expected)


@pytest.mark.parametrize("url", ["https://mini.example:99999/", "https://mini.example/shop/../x/"])
def test_refused_from_the_option_and_the_environment(tmp_path: Path, url: str) -> None:
    site = write_site(tmp_path)
    what = "base_url (from --base-url or MFSITE_BASE_URL)"
    expected = [f"site.yaml:1:1: error: {what}: {REFUSED[url]} [MF018]"]
    assert broken_build(site, "--base-url", url) == expected
    env = {**os.environ, "MFSITE_BASE_URL": url}
    assert broken_build(site, env=env) == expected
    checked = mfsite("check", "--source", site, env=env)
    assert (checked.code, checked.out.splitlines()) == (1, expected)


def test_a_path_is_percent_encoded_where_it_must_be(tmp_path: Path) -> None:
    """A space, '"', '<', '>' and a non-ASCII letter in the path: the codes carry them encoded,
    so every phone opens the address; a '%' that starts no escape becomes %25."""
    site = write_site(tmp_path)
    written = 'https://mini.example/my shop/"<läden>"/100%/'
    encoded = "https://mini.example/my%20shop/%22%3Cl%C3%A4den%3E%22/100%25/"
    run = mfsite("build", "--source", site, "--base-url", written)
    assert run.code == 0, run.err
    assert decode_png((site / "output/b/tee-1/qr.png").read_bytes()) == [f"{encoded}b/tee-1/"]
    page = (site / "output/b/tee-1/index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{encoded}b/tee-1/">' in page


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("https://mini.example/shop/", "https://mini.example/shop/"),
        ("https://mini.example", "https://mini.example/"),
        ("  http://mini.example:8080/a  ", "http://mini.example:8080/a/"),
        # as written, upper case and all: an upper-case URL makes a smaller QR code
        ("HTTPS://MINI.EXAMPLE/SHOP/", "HTTPS://MINI.EXAMPLE/SHOP/"),
        ("https://[2001:db8::1]:8443/", "https://[2001:db8::1]:8443/"),
        ("https://192.0.2.1/", "https://192.0.2.1/"),
        ("https://xn--bcher-kva.example/%C3%A4/", "https://xn--bcher-kva.example/%C3%A4/"),
        ("https://mini.example/a..b/.well/", "https://mini.example/a..b/.well/"),
    ],
)
def test_a_good_url_is_kept_as_written(written: str, normalised: str) -> None:
    assert normalise_base_url(written) == normalised


@pytest.mark.parametrize("url", ["https://mini.example/\x1b[31m/", "https://mini.example/a\tb/"])
def test_control_characters_are_refused_and_shown_escaped(url: str) -> None:
    with pytest.raises(BadBaseUrl) as refused:
        normalise_base_url(url)
    assert "a control character" in str(refused.value)
    assert str(refused.value).isprintable()
