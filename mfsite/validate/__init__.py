"""Validate: positioned source trees -> a trusted `Site`, or every problem at once.

Each file is read on its own first (its shape, types and values), then the
rules that span files: unique ids, references that resolve, names that would
collide in the output.
"""

from __future__ import annotations

from mfsite import codes
from mfsite.diagnostics import Diagnostic, Span
from mfsite.load.sources import SourceFile, Sources
from mfsite.model import Batch, Site
from mfsite.validate.batch import Known, read_batch
from mfsite.validate.config import read_config
from mfsite.validate.content import read_material, read_page, read_partner, read_story
from mfsite.validate.fields import ID_PATTERN, ID_RULE, Problems
from mfsite.validate.markdown import warn_external_images

GS1_LOT_MAX = 20
# Top-level names the site itself uses: a free page may not take them.
RESERVED_PAGES = frozenset(
    {
        "b",
        "partners",
        "materials",
        "stories",
        "static",
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


def validate(sources: Sources, base_url: str | None, need_base_url: bool) -> tuple[Site | None, Problems]:
    """Return the site (None when there are errors) and every diagnostic found."""
    problems: Problems = []
    config = read_config(sources.site, base_url, problems)
    if config is not None and need_base_url and config.base_url is None and config.qr.formats:
        message = (
            "base_url is needed to write QR codes: set it in site.yaml, "
            "pass --base-url or set MFSITE_BASE_URL"
        )
        problems.append(Diagnostic(Span("site.yaml"), codes.NO_BASE_URL, message))
    static = frozenset(sources.static)
    content = {kind: unique_stems(files, kind, problems) for kind, files in sources.content.items()}
    partners = {s.stem: p for s in content["partners"] if (p := read_partner(s, problems))}
    materials = {s.stem: m for s in content["materials"] if (m := read_material(s, problems))}
    stories = {s.stem: t for s in content["stories"] if (t := read_story(s, static, problems))}
    pages = {s.stem: p for s in content["pages"] if (p := read_page(s, problems))}
    for source in content["pages"]:
        if source.stem.lower() in RESERVED_PAGES:
            message = f"'{source.stem}' is a name the site uses itself; rename this page"
            problems.append(Diagnostic(Span(source.path), codes.RESERVED_NAME, message))
    # References resolve against the files on disk, even those with errors of
    # their own, so one broken partner file does not also flag every batch.
    known = Known({kind: [s.stem for s in files] for kind, files in sources.content.items()})
    batches = [b for s in sources.batches if (b := read_batch(s, known, problems))]
    if config is not None and config.gs1_digital_link:
        check_gs1_lots(batches, problems)
    warn_unused(sources, known, problems)
    for files in sources.content.values():
        for source in files:
            warn_external_images(source.body, Span(source.path, source.body_line), problems)
    if config is None or any(p.severity == "error" for p in problems):
        return None, problems
    site = Site(
        config=config,
        batches=tuple(sorted(batches, key=lambda b: (b.produced, b.slug), reverse=True)),
        partners=partners,
        materials=materials,
        stories=stories,
        pages=dict(sorted(pages.items(), key=lambda item: (item[1].order, item[1].title))),
        static=tuple(sources.static),
    )
    return site, problems


def unique_stems(files: list[SourceFile], kind: str, problems: Problems) -> list[SourceFile]:
    """Content file names become URLs: they must be valid ids and unique in any case."""
    seen: dict[str, SourceFile] = {}
    kept = []
    for source in files:
        if not ID_PATTERN.fullmatch(source.stem):
            message = f"the file name '{source.stem}' cannot be used in a web address: {ID_RULE}"
            problems.append(Diagnostic(Span(source.path), codes.BAD_ID, message))
            continue
        key = source.stem.lower()
        if key in seen:
            message = f"'{source.stem}' differs from {seen[key].path} only by case; rename one"
            problems.append(Diagnostic(Span(source.path), codes.DUPLICATE_ID, message))
            continue
        seen[key] = source
        kept.append(source)
    return kept


def check_gs1_lots(batches: list[Batch], problems: Problems) -> None:
    """With GS1 Digital Link on, a batch id is a GS1 lot number (AI 10): 20 characters at most."""
    for batch in batches:
        if batch.gtin is not None and len(batch.id) > GS1_LOT_MAX:
            message = (
                f"GS1 lot numbers have at most {GS1_LOT_MAX} characters, and with gs1_digital_link "
                f"the batch id '{batch.id}' is the lot: give this batch a shorter id"
            )
            problems.append(Diagnostic(batch.span, codes.BAD_ID, message))


def warn_unused(sources: Sources, known: Known, problems: Problems) -> None:
    for source in sources.content["materials"]:
        if ("materials", source.stem) not in known.used:
            message = f"material '{source.stem}' is not used by any batch"
            problems.append(Diagnostic(Span(source.path), codes.UNUSED, message, "warning"))
