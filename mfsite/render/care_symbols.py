"""ISO 3758-style care symbols, drawn here as small inline SVG.

Each symbol sits on the same 40×40 grid and is stroked with `currentColor`,
so it follows the text colour (dark mode included). Every straight stroke is
a `<line>`, every dot a filled `<circle>`, and numbers and letters are
`<text>` in a generic sans-serif: no external files, no fonts to ship, no ids.
The text alternative of each symbol is the same sentence the care list uses
(see `text.py`), in the page's language, as `aria-label` and `<title>`.

The symbols come in the order of a care label: washing, bleaching, tumble
drying, natural drying (only when given), ironing, professional care.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from mfsite.i18n import Words
from mfsite.model import Care
from mfsite.render.text import BLEACH, DRY, ENGLISH, IRON, PROFESSIONAL, TUMBLE, wash_text

_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" height="40" role="img"'
    ' aria-label="{label}" fill="none" stroke="currentColor" stroke-width="2"'
    ' stroke-linecap="round" stroke-linejoin="round"><title>{label}</title>'
)
_FILL = 'fill="currentColor" stroke="none"'


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}"/>'


def _dots(y: float, *xs: float) -> str:
    return "".join(f'<circle cx="{x:g}" cy="{y:g}" r="2.2" {_FILL}/>' for x in xs)


def _text(content: str, y: float, size: int) -> str:
    return (
        f'<text x="20" y="{y:g}" {_FILL} font-family="sans-serif" font-size="{size}"'
        f' text-anchor="middle">{escape(content)}</text>'
    )


_CROSS = _line(5, 5, 35, 35) + _line(35, 5, 5, 35)  # St Andrew's cross over the whole symbol

# Washing: an open basin with a wavy water line across its rim.
_TUB = '<path d="M3 8L7 29H33L37 8"/><path d="M3 8q4.25 -3.5 8.5 0t8.5 0t8.5 0t8.5 0"/>'
# Hand wash: the water line stops where a hand (two finger creases, thumb on top) dips in from the right.
_HAND_TUB = (
    '<path d="M3 8L7 29H33L37 8"/><path d="M3 8q4 -3.5 8 0t8 0"/>'
    '<path d="M-5 -13V-6L-8 -3V2a1.5 1.5 0 0 0 3 0V4a5 5 0 0 0 10 0V-19M-1.7 5V0M1.7 5V0"'
    ' transform="translate(19 19) rotate(38)"/>'
)
_BARS = {"": "", "gentle": _line(7, 33, 33, 33), "very-gentle": _line(7, 33, 33, 33) + _line(7, 37, 33, 37)}

_TRIANGLE = '<path d="M20 4L37 34H3Z"/>'
_SQUARE = '<rect x="4" y="4" width="32" height="32"/>'
_IRON = '<path d="M3 33H37V20H14C8 20 4 26 3 33Z"/><path d="M31 20V11H13"/>'
_RING = '<circle cx="20" cy="20" r="15"/>'
_DRUM = _SQUARE + '<circle cx="20" cy="20" r="13"/>'

_BLEACH_DRAWING = {
    "any": _TRIANGLE,
    "non-chlorine": _TRIANGLE + _line(13, 32, 20, 20) + _line(19, 32, 26, 20),
    "no": _TRIANGLE + _CROSS,
}
_TUMBLE_DRAWING = {
    "normal": _DRUM + _dots(20, 16, 24),
    "low": _DRUM + _dots(20, 20),
    "no": _DRUM + _CROSS,
}
_DRY_DRAWING = {
    "line": '<path d="M5 9Q20 22 35 9"/>',
    "drip": _line(14, 11, 14, 31) + _line(20, 11, 20, 31) + _line(26, 11, 26, 31),
    "flat": _line(10, 20, 30, 20),
}
_SHADE = _line(4, 11, 11, 4) + _line(4, 17, 17, 4)  # two oblique strokes cutting the top-left corner
_IRON_DOTS = {"low": (22,), "medium": (18, 26), "high": (14, 22, 30)}


@dataclass(frozen=True, slots=True)
class CareSymbol:
    kind: str  # "wash" | "bleach" | "tumble" | "dry" | "iron" | "professional"
    label: str  # the text alternative, the same sentence as in the care list
    svg: Markup  # one complete <svg> element


def _symbol(kind: str, label: str, drawing: str) -> CareSymbol:
    return CareSymbol(kind, label, Markup(_OPEN.format(label=escape(label)) + drawing + "</svg>"))


def _wash(wash: str) -> str:
    if wash == "hand":
        return _HAND_TUB
    if wash == "no":
        return _TUB + _CROSS
    temperature, _, gentleness = wash.partition("-")
    return _TUB + _text(temperature, 24, 12) + _BARS[gentleness]


def _dry(dry: str) -> str:
    method, _, shade = dry.partition("-")
    return _SQUARE + (_SHADE if shade else "") + _DRY_DRAWING[method]


def _iron(iron: str) -> str:
    return _IRON + (_CROSS if iron == "no" else _dots(27, *_IRON_DOTS[iron]))


def _professional(method: str) -> str:
    return _RING + (_CROSS if method == "no" else _text(method, 26.5, 18))


def care_symbols(care: Care, words: Words = ENGLISH) -> list[CareSymbol]:
    """One symbol per care instruction, in care-label order (notes have no symbol)."""
    say = words.gettext
    symbols = [
        _symbol("wash", wash_text(care.wash, words), _wash(care.wash)),
        _symbol("bleach", say(BLEACH[care.bleach]), _BLEACH_DRAWING[care.bleach]),
        _symbol("tumble", say(TUMBLE[care.tumble]), _TUMBLE_DRAWING[care.tumble]),
    ]
    if care.dry:
        symbols.append(_symbol("dry", say(DRY[care.dry]), _dry(care.dry)))
    symbols.append(_symbol("iron", say(IRON[care.iron]), _iron(care.iron)))
    symbols += [_symbol("professional", say(PROFESSIONAL[p]), _professional(p)) for p in care.professional]
    return symbols
