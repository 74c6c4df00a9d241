"""`mfsite watch` and `mfsite serve`: build, then rebuild on every change, one line each."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import click
from jinja2 import TemplateError

from mfsite.commands import EXIT_USAGE, fail, report
from mfsite.commands.build import template_problem, write_problem
from mfsite.diagnostics import SiteErrors, format_text, summary
from mfsite.incremental import Workspace
from mfsite.publish import OutputRefused, check_output
from mfsite.serve import LiveState, make_server
from mfsite.watch import Watcher


def watch(source: Path, output: Path | None, base_url: str | None, poll: bool, jobs: int) -> None:
    """Build, then rebuild on every change until Ctrl-C."""
    workspace = Workspace(source, output or source / "output", base_url, jobs)
    with watching(workspace, poll, on_build=lambda ok, text: None):
        click.echo(f"watching {source} (Ctrl-C to stop)")
        wait_for_interrupt()


def serve(
    source: Path, output: Path | None, base_url: str | None, poll: bool, host: str, port: int, jobs: int
) -> None:
    """Watch, and serve the output with live reload (and the error, while the site is broken)."""
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
        return f"mfsite: {write_problem(exc)}"
    return f"mfsite: {exc}"


def wait_for_interrupt() -> None:
    """Sleep until Ctrl-C (or a polite kill, treated the same): the normal way to stop."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return
