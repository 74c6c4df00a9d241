"""Markdown nested deeper than the renderer reads (issue 19): markdown-it stops at quotes and
lists nested more than 100 deep and drops the rest of the text without a word. `check` refuses
such text at the first block it would drop; what it passes renders whole."""

from __future__ import annotations

from pathlib import Path

from conftest import mfsite, tree_bytes, write_site
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from mfsite.render.markdown import MAX_NESTING, render_markdown, too_deep

MESSAGE = (
    "error: quotes and lists nested more than 100 deep: a page cannot show the text from here on; "
    "nest them less deeply [MF003]"
)


def test_build_refuses_a_story_nested_too_deep_and_keeps_the_output(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    assert mfsite("build", "--source", site).code == 0
    before = tree_bytes(site / "output")
    story = "---\ntitle: The drop\n---\nA story.\n\n" + ">" * 120 + " and what came of it\n\nThe end.\n"
    (site / "content/stories/drop.md").write_text(story, encoding="utf-8")
    line = f"content/stories/drop.md:6:101: {MESSAGE}"
    check = mfsite("check", "--source", site)
    assert (check.code, check.out.splitlines()) == (1, [line])
    run = mfsite("build", "--source", site)
    assert run.code == 1
    left = f"mfsite: build failed: 1 error; {site / 'output'} was left as it was"
    assert run.err.splitlines() == [line, left]
    assert tree_bytes(site / "output") == before


def test_a_hundred_levels_render_whole() -> None:
    """99 quotes, or 49 lists (two levels each: the list and its item) and their paragraph."""
    quotes = ">" * (MAX_NESTING - 1) + " every word\n"
    assert too_deep(quotes) is None
    assert "every word" in render_markdown(quotes)
    lists = "".join("  " * i + "- level\n" for i in range(48)) + "  " * 48 + "- every word\n"  # 49 lists
    assert too_deep(lists) is None
    assert "every word" in render_markdown(lists)


def test_a_deep_quote_above_a_long_text_is_found_without_reading_the_rest() -> None:
    """Each level of a quote scans every line after it: the probe stops at the deep line."""
    text = ">" * 120 + " deep\n" + "Plain prose, line after line.\n" * 50_000
    assert too_deep(text) == (0, 101)


# Lines of quote marks, list markers and indentation, many levels deep, with what follows them.
MARKS = ["> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "  ", "\t", ">\t", "\t- "]
ENDS = ["text", "", "# heading", "---", "```", "| a | b |", "[x]: /u 'ti", "==="]
lines = st.tuples(
    st.one_of(st.integers(0, 8), st.integers(40, 110)).flatmap(
        lambda n: st.lists(st.sampled_from(MARKS), min_size=n, max_size=n)
    ),
    st.sampled_from(ENDS),
).map(lambda line: "".join(line[0]) + line[1])

RENDERER = MarkdownIt("js-default", {"html": False, "maxNesting": MAX_NESTING})
UNBOUNDED = MarkdownIt("js-default", {"html": False, "maxNesting": 1000})


def tokens(md: MarkdownIt, text: str) -> list[tuple[str, str]]:
    return [(token.type, token.content) for token in md.parse(text)]


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(lines, st.sampled_from(["", "lazy text", "tle'"])), min_size=1, max_size=8))
@example([">" * 100 + " x"])
@example(["  " * 48 + "- x", "  " * 49 + "- y"])
def test_too_deep_is_exactly_where_the_renderer_drops_text(text_lines: list[str]) -> None:
    text = "\n".join(text_lines) + "\n"
    drops = tokens(RENDERER, text) != tokens(UNBOUNDED, text)
    assert (too_deep(text) is not None) == drops
