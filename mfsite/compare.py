"""Compare: what each planned output is made from, as one signature, against the output record.

This is the one place that turns inputs into signatures. A signature hashes the bytes of
every source file an output is made from, plus what every page shares (site.yaml, the free
pages in the footer, and mfsite itself: the bytes of its code and theme, and the versions of
Python and of the libraries that shape its output, `mfsite.dependencies`), plus the site's
template overrides that the output's own template uses (`Signatures.theme`).

The dependencies are deliberately broad: a batch's files depend on the batch and every
content file it names; a partner, material or story page on its file, on the batches it
shows (by the batches' own signatures, so with every file they name) and on how many more
name it; a month page on its batches; the home page and the feeds on the newest batches, the
months' counts and the content files; the files that show no batch (404.html, robots.txt, ...)
on what every page shares; the other site-wide files on everything. Too broad only costs
time; too narrow would be a stale page, and the tests compare rebuilds with clean builds byte
for byte.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from pathlib import Path

from jinja2 import TemplateError

from mfsite import PACKAGE, dependencies, own_digest, package_files
from mfsite.i18n import SITE_LOCALE
from mfsite.load.sources import TEMPLATES, StatKey, file_digest, stat_key
from mfsite.model import Batch, Material, Page, Partner, Site, Story, users
from mfsite.plan import CONTENT_KINDS, Output, plan_batch, plan_shared
from mfsite.render import BATCH_TEMPLATES, make_environment, template_for, templates_used
from mfsite.render.pages import HOME_BATCHES, shown_on_page
from mfsite.state.cards import card_key
from mfsite.state.record import SEP, OutputKey, Record

# Site-wide files that show no batch: made from what every page shares alone (a batch's edit
# leaves them be).
SHOW_NO_BATCH = frozenset({"404", "robots", "context", "did", "nojekyll"})


def digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def sources_print(stats: list[tuple[str, StatKey]], settings: tuple[str, ...]) -> str:
    """The status of every source file (load.sources.source_stats, taken before reading them),
    of mfsite's own files, and this build's settings, as one value: while it is unchanged, and
    every output file is as written, a build has nothing to do."""
    own = [f"{p.relative_to(PACKAGE)} {stat_key(p)}" for p in package_files()]
    return digest(dependencies(), *settings, *own, repr(stats))  # (repr: one C loop over 10,000)


class Signatures:
    """Signatures of a site's outputs, from the bytes of its source files."""

    def __init__(
        self,
        site: Site,
        source: Path,
        digests: dict[str, str],
        kept: Record,
        templates: list[str],
        signed_by: str = "",
    ) -> None:
        """`signed_by`: the signing key's id, where passports are signed (a new key signs anew)."""
        self.site = site
        self.source = source
        self.templates = templates  # the override files, as the listing found them
        self.kept = kept  # the output record: its batches' signatures, where still right
        self.files: dict[str, str] = dict(digests)  # the loader's digests: no second read
        # What every page shares: the settings, site.yaml, the free pages and mfsite itself.
        # Of the site's template overrides, each output covers those its template uses (theme).
        self.shared = digest(
            dependencies(),
            repr(site.config),  # the settings in effect: --base-url and MFSITE_BASE_URL too
            os.environ.get("SOURCE_DATE_EPOCH", ""),  # the feed's date when the data has none
            self.file("site.yaml"),
            # The free pages by path and bytes: the footer links each (a renamed page moves).
            *(f"{page.span.path} {self.file(page.span.path)}" for page in site.pages.values()),
            own_digest(),
            signed_by,
            *self.site_catalogs(),
        )
        self.signed_by = signed_by
        self.users = users(site.batches)
        self.themes: dict[tuple[str, ...], str] = {}
        self.cards: dict[str, str] = {}  # batch id -> what its share card is drawn from (card)

    def site_catalogs(self) -> list[str]:
        """The site's own theme strings (templates/locale/<lang>.po), by path and bytes: any page
        may say them."""
        folder = os.path.join(str(self.source / TEMPLATES.path), SITE_LOCALE, "")
        found = sorted(path for path in self.templates if path.startswith(folder))
        return [f"{path[len(folder) :]} {file_digest(Path(path).read_bytes())}" for path in found]

    def file(self, rel: str) -> str:
        found = self.files.get(rel)
        if found is None:
            try:
                found = file_digest((self.source / rel).read_bytes())
            except OSError:
                found = "missing"
            self.files[rel] = found
        return found

    @cached_property
    def overrides(self) -> dict[str, str]:
        """The site's template overrides as the loader lists them (through links inside the
        site too): name, as templates name each other -> digest."""
        prefix = os.path.join(str(self.source / TEMPLATES.path), "")
        return {path[len(prefix) :]: file_digest(Path(path).read_bytes()) for path in self.templates}

    def theme(self, *kinds: str) -> str:
        """The overrides that the templates of these kinds of output use (all of them where a
        template names another by a variable); empty for outputs made without a template."""
        if kinds not in self.themes:
            used: set[str] = set()
            if self.overrides:
                env = make_environment(self.source / TEMPLATES.path)
                for kind in kinds:
                    if kind in template_for:
                        try:
                            names = templates_used(env, template_for[kind])
                        except TemplateError:  # a broken override: rendering says where
                            names = None
                        used |= self.overrides.keys() if names is None else names
            found = sorted(used & self.overrides.keys())
            self.themes[kinds] = digest(*(f"{name} {self.overrides[name]}" for name in found))
        return self.themes[kinds]

    @cached_property
    def context(self) -> str:
        """What a batch's own signature covers besides its file: what every page shares, the
        theme of a batch's files, and every content file (which of them a batch names follows
        from its file and their names)."""
        return digest(self.batch_shared, *self.content)

    @cached_property
    def batch_shared(self) -> str:
        return digest(self.shared, self.theme(*BATCH_TEMPLATES))

    @cached_property
    def content(self) -> list[str]:
        """Every content file (named by a batch or not), with its digest."""
        found = []
        for kind in CONTENT_KINDS:
            for stem, item in getattr(self.site, kind).items():
                path = f"content/{kind}/{stem}.md"
                found.append(f"{path} {self.file(path)} {self.translated(item)}{self.photo(item)}")
        return sorted(found)

    def named(self, name: str) -> str:
        """A content file a batch names ("partners/atelier"), as its signature covers it."""
        kind, _, stem = name.partition("/")
        path = f"content/{name}.md"
        item = getattr(self.site, kind)[stem]
        return f"{path} {self.file(path)} {self.translated(item)}{self.photo(item)}"

    @staticmethod
    def translated(item: Partner | Material | Story | Page) -> str:
        """What an item's translation files say (their texts, read into the item)."""
        return digest(repr(item.translations)) if item.translations else ""

    def photo(self, item: Partner | Material | Story | Page) -> str:
        """The bytes of the photo an item shows (its file names it, but may stay as it is while
        the photo changes)."""
        photo = getattr(item, "photo", None)
        return f" {self.site.photos[photo.src].digest}" if photo is not None else ""

    @cached_property
    def sources(self) -> dict[str, str]:
        """By batch id: its file (its path too: an id can come from the file's name) and digest,
        and its photos' digests."""
        file, photos = self.file, self.site.photos
        found = {}
        for batch in self.site.batches:  # (10,000 at 10,000 batches: one plain loop)
            path = batch.span.path
            text = f"{path} {file(path)}"
            if batch.photos:
                text += "".join(f" {photos[p.src].digest}" for p in batch.photos)
            found[batch.id] = text
        return found

    @cached_property
    def own(self) -> dict[str, str]:
        """By batch id: its file and every content file it names (the same for all its outputs).
        A batch whose file is unchanged, in an unchanged context, keeps the record's."""
        kept = self.kept if self.kept.context == self.context else Record()
        sources = self.sources
        found = {}
        for batch in self.site.batches:
            if kept.sources.get(batch.id) == sources[batch.id] and (signature := kept.batches.get(batch.id)):
                found[batch.id] = signature  # (empty where a stopped publish left its files in doubt)
            else:
                parts = sorted(self.named(name) for name in set(batch.named))
                found[batch.id] = digest(self.batch_shared, sources[batch.id], *parts)
        return found

    def card(self, batch: Batch) -> str:
        """What a batch's share card is drawn from (state/cards.py), narrower than the batch's own
        signature: an edit to its quantity or its journey leaves the card as it was. Worked out
        once a build (compare may run again once the output's check answers)."""
        if batch.id not in self.cards:
            self.cards[batch.id] = digest(card_key(self.site, batch), batch.id)
        return self.cards[batch.id]

    def listed(self, batches: Iterable[Batch]) -> list[str]:
        """Batches as lists show them (with their maker): by their own signatures, which are
        broader (every file a batch names) but made anyway."""
        return list(map(self.own.__getitem__, map(attrgetter("id"), batches)))  # no Python step per batch

    def of(self, out: Output) -> str:
        """Any output but a batch's own files: those share the batch's own signature, which
        covers what decides them (the settings and the batch)."""
        if out.kind == "static":  # (and the key: a new one checks every file for it again)
            return digest("static", self.file(f"static/{out.key}"), self.signed_by)
        if out.kind == "photo":  # the photo's bytes, and the code and Pillow that process it
            return digest("photo", self.site.photos[out.key].digest, dependencies(), own_digest())
        if out.kind in CONTENT_KINDS:
            item = getattr(self.site, out.kind)[out.key]
            own = f"{self.file(f'content/{out.kind}/{out.key}.md')} {self.translated(item)}{self.photo(item)}"
            shown, more = shown_on_page(self.users.get((out.kind, out.key), []))
            theme = self.theme(out.kind)
            return digest(self.shared, theme, out.kind, own, str(more), *self.listed(shown))
        site, kind = self.site, out.kind
        if kind == "archive":
            return digest(self.shared, self.theme(kind), kind, *self.listed(site.by_month[out.key]))
        if kind in SHOW_NO_BATCH:
            return digest(self.shared, self.theme(kind), kind)
        if kind == "feed":  # the newest batches; without any, a story's date may stand in
            newest = self.listed(site.batches[: site.config.feed.entries])
            return digest(self.shared, self.theme(kind), kind, *newest, *self.content)
        if kind == "home":  # the newest batches, every month with its count, the stories
            months = [f"{month} {len(run)}" for month, run in site.by_month.items()]
            newest = self.listed(site.batches[:HOME_BATCHES])
            return digest(self.shared, self.theme(kind), kind, *newest, *months, *self.content)
        return digest(self.shared, self.theme(kind), kind, self.all)

    @cached_property
    def all(self) -> str:
        """Every source file: content files (named by a batch or not) and the batches'."""
        return digest(*self.content, *self.own.values())  # (by batch, in the batches' order)


@dataclass(slots=True)
class Changes:
    """What turns the output the record describes into this build's."""

    todo: list[Output]  # to render, by path: new, changed, or no longer as mfsite wrote it
    removed: list[str]  # to delete: files of the old output this build does not make
    now: Record  # the output once published (its stats are filled in by the publish)
    files: int  # how many files it holds
    # Files of batches made anew that are kept as they are (a share card whose batch changed
    # what it does not show), with their status as recorded.
    carried: dict[str, OutputKey] = field(default_factory=dict)


def compare(site: Site, signatures: Signatures, before: Record, altered: set[str]) -> Changes:
    """The files to render and to delete. A file is kept while its signature is unchanged and it
    is not `altered` (Record.changed_files: gone, or not the file mfsite wrote); a batch keeps
    its files, which are not even planned, while its own signature is unchanged and none of
    them is altered, and a batch made anew keeps its share card while what the card is drawn
    from is unchanged. Against an empty record, every file is made."""
    shared = plan_shared(site)
    own = signatures.own
    now = Record(
        batches=own,
        files={out.path: signatures.of(out) for out in shared},
        context=signatures.context,
        sources=signatures.sources,
    )
    todo = [out for out in shared if out.path in altered or before.files.get(out.path) != now.files[out.path]]
    recorded = before.batches.get
    kept = {batch_id: signature for batch_id, signature in own.items() if recorded(batch_id) == signature}
    if altered:
        kept = {i: signature for i, signature in kept.items() if altered.isdisjoint(before.batch_paths(i))}
    now.paths = {batch_id: before.paths[batch_id] for batch_id in kept}
    now.batch_stats = {batch_id: before.batch_stats[batch_id] for batch_id in kept}
    now.cards = {batch_id: card for batch_id, card in before.cards.items() if batch_id in kept}
    carried: dict[str, OutputKey] = {}
    for batch in site.batches:
        if batch.id not in kept:
            outputs = plan_batch(site.config, batch)
            now.paths[batch.id] = SEP.join(out.path for out in outputs)
            card = next((out for out in outputs if out.kind == "card"), None)
            if card is not None:
                now.cards[batch.id] = signatures.card(batch)
                if before.cards.get(batch.id) == now.cards[batch.id] and card.path not in altered:
                    status = before.status(batch.id, card.path)
                    if status is not None:
                        carried[card.path] = status
                        outputs.remove(card)
            todo += outputs
    made = {out.path for out in todo} | carried.keys()  # (a batch whose id changed case makes the same paths)
    # The record's files that this build neither keeps nor makes: those of batches not kept,
    # and site-wide files no longer planned.
    gone = before.batches.keys() - kept.keys()
    dropped = {path for batch_id in gone for path in before.batch_paths(batch_id)}
    dropped.update(before.files.keys() - now.files.keys())
    # (a file made has its status taken once published: Record.take_written)
    now.file_stats = {p: key for p, key in before.file_stats.items() if p in now.files and p not in made}
    removed = sorted(dropped - made)
    return Changes(sorted(todo, key=attrgetter("path")), removed, now, now.count, carried)
