"""Markdown to HTML, with the raw HTML a file may contain shown as text.

The "js-default" preset escapes inline HTML (`<script>`, `<img onerror>`),
and markdown-it's link validation drops `javascript:`, `vbscript:`, `file:`
and `data:` links, so a story cannot run code in a customer's browser.

markdown-it stops reading blocks (quotes, lists) nested deeper than its
`maxNesting` and drops the rest of the text without a word: `too_deep` finds
where, so `check` refuses such text with its position rather than a page
losing it. (Rendering it whole is no way out: each level is a Python call,
and a 1 MiB file of `>` would exhaust the stack.)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:  # imported when first needed: `check` only needs it for deeply nested text
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock

MAX_NESTING = 100  # js-default's own limit, stated so the check and the renderer agree
# Each level of blocks is opened by a character of its own: `>` for a quote, and for a list
# (two levels: the list and its item) one of `-*+` or the `.`/`)` after a number.
QUOTE, LIST_MARKS = ">", "-*+.)"
# And each level moves the text of its lines at least one column to the right, so a block that
# deep starts after MAX_NESTING columns of quote marks, list markers and indentation: a run of
# at least a quarter as many characters (a tab is up to four columns).
DEEP_LINE = re.compile(rf"^[ \t>*+\-0-9.)]{{{MAX_NESTING // 4}}}", re.MULTILINE)


class _TooDeep(Exception):
    """Ends the probe's parse at the first block past the limit (the rest would cost time)."""

    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line, self.column = line, column


def _options(max_nesting: int) -> dict[str, object]:
    return {"html": False, "linkify": False, "typographer": False, "maxNesting": max_nesting}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("js-default", _options(MAX_NESTING))


@lru_cache(maxsize=1)
def _probe_parser() -> MarkdownIt:
    """The renderer's parser, allowed a few levels more (a list opens two at once), with a first
    block rule that stops at the first block starting at MAX_NESTING: exactly where the
    renderer's parser, in the same state up to there, would stop and drop the rest."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("js-default", _options(MAX_NESTING + 4))
    first = md.block.ruler.get_all_rules()[0]
    md.block.ruler.before(first, "mfsite_depth", _stop_when_too_deep)
    return md


def _stop_when_too_deep(state: StateBlock, line: int, end: int, silent: bool) -> bool:
    if state.level >= MAX_NESTING:
        pos = state.bMarks[line] + state.tShift[line]
        raise _TooDeep(line, pos - state.src.rfind("\n", 0, pos))
    return False  # never a block of its own: the other rules read the text as before


def could_be_too_deep(text: str) -> bool:
    """Cheap necessary conditions (no parse): enough characters that open a level, and a line
    that starts with enough of them."""
    marks = text.count(QUOTE) + 2 * sum(text.count(mark) for mark in LIST_MARKS)
    return marks >= MAX_NESTING and DEEP_LINE.search(text) is not None


def too_deep(text: str) -> tuple[int, int] | None:
    """Where blocks in `text` nest deeper than MAX_NESTING, as (line from 0, column from 1) of
    the first block the renderer would drop with all that follows it; None where none is."""
    if not could_be_too_deep(text):
        return None
    # A line's place in quotes and lists follows from the lines before it, never after: the
    # text past the last line deep enough is left out. (Each level of a quote scans every line
    # that follows it, so a deep quote above a long text would cost its depth times its length.)
    last = max(match.start() for match in DEEP_LINE.finditer(text))
    end = text.find("\n", last)
    try:
        _probe_parser().parse(text if end < 0 else text[: end + 1])
    except _TooDeep as deep:
        return deep.line, deep.column
    return None


def render_markdown(text: str | None) -> Markup:
    if not text or not text.strip():
        return Markup("")
    return Markup(_parser().render(text))
