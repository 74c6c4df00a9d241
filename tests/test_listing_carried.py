"""Under watch, the listing of the sources is brought up to date from the files the watch saw
change, rather than listed anew (load/sources.py, _carried). Property: after any sequence of
file edits, creations and deletions, each told as a watch tells it, the carried listing is the
one a new listing of every folder finds, and it names the files that changed; and where only
a new listing can say (a folder made, a link), it is listed anew."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mfsite.load.sources import source_stats
from mfsite.seen import Seen

# Where an edit may land: sources of each folder, a file in a folder that exists, names that are
# no source (editor leftovers, other suffixes, a file beside the folders, a hidden folder).
NAMES = [
    "batches/a.yaml",
    "batches/b.yml",
    "batches/C.YAML",
    "batches/sub/d.yaml",
    "batches/a.yaml~",
    "batches/.a.yaml.swp",
    "batches/notes.txt",
    "batches/.hidden/e.yaml",
    "content/partners/p.md",
    "content/partners/q.txt",
    "content/materials/m.md",
    "static/logo.svg",
    "static/css/site.css",
    "templates/base.html",
    "site.yaml",
    "README.md",
]
FOLDERS = ["batches/sub", "batches/.hidden", "static/css"]  # there from the start

edit = st.tuples(st.sampled_from(["write", "delete"]), st.sampled_from(NAMES))
edits = st.lists(edit, min_size=1, max_size=6)


def _apply(root: Path, action: str, rel: str, n: int) -> None:
    path = root / rel
    if action == "write":
        path.write_text(f"version {n}\n" * (n % 3 + 1))
        os.utime(path, ns=(n * 10**9, n * 10**9))  # a new status, even on a coarse clock
    elif path.exists():
        path.unlink()


@settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
@given(st.lists(edits, min_size=1, max_size=4))
def test_a_carried_listing_is_the_listing_anew(bursts: list[list[tuple[str, str]]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for folder in FOLDERS:
            (root / folder).mkdir(parents=True)
        (root / "content/partners").mkdir(parents=True)
        (root / "content/materials").mkdir(parents=True)
        (root / "templates").mkdir()
        (root / "site.yaml").write_text("title: A\n")
        (root / "batches/a.yaml").write_text("id: a\n")
        listing = source_stats(root)
        n = 1
        for burst in bursts:
            for action, rel in burst:
                _apply(root, action, rel, n)
                n += 1
            carried = source_stats(root, listing, Seen(files={rel for _, rel in burst}))
            anew = source_stats(root)
            assert carried.stats == anew.stats
            assert carried.paths == anew.paths
            now, then = dict(anew.stats), dict(listing.stats)
            assert carried.changed == sorted(r for r in now.keys() | then.keys() if now.get(r) != then.get(r))
            listing = carried


def test_a_folder_made_or_a_link_is_listed_anew(tmp_path: Path) -> None:
    (tmp_path / "batches").mkdir()
    (tmp_path / "site.yaml").write_text("title: A\n")
    listing = source_stats(tmp_path)
    (tmp_path / "batches/new").mkdir()
    (tmp_path / "batches/new/x.yaml").write_text("id: x\n")
    (tmp_path / "batches/y.yaml").write_text("id: y\n")
    # The watch names the folder made, not each file in it: the folder is listed anew.
    carried = source_stats(tmp_path, listing, Seen(files={"batches/y.yaml"}, folders={"batches/new"}))
    assert [rel for rel, _ in carried.stats] == ["site.yaml", "batches/new/x.yaml", "batches/y.yaml"]
    # A link among the sources: its target's changes are not seen under its name, so a site
    # with one is always listed anew.
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "batches/linked").symlink_to(tmp_path / "elsewhere")
    listing = source_stats(tmp_path, carried, Seen(files={"batches/linked"}))
    (tmp_path / "elsewhere/z.yaml").write_text("id: z\n")
    after = source_stats(tmp_path, listing, Seen(files={"elsewhere/z.yaml"}))
    assert "batches/linked/z.yaml" in [rel for rel, _ in after.stats]
