"""The build state: what a build keeps for the next is read back only when it is whole."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from mfsite.diagnostics import Diagnostic, Span
from mfsite.state.record import Record, Report, from_data, pack_stats, to_data

GOOD = Record(
    batches={"a": "sig"},
    paths={"a": "b/a/index.html\0b/a/qr.png"},
    files={"index.html": "sig2"},
    context="ctx",
    sources={"a": "batches/a.yaml digest"},
    versions={"a": 3},
    stats={"b/a/index.html": (1, 2, 3, 10), "b/a/qr.png": (4, 5, 6, 11), "index.html": (7, 8, 9, 12)},
    report=Report("print", "https://x.example/", 1, "M", {3: (29, "15", "0.5")}, [
        Diagnostic(Span("batches/a.yaml", 2, 3), "MF001", "a warning", "warning")
    ]),
)  # fmt: skip


PACKED = pack_stats(GOOD.stats)


def test_a_record_comes_back_as_it_was_saved() -> None:
    assert from_data(to_data(GOOD)) == GOOD
    # Dots that make no `.` or `..` part are names like any other.
    name = ".x/..y/z.."
    dotted = replace(GOOD, files={**GOOD.files, name: "s"}, stats={**GOOD.stats, name: (1, 1, 1, 1)})
    assert from_data(to_data(dotted)) == dotted
    # Statuses at the ends of their 64 bits (an inode number from 2**63 up is kept as negative).
    extreme = replace(GOOD, stats={**GOOD.stats, "index.html": (-(2**63), 2**63 - 1, -1, 2**32 - 1)})
    assert from_data(to_data(extreme)) == extreme
    assert from_data(to_data(Record())) == Record()  # a record of no files at all


@pytest.mark.parametrize(
    "damage",
    [
        {"stats": GOOD.stats},  # not packed
        {"stats": ("\0".join(GOOD.stats), "x")},  # numbers that are no bytes
        {"stats": (PACKED[0], PACKED[1][:-8])},  # not four for every file (no CRC-32 for the last)
        {"stats": (PACKED[0], PACKED[1] + bytes(32))},  # more numbers than files
        {"stats": (PACKED[0] + "\0b/a/qr.png", PACKED[1] + bytes(32))},  # a file twice
        {"stats": pack_stats({**GOOD.stats, "../elsewhere": (1, 1, 1, 1)})},  # a file outside the output
        *(  # or a path publish.inside refuses, wherever it is in the path
            {"stats": pack_stats({**GOOD.stats, path: (1, 1, 1, 1)})}
            for path in ["/abs", "a/", "", ".", "..", "a//b", "a/./b", "a/../b", "a/..", "a\\b"]
        ),
        {"stats": pack_stats({"index.html": (7, 8, 9, 12)})},  # a batch's files without their status
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
