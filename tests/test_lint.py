"""The code stays ruff clean: lint and format are part of the suite."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_ruff_check_and_format() -> None:
    folders = [name for name in ("mfsite", "tests", "benchmarks", "scripts") if (REPO / name).is_dir()]
    for args in (["check"], ["format", "--check"]):
        run = subprocess.run(
            [sys.executable, "-m", "ruff", *args, *folders],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout + run.stderr
