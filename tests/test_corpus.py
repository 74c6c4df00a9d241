"""The corpus of broken inputs: every case runs `mfsite check` through the real CLI.

Each file in tests/corpus/ is one case: sections `=== path` lay a file over the
mini site of conftest.py (`=== remove path` deletes one), and the `=== expect`
section holds the exact lines `mfsite check` must print, or `ok`.

For what a text file cannot hold, a section header may say how to make the file:

    === path (hex)          the lines are hex digits (white space ignored): the file's exact
                            bytes, for byte-order marks, CRLF line ends, bytes that are not UTF-8
    === path (repeat N)     the lines, written N times one after another: a huge file
    === symlink path -> target      a symbolic link (target as written, relative to the link)

A case's lines starting with `#` before the first section are its description.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import mfsite, write_site

from mfsite import codes

CORPUS = Path(__file__).parent / "corpus"


File = str | bytes | tuple[str, str] | None  # text, exact bytes, ("symlink", target), or removed


def parse_case(path: Path) -> tuple[dict[str, File], list[str]]:
    files: dict[str, File] = {}
    expect: list[str] = []
    current: str | None = None
    how = ""
    lines: list[str] = []

    def close() -> None:
        if current is None:
            return
        if current == "expect":
            expect.extend(line for line in lines if line.strip())
        elif how == "hex":
            files[current] = bytes.fromhex("".join("".join(lines).split()))
        elif how.startswith("repeat "):
            files[current] = ("\n".join(lines) + "\n").encode("utf-8") * int(how.split()[1])
        else:
            files[current] = "\n".join(lines).rstrip("\n") + "\n"

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("=== "):
            close()
            name, how, lines = line[4:].strip(), "", []
            current = None
            if name.startswith("remove "):
                files[name[7:]] = None
            elif name.startswith("symlink "):
                link, target = name[8:].split(" -> ")
                files[link.strip()] = ("symlink", target.strip())
            else:
                match = re.fullmatch(r"(.+?) \((hex|repeat \d+)\)", name)
                current, how = (match[1], match[2]) if match else (name, "")
        elif current is not None:
            lines.append(line)
    close()
    return files, expect


def lay_out(root: Path, files: dict[str, File]) -> Path:
    """The mini site with the case's files laid over it."""
    write_site(root, {rel: f if isinstance(f, str) else None for rel, f in files.items()})
    for rel, f in files.items():
        path = root / rel
        if f is None or isinstance(f, str):
            continue  # written (or left out) by write_site
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() or path.is_symlink():
            path.unlink()
        if isinstance(f, tuple):
            os.symlink(f[1], path)
        else:
            path.write_bytes(f)
    return root


CASES = sorted(CORPUS.glob("*.txt"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case: Path, tmp_path: Path) -> None:
    files, expect = parse_case(case)
    site = lay_out(tmp_path, files)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    run = mfsite("check", "--source", site)
    if expect == ["ok"]:
        assert run.code == 0, run.out
        assert run.out.strip() == ""
    else:
        assert run.code == (1 if any(": error:" in line for line in expect) else 0)
        assert run.out.splitlines() == expect
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before  # check writes nothing and changes nothing


def test_every_code_is_documented_with_an_example_and_a_fix() -> None:
    """docs/errors.md lists every code of mfsite/codes.py: what it means, an example, the fix."""
    docs = (Path(__file__).parent.parent / "docs/errors.md").read_text(encoding="utf-8")
    rows = {}
    for line in docs.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if re.fullmatch(r"MF\d{3}", cells[0]):
            rows[cells[0]] = cells
    defined = {value for name, value in vars(codes).items() if name.isupper()}
    assert set(rows) == defined
    for code, (_, what, example, fix) in rows.items():
        assert what and fix, code
        assert f"[{code}]" not in example and example.startswith("`"), code
        assert re.search(r": (error|warning): ", example), code


def test_json_format_is_as_documented(tmp_path: Path) -> None:
    linen = "---\nname: Linen\n---\n"
    site = lay_out(tmp_path, {"content/materials/linen.md": linen, "batches/x.yaml": "a: 1\n"})
    run = mfsite("check", "--source", site, "--format", "json")
    assert run.code == 1
    report = json.loads(run.out)
    assert set(report) == {"errors", "warnings", "diagnostics"}
    assert report["errors"] + report["warnings"] == len(report["diagnostics"])
    assert report["warnings"] == 1
    for item in report["diagnostics"]:
        assert set(item) == {"file", "line", "column", "severity", "code", "message"}
        assert item["severity"] in ("error", "warning") and re.fullmatch(r"MF\d{3}", item["code"])
    keys = [(d["file"], d["line"], d["column"], d["code"]) for d in report["diagnostics"]]
    assert keys == sorted(keys)
    text = mfsite("check", "--source", site).out.splitlines()
    assert text == [
        f"{d['file']}:{d['line']}:{d['column']}: {d['severity']}: {d['message']} [{d['code']}]"
        for d in report["diagnostics"]
    ]
