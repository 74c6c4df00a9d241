"""Markdown nested deeper than the renderer reads: refused with its position.

markdown-it stops at quotes and lists nested more than MAX_NESTING deep and drops the rest of
the text without a word; a page would silently lose it. The renderer's own parser finds where
(render/markdown.py), so what `check` passes is rendered whole.
"""

from __future__ import annotations

from mfsite import codes
from mfsite.diagnostics import Diagnostic, Span
from mfsite.render.markdown import MAX_NESTING, too_deep
from mfsite.validate.fields import Problems

MESSAGE = (
    f"quotes and lists nested more than {MAX_NESTING} deep: a page cannot show the text from "
    "here on; nest them less deeply"
)


def refuse_deep_markdown(text: str, where: Span, problems: Problems, body: bool = True) -> None:
    """`where` is the first line of `text` (body=True), or the value holding it."""
    found = too_deep(text)
    if found is None:
        return
    line, column = found
    span = Span(where.path, where.line + line, column) if body else where
    problems.append(Diagnostic(span, codes.YAML_UNSUPPORTED, MESSAGE))
