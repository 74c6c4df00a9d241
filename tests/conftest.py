"""Shared helpers: the real CLI in a subprocess, sites written to temporary folders."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_PARTS = ("site.yaml", "batches", "content", "templates", "static", "photos")

# A build shows progress once it has run for a second: on a slow machine a test's build would
# print lines that a fast one does not. Here progress never shows, unless a test asks for it
# (tests/test_progress.py sets 0), in every mfsite the tests run, in-process or not.
os.environ["MFSITE_PROGRESS_DELAY"] = "inf"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return (self.out + self.err).splitlines()


def mfsite(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run the real command line, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "mfsite", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return Run(proc.returncode, proc.stdout, proc.stderr)


# The example's processed photos and share cards, shared by every copy of it the tests build:
# both caches are keyed by what they are made from (a photo's bytes and the recipe; what a card
# is drawn from), so a copy finds what a build of another made, as a site finds its own; the
# tests build the example dozens of times, and each photo takes a second.
SHARED_CACHES = {name: Path(tempfile.mkdtemp(prefix=f"mfsite-test-{name}-")) for name in ("photos", "cards")}
for _folder in SHARED_CACHES.values():
    atexit.register(shutil.rmtree, _folder, ignore_errors=True)


def copy_example(target: Path) -> Path:
    """The repository's example shop, copied so a test may change it (its processed photos and
    cards shared with the other copies: tests/test_photo_site.py processes photos of its own)."""
    target.mkdir(parents=True, exist_ok=True)
    for part in EXAMPLE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, target / part)
        elif src.is_file():
            shutil.copy2(src, target / part)
    return share_caches(target)


def share_caches(site: Path) -> Path:
    """The site's processed photos and share cards in the folders every copy of the example shares."""
    (site / ".mfsite-cache").mkdir(exist_ok=True)
    for name, folder in SHARED_CACHES.items():
        (site / ".mfsite-cache" / name).symlink_to(folder, target_is_directory=True)
    return site


MINI_SITE = {
    "site.yaml": """\
        title: Mini Shop
        base_url: https://mini.example/shop/
        shop:
          name: Mini Shop
          coordinates: [52.5, 13.4]
        """,
    "content/partners/atelier.md": """\
        ---
        name: Atelier
        place: Berlin
        country: DE
        coordinates: [52.49, 13.40]
        website: https://atelier.example/
        kind: microfactory
        ---
        We sew.
        """,
    "content/partners/other-brand.md": """\
        ---
        name: Other Brand
        kind: brand
        ---
        A friend.
        """,
    "content/materials/cotton.md": """\
        ---
        name: Organic cotton
        certifications:
          - name: GOTS
            id: CU 1
            url: https://global-standard.org/
        ---
        Soft.
        """,
    "content/stories/drop.md": """\
        ---
        title: The drop
        date: 2026-11-01
        ---
        A story.
        """,
    "content/pages/about.md": """\
        ---
        title: About
        ---
        Us.
        """,
    "batches/tee-1.yaml": """\
        product: Tee
        produced: 2026-11-20
        partner: atelier
        origin:
          place: Berlin
          country: DE
        materials:
          - material: cotton
            percent: 100
        care:
          wash: 30
          bleach: no
          tumble: low
          iron: low
        story: drop
        """,
}


def write_site(
    root: Path, files: dict[str, str | None] | None = None, base: dict[str, str] | None = None
) -> Path:
    """Write MINI_SITE (or `base`) into root, with `files` added, replaced or (None) removed."""
    merged: dict[str, str | None] = {**(MINI_SITE if base is None else base), **(files or {})}
    for rel, text in merged.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file below root with its bytes: compares two outputs exactly."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example shop, built once under a sub-path base URL; returns the output folder."""
    site = copy_example(tmp_path_factory.mktemp("example"))
    run = mfsite("build", "--source", site, "--base-url", "https://shop.example.test/kiez/")
    assert run.code == 0, run.err
    return site / "output"
