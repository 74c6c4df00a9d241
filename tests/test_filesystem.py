"""The file system: links in the sources, names a disk cannot hold, the output's guards,
files of the user's in the output, limits, and output that does not depend on where
the site lies."""

from __future__ import annotations

import os
import shutil
import textwrap
import time
import unicodedata
from pathlib import Path

import pytest
from conftest import MINI_SITE, copy_example, mfsite, tree_bytes, write_site

from mfsite import codes
from mfsite.engine import Engine, check_site
from mfsite.load import sources as sources_module
from mfsite.load.sources import load_sources, source_stats
from mfsite.publish import MARKER, OutputRefused, Staging, check_output, unknown_files

BATCH = textwrap.dedent(MINI_SITE["batches/tee-1.yaml"])


def diagnostics(site: Path) -> list[str]:
    return sorted(f"{d.span.path} {d.code}" for d in check_site(site).diagnostics if d.severity == "error")


# Links -----------------------------------------------------------------------


def test_links_leaving_the_site_are_refused_and_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\nname: Secret partner\n---\nPIN 1234\n", encoding="utf-8")
    (outside / "b.yaml").write_text(BATCH, encoding="utf-8")
    site = write_site(tmp_path / "site")
    os.symlink(outside / "secret.md", site / "content/partners/secret.md")  # a file
    os.symlink(outside, site / "batches/more")  # a folder
    os.symlink(outside, site / "static")  # a top folder itself
    sources, problems = load_sources(site)
    found = sorted(f"{d.span.path} {d.code}" for d in problems)
    assert found == [
        f"batches/more {codes.SYMLINK}",
        f"content/partners/secret.md {codes.SYMLINK}",
        f"static {codes.SYMLINK}",
    ]
    assert "secret" not in sources.stems["partners"]
    assert [b.path for b in sources.batches] == ["batches/tee-1.yaml"]
    assert sources.static == []
    run = mfsite("build", "--source", site)
    assert run.code == 1
    assert "this link points outside the site folder" in run.err
    assert not (site / "output").exists()


def test_the_build_reads_what_its_first_listing_found(tmp_path: Path) -> None:
    """`mfsite build` lists the folders once, to tell whether anything changed, and reads what
    that listing found: the same files and the same problems as listing them again, and never
    a file that came after it (its status is not in the listing, so the next build sees it)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    site = write_site(tmp_path / "site")
    os.symlink(outside, site / "batches/more")
    listing = source_stats(site)
    (site / "batches/tee-2.yaml").write_text(BATCH, encoding="utf-8")
    sources, problems = load_sources(site, listing=listing)
    assert [b.path for b in sources.batches] == ["batches/tee-1.yaml"]
    assert [f"{d.span.path} {d.code}" for d in problems] == [f"batches/more {codes.SYMLINK}"]
    (site / "batches/tee-2.yaml").unlink()
    again, problems_again = load_sources(site)
    assert [b.path for b in again.batches] == [b.path for b in sources.batches]
    assert again.stems == sources.stems and again.static == sources.static
    assert problems_again == problems


def test_a_linked_content_folder_outside_is_named_once(tmp_path: Path) -> None:
    outside = write_site(tmp_path / "elsewhere")
    site = write_site(tmp_path / "site", {"content/partners/atelier.md": None})
    for rel in ("content/partners/atelier.md", "content/partners/other-brand.md"):
        (site / rel).unlink(missing_ok=True)
    os.rmdir(site / "content/partners")
    os.symlink(outside / "content/partners", site / "content/partners")
    assert f"content/partners {codes.SYMLINK}" in diagnostics(site)


def test_links_inside_the_site_are_followed_once_and_loops_end(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (site / "shared").mkdir()
    (site / "shared/tee-2.yaml").write_text(BATCH, encoding="utf-8")
    os.symlink("../shared", site / "batches/shared")  # a folder inside the site: followed
    os.symlink("tee-1.yaml", site / "batches/tee-3.yaml")  # a file inside: followed
    os.symlink(".", site / "batches/self")  # loops of every kind: named, never followed
    os.symlink("..", site / "batches/up")
    os.symlink("ping.yaml", site / "batches/pong.yaml")
    os.symlink("pong.yaml", site / "batches/ping.yaml")
    sources, problems = load_sources(site)
    assert sorted(b.path for b in sources.batches) == [
        "batches/shared/tee-2.yaml",
        "batches/tee-1.yaml",
        "batches/tee-3.yaml",
    ]
    assert sorted(f"{d.span.path} {d.code}" for d in problems) == [
        f"batches/ping.yaml {codes.SYMLINK}",
        f"batches/pong.yaml {codes.SYMLINK}",
        f"batches/self {codes.SYMLINK}",
        f"batches/up {codes.SYMLINK}",
    ]


def test_a_link_cannot_reach_a_hidden_file_or_a_missing_one(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (site / ".env").write_text("TOKEN=1\n", encoding="utf-8")
    (site / "static").mkdir()
    os.symlink("../.env", site / "static/env.txt")
    os.symlink("nowhere.yaml", site / "batches/gone.yaml")
    os.symlink("/etc/hostname", site / "site.yaml.tmp")  # not a source: ignored
    (site / "site.yaml").rename(site / "settings.yaml")
    os.symlink("settings.yaml", site / "site.yaml")  # inside: followed
    assert diagnostics(site) == [f"batches/gone.yaml {codes.UNREADABLE}", f"static/env.txt {codes.SYMLINK}"]


def test_site_yaml_and_templates_may_not_link_outside(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (site / "site.yaml").rename(tmp_path / "site.yaml")
    os.symlink(tmp_path / "site.yaml", site / "site.yaml")
    (site / "templates").mkdir()
    os.symlink("/etc/hostname", site / "templates/base.html")
    assert diagnostics(site) == [f"site.yaml {codes.SYMLINK}", f"templates/base.html {codes.SYMLINK}"]


# Names -----------------------------------------------------------------------


def test_nfc_and_nfd_names_never_both_become_pages(tmp_path: Path) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    assert nfc != nfd
    site = write_site(tmp_path / "site")
    for name in (nfc, nfd):
        (site / f"content/partners/{name}.md").write_text("---\nname: Café\n---\n", encoding="utf-8")
    checked = check_site(site)
    assert checked.site is None
    found = sorted(d.message for d in checked.diagnostics if d.code == codes.BAD_ID)
    assert len(found) == 2
    assert "U+00E9 (LATIN SMALL LETTER E WITH ACUTE)" in found[0] + found[1]
    assert "U+0301 (COMBINING ACUTE ACCENT)" in found[0] + found[1]


@pytest.mark.parametrize("name", ["CON", "prn", "Aux", "nul", "COM1", "com9", "LPT1", "lpt9", "nul.backup"])
def test_windows_device_names_are_refused_as_ids_and_file_names(tmp_path: Path, name: str) -> None:
    site = write_site(
        tmp_path / "site",
        {f"batches/{name}.yaml": BATCH, "batches/x.yaml": f"id: {name}.v2\n{BATCH}"},
    )
    found = set(diagnostics(site))
    assert found == {f"batches/x.yaml {codes.WINDOWS_NAME}", f"batches/{name}.yaml {codes.WINDOWS_NAME}"}


# The output ------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    ["source", "parent of source", "root", "home", "in batches", "in static", "foreign", "file", "link"],
)
def test_outputs_mfsite_must_not_replace(tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "home/site")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/thesis.txt").write_text("precious", encoding="utf-8")
    (tmp_path / "file").write_text("a file", encoding="utf-8")
    os.symlink(tmp_path / "mine", tmp_path / "link")
    output = {
        "source": site,
        "parent of source": tmp_path / "home",
        "root": Path("/"),
        "home": tmp_path / "home",
        "in batches": site / "batches/out",
        "in static": site / "static/out",
        "foreign": tmp_path / "mine",
        "file": tmp_path / "file",
        "link": tmp_path / "link",
    }[where]
    with pytest.raises(OutputRefused):
        check_output(site, output)


def test_an_empty_folder_or_an_mfsite_output_is_fine(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    (tmp_path / "empty").mkdir()
    check_output(site, tmp_path / "empty")
    check_output(site, tmp_path / "new")
    (tmp_path / "built").mkdir()
    (tmp_path / "built" / MARKER).write_text("", encoding="utf-8")
    (tmp_path / "built" / "index.html").write_text("", encoding="utf-8")
    check_output(site, tmp_path / "built")


def test_files_put_into_the_output_are_never_deleted(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    output = site / "output"
    assert mfsite("build", "--source", site).code == 0
    (output / "CNAME").write_text("shop.example\n", encoding="utf-8")
    (output / "docs").mkdir()
    (output / "docs/notes.txt").write_text("mine", encoding="utf-8")
    (output / "b/tee-1/print.pdf").write_bytes(b"%PDF")
    mine = ("CNAME", "docs/notes.txt", "b/tee-1/print.pdf")
    theirs = {p: b for p, b in tree_bytes(output).items() if p in mine}
    batch = site / "batches/tee-1.yaml"
    batch.write_text(batch.read_text(encoding="utf-8").replace("product: Tee", "product: Shirt"))
    # A rebuild with the build cache publishes in place: it touches only files it wrote.
    assert mfsite("build", "--source", site).code == 0
    assert "Shirt" in (output / "b/tee-1/index.html").read_text(encoding="utf-8")
    assert {p: b for p, b in tree_bytes(output).items() if p in theirs} == theirs
    # Without the cache the output is replaced whole: the files it cannot account for stop it.
    shutil.rmtree(site / ".mfsite-cache")
    batch.write_text(batch.read_text(encoding="utf-8").replace("product: Shirt", "product: Top"))
    before = tree_bytes(output)
    run = mfsite("build", "--source", site)
    assert run.code == 2
    assert "has no record of writing: " in run.err and "CNAME" in run.err and "docs/." in run.err
    assert "--clean" in run.err
    assert tree_bytes(output) == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == []


def test_a_file_of_someone_else_s_where_a_new_page_goes_is_not_overwritten(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    output = site / "output"
    assert mfsite("build", "--source", site).code == 0
    (output / "b/tee-2").mkdir(parents=True)
    (output / "b/tee-2/index.html").write_text("my own page", encoding="utf-8")
    tee = (site / "batches/tee-1.yaml").read_text(encoding="utf-8")
    (site / "batches/tee-2.yaml").write_text(tee.replace("id: tee-1", "id: tee-2"), encoding="utf-8")
    before = tree_bytes(output)
    run = mfsite("build", "--source", site)
    assert run.code == 2
    assert "would overwrite and that mfsite has no record of writing: b/tee-2/index.html" in run.err
    assert tree_bytes(output) == before
    (output / "b/tee-2/index.html").unlink()  # moved away: now the page can go there
    assert mfsite("build", "--source", site).code == 0
    assert (output / "b/tee-2/qr.svg").is_file()


def test_mfsite_s_own_files_may_go_and_be_edited(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    output = site / "output"
    assert mfsite("build", "--source", site).code == 0
    (output / "index.html").write_text("hand-edited", encoding="utf-8")  # ours: rebuilt
    (site / "batches/tee-1.yaml").rename(site / "batches/tee-9.yaml")  # its old pages: dropped
    assert mfsite("build", "--source", site).code == 0, "our own files are not the user's"
    assert not (output / "b/tee-1").exists()
    assert (output / "b/tee-9/index.html").is_file()


def test_clean_replaces_an_output_holding_other_files(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    output = site / "output"
    assert mfsite("build", "--source", site).code == 0
    (output / "CNAME").write_text("shop.example\n", encoding="utf-8")
    checked = check_site(site)
    assert checked.site is not None
    staging = Staging(output)
    staging.write("index.html", b"new")
    with pytest.raises(OutputRefused, match="CNAME"):
        staging.commit()
    staging.commit(clean=True)
    assert sorted(p.name for p in output.iterdir()) == [MARKER, "index.html"]


def test_a_refusal_comes_before_the_work_when_the_plan_is_known(tmp_path: Path) -> None:
    output = tmp_path / "output"
    first = Staging(output)
    first.write("index.html", b"one")
    first.commit()
    (output / "CNAME").write_text("x", encoding="utf-8")
    with pytest.raises(OutputRefused, match="CNAME"):
        Staging(output, planned=["index.html"])
    assert [p.name for p in tmp_path.iterdir()] == ["output"]  # no staging folder was made
    Staging(output, planned=["index.html", "CNAME"]).discard()  # a file this build writes is fine


def test_a_record_of_the_live_output_narrows_what_is_unknown(tmp_path: Path) -> None:
    """Copying an output elsewhere renews every file's change time: mfsite errs on the safe side,
    and a record of what it wrote (`known`: the paths a build plans) settles it."""
    output = tmp_path / "output"
    staging = Staging(output)
    staging.write("b/old/index.html", b"old")
    staging.commit()
    time.sleep(0.05)  # file times tick in steps of a few milliseconds
    os.chmod(output / "b/old/index.html", 0o600)  # a change of status, as a copy makes
    assert unknown_files(output, []) == ["b/old/index.html"]
    assert unknown_files(output, ["b/old/index.html"]) == []
    with pytest.raises(OutputRefused):  # a build that does not plan it would delete it
        Staging(output, planned=["index.html"])
    again = Staging(output, planned=["index.html", "b/old/index.html"])
    again.write("index.html", b"new")
    again.write("b/old/index.html", b"old, made again")
    again.commit()
    assert (output / "b/old/index.html").read_bytes() == b"old, made again"


def test_build_clean_deletes_files_of_others(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    assert mfsite("build", "--source", site).code == 0
    (site / "output/CNAME").write_text("shop.example\n", encoding="utf-8")
    assert mfsite("build", "--source", site, "--clean").code == 0
    assert not (site / "output/CNAME").exists()


# Limits ----------------------------------------------------------------------


def test_the_file_size_limit_is_exact(tmp_path: Path) -> None:
    limit = sources_module.MAX_FILE_BYTES
    site = write_site(tmp_path / "site")
    path = site / "batches/tee-1.yaml"
    with open(path, "ab") as handle:  # a comment up to exactly the limit: still read
        handle.write(b"#" * (limit - len(path.read_bytes())))
    assert len(path.read_bytes()) == limit
    assert diagnostics(site) == []
    with open(path, "ab") as handle:
        handle.write(b"#")
    assert diagnostics(site) == [f"batches/tee-1.yaml {codes.UNREADABLE}"]


def test_too_many_files_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "site")
    for i in range(5):
        (site / f"batches/t{i}.yaml").write_text(BATCH, encoding="utf-8")
    monkeypatch.setattr(sources_module, "MAX_FILES", 4)
    checked = check_site(site)
    assert checked.site is None
    assert [(d.code, d.message) for d in checked.diagnostics] == [
        (codes.TOO_MANY_FILES, "more than 4 source files: is this the right folder?")
    ]
    # A problem met on the way, before the limit, whichever folder is listed first.
    os.symlink("nowhere.yaml", site / "batches/a-broken-link.yaml")
    content = len(list((site / "content").rglob("*.md")))
    monkeypatch.setattr(sources_module, "MAX_FILES", content + 2)
    _, problems = load_sources(site, listing=source_stats(site))
    assert sorted(d.code for d in problems) == sorted([codes.UNREADABLE, codes.TOO_MANY_FILES])
    assert problems == load_sources(site)[1]  # the build's listing first: each said once


# Bytes and places ------------------------------------------------------------


def test_bom_and_crlf_sources_build_the_same_site(tmp_path: Path) -> None:
    plain = write_site(tmp_path / "plain")
    windows = write_site(tmp_path / "windows")
    for path in windows.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".md"):
            text = path.read_text(encoding="utf-8")
            path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    for site in (plain, windows):
        assert mfsite("build", "--source", site, "--output", tmp_path / f"out-{site.name}").code == 0
    assert tree_bytes(tmp_path / "out-plain") == tree_bytes(tmp_path / "out-windows")


def test_output_does_not_depend_on_where_the_site_lies(tmp_path: Path) -> None:
    near = copy_example(tmp_path / "a")
    far = copy_example(tmp_path / "somewhere/much/deeper/with a space/and-ü")
    for site in (near, far):
        run = mfsite("build", "--source", site, "--base-url", "https://shop.example/")
        assert run.code == 0, run.err
    assert tree_bytes(near / "output") == tree_bytes(far / "output")


def test_the_engine_in_process_refuses_what_the_cli_refuses(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    with pytest.raises(OutputRefused):
        Engine(site, site).run()
    assert not (site / ".mfsite-cache").exists()  # refused before anything was read or written


def test_files_linked_from_the_previous_output_stay_mfsite_s(tmp_path: Path) -> None:
    """A build links unchanged files from the live output; deleting the old output then changes
    their status time. They are still mfsite's when a later build drops them."""
    output = tmp_path / "output"
    first = Staging(output)
    first.write("b/old/index.html", b"old")
    first.commit()
    time.sleep(0.05)
    second = Staging(output)
    (second.root / "b/old").mkdir(parents=True)
    os.link(output / "b/old/index.html", second.root / "b/old/index.html")
    second.write("index.html", b"home")
    second.commit()
    time.sleep(0.05)
    assert unknown_files(output, []) == []
    third = Staging(output)
    third.write("index.html", b"home")
    third.commit()
    assert not (output / "b/old").exists()


def locks() -> list[list[str]]:
    """/proc/locks, its lines split: number, ["->" for a waiter,] kind, mode, access, pid, dev:inode…"""
    return [line.split() for line in Path("/proc/locks").read_text().splitlines()]


def test_a_second_build_of_the_same_site_waits_for_the_first(tmp_path: Path) -> None:
    """Builds take a lock on the site's build cache, so two never interleave their files in one
    output. Here this test holds the lock; the build must wait for it, then finish."""
    import fcntl
    import subprocess
    import sys

    if not Path("/proc/locks").is_file():
        pytest.skip("needs Linux's /proc/locks, to see the build wait")
    site = write_site(tmp_path / "site")
    (site / ".mfsite-cache").mkdir()
    fd = os.open(site / ".mfsite-cache", os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        build = subprocess.Popen(
            [sys.executable, "-m", "mfsite", "build", "--source", site],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Not a pause (a slow machine may not have reached the lock by then): Linux lists a
        # process that waits for a lock as "->", on the same file as the lock's holder.
        held = {line[5] for line in locks() if line[1] != "->" and line[4] == str(os.getpid())}
        deadline = time.monotonic() + 60
        while not any(line[1] == "->" and line[6] in held for line in locks()):
            assert build.poll() is None, build.communicate()  # it did not wait
            assert time.monotonic() < deadline, "the build neither waited for the lock nor finished"
            time.sleep(0.01)
        assert not (site / "output/index.html").exists()
    finally:
        os.close(fd)
    _, err = build.communicate(timeout=60)
    assert build.returncode == 0, err
    assert (site / "output/index.html").is_file()
