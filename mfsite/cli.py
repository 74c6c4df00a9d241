"""The command line: options, terminal output and exit codes, nothing else.

Exit codes: 0 success; 1 the site has errors (or could not be written);
2 wrong usage (click's own errors, and arguments we must refuse).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import click
from jinja2 import TemplateError, TemplateSyntaxError

from mfsite import __version__, scaffold, sheet, uptodate
from mfsite.build import build_site, check_cached, check_site
from mfsite.diagnostics import Diagnostic, SiteErrors, format_json, format_text, summary
from mfsite.incremental import Workspace
from mfsite.load.sources import StatKey, source_stats
from mfsite.publish import OutputRefused, check_output
from mfsite.render.labels import LabelFacts
from mfsite.serve import LiveState, make_server
from mfsite.watch import Watcher

EXIT_SITE_ERRORS = 1
EXIT_USAGE = 2

source_option = click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The site folder (where site.yaml is).",
)


output_option = click.option(
    "--output", type=click.Path(path_type=Path), help="Where to write the site [default: SOURCE/output]."
)
base_url_option = click.option(
    "--base-url",
    envvar="MFSITE_BASE_URL",
    help="The URL the site is served from (or set MFSITE_BASE_URL); wins over site.yaml.",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 256),
    default=os.cpu_count() or 1,
    show_default="the number of cores",
    help="Processes that render at once.",
)
poll_option = click.option("--poll", is_flag=True, help="Poll for changes instead of inotify.")


class UsageRefused(click.UsageError):
    """An argument we cannot act on; click prints it and exits with 2."""


def report(diagnostics: list[Diagnostic]) -> None:
    if diagnostics:
        click.echo(format_text(diagnostics), err=True)


def fail(message: str, code: int = EXIT_SITE_ERRORS) -> None:
    click.echo(f"mfsite: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mfsite")
def cli() -> None:
    """Static traceability sites for microfactory batches.

    Turns batches/*.yaml and content/**/*.md into a site with one page, one
    QR code and one printable receipt per batch.
    """


@cli.command()
@source_option
@output_option
@base_url_option
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("-v", "--verbose", is_flag=True, help="List every batch's QR code version and printed size.")
@jobs_option
@click.option(
    "--clean",
    is_flag=True,
    help="Delete files in the output that mfsite did not write; without it the build stops and names them.",
)
def build(
    source: Path,
    output: Path | None,
    base_url: str | None,
    strict: bool,
    verbose: bool,
    jobs: int,
    clean: bool,
) -> None:
    """Build the site into the output folder, replacing it only on success."""
    output = output if output is not None else source / "output"
    started = time.perf_counter()
    try:
        check_output(source, output)  # before anything is read or written, the cache included
    except OutputRefused as exc:
        fail(str(exc), EXIT_USAGE)
    settings = (base_url or "", os.environ.get("SOURCE_DATE_EPOCH", ""), str(strict))
    stats = source_stats(source)
    sources = uptodate.sources_print(stats, settings)
    last = None if clean else uptodate.unchanged(source, output, sources)
    if last is None:
        last = _build(source, output, base_url, strict, jobs, clean, stats)
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
    stats: list[tuple[str, StatKey]],
) -> uptodate.LastBuild:
    checked = check_cached(source, base_url, need_base_url=True, jobs=jobs, stats=stats)
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
        fail(f"could not write the site: {exc.strerror or exc} ({exc.filename}); {output} was left as it was")
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


def template_problem(exc: TemplateError) -> str:
    """A broken template override, said the way a data error is."""
    if isinstance(exc, TemplateSyntaxError):
        return f"templates/{exc.name or exc.filename}:{exc.lineno}:1: error: {exc.message}"
    return f"template error: {exc.message or exc}"


@cli.command()
@source_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(source: Path, fmt: str) -> None:
    """Validate the site and list every problem; write nothing."""
    checked = check_site(source, os.environ.get("MFSITE_BASE_URL"))
    if fmt == "json":
        click.echo(format_json(checked.diagnostics))
    elif checked.diagnostics:
        click.echo(format_text(checked.diagnostics))
    if fmt == "text":
        click.echo(f"{summary(checked.diagnostics)} in {source}", err=True)
    if checked.errors:
        sys.exit(EXIT_SITE_ERRORS)


@cli.command()
@source_option
@output_option
@base_url_option
@poll_option
@jobs_option
def watch(source: Path, output: Path | None, base_url: str | None, poll: bool, jobs: int) -> None:
    """Build, then rebuild whenever a source file changes (Ctrl-C stops)."""
    workspace = Workspace(source, output or source / "output", base_url, jobs)
    with watching(workspace, poll, on_build=lambda ok, text: None):
        click.echo(f"watching {source} (Ctrl-C to stop)")
        wait_for_interrupt()


@cli.command()
@source_option
@output_option
@base_url_option
@poll_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@jobs_option
def serve(
    source: Path, output: Path | None, base_url: str | None, poll: bool, host: str, port: int, jobs: int
) -> None:
    """Watch, and serve the site locally with live reload."""
    workspace = Workspace(source, output or source / "output", base_url, jobs)
    state = LiveState()

    def on_build(ok: bool, text: str) -> None:
        state.built() if ok else state.failed(text)

    with watching(workspace, poll, on_build):
        config = workspace.live.site.config if workspace.live else None
        base_path = urlsplit(config.base_url or "/").path if config else "/"
        try:
            server = make_server(workspace.output, base_path, state, host, port)
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_USAGE)
        thread = threading.Thread(target=server.serve_forever, name="mfsite-http", daemon=True)
        thread.start()
        click.echo(f"serving http://{host}:{server.server_address[1]}{base_path} (Ctrl-C to stop)")
        try:
            wait_for_interrupt()
        finally:
            state.close()
            server.shutdown()
            server.server_close()


@contextmanager
def watching(workspace: Workspace, poll: bool, on_build: Callable[[bool, str], None]) -> Iterator[None]:
    """The first build, then a watcher rebuilding until the block ends."""

    def rebuild() -> None:
        run_rebuild(workspace, on_build)

    for stream in (sys.stdout, sys.stderr):  # one line a rebuild, even into a pipe or a log
        stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    try:
        check_output(workspace.source, workspace.output)
    except OutputRefused as exc:
        fail(str(exc), EXIT_USAGE)
    rebuild()
    watcher = Watcher(workspace.source, rebuild, poll)
    watcher.start()
    if watcher.fallback_reason:
        click.echo(f"mfsite: {watcher.fallback_reason}; polling for changes instead", err=True)
    try:
        yield
    finally:
        watcher.stop()
        click.echo("stopped; the output holds the last good build")


def run_rebuild(workspace: Workspace, on_build: Callable[[bool, str], None]) -> None:
    """One rebuild, one line of report (errors in full). Never raises: watching goes on.
    The server hears of the build before the terminal does, so what a person reads
    there is already what the browser shows."""
    try:
        result = workspace.rebuild()
    except (SiteErrors, OutputRefused, OSError, TemplateError) as exc:
        text = problem_text(exc)
        on_build(False, text)
        click.echo(f"{text}\nbuild failed; {workspace.output} keeps the last good build", err=True)
        return
    on_build(result.ok, "" if result.ok else format_text(result.diagnostics))
    report(result.diagnostics)
    what = ", ".join(result.changed[:3]) or "no change"
    if len(result.changed) > 3:
        what += f" and {len(result.changed) - 3} more"
    if not result.ok:
        kept = f"{workspace.output} keeps the last good build"
        click.echo(f"{what}: {summary(result.diagnostics)}; {kept}", err=True)
        return
    took = f"{result.seconds * 1000:.0f} ms"
    trigger = "full build" if result.full else what
    click.echo(f"{trigger}: {result.written} files written, {result.removed} removed in {took}")


def problem_text(exc: Exception) -> str:
    if isinstance(exc, SiteErrors):
        return format_text(exc.diagnostics)
    if isinstance(exc, TemplateError):
        return template_problem(exc)
    if isinstance(exc, OSError):
        return f"mfsite: could not write the site: {exc.strerror or exc} ({exc.filename})"
    return f"mfsite: {exc}"


def wait_for_interrupt() -> None:
    """Sleep until Ctrl-C (or a polite kill, treated the same): the normal way to stop."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return


@cli.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--copies", type=click.IntRange(1, 500), default=1, show_default=True, help="Labels per batch.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default="labels.html",
    show_default=True,
    help="The sheet to write.",
)
@source_option
@click.option("--base-url", envvar="MFSITE_BASE_URL", help="As for build.")
def labels(ids: tuple[str, ...], copies: int, out: Path, source: Path, base_url: str | None) -> None:
    """Write one printable A4 sheet of batch labels (all batches, or the IDs given)."""
    checked = check_site(source, base_url, need_base_url=True)
    report(checked.diagnostics)
    if checked.site is None:
        fail(f"no labels: {summary(checked.diagnostics)}")
    by_id = {b.slug: b for b in checked.site.batches}
    missing = [i for i in ids if i.lower() not in by_id]
    if missing:
        raise UsageRefused(f"no batch {', '.join(repr(m) for m in missing)} in {source}")
    chosen = [by_id[i.lower()] for i in ids] if ids else list(checked.site.batches)
    try:
        sheet.write_sheet(out, checked.site, source, chosen, copies)
    except sheet.Refused as exc:
        raise UsageRefused(str(exc)) from None
    click.echo(f"wrote {len(chosen) * copies} labels for {len(chosen)} batches to {out}")


@cli.group()
def new() -> None:
    """Start a new source file from a template."""


@new.command("batch")
@click.argument("batch_id", metavar="ID")
@click.option("--from", "from_id", metavar="OTHER_ID", help="Copy this existing batch.")
@source_option
def new_batch(batch_id: str, from_id: str | None, source: Path) -> None:
    """Write batches/ID.yaml; never overwrites a file."""
    try:
        path = scaffold.new_batch(source, batch_id, from_id)
    except scaffold.Refused as exc:
        raise UsageRefused(str(exc)) from None
    click.echo(f"wrote {path}")


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Create a new site with a small example in DIRECTORY."""
    try:
        scaffold.init_site(directory)
    except scaffold.Refused as exc:
        raise UsageRefused(str(exc)) from None
    click.echo(f"created a new site in {directory}: cd {directory} && mfsite build")


def main() -> None:
    try:
        cli(prog_name="mfsite")
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the promise is "no tracebacks": say what broke instead
        if os.environ.get("MFSITE_DEBUG"):
            raise
        fail(
            f"internal error ({type(exc).__name__}: {exc}); please report it, "
            "with MFSITE_DEBUG=1 set for the details"
        )
