"""What each command does, and how it talks to the terminal; cli.py declares the commands.

Exit codes: 0 success; 1 the site has errors (or could not be written);
2 wrong usage (click's own errors, and arguments we must refuse).
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click

from mfsite.diagnostics import Diagnostic, format_text

EXIT_SITE_ERRORS = 1
EXIT_USAGE = 2


class UsageRefused(click.UsageError):
    """An argument we cannot act on; click prints it and exits with 2."""


def done() -> NoReturn:
    """End a successful build's process at once, its output and state written and its report
    flushed: not freeing, one by one, the million objects of a 10,000-batch site's model, which
    the process's end frees whole (a few hundredths of a second of a one-batch rebuild). Under
    a profiler, a debugger or coverage, which write their findings once the program returns,
    it ends as any program does."""
    sys.stdout.flush()
    sys.stderr.flush()
    if sys.getprofile() is None and sys.gettrace() is None:
        os._exit(0)
    sys.exit(0)


def report(diagnostics: list[Diagnostic]) -> None:
    if diagnostics:
        click.echo(format_text(diagnostics), err=True)


def fail(message: str, code: int = EXIT_SITE_ERRORS) -> None:
    click.echo(f"mfsite: {message}", err=True)
    sys.exit(code)
