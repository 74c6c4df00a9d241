"""Sources whose outputs would share a path (issue 19): `check` names each collision, at its
source, naming the other side; `build`, also with `--clean`, stops before writing anything and
leaves the output as it was. Before, check said "no problems" and every build failed half-way
with "File exists".
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import MINI_SITE, mfsite, tree_bytes, write_site

from mfsite.diagnostics import Span
from mfsite.engine import check_site
from mfsite.plan import BATCH_TOPS, plan_batch
from mfsite.validate.paths import Claim, _diagnostic, check_output_paths, claims, collisions

PAGE = "---\ntitle: A page\n---\nText.\n"
SITE_FILES = ["feed.xml", "index.html", "sitemap.xml", "batches.json", "robots.txt", "404.html"]


def page_line(name: str) -> str:
    return (
        f"content/pages/{name}.md:1:1: error: this page would be written to {name.lower()}/index.html, "
        f"but {name.lower()} is a file the site writes itself; rename this page [MF032]"
    )


def built(tmp_path: Path, files: dict[str, str | None] | None = None) -> tuple[Path, dict[str, bytes]]:
    """A site built once (the output to keep), with `files` laid over it afterwards."""
    site = write_site(tmp_path / "site")
    assert mfsite("build", "--source", site).code == 0
    write_site(site, files, base={})
    return site, tree_bytes(site / "output")


def refused(site: Path, before: dict[str, bytes], lines: list[str], *options: str) -> None:
    """check and build say exactly `lines`, exit with 1, and leave the output as it was."""
    check = mfsite("check", "--source", site)
    assert (check.code, check.out.splitlines()) == (1, lines)
    errors = f"{len(lines)} error{'s' if len(lines) > 1 else ''}"
    for clean in ([], ["--clean"]):
        run = mfsite("build", "--source", site, *clean, *options)
        assert run.code == 1
        left = f"mfsite: build failed: {errors}; {site / 'output'} was left as it was"
        assert run.err.splitlines() == [*lines, left]
        assert run.out == ""
        assert tree_bytes(site / "output") == before


@pytest.mark.parametrize("name", SITE_FILES)
def test_a_page_named_after_a_file_of_the_site_is_refused(tmp_path: Path, name: str) -> None:
    site, before = built(tmp_path, {f"content/pages/{name}.md": PAGE})
    refused(site, before, [page_line(name)])


def test_in_any_case(tmp_path: Path) -> None:
    site, before = built(tmp_path, {"content/pages/Feed.XML.md": PAGE})
    refused(site, before, [page_line("Feed.XML").replace("pages/feed.xml.md", "pages/Feed.XML.md")])


def test_a_base_url_given_to_build_only_is_foreseen_by_check(tmp_path: Path) -> None:
    """Without a base URL the site has no feed; `build --base-url` would make one."""
    site, before = built(tmp_path)
    settings = "title: Mini Shop\nqr:\n  formats: []\n"
    write_site(site, {"site.yaml": settings, "content/pages/feed.xml.md": PAGE}, base={})
    refused(site, before, [page_line("feed.xml")], "--base-url", "https://mini.example/shop/")


def test_static_names_that_are_one_on_macos_and_windows(tmp_path: Path) -> None:
    """They build on Linux, and would fail, or lose a file, where case does not count."""
    files = {"static/Logo.svg": "<svg/>", "static/logo.svg": "<svg/>", "static/Fonts": "x"}
    site, before = built(tmp_path, {**files, "static/fonts/a.woff2": "x"})
    case = " (on macOS and Windows, names that differ only in case are the same name)"
    case += "; rename one of them [MF031]"
    lines = [
        "static/fonts/a.woff2:1:1: error: this file would be written to static/fonts/a.woff2, "
        f"but static/Fonts is a file{case}",
        "static/logo.svg:1:1: error: this file would be written to static/logo.svg, "
        f"the same file as static/Logo.svg{case}",
    ]
    refused(site, before, lines)


def test_every_batch_file_lies_below_the_batch_tops(tmp_path: Path) -> None:
    """What lets the check leave the batches' 50,000 files unplanned: each starts with one of
    BATCH_TOPS, whatever the settings (compact codes, GS1 Digital Link)."""
    settings = "title: T\nbase_url: https://x.example/\ngs1_digital_link: true\nqr:\n  compact: true\n"
    gtin = MINI_SITE["batches/tee-1.yaml"] + "gtin: '09506000134352'\n"
    site = write_site(tmp_path, {"site.yaml": settings, "batches/tee-2.yaml": gtin})
    checked = check_site(site)
    assert checked.site is not None, checked.diagnostics
    paths = [out.path for batch in checked.site.batches for out in plan_batch(checked.site.config, batch)]
    assert {path.split("/")[0] for path in paths} == BATCH_TOPS
    problems: list = []
    check_output_paths(checked.site, problems, every_batch=True)  # (B/TEE-1/ is b/tee-1/'s own)
    assert problems == []


def test_batches_are_planned_once_another_output_shares_their_top_folder(tmp_path: Path) -> None:
    checked = check_site(write_site(tmp_path))
    assert checked.site is not None
    site = checked.site
    assert {claim.kind for claim in claims(site)} == {"site", "pages", "partners", "materials", "stories"}
    # A page named b (refused as a reserved name before it gets here) would share b/ with them.
    pages = {**site.pages, "b": replace(site.pages["about"], id="b", span=Span("content/pages/b.md"))}
    assert "batch" in {claim.kind for claim in claims(replace(site, pages=pages))}


def test_a_file_where_a_batch_needs_its_folder() -> None:
    """Told at whichever source comes later, naming the other, whatever the kinds."""
    found = collisions([Claim("b/tee-1", "content/pages/x.md", "pages"), *map(batch_claim, BATCH_FILES)])
    problems = [_diagnostic(claim, other) for claim, other in found]
    assert [str(d) for d in problems] == [
        "content/pages/x.md:1:1: error: this page would be written to the file b/tee-1, but "
        "batches/tee-1.yaml needs a folder there for b/tee-1/index.html; rename this page [MF031]"
    ]
    found = collisions([Claim("B/TEE-1", "static/B/TEE-1", "static"), *map(batch_claim, BATCH_FILES)])
    assert [str(_diagnostic(claim, other)) for claim, other in found] == [
        "static/B/TEE-1:1:1: error: this file would be written to the file B/TEE-1, but batches/tee-1.yaml "
        "needs a folder there for b/tee-1/index.html (on macOS and Windows, names that differ only in case "
        "are the same name); rename one of them [MF031]"
    ]


BATCH_FILES = ["index.html", "label/index.html", "qr.svg"]


def batch_claim(name: str) -> Claim:
    return Claim(f"b/tee-1/{name}", "batches/tee-1.yaml", "batch")
