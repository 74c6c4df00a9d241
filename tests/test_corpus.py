"""The corpus of broken inputs: every case runs `mfsite check` through the real CLI.

Each file in tests/corpus/ is one case: sections `=== path` lay a file over the
mini site of conftest.py (`=== remove path` deletes one), and the `=== expect`
section holds the exact lines `mfsite check` must print, or `ok`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import mfsite, write_site

CORPUS = Path(__file__).parent / "corpus"


def parse_case(path: Path) -> tuple[dict[str, str | None], list[str]]:
    files: dict[str, str | None] = {}
    expect: list[str] = []
    current: str | None = None
    lines: list[str] = []

    def close() -> None:
        if current is None:
            return
        if current == "expect":
            expect.extend(line for line in lines if line.strip())
        else:
            files[current] = "\n".join(lines).rstrip("\n") + "\n"

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("=== "):
            close()
            name = line[4:].strip()
            if name.startswith("remove "):
                files[name[7:]] = None
                current = None
            else:
                current = name
            lines = []
        elif current is not None:
            lines.append(line)
    close()
    return files, expect


CASES = sorted(CORPUS.glob("*.txt"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case: Path, tmp_path: Path) -> None:
    files, expect = parse_case(case)
    site = write_site(tmp_path, files)
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
