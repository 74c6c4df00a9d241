"""A strict YAML reader that keeps every value as written, with its position.

PyYAML's loaders guess types (YAML 1.1: `NO` becomes False, `012345` an octal
number, an unquoted GTIN loses its leading zero) and forget positions. We read
libyaml's event stream instead (the C parser, fast and iterative, so deep
nesting cannot blow the Python stack) and build a small tree of our own:
every scalar stays the text the person typed, and every node knows its
`file:line:column`. Types are decided later, by the validator, per field.

Refused here, with a positioned error: aliases (shared references are how a
300-byte file explodes into gigabytes), explicit tags, several documents in
one file, duplicate keys and nesting deeper than any real batch needs.
"""

from __future__ import annotations

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
# `!!str` only says "this is text", which is what we do anyway.
ALLOWED_TAGS = frozenset({None, "!", "tag:yaml.org,2002:str"})


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


def kind_name(node: Node) -> str:
    return KIND_NAMES[type(node)]


def read_yaml(text: str, path: str, first_line: int = 1) -> tuple[Node | None, list[Diagnostic]]:
    """Parse one YAML document: its tree (None for an empty file) and the problems
    that did not stop the reading (duplicate keys). Raises SiteErrors when the
    text cannot be read as a tree at all."""
    builder = _TreeBuilder(path, first_line)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})"
        raise SiteErrors([builder.error(mark, codes.YAML_SYNTAX, f"YAML syntax: {message}")]) from None
    except yaml.YAMLError as exc:  # a reader error without a mark (e.g. control characters)
        raise SiteErrors([Diagnostic(Span(path, first_line, 1), codes.YAML_SYNTAX, str(exc))]) from None
    return builder.root, builder.problems


class _TreeBuilder:
    def __init__(self, path: str, first_line: int) -> None:
        self.path = path
        self.first_line = first_line
        self.stack: list[Map | Seq] = []
        self.pending_keys: list[Scalar | None] = []
        self.documents = 0
        self.root: Node | None = None
        self.problems: list[Diagnostic] = []

    def span(self, mark: yaml.Mark | None) -> Span:
        if mark is None:
            return Span(self.path, self.first_line, 1)
        return Span(self.path, mark.line + self.first_line, mark.column + 1)

    def error(self, mark: yaml.Mark | None, code: str, message: str) -> Diagnostic:
        return Diagnostic(self.span(mark), code, message)

    def fail(self, event: yaml.Event, code: str, message: str) -> None:
        raise SiteErrors([self.error(event.start_mark, code, message)])

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.fail(event, codes.YAML_UNSUPPORTED, "only one YAML document per file")
        elif isinstance(event, yaml.AliasEvent):
            self.fail(
                event,
                codes.YAML_UNSUPPORTED,
                f"aliases (*{event.anchor}) are not supported: write the value out in full",
            )
        elif isinstance(event, yaml.ScalarEvent):
            self.check_tag(event)
            quoted = event.style in ("'", '"', "|", ">")
            self.add(Scalar(event.value, self.span(event.start_mark), quoted))
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self.check_tag(event)
            if len(self.stack) >= MAX_DEPTH:
                self.fail(event, codes.YAML_UNSUPPORTED, f"nested deeper than {MAX_DEPTH} levels")
            span = self.span(event.start_mark)
            node: Map | Seq = Map(span) if isinstance(event, yaml.MappingStartEvent) else Seq(span)
            self.add(node)
            self.stack.append(node)
            self.pending_keys.append(None)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self.stack.pop()
            self.pending_keys.pop()

    def check_tag(self, event: yaml.NodeEvent) -> None:
        if event.tag not in ALLOWED_TAGS:
            self.fail(event, codes.YAML_UNSUPPORTED, f"YAML tags ({event.tag}) are not supported")

    def add(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        if isinstance(parent, Seq):
            parent.items.append(node)
            return
        key = self.pending_keys[-1]
        if key is None:
            if not isinstance(node, Scalar):
                raise SiteErrors([Diagnostic(node.span, codes.YAML_UNSUPPORTED, "a key must be plain text")])
            self.pending_keys[-1] = node
            return
        self.pending_keys[-1] = None
        if key.text in parent.entries:  # keep the first, so nothing is silently replaced
            first = parent.entries[key.text][0].span
            message = f"duplicate key '{key.text}' (first given on line {first.line})"
            self.problems.append(Diagnostic(key.span, codes.DUPLICATE_KEY, message))
            return
        parent.entries[key.text] = (key, node)
