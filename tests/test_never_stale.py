"""Never a stale site (issue 18): whatever happened to the sources, the output or the build
cache since the last build, a build, watch or serve that says it is done leaves exactly what
a clean build of the same sources leaves, byte for byte.

One test per case of the issue (1-4 and 6-13), each following the issue's steps as a user
would, through the real command line only. "A clean build": the site's sources (site.yaml,
batches, content, templates, static) copied to a new folder and built there; the build cache
(.mfsite-cache/) lives in the site folder, so the copy starts without one.

Tests that need a mount (a small tmpfs, a read-only bind mount) or `chattr` skip where this
machine does not allow it (CI runs as root).
"""

from __future__ import annotations

import contextlib
import html
import os
import pickle
import queue
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from background import Background, get
from conftest import MINI_SITE, REPO, copy_example, mfsite, share_caches, tree_bytes, write_site

from mfsite.state import BuildState

SOURCES = ("site.yaml", "batches", "content", "templates", "static", "photos")
THEME = REPO / "mfsite/theme/templates"
CACHE = ".mfsite-cache"
FAILED = ("build failed", "keeps the last good build")
QUIET = 0.5  # seconds without a line from watch: its rebuilds for one change are done

# The example shop (copy_example): a batch with an id of its own, a partner, and more.
HOODIE = "batches/hoodie-nov-26.yaml"  # id HD-2611-A, run: stock, quantity: 48
HOODIE_ID = "hd-2611-a"
TEE = "batches/tee-2602-a.yaml"  # partner naehwerk-neukoelln
PARTNER = "content/partners/naehwerk-neukoelln.md"


# Comparing with a clean build -------------------------------------------------------------


def clean_build(site: Path, tmp_path: Path) -> Path:
    """The site's sources copied to a new folder (a link followed: the copy holds the files)
    and built there from nothing, into an output folder of its own; returns that output."""
    copy = Path(tempfile.mkdtemp(prefix="clean-", dir=tmp_path))
    for part in SOURCES:
        src = site / part
        if src.is_dir():
            shutil.copytree(src, copy / "site" / part)
        elif src.is_file():
            (copy / "site").mkdir(exist_ok=True)
            shutil.copy2(src, copy / "site" / part)
    if (copy / "site" / "photos").is_dir():
        share_caches(copy / "site")  # (processed from the same bytes: the same copies)
    run = mfsite("build", "--source", copy / "site", "--output", copy / "output")
    assert run.code == 0, f"the clean build failed: {run.err}"
    return copy / "output"


def differences(live: dict[str, bytes], clean: dict[str, bytes]) -> list[str]:
    """What tells the two apart, one line per path, the first changed file's first changed line."""
    found = [f"missing: {p}" for p in sorted(clean.keys() - live.keys())]
    found += [f"not in a clean build: {p}" for p in sorted(live.keys() - clean.keys())]
    changed = sorted(p for p in live.keys() & clean.keys() if live[p] != clean[p])
    for i, path in enumerate(changed):
        line = f"differs: {path}"
        if i == 0:
            old = live[path].decode("utf-8", "replace").splitlines()
            new = clean[path].decode("utf-8", "replace").splitlines()
            for n, (a, b) in enumerate(zip(old + [""] * len(new), new + [""] * len(old), strict=False)):
                if a != b:
                    line += f" (line {n + 1}: {a[:160]!r}, a clean build: {b[:160]!r})"
                    break
        found.append(line)
    return found


def assert_equals_clean_build(site: Path, output: Path, tmp_path: Path, what: str = "") -> None:
    """`output` holds byte for byte what a clean build of a copy of `site`'s sources writes."""
    diffs = differences(tree_bytes(output), tree_bytes(clean_build(site, tmp_path)))
    shown = "\n  ".join(diffs[:12]) + (f"\n  and {len(diffs) - 12} more" if len(diffs) > 12 else "")
    assert not diffs, f"{what or output} is not what a clean build writes ({len(diffs)} paths):\n  {shown}"


# Editing as a user does -------------------------------------------------------------------


def save(path: Path, text: str) -> None:
    """Save as most editors do: a temporary file beside it, renamed over the original."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.swp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}: the test's example changed"
    save(path, text.replace(old, new, 1))


def edit_in_place(path: Path, old: str, new: str) -> None:
    """Overwrite bytes in the file itself, the length kept: same inode, no new block."""
    assert len(old.encode()) == len(new.encode())
    data = path.read_bytes()
    at = data.index(old.encode())
    with open(path, "r+b") as handle:
        handle.seek(at)
        handle.write(new.encode())


def theme_template(name: str, old: str = "", new: str = "") -> str:
    """A template of the built-in theme, as a site copies it into templates/ to change it."""
    text = (THEME / name).read_text(encoding="utf-8")
    if old:
        assert old in text, f"{old!r} is not in the theme's {name}: the test needs a new anchor"
        text = text.replace(old, new)
    return text


PRODUCT_LINK = "{{ batch.product | marked }}</a>"
WITH_RUN = theme_template(
    "batch-row.html", PRODUCT_LINK, PRODUCT_LINK + ' <span class="run">{{ batch.run }}</span>'
)


def written(run_lines: list[str]) -> int:
    """The count in the build's report: 'built N batches into OUT: W files written, ...'."""
    for line in run_lines:
        found = re.search(r"(\d+) files written", line)
        if found:
            return int(found[1])
    raise AssertionError(f"no report line with 'files written' in {run_lines}")


def build(site: Path, *args: str | Path) -> None:
    run = mfsite("build", "--source", site, *args)
    assert run.code == 0, run.err


# Watch and serve --------------------------------------------------------------------------


@contextlib.contextmanager
def running(*args: str | Path) -> Iterator[Background]:
    """`mfsite watch` or `serve` in the background, stopped (Ctrl-C) however the test ends."""
    proc = Background(*args)
    try:
        yield proc
    finally:
        proc.end()


def is_status(line: str) -> bool:
    """The line that ends a rebuild: its report, or the word that it failed."""
    return "files written" in line or any(word in line for word in FAILED)


def settle(proc: Background, last: str | None = None, quiet: float = QUIET) -> str | None:
    """Read what watch prints until it has been quiet for `quiet` seconds (one change may give
    two rebuilds: a move, a folder and the file in it); the last status line seen."""
    while True:
        try:
            line = proc.lines.get(timeout=quiet)
        except queue.Empty:
            return last
        proc.seen.append(line)
        if is_status(line):
            last = line


def next_status(proc: Background, timeout: float = 20) -> str:
    """Wait for the rebuild a change starts, and any that follow it; the last one's line."""
    first = proc.wait_line(is_status, timeout)
    return settle(proc, first) or first


def rebuilt(proc: Background, timeout: float = 20) -> str:
    line = next_status(proc, timeout)
    assert "files written" in line, "the rebuild failed:\n" + "\n".join(proc.seen[-15:])
    no_traceback(proc)
    return line


def failed(proc: Background, timeout: float = 20) -> str:
    line = next_status(proc, timeout)
    assert any(word in line for word in FAILED), "a broken site built:\n" + "\n".join(proc.seen[-15:])
    no_traceback(proc)
    return line


def no_traceback(proc: Background) -> None:
    at = next((i for i, seen in enumerate(proc.seen) if "Traceback" in seen), None)
    assert at is None, "a traceback:\n" + "\n".join(proc.seen[max(0, at - 3) : at + 40])


def started(proc: Background) -> None:
    proc.wait_line(lambda line: line.startswith(("watching ", "serving ")), timeout=60)
    settle(proc)


# Mounts and frozen folders ----------------------------------------------------------------


def mounts_under(root: Path) -> list[str]:
    """Mount points below root, deepest (latest) first."""
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        for line in handle:
            point = line.split()[4].replace("\\040", " ")
            if Path(point).is_relative_to(root):
                points.append(point)
    return points[::-1]


def release(root: Path) -> None:
    """Undo what a test froze below root, wherever a build moved it: mounts, immutable flags."""
    for point in mounts_under(root.resolve()):
        subprocess.run(["umount", "-l", point], capture_output=True)
    if shutil.which("chattr"):
        subprocess.run(["chattr", "-R", "-f", "-i", str(root)], capture_output=True)


def mount(*args: str) -> None:
    if shutil.which("mount") is None:
        pytest.skip("no mount command here (apt-get install mount)")
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({' '.join(args)}): {done.stderr.strip()}")


def make_read_only(folder: Path) -> None:
    """A read-only bind mount of the folder on itself: as root, permission bits stop nothing."""
    mount("--bind", str(folder), str(folder))
    done = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        subprocess.run(["umount", str(folder)], capture_output=True)
        pytest.skip(f"cannot make a read-only bind mount here: {done.stderr.strip()}")


def freeze(folder: Path) -> None:
    """A folder no file may be added to, replaced or removed in: `chattr +i`, else read-only."""
    if shutil.which("chattr"):
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
        if done.returncode == 0:
            return
    make_read_only(folder)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs, to be filled."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mount("-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk))
    try:
        yield disk
    finally:
        release(disk)
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.fixture
def released(tmp_path: Path) -> Iterator[Path]:
    """tmp_path, with whatever a test mounted or froze below it undone at the end."""
    try:
        yield tmp_path
    finally:
        release(tmp_path)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)
    return filler


# 1. Deleted output files --------------------------------------------------------------------


def test_1_deleted_output_files_are_written_again(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    build(site)
    output = site / "output"
    (output / "index.html").unlink()
    (output / f"b/{HOODIE_ID}/qr.png").unlink()
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    assert (output / "index.html").is_file()
    assert (output / f"b/{HOODIE_ID}/qr.png").is_file()
    assert written(run.lines) >= 2, run.out  # the report says what it did
    assert_equals_clean_build(site, output, tmp_path)


# 2. An older output put back, a page edited by hand -------------------------------------------


def test_2_an_older_output_put_back_is_brought_up_to_date(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    build(site)
    output = site / "output"
    shutil.copytree(output, tmp_path / "backup")  # times kept, as cp -a or a CI cache does
    edit(site / HOODIE, "en: Heavyweight Hoodie, Ink\n", "en: Heavyweight Hoodie, Ink Blue\n")
    build(site)
    shutil.rmtree(output)
    shutil.copytree(tmp_path / "backup", output)
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    assert "Ink Blue" in (output / f"b/{HOODIE_ID}/index.html").read_text(encoding="utf-8")
    assert_equals_clean_build(site, output, tmp_path)


def test_2_a_page_edited_by_hand_is_written_again(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    build(site)
    page = site / f"output/b/{HOODIE_ID}/index.html"
    with open(page, "a", encoding="utf-8") as handle:
        handle.write("<p>edited by hand</p>\n")
    build(site)
    assert "edited by hand" not in page.read_text(encoding="utf-8")
    assert_equals_clean_build(site, site / "output", tmp_path)


# 3. Watch leaves no stale page ----------------------------------------------------------------


def test_3_watch_with_a_template_showing_run_matches_a_clean_build(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    save(site / "templates/batch-row.html", WITH_RUN)
    output = site / "output"
    with running("watch", "--source", site) as proc:
        started(proc)
        edit(site / HOODIE, "run: stock", "run: pre-order")
        rebuilt(proc)
        assert_equals_clean_build(site, output, tmp_path, "after changing run:")

        edit(site / PARTNER, "name: Nähwerk Neukölln", "name: Nähwerk Neukölln Süd")
        rebuilt(proc)
        assert_equals_clean_build(site, output, tmp_path, "after renaming a partner")

        tee = (site / TEE).read_text(encoding="utf-8")
        save(site / "batches/tee-2612-a.yaml", tee.replace("run: stock", "run: made-to-order"))
        rebuilt(proc)
        assert_equals_clean_build(site, output, tmp_path, "after a new batch")

        (site / "batches/2026").mkdir()
        os.rename(site / "batches/tee-2604-b.yaml", site / "batches/2026/tee-2604-b.yaml")
        rebuilt(proc)
        assert_equals_clean_build(site, output, tmp_path, "after moving a batch to a sub-folder")

        (site / "batches/kn-2610-b.yaml").unlink()
        rebuilt(proc)
        assert not (output / "b/kn-2610-b").exists()
        assert_equals_clean_build(site, output, tmp_path, "after deleting a batch")
        assert proc.stop() == 0


# 4. Watch keeps the QR cache whole ------------------------------------------------------------


def test_4_watch_leaves_a_build_cache_as_whole_as_build_does(tmp_path: Path) -> None:
    """No outside view shows which QR codes the cache holds (only how long a build takes), so:
    two copies of one site, the same edits, one built by watch and one by `mfsite build`; the
    cache watch leaves is not smaller than the one build leaves. The first edit comes before
    watch starts, so that its first build has a page to make (the issue: that build made the
    one code it needed, and saved that one alone)."""
    by_watch = copy_example(tmp_path / "a/site")
    by_build = copy_example(tmp_path / "b/site")  # paths of the same length: same bytes cached
    for site in (by_watch, by_build):
        build(site)
        edit(site / HOODIE, "quantity: 48", "quantity: 49")
    build(by_build)
    with running("watch", "--source", by_watch) as proc:
        started(proc)
        edit(by_watch / TEE, "quantity: 72", "quantity: 73")
        rebuilt(proc)
        assert proc.stop() == 0
    edit(by_build / TEE, "quantity: 72", "quantity: 73")
    build(by_build)
    # The codes and the batches' list parts (the output record's size depends on how pickle
    # shares its strings, not on what it holds), and the batch files the cache holds (pickled
    # in groups, whose sizes depend on how the files were grouped).
    lists = [f"parts/{path.name}" for path in (by_build / CACHE / "parts").iterdir()]  # a file a list
    for name in ("qr-codes.pickle", *lists):
        watched, built = (site / CACHE / name for site in (by_watch, by_build))
        assert watched.stat().st_size >= built.stat().st_size, name
    held = [
        BuildState(site, site / "output").batch_files.cache.entries.keys() for site in (by_watch, by_build)
    ]
    assert held[0] >= held[1] and len(held[1]) == len(list((by_build / "batches").rglob("*.yaml")))
    assert_equals_clean_build(by_watch, by_watch / "output", tmp_path)


# 6. A deletion under watch is remembered -------------------------------------------------------


def test_6_a_batch_deleted_under_watch_comes_back_with_the_next_build(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    batch = site / "batches/kn-2610-b.yaml"
    text = batch.read_text(encoding="utf-8")
    with running("watch", "--source", site) as proc:
        started(proc)
        batch.unlink()
        rebuilt(proc)
        assert not (site / "output/b/kn-2610-b").exists()
        assert proc.stop() == 0
    batch.write_text(text, encoding="utf-8")
    build(site)
    for part in ("index.html", "label/index.html", "qr.png", "qr.svg", "passport.json"):
        assert (site / "output/b/kn-2610-b" / part).is_file(), part
    assert_equals_clean_build(site, site / "output", tmp_path)


# 7. Changes made while the site is broken ------------------------------------------------------


def test_7_changes_made_while_the_site_is_broken_are_built_after_the_fix(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    save(site / "templates/base.html", theme_template("base.html"))
    output = site / "output"
    with running("watch", "--source", site) as proc:
        started(proc)
        before = tree_bytes(output)
        edit(site / TEE, "partner: naehwerk-neukoelln", "partner: nope")
        failed(proc)
        edit(site / HOODIE, "quantity: 48", "quantity: 49")
        failed(proc)
        edit(site / "templates/base.html", "Skip to content", "Skip to the content")
        failed(proc)
        assert tree_bytes(output) == before  # the last good build, all the while
        edit(site / TEE, "partner: nope", "partner: naehwerk-neukoelln")
        rebuilt(proc)
        assert "Skip to the content" in (output / "index.html").read_text(encoding="utf-8")
        assert_equals_clean_build(site, output, tmp_path, "after the fix")
        assert proc.stop() == 0


# 8. An unexpected exception -------------------------------------------------------------------

BAD_LIST = theme_template("batch-row.html", "{{ batch.product | marked }}", "{{ batch.product + 1 }}")


def test_8_watch_reports_an_exception_in_a_template_and_goes_on(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"templates/batch-row.html": theme_template("batch-row.html")})
    output = site / "output"
    with running("watch", "--source", site) as proc:
        started(proc)
        mark = len(proc.seen)
        save(site / "templates/batch-row.html", BAD_LIST)
        failed(proc)
        said = [text for text in proc.seen[mark:] if text.strip() and not is_status(text)]
        assert any("batch-row.html" in text for text in said), said  # where it went wrong
        assert proc.proc.poll() is None  # still watching
        save(site / "templates/batch-row.html", theme_template("batch-row.html"))  # the fix
        rebuilt(proc)
        assert_equals_clean_build(site, output, tmp_path, "after the fix")
        edit(site / "batches/tee-1.yaml", "product: Tee", "product: Boxy Tee")  # and it goes on
        rebuilt(proc)
        assert_equals_clean_build(site, output, tmp_path, "after the next edit")
        assert proc.stop() == 0
    assert not any("Traceback" in line for line in proc.seen), proc.seen


def test_8_serve_shows_an_exception_in_a_template_then_the_fixed_site(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"templates/batch-row.html": theme_template("batch-row.html")})
    with running("serve", "--source", site, "--port", "0") as proc:
        line = proc.wait_line(lambda text: text.startswith("serving http://"), timeout=60)
        url = re.match(r"serving (\S+)", line)[1]  # type: ignore[index]
        settle(proc)
        assert get(url)[0] == 200
        mark = len(proc.seen)
        save(site / "templates/batch-row.html", BAD_LIST)
        failed(proc)
        said = [text for text in proc.seen[mark:] if text.strip() and not is_status(text)]
        assert any("batch-row.html" in text for text in said), f"no error named the template: {said}"
        status, body = get(url)
        assert status == 500, body[:500]
        page = html.unescape(body)
        assert all(text.strip() in page for text in said), (said, page[:2000])  # the terminal's words
        save(site / "templates/batch-row.html", WITH_RUN)
        rebuilt(proc)
        status, body = get(url)
        assert status == 200 and "Mini Shop" in body, body[:500]
        assert said[0].strip() not in html.unescape(body)
        assert_equals_clean_build(site, site / "output", tmp_path, "after the fix")
        assert proc.stop() == 0


# 9. Watch keeps its folders ------------------------------------------------------------------


@pytest.mark.parametrize("poll", [False, True], ids=["inotify", "poll"])
def test_9_watch_sees_edits_in_a_batches_folder_put_back(tmp_path: Path, poll: bool) -> None:
    site = write_site(tmp_path / "site")
    output = site / "output"
    shutil.copytree(site / "batches", tmp_path / "saved")
    with running("watch", "--source", site, *(["--poll"] if poll else [])) as proc:
        started(proc)
        shutil.rmtree(site / "batches")  # a restore, or a branch switch
        next_status(proc)  # it may build or fail without batches: either way, it has seen it
        shutil.copytree(tmp_path / "saved", site / "batches")
        rebuilt(proc)
        edit(site / "batches/tee-1.yaml", "product: Tee", "product: Boxy Tee")
        rebuilt(proc)
        assert "Boxy Tee" in (output / "b/tee-1/index.html").read_text(encoding="utf-8")
        assert_equals_clean_build(site, output, tmp_path, "after an edit in the folder put back")
        assert proc.stop() == 0


def test_9_watch_sees_edits_in_a_linked_batches_folder(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (site / "data").mkdir()
    os.rename(site / "batches", site / "data/batches")
    os.symlink("data/batches", site / "batches")  # the loader follows a link inside the site
    output = site / "output"
    with running("watch", "--source", site) as proc:
        started(proc)
        assert (output / "b/tee-1/index.html").is_file()
        edit(site / "data/batches/tee-1.yaml", "product: Tee", "product: Boxy Tee")
        rebuilt(proc)
        assert "Boxy Tee" in (output / "b/tee-1/index.html").read_text(encoding="utf-8")
        assert_equals_clean_build(site, output, tmp_path, "after an edit in the linked folder")
        assert proc.stop() == 0


# 10. A cache that cannot be written ------------------------------------------------------------

SPARE = "spare/tee-2.yaml"  # a batch file kept where the loader does not look
WITH_QUANTITY = {
    "batches/tee-1.yaml": MINI_SITE["batches/tee-1.yaml"] + "quantity: 40\n",
    SPARE: MINI_SITE["batches/tee-1.yaml"].replace("product: Tee", "product: Duo"),
}


def check_unwritable_cache(site: Path, output: Path, tmp_path: Path, unblock: Callable[[], object]) -> None:
    batch = site / "batches/tee-1.yaml"
    page = output / "b/tee-1/index.html"
    for old, new in (("quantity: 40", "quantity: 41"), ("quantity: 41", "quantity: 40")):
        edit_in_place(batch, old, new)
        run = mfsite("build", "--source", site, "--output", output)
        assert run.code == 0, run.err  # an unwritable cache costs speed, never correctness
        assert f"One of {new.split()[1]} pieces" in page.read_text(encoding="utf-8")
        assert_equals_clean_build(site, output, tmp_path, f"with {new} and the cache unwritable")
    # A new batch's files, published while no record could be kept, are mfsite's all the same.
    # (Moved in from a folder the loader does not read: a full disk takes no new file.)
    spare, second = site / SPARE, site / "batches/tee-2.yaml"
    for step, (src, dst) in (("a new batch", (spare, second)), ("the new batch gone", (second, spare))):
        os.rename(src, dst)
        run = mfsite("build", "--source", site, "--output", output)
        assert run.code == 0, run.err
        assert_equals_clean_build(site, output, tmp_path, f"after {step}, the cache unwritable")
    unblock()
    build(site, "--output", output)
    assert_equals_clean_build(site, output, tmp_path, "once the cache is writable again")
    assert [p.name for p in (site / CACHE).rglob(".*.pickle.*") if p.stat().st_size == 0] == []


def test_10_a_full_disk_under_the_cache_costs_no_correctness(small_disk: Path, tmp_path: Path) -> None:
    site = write_site(small_disk / "site", WITH_QUANTITY)
    output = tmp_path / "output"  # another disk: only the cache cannot be written
    build(site, "--output", output)
    assert (site / CACHE).is_dir()
    filler = fill(small_disk)
    check_unwritable_cache(site, output, tmp_path, filler.unlink)


def test_10_a_read_only_cache_costs_no_correctness(released: Path) -> None:
    tmp_path = released
    site = write_site(tmp_path / "site", WITH_QUANTITY)
    output = site / "output"
    build(site)
    assert (site / CACHE).is_dir()
    make_read_only(site / CACHE)
    check_unwritable_cache(site, output, tmp_path, lambda: release(tmp_path))


# 11. An edit that keeps size, mtime and inode ------------------------------------------------------


def test_11_clean_sees_an_edit_that_keeps_size_mtime_and_inode(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    build(site)
    batch = site / HOODIE
    before = os.stat(batch)
    edit_in_place(batch, "quantity: 48", "quantity: 49")  # as cp -p, rsync --inplace -t may leave it
    os.utime(batch, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(batch)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    build(site, "--clean")  # --clean trusts nothing
    assert "One of 49 pieces" in (site / f"output/b/{HOODIE_ID}/index.html").read_text(encoding="utf-8")
    assert_equals_clean_build(site, site / "output", tmp_path)


# 12. A static file becomes a folder, and back ------------------------------------------------------


def test_12_a_static_file_replaced_by_a_folder_and_back(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"static/x.txt": "a file\n"})
    output = site / "output"
    build(site)
    (site / "static/x.txt").unlink()
    (site / "static/x.txt").mkdir()
    (site / "static/x.txt/inner.txt").write_text("a file in a folder\n", encoding="utf-8")
    build(site)
    assert_equals_clean_build(site, output, tmp_path, "with the file become a folder")
    shutil.rmtree(site / "static/x.txt")
    (site / "static/x.txt").write_text("a file again\n", encoding="utf-8")
    build(site)
    assert_equals_clean_build(site, output, tmp_path, "with the folder become a file")


# 13. A publish that fails half-way -------------------------------------------------------------


def test_13_a_publish_that_fails_half_way_says_so_and_the_next_build_finishes(released: Path) -> None:
    tmp_path = released
    site = copy_example(tmp_path / "site")
    output = site / "output"
    build(site)
    refusing = output / f"b/{HOODIE_ID}"
    freeze(refusing)  # nothing may be added, replaced or removed in it
    edit(site / PARTNER, "name: Nähwerk Neukölln", "name: Nähwerk Neukölln Süd")  # pages in and out of it
    before = tree_bytes(output)
    run = mfsite("build", "--source", site)
    assert run.code == 1, run.out + run.err
    assert f"b/{HOODIE_ID}" in run.err, run.err  # the folder that refused
    assert ".mfsite-" not in run.err, run.err  # not a file in a staging folder
    if tree_bytes(output) != before:  # some pages are already new
        assert "was left as it was" not in run.err, run.err
    release(tmp_path)
    build(site)
    assert_equals_clean_build(site, output, tmp_path, "after the next build")


# Found in review -------------------------------------------------------------------------------


def test_a_linked_folder_of_templates_is_part_of_the_theme(tmp_path: Path) -> None:
    """An override that includes one from a folder linked into templates/ (the loader follows
    links inside the site): an edit there makes the pages that use it anew."""
    site = write_site(tmp_path / "site")
    (site / "shared").mkdir()
    (site / "shared/part.html").write_text("<p>part one</p>\n", encoding="utf-8")
    (site / "templates").mkdir()
    os.symlink("../shared", site / "templates/partials")
    (site / "templates/404.html").write_text('{% include "partials/part.html" %}\n', encoding="utf-8")
    build(site)
    (site / "shared/part.html").write_text("<p>part two</p>\n", encoding="utf-8")
    build(site)
    assert "part two" in (site / "output/404.html").read_text(encoding="utf-8")
    assert_equals_clean_build(site, site / "output", tmp_path)


def test_a_hidden_template_is_refused_as_the_loader_refuses_hidden_files(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {"templates/.part.html": "<p>hidden</p>\n"})
    (site / "templates/404.html").write_text('{% include ".part.html" %}\n', encoding="utf-8")
    run = mfsite("build", "--source", site)
    assert run.code == 1
    assert "templates/404.html:1:1: error: TemplateNotFound: .part.html" in run.err
    assert not (site / "output").exists()


def test_clean_makes_every_qr_code_anew(tmp_path: Path) -> None:
    """--clean trusts nothing: not even a QR code the state holds for a batch's address."""
    site = copy_example(tmp_path / "site")
    build(site)
    codes = site / CACHE / "qr-codes.pickle"
    stamp, data = pickle.loads(codes.read_bytes())
    same_version = [entry for entry in data if entry[2] == data[0][2]]
    assert len(same_version) >= 2
    first, second = same_version[0], same_version[1]
    swapped = {first[0]: second[3], second[0]: first[3]}  # each address given the other's code
    codes.write_bytes(pickle.dumps((stamp, [(u, lv, v, swapped.get(u, p)) for u, lv, v, p in data])))
    build(site, "--clean")
    assert_equals_clean_build(site, site / "output", tmp_path)


@pytest.mark.parametrize(
    "damage",
    [
        {"versions": []},
        {"report": ("x", "", 1, "M", {}, [{"file": "a", "line": float("inf"), "column": 1}])},
        {"files": {"index.html\0x": "sig"}},
    ],
    ids=["versions no dict", "a warning's line no number", "a path with a NUL"],
)
def test_a_damaged_record_is_ignored(tmp_path: Path, damage: dict[str, object]) -> None:
    site = write_site(tmp_path / "site")
    build(site)
    [record] = (site / CACHE).glob("output-*.pickle")
    stamp, data = pickle.loads(record.read_bytes())
    record.write_bytes(pickle.dumps((stamp, {**data, **damage})))
    (site / "site.yaml").touch()
    for _ in range(2):  # ignored, then replaced
        build(site)
        assert_equals_clean_build(site, site / "output", tmp_path)


# What the watches saw (seen.py): under watch, each rebuild stats only what changed --------------


def test_output_files_damaged_under_watch_are_written_again_by_the_next_rebuild(tmp_path: Path) -> None:
    """The output folder is watched too: a page deleted, one edited by hand, a QR image put back
    from elsewhere and a whole batch folder removed under watch are all made again by the
    rebuild the next edit starts."""
    site = copy_example(tmp_path / "site")
    output = site / "output"
    with running("watch", "--source", site) as proc:
        started(proc)
        edit(site / TEE, "quantity: 72", "quantity: 73")  # a first hinted rebuild
        rebuilt(proc)
        (output / "index.html").unlink()
        about = output / "about/index.html"
        about.write_text(about.read_text(encoding="utf-8") + "<!-- by hand -->", encoding="utf-8")
        shutil.copy2(output / f"b/{HOODIE_ID}/qr.png", output / "b/kn-2610-b/qr.png")
        shutil.rmtree(output / "b/tee-2602-a/label")
        edit(site / HOODIE, "quantity: 48", "quantity: 49")
        rebuilt(proc)
        assert_equals_clean_build(site, output, tmp_path, "after the output was damaged under watch")
        assert proc.stop() == 0


def test_output_damaged_while_the_site_is_broken_is_repaired_after_the_fix(tmp_path: Path) -> None:
    """A rebuild that fails does not use up what the watch saw in the output."""
    site = copy_example(tmp_path / "site")
    output = site / "output"
    with running("watch", "--source", site) as proc:
        started(proc)
        edit(site / TEE, "partner: naehwerk-neukoelln", "partner: nope")
        failed(proc)
        (output / "index.html").unlink()
        (output / "feed.xml").write_text("<feed/>", encoding="utf-8")
        edit(site / HOODIE, "quantity: 48", "quantity: 49")
        failed(proc)
        edit(site / TEE, "partner: nope", "partner: naehwerk-neukoelln")
        rebuilt(proc)
        assert_equals_clean_build(site, output, tmp_path, "after the fix")
        assert proc.stop() == 0


def test_an_output_folder_deleted_whole_under_watch_is_made_again(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    output = site / "output"
    with running("watch", "--source", site) as proc:
        started(proc)
        shutil.rmtree(output)
        edit(site / HOODIE, "quantity: 48", "quantity: 49")
        rebuilt(proc)
        edit(site / HOODIE, "quantity: 49", "quantity: 50")  # and the new folder is watched
        rebuilt(proc)
        (output / "404.html").unlink()
        edit(site / TEE, "quantity: 72", "quantity: 73")
        rebuilt(proc)
        assert_equals_clean_build(site, output, tmp_path, "after the output was deleted")
        assert proc.stop() == 0


def test_a_batch_file_linked_from_outside_the_watched_folders_is_read_at_each_rebuild(
    tmp_path: Path,
) -> None:
    """A link's target may lie where no watch looks (here `data/`, inside the site): an edit
    there starts no rebuild, but the next rebuild reads it."""
    site = copy_example(tmp_path / "site")
    (site / "data").mkdir()
    os.rename(site / HOODIE, site / "data/hoodie.yaml")
    os.symlink("../data/hoodie.yaml", site / HOODIE)
    output = site / "output"
    with running("watch", "--source", site) as proc:
        started(proc)
        edit(site / TEE, "quantity: 72", "quantity: 73")
        rebuilt(proc)
        edit(site / "data/hoodie.yaml", "quantity: 48", "quantity: 49")  # no event for the link
        edit(site / TEE, "quantity: 73", "quantity: 74")
        rebuilt(proc)
        assert "49" in (output / f"b/{HOODIE_ID}/index.html").read_text(encoding="utf-8")
        assert_equals_clean_build(site, output, tmp_path, "after an edit behind a link")
        assert proc.stop() == 0


def test_a_folder_of_batches_moved_in_under_watch_is_read_whole(tmp_path: Path) -> None:
    """A folder moved in brings files no event names one by one."""
    site = copy_example(tmp_path / "site")
    outside = tmp_path / "drop"
    outside.mkdir()
    hoodie = (site / HOODIE).read_text(encoding="utf-8")
    for n in (1, 2):
        text = hoodie.replace("id: HD-2611-A", f"id: HD-2611-N{n}")
        (outside / f"drop-{n}.yaml").write_text(text, encoding="utf-8")
    output = site / "output"
    with running("watch", "--source", site) as proc:
        started(proc)
        edit(site / TEE, "quantity: 72", "quantity: 73")
        rebuilt(proc)
        os.rename(outside, site / "batches/drop")
        rebuilt(proc)
        assert (output / "b/hd-2611-n2/index.html").is_file()
        edit(site / "batches/drop/drop-1.yaml", "quantity: 48", "quantity: 47")
        rebuilt(proc)
        assert_equals_clean_build(site, output, tmp_path, "after a folder was moved in")
        assert proc.stop() == 0


def test_editor_leftovers_are_neither_published_nor_watched(tmp_path: Path) -> None:
    """Names watch ignores (`*~`, `*.bak`, `*.swp`, `.#lock`, `#autosave#`) are not sources
    either: a static file named so is not published, so no edit of it is ever missed."""
    site = copy_example(tmp_path / "site")
    leftovers = ["logo.svg~", "notes.bak", "page.html.swp", "#draft.css#", "upload.part"]
    for name in leftovers:
        (site / "static" / name).write_text("left over", encoding="utf-8")
    build(site)
    published = {p.name for p in (site / "output").rglob("*")}
    assert not published & set(leftovers), sorted(published & set(leftovers))
    assert_equals_clean_build(site, site / "output", tmp_path)


def test_an_output_folder_deleted_whole_is_made_whole_again(tmp_path: Path) -> None:
    """Not written file by file into a folder without mfsite's marker, which the build after
    would refuse as someone else's."""
    site = copy_example(tmp_path / "site")
    build(site)
    shutil.rmtree(site / "output")
    build(site)
    assert (site / "output/.mfsite-output").is_file()
    run = mfsite("build", "--source", site)
    assert run.code == 0 and ": 0 files written" in run.out, run.out + run.err
    assert_equals_clean_build(site, site / "output", tmp_path)
