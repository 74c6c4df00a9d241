"""The pipeline, top to bottom: load -> validate -> plan -> render -> publish."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from jinja2 import Environment

from mfsite import codes, manifest
from mfsite.cache import (
    CACHE_DIR,
    BatchFiles,
    Symbols,
    add_batch_file,
    batch_file_entry,
    load_batches,
    load_parts,
    load_symbols,
    save_batches,
    save_parts,
    save_symbols,
)
from mfsite.diagnostics import Diagnostic, SiteErrors, Span
from mfsite.load.sources import (
    BATCHES,
    Listing,
    SourceCache,
    StatKey,
    batch_file_reader,
    content_stems,
    load_sources,
    same_bytes,
)
from mfsite.manifest import Manifest, Signatures
from mfsite.model import Batch, Site, Users
from mfsite.plan import BATCH_FILE_KINDS, Output
from mfsite.publish import MARKER, Staging, check_output, inside, one_at_a_time, refuse_unknown
from mfsite.render import Renderer, make_environment
from mfsite.render.feeds import BatchParts, Parts
from mfsite.render.labels import MIN_MODULE_MM, LabelFacts
from mfsite.render.qr import QrTooLong
from mfsite.urls import qr_url
from mfsite.validate import ValidationMemo, validate
from mfsite.validate.batch import read_batch

if TYPE_CHECKING:
    from multiprocessing.pool import Pool


@dataclass(slots=True)
class Checked:
    site: Site | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # source path -> digest of its bytes
    changed: frozenset[str] | None = None  # sources read anew since the cache's last load

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


@dataclass(slots=True)
class BuildReport:
    written: int  # rendered anew
    unchanged: int  # left as the previous build wrote them
    removed: int
    batches: int
    seconds: float
    qr: dict[str, LabelFacts]  # batch id -> its code's version and printed size
    warnings: list[Diagnostic]


CHUNK = 100  # outputs a worker renders per task: big enough to amortise, small enough to balance


def check_site(
    source: Path,
    base_url: str | None = None,
    need_base_url: bool = False,
    cache: SourceCache | None = None,
    memo: ValidationMemo | None = None,
    listing: Listing | None = None,
) -> Checked:
    """Load and validate. With a cache and memo (watch mode's, or the build cache's),
    only files whose stat changed are read and validated again."""
    sources, problems = load_sources(source, cache, listing)
    site, more = validate(sources, base_url, need_base_url, memo)
    diagnostics = problems + more
    # A file that could not be read is missing from the model: never build without it.
    if any(d.severity == "error" for d in diagnostics):
        site = None
    files = [sources.site, *sources.batches, *(f for files in sources.content.values() for f in files)]
    digests = {f.path: f.digest for f in files if f is not None and f.digest}
    return Checked(site, diagnostics, digests, sources.changed)


def check_cached(
    source: Path,
    base_url: str | None,
    need_base_url: bool,
    jobs: int,
    listing: Listing,
) -> Checked:
    """check_site through the build cache's batch files, which it then brings up to date.
    `listing`: the sources and their status, taken before reading them (load.sources.source_stats)."""
    with collector_paused():
        files = load_batches(source)
        preread = read_batches_in_parallel(source, files, jobs, listing)
        checked = check_site(source, base_url, need_base_url, files.cache, files.memo, listing)
    if preread or checked.changed is None or _worth_saving(files, checked.changed):
        save_batches(source, files)
    return checked


# The batch cache is written again once the batch files read anew make up this share of it.
# Fewer are read again by the next build (well under a millisecond each), which costs less
# than writing every entry after each small edit (70 ms at 10,000 batches).
RESAVE_SHARE = 0.02


def _worth_saving(files: BatchFiles, changed: frozenset[str]) -> bool:
    read_anew = sum(1 for path in changed if path.startswith(f"{BATCHES.path}/"))
    return read_anew > 0 and read_anew >= RESAVE_SHARE * len(files.cache.entries)


@contextmanager
def collector_paused(freeze: bool = True) -> Iterator[None]:
    """No garbage collection while the site's model is made, and (`freeze`) none of it looked
    at later.

    Loading 10,000 cached batches makes some 150,000 objects that live to the end of the
    build and hold no reference cycles. Each of the collector's passes would walk all made
    so far: that doubled the time of loading them. Afterwards they are frozen out of its
    sight (they are still freed as usual when nothing refers to them). Only the outermost
    pause freezes: watch mode, which outlives each model, pauses its whole rebuild without."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()


PREREAD_AT_LEAST = 400  # batch files to read before it pays to start processes for it


class _Read(NamedTuple):
    """One batch file, read and validated in a worker process."""

    rel: str
    key: StatKey
    unchanged: bool  # the bytes the cache holds, under a new status (a fresh checkout)
    entry: bytes = b""  # else its cache entry, pickled once, here, for the cache file too


def read_batches_in_parallel(source: Path, files: BatchFiles, jobs: int, listing: Listing) -> bool:
    """Read and validate the batch files the cache does not hold, in `jobs` processes, into
    the cache, where check_site then finds them. Worth it for a cold build of a large site
    (reading YAML is a quarter of it, and no file depends on another) and for a fresh
    checkout, where every file has a new status and the cache compares bytes instead."""
    if jobs < 2:
        return False
    stems = content_stems(listing)
    if files.cache.stems != stems:  # validated against other content files: all read again
        files.cache, files.memo = SourceCache(), ValidationMemo()
    entries = files.cache.entries
    # (A name shown with escapes is not a path: load_sources reads that file itself.)
    folder = f"{BATCHES.path}/"
    stale = []
    for rel, key in listing.stats:
        if not rel.startswith(folder) or "\\" in rel:
            continue
        if (entry := entries.get(rel)) is None or entry[0] != key:
            stale.append((rel, str(source / rel), key, entry[1].digest if entry and entry[1] else ""))
    if len(stale) < PREREAD_AT_LEAST:
        return False  # load_sources reads these few (or sees their bytes are unchanged)
    files.cache.stems = files.memo.stems = stems
    size = -(-len(stale) // (jobs * 4))  # a few parts per process, so they finish together
    parts = [(source, stale[i : i + size], stems) for i in range(0, len(stale), size)]
    with _pool(jobs) as pool:
        for part in pool.imap(_read_part, parts):
            for read in part:
                if read.unchanged:
                    entries[read.rel] = (read.key, *entries[read.rel][1:])
                else:
                    add_batch_file(files, read.rel, read.key, read.entry, source, whole=True)
    return True


@contextmanager
def _pool(jobs: int) -> Iterator[Pool]:
    """Worker processes forked from this one, sharing its memory (the site) rather than a copy.

    The objects made so far are frozen out of the garbage collector first: a collection in a
    worker would otherwise walk, and so write to, every one of them, copying the pages it
    shares with this process."""
    import multiprocessing  # here: a rebuild of a few files starts no process, and spares the import

    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _read_part(part: tuple[Path, list[tuple[str, str, StatKey, str]], dict[str, list[str]]]) -> list[_Read]:
    source, stale, stems = part
    read_batch_file = batch_file_reader(source)
    found = []
    for rel, path, key, digest in stale:
        if digest and same_bytes(path, digest):
            found.append(_Read(rel, key, unchanged=True))
            continue
        parsed, problems = read_batch_file(path)
        if parsed is None:
            found.append(_Read(rel, key, False, batch_file_entry("", None, problems)))
        else:
            entry = batch_file_entry(parsed.digest, read_batch(parsed, stems), problems)
            found.append(_Read(rel, key, False, entry))
    return found


def qr_facts(
    site: Site, renderer: Renderer, batches: Iterable[Batch]
) -> tuple[dict[str, LabelFacts], list[Diagnostic]]:
    """These batches' QR codes, made once; warnings where a label would print too small."""
    facts: dict[str, LabelFacts] = {}
    warnings = []
    for batch in batches:
        try:
            found = facts[batch.id] = renderer.label_facts(batch)
        except QrTooLong as exc:
            message = f"base_url: the address of batch '{batch.id}' is too long for a QR code ({exc})"
            raise SiteErrors([Diagnostic(Span("site.yaml"), codes.BAD_URL, message)]) from None
        if found.too_small:
            warnings.append(too_small(batch, found))
    return facts, warnings


def kept_qr_facts(
    site: Site, versions: dict[str, str], batches: Iterable[Batch]
) -> tuple[dict[str, LabelFacts], list[Diagnostic]]:
    """The facts of codes the live output holds, from their versions (Manifest.versions): the
    same, since a kept batch has the same address, without a look at the codes."""
    batches = list(batches)
    of_version = {v: LabelFacts.of_version(int(v), site.config) for v in {versions[b.id] for b in batches}}
    facts: dict[str, LabelFacts] = {}
    warnings = []
    for batch in batches:
        found = facts[batch.id] = of_version[versions[batch.id]]
        if found.too_small:
            warnings.append(too_small(batch, found))
    return facts, warnings


def too_small(batch: Batch, found: LabelFacts) -> Diagnostic:
    message = (
        f"the label's QR code prints at {found.module_mm} mm per module (version "
        f"{found.version}, {found.modules} modules in {found.qr_mm} mm); below {MIN_MODULE_MM} mm "
        "phones may fail to scan it: raise label.qr_mm or shorten the address"
    )
    return Diagnostic(batch.span, codes.QR_PRINT_SIZE, message, "warning")


@dataclass(slots=True)
class _Job:
    """What every rendering process needs. Set before the workers fork, so the
    site is shared with them, not pickled; each compiles the templates once."""

    site: Site
    source: Path
    staging: Staging
    symbols: Symbols
    used_by: Users  # who names each content file (the signatures' own)
    own: dict[str, str]  # each batch's own signature, which keeps its parts of the lists
    parts: Parts  # those parts, as the last build made them
    renderer: Renderer | None = None

    def env(self) -> Environment:
        return make_environment(self.source / "templates")


@dataclass(slots=True)
class _Done:
    files: int
    facts: dict[str, LabelFacts]
    warnings: list[Diagnostic]
    symbols: Symbols  # codes made by this chunk, for the cache
    parts: Parts  # lists made by this chunk, for the cache


_JOB: _Job | None = None


def _render_chunk(chunk: list[Output]) -> _Done:
    job = _JOB
    assert job is not None
    if job.renderer is None:
        job.renderer = Renderer(job.site, job.env(), job.symbols, job.used_by, BatchParts(job.own, job.parts))
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
    return _Done(len(chunk), facts, warnings, made, renderer.parts.take_made())


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
    digests: dict[str, str] | None = None,
) -> BuildReport:
    """Render what changed, in `jobs` processes, and publish it.

    With a manifest of the live output (the usual rebuild) only the changed
    files are rendered, into a staging folder, and then moved over the live
    ones one atomic rename each. Without one (the first build, --clean, a
    deleted cache) everything is rendered into a staging folder that replaces
    the output whole. Either way a build that fails changes nothing.
    """
    global _JOB
    started = time.perf_counter()
    check_output(source, output)
    with one_at_a_time(source / CACHE_DIR):  # one build of a site at a time
        with collector_paused():
            symbols = load_symbols(source) if symbols is None else symbols
            cached_codes = len(symbols)
            kept_parts = load_parts(source)
            before = manifest.load(source, output) if (output / MARKER).is_file() else Manifest()
            in_place = not before.empty and not clean
            signatures = Signatures(site, source, digests, kept=before if in_place else None)
            # The manifest is trusted: a file deleted from the output by hand comes back with --clean.
            changes = manifest.compare(site, signatures, before, reuse=in_place)
        if not all(map(inside, changes.removed)):  # a manifest naming files elsewhere: built afresh
            before, in_place = Manifest(), False
            changes = manifest.compare(site, signatures, before, reuse=False)
        todo, removed = changes.todo, changes.removed
        if in_place:
            # A file of someone else's where a new page goes: never overwritten.
            in_the_way = [o.path for o in todo if not before.holds(o) and os.path.lexists(output / o.path)]
            if in_the_way:  # (unless the manifest names it elsewhere: a batch whose id changed case)
                known = before.every_path()
                in_the_way = [path for path in in_the_way if path not in known]
            if in_the_way:
                refuse_unknown(output, in_the_way, "overwrite")
        done = _Done(0, {}, [], symbols, {})  # what the chunks made, merged
        staging = None
        if todo or removed:
            planned = None if in_place else [o.path for o in todo]
            staging = Staging(output, clean=clean, planned=planned)
        try:
            if staging is not None:
                _JOB = _Job(site, source, staging, symbols, signatures.users, signatures.own, kept_parts)
                chunks = _chunks(todo, CHUNK)
                if jobs > 1 and len(chunks) > 1:
                    with _pool(jobs) as pool:
                        _collect(pool.imap_unordered(_render_chunk, chunks), done, progress, len(todo))
                else:
                    _collect(map(_render_chunk, chunks), done, progress, len(todo))
            # Batches whose files were all kept (so in the manifest, which has every batch's
            # version) still have their codes checked, by those versions.
            facts = done.facts
            more_facts, more_warnings = kept_qr_facts(
                site, before.versions, [b for b in site.batches if b.id not in facts]
            )
            facts.update(more_facts)
            done.warnings += more_warnings
            changes.now.versions = {batch_id: str(found.version) for batch_id, found in facts.items()}
            warnings = sorted(set(done.warnings), key=lambda d: d.span)
            if strict and warnings:
                raise SiteErrors(warnings)
            if staging is not None and in_place:
                manifest.begin(source, output, [o.path for o in todo] + removed)
                staging.apply([o.path for o in todo if not before.holds(o)], [o.path for o in todo], removed)
            elif staging is not None:
                staging.commit()
        except BaseException:
            if staging is not None:
                staging.discard()
            raise
        finally:
            _JOB = None
        if staging is not None:
            manifest.save(source, output, changes.now)
        if done.parts:
            save_parts(source, {**kept_parts, **done.parts})
        # One code per batch: the cache holds codes no longer used only if it holds more codes than
        # there are batches, and only then are they looked for. (Fewer: it lacked some, which kept
        # batches do not need; a later build that needs them adds them.)
        if len(symbols) > len(site.batches):
            save_symbols(source, {key: symbols[key] for key in _in_use(site, symbols)})
        elif len(symbols) != cached_codes:  # new codes only
            save_symbols(source, symbols)
        return BuildReport(
            len(todo),
            changes.files - len(todo),
            len(removed),
            len(site.batches),
            time.perf_counter() - started,
            facts,
            warnings,
        )


def _collect(
    chunks: Iterable[_Done], done: _Done, progress: Callable[[int, int], None] | None, total: int
) -> None:
    for chunk in chunks:
        done.files += chunk.files
        done.facts.update(chunk.facts)
        done.warnings.extend(chunk.warnings)
        done.symbols.update(chunk.symbols)
        done.parts.update(chunk.parts)
        if progress is not None:
            progress(done.files, total)


def _in_use(site: Site, symbols: Symbols) -> list[tuple[str, str]]:
    """The cache keeps the codes this site uses now, not every URL it ever had."""
    level = site.config.qr.error_correction
    keys = ((qr_url(site.config, batch), level) for batch in site.batches)
    return [key for key in keys if key in symbols]
