#!/usr/bin/env python3
"""The journey picture's layout of the longest texts validation allows, beside short ones.

    python benchmarks/journey.py [--rounds 21]

Lays out (mfsite/render/journey.py: layout, which wraps every line) a journey of three
steps and the shop, twice: once with short texts, once with every text at the longest its
field takes (mfsite/validate/fields.py: a partner's name, a step, a place at NAME_MAX, the
shop's address at SENTENCE_MAX), each written as one word without a space, which wrap() must
cut, the slowest case. The width caches are emptied before every layout, so each is timed
as a page's first. It prints the median time of each and their ratio, then the time of
wrap() for one word ten and a hundred times longer than any field takes, which grows as the
length does when the layout is linear. Timings are never asserted anywhere.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's mfsite, installed or not

from mfsite.render import journey  # noqa: E402
from mfsite.render.journey import Point, layout, wrap  # noqa: E402
from mfsite.validate.fields import NAME_MAX, SENTENCE_MAX  # noqa: E402

BERLIN, CHEMNITZ = (52.48, 13.43), (50.83, 12.92)


def points(name: str, step: str, place: str, address: str) -> list[Point]:
    """Three steps and the shop, each with the given texts."""
    when = date(2026, 10, 14)
    stops = [Point(step, name, f"{place}, Germany", when, CHEMNITZ) for _ in range(3)]
    return [*stops, Point("Kiez Threads", "Our shop", address, None, BERLIN, shop=True)]


def cold(run: Callable[[], object]) -> float:
    """One call of run(), with the width caches empty, in seconds."""
    journey._units.cache_clear()
    journey._advance.cache_clear()
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def median_ms(run: Callable[[], object], rounds: int) -> float:
    return statistics.median(cold(run) for _ in range(rounds)) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    short = points("Strickwerk Chemnitz", "Knitting", "Chemnitz", "Oranienstr. 1, Berlin")
    longest = points("W" * NAME_MAX, "m" * NAME_MAX, "M" * NAME_MAX, "W" * SENTENCE_MAX)
    assert layout(longest) is not None
    short_ms = median_ms(lambda: layout(short), args.rounds)
    long_ms = median_ms(lambda: layout(longest), args.rounds)
    print(f"journey layout, 3 steps and the shop; medians of {args.rounds} rounds, caches empty")
    print(f"{'texts':<58}{'time':>10}{'ratio':>8}")
    print(f"{'short (a name of 19 characters)':<58}{short_ms:>8.3f}ms{1:>8.1f}")
    longest_label = f"longest allowed ({NAME_MAX}, address {SENTENCE_MAX}), no spaces"
    print(f"{longest_label:<58}{long_ms:>8.3f}ms{long_ms / short_ms:>8.1f}")
    print()
    print("wrap() of one word, beyond what validation allows (linear: time grows as length)")
    print(f"{'characters':>12}{'time':>12}{'per 1,000 characters':>24}")
    for length in (NAME_MAX * 10, NAME_MAX * 100, NAME_MAX * 1000):
        word = "W" * length
        ms = median_ms(lambda word=word: wrap([word], "w"), max(3, args.rounds // 4))
        print(f"{length:>12,}{ms:>10.3f}ms{ms / length * 1000:>22.4f}ms")


if __name__ == "__main__":
    main()
