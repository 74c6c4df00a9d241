#!/usr/bin/env python3
"""How long from saving a batch file to its page being written, under `mfsite watch`.

    python benchmarks/watch.py --batches 1000 10000 [--saves 10] [--work DIR]

For each size it writes a site with ../shared/bench/make_site.py, starts the
real `mfsite watch` in a subprocess, then saves one batch file the way editors
do (a temporary file renamed over it) several times, and measures until the
batch page on disk shows the change. It prints the median and the worst, and
their ratio to the watch's own first full build of the same site, measured in
the same run (machines are noisy: the ratio is what compares across runs).
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "bench"


def save_like_an_editor(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.swp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def wait_for(page: Path, marker: str, timeout: float = 60) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if marker in page.read_text(encoding="utf-8"):
                return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.002)
    raise SystemExit(f"{page} never showed {marker!r}")


def measure(site: Path, saves: int) -> tuple[float, list[float]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mfsite", "watch", "--source", site, "--base-url", "https://bench.example/"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    full = None
    while full is None:
        line = lines.get(timeout=1800)
        if found := re.match(r"full build: .* in (\d+) ms", line):
            full = int(found[1]) / 1000
    while not lines.get(timeout=60).startswith("watching"):
        pass
    batch = site / "batches" / "B000042.yaml"
    page = site / "output" / "b" / "b000042" / "index.html"
    original = batch.read_text(encoding="utf-8")
    latencies = []
    try:
        for n in range(saves):
            marker = f"Saved edition {n}"
            saved = time.perf_counter()
            save_like_an_editor(batch, original.replace("product: ", f"product: {marker} ", 1))
            latencies.append(wait_for(page, marker) - saved)
            time.sleep(0.3)  # let the watcher go quiet between saves
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        batch.write_text(original, encoding="utf-8")
    return full, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="mfsite-watch-bench-"))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'batches':>8}{'full build':>12}{'save->page median':>20}{'worst':>9}{'median/full':>13}")
    for size in args.batches:
        site = work / f"site-{size}"
        shutil.rmtree(site, ignore_errors=True)
        subprocess.run([sys.executable, SHARED / "make_site.py", site, "--batches", str(size)], check=True)
        full, latencies = measure(site, args.saves)
        middle = statistics.median(latencies)
        worst = max(latencies)
        print(f"{size:>8}{full:>11.2f}s{middle * 1000:>18.0f}ms{worst * 1000:>7.0f}ms{middle / full:>13.4f}")


if __name__ == "__main__":
    main()
