"""The pipeline, top to bottom: load -> validate -> plan -> render -> publish."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from mfsite import codes, manifest
from mfsite.cache import Symbols, load_symbols, save_symbols
from mfsite.diagnostics import Diagnostic, SiteErrors, Span
from mfsite.load.sources import load_sources
from mfsite.manifest import Signatures
from mfsite.model import Batch, Site
from mfsite.plan import Output, plan_site
from mfsite.publish import MARKER, Staging, check_output, unknown_files
from mfsite.render import Renderer, make_environment
from mfsite.render.labels import MIN_MODULE_MM, LabelFacts
from mfsite.render.qr import QrTooLong
from mfsite.urls import qr_url
from mfsite.validate import validate


@dataclass(slots=True)
class Checked:
    site: Site | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


@dataclass(slots=True)
class BuildReport:
    written: int  # rendered anew
    unchanged: int  # linked from the previous output
    removed: int
    batches: int
    seconds: float
    qr: dict[str, LabelFacts]  # batch id -> its code's version and printed size
    warnings: list[Diagnostic]
    outputs: list[Output]


CHUNK = 100  # outputs a worker renders per task: big enough to amortise, small enough to balance
BATCH_FILE_KINDS = frozenset({"batch", "redirect", "label", "qr-svg", "qr-png", "passport"})


def check_site(source: Path, base_url: str | None = None, need_base_url: bool = False) -> Checked:
    sources, problems = load_sources(source)
    site, more = validate(sources, base_url, need_base_url)
    diagnostics = problems + more
    # A file that could not be read is missing from the model: never build without it.
    if any(d.severity == "error" for d in diagnostics):
        site = None
    return Checked(site, diagnostics)


def qr_facts(
    site: Site, renderer: Renderer, batches: Iterable[Batch]
) -> tuple[dict[str, LabelFacts], list[Diagnostic]]:
    """These batches' QR codes, made once; warnings where a label would print too small."""
    facts: dict[str, LabelFacts] = {}
    warnings = []
    for batch in batches:
        try:
            facts[batch.id] = renderer.label_facts(batch)
        except QrTooLong as exc:
            message = f"base_url: the address of batch '{batch.id}' is too long for a QR code ({exc})"
            raise SiteErrors([Diagnostic(Span("site.yaml"), codes.BAD_URL, message)]) from None
        if facts[batch.id].too_small:
            found = facts[batch.id]
            message = (
                f"the label's QR code prints at {found.module_mm} mm per module (version "
                f"{found.version}, {found.modules} modules in {found.qr_mm} mm); below {MIN_MODULE_MM} mm "
                "phones may fail to scan it: raise label.qr_mm or shorten the address"
            )
            warnings.append(Diagnostic(batch.span, codes.QR_PRINT_SIZE, message, "warning"))
    return facts, warnings


@dataclass(slots=True)
class _Job:
    """What every rendering process needs. Set before the workers fork, so the
    site is shared with them, not pickled; each compiles the templates once."""

    site: Site
    source: Path
    staging: Staging
    symbols: Symbols
    renderer: Renderer | None = None

    def env(self) -> Environment:
        return make_environment(self.source / "templates")


@dataclass(slots=True)
class _Done:
    files: int
    facts: dict[str, LabelFacts]
    warnings: list[Diagnostic]
    symbols: Symbols  # codes made by this chunk, for the cache


_JOB: _Job | None = None


def _render_chunk(chunk: list[Output]) -> _Done:
    job = _JOB
    assert job is not None
    if job.renderer is None:
        job.renderer = Renderer(job.site, job.env(), job.symbols)
    renderer = job.renderer
    known = set(renderer.symbols)
    ids = dict.fromkeys(out.key for out in chunk if out.kind in BATCH_FILE_KINDS)
    facts, warnings = qr_facts(job.site, renderer, (renderer.batches[i] for i in ids))
    for out in chunk:
        if out.kind == "static":
            job.staging.copy(job.source / "static" / out.key, out.path)
        else:
            job.staging.write(out.path, renderer.render(out))
    made = {key: symbol for key, symbol in renderer.symbols.items() if key not in known}
    return _Done(len(chunk), facts, warnings, made)


def _chunks(outputs: list[Output], size: int) -> list[list[Output]]:
    # The plan is sorted by path, so a batch's page, label and codes sit together
    # and share one QR code in one worker.
    return [outputs[i : i + size] for i in range(0, len(outputs), size)]


def build_site(
    site: Site,
    source: Path,
    output: Path,
    strict: bool = False,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    symbols: Symbols | None = None,
    clean: bool = False,
) -> BuildReport:
    """Render what changed into a staging folder, in `jobs` processes, link the rest, swap it in."""
    global _JOB
    started = time.perf_counter()
    check_output(source, output)
    outputs = plan_site(site)
    symbols = load_symbols(source) if symbols is None else symbols
    signatures = Signatures(site, source)
    wanted = {out.path: signatures.of(out) for out in outputs}
    before = manifest.load(source, output) if (output / MARKER).is_file() else {}
    reuse = [o for o in outputs if before.get(o.path) == wanted[o.path] and (output / o.path).is_file()]
    kept = {o.path for o in reuse}
    todo = [o for o in outputs if o.path not in kept]
    removed = len(before.keys() - wanted.keys())
    if before and not clean and not todo and not removed and not unknown_files(output, wanted):
        # Nothing to render and nothing to remove: the live output already is this build.
        # (A file someone put into the output goes the long way, which refuses it.)
        facts, warnings = qr_facts(
            site, Renderer(site, make_environment(source / "templates"), symbols), site.batches
        )
        warnings = sorted(set(warnings), key=lambda d: d.span)
        if strict and warnings:
            raise SiteErrors(warnings)
        seconds = time.perf_counter() - started
        return BuildReport(0, len(reuse), 0, len(site.batches), seconds, facts, warnings, outputs)
    staging = Staging(output, clean=clean, known=before.keys(), planned=[o.path for o in outputs])
    facts = {}
    warnings = []
    try:
        for out in reuse:  # unchanged since the live output was built: a hard link, no render
            _link(output / out.path, staging, out.path)
        _JOB = _Job(site, source, staging, symbols)
        chunks = _chunks(todo, CHUNK)
        if jobs > 1 and len(chunks) > 1:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                done = pool.imap_unordered(_render_chunk, chunks)
                _collect(done, facts, warnings, symbols, progress, len(todo))
        else:
            _collect(map(_render_chunk, chunks), facts, warnings, symbols, progress, len(todo))
        # Batches whose files were all reused still have their codes checked (from the cache).
        reused = (b for b in site.batches if b.id not in facts)
        more_facts, more_warnings = qr_facts(site, Renderer(site, _JOB.env(), symbols), reused)
        facts.update(more_facts)
        warnings = sorted(set(warnings + more_warnings), key=lambda d: d.span)
        if strict and warnings:
            raise SiteErrors(warnings)
        staging.commit()
    except BaseException:
        staging.discard()
        raise
    finally:
        _JOB = None
    manifest.save(source, output, wanted)
    save_symbols(source, {key: symbols[key] for key in _in_use(site, symbols)})
    return BuildReport(
        len(todo),
        len(reuse),
        removed,
        len(site.batches),
        time.perf_counter() - started,
        facts,
        warnings,
        outputs,
    )


def _link(existing: Path, staging: Staging, rel: str) -> None:
    target = staging.root / rel
    if not target.parent.is_dir():
        target.parent.mkdir(parents=True)
    try:
        os.link(existing, target)
    except OSError:  # a file system without hard links: copy instead
        staging.copy(existing, rel)


def _collect(
    done: Iterable[_Done],
    facts: dict[str, LabelFacts],
    warnings: list[Diagnostic],
    symbols: Symbols,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> None:
    written = 0
    for part in done:
        written += part.files
        facts.update(part.facts)
        warnings.extend(part.warnings)
        symbols.update(part.symbols)
        if progress is not None:
            progress(written, total)


def _in_use(site: Site, symbols: Symbols) -> list[tuple[str, str]]:
    """The cache keeps the codes this site uses now, not every URL it ever had."""
    level = site.config.qr.error_correction
    keys = ((qr_url(site.config, batch), level) for batch in site.batches)
    return [key for key in keys if key in symbols]
