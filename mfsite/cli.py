"""The command line: the commands and their options. What each does is in commands/,
which takes the options by name; the exit codes are there too (commands/__init__.py).

A command imports its machinery when it runs: `mfsite build` never loads the
watcher or the web server, and starts the sooner for it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mfsite import __version__
from mfsite.commands import EXIT_SITE_ERRORS, UsageRefused, fail, report
from mfsite.diagnostics import format_github, format_json, format_text, summary
from mfsite.signing.status import DEFAULT_KEY_FILE

if TYPE_CHECKING:
    from mfsite.model import Site

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
def build(**options: Any) -> None:
    """Build the site into the output folder, replacing it only on success."""
    from mfsite.commands import build as command
    from mfsite.commands import done

    command.run(**options)
    done()


@cli.command()
@source_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github: as GitHub Actions annotations on the lines of the pull request.",
)
def check(source: Path, fmt: str) -> None:
    """Validate the site and list every problem; write nothing."""
    from mfsite.engine import check_site

    checked = check_site(source, os.environ.get("MFSITE_BASE_URL"))
    if fmt == "json":
        click.echo(format_json(checked.diagnostics))
    elif fmt == "github":
        if checked.diagnostics:
            click.echo(format_github(checked.diagnostics, _from_root(source)))
    elif checked.diagnostics:
        click.echo(format_text(checked.diagnostics))
    if fmt != "json":
        click.echo(f"{summary(checked.diagnostics)} in {source}", err=True)
        if checked.site is not None:
            for line in translation_report(checked.site):
                click.echo(line, err=True)
    if checked.errors:
        sys.exit(EXIT_SITE_ERRORS)


def _from_root(source: Path) -> str:
    """The site's folder as the repository's root sees it: the working folder, in CI."""
    try:
        found = source.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return source.as_posix()
    return "" if found == "." else found


def translation_report(site: Site) -> list[str]:
    """How much of the site's text each language besides the default has translated."""
    from mfsite.languages import translated_share

    lines = []
    for lang in site.config.languages[1:]:
        done, total = translated_share(site, lang)
        share = f" ({100 * done // total} %)" if total else ""
        rest = f"the rest shows in {site.config.language}"
        lines.append(f"{lang}: {done} of {total} texts translated{share}; {rest}")
    return lines


@cli.command()
@source_option
@output_option
@base_url_option
@poll_option
@jobs_option
def watch(**options: Any) -> None:
    """Build, then rebuild whenever a source file changes (Ctrl-C stops)."""
    from mfsite.commands import live

    live.watch(**options)


@cli.command()
@source_option
@output_option
@base_url_option
@poll_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@jobs_option
def serve(**options: Any) -> None:
    """Watch, and serve the site locally with live reload."""
    from mfsite.commands import live

    live.serve(**options)


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
    from mfsite import sheet
    from mfsite.engine import check_site

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
    except sheet.TemplateFailed as exc:
        fail(str(exc))
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
    from mfsite import scaffold

    try:
        path = scaffold.new_batch(source, batch_id, from_id)
    except scaffold.Refused as exc:
        raise UsageRefused(str(exc)) from None
    click.echo(f"wrote {path}")


HOSTS = click.Choice(["github", "gitlab"])
install_option = click.option(
    "--install",
    metavar="SPEC",
    help="What the workflow installs mfsite from (pip's words) [default: mfsite==this version].",
)


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--ci", "host", type=HOSTS, help="Also write a workflow that publishes the site (see `mfsite ci`)."
)
@install_option
def init(directory: Path, host: str | None, install: str | None) -> None:
    """Create a new site with a small example in DIRECTORY."""
    from mfsite import scaffold

    try:
        scaffold.init_site(directory)
        workflow = scaffold.write_workflow(directory, host, install) if host else None
    except scaffold.Refused as exc:
        raise UsageRefused(str(exc)) from None
    click.echo(f"created a new site in {directory}: cd {directory} && mfsite build")
    if workflow is not None:
        click.echo(scaffold.workflow_note(workflow, host))  # type: ignore[arg-type]


@cli.command("ci")
@click.argument("host", type=HOSTS)
@source_option
@install_option
def ci(host: str, source: Path, install: str | None) -> None:
    """Write a workflow that checks, builds and publishes the site on GitHub or GitLab Pages,
    keeping mfsite's cache between runs; never overwrites a file."""
    from mfsite import scaffold

    try:
        workflow = scaffold.write_workflow(source, host, install)
    except scaffold.Refused as exc:
        raise UsageRefused(str(exc)) from None
    click.echo(scaffold.workflow_note(workflow, host))


@cli.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_KEY_FILE,
    show_default=True,
    help="Where to write the key (never over an existing file).",
)
def keygen(out: Path) -> None:
    """Make a new key to sign the passports with, and say how to use it."""
    from mfsite.commands import passports

    passports.keygen(out)


@cli.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default="output",
    show_default=True,
    help="The built site to check.",
)
@click.option("--online", is_flag=True, help="Check against the DID document the live site serves.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify(output: Path, online: bool, fmt: str) -> None:
    """Check every passport's signature in a built site; exit 0 only if all verify."""
    from mfsite.commands import passports

    passports.verify(output, online, fmt)


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
