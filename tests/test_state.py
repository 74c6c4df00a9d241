"""The build state: what a build keeps for the next is read back only when it is whole."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from mfsite.diagnostics import Diagnostic, Span
from mfsite.state.record import Record, Report, columns, from_data, pack, to_data

GOOD = Record(
    batches={"a": "sig"},
    paths={"a": "b/a/index.html\0b/a/qr.png"},
    batch_stats={"a": pack([(1, 2, 3, 10), (4, 5, 6, 11)])},
    files={"index.html": "sig2"},
    file_stats={"index.html": (7, 8, 9, 12)},
    context="ctx",
    sources={"a": "batches/a.yaml digest"},
    versions={"a": 3},
    report=Report("print", "https://x.example/", 1, "M", {3: (29, "15", "0.5")}, [
        Diagnostic(Span("batches/a.yaml", 2, 3), "MF001", "a warning", "warning")
    ]),
)  # fmt: skip


def test_a_record_comes_back_as_it_was_saved() -> None:
    assert from_data(to_data(GOOD)) == GOOD
    # Dots that make no `.` or `..` part are names like any other.
    name = ".x/..y/z.."
    status = {**GOOD.file_stats, name: (1, 2, 3, 4)}
    dotted = replace(GOOD, files={**GOOD.files, name: "s"}, file_stats=status)
    assert from_data(to_data(dotted)) == dotted
    # Statuses at the ends of their 64 bits (an inode number from 2**63 up is kept as negative).
    extreme = replace(GOOD, file_stats={"index.html": (-(2**63), 2**63 - 1, -1, 2**32 - 1)})
    assert from_data(to_data(extreme)) == extreme
    extreme = replace(GOOD, batch_stats={"a": pack([(-(2**63), 2**63 - 1, -1, 2**32 - 1), (4, 5, 6, 11)])})
    assert from_data(to_data(extreme)) == extreme
    assert from_data(to_data(Record())) == Record()  # a record of no files at all


@pytest.mark.parametrize(
    "damage",
    [
        {"batch_stats": {"a": [(1, 2, 3, 10), (4, 5, 6, 11)]}},  # not packed
        {"batch_stats": {"a": GOOD.batch_stats["a"][:-8]}},  # not four a file (no CRC-32 for the last)
        {"batch_stats": {"a": GOOD.batch_stats["a"] + bytes(32)}},  # more numbers than files
        {"batch_stats": {}},  # a batch's files without their statuses
        {"file_stats": {}},  # another file without its status
        {"file_stats": {"index.html": (7, 8, 9)}},  # a status cut short
        {"file_stats": {"index.html": (7, 8, 9, "12")}},  # a status that is no number
        {  # a file twice: a batch's and a site-wide one
            "files": {**GOOD.files, "b/a/qr.png": "s"},
            "file_stats": {**GOOD.file_stats, "b/a/qr.png": (1, 1, 1, 1)},
        },
        *(  # a file outside the output, or a path publish.inside refuses, wherever it is in the path
            {"files": {**GOOD.files, path: "s"}, "file_stats": {**GOOD.file_stats, path: (1, 1, 1, 1)}}
            for path in ["../up", "/abs", "a/", "", ".", "..", "a//b", "a/./b", "a/../b", "a/..", "a\\b"]
        ),
        {"paths": {"a": "b/a/index.html\0../b/a/qr.png"}},  # a batch's, too
        {"paths": {"a": "b/a/index.html\0\0b/a/qr.png"}},  # a batch's file with an empty path
        {"versions": {"a": "3"}},  # a version that is no number
        {"versions": {"a": 41}},  # no QR code has it
        {"versions": {}},  # a batch without one
        {"files": {"index.html": 1}},  # a signature that is no text
        {"report": ("print", "", 1, "M")},  # a report cut short
        {"report": None},
    ],
)
def test_a_damaged_record_is_not_trusted(damage: dict[str, object]) -> None:
    assert from_data({**to_data(GOOD), **damage}) is None


def test_the_check_of_the_output_reads_the_statuses_as_saved() -> None:
    """The forked check reads the saved data without making the record: every file with its
    status, as the record has them, as two columns; none at all of damaged data (a path
    outside the output, statuses of another shape, one missing)."""
    statuses = [("b/a/index.html", (1, 2, 3, 10)), ("b/a/qr.png", (4, 5, 6, 11))]
    statuses.append(("index.html", (7, 8, 9, 12)))
    assert list(GOOD.statuses()) == statuses

    def saved(data: dict) -> list[tuple[str, tuple[int, ...]]] | None:
        found = columns(data.get("paths"), data.get("batch_stats"), data.get("file_stats"))
        if found is None:
            return None
        names, numbers = found
        return [(name, tuple(numbers[4 * at : 4 * at + 4])) for at, name in enumerate(names)]

    assert saved(to_data(GOOD)) == statuses
    assert saved({**to_data(GOOD), "paths": {"a": "b/a/index.html\0../x"}}) is None
    assert saved({**to_data(GOOD), "batch_stats": {"a": b"x"}}) is None
    assert saved({**to_data(GOOD), "batch_stats": {}}) is None
    assert saved({**to_data(GOOD), "file_stats": {"index.html": (1,)}}) is None
    assert saved({**to_data(GOOD), "file_stats": {"index.html": (1, 2, 3, "4")}}) is None
    assert saved({}) is None
    assert saved(to_data(Record())) == []


def test_a_record_of_another_folder_is_not_used(tmp_path: Path) -> None:
    from mfsite.state import BuildState

    site, one, other = tmp_path / "site", tmp_path / "one", tmp_path / "other"
    site.mkdir()
    BuildState(site, one).save_record(GOOD)
    assert BuildState(site, one).record == GOOD
    assert BuildState(site, other).record.empty


def test_the_stamp_names_each_library_as_importlib_metadata_does(tmp_path: Path) -> None:
    """The versions in every state file's stamp are read from the names of the libraries'
    dist-info folders; they are the versions importlib.metadata reads from their metadata, and
    mfsite's own is the installed one. A folder named another way is asked of importlib.metadata."""
    import importlib.metadata
    import sys

    import mfsite

    found = mfsite.installed_versions(mfsite.OUTPUT_LIBRARIES)
    assert found == {name: importlib.metadata.version(name) for name in mfsite.OUTPUT_LIBRARIES}
    assert mfsite.__version__ == importlib.metadata.version("mfsite")
    # An older installer's folder name (unnormalised), first on the path, wins as it would.
    (tmp_path / "Markdown_It.Py-0.0.1.dist-info").mkdir()
    sys.path.insert(0, str(tmp_path))
    try:
        assert mfsite.installed_versions(["markdown-it-py", "no-such-library"]) == {
            "markdown-it-py": "0.0.1",
            "no-such-library": "unknown",
        }
    finally:
        sys.path.remove(str(tmp_path))
