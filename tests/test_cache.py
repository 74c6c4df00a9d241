"""The build cache and parallel rendering never change a byte of the output."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO, copy_example, mfsite, tree_bytes

BASE = "https://shop.example.test/kiez/"


def build(site: Path, output: Path, *extra: str) -> str:
    run = mfsite("build", "--source", site, "--output", output, "--base-url", BASE, *extra)
    assert run.code == 0, run.err
    return run.out


def clean_build(site: Path, tmp: Path) -> dict[str, bytes]:
    """A build from nothing: no cache, no previous output, in a copy of the sources."""
    copy = tmp / "clean-source"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output", ".mfsite-cache"))
    build(copy, tmp / "clean-output")
    result = tree_bytes(tmp / "clean-output")
    shutil.rmtree(tmp / "clean-output")
    return result


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "site")


def test_cold_cached_edited_and_deleted_builds_equal_clean_ones(site: Path, tmp_path: Path) -> None:
    output = site / "output"
    cold = build(site, output)
    assert "0 unchanged" in cold
    assert (site / ".mfsite-cache/qr-codes.json").is_file() and (
        site / ".mfsite-cache/manifest.json"
    ).is_file()
    assert tree_bytes(output) == clean_build(site, tmp_path)

    cached = build(site, output)
    assert ": 0 files written" in cached  # nothing changed: every file linked from the last build
    assert tree_bytes(output) == clean_build(site, tmp_path)

    batch = site / "batches/hoodie-nov-26.yaml"
    batch.write_text(
        batch.read_text(encoding="utf-8").replace("quantity: 48", "quantity: 50"), encoding="utf-8"
    )
    edited = build(site, output)
    assert "unchanged" in edited and ": 0 files written" not in edited
    assert tree_bytes(output) == clean_build(site, tmp_path)

    (site / "batches/2025/tee-2503-a.yaml").unlink()
    deleted = build(site, output)
    assert "0 removed" not in deleted
    assert not (output / "b/tee-2503-a").exists()
    assert tree_bytes(output) == clean_build(site, tmp_path)


def test_a_damaged_cache_is_ignored(site: Path, tmp_path: Path) -> None:
    build(site, site / "output")
    (site / ".mfsite-cache/qr-codes.json").write_text("{not json", encoding="utf-8")
    (site / ".mfsite-cache/manifest.json").write_text("[]", encoding="utf-8")
    build(site, site / "output")
    assert tree_bytes(site / "output") == clean_build(site, tmp_path)


def test_a_hand_edited_output_file_is_not_trusted_after_the_cache_is_deleted(
    site: Path, tmp_path: Path
) -> None:
    build(site, site / "output")
    shutil.rmtree(site / ".mfsite-cache")  # "safe to delete": the next build renders everything
    page = site / "output/b/hd-2611-a/index.html"
    page.write_text("tampered", encoding="utf-8")
    assert "0 unchanged" in build(site, site / "output")
    assert tree_bytes(site / "output") == clean_build(site, tmp_path)


def test_jobs_1_and_2_give_identical_output(site: Path, tmp_path: Path) -> None:
    build(site, tmp_path / "one", "--jobs", "1")
    shutil.rmtree(site / ".mfsite-cache")
    build(site, tmp_path / "two", "--jobs", "2")
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_the_benchmark_runs(tmp_path: Path) -> None:
    """A small round of the benchmark suite, so it keeps working; its timings are not judged."""
    import subprocess

    run = subprocess.run(
        [sys.executable, REPO / "benchmarks/run.py", "--batches", "100", "--rounds", "1", "--work", tmp_path],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "cold build" in run.stdout and "mfsite/Hugo" in run.stdout
