"""Validate: positioned source trees -> a trusted `Site`, or every problem at once.

Each file is read on its own first (its shape, types and values), then the
rules that span files: unique ids, references that resolve, names that would
collide in the output.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import Any

from mfsite import codes
from mfsite.diagnostics import Diagnostic, Span
from mfsite.i18n import SITE_LOCALE
from mfsite.languages import LANGUAGE_TAG, canonical, resolve
from mfsite.load.sources import TEMPLATES, SourceFile, Sources
from mfsite.model import Batch, Site, SiteConfig
from mfsite.validate.batch import BatchResult, read_batch
from mfsite.validate.config import read_config
from mfsite.validate.content import read_material, read_page, read_partner, read_story, read_translation
from mfsite.validate.fields import ID_PATTERN, ID_RULE, Problems, id_hint, shorten, windows_problem
from mfsite.validate.markdown import warn_external_images
from mfsite.validate.nesting import refuse_deep_markdown
from mfsite.validate.paths import check_output_paths
from mfsite.validate.photos import check_photos, photos_of, warn_located_static, warn_without_avif

GS1_LOT_MAX = 20
# Top-level names the site itself uses: a free page may not take them.
RESERVED_PAGES = frozenset(
    {
        "b",
        "archive",
        "partners",
        "materials",
        "stories",
        "static",
        "img",
        "01",
        "index",
        "404",
        "robots",
        "sitemap",
        "feed",
        "batches",
        "label",
        "labels",
    }
)


@dataclass(slots=True)
class ValidationMemo:
    """Batch results kept between watch-mode builds.

    A batch's result depends only on its own file and on which content files
    exist; while both are unchanged, it is reused (the cached SourceFile is the
    very same object while its file is unchanged).
    """

    stems: dict[str, list[str]] = field(default_factory=dict)
    results: dict[str, tuple[SourceFile, BatchResult]] = field(default_factory=dict)
    plain: set[str] = field(default_factory=set)  # paths that need no check of Windows names


def read_batches(sources: Sources, memo: ValidationMemo | None) -> list[BatchResult]:
    stems = sources.stems
    if memo is None:
        return [read_batch(source, stems) for source in sources.batches]
    if memo.stems != stems:
        memo.stems, memo.results = stems, {}
    results = []
    for source in sources.batches:
        kept = memo.results.get(source.path)
        if kept is None or kept[0] is not source:
            kept = (source, read_batch(source, stems))
            memo.results[source.path] = kept
        results.append(kept[1])
    live = {source.path for source in sources.batches}
    for path in set(memo.results) - live:
        del memo.results[path]
    return results


def check_unique_ids(results: list[BatchResult], problems: Problems) -> None:
    seen: dict[str, BatchResult] = {}
    for result in results:
        if result.id is None:
            continue
        first = seen.setdefault(result.id.lower(), result)
        if first is not result:
            message = (
                f"batch id '{result.id}' is already used by {first.path} (ids are compared without case)"
            )
            problems.append(Diagnostic(result.id_span, codes.DUPLICATE_ID, message))


def validate(
    sources: Sources, base_url: str | None, need_base_url: bool, memo: ValidationMemo | None = None
) -> tuple[Site | None, Problems]:
    """Return the site (None when there are errors) and every diagnostic found."""
    problems: Problems = []
    static = frozenset(sources.static)
    config = read_config(sources.site, base_url, problems, static, site_catalogs(sources.root))
    if config is not None and need_base_url and config.base_url is None and config.qr.formats:
        message = (
            "base_url is needed to write QR codes: set it in site.yaml, "
            "pass --base-url or set MFSITE_BASE_URL"
        )
        problems.append(Diagnostic(Span("site.yaml"), codes.NO_BASE_URL, message))
    content = {kind: unique_stems(files, kind, problems) for kind, files in sources.content.items()}
    languages = config.languages if config is not None else ()
    translations = {
        kind: split_translations(kind, files, languages, problems) for kind, files in content.items()
    }
    partners = {s.stem: p for s in content["partners"] if (p := read_partner(s, problems))}
    labels = config.label.languages if config is not None else ()
    materials = {s.stem: m for s in content["materials"] if (m := read_material(s, problems, labels))}
    photos = frozenset(sources.photos)
    stories = {s.stem: t for s in content["stories"] if (t := read_story(s, static, photos, problems))}
    pages = {s.stem: p for s in content["pages"] if (p := read_page(s, problems))}
    if config is not None:
        found = {"partners": partners, "materials": materials, "stories": stories, "pages": pages}
        for kind, items in found.items():
            translate(kind, items, translations[kind], config, problems)
    for source in content["pages"]:
        if source.stem.lower() in RESERVED_PAGES:
            message = f"'{shorten(source.stem)}' is a name the site uses itself; rename this page"
            problems.append(Diagnostic(Span(source.path), codes.RESERVED_NAME, message))
            pages.pop(source.stem, None)  # said once: not also as a collision of its output
    check_windows_names(sources, problems, memo.plain if memo is not None else None)
    # References resolve against the files on disk, even those with errors of
    # their own, so one broken partner file does not also flag every batch.
    results = read_batches(sources, memo)
    for result in results:
        problems.extend(result.problems)
    check_unique_ids(results, problems)
    batches = [r.batch for r in results if r.batch is not None]
    if config is not None and any(r.words for r in results):  # (a site in one language: none)
        batches = [resolve_batch(r, config, problems) for r in results if r.batch is not None]
    used = set().union(*(r.used for r in results))
    refuse_named_translations(results, translations, problems)
    if config is not None and config.gs1_digital_link:
        check_gs1_lots(batches, problems)
    if config is not None:
        check_status_indexes(batches, config.passport.status_list, problems)
    translating = set(map(id, translations["materials"]))
    warn_unused([s for s in sources.content["materials"] if id(s) not in translating], used, problems)
    for files in sources.content.values():
        for source in files:
            warn_external_images(source.body, Span(source.path, source.body_line), problems)
            refuse_deep_markdown(source.body, Span(source.path, source.body_line), problems)
    content_items = [*partners.values(), *materials.values(), *stories.values()]
    named = [photo for result in results for photo in result.photos]
    photos = list(photos_of(named, content_items))
    shown = check_photos(photos, sources.pictures, problems)
    if shown:
        from mfsite.photos import avif_available  # (Pillow, loaded only for a site with photos)

        warn_without_avif(photos, avif_available(), problems)
    warn_located_static(sources.pictures, problems)
    if config is None:
        return None, problems
    site = Site(
        config=config,
        batches=tuple(sorted(batches, key=attrgetter("produced", "slug"), reverse=True)),
        partners=partners,
        materials=materials,
        stories=stories,
        pages=dict(sorted(pages.items(), key=lambda item: (item[1].order, item[1].title))),
        static=tuple(sources.static),
        photos=shown,
    )
    # Planned from what is valid so far, so that a collision is told in the same run as any
    # other error; a build would otherwise stop half-way on it ("File exists").
    check_output_paths(site, problems)
    if any(p.severity == "error" for p in problems):
        return None, problems
    return site, problems


def site_catalogs(root: Path) -> set[str]:
    """The languages a site translates the theme's words into itself (templates/locale/*.po)."""
    try:
        names = os.listdir(root / TEMPLATES.path / SITE_LOCALE)
    except OSError:
        return set()
    return {canonical(name[:-3]) for name in names if name.endswith(".po")}


def unique_stems(files: list[SourceFile], kind: str, problems: Problems) -> list[SourceFile]:
    """Content file names become URLs: they must be valid ids and unique in any case."""
    seen: dict[str, SourceFile] = {}
    kept = []
    for source in files:
        if not ID_PATTERN.fullmatch(source.stem):
            message = (
                f"the file name '{shorten(source.stem)}' cannot be used in a web address: {ID_RULE}"
                f"{id_hint(source.stem)}"
            )
            problems.append(Diagnostic(Span(source.path), codes.BAD_ID, message))
            continue
        key = source.stem.lower()
        if key in seen:
            message = f"'{shorten(source.stem)}' differs from {seen[key].path} only by case; rename one"
            problems.append(Diagnostic(Span(source.path), codes.DUPLICATE_ID, message))
            continue
        seen[key] = source
        kept.append(source)
    return kept


STATUS_LIST_MAX = 1 << 24  # bits: a list of 2 MB before compression is enough for any shop


def check_status_indexes(batches: list[Batch], status_list: bool, problems: Problems) -> None:
    """With a status list, every batch has its own bit in it: an index written in its file, never
    taken from the build state, so that a deleted cache or a fresh checkout cannot move a batch to
    a bit that a passport already out in the world names for another. Without one, a revocation
    could reach nobody who holds the passport."""
    if not status_list:
        for batch in batches:
            if batch.status is not None and batch.status.revoked:
                message = (
                    "passport_status: revoked needs the status list that tells it to those who hold "
                    "the passport: set passport.status_list: true (and sign) in site.yaml"
                )
                problems.append(Diagnostic(batch.status.span, codes.PASSPORT_STATUS, message))
        return
    taken: dict[int, Batch] = {}
    by_file = sorted(batches, key=lambda b: b.span.path)  # (the first file keeps an index two name)
    for batch in by_file:
        status = batch.status
        if status is None or status.index is None:
            continue
        if status.index >= STATUS_LIST_MAX:
            message = (
                f"status_index: {status.index} is beyond the list's {STATUS_LIST_MAX:,} bits; use a lower one"
            )
            problems.append(Diagnostic(status.span, codes.STATUS_INDEX, message))
        elif (first := taken.setdefault(status.index, batch)) is not batch:
            message = (
                f"status_index: {status.index} is already {first.span.path}'s: a bit is one batch's, for "
                f"good (the next free index is {_free(taken)})"
            )
            problems.append(Diagnostic(status.span, codes.STATUS_INDEX, message))
    for batch in by_file:
        if batch.status is None or batch.status.index is None:
            message = (
                "status_index: missing: with passport.status_list, each batch names its own bit in the "
                f"list, for good: add `status_index: {_free(taken)}` (`mfsite new batch` writes it)"
            )
            where = batch.status.span if batch.status is not None else batch.span
            problems.append(Diagnostic(where, codes.STATUS_INDEX, message))
            taken[_free(taken)] = batch  # (each missing one is offered its own)


def _free(taken: dict[int, Batch]) -> int:
    return max(taken, default=-1) + 1


def check_gs1_lots(batches: list[Batch], problems: Problems) -> None:
    """With GS1 Digital Link on, a batch id is a GS1 lot number (AI 10): 20 characters at most."""
    for batch in batches:
        if batch.gtin is not None and len(batch.id) > GS1_LOT_MAX:
            message = (
                f"GS1 lot numbers have at most {GS1_LOT_MAX} characters, and with gs1_digital_link "
                f"the batch id '{batch.id}' is the lot: give this batch a shorter id"
            )
            problems.append(Diagnostic(batch.span, codes.BAD_ID, message))


def resolve_batch(result: BatchResult, config: SiteConfig, problems: Problems) -> Batch:
    """The batch with its texts resolved, where it has maps of languages."""
    assert result.batch is not None
    if not result.words:
        return result.batch
    return resolve(result.batch, config.language, config.languages, problems)


def split_translations(
    kind: str, files: list[SourceFile], languages: tuple[str, ...], problems: Problems
) -> list[SourceFile]:
    """Take the translation files (`name.<lang>.md`, for a language the site is published in
    besides its default) out of `files`, and return them. A file named like a translation of
    one beside it into another language is an error in a site of several languages (and not
    made a page too); in a site of one, a warning: it stays content of its own, as it was."""
    stems = {source.stem.lower() for source in files}
    found = []
    for source in list(files):
        lang, original = translation_of(source)
        if lang is None or not languages:
            continue
        if lang in languages[1:]:
            found.append(source)
            files.remove(source)
            continue
        if original.lower() not in stems:
            continue  # a name with a dot in it, not a translation
        if len(languages) == 1:
            if lang != languages[0]:  # (about.en.md in an English site: a page of its own)
                message = (
                    f"named like a translation of content/{kind}/{original}.md into {lang}, but the "
                    f"site is published in {languages[0]} only: it is a {NOUNS[kind]} of its own; to "
                    f"publish it as a translation, add languages: [{languages[0]}, {lang}] to site.yaml"
                )
                problems.append(Diagnostic(Span(source.path), codes.TRANSLATION_UNUSED, message, "warning"))
            continue
        listed = ", ".join(languages)
        why = (
            "the site's default language, whose text is the original's"
            if lang == languages[0]
            else f"which is not one of the site's languages ({listed}): add it to languages in site.yaml"
        )
        message = f"this translates content/{kind}/{original}.md into {lang}, {why}"
        problems.append(Diagnostic(Span(source.path), codes.BAD_LANGUAGE, message))
        files.remove(source)
    return found


def translation_of(source: SourceFile) -> tuple[str | None, str]:
    """(the language, the original's stem) of a file named like a translation, `about.de.md`;
    (None, its stem) for any other."""
    original, dot, tag = source.stem.rpartition(".")
    if not dot or not LANGUAGE_TAG.fullmatch(tag):
        return None, source.stem
    return canonical(tag), original


def translate(
    kind: str, items: dict[str, Any], files: list[SourceFile], config: SiteConfig, problems: Problems
) -> None:
    """Each item with its texts resolved (maps of languages), and its translation files' texts
    added to its translations; a translation file without its original is an error."""
    for stem, item in items.items():
        items[stem] = resolve(item, config.language, config.languages, problems)
    by_lower = {stem.lower(): stem for stem in items}
    for source in files:
        lang, original = translation_of(source)
        assert lang is not None  # (split_translations took only these)
        stem = by_lower.get(original.lower())
        if stem is None:
            message = (
                f"this translates content/{kind}/{original}.md into {lang}, and there is no such "
                f"file: name it after the file it translates"
            )
            problems.append(Diagnostic(Span(source.path), codes.LONE_TRANSLATION, message))
            continue
        found = read_translation(source, kind, lang, problems)
        items[stem] = replace(items[stem], translations=(*items[stem].translations, *found))


NOUNS = {"partners": "partner", "materials": "material", "stories": "story", "pages": "page"}


def refuse_named_translations(
    results: list[BatchResult], translations: dict[str, list[SourceFile]], problems: Problems
) -> None:
    """A batch names content by the file it translates, never by a translation file."""
    named = {f"{kind}/{source.stem}": source.path for kind, files in translations.items() for source in files}
    if not named:
        return
    for result in results:
        for name in sorted(result.used & named.keys()):
            kind, _, stem = name.partition("/")
            original = stem.rpartition(".")[0]
            message = f"'{stem}' names {named[name]}, a translation: name the {NOUNS[kind]} '{original}'"
            refs = result.batch.references() if result.batch is not None else iter(())
            span = next((ref.span for k, ref in refs if (k, ref.id) == (kind, stem)), Span(result.path))
            problems.append(Diagnostic(span, codes.DANGLING_REFERENCE, message))


def warn_unused(materials: list[SourceFile], used: set[str], problems: Problems) -> None:
    for source in materials:
        if f"materials/{source.stem}" not in used:
            message = f"material '{source.stem}' is not used by any batch"
            problems.append(Diagnostic(Span(source.path), codes.UNUSED, message, "warning"))


# What any name windows_problem refuses shows in its path: a character beyond these, the start
# of a device name, or a dot at the end of a name or of a file's stem. One search spares the
# checks of each part of the (nearly always) plain paths.
_MAY_TROUBLE_WINDOWS = re.compile(
    r"[^A-Za-z0-9_./-]|(?:^|/)(?:[Cc][Oo][NnMm]|[Pp][Rr][Nn]|[Aa][Uu][Xx]|[Nn][Uu][Ll]|[Ll][Pp][Tt])|\.(?:[./]|$)"
)


def check_windows_names(sources: Sources, problems: Problems, plain: set[str] | None = None) -> None:
    """Names a Windows checkout cannot hold (CON, aux.md, a trailing dot...): folders and files of
    the sources, and so the pages named after them. Each offending name once, at its path.
    `plain`: paths found to need no closer look by an earlier run (kept, and added to)."""
    paths = [s.path for s in sources.batches]
    paths += [s.path for files in sources.content.values() for s in files]
    paths += [f"static/{rel}" for rel in sources.static]
    if plain is not None:
        paths = [path for path in paths if path not in plain]
    # Joined by "/", the paths show the pattern where one of them does (a path's start follows
    # a "/" as it would a line's start): one search for the whole site clears the common case.
    joined = "/".join(paths)
    trouble = (
        sorted(filter(_MAY_TROUBLE_WINDOWS.search, paths)) if _MAY_TROUBLE_WINDOWS.search(joined) else []
    )
    if plain is not None:
        plain.update(set(paths).difference(trouble))
    reported: set[str] = set()
    for path in trouble:
        parts = path.split("/")
        for i in range(1, len(parts)):
            name = parts[i]
            if i == len(parts) - 1 and parts[0] != "static":
                name = name.rsplit(".", 1)[0]  # a batch's or a page's id: its file name's stem
            prefix = "/".join(parts[: i + 1])
            if prefix in reported or (problem := windows_problem(name)) is None:
                continue
            reported.add(prefix)
            what = "folder" if i < len(parts) - 1 else "file"
            message = f"{problem}, so the site cannot be checked out there; rename this {what}"
            problems.append(Diagnostic(Span(prefix), codes.WINDOWS_NAME, message))
