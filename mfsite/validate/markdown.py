"""Checks on markdown text that the markdown renderer would accept silently."""

from __future__ import annotations

import re

from mfsite import codes
from mfsite.diagnostics import Diagnostic, Span
from mfsite.validate.fields import Problems

# ![alt](https://...) or ![alt](//...): an image fetched from another site.
EXTERNAL_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^\s)>]+)")
MESSAGE = (
    "the image {url} is on another site: pages make no outside requests (their security "
    "policy blocks it), so put the image in static/ and link it from there"
)


def warn_external_images(text: str, where: Span, problems: Problems, body: bool = True) -> None:
    """`where` is the first line of `text` (body=True), or the value holding it."""
    for match in EXTERNAL_IMAGE.finditer(text):
        span = where
        if body:
            line = where.line + text.count("\n", 0, match.start())
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            span = Span(where.path, line, column)
        problems.append(Diagnostic(span, codes.EXTERNAL_IMAGE, MESSAGE.format(url=match.group(1)), "warning"))
