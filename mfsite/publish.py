"""Publish: write a build beside the output, then swap it in whole.

A failed or killed build leaves the previous output exactly as it was, and a
folder is only ever replaced when mfsite made it: a marker file says so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path

MARKER = ".mfsite-output"
MARKER_TEXT = "This folder is built by mfsite and replaced on every build: do not edit it by hand.\n"
_RENAME_EXCHANGE = 2  # renameat2 flag: swap two paths in one step (Linux 3.15+)
_AT_FDCWD = -100


class OutputRefused(Exception):
    """The output folder is one mfsite must not write to."""


def check_output(source: Path, output: Path) -> None:
    """Refuse outputs whose replacement would destroy something of the user's."""
    src, out = source.resolve(), output.resolve()
    if out == src or src.is_relative_to(out):
        raise OutputRefused(f"the output folder {output} contains the site's sources; choose another")
    if out in (Path(out.anchor), Path.home().resolve()):
        raise OutputRefused(f"refusing to use {output} as the output folder")
    for name in ("batches", "content", "templates", "static"):
        if out.is_relative_to(src / name):
            raise OutputRefused(f"the output folder {output} is inside the site's {name}/ folder")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputRefused(f"{output} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise OutputRefused(
            f"{output} already holds files that mfsite did not write; "
            "move them away or choose another --output"
        )


def staging_prefix(output: Path) -> str:
    return f".{output.name}.mfsite-"


def remove_leftovers(output: Path) -> None:
    """Delete staging folders that a killed build left beside the output."""
    if not output.parent.is_dir():
        return
    for path in output.parent.glob(staging_prefix(output) + "*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


class Staging:
    """A new output being written in a hidden folder beside the real one."""

    def __init__(self, output: Path) -> None:
        self.output = output
        output.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(output)
        self.root = Path(tempfile.mkdtemp(prefix=staging_prefix(output), dir=output.parent))
        self.made_dirs: set[str] = set()

    def write(self, rel: str, data: bytes) -> None:
        path = self.root / rel
        folder = os.path.dirname(rel)
        if folder not in self.made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.made_dirs.add(folder)
        path.write_bytes(data)

    def copy(self, source: Path, rel: str) -> None:
        self.write(rel, source.read_bytes())

    def commit(self) -> None:
        (self.root / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        os.chmod(self.root, 0o755)  # mkdtemp makes it private; a web server must read it
        if not self.output.exists():
            os.rename(self.root, self.output)
            return
        if not _exchange(self.root, self.output):
            old = Path(tempfile.mkdtemp(prefix=staging_prefix(self.output), dir=self.output.parent))
            os.rename(self.output, old / "old")
            os.rename(self.root, self.output)
            self.root = old
        shutil.rmtree(self.root, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically where the kernel can; False where it cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
