"""Property-based tests: whatever a person (or an attacker) writes, mfsite answers with a site
or with positioned errors, never a traceback; text comes out escaped in HTML, JSON, XML and
SVG; and no id writes outside the output folder.

The examples run in-process (no subprocess per example), a few through the real CLI. The
default profile keeps the suite fast (CI); run longer locally to hunt for bugs:

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py     # ~100x the examples

A failing example is printed in full; hypothesis's database (.hypothesis/, used by the long
profile only) replays it first on the next run.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import MINI_SITE, mfsite, write_site
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mfsite.diagnostics import Diagnostic
from mfsite.engine import check_site
from mfsite.load.sources import UNPRINTABLE, load_sources
from mfsite.load.yamltree import YAML_11_BREAKS, Map, Node, Seq, read_yaml
from mfsite.plan import plan_site
from mfsite.render import Renderer, make_environment
from mfsite.validate import _MAY_TROUBLE_WINDOWS, validate
from mfsite.validate.fields import windows_problem

# Health checks judge how fast examples are made, not what the code does; hypothesis
# versions differ in how much filtering they tolerate (CI installs the newest).
SLOW_OR_FILTERED = [HealthCheck.too_slow, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=40, deadline=None, database=None, suppress_health_check=SLOW_OR_FILTERED
)
settings.register_profile("long", max_examples=4000, deadline=None, suppress_health_check=SLOW_OR_FILTERED)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DIAGNOSTIC_LINE = re.compile(r".+:\d+:\d+: (error|warning): .+ \[MF\d{3}\]")


def batch_data() -> dict[str, object]:
    return yaml.safe_load(textwrap.dedent(MINI_SITE["batches/tee-1.yaml"]).replace("no\n", "'no'\n"))


def dump(data: object) -> str:
    """YAML for any Python value, quoting and escaping as YAML needs, one line per scalar."""
    text = yaml.safe_dump(data, allow_unicode=True, width=float("inf"), sort_keys=False)
    if YAML_11_BREAKS.search(text):  # refused raw (they break lines in YAML 1.1): escape them
        text = yaml.safe_dump(data, allow_unicode=False, width=float("inf"), sort_keys=False)
    return text


# Strategies ------------------------------------------------------------------

# Text people and attackers type: YAML's own punctuation, markup, words the validator knows.
FRAGMENTS = [
    *":-[]{}#&*!|>'\"%@`,?~\\\t\n ",
    "---",
    "...",
    "- ",
    ": ",
    "&a ",
    "*a",
    "!!str ",
    "!!python/object ",
    "<<: ",
    "? ",
    "no",
    "NO",
    "yes",
    "null",
    "~",
    "012",
    "1:20",
    "1e3",
    ".5",
    "-0",
    "100",
    "2026-11-20",
    "2026-02-30",
    "atelier",
    "cotton",
    "drop",
    "pass",
    "30",
    "low",
    "https://a.example/",
    "javascript:alert(1)",
    "<script>",
    "</title>",
    '"><img src=x onerror=alert(1)>',
    "&amp;",
    "]]>",
    "-->",
    "{{ x }}",
    "\u202e",
    "é",
    "e\u0301",
    "\ufeff",
    "\u2028",
    "😀",
]
text_pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8))
yamlish = st.lists(text_pieces, max_size=30).map("".join)

scalars = st.one_of(
    st.sampled_from([f for f in FRAGMENTS if f.strip()]),
    st.text(max_size=20),
    st.integers(-(10**30), 10**30).map(str),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)

BATCH_PATHS = [
    ("product",),
    ("produced",),
    ("partner",),
    ("origin",),
    ("origin", "place"),
    ("origin", "country"),
    ("origin", "coordinates"),
    ("materials",),
    ("materials", 0),
    ("materials", 0, "percent"),
    ("materials", 0, "material"),
    ("care",),
    ("care", "wash"),
    ("care", "bleach"),
    ("care", "notes"),
    ("care", "professional"),
    ("quantity",),
    ("gtin",),
    ("run",),
    ("brands",),
    ("journey",),
    ("qc",),
    ("story",),
    ("notes",),
    ("id",),
    ("unknown",),
]


def set_path(data: object, path: tuple[object, ...], value: object) -> None:
    for key in path[:-1]:
        nxt = (
            data[key]
            if isinstance(data, (dict, list)) and (key in data if isinstance(data, dict) else key < len(data))
            else None
        )  # type: ignore[index,operator]
        if not isinstance(nxt, (dict, list)):
            return
        data = nxt
    last = path[-1]
    if isinstance(data, dict) or (isinstance(data, list) and isinstance(last, int) and last < len(data)):
        data[last] = value  # type: ignore[index]


@st.composite
def mutated_batches(draw: st.DrawFn) -> str:
    """A valid batch with some fields given arbitrary values, or its text mangled."""
    data = batch_data()
    for path in draw(st.lists(st.sampled_from(BATCH_PATHS), max_size=4)):
        set_path(data, path, draw(values))
    text = dump(data)
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(yamlish) + text[at:]
    return text


@st.composite
def front_matter(draw: st.DrawFn, keys: list[str]) -> str:
    data = {key: draw(values) for key in draw(st.lists(st.sampled_from(keys), max_size=4))}
    body = draw(st.sampled_from(["", "Text.\n", "<script>x</script>\n", "[a](javascript:x)\n"]))
    head = dump(data) if data else ""
    if draw(st.booleans()):
        head = draw(yamlish)
    return f"---\n{head}\n---\n{body}"


# Helpers ---------------------------------------------------------------------


def assert_positioned(found: list[Diagnostic], lines: dict[str, int]) -> None:
    """Every diagnostic names a file and a place in it, on one line."""
    for d in found:
        assert "\n" not in d.message and "\r" not in d.message, d
        assert DIAGNOSTIC_LINE.fullmatch(str(d)), str(d)
        assert d.span.line >= 1 and d.span.column >= 1, d
        if d.span.path in lines:
            assert d.span.line <= lines[d.span.path] + 1, (d, lines[d.span.path])


def line_count(text: str) -> int:
    return len(re.split("\r\n|\r|\n", text))


def walk(node: Node | None) -> list[Node]:
    if node is None:
        return []
    found = [node]
    if isinstance(node, Seq):
        for item in node.items:
            found += walk(item)
    elif isinstance(node, Map):
        for key, value in node.entries.values():
            found += [key, *walk(value)]
    return found


def check_files(files: dict[str, str | bytes]) -> tuple[list[Diagnostic], object]:
    """Lay the files over the mini site and load and validate it in-process."""
    with tempfile.TemporaryDirectory() as folder:
        site = write_site(Path(folder), {k: v for k, v in files.items() if isinstance(v, str)})
        for rel, data in files.items():
            if isinstance(data, bytes):
                (site / rel).write_bytes(data)
        sources, problems = load_sources(site)
        result, more = validate(sources, None, True)
        if any(d.severity == "error" for d in problems):
            result = None  # as check_site: a file that could not be read is missing from the model
        lines = {}
        for rel in files:
            with contextlib.suppress(OSError):
                lines[rel] = (site / rel).read_bytes().count(b"\n") + 1
        assert_positioned(problems + more, lines)
        if result is not None:  # a valid site also plans and renders
            renderer = Renderer(result, make_environment(site / "templates"))
            for out in plan_site(result):
                if out.kind not in ("static", "card"):  # (files copied, and pictures: not text)
                    renderer.render(out)
        return problems + more, result


# The YAML reader -------------------------------------------------------------


@given(yamlish)
def test_read_yaml_gives_a_tree_or_positioned_errors(text: str) -> None:
    from mfsite.diagnostics import SiteErrors

    try:
        tree, problems = read_yaml(text, "f.yaml", 2)
    except SiteErrors as exc:
        problems, tree = exc.diagnostics, None
        assert problems
    assert_positioned(problems, {"f.yaml": line_count(text) + 1})
    for node in walk(tree):
        assert node.span.path == "f.yaml" and node.span.line >= 2 and node.span.column >= 1


@given(st.text())
def test_read_yaml_survives_any_text(text: str) -> None:
    from mfsite.diagnostics import SiteErrors

    try:
        read_yaml(text, "f.yaml")
    except SiteErrors as exc:
        assert_positioned(exc.diagnostics, {"f.yaml": line_count(text)})


# Whole sites, in-process -----------------------------------------------------


@given(mutated_batches())
def test_any_batch_gives_a_site_or_positioned_errors(text: str) -> None:
    found, site = check_files({"batches/tee-1.yaml": text})
    assert (site is None) == any(d.severity == "error" for d in found)


@given(
    partner=front_matter(["name", "place", "country", "coordinates", "website", "kind", "x"]),
    material=front_matter(
        ["name", "fibre", "origin_country", "supplier", "recycled_percent", "certifications"]
    ),
    story=front_matter(["title", "date", "image", "summary"]),
    page=front_matter(["title", "order"]),
)
def test_any_front_matter_gives_a_site_or_positioned_errors(
    partner: str, material: str, story: str, page: str
) -> None:
    check_files(
        {
            "content/partners/atelier.md": partner,
            "content/materials/cotton.md": material,
            "content/stories/drop.md": story,
            "content/pages/about.md": page,
        }
    )


@given(
    st.binary(max_size=300), st.sampled_from(["batches/tee-1.yaml", "content/pages/about.md", "site.yaml"])
)
def test_any_bytes_give_positioned_errors(data: bytes, where: str) -> None:
    check_files({where: data})


@settings(max_examples=5)
@given(mutated_batches())
def test_the_cli_never_shows_a_traceback(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = write_site(Path(folder), {"batches/tee-1.yaml": text})
        for command in ("check", "build"):
            run = mfsite(command, "--source", site)  # asserts there is no traceback
            assert run.code in (0, 1), run.err
            for line in (run.out if command == "check" else run.err).splitlines():
                if ": error: " in line or ": warning: " in line:
                    assert DIAGNOSTIC_LINE.fullmatch(line), line


# Ids -------------------------------------------------------------------------

id_text = st.one_of(
    st.text(max_size=70), st.sampled_from(["..", ".", "../x", "/etc/x", "C:x", "a/../../b", "CON"])
)


# Any name a file can have (no slash, no NUL, not hidden, at most 255 bytes).
stems = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), min_size=1, max_size=40),
    st.sampled_from(["CON", "nul.txt", "a..b", "-x", "x.", "e\u0301", "\u00e9", "A" * 65, "1"]),
).map(lambda t: "x" + t if t.startswith(".") else t)


@given(batch_id=id_text, stem=stems)
def test_any_id_is_refused_or_lands_inside_the_output(batch_id: str, stem: str) -> None:
    batch = batch_data()
    batch = {"id": batch_id, **batch}
    partner = "---\nname: P\n---\n"
    _, site = check_files({"batches/tee-1.yaml": dump(batch), f"content/partners/{stem}.md": partner})
    if site is None:
        return
    output = Path("/srv/output")
    for out in plan_site(site):
        path = Path(os.path.normpath(output / out.path))
        assert path.is_relative_to(output), out.path
        assert not Path(out.path).is_absolute() and ".." not in Path(out.path).parts, out.path


# Names Windows refuses, put together from parts: devices in any case, a trailing dot or space,
# unprintable, forbidden and non-ASCII characters (some upper-case to ASCII letters), plain ones.
WINDOWS_PARTS = [
    "con",
    "CoM1",
    "lPt9",
    "nul",
    "Aux",
    "prn",
    "conin$",
    "x",
    "tee-1",
    "a.b",
    ".",
    " ",
    ":",
    "*",
]
path_names = st.lists(
    st.sampled_from([*WINDOWS_PARTS, "\n", "\u00b9", "\u0131", "\u212a", "\u00e9"]), min_size=1, max_size=4
).map("".join)


@given(st.sampled_from(["batches", "static", "content"]), st.lists(path_names, min_size=1, max_size=3))
@example("batches", ["tee..yaml"])
@example("batches", ["a.", "tee.yaml"])
@example("static", ["x."])
@example("batches", ["Com9.yaml"])
@example("content", ["lpt1", "x.md"])
def test_every_path_with_a_name_windows_refuses_is_checked(top: str, names: list[str]) -> None:
    """check_windows_names looks only at paths its quick search finds: it must find every one
    where the full check of each name (with a file's stem for its last) finds a problem."""
    parts = [top, *names]
    path = "/".join(parts)
    found = [
        windows_problem(name.rsplit(".", 1)[0] if i == len(parts) - 1 and top != "static" else name)
        for i, name in enumerate(parts[1:], 1)
    ]
    if any(found):
        assert _MAY_TROUBLE_WINDOWS.search(path), (path, found)


# Escaping --------------------------------------------------------------------

# Every field whose text reaches a page, an attribute, JSON or XML as written.
TEXT_FIELDS = {
    "product": ("batches/tee-1.yaml", ("product",)),
    "place": ("batches/tee-1.yaml", ("origin", "place")),
    "component": ("batches/tee-1.yaml", ("materials", 0, "component")),
    "care_note": ("batches/tee-1.yaml", ("care", "notes")),
    "step": ("batches/tee-1.yaml", ("journey", 0, "step")),
    "step_place": ("batches/tee-1.yaml", ("journey", 0, "place")),
    "check": ("batches/tee-1.yaml", ("qc", 0, "check")),
    "partner_name": ("content/partners/atelier.md", ("name",)),
    "partner_place": ("content/partners/atelier.md", ("place",)),
    "partner_kind": ("content/partners/atelier.md", ("kind",)),
    "material_name": ("content/materials/cotton.md", ("name",)),
    "fibre": ("content/materials/cotton.md", ("fibre",)),
    "supplier": ("content/materials/cotton.md", ("supplier",)),
    "cert_name": ("content/materials/cotton.md", ("certifications", 0, "name")),
    "cert_id": ("content/materials/cotton.md", ("certifications", 0, "id")),
    "story_title": ("content/stories/drop.md", ("title",)),
    "summary": ("content/stories/drop.md", ("summary",)),
    "page_title": ("content/pages/about.md", ("title",)),
    "site_title": ("site.yaml", ("title",)),
    "shop_name": ("site.yaml", ("shop", "name")),
    "shop_address": ("site.yaml", ("shop", "address")),
}


def token(field: str) -> str:
    """A placeholder no template filter changes (capitalize, upper) and no hostile text holds."""
    return f"7777{sorted(TEXT_FIELDS).index(field):03d}7777"


def site_files(texts: dict[str, str]) -> dict[str, str]:
    """The mini site with every text field set, plus a journey step and a quality check."""
    docs: dict[str, dict[str, object]] = {
        "batches/tee-1.yaml": {
            **batch_data(),
            "journey": [{"step": "s", "place": "p"}],
            "qc": [{"check": "c", "result": "pass"}],
        },
        "content/partners/atelier.md": {"name": "n", "place": "p", "country": "DE", "kind": "k"},
        "content/materials/cotton.md": {
            "name": "n",
            "fibre": "f",
            "supplier": "s",
            "certifications": [{"name": "n", "id": "i", "url": "https://cert.example/"}],
        },
        "content/stories/drop.md": {"title": "t", "date": "2026-11-01", "summary": "s"},
        "content/pages/about.md": {"title": "t"},
        "site.yaml": {
            "title": "t",
            "base_url": "https://mini.example/shop/",
            "shop": {"name": "n", "address": "a"},
        },
    }
    docs["batches/tee-1.yaml"]["materials"][0]["component"] = "c"  # type: ignore[index]
    docs["batches/tee-1.yaml"]["care"]["notes"] = ["n"]  # type: ignore[index]
    for field, (rel, path) in TEXT_FIELDS.items():
        value: object = [texts[field]] if field == "care_note" else texts[field]
        set_path(docs[rel], path, value)
    files = {}
    for rel, data in docs.items():
        text = dump(data)
        files[rel] = f"---\n{text}---\nBody.\n" if rel.endswith(".md") else text
    return files


class Events(HTMLParser):
    """A page as a list of what the browser sees: elements with their attributes, and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[object, ...]] = []
        self.raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, tuple(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("empty", tag, tuple(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", self.events[-1][1] + data)  # type: ignore[operator]
        else:
            self.events.append(("text", data))

    def handle_comment(self, data: str) -> None:
        self.events.append(("comment", data))


def html_events(data: bytes) -> list[tuple[object, ...]]:
    """The page's events; JSON-LD parsed; a drawing whose layout follows the text's length (the
    journey map wraps long names) reduced to which elements and attributes it has."""
    parser = Events()
    parser.feed(data.decode("utf-8"))
    parser.close()
    events: list[tuple[object, ...]] = []
    inside_json = False
    drawing: set[tuple[object, ...]] | None = None
    depth = 0
    for event in parser.events:
        if drawing is not None:
            if event[0] in ("start", "empty"):
                depth += event[0] == "start"
                drawing.add((event[1], tuple(sorted(name for name, _ in event[2]))))  # type: ignore[union-attr]
            elif event[0] == "end":
                depth -= 1
                if depth == 0:
                    events.append(("drawing", tuple(sorted(drawing, key=str))))
                    drawing = None
            continue
        if event[0] == "start" and event[1] == "svg" and "journey-map" in str(dict(event[2]).get("class")):  # type: ignore[arg-type]
            drawing, depth = set(), 1
            continue
        if event[0] == "start" and event[1] == "script":
            inside_json = dict(event[2]).get("type") == "application/ld+json"  # type: ignore[arg-type]
        if event[0] == "text" and inside_json:
            event = ("json", json.loads(event[1]))  # type: ignore[arg-type]
        if event[0] == "end" and event[1] == "script":
            inside_json = False
        events.append(event)
    return events


def xml_tree(data: bytes) -> object:
    def convert(element: ET.Element) -> object:
        return (
            element.tag,
            sorted(element.attrib.items()),
            element.text,
            [convert(c) for c in element],
            element.tail,
        )

    return convert(ET.fromstring(data))


def parse_output(path: str, data: bytes) -> object:
    if path.endswith(".html"):
        return html_events(data)
    if path.endswith(".json"):
        return json.loads(data)
    if path.endswith((".xml", ".svg")):
        return xml_tree(data)
    return data.decode("utf-8")


def substitute(value: object, swap: Callable[[str], str]) -> object:
    if isinstance(value, str):
        return swap(value)
    if isinstance(value, (list, tuple)):
        return type(value)(substitute(v, swap) for v in value)
    if isinstance(value, dict):
        return {swap(k): substitute(v, swap) for k, v in value.items()}
    return value


_ENV = make_environment(None)  # compiled once: templates are the theme's own here


def render_site(files: dict[str, str], symbols: dict) -> dict[str, object] | None:
    with tempfile.TemporaryDirectory() as folder:
        site_dir = write_site(Path(folder), files)
        checked = check_site(site_dir)
        if checked.site is None:
            return None
        renderer = Renderer(checked.site, _ENV, symbols)
        return {
            out.path: parse_output(out.path, renderer.render(out))
            for out in plan_site(checked.site)
            if out.kind not in ("qr-png", "static", "card")  # (pictures: no markup to escape)
        }


_BASELINE: dict[str, object] = {}
_SYMBOLS: dict = {}


def baseline() -> dict[str, object]:
    if not _BASELINE:
        rendered = render_site(site_files({f: token(f) for f in TEXT_FIELDS}), _SYMBOLS)
        assert rendered is not None
        _BASELINE.update(rendered)
    return _BASELINE


printable = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda t: t.strip() and not UNPRINTABLE.search(t)
)
hostile = st.one_of(
    printable, st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map("".join)
).filter(lambda t: t.strip() and not UNPRINTABLE.search(t) and "7777" not in t)


def fold(text: str) -> str:
    """Text as compared: templates may capitalize a kind or a component, and wrap lines."""
    return " ".join(text.casefold().split())


@given(st.fixed_dictionaries({field: hostile for field in TEXT_FIELDS}))
def test_text_in_every_field_comes_out_escaped_everywhere(texts: dict[str, str]) -> None:
    """Rendered with arbitrary text, every output has exactly the elements, attributes, JSON
    keys and XML nodes it has with harmless placeholders, and the text where they were."""
    rendered = render_site(site_files(texts), _SYMBOLS)
    assert rendered is not None, "every text here is valid"
    expected = baseline()
    assert rendered.keys() == expected.keys()
    swaps = {token(f): texts[f] for f in TEXT_FIELDS}
    pattern = re.compile("|".join(map(re.escape, swaps)))

    def swap(text: str) -> str:
        return fold(pattern.sub(lambda m: swaps[m[0]], text))

    for path, want in expected.items():
        assert substitute(rendered[path], fold) == substitute(want, swap), path


@pytest.mark.parametrize("field", sorted(TEXT_FIELDS))
def test_every_text_field_reaches_some_output(field: str) -> None:
    """The escaping property means something only where the text is shown."""
    shown = json.dumps(baseline(), default=str)
    assert token(field) in shown, field


def test_the_hostile_corpus_case_builds_escaped(tmp_path: Path) -> None:
    """tests/corpus/141-hostile-text-ok.txt passes the check (its fibre is no Annex I name: a
    warning); built, nothing in it runs."""
    from htmlcheck import parse
    from test_corpus import CORPUS, lay_out, parse_case

    files, expect = parse_case(CORPUS / "141-hostile-text-ok.txt")
    assert [line.split(": ")[1] for line in expect] == ["warning"]
    site = lay_out(tmp_path, files)
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    output = site / "output"
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > 8
    for path in pages:
        page = parse(path)
        events = html_events(path.read_bytes())  # JSON-LD parses
        assert events
        for tag, attrs in page.tags:
            assert tag not in ("iframe", "object", "embed"), (path, tag)
            if tag == "meta" and "http-equiv" in attrs:  # only the page's own security policy
                assert attrs["http-equiv"] == "Content-Security-Policy", (path, attrs)
            assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
            if tag == "script":
                assert attrs == {"type": "application/ld+json"}, (path, attrs)
        for _tag, _attr, link in page.links:
            scheme = link.strip().lower()
            assert not scheme.startswith(("javascript:", "vbscript:", "data:text", "file:")), link
    for path in output.rglob("*.json"):
        json.loads(path.read_bytes())
    for path in [*output.rglob("*.xml"), *output.rglob("*.svg")]:
        ET.fromstring(path.read_bytes())
    batch = parse(output / "b/tee-1/index.html").plain
    assert "Tee <script>alert(3)</script> & ]]> -->" in batch
    assert "</li><svg onload=alert(4)>" in batch
    feed = ET.fromstring((output / "feed.xml").read_bytes())
    titles = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(t and "Tee <script>alert(3)</script> & ]]> -->" in t for t in titles), titles
