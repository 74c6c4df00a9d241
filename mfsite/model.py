"""The site as plain data: what the validator produces and the renderer trusts.

Every object keeps the `Span` of where it was written, and references keep
the span of the reference itself, so later stages can still point at the
line a person has to fix.
"""

from __future__ import annotations

import pickle
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import attrgetter
from typing import TYPE_CHECKING

from mfsite.diagnostics import Span

if TYPE_CHECKING:
    from mfsite.load.pictures import Picture

Coordinates = tuple[float, float]  # latitude, longitude in degrees


class Record:
    """The base of the model's dataclasses: pickled as a call of the class with its fields.

    The build state keeps every batch, read and validated, between builds; loaded this
    way, they come back faster than through dataclasses' own pickling of slotted classes,
    which calls a Python-level __setstate__ per object.

    The classes are not frozen, though nothing changes an object once made: a frozen
    dataclass's __init__ sets each field through object.__setattr__, which is slower, and a
    rebuild of a large site loads hundreds of thousands of them from the state.
    `unsafe_hash` keeps them hashable by value, as frozen ones are.
    """

    __slots__ = ()
    __match_args__: tuple[str, ...]  # set by @dataclass: the fields, in order

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), tuple(getattr(self, name) for name in self.__match_args__)


@dataclass(slots=True, unsafe_hash=True)
class Words(Record):
    """A text written as a map of language to text (`product: {de: Pulli, en: Jumper}`), as one
    file is read: which of them is the default only site.yaml says (languages.resolve)."""

    texts: tuple[tuple[str, str], ...]  # (language, as site.yaml would name it; text)
    span: Span  # the map's
    keys: tuple[Span, ...]  # each language's key


# A text in another language than the default: (language, where, text). `where` names the
# field as messages do: "product", "journey[2].step", "body" (a translation file's text).
Translation = tuple[str, str, str]


@dataclass(slots=True, unsafe_hash=True)
class Ref(Record):
    """A reference to another file by its stem, e.g. `partner: atelier-nord`."""

    id: str
    span: Span


@dataclass(slots=True, unsafe_hash=True)
class Shop(Record):
    name: str | None = None
    address: str | None = None
    coordinates: Coordinates | None = None


QUIET_ZONE_MAX = 40  # light modules around a code, at most


@dataclass(slots=True, unsafe_hash=True)
class QrSettings(Record):
    error_correction: str = "M"  # L | M | Q | H
    formats: tuple[str, ...] = ("svg", "png")
    compact: bool = False  # upper-case batch paths: alphanumeric mode, smaller codes
    quiet_zone: int = 4  # light modules around the code; the standard's minimum
    dark: str = "#000000"
    light: str = "#ffffff"
    module_px: int = 8  # PNG pixels per module


@dataclass(slots=True, unsafe_hash=True)
class LabelSettings(Record):
    """The printed batch receipt: a label-printer page, and the QR code's printed size."""

    width_mm: Decimal = Decimal(50)
    height_mm: Decimal = Decimal(80)
    qr_mm: Decimal = Decimal(30)  # the printed code, quiet zone included
    # The languages its composition and care are printed in; () is the site's default only.
    languages: tuple[str, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class FeedSettings(Record):
    entries: int = 50  # feed.xml holds the newest batches, at most this many


@dataclass(slots=True, unsafe_hash=True)
class Theme(Record):
    """The shop's look: its brand colour and logo (paths inside static/)."""

    colour: str = "#a13d1c"  # the brand colour, as written (#rrggbb)
    logo: str | None = None  # a square mark shown beside the shop's name
    logo_dark: str | None = None  # the same mark for dark screens, when the logo is dark
    # Derived from the colour (validate/config.py): text and links in it read at 4.5:1 or more.
    accent: str = "#a13d1c"  # on the light page
    accent_dark: str = "#e48363"  # on the dark page


@dataclass(slots=True, unsafe_hash=True)
class PassportSettings(Record):
    """How passports are signed (engine.py reads the key; the key itself is never in the model)."""

    sign: bool = False
    key: str | None = None  # the private key's file, as written (MFSITE_SIGNING_KEY wins)
    public_key: str | None = None  # the current key's public half (JWK x), to check the key against
    retired_keys: tuple[str, ...] = ()  # earlier public keys, still in the DID document
    status_list: bool = False  # publish a signed revocation list; every passport names its bit
    span: Span | None = None  # where signing is asked for: key problems are told there


@dataclass(slots=True, unsafe_hash=True)
class SiteConfig(Record):
    title: str
    base_url: str | None  # always ends with "/"
    language: str = "en"
    # Every language the site is published in, the default first (site.yaml's `languages`).
    languages: tuple[str, ...] = ("en",)
    shop: Shop = field(default_factory=Shop)
    qr: QrSettings = field(default_factory=QrSettings)
    label: LabelSettings = field(default_factory=LabelSettings)
    feed: FeedSettings = field(default_factory=FeedSettings)
    theme: Theme = field(default_factory=Theme)
    gs1_digital_link: bool = False
    care_symbols: bool = False
    passport: PassportSettings = field(default_factory=PassportSettings)


@dataclass(slots=True, unsafe_hash=True)
class Certification(Record):
    name: str
    id: str | None = None
    url: str | None = None


@dataclass(slots=True, unsafe_hash=True)
class PassportStatus(Record):
    """Where a batch's passport stands in the site's status list (render/status.py)."""

    span: Span  # of `status_index` (else `passport_status`, else the file): where problems are told
    index: int | None = None  # its bit in the list: written once, never reused (docs/passport.md)
    revoked: bool = False  # `passport_status: revoked`
    reason: str | None = None  # why, for the customer who scans it (a text: may be translated)


@dataclass(slots=True, unsafe_hash=True)
class Photo(Record):
    """A photo a page shows: a file in photos/, published only as processed copies."""

    src: str  # the path inside photos/, as written
    span: Span  # of `src`: where a problem with the file is told
    alt: str  # what it shows, for those who cannot see it (a text: may be translated)
    focus: tuple[float, float] | None = None  # the point to keep when cropping, x and y from 0 to 1


@dataclass(slots=True, unsafe_hash=True)
class Partner(Record):
    id: str
    span: Span
    name: str
    body: str
    place: str | None = None
    country: str | None = None
    coordinates: Coordinates | None = None
    website: str | None = None
    kind: str | None = None
    photo: Photo | None = None
    translations: tuple[Translation, ...] = ()  # its texts in the other languages


@dataclass(slots=True, unsafe_hash=True)
class Material(Record):
    id: str
    span: Span
    name: str
    body: str
    fibre: str | None = None
    origin_country: str | None = None
    supplier: str | None = None
    recycled_percent: Decimal | None = None
    certifications: tuple[Certification, ...] = ()
    photo: Photo | None = None
    translations: tuple[Translation, ...] = ()  # its texts in the other languages


@dataclass(slots=True, unsafe_hash=True)
class Story(Record):
    id: str
    span: Span
    title: str
    body: str
    date: date | None = None
    image: str | None = None  # a path inside static/, published as it is (see `photo`)
    image_alt: str | None = None  # what that image shows
    summary: str | None = None
    photo: Photo | None = None  # its image where that is a file in photos/
    translations: tuple[Translation, ...] = ()  # its texts in the other languages


@dataclass(slots=True, unsafe_hash=True)
class Page(Record):
    id: str
    span: Span
    title: str
    body: str
    order: int = 0
    translations: tuple[Translation, ...] = ()  # its texts in the other languages


@dataclass(slots=True, unsafe_hash=True)
class Place(Record):
    place: str
    country: str
    coordinates: Coordinates | None = None


@dataclass(slots=True, unsafe_hash=True)
class MaterialUse(Record):
    material: Ref
    percent: Decimal
    component: str = "body"


@dataclass(slots=True, unsafe_hash=True)
class Care(Record):
    wash: str
    bleach: str
    tumble: str
    iron: str
    dry: str | None = None
    professional: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class JourneyStep(Record):
    step: str
    partner: Ref | None = None
    place: str | None = None
    country: str | None = None
    date: date | None = None


@dataclass(slots=True, unsafe_hash=True)
class QualityCheck(Record):
    check: str
    result: str  # pass | fail | note
    sampled: int | None = None
    date: date | None = None


class Stored(Record):
    """The base of Batch: the slot where a batch loaded from the build state keeps its body."""

    __slots__ = ("stored",)


# What every build asks of every batch (to check ids and status indexes across files, to plan,
# sign and list them): the rest, its body, only the pages of the batches a build renders need.
# The build state keeps a batch as its head and its body pickled apart (Batch.__reduce__), and a
# batch loaded from it unpickles its body on first use: a one-batch rebuild of 10,000 batches
# then makes a few objects a batch rather than a hundred and more.
HEAD = ("id", "span", "produced", "gtin", "photos", "status", "named", "slug")


@dataclass(slots=True, unsafe_hash=True)
class Batch(Stored):
    id: str
    span: Span
    product: str
    produced: date
    partner: Ref
    origin: Place
    materials: tuple[MaterialUse, ...]
    care: Care
    quantity: int | None = None
    gtin: str | None = None
    run: str | None = None
    brands: tuple[Ref, ...] = ()
    journey: tuple[JourneyStep, ...] = ()
    qc: tuple[QualityCheck, ...] = ()
    story: Ref | None = None
    notes: str | None = None
    photos: tuple[Photo, ...] = ()  # the first is its main photo
    status: PassportStatus | None = None  # its place in the status list, and a revocation
    translations: tuple[Translation, ...] = ()  # its texts in the other languages
    # The content files it names, as "folder/stem", each once, in the order named: worked out
    # as the batch is made (and kept with it in the state), for every rebuild asks it of all.
    # Strings, not pairs: a string keeps its hash, and users() looks up 60,000 at 10,000 batches.
    # Interned: the batches that name one file share its string, which the state then stores once
    # a group of batches (and loads as one object, its hash worked out once).
    named: tuple[str, ...] = field(default=(), compare=False)
    # The id as it appears in URLs and paths (case-insensitive ids, lower-case paths).
    slug: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.named:  # (a whole batch names its partner at least)
            named = (sys.intern(f"{kind}/{ref.id}") for kind, ref in self.references() if ref is not None)
            self.named = tuple(dict.fromkeys(named))
        if not self.slug and self.id:  # (a batch with errors may have no id)
            self.slug = self.id.lower()

    @property
    def maker(self) -> str:
        """Its partner's id, from its head (`named` names the partner first): lists of many
        batches ask it without loading their bodies."""
        return self.named[0].partition("/")[2]

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        try:
            body = self.stored
        except AttributeError:  # (made here, not loaded: its body is pickled now)
            body = pickle.dumps(tuple(getattr(self, name) for name in BODY), protocol=pickle.HIGHEST_PROTOCOL)
        return stored_batch, (*(getattr(self, name) for name in HEAD), body)

    def __getattr__(self, name: str) -> object:
        """A field of the body of a batch loaded from the state (the only fields ever unset)."""
        if name not in BODY:  # (`stored` too, where there is none)
            raise AttributeError(name)
        from mfsite.state.store import DamagedState, model_data  # (the loader that allows the model only)

        try:
            values = model_data(self.stored)
        except Exception:  # (pickle's errors are of many kinds)
            values = None
        if type(values) is not tuple or len(values) != len(BODY):
            raise DamagedState(f"{self.span.path}: its batch in the build state is damaged")
        for field_name, value in zip(BODY, values, strict=True):
            setattr(self, field_name, value)
        del self.stored
        return getattr(self, name)

    def references(self) -> Iterator[tuple[str, Ref]]:
        """Every reference this batch makes, with the content folder it points into."""
        yield "partners", self.partner
        for brand in self.brands:
            yield "partners", brand
        for use in self.materials:
            yield "materials", use.material
        if self.story is not None:
            yield "stories", self.story
        for step in self.journey:
            if step.partner is not None:
                yield "partners", step.partner


BODY = tuple(name for name in Batch.__match_args__ if name not in HEAD)


def stored_batch(
    id: str,
    span: Span,
    produced: date,
    gtin: str | None,
    photos: tuple[Photo, ...],
    status: PassportStatus | None,
    named: tuple[str, ...],
    slug: str,
    body: bytes,
) -> Batch:
    """A batch as the state keeps it (Batch.__reduce__): its head, and its body as stored."""
    batch = object.__new__(Batch)
    batch.id, batch.span, batch.produced, batch.gtin, batch.photos = id, span, produced, gtin, photos
    batch.status, batch.named, batch.slug, batch.stored = status, named, slug, body
    return batch


def by_month(batches: Iterable[Batch]) -> dict[str, list[Batch]]:
    """Batches by the month they were made in (YYYY-MM), in their order. By runs of batches made
    on one day, which sorted batches are: a month is worked out once a run, not once a batch."""
    found: dict[str, list[Batch]] = {}
    for day, run in groupby(batches, key=attrgetter("produced")):
        found.setdefault(day.isoformat()[:7], []).extend(run)
    return found


Users = dict[tuple[str, str], list[Batch]]  # (content folder, stem) -> the batches naming it


def users(batches: tuple[Batch, ...]) -> Users:
    """Who names each content file, in the batches' order: built once, so no page scans them all."""
    found: dict[str, list[Batch]] = defaultdict(list)
    for batch in batches:
        for name in batch.named:
            found[name].append(batch)
    by_pair: Users = {}
    for name, named in found.items():
        kind, _, stem = name.partition("/")
        by_pair[kind, stem] = named
    return by_pair


@dataclass(slots=True, unsafe_hash=True)
class Site(Record):
    config: SiteConfig
    batches: tuple[Batch, ...]
    partners: dict[str, Partner]
    materials: dict[str, Material]
    stories: dict[str, Story]
    pages: dict[str, Page]
    static: tuple[str, ...] = ()
    # Every photo a page shows, by its path inside photos/: what the plan names its copies by.
    photos: dict[str, Picture] = field(default_factory=dict)
    # The batches by the month they were made in (YYYY-MM), in their order: grouped once, for
    # the plan, the signatures and the pages, so none of them scans every batch again.
    by_month: dict[str, list[Batch]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.by_month = by_month(self.batches)
