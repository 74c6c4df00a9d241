"""`mfsite build`: check, build, and say what was done in one line."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

import click

from mfsite.commands import EXIT_USAGE, fail, report
from mfsite.diagnostics import SiteErrors, summary
from mfsite.engine import Engine, RenderFailed, Result
from mfsite.publish import OutputRefused, PublishStopped
from mfsite.render.labels import LabelFacts


def run(
    source: Path,
    output: Path | None,
    base_url: str | None,
    strict: bool,
    verbose: bool,
    jobs: int,
    clean: bool,
) -> None:
    """Build what changed (or, with `clean`, everything, trusting nothing); one line of report."""
    output = output if output is not None else source / "output"
    engine = Engine(source, output, base_url, strict, jobs, once=True)
    left = f"{output} was left as it was"
    try:
        with Progress() as progress:
            result = engine.run(clean, progress.update)
    except OutputRefused as exc:
        fail(str(exc), EXIT_USAGE)
    except SiteErrors as exc:  # raised while rendering: a QR code too long, a warning with --strict
        report(exc.diagnostics)
        fail(f"build failed: {summary(exc.diagnostics)}; {left}")
    except RenderFailed as exc:
        fail(f"{exc}; {left}")
    except PublishStopped as exc:
        fail(publish_stopped(exc, output))
    except OSError as exc:
        fail(f"{write_problem(exc)}; {left}")
    report(result.diagnostics)
    if not result.ok:
        why = summary(result.diagnostics) + (" (--strict)" if strict and not _errors(result) else "")
        fail(f"build failed: {why}; {left}")
    if verbose:
        for batch_id, facts in sorted(result.facts.items()):
            click.echo(
                f"{batch_id}: QR version {facts.version}, {facts.modules} modules, "
                f"{facts.module_mm} mm per module on the label"
            )
    click.echo(f"QR codes ({result.level}): {qr_summary(result.facts)}")
    click.echo(
        f"built {result.batches} batches into {output}: {result.written} files written, "
        f"{result.files - result.written} unchanged, {result.removed} removed in {result.seconds:.2f} s"
    )


def _errors(result: Result) -> bool:
    return any(d.severity == "error" for d in result.diagnostics)


class Progress:
    """A bar on a terminal for builds that take more than a moment; plain lines elsewhere (CI).

    Nothing shows for the first DELAY seconds, or as many as the environment variable
    MFSITE_PROGRESS_DELAY says (0: from the start; inf: never; not a number: ignored). The
    tests set it, so what a build prints does not depend on the machine's speed."""

    DELAY = 1.0  # seconds before anything is shown: quick builds stay quiet

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.terminal = sys.stderr.isatty()
        self.shown = -1
        try:
            self.delay = float(os.environ.get("MFSITE_PROGRESS_DELAY", self.DELAY))
        except ValueError:
            self.delay = self.DELAY

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.terminal and self.shown >= 0:
            click.echo("", err=True)

    def update(self, done: int, total: int) -> None:
        if time.perf_counter() - self.started < self.delay or not total:
            return
        percent = 100 * done // total
        if self.terminal:
            bar = "#" * (percent // 4)
            click.echo(f"\rrendering [{bar:<25}] {done}/{total}", err=True, nl=False)
            self.shown = percent
        elif percent // 10 > self.shown // 10:  # a line every tenth
            click.echo(f"rendering: {done}/{total} files ({percent} %)", err=True)
            self.shown = percent


def qr_summary(facts: dict[str, LabelFacts]) -> str:
    counts = Counter((f.version, f.modules) for f in facts.values())
    return (
        ", ".join(
            f"{n} × version {version} ({modules} modules)" for (version, modules), n in sorted(counts.items())
        )
        or "none"
    )


def write_problem(exc: OSError) -> str:
    return f"could not write the site: {exc.strerror or exc} ({exc.filename})"


def publish_stopped(exc: PublishStopped, output: Path) -> str:
    return (
        f"{write_problem(exc.error)}; {exc.replaced} of {exc.total} files in {output} were already "
        "replaced: the next build finishes the job"
    )
