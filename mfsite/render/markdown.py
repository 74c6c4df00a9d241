"""Markdown to HTML, with the raw HTML a file may contain shown as text.

The "js-default" preset escapes inline HTML (`<script>`, `<img onerror>`),
and markdown-it's link validation drops `javascript:`, `vbscript:`, `file:`
and `data:` links, so a story cannot run code in a customer's browser.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})


def render_markdown(text: str | None) -> Markup:
    if not text or not text.strip():
        return Markup("")
    return Markup(_parser().render(text))
