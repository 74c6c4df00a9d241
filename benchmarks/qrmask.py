#!/usr/bin/env python3
"""make_symbol beside plain qrcode, per QR code, in the same run.

    python benchmarks/qrmask.py [--codes 60] [--rounds 5] [--level M]

Draws the same batch URLs (as a build's QR codes are) two ways, alternating, for several
rounds: with plain qrcode choosing the mask itself, as make_symbol did before the numpy mask
choice (the reference), and with make_symbol once a process has drawn more than FEW_CODES
codes (numpy's mask choice, mfsite/render/qrmask.py). Both get the same codes: make_symbol
checks that they are the same symbol. It prints the median time per code and the ratio
make_symbol/qrcode (machines are noisy: only ratios measured side by side mean anything),
with the ratio of each one's best round beside it. Timings are never asserted anywhere.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout's mfsite, installed or not
sys.path.insert(0, str(REPO / "tests"))  # and the tests' reference drawing

from test_qrmask import old_make_symbol  # noqa: E402

from mfsite.render.qr import FEW_CODES, make_symbol  # noqa: E402
from mfsite.render.qrdata import LEVELS  # noqa: E402


def with_qrcode(data: str, level: str) -> tuple[bytes, ...]:
    """The symbol's rows as plain qrcode draws them (the tests' reference, old_make_symbol)."""
    return old_make_symbol(data, level)[1]


def per_code(draw: Callable[[str, str], object], urls: list[str], level: str) -> float:
    started = time.perf_counter()
    for url in urls:
        draw(url, level)
    return (time.perf_counter() - started) / len(urls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=60, help="URLs drawn per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--level", choices=list(LEVELS), default="M")
    args = parser.parse_args()
    address = "https://shop.example.test/kiez/batches/b-2026-{:05d}/"
    urls = [address.format(i) for i in range(1, args.codes + 1)]
    for i in range(FEW_CODES + 1):  # past a process's first codes (qrcode's), the tables made
        make_symbol(address.format(99999 - i), args.level)
    for url in urls:  # the same symbols both ways
        assert with_qrcode(url, args.level) == make_symbol(url, args.level).modules, url
    times: dict[str, list[float]] = {"qrcode": [], "make_symbol": []}
    for _ in range(args.rounds):  # alternating, so both see the same machine weather
        times["qrcode"].append(per_code(with_qrcode, urls, args.level))
        times["make_symbol"].append(per_code(make_symbol, urls, args.level))
    theirs, ours = statistics.median(times["qrcode"]), statistics.median(times["make_symbol"])
    best = min(times["make_symbol"]) / min(times["qrcode"])
    print(f"QR per code: {len(urls)} URLs at level {args.level}; medians of {args.rounds} rounds")
    print(f"{'qrcode':>10}{'make_symbol':>14}{'make_symbol/qrcode':>20}{'best/best':>11}")
    print(f"{theirs * 1000:>8.2f}ms{ours * 1000:>12.2f}ms{ours / theirs:>20.2f}{best:>11.2f}")


if __name__ == "__main__":
    main()
