"""Typed, positioned reading of YAML values, collecting every problem.

A `Fields` wraps one mapping. Each accessor converts a value as the contract
says (text, a number, an ISO date, a country code...), records a positioned
diagnostic when it cannot, and returns None, so one file yields all of its
problems in one run. `finish()` reports the keys nobody asked for, with a
"did you mean" hint, because a typo must never be silently ignored.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TypeVar
from urllib.parse import urlsplit

from mfsite import codes
from mfsite.countries import english_names
from mfsite.diagnostics import Diagnostic, Span
from mfsite.languages import LANGUAGE_TAG
from mfsite.load.yamltree import Map, Node, Scalar, Seq, kind_name
from mfsite.load.yamltree import shown as shorten
from mfsite.model import Words

T = TypeVar("T")
Problems = list[Diagnostic]
Converter = Callable[[Node, str, Problems], T | None]

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# [0-9], never \d: \d (like str.isdigit and int()) takes every script's digits, and int("٤٨") is
# 48, while a digit such as "²" passes isdigit() and then fails int() (see foreign_digit).
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INTEGER_PATTERN = re.compile(r"[+-]?[0-9]+")
NUMBER_PATTERN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
MAX_DIGITS = 18  # a quantity, a count, a position: nothing here needs more

# The longest text each field takes, in characters. Every text is laid out somewhere (a line of
# the journey picture, a label, a card), and a value thousands of characters long is a mistake
# (a pasted file), not a name: it is refused where it was written, not discovered by a slow build.
NAME_MAX = 200  # names, titles, places, short labels: a line or two on a phone
SENTENCE_MAX = 1000  # a summary, a care note, an address, a file's path: a paragraph at most
MARKDOWN_MAX = 10_000  # a batch's notes: a few pages of markdown (stories belong in content/)
URL_MAX = 2000  # what every browser takes; a QR code holds a little more
# By the field's name (list positions left out); every other text field is a name.
TEXT_LIMITS = {
    "notes": MARKDOWN_MAX,
    "care.notes": SENTENCE_MAX,
    "summary": SENTENCE_MAX,
    "shop.address": SENTENCE_MAX,
    "image": SENTENCE_MAX,
    "image_alt": SENTENCE_MAX,
    "photos.src": SENTENCE_MAX,
    "photos.alt": SENTENCE_MAX,
    "photo.src": SENTENCE_MAX,
    "photo.alt": SENTENCE_MAX,
    "theme.logo": SENTENCE_MAX,
    "theme.logo_dark": SENTENCE_MAX,
}
_POSITIONS = re.compile(r"\[[0-9]+\]")


def did_you_mean(word: str, options: Iterable[str]) -> str:
    options = list(options)
    lowered = {o.lower(): o for o in options}
    match = lowered.get(word.lower()) or next(
        iter(difflib.get_close_matches(word, options, n=1, cutoff=0.6)), None
    )
    return f"; did you mean '{match}'?" if match else ""


def scalar(node: Node, what: str, problems: Problems) -> Scalar | None:
    if isinstance(node, Scalar):
        return node
    problems.append(
        Diagnostic(node.span, codes.WRONG_TYPE, f"{what}: expected a value, found {kind_name(node)}")
    )
    return None


def bad(node: Node, code: str, what: str, message: str, problems: Problems) -> None:
    problems.append(Diagnostic(node.span, code, f"{what}: {message}"))


# Converters: (node, what, problems) -> value or None. `what` names the field.


def text_limit(what: str) -> int:
    """The most characters the field named `what` ("journey[2].step") takes."""
    return TEXT_LIMITS.get(_POSITIONS.sub("", what), NAME_MAX)


def to_text(node: Node, what: str, problems: Problems) -> str | None:
    """Text a person wrote, of at most its field's length (text_limit)."""
    if (text := limited_text(node, what, problems, None)) is None:
        return None
    # Every limit is NAME_MAX or more: nearly every text is done without looking its limit up.
    if len(text) > NAME_MAX and len(text) > (limit := text_limit(what)):
        bad(node, codes.BAD_VALUE, what, too_long(text, limit), problems)
        return None
    return text


def to_words(node: Node, what: str, problems: Problems) -> str | Words | None:
    """A text people write: plain, in the site's default language, or a map of language to
    text (`{de: Pulli, en: Jumper}`), each of at most the field's length. Which language is the
    default only site.yaml says: languages.resolve picks it."""
    if not isinstance(node, Map):
        return to_text(node, what, problems)
    if not any(map(LANGUAGE_TAG.fullmatch, node.entries)):  # no text in languages: a mistake of shape
        message = "expected a value (or a text per language, like {en: ..., de: ...}), found a mapping"
        bad(node, codes.WRONG_TYPE, what, message, problems)
        return None
    texts, keys = [], []
    for tag, (key, value) in node.entries.items():
        if not LANGUAGE_TAG.fullmatch(tag):
            message = f"'{shorten(tag)}' is not a language tag (like en or de-CH), as a text's keys are"
            bad(key, codes.BAD_LANGUAGE, what, message, problems)
        elif (text := limited_text(value, f"{what}.{tag}", problems, text_limit(what))) is not None:
            texts.append((tag, text))
            keys.append(key.span)
    if len(texts) < len(node.entries):
        return None
    return Words(tuple(texts), node.span, tuple(keys))


def too_long(text: str, limit: int) -> str:
    return f"'{shorten(text)}' is {len(text):,} characters long; at most {limit:,} are allowed"


def limited_text(node: Node, what: str, problems: Problems, limit: int | None) -> str | None:
    """Text that is not empty, of at most `limit` characters (None: a later rule limits it)."""
    if (s := scalar(node, what, problems)) is None:
        return None
    if not s.text.strip():
        bad(node, codes.BAD_VALUE, what, "is empty", problems)
        return None
    if limit is not None and len(s.text) > limit:
        bad(node, codes.BAD_VALUE, what, too_long(s.text, limit), problems)
        return None
    return s.text


def foreign_digit(text: str, kind: str) -> str | None:
    """Why a number written with digits other than 0 to 9 is refused, or None. YAML's numbers are
    ASCII; a digit of another script (٤, ४) or a superscript (²) is a mistake to say, not to read."""
    odd = next((c for c in text if c.isnumeric() and not c.isascii()), None)
    if odd is None:
        return None
    name = unicodedata.name(odd, "")
    described = f"U+{ord(odd):04X} {name}" if name else f"U+{ord(odd):04X}"
    return f"'{shorten(text)}' holds '{odd}' ({described}): write {kind} with the digits 0 to 9"


def as_ascii_digits(text: str) -> str:
    """The text with each decimal digit of another script as its ASCII digit: for a hint."""
    return "".join(str(unicodedata.decimal(c, "")) if c.isdecimal() else c for c in text)


def to_id(node: Node, what: str, problems: Problems) -> str | None:
    if (text := limited_text(node, what, problems, None)) is None:  # ID_PATTERN limits it
        return None
    if not ID_PATTERN.fullmatch(text):
        message = f"'{shorten(text)}' is not a valid id: {ID_RULE}{id_hint(text)}"
        bad(node, codes.BAD_ID, what, message, problems)
        return None
    return text


ID_RULE = "use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
# Names Windows keeps for devices, with or without an extension: a file called
# `con.yaml` or a folder `b/nul/` cannot exist there, so a checkout or a copy fails.
WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"}
)
WINDOWS_FORBIDDEN = frozenset('<>:"\\|?*')


def id_hint(text: str) -> str:
    """Why a name that looks fine is no id: its length, or a character outside ASCII (é, or an
    NFD accent, which looks the same as an NFC one: the code point tells them apart)."""
    if len(text) > 64:
        return f"; it has {len(text)}"
    odd = next((c for c in text if not c.isascii()), None)
    if odd is None:
        return ""
    name = unicodedata.name(odd, "")
    return f"; it holds U+{ord(odd):04X}{f' ({name})' if name else ''}, and ids are ASCII"


@cache  # every build asks again for each of its thousands of file names (watch mode: each rebuild)
def windows_problem(name: str) -> str | None:
    """What stops a file or folder of this name from existing on Windows, or None."""
    device = name.split(".")[0].rstrip(" ").upper()
    if device in WINDOWS_DEVICES:
        return (
            f"'{shorten(name)}' is reserved for a device on Windows ({device}): "
            "no file or folder there can have it"
        )
    if name.endswith((".", " ")):
        return f"'{shorten(name)}' ends with '{name[-1]}', which Windows drops from file names"
    hidden = next((c for c in name if not c.isprintable() and c != " "), None)
    if hidden is not None:  # a line break in a name breaks every message and listing that shows it
        return f"'{shorten(name)}' holds U+{ord(hidden):04X}, a character that cannot be shown"
    bad = sorted({c for c in name if c in WINDOWS_FORBIDDEN})
    if bad:
        chars = " ".join(repr(c) for c in bad)
        return f"'{name}' holds {chars}, which Windows does not allow in file names"
    return None


def to_integer(node: Node, what: str, problems: Problems) -> int | None:
    if (s := scalar(node, what, problems)) is None:
        return None
    text = s.text.strip()
    if not INTEGER_PATTERN.fullmatch(text):
        message = foreign_digit(text, "numbers") or f"'{shorten(s.text)}' is not a whole number"
        bad(node, codes.BAD_NUMBER, what, message, problems)
        return None
    if len(text.lstrip("+-")) > MAX_DIGITS:  # and Python refuses int() of 4,300 digits
        bad(node, codes.BAD_NUMBER, what, f"{shorten(text)} is too large a number", problems)
        return None
    return int(text)


def to_decimal(node: Node, what: str, problems: Problems) -> Decimal | None:
    if (s := scalar(node, what, problems)) is None:
        return None
    text = s.text.strip()
    if not NUMBER_PATTERN.fullmatch(text):
        message = foreign_digit(text, "numbers") or f"'{shorten(s.text)}' is not a number"
        bad(node, codes.BAD_NUMBER, what, message, problems)
        return None
    if len(text.lstrip("+-")) > MAX_DIGITS + 10:  # digits after the point count too
        bad(node, codes.BAD_NUMBER, what, f"{shorten(text)} has too many digits", problems)
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes these
        bad(node, codes.BAD_NUMBER, what, f"'{shorten(s.text)}' is not a number", problems)
        return None


def to_percent(node: Node, what: str, problems: Problems) -> Decimal | None:
    value = to_decimal(node, what, problems)
    if value is not None and not 0 <= value <= 100:
        bad(node, codes.BAD_NUMBER, what, f"{value} is not between 0 and 100", problems)
        return None
    return value


def to_date(node: Node, what: str, problems: Problems) -> date | None:
    if (s := scalar(node, what, problems)) is None:
        return None
    text = s.text.strip()
    try:
        if DATE_PATTERN.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    message = foreign_digit(text, "dates") or f"'{shorten(s.text)}' is not a date; write it as YYYY-MM-DD"
    bad(node, codes.BAD_DATE, what, message, problems)
    return None


def to_country(node: Node, what: str, problems: Problems) -> str | None:
    if (text := limited_text(node, what, problems, None)) is None:  # the codes limit it
        return None
    countries = english_names()
    if text not in countries:
        hint = f"; did you mean '{text.upper()}'?" if text.upper() in countries else ""
        message = f"'{shorten(text)}' is not an ISO 3166-1 alpha-2 country code (like DE or PT){hint}"
        bad(node, codes.BAD_COUNTRY, what, message, problems)
        return None
    return text


def to_url(node: Node, what: str, problems: Problems) -> str | None:
    """Only absolute http(s) URLs: anything else could run script in a customer's browser."""
    if (text := limited_text(node, what, problems, URL_MAX)) is None:
        return None
    text = text.strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # brackets that hold no IPv6 address: "https://[shop]/"
        parts = urlsplit("")
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        message = f"'{shorten(text)}' is not a web address; write it as https://..."
        bad(node, codes.BAD_URL, what, message, problems)
        return None
    if any(c.isspace() or ord(c) < 32 for c in text):
        bad(node, codes.BAD_URL, what, "a web address cannot contain spaces", problems)
        return None
    return text


def to_boolean(node: Node, what: str, problems: Problems) -> bool | None:
    if (s := scalar(node, what, problems)) is None:
        return None
    if s.text in ("true", "false"):
        return s.text == "true"
    bad(node, codes.BAD_VALUE, what, f"'{shorten(s.text)}' is not true or false", problems)
    return None


def to_coordinates(node: Node, what: str, problems: Problems) -> tuple[float, float] | None:
    message = "write coordinates as [latitude, longitude], e.g. [52.50, 13.42]"
    if (pair := to_pair(node, what, problems, codes.BAD_COORDINATES, message)) is None:
        return None
    lat, lon = pair
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        bad(node, codes.BAD_COORDINATES, what, f"out of range: {message}", problems)
        return None
    return pair


def to_pair(node: Node, what: str, problems: Problems, code: str, hint: str) -> tuple[float, float] | None:
    """Two numbers in a list ([x, y]); anything else is `code`, said with the hint."""
    if not isinstance(node, Seq) or len(node.items) != 2:
        bad(node, code, what, hint, problems)
        return None
    values = [to_decimal(item, what, problems) for item in node.items]
    if None in values:
        return None
    first, second = (float(v) for v in values)  # type: ignore[arg-type]
    return first, second


def one_of(allowed: Iterable[str], describe: str | None = None) -> Converter[str]:
    allowed = tuple(allowed)
    described = describe or ", ".join(allowed)

    def convert(node: Node, what: str, problems: Problems) -> str | None:
        if (s := scalar(node, what, problems)) is None:
            return None
        if s.text in allowed:
            return s.text
        # `wash: ٣٠` is 30 written in another script's digits: say which value it looks like
        written = as_ascii_digits(s.text)
        hint = did_you_mean(written if written in allowed else s.text, allowed)
        message = f"'{shorten(s.text)}' is not allowed; use one of {described}{hint}"
        bad(node, codes.BAD_VALUE, what, message, problems)
        return None

    return convert


class Fields:
    """Typed access to one mapping; every problem lands in `problems`."""

    def __init__(self, node: Map, what: str, problems: Problems) -> None:
        self.node = node
        self.what = what  # "care", "materials[2]": prefixes messages
        self.problems = problems
        self.asked: set[str] = set()
        self.start = len(problems)

    @classmethod
    def of(cls, node: Node | None, what: str, problems: Problems, span: Span) -> Fields | None:
        if isinstance(node, Map):
            return cls(node, what, problems)
        found = (
            "nothing" if node is None or (isinstance(node, Scalar) and node.is_null) else (kind_name(node))
        )
        where = node.span if node is not None else span
        message = f"expected a mapping (key: value lines), found {found}"
        problems.append(Diagnostic(where, codes.WRONG_TYPE, f"{what}: {message}" if what else message))
        return None

    @property
    def failed(self) -> bool:
        return len(self.problems) > self.start

    def name(self, key: str) -> str:
        return f"{self.what}.{key}" if self.what else key

    def node_of(self, key: str, required: bool = False) -> Node | None:
        """The value node, or None when absent or null (and then an error if required)."""
        self.asked.add(key)
        entry = self.node.entries.get(key)
        value = entry[1] if entry else None
        if isinstance(value, Scalar) and value.is_null:
            value = None
        if value is None and required:
            where = entry[0].span if entry else self.node.span
            prefix = f"{self.what}: " if self.what else ""
            self.problems.append(
                Diagnostic(where, codes.MISSING_KEY, f"{prefix}missing required key '{key}'")
            )
        return value

    def get(self, key: str, convert: Converter[T], required: bool = False) -> T | None:
        node = self.node_of(key, required)
        return None if node is None else convert(node, self.name(key), self.problems)

    def span(self, key: str) -> Span:
        entry = self.node.entries.get(key)
        return entry[1].span if entry else self.node.span

    def items(self, key: str, required: bool = False) -> list[Node]:
        """A list's items; a single value stands for a list of one."""
        node = self.node_of(key, required)
        if node is None:
            return []
        if isinstance(node, Seq):
            if required and not node.items:
                bad(node, codes.MISSING_KEY, self.name(key), "needs at least one entry", self.problems)
            return node.items
        return [node]

    def list_of(self, key: str, convert: Converter[T], required: bool = False) -> list[T]:
        values = []
        for i, item in enumerate(self.items(key, required), 1):
            value = convert(item, f"{self.name(key)}[{i}]", self.problems)
            if value is not None:
                values.append(value)
        return values

    def mappings(self, key: str, required: bool = False) -> list[Fields]:
        out = []
        for i, item in enumerate(self.items(key, required), 1):
            sub = Fields.of(item, f"{self.name(key)}[{i}]", self.problems, item.span)
            if sub is not None:
                out.append(sub)
        return out

    def mapping(self, key: str, required: bool = False) -> Fields | None:
        node = self.node_of(key, required)
        if node is None:
            return None
        return Fields.of(node, self.name(key), self.problems, node.span)

    def finish(self) -> None:
        """Report every key that no accessor asked for."""
        for key, (key_node, _) in self.node.entries.items():
            if key not in self.asked:
                hint = did_you_mean(key, sorted(self.asked))
                where = f" in {self.what}" if self.what else ""
                self.problems.append(
                    Diagnostic(key_node.span, codes.UNKNOWN_KEY, f"unknown key '{shorten(key)}'{where}{hint}")
                )
