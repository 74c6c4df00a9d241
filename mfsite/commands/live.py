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

from mfsite.commands import EXIT_USAGE, fail, report
from mfsite.commands.build import publish_stopped, write_problem
from mfsite.diagnostics import SiteErrors, format_text, summary
from mfsite.engine import Engine, RenderFailed, Result
from mfsite.publish import OutputRefused, PublishStopped, check_output
from mfsite.seen import Watched
from mfsite.serve import LiveState, make_server
from mfsite.watch import Watcher


def watch(source: Path, output: Path | None, base_url: str | None, poll: bool, jobs: int) -> None:
    """Build, then rebuild on every change until Ctrl-C."""
    engine = Engine(source, output or source / "output", base_url, jobs=jobs)
    with watching(engine, poll, on_build=lambda ok, text: None):
        click.echo(f"watching {source} (Ctrl-C to stop)")
        wait_for_interrupt()


def serve(
    source: Path, output: Path | None, base_url: str | None, poll: bool, host: str, port: int, jobs: int
) -> None:
    """Watch, and serve the output with live reload (and the error, while the site is broken)."""
    engine = Engine(source, output or source / "output", base_url, jobs=jobs)
    state = LiveState()

    def on_build(ok: bool, text: str) -> None:
        state.built() if ok else state.failed(text)

    with watching(engine, poll, on_build) as first:
        base_path = urlsplit(first.base_url or "/").path if first is not None else "/"
        try:
            server = make_server(engine.output, base_path, state, host, port)
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
def watching(engine: Engine, poll: bool, on_build: Callable[[bool, str], None]) -> Iterator[Result | None]:
    """The first build (given to the block: None where it failed), then a watcher rebuilding
    until the block ends."""

    def rebuild(watched: Watched) -> Result | None:
        return run_rebuild(engine, on_build, watched)

    for stream in (sys.stdout, sys.stderr):  # one line a rebuild, even into a pipe or a log
        stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    try:
        check_output(engine.source, engine.output)
    except OutputRefused as exc:
        fail(str(exc), EXIT_USAGE)
    watcher = Watcher(engine.source, rebuild, poll, engine.output)
    try:
        first = watcher.start()
        if watcher.fallback_reason:
            click.echo(f"mfsite: {watcher.fallback_reason}; polling for changes instead", err=True)
        yield first
    finally:
        watcher.stop()
        click.echo("stopped; the output holds the last good build")


def run_rebuild(engine: Engine, on_build: Callable[[bool, str], None], watched: Watched) -> Result | None:
    """One rebuild, one line of report (errors in full). Never raises: watching goes on, and
    the next change is built whatever this one left. The server hears of the build before the
    terminal does, so what a person reads there is already what the browser shows; the state
    is saved after that."""
    try:
        return _rebuild(engine, on_build, watched)
    finally:
        try:
            engine.save()
        except Exception as exc:  # (a cache that cannot be written costs speed, never the watch)
            click.echo(f"mfsite: cannot save the build state: {exc}", err=True)


def _rebuild(engine: Engine, on_build: Callable[[bool, str], None], watched: Watched) -> Result | None:
    kept = f"{engine.output} keeps the last good build"
    first = engine.listing is None
    try:
        result = engine.run(watched=watched)
    except Exception as exc:  # whatever went wrong, it is said, and the next change tried
        text = problem_text(exc, engine)
        on_build(False, text)
        click.echo(f"{text}\nbuild failed; {kept}", err=True)
        return None
    on_build(result.ok, "" if result.ok else format_text(result.diagnostics))
    report(result.diagnostics)
    what = ", ".join(result.changed[:3]) or ("first build" if first else "no change")
    if len(result.changed) > 3:
        what += f" and {len(result.changed) - 3} more"
    if not result.ok:
        click.echo(f"{what}: {summary(result.diagnostics)}; {kept}", err=True)
        return None
    took = f"{result.seconds * 1000:.0f} ms"
    click.echo(f"{what}: {result.written} files written, {result.removed} removed in {took}")
    return result


def problem_text(exc: Exception, engine: Engine) -> str:
    if isinstance(exc, SiteErrors):
        return format_text(exc.diagnostics)
    if isinstance(exc, PublishStopped):
        return f"mfsite: {publish_stopped(exc, engine.output)}"
    if isinstance(exc, OSError):
        return f"mfsite: {write_problem(exc)}"
    if isinstance(exc, (RenderFailed, OutputRefused)):
        return f"mfsite: {exc}"
    return f"mfsite: an unexpected error: {type(exc).__name__}: {exc}"


def wait_for_interrupt() -> None:
    """Sleep until Ctrl-C (or a polite kill, treated the same): the normal way to stop."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return
