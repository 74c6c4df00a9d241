"""Faults: a build killed at any moment, a full disk, a read-only output.

Whatever happens, the output is the previous complete site or the new one,
never a mix, and what a killed build left behind is cleaned by the next one.
The disk tests mount a small tmpfs, which needs root (CI runs as root); they
skip where mounting is not allowed.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_example, mfsite, tree_bytes, write_site
from realparts import tool

from mfsite.publish import Staging, remove_leftovers, staging_prefix

KILL_POINTS = 20
PRODUCT = "en: Heavyweight Hoodie"


def leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.glob(staging_prefix(output) + "*"))


def start_build(site: Path) -> subprocess.Popen[bytes]:
    """The real command line in its own process group, so a kill takes every worker with it."""
    return subprocess.Popen(
        [sys.executable, "-m", "mfsite", "build", "--source", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it finished first
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def test_a_build_killed_at_any_moment_leaves_one_complete_site(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    batch = next(p for p in sorted((site / "batches").rglob("*.yaml")) if PRODUCT in p.read_text())
    sources = {"a": batch.read_text(encoding="utf-8")}
    sources["b"] = sources["a"].replace(PRODUCT, PRODUCT + " (second run)")
    trees = {}
    durations = []
    for name in ("b", "a"):  # ends with the site in state a, output a
        batch.write_text(sources[name], encoding="utf-8")
        shutil.rmtree(site / ".mfsite-cache", ignore_errors=True)
        started = time.perf_counter()
        assert mfsite("build", "--source", site).code == 0
        durations.append(time.perf_counter() - started)
        trees[name] = tree_bytes(site / "output")
    assert trees["a"] != trees["b"]
    duration = max(durations)
    rng = random.Random(7)
    state = "a"  # what the output holds
    outcomes = []
    for i in range(KILL_POINTS):
        other = "b" if state == "a" else "a"
        batch.write_text(sources[other], encoding="utf-8")
        if i % 2:
            shutil.rmtree(site / ".mfsite-cache", ignore_errors=True)  # every file rendered anew
        delay = duration * (i + rng.random()) / KILL_POINTS
        proc = start_build(site)
        time.sleep(delay)
        kill(proc)
        now = tree_bytes(site / "output")
        assert now in (trees["a"], trees["b"]), f"a mix after a kill at {delay:.3f} s"
        state = "a" if now == trees["a"] else "b"
        outcomes.append(state == other)
    # The next complete build cleans what the killed ones left behind.
    batch.write_text(sources["b"], encoding="utf-8")
    assert mfsite("build", "--source", site).code == 0
    assert tree_bytes(site / "output") == trees["b"]
    assert leftovers(site / "output") == []
    assert not all(outcomes), "no kill landed before the swap: the test did not test"


def test_leftovers_of_a_killed_build_are_removed_by_the_next(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    assert mfsite("build", "--source", site).code == 0
    before = tree_bytes(site / "output")
    shutil.rmtree(site / ".mfsite-cache", ignore_errors=True)
    proc = start_build(site)
    deadline = time.monotonic() + 60
    while not leftovers(site / "output") and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    kill(proc)
    if not leftovers(site / "output"):
        pytest.skip("the build finished before it could be caught with a staging folder")
    assert tree_bytes(site / "output") == before
    assert mfsite("build", "--source", site).code == 0
    assert leftovers(site / "output") == []
    assert tree_bytes(site / "output") == before


def test_a_running_build_keeps_its_staging_folder(tmp_path: Path) -> None:
    """Two builds at once: the second cleans leftovers, never the folder the first is writing."""
    output = tmp_path / "output"
    first = Staging(output)
    first.write("index.html", b"first")
    dead = tmp_path / (staging_prefix(output) + "killed")
    dead.mkdir()
    remove_leftovers(output)
    assert first.root.is_dir()
    assert not dead.exists()
    first.commit()
    assert (output / "index.html").read_bytes() == b"first"
    assert leftovers(output) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        [tool("mount", "mount"), "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(mount)], capture_output=True)
        subprocess.run(["umount", str(mount)], check=True)


def edit_then_fail_to_write(site: Path, output: Path, why: str, before: dict[str, bytes]) -> None:
    """Edit a batch, build: the build fails (exit 1) saying why, and the output is as it was."""
    batch = site / "batches/tee-1.yaml"
    batch.write_text(batch.read_text(encoding="utf-8").replace("product: Tee", "product: Tee 2"), "utf-8")
    run = mfsite("build", "--source", site, "--output", output)
    assert run.code == 1
    assert why in run.err
    assert "was left as it was" in run.err
    assert tree_bytes(output) == before


def test_a_full_disk_keeps_the_old_output(small_disk: Path, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    output = small_disk / "output"
    assert mfsite("build", "--source", site, "--output", output).code == 0
    before = tree_bytes(output)
    filler = small_disk / "filler"
    with open(filler, "wb", buffering=0) as handle:  # every block: the next build cannot write a file
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    edit_then_fail_to_write(site, output, "No space left on device", before)
    assert leftovers(output) == []  # the failed build took its staging folder away
    filler.unlink()
    assert mfsite("build", "--source", site, "--output", output).code == 0
    assert "Tee 2" in (output / "b/tee-1/index.html").read_text(encoding="utf-8")


def test_a_read_only_output_keeps_the_old_output(small_disk: Path, tmp_path: Path) -> None:
    # As root, permission bits are no obstacle: a read-only mount is.
    site = write_site(tmp_path / "site")
    output = small_disk / "output"
    assert mfsite("build", "--source", site, "--output", output).code == 0
    before = tree_bytes(output)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    edit_then_fail_to_write(site, output, "Read-only file system", before)


def test_an_output_folder_named_near_the_limit_builds(tmp_path: Path) -> None:
    """Staging folders have a short name of their own: an output folder whose name is 250
    characters long (the limit is 255) is built whole, then in place."""
    site = write_site(tmp_path / "site")
    output = tmp_path / ("o" * 250)
    for _ in range(2):
        run = mfsite("build", "--source", site, "--output", output, "--base-url", "https://shop.example/")
        assert run.code == 0, run.err
    assert (output / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o" * 250, "site"]  # nothing left beside it
