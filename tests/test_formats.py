"""Dates, numbers, units and names in a page's language (mfsite.render.text): CLDR's, through
Babel, exactly as a reader of that language expects them, and never the machine's locale.
English keeps mfsite's own formats ("20 March 2026", "92 %", "30 °C", pycountry's names).

Spaces that must not break are spelled out: NBSP is U+00A0, NNBSP (narrow) is U+202F."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mfsite.countries import english_names, from_pycountry
from mfsite.i18n import Words
from mfsite.model import Care
from mfsite.render.text import (
    autonym,
    care_lines,
    component_name,
    country_name,
    format_celsius,
    format_date,
    format_km,
    format_mm,
    format_month,
    format_percent,
    language_name,
    qc_result,
    run_label,
)

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "20 March 2026"),
        ("de", "20. März 2026"),
        ("fr", "20 mars 2026"),
        ("it", "20 marzo 2026"),
        ("es", "20 de marzo de 2026"),
        ("nl", "20 maart 2026"),
        ("pl", "20 marca 2026"),  # the genitive, as in a date
        ("de-AT", "20. März 2026"),  # a region CLDR knows, or its language
    ],
)
def test_format_date(language: str, expected: str) -> None:
    assert format_date(date(2026, 3, 20), language) == expected


@pytest.mark.parametrize(
    ("language", "in_text", "standalone"),
    [
        ("en", "November 2026", "November 2026"),
        ("de", "November 2026", "November 2026"),
        ("fr", "novembre 2026", "Novembre 2026"),
        ("es", "noviembre de 2026", "Noviembre de 2026"),
        ("pl", "listopad 2026", "Listopad 2026"),  # the nominative, not a date's "listopada"
    ],
)
def test_format_month(language: str, in_text: str, standalone: str) -> None:
    assert format_month(date(2026, 11, 1), language) == in_text
    assert format_month(date(2026, 11, 1), language, standalone=True) == standalone


@pytest.mark.parametrize(
    ("language", "whole", "decimal"),
    [
        ("en", "92 %", "33.3 %"),
        ("de", f"92{NBSP}%", f"33,3{NBSP}%"),
        ("fr", f"92{NBSP}%", f"33,3{NBSP}%"),  # CLDR's French percent: NBSP, not NNBSP
        ("pl", "92%", "33,3%"),
    ],
)
def test_format_percent_keeps_every_decimal(language: str, whole: str, decimal: str) -> None:
    assert format_percent(Decimal("92"), language) == whole
    assert format_percent(Decimal("33.3"), language) == decimal


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("en", "3.5 km", f"1{NNBSP}234 km"),
        ("de", "3,5 km", "1.234 km"),
        ("fr", f"3,5{NNBSP}km", f"1{NNBSP}234{NNBSP}km"),
    ],
)
def test_format_km(language: str, short: str, long: str) -> None:
    assert format_km(3.456, language) == short  # one decimal below 10 km
    assert format_km(1234.4, language) == long  # whole kilometres, grouped


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "30 °C"),
        ("de", "30 °C"),
        ("fr", f"30{NNBSP}°C"),
        ("pl", "30°C"),  # CLDR's narrow form: the short one is "30 st. C"
    ],
)
def test_format_celsius(language: str, expected: str) -> None:
    assert format_celsius(30, language) == expected


def test_format_mm() -> None:
    assert format_mm(Decimal("0.43"), "de") == "0,43 mm"
    assert format_mm("0.4", "de") == "0,4 mm"
    assert format_mm(Decimal("0.43"), "en") == "0.43 mm"


def test_country_names() -> None:
    assert country_name("DE", "de") == "Deutschland"
    assert country_name("GB", "de") == "Vereinigtes Königreich"
    assert country_name("DE", "fr") == "Allemagne"
    assert country_name("GB", "en") == "United Kingdom"  # pycountry's, as English pages have
    assert country_name("KR", "en") == "South Korea"  # pycountry's common name


def test_the_countries_are_pycountrys() -> None:
    """mfsite reads pycountry's database file (importing pycountry costs a rebuild more): the
    same codes and names as pycountry's own API gives, the one asked where the file is not."""
    names = english_names()
    assert names == from_pycountry() and len(names) >= 249
    assert names["KR"] == "South Korea" and names["GB"] == "United Kingdom"
    code = "import sys, mfsite.render.text, mfsite.validate.fields; print('pycountry' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"  # (what the reading spares: importlib.metadata with it)


def test_language_names() -> None:
    assert language_name("de", "fr") == "allemand"
    assert language_name("fr", "de") == "Französisch"
    assert autonym("de") == "Deutsch"
    assert autonym("fr") == "Français"  # CLDR's "français", as a list entry starts
    assert autonym("pl") == "Polski"


CARE = Care(wash="40-gentle", bleach="no", tumble="low", iron="medium", notes=("Inside out",))


def test_care_in_german() -> None:
    assert care_lines(CARE, Words("de")) == [
        "Maschinenwäsche bei 40 °C, Schonwaschgang",
        "Nicht bleichen",
        "Trocknen im Wäschetrockner, niedrige Temperatur",
        "Bügeln bei mittlerer Temperatur (bis 150 °C)",
        "Inside out",  # the site's own words, as written
    ]


def test_care_in_french() -> None:
    lines = care_lines(CARE, Words("fr"))
    assert lines[0] == f"Lavage en machine à 40{NNBSP}°C, programme délicat"
    assert lines[-1] == "Inside out"


def test_run_qc_and_parts_in_german() -> None:
    german = Words("de")
    assert run_label("pre-order", german) == "Vorbestellung"
    assert run_label("made-to-order", german) == "Auf Bestellung gefertigt"
    assert run_label(None, german) == ""
    assert [qc_result(r, german) for r in ("pass", "fail", "note")] == [
        "bestanden",
        "nicht bestanden",
        "Hinweis",
    ]
    assert [component_name(p, german) for p in ("body", "lining", "trim")] == [
        "Oberstoff",
        "Futter",
        "Besatz",
    ]
    assert component_name("Knöpfe", german) == "Knöpfe"  # a part of the site's own, as written


def samples() -> list[str]:
    """One of each format, in English, German, French and Polish (run in a subprocess too)."""
    found = []
    for language in ("en", "de", "fr", "pl"):
        found += [
            format_date(date(2026, 3, 20), language),
            format_month(date(2026, 11, 1), language),
            format_percent(Decimal("33.3"), language),
            format_km(1234.4, language),
            format_celsius(30, language),
            format_mm(Decimal("0.43"), language),
            country_name("DE", language),
            care_lines(CARE, Words(language))[0],
            run_label("stock", Words(language)),
        ]
    return found


@pytest.mark.parametrize("machine", ["fr_FR.UTF-8", "C"])
def test_the_machines_locale_changes_nothing(machine: str) -> None:
    env = {**os.environ, "LC_ALL": machine, "LANG": machine, "LANGUAGE": machine.split("_")[0]}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), env.get("PYTHONPATH")]))
    script = "import json, test_formats; print(json.dumps(test_formats.samples()))"
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    here = samples()
    assert here[:2] == ["20 March 2026", "November 2026"] and "Deutschland" in here
    assert json.loads(run.stdout) == here
