"""Incremental rebuilds for watch and serve: re-render only what a change affects.

A `Workspace` lives as long as `mfsite watch` does. It keeps the parsed
sources (a file is read again only when its stat changes), each batch's
validation result, and what the last good build wrote. After a change it
re-plans the whole site (cheap) and re-renders only:

- every output, when `site.yaml` or a free page (the footer lists them all) changed;
- a batch's page, label, QR codes (and other files of its own) when its file or
  a file it refers to changed;
- a partner, material or story page when its file changed, or a changed batch
  refers (or referred) to it;
- the site-wide files (home, 404, feeds...) on any change: they are rendered,
  and written only when their bytes differ;
- the outputs whose template, or a template it includes, changed;
- static files that changed; outputs that appeared; and it deletes outputs
  that disappeared.

The first build is `mfsite build`'s own, through the build cache. Later
builds write the files whose bytes changed into a staging folder beside the
output, then rename each over the live one (publish.Staging.apply): new pages
before the pages that link to them, deletions last. The result is always
byte-identical to a clean full build; the tests hold it to that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, meta

from mfsite import manifest
from mfsite.build import build_site, check_site, collector_paused, qr_facts
from mfsite.cache import CACHE_DIR, load_batches
from mfsite.diagnostics import Diagnostic
from mfsite.load.sources import TEMPLATES, StatKey, listed_stats
from mfsite.model import Batch, Site
from mfsite.plan import CONTENT_KINDS, Output, plan_site
from mfsite.publish import Staging, one_at_a_time
from mfsite.render import Renderer, make_environment, template_for
from mfsite.render.qr import QrSymbol
from mfsite.urls import month_of


@dataclass(slots=True)
class Rebuild:
    """What one rebuild did, for the one-line report."""

    ok: bool
    diagnostics: list[Diagnostic]
    changed: list[str] = field(default_factory=list)  # source paths
    written: int = 0
    removed: int = 0
    seconds: float = 0.0
    full: bool = False


@dataclass(slots=True)
class Live:
    """The output folder as the last good build left it."""

    site: Site
    outputs: dict[str, Output]


class Workspace:
    def __init__(self, source: Path, output: Path, base_url: str | None, jobs: int = 1) -> None:
        self.source = source
        self.jobs = jobs
        self.output = output
        self.base_url = base_url
        files = load_batches(source)  # the build cache's batch files: a quick first build
        self.cache, self.memo = files.cache, files.memo
        self.env = make_environment(source / "templates")
        self.live: Live | None = None
        self.templates: dict[str, StatKey] = {}
        self.symbols: dict[tuple[str, str], QrSymbol] = {}  # QR codes are re-made only for new URLs
        self.touched: set[str] = set()  # outputs written since the last full build

    def rebuild(self) -> Rebuild:
        started = time.perf_counter()
        # The collector runs between rebuilds, not during them: this process holds every batch,
        # and a collection mid-rebuild would walk them all (it made a rebuild twice as slow).
        with collector_paused(freeze=False):
            result = self._rebuild()
        result.seconds = time.perf_counter() - started
        return result

    def _rebuild(self) -> Rebuild:
        checked = check_site(self.source, self.base_url, True, self.cache, self.memo)
        changed = checked.changed
        changed_templates = self.template_changes()
        if changed_templates and self.env.cache is not None:
            # An override that appeared hides a built-in template Jinja has cached.
            self.env.cache.clear()
        if checked.site is None:
            return Rebuild(False, checked.diagnostics, sorted(changed or ()))
        if self.live is None:
            result = self.full_build(checked.site, checked.digests)
        else:
            result = self.incremental(checked.site, changed or frozenset(), changed_templates)
        result.diagnostics = checked.diagnostics + result.diagnostics
        result.changed = sorted((changed or frozenset()) | {f"templates/{t}" for t in changed_templates})
        return result

    def full_build(self, site: Site, digests: dict[str, str]) -> Rebuild:
        report = build_site(
            site, self.source, self.output, jobs=self.jobs, symbols=self.symbols, digests=digests
        )
        self.touched = set()
        self.live = Live(site, {o.path: o for o in plan_site(site)})
        return Rebuild(True, report.warnings, written=report.written + report.unchanged, full=True)

    def produce(self, out: Output, renderer: Renderer) -> bytes:
        if out.kind == "static":
            return (self.source / "static" / out.key).read_bytes()
        return renderer.render(out)

    def incremental(self, site: Site, changed: frozenset[str], templates: set[str]) -> Rebuild:
        assert self.live is not None
        old = self.live
        new = {o.path: o for o in plan_site(site)}
        dirty = self.dirty(old, site, new, changed, templates)
        renderer = Renderer(site, self.env, self.symbols)
        keys = {new[path].key for path in dirty}
        dirty_batches = [b for b in site.batches if b.id in keys]
        _, warnings = qr_facts(site, renderer, dirty_batches)
        with one_at_a_time(self.source / CACHE_DIR):  # as build_site: one build of a site at a time
            return self.publish(old, site, new, dirty, renderer, warnings)

    def publish(
        self,
        old: Live,
        site: Site,
        new: dict[str, Output],
        dirty: set[str],
        renderer: Renderer,
        warnings: list[Diagnostic],
    ) -> Rebuild:
        staging = Staging(self.output)
        try:
            written = []
            # Site-wide files are rendered on any change, but written only when their bytes differ.
            for path in sorted(dirty):
                data = self.produce(new[path], renderer)
                if _differs(self.output / path, data):
                    staging.write(path, data)
                    written.append(path)
            removed = sorted(p for p in old.outputs if p not in new)
            # The build manifest no longer describes these files: a later build makes them again.
            self.touched.update(written)
            manifest.begin(self.source, self.output, sorted(self.touched))
            staging.apply([p for p in written if p not in old.outputs], written, removed)
        except BaseException:
            staging.discard()
            raise
        self.live = Live(site, new)
        return Rebuild(True, warnings, written=len(written), removed=len(removed))

    def dirty(
        self, old: Live, site: Site, new: dict[str, Output], changed: frozenset[str], templates: set[str]
    ) -> set[str]:
        everything = "site.yaml" in changed or any(p.startswith("content/pages/") for p in changed)
        if everything:
            return set(new)
        dirty = {path for path in new if path not in old.outputs}
        batches = changed_batches(old.site, site, changed)
        # Lists (home, feeds, partner pages...) show a batch's summary only: re-render them
        # when a summary changed, not for every edit of a batch's care text.
        relisted = relisted_batches(old.site, site, batches)
        touched = referenced_content(old.site, relisted) | referenced_content(site, relisted)
        months = months_of(old.site, relisted) | months_of(site, relisted)
        lists_changed = (
            bool(relisted)
            or set(old.outputs) != set(new)
            or any(path.startswith("content/") for path in changed)
        )
        using_template = self.kinds_using(templates)
        for path, out in new.items():
            if out.kind in using_template:
                dirty.add(path)
            elif out.kind == "static":
                if f"static/{out.key}" in changed:
                    dirty.add(path)
            elif out.kind in CONTENT_KINDS:
                if (out.kind, out.key) in touched or content_path(out.kind, out.key) in changed:
                    dirty.add(path)
            elif out.kind == "archive":
                if out.key in months:
                    dirty.add(path)
            elif out.key == "":
                if lists_changed:  # site-wide files: rendered again, written only if different
                    dirty.add(path)
            elif out.key in batches:
                dirty.add(path)
        return dirty

    def template_changes(self) -> set[str]:
        """Names of the site's template overrides that appeared, changed or went away (in
        sub-folders too: an override may include one from there)."""
        prefix = f"{TEMPLATES.path}/"
        now = {rel.removeprefix(prefix): key for rel, key in listed_stats(self.source, (TEMPLATES,))}
        changed = {n for n in now.keys() | self.templates.keys() if now.get(n) != self.templates.get(n)}
        self.templates = now
        return changed

    def kinds_using(self, templates: set[str]) -> set[str]:
        if not templates:
            return set()
        kinds = set()
        for kind, name in template_for.items():
            if templates & template_closure(self.env, name):
                kinds.add(kind)
        return kinds


def content_path(kind: str, stem: str) -> str:
    return f"content/{kind}/{stem}.md"


def changed_batches(old: Site, new: Site, changed: frozenset[str]) -> set[str]:
    """Ids of batches (in either build) whose file, or a file they name, changed."""
    content = {path for path in changed if path.startswith("content/")}  # usually none
    found = set()
    for site in (old, new):
        for batch in site.batches:
            if batch.span.path in changed or (
                content and any(content_path(kind, stem) in content for kind, stem in batch.named())
            ):
                found.add(batch.id)
    return found


def summary(site: Site, batch: Batch | None) -> tuple[object, ...] | None:
    """What lists and site-wide files show of a batch (see feeds.py, index.html, batch-list.html)."""
    if batch is None:
        return None
    partner = site.partners[batch.partner.id]
    return (
        batch.product, batch.produced, batch.gtin, batch.quantity, batch.origin.place,
        partner.id, partner.name, frozenset(batch.named()),
    )  # fmt: skip


def relisted_batches(old: Site, new: Site, batch_ids: set[str]) -> set[str]:
    if not batch_ids:
        return set()
    before = {b.id: b for b in old.batches}
    after = {b.id: b for b in new.batches}
    return {i for i in batch_ids if summary(old, before.get(i)) != summary(new, after.get(i))}


def months_of(site: Site, batch_ids: set[str]) -> set[str]:
    return {month_of(b) for b in site.batches if b.id in batch_ids}


def referenced_content(site: Site, batch_ids: set[str]) -> set[tuple[str, str]]:
    """The content pages that list these batches."""
    found: set[tuple[str, str]] = set()
    for batch in site.batches:
        if batch.id in batch_ids:
            found.update(batch.named())
    return found


def template_closure(env: Environment, name: str, seen: set[str] | None = None) -> set[str]:
    """A template and every template it extends, includes or imports."""
    seen = set() if seen is None else seen
    if name in seen:
        return seen
    seen.add(name)
    source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    for child in meta.find_referenced_templates(env.parse(source)):
        if child is not None:
            template_closure(env, child, seen)
    return seen


def _differs(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except OSError:
        return True
