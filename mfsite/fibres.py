"""Textile fibre names of Annex I of Regulation (EU) No 1007/2011, in the languages mfsite ships.

The data is ``mfsite/data/fibres.json``: every Annex I name keyed by its English name, its name in
German, French, Italian, Spanish, Dutch and Polish, the fixed phrases of Articles 7, 9 and 12, and
where each was confirmed. A name that could not be confirmed from the Regulation's text in that
language carries ``"confirmed": false``; the functions here never hand such a name out as an Annex I
name unless the caller passes ``allow_unconfirmed=True``.

A site's material ``fibre`` is matched case-insensitively against the English Annex I names and the
other names a row itself allows (``nylon`` for "polyamide or nylon", ``Manila hemp`` for abaca,
``cashmere wool`` for cashmere). Anything else is not an Annex I name: :func:`nearest` suggests the
closest ones for the warning. Trade names such as ``linen``, ``spandex`` or ``rayon`` are not
accepted; :func:`nearest` names the Annex I name they usually stand for.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from mfsite import PACKAGE
from mfsite.i18n import is_source

ENGLISH = "en"

# Words that are not Annex I names but that people write for one. Only used to suggest, never to
# match: the Regulation does not allow them on a label.
_TRADE_NAMES = {
    "linen": "flax",
    "hemp": "true hemp",
    "spandex": "elastane",
    "lycra": "elastane",
    "rayon": "viscose",
    "tencel": "lyocell",
    "kashmir": "cashmere",
    "vicuña": "vicuna",
    "coconut fibre": "coir",
    "glass": "glass fibre",
    "fiberglass": "glass fibre",
    "acrylic fibre": "acrylic",
    "pla": "polylactide",
}
# Row 2: the animal names may be "followed or not by the word 'wool' or 'hair'".
_ROW2_SUFFIXES = (" wool", " hair")
# Row 48: the material's name "followed or not by the word 'yarn' or 'fibre'".
_ROW48_SUFFIXES = (" yarn", " fibre", " fiber")


@dataclass(frozen=True)
class FibreName:
    """One Annex I row's name in one language."""

    fibre: str  # the English key, e.g. "polyamide or nylon"
    number: int  # the Annex I row, 1 to 50
    language: str
    name: str  # the name to print, e.g. "Polyamid"
    also: tuple[str, ...] = ()  # other names the row allows in this language, e.g. ("Nylon",)
    confirmed: bool = False
    sources: tuple[str, ...] = ()  # ids into the data file's "sources"
    note: str = ""


@dataclass(frozen=True)
class Match:
    """What a site's ``fibre`` matched: the Annex I key and which of the row's names it used."""

    fibre: str
    form: int  # 0 for the row's main name, 1 for its first "also" name, ...


@dataclass(frozen=True)
class Part:
    """One constituent of a composition: a fibre as the site writes it and its percentage."""

    fibre: str
    percent: Decimal | int | float


@cache
def data() -> dict[str, Any]:
    """The parsed data file, read once from the installed package (as a file beside the code, as
    the theme is: importlib.resources would import its readers on every build for it)."""
    text = (PACKAGE / "data" / "fibres.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _rows() -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in data()["fibres"]}


@cache
def _index() -> dict[str, Match]:
    """Every accepted English spelling, lower-cased, to the row and form it names."""
    index: dict[str, Match] = {}
    for row in data()["fibres"]:
        en = row["names"][ENGLISH]
        index[row["key"].lower()] = Match(row["key"], 0)
        for i, form in enumerate([en["name"], *en.get("also", [])]):
            index.setdefault(form.lower(), Match(row["key"], i))
    return index


def languages() -> list[str]:
    """The languages the data has names for, English first."""
    return list(data()["languages"])


def fibres() -> list[str]:
    """Every Annex I key, in the order of the Annex."""
    return [row["key"] for row in data()["fibres"]]


def _normal(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).lower()


def match(fibre: str) -> Match | None:
    """The Annex I row that a site's ``fibre`` names, or ``None`` when it names none.

    Matching ignores case and repeated spaces. Besides the English names and the other names a row
    gives (``nylon``, ``Manila hemp``, ``coconut``), it accepts a row 2 animal followed by "wool" or
    "hair" (``cashmere wool``) and a row 48 material followed by "yarn" or "fibre" (``metallised
    yarn``), as the Annex allows. Trade names (``linen``, ``spandex``) are not matched.
    """
    key = _normal(fibre)
    index = _index()
    if key in index:
        return index[key]
    for suffixes, number in ((_ROW2_SUFFIXES, 2), (_ROW48_SUFFIXES, 48)):
        for suffix in suffixes:
            if key.endswith(suffix):
                found = index.get(key.removesuffix(suffix))
                if found and _rows()[found.fibre]["number"] == number:
                    return found
    return None


def lookup(fibre: str, language: str) -> FibreName | None:
    """Everything the data says about ``fibre``'s Annex I name in ``language``.

    ``None`` when ``fibre`` is not an Annex I name (see :func:`match`). An unknown ``language``
    falls back to English. The result says whether the name is confirmed; check it before
    printing (or use :func:`annex_name`, which does).
    """
    found = match(fibre)
    if found is None:
        return None
    row = _rows()[found.fibre]
    if language not in row["names"]:
        language = ENGLISH
    entry = row["names"][language]
    return FibreName(
        fibre=found.fibre,
        number=row["number"],
        language=language,
        name=entry["name"],
        also=tuple(entry.get("also", [])),
        confirmed=entry["confirmed"],
        sources=tuple(entry.get("sources", [])),
        note=entry.get("note", ""),
    )


def annex_name(fibre: str, language: str, *, allow_unconfirmed: bool = False) -> str | None:
    """``fibre``'s Annex I name in ``language``, e.g. ``annex_name("cotton", "de") == "Baumwolle"``.

    ``fibre`` is matched as :func:`match` does, so ``"Nylon"`` gives ``"Nylon"`` in German and
    ``"polyamide"`` gives ``"Polyamid"``: when the site used one of the names a row allows, the
    same one is given in the other language, where that language has it.

    Returns ``None`` when ``fibre`` is not an Annex I name, and also when its name in ``language``
    is unconfirmed, unless ``allow_unconfirmed`` is true. A ``language`` the data does not have
    falls back to English.
    """
    found = match(fibre)
    name = lookup(fibre, language)
    if found is None or name is None:
        return None
    if not name.confirmed and not allow_unconfirmed:
        return None
    forms = (name.name, *name.also)
    return forms[found.form] if found.form < len(forms) else name.name


def shown(fibre: str, language: str) -> str:
    """A site's ``fibre`` as a page in ``language`` shows it: its confirmed Annex I name in that
    language; as written in English (or where there is none)."""
    if is_source(language):
        return fibre
    return annex_name(fibre, language) or fibre


def nearest(fibre: str, n: int = 3) -> list[str]:
    """The English Annex I names closest to ``fibre``, best first, for "did you mean" warnings.

    ``nearest("polyster") == ["polyester", ...]``. A known trade name comes first with the name it
    stands for (``nearest("linen")[0] == "flax"``). Empty when nothing is close.
    """
    key = _normal(fibre)
    found: list[str] = []
    if key in _TRADE_NAMES:
        found.append(_TRADE_NAMES[key])
    index = _index()
    # A name inside a longer text ("wool (merino)", "organic cotton", "linen (flax)") first.
    words = re.findall(r"[^\W\d_]+(?:[ -][^\W\d_]+)*", key)
    for word in (w for text in words for w in (text, *text.split())):
        named = _TRADE_NAMES.get(word) or (index[word].fibre if word in index else None)
        if named and named not in found:
            found.append(named)
    if found:  # a name it means, not merely one spelled alike
        return found[:n]
    for spelling in difflib.get_close_matches(key, list(index), n=n * 3, cutoff=0.6):
        name = index[spelling].fibre
        if name not in found:
            found.append(name)
    return found[:n]


def phrase(key: str, language: str, *, allow_unconfirmed: bool = False) -> str | None:
    """A fixed phrase of the Regulation in ``language``.

    Keys: ``"100%"``, ``"pure"``, ``"all"`` (Article 7: only for a product of one fibre),
    ``"other fibres"`` (Article 9) and ``"contains non-textile parts of animal origin"``
    (Article 12). Raises ``KeyError`` for another key. Returns ``None`` when the phrase in
    ``language`` is unconfirmed, unless ``allow_unconfirmed`` is true. A ``language`` the data does
    not have falls back to English. The Article 7 "100 %" is the Regulation's wording: to print a
    percentage, format it for the language (``render.text.format_percent``).
    """
    texts = data()["phrases"][key]["texts"]
    entry = texts.get(language, texts[ENGLISH])
    if not entry["confirmed"] and not allow_unconfirmed:
        return None
    return entry["text"]


def composition_line(
    parts: Iterable[Part] | Iterable[tuple[str, Decimal | int | float]],
    label_languages: Sequence[str],
    share: Callable[[Decimal | int | float], str],
    *,
    allow_unconfirmed: bool = False,
) -> str:
    """One label line giving each fibre's percentage and its name in every label language.

    ``composition_line([("cotton", 92), ("elastane", 8)], ["de", "en"], share)`` gives
    ``"92 % Baumwolle / cotton, 8 % Elasthan / elastane"``: each percentage written once, by
    ``share`` (the page's formatter, in the first label language), and the names follow in the
    order of ``label_languages``, a name repeated in consecutive languages written once.

    A fibre that is not an Annex I name is written as the site wrote it; a name unconfirmed in a
    language is written in English (or as it stands with ``allow_unconfirmed``): validation
    warns of both (MF104, MF106). An unknown language falls back to English names.
    """
    chunks: list[str] = []
    for part in parts:
        fibre, value = (part.fibre, part.percent) if isinstance(part, Part) else part
        names: list[str] = []
        for lang in list(label_languages) or [ENGLISH]:
            name = annex_name(fibre, lang, allow_unconfirmed=allow_unconfirmed)
            if name is None:
                name = annex_name(fibre, ENGLISH) or fibre
            if not names or names[-1] != name:
                names.append(name)
        chunks.append(f"{share(value)} {' / '.join(names)}")
    return ", ".join(chunks)


def unconfirmed(language: str) -> list[str]:
    """The Annex I keys whose name in ``language`` is not confirmed (for ``mfsite check``)."""
    return [row["key"] for row in data()["fibres"] if not row["names"][language]["confirmed"]]
