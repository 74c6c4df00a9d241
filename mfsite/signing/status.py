"""Where the signing key comes from, and whether it changed, without reading it as a key: a
build that finds its sources unchanged asks this, and needs no `cryptography` to answer."""

from __future__ import annotations

import os
from pathlib import Path

ENV = "MFSITE_SIGNING_KEY"
DEFAULT_KEY_FILE = "~/.config/mfsite/signing.key"


def key_path(named: str, site: Path) -> Path:
    """`passport.key` as a file: `~` is the home folder, a relative path starts at the site."""
    try:
        return (site / Path(named).expanduser()).resolve()
    except RuntimeError:  # (`~` without a home folder)
        return (site / named).resolve()


def key_status(named: str | None, site: Path) -> str:
    """What changes when the key does: the variable's key (by its public half: the record keeps
    nothing derived from the private one), or the file's path and status."""
    if text := os.environ.get(ENV, "").strip():
        from mfsite.signing.jws import public_x
        from mfsite.signing.keys import KeyProblem, parsed_key  # (cryptography: a signing site's)

        try:
            return "env " + public_x(parsed_key(text.encode(), f"${ENV}").public_key())
        except KeyProblem:
            return "env unreadable"  # (the build says why)
    if not named:
        return ""
    path = key_path(named, site)
    try:
        stat = path.stat()
    except OSError:
        return f"{path} gone"
    return f"{path} {stat.st_mtime_ns} {stat.st_size} {stat.st_ino} {stat.st_mode}"
