"""Values that used to slip past validation (issue 19): each is refused by `check` and `build`
with one positioned line, every other problem of the site is still reported, the exit code is 1,
no traceback or internal error shows, and a build leaves the previous output as it was."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import MINI_SITE, mfsite, tree_bytes, write_site

BATCH = textwrap.dedent(MINI_SITE["batches/tee-1.yaml"])  # product on line 1 ... story on 15
PARTNER = textwrap.dedent(MINI_SITE["content/partners/atelier.md"])  # name on line 2
# A second, unrelated mistake: the site's other problems must be reported beside the new ones.
OTHER = {"content/pages/about.md": "---\ntitle: About\norder: many\n---\n"}
OTHER_ERROR = "content/pages/about.md:3:8: error: order: 'many' is not a whole number [MF014]"
# A batch file that cannot be read names no material: the mini site's one is then unused.
UNUSED = "content/materials/cotton.md:1:1: warning: material 'cotton' is not used by any batch [MF101]"


def refused(site: Path, broken: dict[str, str], *options: str) -> list[str]:
    """Build the mini site, break it, then check and build it again: the lines both print.

    Asserts what every refusal shares: exit code 1 from both, no traceback (conftest.mfsite),
    no internal error, the same diagnostics from both, and the output left as it was."""
    write_site(site)
    assert mfsite("build", "--source", site).code == 0
    before = tree_bytes(site / "output")
    write_site(site, {**broken, **OTHER}, base={})
    checked = mfsite("check", "--source", site)
    built = mfsite("build", "--source", site, *options)
    assert (checked.code, built.code) == (1, 1), (checked.out, built.err)
    assert "internal error" not in checked.err + built.err
    *diagnostics, last = built.err.splitlines()
    assert last.endswith("output was left as it was"), built.err
    assert diagnostics == checked.out.splitlines()
    assert tree_bytes(site / "output") == before
    return diagnostics


def in_script(ascii_digits: str, zero: int) -> str:
    """The text with each digit 0-9 written in the script whose zero is the code point `zero`."""
    return "".join(chr(zero + int(c)) if c in "0123456789" else c for c in ascii_digits)


ARABIC_INDIC, FULLWIDTH = 0x0660, 0xFF10
GTIN = in_script("09506000134352", ARABIC_INDIC)  # a right check digit, in Arabic-Indic digits
QUANTITY = in_script("48", ARABIC_INDIC)
PRODUCED = in_script("2026-11-20", FULLWIDTH)
DIGITS = [
    (
        # "²" passes str.isdigit() and then fails int(): this was "internal error (ValueError)"
        {"batches/tee-1.yaml": BATCH + "gtin: 095060001343²2\n"},
        "batches/tee-1.yaml:16:7: error: gtin: '095060001343²2' holds '²' (U+00B2 SUPERSCRIPT TWO): "
        "write a GTIN with the digits 0 to 9 [MF017]",
    ),
    (
        # this was a wrong check-digit message
        {"batches/tee-1.yaml": BATCH + f"gtin: {GTIN}\n"},
        f"batches/tee-1.yaml:16:7: error: gtin: '{GTIN}' holds '{GTIN[0]}' (U+0660 ARABIC-INDIC DIGIT ZERO): "
        "write a GTIN with the digits 0 to 9 [MF017]",
    ),
    (
        # int() reads it as 48: it was taken without a word
        {"batches/tee-1.yaml": BATCH + f"quantity: {QUANTITY}\n"},
        f"batches/tee-1.yaml:16:11: error: quantity: '{QUANTITY}' holds '{QUANTITY[0]}' "
        "(U+0664 ARABIC-INDIC DIGIT FOUR): write numbers with the digits 0 to 9 [MF014]",
    ),
    (
        {"batches/tee-1.yaml": BATCH.replace("produced: 2026-11-20", f"produced: {PRODUCED}")},
        f"batches/tee-1.yaml:2:11: error: produced: '{PRODUCED}' holds '{PRODUCED[0]}' "
        "(U+FF12 FULLWIDTH DIGIT TWO): write dates with the digits 0 to 9 [MF015]",
    ),
]


@pytest.mark.parametrize(("broken", "expected"), DIGITS, ids=["superscript", "arabic-gtin", "arabic", "date"])
def test_digits_that_are_not_ascii_are_refused(tmp_path: Path, broken: dict[str, str], expected: str) -> None:
    assert refused(tmp_path, broken) == [expected, OTHER_ERROR]


def test_a_name_of_100000_characters_is_refused_where_it_is_written(tmp_path: Path) -> None:
    """It took 12 s and 319 MB to lay out; now validation stops it, and says how long it is."""
    name = "N" * 100_000
    broken = {"content/partners/atelier.md": PARTNER.replace("name: Atelier", f"name: {name}")}
    assert refused(tmp_path, broken) == [
        OTHER_ERROR,
        "content/partners/atelier.md:2:7: error: name: 'NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN…' "
        "is 100,000 characters long; at most 200 are allowed [MF013]",
    ]


def test_batch_notes_take_ten_thousand_characters(tmp_path: Path) -> None:
    notes = "word " * 2000  # 10,000 characters, and a newline from the block scalar
    broken = {"batches/tee-1.yaml": BATCH + "notes: |\n  " + notes + "\n"}
    assert refused(tmp_path, broken) == [
        "batches/tee-1.yaml:16:8: error: notes: 'word word word word word word word word…' "
        "is 10,001 characters long; at most 10,000 are allowed [MF013]",
        OTHER_ERROR,
    ]


def test_control_characters_written_as_escapes_are_refused(tmp_path: Path) -> None:
    """ "A\\0B" and "\\x1b[31m" got round the refusal of raw control characters, into the pages
    and the terminal; now each is named at its backslash, and the message shows it escaped."""
    batch = BATCH.replace("product: Tee", 'product: "A\\0B"') + 'notes: "\\x1b[31mred"\n'
    lines = refused(tmp_path, {"batches/tee-1.yaml": batch})
    escape = "a control character, which is not allowed in a value, written out or as an escape; delete it"
    assert lines == [
        f"batches/tee-1.yaml:1:12: error: the escape \\0 stands for U+0000, {escape} [MF002]",
        f"batches/tee-1.yaml:16:9: error: the escape \\x1b stands for U+001B, {escape} [MF002]",
        UNUSED,
        OTHER_ERROR,
    ]
    assert not any(c < " " for line in lines for c in line)


def test_escapes_of_printable_characters_still_work(tmp_path: Path) -> None:
    """Tab, line feed, a no-break space and the YAML line breaks are text: the page shows them."""
    site = write_site(tmp_path)
    batch = BATCH.replace("product: Tee", 'product: "Tee\\tshirt\\_\\u00e9\\L"')
    write_site(site, {"batches/tee-1.yaml": batch}, base={})
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    assert "Tee\tshirt\u00a0\u00e9\u2028" in (site / "output/b/tee-1/index.html").read_text(encoding="utf-8")


def test_tags_are_refused_but_str_on_a_value(tmp_path: Path) -> None:
    batch = BATCH.replace("product: Tee", "product: !!str Tee").replace("place: Berlin", "place: ! Berlin")
    assert refused(tmp_path, {"batches/tee-1.yaml": batch}) == [
        "batches/tee-1.yaml:5:10: error: YAML tags (!) are not supported [MF003]",
        UNUSED,
        OTHER_ERROR,
    ]
