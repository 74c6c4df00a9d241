"""Progress while a build takes more than a moment: a bar on a terminal, plain lines elsewhere (CI)."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_example, mfsite

BASE = "https://shop.example.test/kiez/"


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough batches that rendering them takes well over the second before progress shows."""
    site = copy_example(tmp_path_factory.mktemp("progress") / "site")
    hoodie = (site / "batches/hoodie-nov-26.yaml").read_text(encoding="utf-8").replace("id: HD-2611-A\n", "")
    for n in range(500):
        (site / f"batches/hd-{n:03d}.yaml").write_text(hoodie, encoding="utf-8")
    return site


def slow_build(site: Path) -> list[str]:
    """Options for a build that renders for well over the second before progress shows: every
    file rendered anew (no build cache), in one process."""
    shutil.rmtree(site / ".mfsite-cache", ignore_errors=True)
    return ["--base-url", BASE, "--jobs", "1"]


def test_without_a_terminal_progress_is_plain_lines(big_site: Path, tmp_path: Path) -> None:
    run = mfsite("build", "--source", big_site, "--output", tmp_path / "out", *slow_build(big_site))
    assert run.code == 0, run.err
    lines = [line for line in run.err.splitlines() if line.startswith("rendering")]
    assert lines, run.err
    assert all(line.startswith("rendering: ") and line.endswith(" %)") for line in lines)
    assert "\r" not in run.err
    files = sum(1 for path in (tmp_path / "out").rglob("*") if path.is_file()) - 1  # not the marker
    assert lines[-1] == f"rendering: {files}/{files} files (100 %)"
    assert run.out.splitlines()[-1].startswith("built 516 batches into ")


def test_on_a_terminal_progress_is_one_bar(big_site: Path, tmp_path: Path) -> None:
    main, terminal = pty.openpty()
    command = [sys.executable, "-m", "mfsite", "build", "--source", big_site, "--output", tmp_path / "out"]
    build = subprocess.Popen(
        [*map(str, command), *slow_build(big_site)], stdout=subprocess.PIPE, stderr=terminal
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the build closed its end
            break
        if not chunk:
            break
        shown += chunk
    assert build.wait(timeout=120) == 0
    os.close(main)
    text = shown.decode()
    assert "\rrendering [" in text
    assert "rendering: " not in text  # no plain lines on a terminal
    assert text.rstrip("\r\n").split("\r")[-1].startswith("rendering [#########################]")
