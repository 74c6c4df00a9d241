"""batches/*.yaml -> Batch: every rule of SPEC.md that one file can decide alone."""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from mfsite import codes
from mfsite.diagnostics import Diagnostic, Span
from mfsite.languages import has_words
from mfsite.load.sources import SourceFile
from mfsite.load.yamltree import Map, Node, Scalar
from mfsite.model import (
    Batch,
    Care,
    JourneyStep,
    MaterialUse,
    PassportStatus,
    Photo,
    Place,
    QualityCheck,
    Record,
    Ref,
    Words,
)
from mfsite.validate.fields import (
    ID_PATTERN,
    ID_RULE,
    Converter,
    Fields,
    Problems,
    bad,
    did_you_mean,
    foreign_digit,
    id_hint,
    one_of,
    scalar,
    shorten,
    to_coordinates,
    to_country,
    to_date,
    to_id,
    to_integer,
    to_percent,
    to_text,
    to_words,
    windows_problem,
)
from mfsite.validate.markdown import warn_external_images
from mfsite.validate.nesting import refuse_deep_markdown
from mfsite.validate.photos import read_batch_photos

RUNS = ("stock", "pre-order", "made-to-order", "collaborative")
WASH_BASE = ("95", "70", "60", "50", "40", "30", "hand", "no")
WASH = WASH_BASE + tuple(f"{t}-{g}" for t in WASH_BASE if t.isdigit() for g in ("gentle", "very-gentle"))
BLEACH = ("any", "non-chlorine", "no")
TUMBLE = ("normal", "low", "no")
DRY = ("line", "drip", "flat", "line-shade", "drip-shade", "flat-shade")
IRON = ("high", "medium", "low", "no")
PROFESSIONAL = ("P", "F", "W", "no")
QC_RESULTS = ("pass", "fail", "note")
GTIN_LENGTHS = (8, 12, 13, 14)


@dataclass(slots=True)
class Known:
    """What a batch may refer to (the content files on disk), and what it did refer to.

    References are checked as the batch is read, so a batch with other errors
    still has its dangling references reported in the same run.
    """

    stems: dict[str, list[str]]  # content folder -> the file stems in it
    used: set[str] = field(default_factory=set)  # "folder/stem" this batch named (a string keeps its hash)
    photos: tuple[Photo, ...] = ()  # the photos it names, also where the batch has other errors

    def ref(self, kind: str) -> Converter[Ref]:
        def convert(node: Node, what: str, problems: Problems) -> Ref | None:
            value = to_id(node, what, problems)
            if value is None:
                return None
            self.used.add(sys.intern(f"{kind}/{value}"))  # (one string for all: see Batch.named)
            if value not in self.stems[kind]:
                hint = did_you_mean(value, self.stems[kind])
                message = f"'{shorten(value)}' is not in content/{kind}/ (no content/{kind}/{value}.md){hint}"
                bad(node, codes.DANGLING_REFERENCE, what, message, problems)
                return None
            return Ref(value, node.span)

        return convert


@dataclass(slots=True)
class BatchResult(Record):
    """One batch file, read: kept whole so watch mode can reuse it while the file is unchanged."""

    path: str
    batch: Batch | None
    id: str | None  # also for a batch with errors, so duplicates are still found
    id_span: Span
    used: set[str]
    problems: list[Diagnostic]
    words: bool = False  # a text is written as a map of languages: resolved once site.yaml is read
    photos: tuple[Photo, ...] = ()  # the photos it names (checked against photos/ on every build)


def to_gtin(node: Node, what: str, problems: Problems) -> str | None:
    if (s := scalar(node, what, problems)) is None:
        return None
    text = s.text.strip()
    # isascii() first: isdigit() alone takes "٤" (which int() reads) and "²" (which it refuses)
    if not (text.isascii() and text.isdigit()) or len(text) not in GTIN_LENGTHS:
        digits = "8, 12, 13 or 14 digits"
        message = foreign_digit(text, "a GTIN") or f"'{shorten(s.text)}' is not a GTIN: use {digits}"
        bad(node, codes.BAD_GTIN, what, message, problems)
        return None
    # Imported here: biip loads GS1's prefix tables at import, which only GTINs need.
    from biip.checksums import gs1_standard_check_digit

    expected = gs1_standard_check_digit(text[:-1])
    if text[-1] != str(expected):
        message = f"'{shorten(text)}' has a wrong check digit (the last digit should be {expected})"
        bad(node, codes.BAD_GTIN, what, message, problems)
        return None
    return text


def to_positive(node: Node, what: str, problems: Problems) -> int | None:
    value = to_integer(node, what, problems)
    if value is not None and value <= 0:
        bad(node, codes.BAD_NUMBER, what, f"{value} must be a whole number above 0", problems)
        return None
    return value


def to_count(node: Node, what: str, problems: Problems) -> int | None:
    value = to_integer(node, what, problems)
    if value is not None and value < 0:
        bad(node, codes.BAD_NUMBER, what, f"{value} cannot be negative", problems)
        return None
    return value


def read_batch(source: SourceFile, stems: dict[str, list[str]]) -> BatchResult:
    known = Known(stems)
    problems: Problems = []
    batch = _read_batch(source, known, problems)
    batch_id = batch.id if batch else read_id(source, None, [])
    # Where no `id:` is written, the id is the file's and said at its start: the batch's own span,
    # one object (the batch cache then stores and loads it once).
    id_span = batch.span if batch is not None else Span(source.path)
    if isinstance(source.tree, Map) and "id" in source.tree.entries:
        id_span = source.tree.entries["id"][1].span
    words = batch is not None and has_words(batch)
    return BatchResult(source.path, batch, batch_id, id_span, known.used, problems, words, known.photos)


def _read_batch(source: SourceFile, known: Known, problems: Problems) -> Batch | None:
    span = Span(source.path)
    if (f := Fields.of(source.tree, "", problems, span)) is None:
        return None
    batch_id = read_id(source, f, problems)
    product = f.get("product", to_words, required=True)
    produced = f.get("produced", to_date, required=True)
    partner = f.get("partner", known.ref("partners"), required=True)
    origin = read_origin(f)
    materials = read_materials(f, known)
    care = read_care(f)
    batch = Batch(
        id=batch_id,  # type: ignore[arg-type]
        span=span,
        product=product,  # type: ignore[arg-type]
        produced=produced,  # type: ignore[arg-type]
        partner=partner,  # type: ignore[arg-type]
        origin=origin,  # type: ignore[arg-type]
        materials=materials,
        care=care,  # type: ignore[arg-type]
        quantity=f.get("quantity", to_positive),
        gtin=f.get("gtin", to_gtin),
        run=f.get("run", one_of(RUNS)),
        brands=tuple(f.list_of("brands", known.ref("partners"))),
        journey=read_journey(f, known),
        qc=read_qc(f),
        story=f.get("story", known.ref("stories")),
        notes=f.get("notes", to_words),
        photos=(photos := read_batch_photos(f)),
        status=read_status(f, problems),
    )
    known.photos = photos
    f.finish()
    for notes in texts(batch.notes):
        warn_external_images(notes, f.span("notes"), problems, body=False)
        refuse_deep_markdown(notes, f.span("notes"), problems, body=False)
    if batch.run == "collaborative" and len({b.id for b in batch.brands}) < 2:
        message = "a collaborative run names at least two brands: brands: [one, other]"
        problems.append(
            Diagnostic(f.span("brands") if batch.brands else f.span("run"), codes.COLLABORATION, message)
        )
    return None if f.failed else batch


PASSPORT_STATES = ("active", "revoked")


def read_status(f: Fields, problems: Problems) -> PassportStatus | None:
    """`status_index`, `passport_status` and `status_reason`: None where none is written. A
    revocation says why; a reason belongs to a revocation (the site's settings are checked with
    every batch in validate/__init__.py)."""
    index = f.get("status_index", to_count)
    state = f.get("passport_status", one_of(PASSPORT_STATES))
    reason = f.get("status_reason", to_words)
    written = [name for name in ("status_index", "passport_status", "status_reason") if f.node_of(name)]
    if not written:
        return None
    revoked = state == "revoked"
    if revoked and reason is None and not f.node_of("status_reason"):
        message = (
            "passport_status: revoked: say why in status_reason (the batch's page shows it to customers)"
        )
        problems.append(Diagnostic(f.span("passport_status"), codes.PASSPORT_STATUS, message))
    elif reason is not None and not revoked:
        message = "status_reason: is for a revoked passport: add passport_status: revoked, or remove it"
        problems.append(Diagnostic(f.span("status_reason"), codes.PASSPORT_STATUS, message))
    return PassportStatus(f.span(written[0]), index, revoked, reason)


def texts(value: str | Words | None) -> list[str]:
    """The text of a field, in every language it is written in."""
    if isinstance(value, Words):
        return [text for _, text in value.texts]
    return [] if value is None else [value]


def read_id(source: SourceFile, f: Fields | None, problems: Problems) -> str | None:
    """The id as written, else the file stem; with f None, a best effort for a broken file."""
    if f is None:
        tree = source.tree
        if isinstance(tree, Map) and "id" in tree.entries:
            node = tree.entries["id"][1]
            return to_id(node, "id", problems) if isinstance(node, Scalar) else None
        return source.stem if ID_PATTERN.fullmatch(source.stem) else None
    if f.node_of("id") is not None:
        batch_id = f.get("id", to_id)
        if batch_id is not None and (problem := windows_problem(batch_id)):
            message = f"id: {problem}, and the batch's pages are a folder named after it; choose another id"
            problems.append(Diagnostic(f.span("id"), codes.WINDOWS_NAME, message))
            return None
        return batch_id
    if not ID_PATTERN.fullmatch(source.stem):
        message = (
            f"the file name '{shorten(source.stem)}' is not a valid batch id "
            f"({ID_RULE}){id_hint(source.stem)}; rename the file or add an id: line"
        )
        problems.append(Diagnostic(Span(source.path), codes.BAD_ID, message))
        return None
    return source.stem


def read_origin(f: Fields) -> Place | None:
    origin = f.mapping("origin", required=True)
    if origin is None:
        return None
    place = Place(
        place=origin.get("place", to_words, required=True),  # type: ignore[arg-type]
        country=origin.get("country", to_country, required=True),  # type: ignore[arg-type]
        coordinates=origin.get("coordinates", to_coordinates),
    )
    origin.finish()
    return place


def read_materials(f: Fields, known: Known) -> tuple[MaterialUse, ...]:
    uses: list[MaterialUse] = []
    totals: dict[str, Decimal] = defaultdict(Decimal)
    complete = True
    for item in f.mappings("materials", required=True):
        material = item.get("material", known.ref("materials"), required=True)
        percent = item.get("percent", to_percent, required=True)
        component = item.get("component", to_text) or "body"
        item.finish()
        if material is None or percent is None:
            complete = False
            continue
        uses.append(MaterialUse(material, percent, component))
        totals[component] += percent
    if complete:
        for component, total in totals.items():
            if total != 100:
                message = f"the {shorten(component)} percents add up to {total.normalize():f}, not 100"
                f.problems.append(Diagnostic(f.span("materials"), codes.PERCENT_SUM, message))
    return tuple(uses)


def read_care(f: Fields) -> Care | None:
    care = f.mapping("care", required=True)
    if care is None:
        return None
    wash_rule = "95, 70, 60, 50, 40, 30 (optionally -gentle or -very-gentle), hand, no"
    professional = care.list_of("professional", one_of(PROFESSIONAL))
    if "no" in professional and len(professional) > 1:
        message = "'no' cannot be combined with other professional cleaning methods"
        bad(care.node_of("professional"), codes.BAD_VALUE, "care.professional", message, f.problems)  # type: ignore[arg-type]
    result = Care(
        wash=care.get("wash", one_of(WASH, wash_rule), required=True),  # type: ignore[arg-type]
        bleach=care.get("bleach", one_of(BLEACH), required=True),  # type: ignore[arg-type]
        tumble=care.get("tumble", one_of(TUMBLE), required=True),  # type: ignore[arg-type]
        iron=care.get("iron", one_of(IRON), required=True),  # type: ignore[arg-type]
        dry=care.get("dry", one_of(DRY)),
        professional=tuple(professional),
        notes=tuple(care.list_of("notes", to_words)),
    )
    care.finish()
    return result


def read_journey(f: Fields, known: Known) -> tuple[JourneyStep, ...]:
    steps = []
    for item in f.mappings("journey"):
        step = JourneyStep(
            step=item.get("step", to_words, required=True),  # type: ignore[arg-type]
            partner=item.get("partner", known.ref("partners")),
            place=item.get("place", to_words),
            country=item.get("country", to_country),
            date=item.get("date", to_date),
        )
        if item.node_of("partner") is None and step.place is None:
            message = f"{item.what}: give the partner or the place of this step"
            f.problems.append(Diagnostic(item.node.span, codes.MISSING_KEY, message))
        item.finish()
        steps.append(step)
    return tuple(steps)


def read_qc(f: Fields) -> tuple[QualityCheck, ...]:
    checks = []
    for item in f.mappings("qc"):
        checks.append(
            QualityCheck(
                check=item.get("check", to_words, required=True),  # type: ignore[arg-type]
                result=item.get("result", one_of(QC_RESULTS), required=True),  # type: ignore[arg-type]
                sampled=item.get("sampled", to_count),
                date=item.get("date", to_date),
            )
        )
        item.finish()
    return tuple(checks)
