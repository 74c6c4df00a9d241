"""`mfsite build`: check, build, and say what was done in one line."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

import click
from jinja2 import TemplateError, TemplateSyntaxError

from mfsite import uptodate
from mfsite.build import build_site, check_cached
from mfsite.commands import EXIT_USAGE, fail, report
from mfsite.diagnostics import SiteErrors, summary
from mfsite.load.sources import Listing, source_stats
from mfsite.publish import OutputRefused, check_output
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
    """Build, or find that the last build is still what this one would make; one line of report."""
    output = output if output is not None else source / "output"
    started = time.perf_counter()
    try:
        check_output(source, output)  # before anything is read or written, the cache included
    except OutputRefused as exc:
        fail(str(exc), EXIT_USAGE)
    settings = (base_url or "", os.environ.get("SOURCE_DATE_EPOCH", ""), str(strict))
    listing = source_stats(source)
    sources = uptodate.sources_print(listing.stats, settings)
    last = None if clean else uptodate.unchanged(source, output, sources)
    if last is None:
        last = _build(source, output, base_url, strict, jobs, clean, listing)
        uptodate.remember(source, output, sources, last)
        written, unchanged, removed = last.written, last.files - last.written, last.removed
    else:
        report(last.warnings)
        written, unchanged, removed = 0, last.files, 0
    if verbose:
        for batch_id, facts in sorted(last.facts.items()):
            click.echo(
                f"{batch_id}: QR version {facts.version}, {facts.modules} modules, "
                f"{facts.module_mm} mm per module on the label"
            )
    click.echo(f"QR codes ({last.level}): {qr_summary(last.facts)}")
    took = time.perf_counter() - started
    click.echo(
        f"built {last.batches} batches into {output}: {written} files written, "
        f"{unchanged} unchanged, {removed} removed in {took:.2f} s"
    )


def _build(
    source: Path,
    output: Path,
    base_url: str | None,
    strict: bool,
    jobs: int,
    clean: bool,
    listing: Listing,
) -> uptodate.LastBuild:
    checked = check_cached(source, base_url, need_base_url=True, jobs=jobs, listing=listing)
    report(checked.diagnostics)
    if checked.site is None or (strict and checked.warnings):
        why = summary(checked.diagnostics) + (" (--strict)" if checked.site is not None else "")
        fail(f"build failed: {why}; {output} was left as it was")
    assert checked.site is not None
    try:
        with Progress() as progress:
            result = build_site(
                checked.site,
                source,
                output,
                strict,
                jobs,
                progress.update,
                clean=clean,
                digests=checked.digests,
            )
    except SiteErrors as exc:
        report(exc.diagnostics)
        fail(f"build failed: {summary(exc.diagnostics)}; {output} was left as it was")
    except OutputRefused as exc:
        fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        fail(f"{write_problem(exc)}; {output} was left as it was")
    except TemplateError as exc:
        fail(f"{template_problem(exc)}; {output} was left as it was")
    report(result.warnings)
    return uptodate.LastBuild(
        batches=result.batches,
        files=result.written + result.unchanged,
        level=checked.site.config.qr.error_correction,
        facts=result.qr,
        warnings=checked.warnings + result.warnings,
        written=result.written,
        removed=result.removed,
    )


class Progress:
    """A bar on a terminal for builds that take more than a moment; plain lines elsewhere (CI)."""

    DELAY = 1.0  # seconds before anything is shown: quick builds stay quiet

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.terminal = sys.stderr.isatty()
        self.shown = -1

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.terminal and self.shown >= 0:
            click.echo("", err=True)

    def update(self, done: int, total: int) -> None:
        if time.perf_counter() - self.started < self.DELAY or not total:
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


def template_problem(exc: TemplateError) -> str:
    """A broken template override, said the way a data error is."""
    if isinstance(exc, TemplateSyntaxError):
        return f"templates/{exc.name or exc.filename}:{exc.lineno}:1: error: {exc.message}"
    return f"template error: {exc.message or exc}"
