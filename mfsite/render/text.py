"""Words and numbers for people: care instructions, run types, countries, distances, dates.

Care is always given as text (ISO 3758 symbols are trademarks and only an
opt-in extra), in the order a care label uses: wash, bleach, tumble, dry,
iron, professional care.

Every sentence here is an English message (marked `N_` where it is written), said in the
page's language by `Words` (mfsite.i18n): the theme's catalogs translate it, a site's own
catalog may reword it. Numbers, dates, units and country names come from CLDR (Babel) for
the page's language, never from the machine's locale. English keeps the formats mfsite has
always written, which CLDR's English does not give: "20 March 2026", "92 %", "30 °C",
"1 234 km" and pycountry's country names, so an English site stays the same byte for byte.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date as cldr_date
from babel.dates import format_skeleton
from babel.numbers import format_decimal
from babel.numbers import format_percent as cldr_percent
from babel.units import format_unit

from mfsite.countries import english_names
from mfsite.i18n import N_, Words, cldr_locale, is_source
from mfsite.model import Care, Coordinates

ENGLISH = Words()  # the theme's own words, for callers that name no language

# Machine washing, by the bars under the tub (none, one, two).
MACHINE_WASH = {
    "": N_("Machine wash at %(temperature)s"),
    "gentle": N_("Machine wash at %(temperature)s, gentle cycle"),
    "very-gentle": N_("Machine wash at %(temperature)s, very gentle cycle"),
}
WASH = {"hand": N_("Hand wash only"), "no": N_("Do not wash")}
BLEACH = {
    "any": N_("Any bleach allowed"),
    "non-chlorine": N_("Only oxygen (non-chlorine) bleach"),
    "no": N_("Do not bleach"),
}
TUMBLE = {
    "normal": N_("Tumble dry, normal heat"),
    "low": N_("Tumble dry, low heat"),
    "no": N_("Do not tumble dry"),
}
DRY = {
    "line": N_("Line dry"),
    "drip": N_("Drip dry"),
    "flat": N_("Dry flat"),
    "line-shade": N_("Line dry in the shade"),
    "drip-shade": N_("Drip dry in the shade"),
    "flat-shade": N_("Dry flat in the shade"),
}
# The ironing temperatures are part of the sentence: each number of dots has its fixed one.
IRON = {
    "high": N_("Iron hot (up to 200 °C)"),
    "medium": N_("Iron warm (up to 150 °C)"),
    "low": N_("Iron cool (up to 110 °C), without steam"),
    "no": N_("Do not iron"),
}
PROFESSIONAL = {
    "P": N_("Professional dry clean (P)"),
    "F": N_("Professional dry clean, hydrocarbon solvents only (F)"),
    "W": N_("Professional wet clean (W)"),
    "no": N_("Do not dry clean"),
}
RUN_TYPES = {
    "stock": N_("In stock"),
    "pre-order": N_("Pre-order"),
    "made-to-order": N_("Made to order"),
    "collaborative": N_("Collaboration"),
}


def wash_text(wash: str, words: Words = ENGLISH) -> str:
    if wash in WASH:
        return words.gettext(WASH[wash])
    temperature, _, gentleness = wash.partition("-")
    degrees = format_celsius(int(temperature), words.language)
    return words.gettext(MACHINE_WASH[gentleness], temperature=degrees)


def care_lines(care: Care, words: Words = ENGLISH) -> list[str]:
    say = words.gettext
    lines = [wash_text(care.wash, words), say(BLEACH[care.bleach]), say(TUMBLE[care.tumble])]
    if care.dry:
        lines.append(say(DRY[care.dry]))
    lines.append(say(IRON[care.iron]))
    lines += [say(PROFESSIONAL[p]) for p in care.professional]
    return lines + list(care.notes)  # the site's own words, as written


def run_label(run: str | None, words: Words = ENGLISH) -> str:
    """What kind of run a batch is (a badge on its page); empty when the batch says nothing."""
    return words.gettext(RUN_TYPES[run]) if run in RUN_TYPES else ""


def qc_result(result: str, words: Words = ENGLISH) -> str:
    """A quality check's result as the page shows it: pass, fail or note."""
    if result == "pass":
        return words.pgettext("quality check result", "pass")
    if result == "fail":
        return words.pgettext("quality check result", "fail")
    return words.pgettext("quality check result", "note")


def component_name(name: str, words: Words = ENGLISH) -> str:
    """A part of a garment: the three the site format names (body, lining, trim; a material's
    part is `body` unless the batch says otherwise) in the page's language, any other as
    written."""
    if name == "body":
        return words.pgettext("garment part", "body")
    if name == "lining":
        return words.pgettext("garment part", "lining")
    if name == "trim":
        return words.pgettext("garment part", "trim")
    return name


@cache  # a site names a few countries, each on many pages; the lookups are slow
def country_name(code: str | None, language: str = "en") -> str:
    if not code:
        return ""
    locale = _cldr(language)
    found = locale.territories.get(code) if locale else None
    return found or _english_country(code)


def _english_country(code: str) -> str:
    """pycountry's name: CLDR's English names differ for 36 codes (Russia, Congo - Kinshasa,
    St. Lucia, ...), and English pages keep the names they have."""
    return english_names().get(code, code)


def language_name(code: str, language: str = "en") -> str:
    """A language's name in another: language_name("de", "fr") == "allemand"; the code itself
    where CLDR knows neither."""
    named, locale = cldr_locale(code), cldr_locale(language) or Locale("en")
    if named is None:
        return code
    return named.get_display_name(locale) or code


def autonym(code: str) -> str:
    """A language's name in itself, as a language switcher lists it: "Deutsch", "Français".
    CLDR writes some in lower case, as in running text; a list entry starts with a capital.
    The code itself where CLDR does not know the language."""
    name = language_name(code, code)
    return name[:1].upper() + name[1:] if cldr_locale(code) else code


def distance_km(a: Coordinates, b: Coordinates) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


# The formats below are cached: a site writes the same dates, shares, distances and
# temperatures on thousands of pages, and CLDR's formatting is slow beside an f-string.
# (Shares and sizes are cached by their text: Decimal("92") and Decimal("92.0") are equal.)


@lru_cache(maxsize=8192)
def format_km(km: float, language: str = "en") -> str:
    """A distance: one decimal below 10 km, whole kilometres above, grouped in thousands."""
    locale = _cldr(language)
    if locale is None:
        if km < 10:
            return f"{km:.1f} km"
        return f"{round(km):,} km".replace(",", "\u202f")
    number = format_decimal(km, "#,##0.0" if km < 10 else "#,##0", locale=locale)
    return format_unit(number, "length-kilometer", "short", locale=locale)


@lru_cache(maxsize=256)
def format_celsius(degrees: int, language: str = "en") -> str:
    """A temperature as care labels write it: CLDR's short form, or its narrow one where the
    short one spells the degree out (Polish "30 st. C"): customers know the °C of the label."""
    locale = _cldr(language)
    if locale is None:
        return f"{degrees} °C"
    short = format_unit(degrees, "temperature-celsius", "short", locale=locale)
    return short if "°" in short else format_unit(degrees, "temperature-celsius", "narrow", locale=locale)


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@lru_cache(maxsize=8192)
def format_date(value: date | None, language: str = "en") -> str:
    """A long date: "20 March 2026", "20. März 2026", "20 de marzo de 2026"."""
    if not value:
        return ""
    locale = _cldr(language)
    if locale is None:
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return cldr_date(value, "long", locale=locale)


@lru_cache(maxsize=1024)
def format_month(value: date, language: str = "en", *, standalone: bool = False) -> str:
    """A month of a year: "November 2026", "listopad 2026". Standalone (an entry in a list),
    it starts with a capital, which languages that write months in lower case want there."""
    locale = _cldr(language)
    if locale is None:
        return f"{MONTHS[value.month - 1]} {value.year}"
    text = format_skeleton("yMMMM", value, locale=locale)
    return text[:1].upper() + text[1:] if standalone else text


def format_mm(value: Decimal | int | str, language: str = "en") -> str:
    """A printed size, every decimal kept: "0.43 mm", "0,43 mm". (A template writes a size as
    a string, "0.4": it has no decimals of its own.)"""
    return _decimal(str(value), language, "mm")


def format_percent(value: Decimal | int | str, language: str = "en") -> str:
    """A share as written, every decimal kept: "92 %", "33.3 %"; "92 %" with CLDR's space in
    French, "92%" in Polish."""
    return _decimal(str(value), language, "%")


@lru_cache(maxsize=4096)
def _decimal(value: str, language: str, unit: str) -> str:
    """A number as written with its unit (% or mm): in English as mfsite always wrote it, else
    as CLDR writes a percentage or a length in millimetres."""
    number, locale = Decimal(value), _cldr(language)
    if locale is None:
        return f"{number.normalize():f} {unit}"
    if unit == "%":
        return cldr_percent(number / 100, locale=locale, decimal_quantization=False)
    said = format_decimal(number, locale=locale, decimal_quantization=False)
    return format_unit(said, "length-millimeter", "short", locale=locale)


@cache
def _cldr(language: str) -> Locale | None:
    """CLDR's data for a language, or None where mfsite writes its own (English) formats: for
    English, and for a language CLDR does not know."""
    return None if is_source(language) else cldr_locale(language)
