"""Progress while a build takes more than a moment: a bar on a terminal, plain lines elsewhere (CI).

Whether a build takes more than the moment (Progress.DELAY) depends on the machine: the builds
here set MFSITE_PROGRESS_DELAY to 0, so progress shows from the start on any machine, and the
delay itself is checked on a Progress whose start is moved, not by waiting.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_example, mfsite

from mfsite.commands.build import Progress

BASE = "https://shop.example.test/kiez/"
SHOW_AT_ONCE = {**os.environ, "MFSITE_PROGRESS_DELAY": "0"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example shop with 50 more batches: a few hundred files to render."""
    site = copy_example(tmp_path_factory.mktemp("progress") / "site")
    hoodie = (site / "batches/hoodie-nov-26.yaml").read_text(encoding="utf-8").replace("id: HD-2611-A\n", "")
    for n in range(50):
        (site / f"batches/hd-{n:03d}.yaml").write_text(hoodie, encoding="utf-8")
    return site


def full_build(site: Path) -> list[str]:
    """Options for a build that renders every file anew (no build cache), in one process."""
    shutil.rmtree(site / ".mfsite-cache", ignore_errors=True)
    return ["--base-url", BASE, "--jobs", "1"]


def test_without_a_terminal_progress_is_plain_lines(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = mfsite("build", "--source", site, "--output", out, *full_build(site), env=SHOW_AT_ONCE)
    assert run.code == 0, run.err
    lines = [line for line in run.err.splitlines() if line.startswith("rendering")]
    assert all(line.startswith("rendering: ") and line.endswith(" %)") for line in lines), run.err
    done = [int(line.split()[1].split("/")[0]) for line in lines]
    assert len(done) >= 3 and done == sorted(set(done)), run.err  # a few lines, each further on
    assert "\r" not in run.err
    files = sum(1 for path in out.rglob("*") if path.is_file()) - 1  # not the marker
    assert lines[-1] == f"rendering: {files}/{files} files (100 %)"
    assert run.out.splitlines()[-1].startswith("built 66 batches into ")


def test_on_a_terminal_progress_is_one_bar(site: Path, tmp_path: Path) -> None:
    main, terminal = pty.openpty()
    command = [sys.executable, "-m", "mfsite", "build", "--source", site, "--output", tmp_path / "out"]
    build = subprocess.Popen(
        [*map(str, command), *full_build(site)], stdout=subprocess.PIPE, stderr=terminal, env=SHOW_AT_ONCE
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


def test_nothing_shows_before_the_delay(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """Quick builds stay quiet for Progress.DELAY (1 s unless MFSITE_PROGRESS_DELAY says)."""
    monkeypatch.delenv("MFSITE_PROGRESS_DELAY")
    with Progress() as progress:
        assert progress.delay == Progress.DELAY == 1.0
        progress.started = time.perf_counter() + 3600  # as if just started, however slow the machine
        progress.update(5, 10)
        assert capsys.readouterr().err == ""
        progress.started = time.perf_counter() - progress.delay  # the delay is over
        progress.update(5, 10)
        progress.update(11, 20)  # 55 %: the same tenth, no new line
        progress.update(10, 10)
    assert capsys.readouterr().err == "rendering: 5/10 files (50 %)\nrendering: 10/10 files (100 %)\n"


@pytest.mark.parametrize(("value", "delay"), [("0", 0.0), ("2.5", 2.5), ("inf", float("inf")), ("soon", 1.0)])
def test_the_delay_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str, delay: float) -> None:
    monkeypatch.setenv("MFSITE_PROGRESS_DELAY", value)
    assert Progress().delay == delay
