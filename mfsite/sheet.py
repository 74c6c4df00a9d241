"""`mfsite labels`: a printable sheet of batch labels, written beside the site."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mfsite.model import Batch, Site
from mfsite.render import Renderer, make_environment, template_problem

MARKER = "<!-- mfsite labels"


class Refused(Exception):
    """Writing the sheet would overwrite a file mfsite did not write."""


class TemplateFailed(Exception):
    """A mistake in a template, said where it is (render.template_problem)."""


def write_sheet(out: Path, site: Site, source: Path, batches: list[Batch], copies: int) -> None:
    if out.exists() and not _ours(out):
        raise Refused(f"{out} exists and is not a label sheet mfsite wrote; choose another --out")
    try:
        env = make_environment(source / "templates", site.config.language)
        html = Renderer(site, env).labels_sheet(batches, copies)
    except Exception as exc:  # a template's mistake, said where it is: never a traceback
        raise TemplateFailed(template_problem(exc, out.name)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed over: a reader never sees half a sheet.
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _ours(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            return MARKER in handle.read(200)
    except (OSError, UnicodeDecodeError):
        return False
