"""`mfsite keygen` and `mfsite verify`: the signing key, and the check of a built site's passports."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mfsite.commands import EXIT_SITE_ERRORS, EXIT_USAGE, fail

if TYPE_CHECKING:
    from mfsite.signing.verify import Checked


def keygen(out: Path) -> None:
    """Write a new key; print what to add to site.yaml and the secret to set in CI."""
    from mfsite.signing.jws import public_x
    from mfsite.signing.keys import ENV, new_key_file

    path = out.expanduser()
    try:
        key = new_key_file(path)
    except FileExistsError:
        fail(f"{out} exists: a key is never overwritten (move it away first, or give --out)", EXIT_USAGE)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror}")
    # As the build will read it: absolute (a relative passport.key starts at the site folder).
    written, home = path.resolve(), Path(os.path.expanduser("~"))
    shown = f"~/{written.relative_to(home)}" if written.is_relative_to(home) else str(written)
    click.echo(f"wrote a new Ed25519 signing key to {shown} (mode 600): keep it private, and backed up.")
    click.echo("\nAdd to site.yaml:\n")
    click.echo(f"passport:\n  sign: true\n  key: {shown}\n  public_key: {public_x(key.public_key())}\n")
    click.echo(
        f"In CI, set the secret {ENV} to the file's contents (GitHub: gh secret set {ENV} < {shown}).\n"
        "When you replace this key later, move its public_key to passport.retired_keys: passports "
        "signed with it stay verifiable."
    )


def verify(output: Path, online: bool, fmt: str) -> None:
    """Check every passport; exit 0 only when each verifies."""
    from mfsite.signing.verify import verify_output

    if not output.is_dir():
        fail(f"no output folder at {output}: build the site first, or give --output", EXIT_USAGE)
    checked = verify_output(output, online)
    failed = [c for c in checked if not c.ok]
    revoked = [c for c in checked if c.ok and c.revoked]
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": bool(checked) and not failed,
                    "output": str(output),
                    "passports": [
                        {
                            "path": c.path,
                            "batch": c.batch,
                            "ok": c.ok,
                            "revoked": c.revoked,
                            "problems": c.problems,
                        }
                        for c in checked
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for c in failed:
            for problem in c.problems:
                click.echo(f"{c.path}{_named(c)}: {problem}", err=True)
        for c in revoked:
            click.echo(f"{c.path}{_named(c)}: revoked by its issuer (its bit in the status list is set)")
    if not checked:
        fail(f"no passports in {output} (b/<id>/passport.json): is base_url set?")
    if failed:
        fail(f"{len(failed)} of {len(checked)} passports do not verify", EXIT_SITE_ERRORS)
    where = "the live DID document" if online else "the DID document in the output"
    also = f"; {len(revoked)} of them revoked" if revoked else ""
    click.echo(f"all {len(checked)} passports verify against {where}{also}", err=fmt == "json")


def _named(checked: Checked) -> str:
    return f" (batch {checked.batch})" if checked.batch else ""
