"""The command line itself: help, version, exit codes, init and new batch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, mfsite, write_site


def test_version_and_help() -> None:
    version = mfsite("--version")
    assert version.code == 0 and version.out.startswith("mfsite, version ")
    for command in ([], ["build"], ["check"], ["init"], ["new", "batch"]):
        run = mfsite(*command, "--help")
        assert run.code == 0 and "Usage: mfsite" in run.out, command


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["build", "--no-such-flag"],
        ["check", "--format", "xml"],
        ["build", "--source", "/nope"],
    ],
)
def test_wrong_usage_exits_2(args: list[str]) -> None:
    run = mfsite(*args)
    assert run.code == 2
    assert "Error:" in run.err


def test_init_from_an_installed_wheel_builds(tmp_path: Path) -> None:
    """Outside this repository, from a wheel: the way a shop installs it."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, REPO],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("mfsite-*.whl")
    installed = tmp_path / "installed"  # the wheel alone; its dependencies come from this machine
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", installed, wheel]
    subprocess.run(pip, check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(installed)}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [sys.executable, "-c", "import mfsite; print(mfsite.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(installed))  # the installed copy, not this checkout
    assert mfsite("init", "my-shop", cwd=elsewhere, env=env).code == 0
    build = mfsite("build", cwd=elsewhere / "my-shop", env=env)
    assert build.code == 0, build.err
    assert (elsewhere / "my-shop/output/b/tee-0001/index.html").is_file()
    assert (elsewhere / "my-shop/output/b/tee-0001/qr.png").is_file()


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    run = mfsite("init", tmp_path)
    assert run.code == 2
    assert "already exists and is not empty" in run.err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_new_batch_from_template_is_valid(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    run = mfsite("new", "batch", "HD-2700-A", "--source", site)
    assert run.code == 0, run.err
    text = (site / "batches/HD-2700-A.yaml").read_text(encoding="utf-8")
    assert "partner: atelier" in text and "material: cotton" in text
    assert mfsite("check", "--source", site).code == 0


def test_new_batch_from_another_copies_it_without_its_id(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"batches/tee-1.yaml": "id: TEE-ONE\n" + "product: Tee\n"})
    run = mfsite("new", "batch", "tee-2", "--from", "tee-one", "--source", site)
    assert run.code == 0, run.err
    assert (site / "batches/tee-2.yaml").read_text(encoding="utf-8") == "product: Tee\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tee-1"], "batch 'tee-1' already exists"),
        (["TEE-1"], "batch 'tee-1' already exists"),  # ids are compared without case
        (["bad id"], "'bad id' is not a valid batch id"),
        (["CON"], "'CON' cannot be a batch id"),  # a Windows device name: breaks checkouts there
        (["tee-2", "--from", "ghost"], "there is no batch 'ghost' to copy"),
    ],
)
def test_new_batch_never_overwrites(tmp_path: Path, args: list[str], message: str) -> None:
    site = write_site(tmp_path)
    before = (site / "batches/tee-1.yaml").read_bytes()
    run = mfsite("new", "batch", *args, "--source", site)
    assert run.code == 2
    assert message in run.err
    assert (site / "batches/tee-1.yaml").read_bytes() == before
    assert sorted(p.name for p in (site / "batches").iterdir()) == ["tee-1.yaml"]
