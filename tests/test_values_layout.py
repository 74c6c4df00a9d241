"""The journey picture's text layout for long words (issue 19): wrap() cuts a word wider than a
line into pieces as wide as a line, in one pass, and the longest texts validation allows build.
How long it takes is a benchmark's business (benchmarks/journey.py), never a test's."""

from __future__ import annotations

import itertools
import re
import textwrap
from html import unescape
from pathlib import Path

import pytest
from conftest import MINI_SITE, mfsite, write_site

from mfsite.render.journey import TEXT_WIDTH, _advance, _scale, wrap
from mfsite.validate.fields import NAME_MAX, SENTENCE_MAX

ROOM = TEXT_WIDTH / _scale("w")  # a line's width, in the units _advance measures


def width(text: str) -> int:
    return sum(_advance(c) for c in text)


@pytest.mark.parametrize("length", [1, 40, NAME_MAX, 300_000])
def test_a_long_word_is_cut_into_full_lines(length: int) -> None:
    """300,000 characters did not finish in five minutes: every piece was measured again."""
    word = "".join("WiMl"[i % 4] for i in range(length))
    lines = wrap([word], "w")
    assert "".join(lines) == word
    assert all(width(line) <= ROOM for line in lines)
    # Each line but the last is full: its next character would not have fitted.
    assert all(width(line) + _advance(after[0]) > ROOM for line, after in itertools.pairwise(lines))


def test_words_before_and_after_a_long_word_keep_their_lines() -> None:
    word = "W" * 100
    lines = wrap([f"From {word} to Berlin"], "w")
    assert lines[0] == "From"
    assert "".join(lines[1:-1]) + lines[-1].split(" ")[0] == word
    assert lines[-1].endswith(" to Berlin")  # the rest of the word shares its line with them


def test_parts_are_joined_while_they_fit() -> None:
    assert wrap(["Chemnitz, Germany", "14 October 2026"], "m") == ["Chemnitz, Germany · 14 October 2026"]
    assert wrap(["W" * 30, "14 October 2026"], "m")[-1] == "14 October 2026"


def test_the_longest_texts_allowed_build_and_are_drawn_whole(tmp_path: Path) -> None:
    """A partner's name, a step and a place at NAME_MAX and the shop's address at SENTENCE_MAX,
    each one word without a space: the picture shows every character, cut into lines."""
    name, step, place, address = "N" * NAME_MAX, "s" * NAME_MAX, "P" * NAME_MAX, "A" * SENTENCE_MAX
    batch = textwrap.dedent(MINI_SITE["batches/tee-1.yaml"]) + textwrap.dedent(f"""\
        journey:
          - step: {step}
            partner: atelier
            place: {place}
        """)
    site_yaml = textwrap.dedent(MINI_SITE["site.yaml"])
    site_yaml = site_yaml.replace("name: Mini Shop", f"name: Mini Shop\n  address: {address}")
    partner = textwrap.dedent(MINI_SITE["content/partners/atelier.md"])
    partner = partner.replace("name: Atelier", f"name: {name}")
    site = write_site(
        tmp_path,
        {"batches/tee-1.yaml": batch, "site.yaml": site_yaml, "content/partners/atelier.md": partner},
    )
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    page = (site / "output/b/tee-1/index.html").read_text(encoding="utf-8")
    drawn: dict[str, list[str]] = {"t": [], "w": [], "m": []}
    for kind, text in re.findall(r'<text class="j([twm])"[^>]*>([^<]*)</text>', page):
        drawn[kind].append(unescape(text))
    assert "".join(drawn["w"]).startswith(name)  # then "Our shop", the shop's line
    assert step.capitalize() in "".join(drawn["t"])
    assert place in "".join(drawn["m"]) and address in "".join(drawn["m"])
