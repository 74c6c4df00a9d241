#!/usr/bin/env python3
"""Photos: the cold processing time per photo, and a rebuild after adding one photo to a site
with many, against the cold build of the same site.

    python benchmarks/photos.py [--photos 1000] [--size 2000x1500] [--jobs N] [--work DIR] [--save]

Writes a site of as many batches as photos with ../shared/bench/make_site.py and gives each batch
one photo: a phone-like JPEG (noise over shapes, with an EXIF orientation and GPS, so each copy is
really turned, converted and stripped). It times, in the same run:

- a cold build (no cache, no output): every photo processed, every card drawn;
- a rebuild after adding one batch with one new photo;
- a rebuild after replacing one photo's bytes (same name).

It prints the cold processing time per photo (the cold build less a cold build of the same site
without photos, divided by the photos) and the rebuilds' ratios to the cold build (target: at
most 0.1). Timings are never asserted anywhere.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "bench"
BASE_URL = "https://bench.example/"


def photo(seed: int, size: tuple[int, int]) -> bytes:
    """A phone-like JPEG: shapes under grain, stored sideways with orientation 6 and GPS."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", (width, height), tuple(rng.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 10, width // 3), rng.randrange(height // 10, height // 3)
        draw.ellipse([x, y, x + w, y + h], fill=tuple(rng.randrange(256) for _ in range(3)))
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(image.filter(ImageFilter.GaussianBlur(3)), grain, 0.15)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (52.0, 29.0, 13.0), 3: "E", 4: (13.0, 25.0, 30.0)}
    out = io.BytesIO()
    image.transpose(Image.Transpose.ROTATE_90).save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


def add_photo(site: Path, batch: Path, name: str, data: bytes) -> None:
    (site / "photos" / name).write_bytes(data)
    text = batch.read_text(encoding="utf-8")
    listed = f"photos:\n  - src: {name}\n    alt: The garment from the front\n"
    batch.write_text(text + listed, encoding="utf-8")


def make(work: Path, photos: int, size: tuple[int, int], with_photos: bool) -> Path:
    site = work / ("site-photos" if with_photos else "site-plain")
    shutil.rmtree(site, ignore_errors=True)
    subprocess.run([sys.executable, SHARED / "make_site.py", site, "--batches", str(photos)], check=True)
    if with_photos:
        (site / "photos").mkdir()
        for i, batch in enumerate(sorted((site / "batches").rglob("*.yaml"))):
            add_photo(site, batch, f"p{i:05d}.jpg", photo(i, size))
    return site


def build(site: Path, jobs: int) -> float:
    os.sync()
    started = time.perf_counter()
    command = [sys.executable, "-m", "mfsite", "build", "--source", site, "--base-url", BASE_URL]
    subprocess.run([*command, "--jobs", str(jobs)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--size", default="2000x1500", help="pixels, WxH (a phone's are 4000x3000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--save", action="store_true", help="write the results to benchmarks/results/")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.split("x"))
    work = args.work or Path(tempfile.mkdtemp(prefix="mfsite-photos-"))
    plain = make(work, args.photos, size, with_photos=False)
    site = make(work, args.photos, size, with_photos=True)  # type: ignore[arg-type]
    found = {"plain cold build": build(plain, args.jobs), "cold build": build(site, args.jobs)}
    batches = sorted((site / "batches").rglob("*.yaml"))
    new = site / "batches" / "NEW-PHOTO.yaml"
    new.write_text(batches[0].read_text(encoding="utf-8").split("photos:")[0], encoding="utf-8")
    add_photo(site, new, "new.jpg", photo(10**6, size))  # type: ignore[arg-type]
    found["add one photo"] = build(site, args.jobs)
    (site / "photos" / "p00001.jpg").write_bytes(photo(10**6 + 1, size))  # type: ignore[arg-type]
    found["replace one photo"] = build(site, args.jobs)
    per_photo = (found["cold build"] - found["plain cold build"]) / args.photos
    cold = found["cold build"]
    print(f"{args.photos} photos of {args.size}, --jobs {args.jobs}")
    print(f"  cold build               {cold:8.2f} s (without photos {found['plain cold build']:.2f} s)")
    print(f"  processing per photo     {per_photo:8.3f} s (of wall time, {args.jobs} processes)")
    for name in ("add one photo", "replace one photo"):
        ratio = found[name] / cold
        print(f"  {name:24} {found[name]:8.2f} s   ratio to the cold build {ratio:.3f} (target <= 0.1)")
    if args.save:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        out = REPO / "benchmarks" / "results" / f"photos-{commit}-{args.photos}.json"
        record = {"photos": args.photos, "size": args.size, "jobs": args.jobs, "seconds": found}
        out.write_text(json.dumps({**record, "per_photo": per_photo}, indent=2) + "\n")
        print(f"saved {out}")


if __name__ == "__main__":
    main()
