"""The engine: load -> validate -> plan -> compare -> render -> publish, with its state.

`mfsite build` runs it once, with the state loaded from `.mfsite-cache/`; `watch` and `serve`
keep one Engine and run it after every change, its state in memory. Each run decides what to
render the same way, so what it leaves is what a clean build would make:

- the sources are listed with their status; where none changed and every output file is as
  the record says mfsite wrote it, there is nothing to do;
- the sources are read (only those whose status changed) and validated, every error at once;
- the plan names every output, compare.py gives each its signature and keeps the files whose
  signature is unchanged and that one stat shows untouched; the rest are rendered, in worker
  processes for a large build;
- publish.py puts them in place: the whole folder swapped at once on a first build or with
  `--clean`, else each file renamed over the live one; the record and the rest of the state
  are saved last.
"""

from __future__ import annotations

import json
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from mfsite import codes
from mfsite.compare import Changes, Signatures, compare, sources_print
from mfsite.diagnostics import Diagnostic, SiteErrors, Span
from mfsite.load.parallel import read_batches_in_parallel
from mfsite.load.pictures import Pictures
from mfsite.load.sources import BATCHES, TEMPLATES, Listing, load_sources, source_stats
from mfsite.model import Site, Users
from mfsite.plan import BATCH_FILE_KINDS, CARD_NAME, Output
from mfsite.publish import (
    MARKER,
    PublishStopped,
    Staging,
    check_output,
    older_than_marker,
    one_at_a_time,
    refuse_unknown,
    written_files,
)
from mfsite.render import Renderer, make_environment, template_problem
from mfsite.render.feeds import BatchParts, Kept, ListParts, Parts
from mfsite.render.labels import LabelFacts, kept_qr_facts, qr_facts
from mfsite.render.qr import QrTooLong
from mfsite.seen import EVERYTHING, Seen, Watched
from mfsite.state import BuildState, Symbols, stamp
from mfsite.state.batches import BatchFiles
from mfsite.state.cards import Cards
from mfsite.state.record import OutputKey, Record, Report, changed_files, columns, statuses
from mfsite.state.store import PHOTOS_FOLDER, DamagedState
from mfsite.urls import qr_url
from mfsite.validate import validate
from mfsite.workers import collector_paused, pool

if TYPE_CHECKING:
    from mfsite.signing.jws import Signer
    from mfsite.state.photos import Published


@dataclass(slots=True)
class Checked:
    site: Site | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # source path -> digest of its bytes

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def check_site(
    source: Path,
    base_url: str | None = None,
    need_base_url: bool = False,
    files: BatchFiles | None = None,
    listing: Listing | None = None,
    pictures: Pictures | None = None,
) -> Checked:
    """Load and validate. With the state's batch files and pictures, only files whose status
    changed are read and validated again."""
    cache, memo = (files.cache, files.memo) if files is not None else (None, None)
    sources, problems = load_sources(source, cache, listing, pictures)
    site, more = validate(sources, base_url, need_base_url, memo)
    diagnostics = problems + more
    # A file that could not be read is missing from the model: never build without it.
    if any(d.severity == "error" for d in diagnostics):
        site = None
    files_read = [sources.site, *sources.batches, *(f for fs in sources.content.values() for f in fs)]
    digests = {f.path: f.digest for f in files_read if f is not None and f.digest}
    return Checked(site, diagnostics, digests)


@dataclass(slots=True)
class Result:
    """What one run of the engine did, for the one-line report."""

    ok: bool
    diagnostics: list[Diagnostic]  # errors (when not ok) and warnings
    changed: list[str] = field(default_factory=list)  # source paths changed since the engine's last run
    batches: int = 0
    files: int = 0  # in the output
    written: int = 0
    removed: int = 0
    level: str = ""  # the QR codes' error-correction level
    facts: dict[str, LabelFacts] = field(default_factory=dict)  # batch id -> its code's version and size
    base_url: str = ""  # in effect
    seconds: float = 0.0


class RenderFailed(Exception):
    """A template (or renderer) failed on one output; said as file:line: message."""


# The batch cache, and the batches' parts of the long lists, are written again once what is
# new in them makes up this share: the next build reads (or makes) the few others again, which
# costs less than writing every entry after each small edit.
RESAVE_SHARE = 0.02
CHUNK = 100  # outputs a worker renders per task: big enough to amortise, small enough to balance
# Pictures mfsite draws or encodes from pixels: no text of the sources reaches them, so the leak
# check of a signing build (Signer.refuse_leaks) skips their bytes, a third of a site's.
DRAWN = frozenset({"card", "photo", "qr-png"})


class Engine:
    def __init__(
        self,
        source: Path,
        output: Path,
        base_url: str | None = None,
        strict: bool = False,
        jobs: int = 1,
        once: bool = False,
    ) -> None:
        """`once`: the process ends after one run (`mfsite build`), rather than keep the state."""
        self.source = source
        self.output = output
        self.base_url = base_url
        self.strict = strict
        self.jobs = jobs
        self.once = once
        self.state = BuildState(source, output)
        self.state.deferred = not once  # saved by save(), once the new pages are out
        self.listing: Listing | None = None  # the sources at the last run, with their status
        # What may have changed since the sources were last listed, and since the output was
        # last found as its record says: everything, until a watch says what it saw.
        self.unchecked = Watched(Seen(everything=True), Seen(everything=True))

    def run(
        self,
        clean: bool = False,
        progress: Callable[[int, int], None] | None = None,
        watched: Watched = EVERYTHING,
    ) -> Result:
        """One build. Raises OutputRefused, RenderFailed, PublishStopped and OSError, the output
        left as it was (but for PublishStopped, which says what was replaced). `watched`: what
        a watch saw change since the last run; only those files are stat'ed."""
        started = time.perf_counter()
        self.unchecked.sources.add(watched.sources)
        self.unchecked.output.add(watched.output)
        check_output(self.source, self.output)
        with one_at_a_time(self.state.folder), collector_paused(freeze=self.once):
            self.state.flush()  # what an earlier run left unsaved
            try:
                result = self._run(clean, progress)
            except DamagedState:  # a stored batch whose body does not load: the files are read
                self.state.forget_batches()
                result = self._run(clean, progress)
        result.seconds = time.perf_counter() - started
        return result

    def save(self) -> None:
        """Write the state a watch keeps in memory (after each rebuild, once the pages are out)."""
        with one_at_a_time(self.state.folder):
            self.state.flush()

    def _run(self, clean: bool, progress: Callable[[int, int], None] | None) -> Result:
        # The output is checked against its record while the sources are listed and read:
        # both wait on the file system far more than they run Python.
        verified = _Verification(self.state, self.output, clean, self.unchecked.output)
        listing = source_stats(self.source, self.listing, self.unchecked.sources)
        changed = self._changed(listing)
        self.unchecked.sources = Seen()
        settings = (self.base_url or "", os.environ.get("SOURCE_DATE_EPOCH", ""), str(self.strict))
        fingerprint = sources_print(listing.stats, settings)
        if not clean:
            # Only where no source changed is the build's outcome the output's check alone.
            if verified.recorded_sources() == fingerprint:
                record, altered = verified.result()
                if not altered and not record.empty and self._same_key(record.report):
                    self.unchecked.output = Seen()
                    if verified.moved:  # (so that the next build need not read them again)
                        self.state.save_record(record)
                    return self._unchanged(record, changed)
        else:
            self.state.forget()  # trust nothing: every file read again, every code made anew
        try:
            return self._read_and_build(listing, verified, fingerprint, changed, clean, progress)
        finally:
            verified.close()

    def _read_and_build(
        self,
        listing: Listing,
        verified: _Verification,
        fingerprint: str,
        changed: list[str],
        clean: bool,
        progress: Callable[[int, int], None] | None,
    ) -> Result:
        checked = self._check(listing)
        if checked.site is None or (self.strict and checked.warnings):
            return Result(False, checked.diagnostics, changed)
        site = checked.site
        passport = site.config.passport
        signer = None
        if passport.sign:
            from mfsite.signing.keys import KeyProblem, read_signer  # (cryptography: only to sign)

            try:
                signer = read_signer(site.config, self.source, self.output)
            except KeyProblem as exc:
                problem = Diagnostic(passport.span or Span("site.yaml"), codes.SIGNING_KEY, str(exc))
                return Result(False, sorted([*checked.diagnostics, problem], key=lambda d: d.span), changed)
        templates = listing.paths.get(TEMPLATES, [])
        result, now = self._build(site, checked.digests, templates, verified, clean, progress, signer)
        result.changed = changed
        result.diagnostics = sorted(set(checked.diagnostics + result.diagnostics), key=lambda d: d.span)
        result.level = site.config.qr.error_correction
        result.base_url = site.config.base_url or ""
        facts = _by_version(result.facts)
        now.report = Report(
            fingerprint, result.base_url, len(site.batches), result.level, facts, result.diagnostics
        )
        if signer is not None:  # what a later build with nothing changed compares (_same_key)
            now.report.key, now.report.key_file = signer.status, passport.key
        self.state.save_record(now)
        self.unchecked.output = Seen()
        return result

    def _same_key(self, report: Report) -> bool:
        """Whether the signing key is the one the recorded build signed with (the sources name
        its file, but not what the file or MFSITE_SIGNING_KEY holds)."""
        if not report.key:
            return True
        from mfsite.signing.status import key_status

        return key_status(report.key_file, self.source) == report.key

    def _changed(self, listing: Listing) -> list[str]:
        """The sources added, changed or gone since this engine's last run (watch's report)."""
        before, self.listing = self.listing, listing
        if before is None:
            return []
        if listing.changed is not None:
            return listing.changed
        now, then = dict(listing.stats), dict(before.stats)
        return sorted(rel for rel in now.keys() | then.keys() if now.get(rel) != then.get(rel))

    def _unchanged(self, record: Record, changed: list[str]) -> Result:
        report = record.report
        of_version = {v: LabelFacts(v, m, *map(Decimal, sizes)) for v, (m, *sizes) in report.facts.items()}
        facts = {batch_id: of_version[v] for batch_id, v in record.versions.items()}
        files = record.count
        return Result(
            True, report.warnings, changed, report.batches, files, 0, 0, report.level, facts, report.base_url
        )

    def _check(self, listing: Listing) -> Checked:
        files = self.state.batch_files
        read_in_parallel = read_batches_in_parallel(self.source, files, self.jobs, listing)
        pictures = self.state.pictures
        known = dict(pictures)
        checked = check_site(self.source, self.base_url, True, files, listing, pictures)
        if pictures != known:
            self.state.save_pictures()
        changed = [rel for rel in files.cache.changed if rel.startswith(f"{BATCHES.path}/")]
        gone = any(rel not in files.cache.entries for rel in changed)
        if read_in_parallel or gone or len(changed) >= max(1, RESAVE_SHARE * len(files.cache.entries)):
            self.state.save_batch_files()
        return checked

    def _build(
        self,
        site: Site,
        digests: dict[str, str],
        templates: list[str],
        verified: _Verification,
        clean: bool,
        progress: Callable[[int, int], None] | None,
        signer: Signer | None,
    ) -> tuple[Result, Record]:
        state = self.state
        published = _published(site, self.source, state.folder, self.jobs, clean)
        cards = Cards(state.folder, self.source)
        if clean:
            cards.clear()
        # What the sources changed is worked out while the output's check may still run; the
        # files it finds altered (rarely any) are then compared again.
        before = verified.record()
        signatures = Signatures(site, self.source, digests, before, templates, signer.kid if signer else "")
        changes = compare(site, signatures, before, set())
        _, altered = verified.result()
        if altered or verified.moved:
            changes = compare(site, signatures, before, altered)
        # In place where mfsite's output is there; made whole on a first build, and where the
        # folder was deleted (or emptied: its marker went with it).
        in_place, ours = not before.empty and os.path.isfile(self.output / MARKER), set[str]()
        if in_place:
            _refuse_files_in_the_way(self.output, changes, before)
        todo = [out.path for out in changes.todo]
        noted = in_place and bool(todo or changes.removed) and state.begin(todo + changes.removed)
        if in_place and (todo or changes.removed) and not noted:
            # No note of a publish in place can be kept (the state cannot be written): the
            # folder is made whole instead, the files the record names taken as mfsite's.
            in_place, ours = False, {path for path, _ in before.statuses()}
        if not in_place and not before.empty:
            changes = compare(site, signatures, Record(), set())
            todo = [out.path for out in changes.todo]
        staging, publishing = None, False
        try:
            if todo or changes.removed or not in_place:
                staging = Staging(self.output, clean=clean, planned=None if in_place else todo, ours=ours)
            job = Job(
                site, self.source, staging, state.symbols, signatures.users, signatures.own, state.parts,
                signatures.theme("archive"), cards, published, signer,
            )  # fmt: skip
            done = render(job, changes.todo, progress, self.jobs)
            facts, warnings = done.facts, done.warnings
            more_facts, more_warnings = kept_qr_facts(
                site, before.versions, (b for b in site.batches if b.id not in facts)
            )
            facts.update(more_facts)
            warnings = sorted(set(warnings + more_warnings), key=lambda d: d.span)
            if self.strict and warnings:
                raise SiteErrors(warnings)
            publishing = True  # from here on, a stop leaves the note for the next build
            if staging is not None and in_place:
                self._publish_in_place(staging, changes, before)
            elif staging is not None:
                staging.commit()
        except BaseException:
            if staging is not None:
                staging.discard()
            if noted and not publishing:
                state.end()
            raise
        if published is not None:
            published.cache.prune(s.key for s in published.shown.values())
        if any(path.endswith(CARD_NAME) for path in todo + changes.removed):
            cards.prune(site)  # (a card unused now is one whose batch changed or went)
        now = changes.now
        now.versions = {batch_id: found.version for batch_id, found in facts.items()}
        written = statuses(str(self.output), todo)
        now.take_written(changes.carried | {path: (*key, done.crcs[path]) for path, key in written.items()})
        state.save_parts({name: made for name, made in done.parts.items() if _many_new(made)})
        # One code per batch: the cache keeps the codes in use, looked for only when it holds
        # more than there are batches; else it is saved when it holds new ones.
        if len(state.symbols) > len(site.batches):
            state.save_symbols(_in_use(site, state.symbols))
        elif len(state.symbols) != state.saved_codes:
            state.save_symbols()
        result = Result(
            True, warnings, batches=len(site.batches), files=changes.files, written=len(todo),
            removed=len(changes.removed), facts=facts,
        )  # fmt: skip
        return result, now

    def _publish_in_place(self, staging: Staging, changes: Changes, before: Record) -> None:
        """Each file renamed over the live one, new files first; the note of what is being
        replaced (BuildState.begin) is kept until the record is saved, so a stop half-way is
        finished next time."""
        todo = [out.path for out in changes.todo]
        try:
            holds = before.holder()
            staging.apply([p for p in todo if not holds(p)], todo, changes.removed)
        except PublishStopped:
            before.forget({*todo, *changes.removed})  # (the state kept in memory, as on disk)
            raise


class _Verification:
    """The output record, and the files it names that are no longer as mfsite wrote them (one
    stat a file), found while the sources are listed and read. Against `clean`, nothing is
    recorded.

    Where every file is stat'ed (`mfsite build`: 50,000 at 10,000 batches) in a process with no
    other thread, a forked child process takes the stats, on a core of its own. In a thread, each
    stat would wait for the interpreter's lock while the build's thread loads the batches, and
    most would be taken only once that thread waits for them. The record's fingerprint of the
    sources comes first, so a build whose sources changed goes on without waiting for the stats."""

    def __init__(self, state: BuildState, output: Path, clean: bool, seen: Seen) -> None:
        self.state, self.output, self.seen = state, output, seen
        self.found: tuple[Record, set[str]] = (Record(), set())
        self.moved: dict[str, OutputKey] = {}  # files as written, whose status changed (now in the record)
        self.error: BaseException | None = None
        self.child: tuple[int, int] | None = None  # (process id, the pipe its answer comes on)
        self.heard = b""  # what the child said after the fingerprint, so far
        self.thread: threading.Thread | None = None
        self.loaded = threading.Event()  # set by the thread once the record is loaded (or failed)
        if clean:
            return
        if seen.everything and hasattr(os, "fork") and threading.active_count() == 1:
            try:
                self.child = _changed_files_in_a_child(state, str(output))
                return
            except OSError:
                pass  # no process to spare: a thread does it
        self.thread = threading.Thread(target=self._find, name="mfsite-verify", daemon=True)
        self.thread.start()

    def _find(self) -> None:
        try:
            record = self.state.record
            self.loaded.set()
            changed, moved = record.changed_files(str(self.output), self.seen)
            self.moved = record.take_moved(moved)
            self.found = (record, changed)
        except BaseException as exc:  # raised again in the build's own thread
            self.error = exc
        finally:
            self.loaded.set()

    def recorded_sources(self) -> str:
        """The fingerprint of the sources the record was written from ("" where unknown)."""
        if self.child is not None:
            said = self.heard
            while b"\0" not in said and (more := os.read(self.child[1], 65536)):
                said += more
            fingerprint, _, self.heard = said.partition(b"\0")
            return fingerprint.decode("utf-8", "replace")
        if self.thread is not None:
            self.loaded.wait()
            return "" if self.error is not None else self.state.record.report.sources
        return self.state.record.report.sources

    def record(self) -> Record:
        """The record, without waiting for the check where a child process takes it (the files
        it finds moved are written into this same record by result())."""
        return self.state.record if self.child is not None else self.result()[0]

    def close(self) -> None:
        """Stop waiting for the check, where a build ends without its answer (a failed one)."""
        if self.child is not None:
            pid, answer = self.child
            self.child = None
            os.close(answer)  # (its next write fails: it ends)
            os.waitpid(pid, 0)
        elif self.thread is not None:
            self.thread.join()

    def result(self) -> tuple[Record, set[str]]:
        if self.child is not None:
            pid, answer = self.child
            self.child = None
            with os.fdopen(answer, "rb") as pipe:
                said = self.heard + pipe.read()
            _, status = os.waitpid(pid, 0)
            if status == 0 and said.startswith(b"ok\0"):
                changed, moved = json.loads(said[3:])
                record = self.state.record
                # (the child read the record as saved: not a file a stopped publish left in doubt)
                self.moved = record.take_moved({path: tuple(key) for path, key in moved.items()})
                self.found = (record, {*changed, *self.state.in_doubt})
            else:
                self._find()  # here, then: an error is raised as this process meets it
        elif self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        return self.found


def _changed_files_in_a_child(state: BuildState, output: str) -> tuple[int, int]:
    """A child process that reads the record's data as saved (this process loads it whole,
    meanwhile), writes its fingerprint of the sources and a NUL to a pipe, then finds the
    changed files of all it names and writes "ok", a NUL and, as JSON, the paths changed and
    those as written with their status now; (its process id, the pipe's end to read). Where
    the data is damaged, this process finds the record empty and uses none of it."""
    stamp()  # (both processes check the state's stamp: worked out once, before the fork)
    answer, told = os.pipe()
    pid = os.fork()
    if pid:
        os.close(told)
        return pid, answer
    code = 1
    try:
        os.close(answer)
        data = state.record_data() or {}
        report = data.get("report")
        sources = report[0] if type(report) is tuple and report and type(report[0]) is str else ""
        with os.fdopen(told, "wb") as pipe:
            pipe.write(sources.encode("utf-8", "replace") + b"\0")
            pipe.flush()
            found = columns(data.get("paths"), data.get("batch_stats"), data.get("file_stats"))
            changed, moved = changed_files(output, *found) if found is not None else (set(), {})
            pipe.write(b"ok\0" + json.dumps([sorted(changed), moved]).encode("ascii"))
        code = 0
    finally:
        os._exit(code)  # (no cleanup of the parent's: its files and buffers are its own)


def _refuse_files_in_the_way(output: Path, changes: Changes, before: Record) -> None:
    """A file of someone else's where a new file goes is never overwritten: the build stops
    and names it. (A folder of mfsite's own files, all to be removed, is not in the way; nor is
    a file the last whole publish wrote, where its record could not be saved.)"""
    removed = set(changes.removed)
    in_the_way = []
    holds = before.holder()
    for out in changes.todo:
        path = out.path
        if holds(path) or not os.path.lexists(output / path):
            continue
        folder = output / path
        ours = os.path.isdir(folder) and not os.path.islink(folder)
        if not (ours and all(f"{path}/{inner}" in removed for inner in written_files(folder))):
            in_the_way.append(path)
    old = older_than_marker(output)  # (written by the last whole publish, with the record unsaved)
    in_the_way = [path for path in in_the_way if not old(path)]
    if in_the_way:
        refuse_unknown(output, in_the_way, "overwrite")


def _by_version(facts: dict[str, LabelFacts]) -> dict[int, tuple[int, str, str]]:
    """The QR facts by code version: the same for every code of one."""
    return {f.version: (f.modules, str(f.qr_mm), str(f.module_mm)) for f in facts.values()}


@dataclass(slots=True)
class Job:
    """What every rendering process needs. Set before the workers fork, so the site is
    shared with them, not pickled; each compiles the templates once."""

    site: Site
    source: Path
    staging: Staging | None
    symbols: Symbols
    used_by: Users  # who names each content file (the signatures' own)
    own: dict[str, str]  # each batch's own signature, which keeps its parts of the lists
    parts: Kept  # those parts, as the last build made them
    theme: str  # the site's templates the rows of month pages use (their parts are kept under it)
    cards: Cards | None = None  # the batches' share cards
    photos: Published | None = None  # where the site shows photos
    signer: Signer | None = field(default=None, repr=False)  # the passports' key, where they are signed
    renderer: Renderer | None = None

    def env(self) -> Environment:
        return make_environment(self.source / "templates", self.site.config.language)


@dataclass(slots=True)
class Done:
    files: int = 0
    facts: dict[str, LabelFacts] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    symbols: Symbols = field(default_factory=dict)  # codes made, for the state
    parts: Parts = field(default_factory=dict)  # lists made, for the state
    crcs: dict[str, int] = field(default_factory=dict)  # each file written -> its bytes' CRC-32


_JOB: Job | None = None


def render(job: Job, todo: list[Output], progress: Callable[[int, int], None] | None, jobs: int) -> Done:
    """Render the outputs into the staging folder, in `jobs` processes when it pays."""
    global _JOB
    done = Done()
    _JOB = job
    try:
        # The plan is sorted by path, so a batch's page, label and codes sit together
        # and share one QR code in one worker.
        chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
        if jobs > 1 and len(chunks) > 1:
            with pool(jobs) as workers:
                _collect(workers.imap_unordered(_render_chunk, chunks), done, progress, len(todo))
        else:
            _collect(map(_render_chunk, chunks), done, progress, len(todo))
    finally:
        _JOB = None
    job.symbols.update(done.symbols)
    return done


def _render_chunk(chunk: list[Output]) -> Done:
    job = _JOB
    assert job is not None and job.staging is not None
    if job.renderer is None:
        parts = BatchParts(job.own, job.parts, job.theme)
        job.renderer = Renderer(
            job.site, job.env(), job.symbols, job.used_by, parts,
            photos=job.photos, cards=job.cards, signer=job.signer,
        )  # fmt: skip
    renderer = job.renderer
    known = set(renderer.symbols)
    crcs = {}
    ids = dict.fromkeys(out.key for out in chunk if out.kind in BATCH_FILE_KINDS)
    facts, warnings = qr_facts(renderer.label_facts, (renderer.batches[i] for i in ids))
    for out in chunk:
        if out.kind == "static":
            data = (job.source / "static" / out.key).read_bytes()
        else:
            try:
                data = renderer.render(out)
            except (SiteErrors, QrTooLong):
                raise
            except Exception as exc:  # a template's mistake, said where it is: never a traceback
                raise RenderFailed(template_problem(exc, out.path)) from None
        if job.signer is not None and out.kind not in DRAWN:
            job.signer.refuse_leaks(data, f"static/{out.key}" if out.kind == "static" else out.path)
        job.staging.write(out.path, data)
        crcs[out.path] = zlib.crc32(data)
    made = {key: symbol for key, symbol in renderer.symbols.items() if key not in known}
    return Done(len(chunk), facts, warnings, made, renderer.parts.take_made(), crcs)


def _collect(
    chunks: Iterable[Done], done: Done, progress: Callable[[int, int], None] | None, total: int
) -> None:
    for chunk in chunks:
        done.files += chunk.files
        done.facts.update(chunk.facts)
        done.warnings.extend(chunk.warnings)
        done.symbols.update(chunk.symbols)
        done.parts.update(chunk.parts)
        done.crcs.update(chunk.crcs)
        if progress is not None:
            progress(done.files, total)


def _many_new(made: ListParts) -> bool:
    """Whether a list made has enough parts the state lacks to be worth saving (RESAVE_SHARE):
    each list is a file of its own, saved where it gained that many."""
    return made.fresh >= max(1, RESAVE_SHARE * len(made.lengths))


def _published(site: Site, source: Path, state: Path, jobs: int, clean: bool) -> Published | None:
    """The site's photos processed (those the cache lacks; with `clean`, every one anew), or
    None for a site that shows none. Raises SiteErrors for a photo that cannot be processed."""
    if not site.photos and not (state / PHOTOS_FOLDER).is_dir():
        return None
    from mfsite.state.photos import PhotoCache, Published  # (Pillow: imported where there are photos)

    cache = PhotoCache(state, source)
    if clean or not site.photos:
        cache.clear()  # (a site that shows no photo any more keeps none)
    return Published(cache, site.photos, cache.ready(site.photos, jobs)) if site.photos else None


def _in_use(site: Site, symbols: Symbols) -> set[tuple[str, str]]:
    """The state keeps the codes this site uses now, not every URL it ever had."""
    level = site.config.qr.error_correction
    return {(qr_url(site.config, batch), level) for batch in site.batches}
