"""The journey as a picture: a vertical timeline of the supply chain, laid out for a phone.

This module only does the geometry: where each stop and each line of text
goes, and which legs have a distance. The SVG itself is written by the
`journey.svg` template (so autoescaping covers every text) and read out by a
text equivalent beside it. SVG text does not wrap by itself, so lines are
wrapped here with a width estimate for a sans-serif face, kept on the wide side
so no font a phone uses runs past the edge.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from mfsite.i18n import N_, Words
from mfsite.model import Coordinates, Shop
from mfsite.render.text import ENGLISH, country_name, distance_km, format_date, format_km

WIDTH = 320  # the drawing's width in user units: about a phone's column, in CSS pixels
RAIL_X = 14  # where the line and the dots are
TEXT_X = 34  # where the text starts
TEXT_WIDTH = WIDTH - TEXT_X - 2
TITLE, META = 16, 14  # font sizes (user units), as style.css sets them for .jt, .jw and .jm
LINE = {"t": 21, "w": 18, "m": 18}
SIZE = {"t": TITLE, "w": META, "m": META}
BOLD = {"t": 1.08, "w": 1.04, "m": 1.0}  # .jt is bold, .jw semi-bold
LEG_WITH_KM, LEG_WITHOUT = 36, 16  # the gap between two stops
SAFETY = 1.12  # wider faces than Helvetica (DejaVu, Segoe) still fit
# Translators: the last stop of a garment's journey, under the shop's name.
OUR_SHOP = N_("Our shop")

# Advance widths of Helvetica (thousandths of an em), close to Arial, Roboto and San Francisco.
_WIDTHS = {
    **dict.fromkeys("ijl'|", 222),
    **dict.fromkeys(" ,.:;!ftI/[]\u00b7", 278),
    **dict.fromkeys("r()-\u2010\u00b0", 333),
    **dict.fromkeys("ckszvxyJ*", 500),
    **dict.fromkeys("abdeghnopqu0123456789$#?_L", 556),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw\u2013", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("mM", 833),
    **dict.fromkeys("W%\u00d7", 944),
    "\u2014": 1000,
}


@lru_cache(maxsize=2048)
def _advance(char: str) -> int:
    base = unicodedata.normalize("NFKD", char)[:1] or char  # "ö" is as wide as "o"
    return _WIDTHS.get(base, 600 if base.isupper() else 560)


@lru_cache(maxsize=8192)
def _units(text: str) -> int:
    """Width in thousandths of an em (words and places repeat across batches: cached). Only
    whole words and texts come here, never the rest of a word after a cut: a long word would
    fill the cache with its every suffix, quadratic in time and memory."""
    return sum(map(_advance, text))


def _scale(kind: str) -> float:
    """User units per thousandth of an em, for this kind of line."""
    return SIZE[kind] * SAFETY * BOLD[kind] / 1000


def text_width(text: str, kind: str) -> float:
    """An estimate of the text's width in user units, on the generous side."""
    return _units(text) * _scale(kind)


def wrap(parts: list[str], kind: str, width: float = TEXT_WIDTH) -> list[str]:
    """Join the parts with " · " while they fit; wrap a part by words, cut a word only when it must.

    Linear in the length of the text: each word is measured once, and a word wider than a line
    is cut in one pass over its characters (never measured again after each cut)."""
    room = width / _scale(kind)  # in thousandths of an em
    separator, space = _units(" · "), _units(" ")
    lines: list[str] = []
    current, used = "", 0
    for part in parts:
        size = _units(part)
        if current and used + separator + size <= room:
            current, used = f"{current} · {part}", used + separator + size
            continue
        if not current and size <= room:
            current, used = part, size
            continue
        if current:
            lines.append(current)
            current, used = "", 0
        for word in part.split():
            size = _units(word)
            if current and used + space + size <= room:
                current, used = f"{current} {word}", used + space + size
                continue
            if current:
                lines.append(current)
            current, used = word, size
            if used > room:  # a word wider than a line: cut it where it must be
                pieces, current, used = _cut(word, room)
                lines += pieces
    if current:
        lines.append(current)
    return lines


def _cut(word: str, room: float) -> tuple[list[str], str, int]:
    """A word wider than a line, in pieces as wide as a line (a character at least): the full
    pieces, and the rest with its width, which the next word may join."""
    pieces = []
    start, used = 0, 0
    for i, char in enumerate(word):
        advance = _advance(char)
        if used + advance > room and i > start:
            pieces.append(word[start:i])
            start, used = i, 0
        used += advance
    return pieces, word[start:], used


@dataclass(frozen=True, slots=True)
class Text:
    y: int  # baseline
    text: str
    kind: str  # "t" (a stop's title), "w" (who) or "m" (where and when)


@dataclass(frozen=True, slots=True)
class Stop:
    title: str
    who: str | None  # the partner's name
    where: str | None  # place, country
    when: date | None
    km: str | None  # from the stop before, when both have coordinates
    shop: bool  # the last stop: the shop itself
    y: int  # the dot's centre
    lines: tuple[Text, ...]


@dataclass(frozen=True, slots=True)
class Leg:
    y1: int
    y2: int
    km: str | None
    label_y: int  # the distance's baseline, between the stops
    label_width: int


@dataclass(frozen=True, slots=True)
class Figure:
    width: int
    height: int
    stops: tuple[Stop, ...]
    legs: tuple[Leg, ...]
    total_km: str | None  # only when every leg's distance is known
    rail_x: int = RAIL_X
    text_x: int = TEXT_X


@dataclass(frozen=True, slots=True)
class Point:
    """One stop before it is laid out."""

    title: str
    who: str | None
    where: str | None
    when: date | None
    coordinates: Coordinates | None
    shop: bool = False


def place_text(place: str | None, country: str | None, language: str = "en") -> str | None:
    parts = [p for p in (place, country_name(country, language)) if p]
    return ", ".join(parts) or None


def layout(points: list[Point], language: str = "en") -> Figure | None:
    """Place each stop under the one before, with the distance between them."""
    if not points:
        return None
    stops: list[Stop] = []
    legs: list[Leg] = []
    y = 4
    total = 0.0
    all_known = len(points) > 1
    previous: Point | None = None
    for point in points:
        km = None
        if previous is not None:
            if previous.coordinates and point.coordinates:
                distance = distance_km(previous.coordinates, point.coordinates)
                total += distance
                km = format_km(distance, language)
            else:
                all_known = False
            gap = LEG_WITH_KM if km else LEG_WITHOUT
            label_width = round(text_width(km, "m") + 14) if km else 0
            legs.append(Leg(stops[-1].y, y + gap + TITLE - 5, km, y + gap // 2 + 5, label_width))
            y += gap
        lines: list[Text] = []
        baseline = y + TITLE
        when = format_date(point.when, language) if point.when else None
        for kind, parts in [("t", [point.title]), ("w", [point.who]), ("m", [point.where, when])]:
            for line in wrap([p for p in parts if p], kind):
                lines.append(Text(baseline, line, kind))
                baseline += LINE[kind]
        stops.append(
            Stop(point.title, point.who, point.where, point.when, km, point.shop, y + TITLE - 5, tuple(lines))
        )
        y = baseline - LINE["m"] + 6
        previous = point
    whole = format_km(total, language) if all_known and total else None
    return Figure(WIDTH, y + 2, tuple(stops), tuple(legs), whole)


def shop_point(shop: Shop, title: str, words: Words = ENGLISH) -> Point | None:
    if not (shop.name or shop.address or shop.coordinates):
        return None
    who = words.gettext(OUR_SHOP)
    return Point(shop.name or title, who, shop.address, None, shop.coordinates, shop=True)
