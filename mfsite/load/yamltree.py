"""A strict YAML reader that keeps every value as written, with its position.

PyYAML's loaders guess types (YAML 1.1: `NO` becomes False, `012345` an octal
number, an unquoted GTIN loses its leading zero) and forget positions. We read
libyaml's event stream instead (the C parser, fast and iterative, so deep
nesting cannot blow the Python stack) and build a small tree of our own:
every scalar stays the text the person typed, and every node knows its
`file:line:column`. Types are decided later, by the validator, per field.

Refused here, with a positioned error: aliases (shared references are how a
300-byte file explodes into gigabytes), explicit tags (but `!!str` on a value),
several documents in one file, duplicate keys, nesting deeper than any real
batch needs, and control characters written as escapes in double quotes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from mfsite import codes
from mfsite.diagnostics import Diagnostic, SiteErrors, Span

try:  # the C parser is several times faster; fall back to the pure one
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - only where PyYAML lacks libyaml
    _Loader = yaml.SafeLoader

MAX_DEPTH = 32
NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
# `!!str` on a value only says "this is text", which is what we do anyway, and files that use it
# built before tags were refused (docs/site-format.md has always listed it): it stays allowed.
# Every other tag, also `!` and `!!str` on a list or a mapping, is refused.
SCALAR_TAGS = frozenset({None, "tag:yaml.org,2002:str"})
QUOTED = frozenset({"'", '"', "|", ">"})
YAML_11_BREAKS = re.compile("[\x85\u2028\u2029]")
# What load/sources.py refuses raw in a file: control characters but tab and line feed (and
# U+0085, which YAML only allows escaped), lone surrogates, U+FFFE and U+FFFF. A double-quoted
# value can still write them as escapes ("\0", "\e[31m", "\x07"), which would carry them into
# pages, feeds and terminals: they are refused there too. Only `"` values have escapes.
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# The escapes of a double-quoted YAML scalar that stand for one character, by their letter.
ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f"}
ESCAPES |= {"r": "\r", "e": "\x1b", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
HEX = re.compile("[0-9A-Fa-f]+")


@dataclass(slots=True)
class Scalar:
    text: str
    span: Span
    quoted: bool = False

    @property
    def is_null(self) -> bool:
        return not self.quoted and self.text in NULL_WORDS


@dataclass(slots=True)
class Seq:
    span: Span
    items: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Map:
    span: Span
    # key text -> (the key, with its own position; the value)
    entries: dict[str, tuple[Scalar, Node]] = field(default_factory=dict)


Node = Scalar | Seq | Map

KIND_NAMES = {Scalar: "a value", Seq: "a list", Map: "a mapping (key: value lines)"}


def shown(text: str, limit: int = 40) -> str:
    """Text a person wrote, quoted in a message: on one line (line breaks and other control
    characters as escapes), and cut to a readable length."""
    if not text.isprintable():  # (spaces are printable; the common case skips the loop)
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kind_name(node: Node) -> str:
    return KIND_NAMES[type(node)]


def read_yaml(text: str, path: str, first_line: int = 1) -> tuple[Node | None, list[Diagnostic]]:
    """Parse one YAML document: its tree (None for an empty file) and the problems
    that did not stop the reading (duplicate keys). Raises SiteErrors when the
    text cannot be read as a tree at all."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if (odd := YAML_11_BREAKS.search(text)) is not None:
        # YAML 1.1 (libyaml) reads these as line breaks, no editor shows them so: a value would
        # be cut in two and every line number after it would be off by one.
        diagnostic = _bad_character(text, path, first_line, odd.start(), ord(odd[0]))
        name = {0x85: "NEXT LINE", 0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR"}[ord(odd[0])]
        message = (
            f"U+{ord(odd[0]):04X} ({name}) is a line break to YAML, though editors do not show one; "
            "replace it with a space, or write it as an escape in a double-quoted value"
        )
        raise SiteErrors([Diagnostic(diagnostic.span, codes.YAML_SYNTAX, message)])
    try:
        # The parser's events straight from its get_event (None after the last): yaml.parse
        # wraps the same calls in a generator, a sixth more per event.
        parser = _Loader(text)
        try:
            return _build(iter(parser.get_event, None), path, first_line - 1, text)
        finally:
            parser.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        raise SiteErrors(
            [_error(path, first_line - 1, mark, codes.YAML_SYNTAX, f"YAML syntax: {message}")]
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: no mark, a position
        raise SiteErrors([_reader_error(text, path, first_line, exc)]) from None
    except UnicodeEncodeError as exc:  # a lone surrogate: not from a file, which is decoded strictly
        diagnostic = _bad_character(text, path, first_line, exc.start, ord(text[exc.start]))
        raise SiteErrors([diagnostic]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every other error has a mark
        message = " ".join(str(exc).split())
        raise SiteErrors([Diagnostic(Span(path, first_line, 1), codes.YAML_SYNTAX, message)]) from None


def _reader_error(text: str, path: str, first_line: int, exc: yaml.reader.ReaderError) -> Diagnostic:
    # libyaml counts the position in bytes of UTF-8; the pure parser in characters.
    position = exc.position if isinstance(exc.position, int) else 0
    if _Loader is not yaml.SafeLoader:
        position = len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))
    code = exc.character if isinstance(exc.character, int) else ord(exc.character or "\0")
    return _bad_character(text, path, first_line, position, code)


def _bad_character(text: str, path: str, first_line: int, position: int, code: int) -> Diagnostic:
    line = text.count("\n", 0, position) + first_line
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    message = (
        f"the character U+{code:04X} is not allowed in YAML (control characters and other "
        "unprintable ones are not); delete it"
    )
    return Diagnostic(Span(path, line, column), codes.YAML_SYNTAX, message)


def _error(path: str, offset: int, mark: yaml.Mark | None, code: str, message: str) -> Diagnostic:
    span = Span(path, mark.line + 1 + offset, mark.column + 1) if mark else Span(path, offset + 1, 1)
    return Diagnostic(span, code, message)


def _build(
    events: Iterator[yaml.Event], path: str, offset: int, text: str
) -> tuple[Node | None, list[Diagnostic]]:
    """One pass over the events. Written as a single loop on purpose: this is
    the hot path of loading a large site (about 100 events per batch file)."""
    # new_span(Span, (path, line, column)): C-level, where Span(...) runs a Python-level __new__.
    new_span = tuple.__new__
    problems: list[Diagnostic] = []
    stack: list[Map | Seq] = []
    keys: list[Scalar | None] = []  # the pending key of each open mapping
    root: Node | None = None
    documents = 0
    for event in events:
        kind = type(event)
        mark = event.start_mark
        if kind is yaml.ScalarEvent:
            if event.tag not in SCALAR_TAGS:
                raise SiteErrors([_error(path, offset, mark, codes.YAML_UNSUPPORTED, _tag_message(event))])
            at = new_span(Span, (path, mark.line + 1 + offset, mark.column + 1))
            if event.style == '"' and UNPRINTABLE.search(event.value):  # every one, and read on
                problems.extend(_escaped_unprintables(text, mark.index, at, offset))
            node: Node = Scalar(event.value, at, event.style in QUOTED)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.tag is not None:
                raise SiteErrors([_error(path, offset, mark, codes.YAML_UNSUPPORTED, _tag_message(event))])
            if len(stack) >= MAX_DEPTH:
                message = f"nested deeper than {MAX_DEPTH} levels"
                raise SiteErrors([_error(path, offset, mark, codes.YAML_UNSUPPORTED, message)])
            at = new_span(Span, (path, mark.line + 1 + offset, mark.column + 1))
            node = Map(at) if kind is yaml.MappingStartEvent else Seq(at)
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
            keys.pop()
            continue
        elif kind is yaml.AliasEvent:
            message = f"aliases (*{event.anchor}) are not supported: write the value out in full"
            raise SiteErrors([_error(path, offset, mark, codes.YAML_UNSUPPORTED, message)])
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                message = "only one YAML document per file"
                raise SiteErrors([_error(path, offset, mark, codes.YAML_UNSUPPORTED, message)])
            continue
        else:  # stream and document ends
            continue
        # Attach the new node to its parent.
        if not stack:
            root = node
        elif type(parent := stack[-1]) is Seq:
            parent.items.append(node)
        elif (key := keys[-1]) is None:
            if type(node) is not Scalar:
                raise SiteErrors([Diagnostic(node.span, codes.YAML_UNSUPPORTED, "a key must be plain text")])
            keys[-1] = node
        else:
            keys[-1] = None
            if key.text in parent.entries:  # keep the first, so nothing is silently replaced
                first = parent.entries[key.text][0].span
                message = f"duplicate key '{shown(key.text)}' (first given on line {first.line})"
                problems.append(Diagnostic(key.span, codes.DUPLICATE_KEY, message))
            else:
                parent.entries[key.text] = (key, node)
        if type(node) is not Scalar:
            stack.append(node)  # type: ignore[arg-type]
            keys.append(None)
    return root, problems


def _tag_message(event: yaml.NodeEvent) -> str:
    if event.tag in SCALAR_TAGS:  # !!str, on a list or a mapping
        return f"YAML tags ({event.tag}) are not supported on a list or a mapping"
    return f"YAML tags ({event.tag}) are not supported"


def _escaped_unprintables(text: str, start: int, at: Span, offset: int) -> list[Diagnostic]:
    """Each escape in the double-quoted value at text[start] that writes a character refused raw,
    at the backslash that starts it."""
    found = []
    for index, escape, char in _escapes(text, start):
        if UNPRINTABLE.match(char):
            line = text.count("\n", 0, index) + 1 + offset
            column = index - (text.rfind("\n", 0, index) + 1) + 1
            kind = "a control character" if unicodedata.category(char) == "Cc" else "a noncharacter"
            message = (
                f"the escape {escape} stands for U+{ord(char):04X}, {kind}, which is not allowed "
                "in a value, written out or as an escape; delete it"
            )
            found.append(Diagnostic(Span(at.path, line, column), codes.YAML_SYNTAX, message))
    if not found:  # the marks did not lead to the value's quote (they always should): its start
        message = "the value holds a control character, written as an escape; delete it"
        found.append(Diagnostic(at, codes.YAML_SYNTAX, message))
    return found


def _escapes(text: str, start: int) -> Iterator[tuple[int, str, str]]:
    """(where, as written, the character) of each one-character escape of the double-quoted scalar
    at text[start]; the parser has already checked its syntax, so this only finds them again."""
    if text[start : start + 1] != '"':
        return
    i = start + 1
    while i < len(text) and text[i] != '"':
        if text[i] != "\\":
            i += 1
            continue
        letter = text[i + 1 : i + 2]
        size = 2 + HEX_ESCAPES.get(letter, 0)
        written = text[i : i + size]
        if letter in HEX_ESCAPES and HEX.fullmatch(written[2:]):
            yield i, written, chr(min(int(written[2:], 16), 0x10FFFF))
        elif letter in ESCAPES:
            yield i, written, ESCAPES[letter]
        i += size
