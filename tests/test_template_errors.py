"""A mistake in a site's templates/ (issue 19) is told as the YAML errors are: the template's
file and line, in one line, in `build`, in `watch` and on `serve`'s error page; the output is
left as it was. Before, watch said "templates/None:57:1", a missing include was "could not
write the site: nope.html (None)" and a template that was not UTF-8 an "internal error"."""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

import pytest
from background import Background, get, wait_for
from conftest import MINI_SITE, mfsite, tree_bytes, write_site

THEME = Path(__file__).resolve().parent.parent / "mfsite/theme/templates"
EXTENDS = "{% extends 'base.html' %}\n{% block main %}\n"
END = "{% endblock %}\n"
JOURNEY = "journey:\n  - step: sewing\n    partner: atelier\n"
WITH_JOURNEY = textwrap.dedent(MINI_SITE["batches/tee-1.yaml"]) + JOURNEY

# name: (files laid over the mini site, what build says)
CASES: dict[str, tuple[dict[str, str | bytes], str]] = {
    "a missing include": (
        {"templates/page.html": EXTENDS + "<p>\n{% include 'nope.html' %}\n" + END},
        "templates/page.html:4:1: error: TemplateNotFound: nope.html (while rendering about/index.html)",
    ),
    "a missing template to extend": (
        {"templates/page.html": "{% extends 'nope.html' %}\n"},
        "templates/page.html:1:1: error: TemplateNotFound: nope.html (while rendering about/index.html)",
    ),
    "an error while rendering": (
        {"templates/page.html": EXTENDS + "<p>\n\n{{ 1/0 }}\n" + END},
        "templates/page.html:5:1: error: ZeroDivisionError: division by zero "
        "(while rendering about/index.html)",
    ),
    "a syntax error on line 57 of an include": (
        {
            "templates/page.html": EXTENDS + "{% include 'part.html' %}\n" + END,
            "templates/part.html": "<p>\n" * 56 + "{% if %}\n",
        },
        "templates/part.html:57:1: error: Expected an expression, got 'end of statement block'",
    ),
    "an error in a macro of an imported template": (
        {
            "templates/page.html": "{% extends 'base.html' %}\n{% import 'm.html' as m %}\n"
            "{% block main %}{{ m.f() }}{% endblock %}\n",
            "templates/m.html": "{% macro f() %}\n<p>\n{{ 1/0 }}\n{% endmacro %}\n",
        },
        "templates/m.html:3:1: error: ZeroDivisionError: division by zero (while rendering about/index.html)",
    ),
    "an include of any name in a sub-folder": (
        {
            "templates/page.html": EXTENDS + "{% include 'parts/note.inc' %}\n" + END,
            "templates/parts/note.inc": "<p>\n{{ nothing.here }}\n",
        },
        "templates/parts/note.inc:2:1: error: UndefinedError: 'nothing' is undefined "
        "(while rendering about/index.html)",
    ),
    "an override of the journey picture": (
        {"batches/tee-1.yaml": WITH_JOURNEY, "templates/journey.svg": "<svg>\n{{ steps.nothing }}\n</svg>\n"},
        "templates/journey.svg:2:1: error: UndefinedError: 'steps' is undefined "
        "(while rendering b/tee-1/index.html)",
    ),
    "a template that is not UTF-8": (
        {"templates/page.html": b"{% extends 'base.html' %}\n{# caf\xe9 #}\n"},
        "templates/page.html:2:7: error: not UTF-8 text (byte 0xe9); save the file as UTF-8",
    ),
    "an override the theme's own template trips on": (
        {"templates/base.html": "{% set item = none %}\n" + (THEME / "base.html").read_text("utf-8")},
        "mfsite/theme/templates/page.html:2:1: error: UndefinedError: 'None' has no attribute 'title' "
        "(while rendering about/index.html)",
    ),
}


def lay(site: Path, files: dict[str, str | bytes]) -> None:
    for rel, data in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_build_names_the_template_and_line(tmp_path: Path, case: str) -> None:
    files, said = CASES[case]
    site = write_site(tmp_path / "site")
    assert mfsite("build", "--source", site).code == 0
    before = tree_bytes(site / "output")
    lay(site, files)
    for clean in ([], ["--clean"]):
        run = mfsite("build", "--source", site, *clean)
        assert (run.code, run.out) == (1, "")
        assert run.err.splitlines() == [f"mfsite: {said}; {site / 'output'} was left as it was"]
        assert tree_bytes(site / "output") == before


def test_watch_names_the_template_and_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    proc = Background("watch", "--source", site)
    try:
        proc.wait_line(lambda line: line.startswith("watching "))
        before = tree_bytes(site / "output")
        watched = ["a missing include", "a syntax error on line 57 of an include", "an error while rendering"]
        for case in watched:
            files, said = CASES[case]
            lay(site, files)
            proc.wait_line(lambda line, said=said: line == f"mfsite: {said}")
            kept = f"build failed; {site / 'output'} keeps the last good build"
            assert proc.wait_line(lambda line: "build failed" in line) == kept
            assert tree_bytes(site / "output") == before
        (site / "templates/page.html").write_text(EXTENDS + "<p>fixed</p>\n" + END, encoding="utf-8")
        proc.wait_line(lambda line: line.startswith("templates/page.html: ") and "files written" in line)
        assert "<p>fixed</p>" in (site / "output/about/index.html").read_text(encoding="utf-8")
    finally:
        assert proc.stop() == 0


def test_serve_shows_the_template_and_line_on_every_page(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    proc = Background("serve", "--source", site, "--port", "0")
    try:
        line = proc.wait_line(lambda text: text.startswith("serving http://"))
        url = re.match(r"serving (\S+)", line)[1]  # type: ignore[index]
        files, said = CASES["a missing include"]
        lay(site, files)
        proc.wait_line(lambda text: "build failed" in text)
        wait_for(lambda: get(url + "about/")[0] == 500)
        for page in ("about/", "b/tee-1/", ""):
            status, body = get(url + page)
            shown = re.search(r"<pre>(.*)</pre>", body, re.S)
            assert status == 500 and shown is not None
            assert html.unescape(shown[1]) == f"mfsite: {said}"
    finally:
        assert proc.stop() == 0
