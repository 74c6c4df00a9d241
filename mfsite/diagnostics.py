"""Positions in source files and the diagnostics that point at them.

Every value read from a site keeps a `Span`, so that every problem can be told
to the person who wrote the file as `path:line:column: message`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]


class Span(NamedTuple):
    """A position in a source file: path relative to the site, 1-based line and column.

    A named tuple rather than a dataclass: every value read keeps one, so
    making them must be cheap (a 10,000-batch site has about a million).
    """

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    span: Span
    code: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.span}: {self.severity}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.span.path,
            "line": self.span.line,
            "column": self.span.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Diagnostic:
        span = Span(str(data["file"]), int(data["line"]), int(data["column"]))  # type: ignore[call-overload]
        return cls(span, str(data["code"]), str(data["message"]), str(data["severity"]))


class SiteErrors(Exception):
    """Raised when a stage cannot go on; carries every diagnostic found so far."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics

    def __reduce__(self) -> tuple[type, tuple[list[Diagnostic]]]:
        return SiteErrors, (self.diagnostics,)  # crosses from a rendering process whole


def sort_key(d: Diagnostic) -> tuple[Span, str, str]:
    return (d.span, d.code, d.message)


def format_text(diagnostics: list[Diagnostic]) -> str:
    return "\n".join(str(d) for d in sorted(diagnostics, key=sort_key))


def format_json(diagnostics: list[Diagnostic]) -> str:
    items = [d.as_dict() for d in sorted(diagnostics, key=sort_key)]
    errors = sum(1 for d in diagnostics if d.severity == "error")
    return json.dumps(
        {"errors": errors, "warnings": len(diagnostics) - errors, "diagnostics": items},
        indent=2,
        ensure_ascii=False,
    )


def format_github(diagnostics: list[Diagnostic], folder: str = "") -> str:
    """GitHub Actions workflow commands: each diagnostic an annotation on its file's line in the
    pull request. `folder`: the site's, from the repository's root ("" where it is the root)."""
    lines = []
    for d in sorted(diagnostics, key=sort_key):
        path = f"{folder.rstrip('/')}/{d.span.path}" if folder else d.span.path
        where = f"file={_property(path)},line={d.span.line},col={d.span.column},title={d.code}"
        lines.append(f"::{d.severity} {where}::{_data(d.message)}")
    return "\n".join(lines)


def _data(text: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts) or "no problems"
