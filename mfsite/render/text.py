"""Words and numbers for people: care instructions, countries, distances, dates.

Care is always given as text (ISO 3758 symbols are trademarks and only an
opt-in extra), in the order a care label uses: wash, bleach, tumble, dry,
iron, professional care.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from functools import cache

import pycountry

from mfsite.model import Care, Coordinates

WASH_GENTLENESS = {"gentle": ", gentle cycle", "very-gentle": ", very gentle cycle"}
BLEACH = {
    "any": "Any bleach allowed",
    "non-chlorine": "Only oxygen (non-chlorine) bleach",
    "no": "Do not bleach",
}
TUMBLE = {
    "normal": "Tumble dry, normal heat",
    "low": "Tumble dry, low heat",
    "no": "Do not tumble dry",
}
DRY = {
    "line": "Line dry",
    "drip": "Drip dry",
    "flat": "Dry flat",
    "line-shade": "Line dry in the shade",
    "drip-shade": "Drip dry in the shade",
    "flat-shade": "Dry flat in the shade",
}
IRON = {
    "high": "Iron hot (up to 200 °C)",
    "medium": "Iron warm (up to 150 °C)",
    "low": "Iron cool (up to 110 °C), without steam",
    "no": "Do not iron",
}
PROFESSIONAL = {
    "P": "Professional dry clean (P)",
    "F": "Professional dry clean, hydrocarbon solvents only (F)",
    "W": "Professional wet clean (W)",
    "no": "Do not dry clean",
}


def wash_text(wash: str) -> str:
    if wash == "hand":
        return "Hand wash only"
    if wash == "no":
        return "Do not wash"
    temperature, _, gentleness = wash.partition("-")
    return f"Machine wash at {temperature} °C{WASH_GENTLENESS.get(gentleness, '')}"


def care_lines(care: Care) -> list[str]:
    lines = [wash_text(care.wash), BLEACH[care.bleach], TUMBLE[care.tumble]]
    if care.dry:
        lines.append(DRY[care.dry])
    lines.append(IRON[care.iron])
    lines += [PROFESSIONAL[p] for p in care.professional]
    return lines + list(care.notes)


@cache  # a site names a few countries, each on many pages; pycountry's lookup is slow
def country_name(code: str | None) -> str:
    if not code:
        return ""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def distance_km(a: Coordinates, b: Coordinates) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def format_km(km: float) -> str:
    if km < 10:
        return f"{km:.1f} km"
    return f"{round(km):,} km".replace(",", "\u202f")


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


def format_date(value: date | None) -> str:
    """English long dates, never from the machine's locale (reproducible output)."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}" if value else ""


def format_mm(value: Decimal) -> str:
    return f"{value.normalize():f} mm"


def format_percent(value: Decimal) -> str:
    return f"{value.normalize():f} %"
