"""The positioned YAML reader: values as written, positions kept, traps refused."""

from __future__ import annotations

import tracemalloc

import pytest

from mfsite.diagnostics import SiteErrors
from mfsite.load.yamltree import MAX_DEPTH, Map, Scalar, Seq, read_yaml


def read(text: str) -> Map:
    tree, problems = read_yaml(text, "x.yaml")
    assert problems == []
    assert isinstance(tree, Map)
    return tree


def value(tree: Map, key: str) -> Scalar:
    node = tree.entries[key][1]
    assert isinstance(node, Scalar)
    return node


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("NO", "NO"),  # Norway, not False
        ("no", "no"),
        ("off", "off"),
        ("yes", "yes"),
        ("012345", "012345"),  # not octal 5349
        ("09506000134352", "09506000134352"),  # keeps its leading zero
        ("1:20", "1:20"),  # not sexagesimal 80
        ("1.10", "1.10"),  # not 1.1
        ("2026-01-09", "2026-01-09"),  # text until the validator says it is a date
        ("'quoted'", "quoted"),
    ],
)
def test_scalars_are_read_as_written(written: str, kept: str) -> None:
    assert value(read(f"v: {written}\n"), "v").text == kept


def test_every_value_knows_its_line_and_column() -> None:
    tree = read("a: 1\nlist:\n  - x\n  - key: deep\n")
    assert str(value(tree, "a").span) == "x.yaml:1:4"
    items = tree.entries["list"][1]
    assert isinstance(items, Seq)
    assert str(items.items[0].span) == "x.yaml:3:5"
    inner = items.items[1]
    assert isinstance(inner, Map)
    assert str(inner.entries["key"][0].span) == "x.yaml:4:5"
    assert str(inner.entries["key"][1].span) == "x.yaml:4:10"


def test_front_matter_positions_are_offset() -> None:
    tree, _ = read_yaml("name: x\n", "p.md", first_line=2)
    assert isinstance(tree, Map)
    assert str(tree.entries["name"][1].span) == "p.md:2:7"


def test_duplicate_keys_are_reported_and_the_first_kept() -> None:
    tree, problems = read_yaml("a: 1\nb: 2\na: 3\n", "x.yaml")
    assert [str(p) for p in problems] == [
        "x.yaml:3:1: error: duplicate key 'a' (first given on line 1) [MF004]"
    ]
    assert isinstance(tree, Map) and value(tree, "a").text == "1"


def errors_of(text: str) -> list[str]:
    with pytest.raises(SiteErrors) as caught:
        read_yaml(text, "x.yaml")
    return [str(d) for d in caught.value.diagnostics]


def test_aliases_are_refused() -> None:
    assert errors_of("a: &x 1\nb: *x\n") == [
        "x.yaml:2:4: error: aliases (*x) are not supported: write the value out in full [MF003]"
    ]


def test_billion_laughs_is_refused_before_it_expands() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    tracemalloc.start()
    try:
        errors = errors_of("\n".join(lines))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "aliases (*a) are not supported" in errors[0]
    # Memory, not time (which depends on the machine): 9**9 expanded strings would take gigabytes.
    assert peak < 10_000_000


def test_self_referencing_alias_is_refused() -> None:
    assert "aliases (*me) are not supported" in errors_of("a: &me [*me]\n")[0]


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 100_000 + "]" * 100_000,  # flow style: newer libyaml stops it at 1000 itself
        "".join(f"{'  ' * i}k{i}:\n" for i in range(MAX_DEPTH + 2)),  # block style: ours
    ],
)
def test_deep_nesting_is_refused_without_recursion_error(text: str) -> None:
    (error,) = errors_of(text)
    assert "nest" in error and error.startswith("x.yaml:")


def test_tags_are_refused_but_str_is_allowed() -> None:
    assert "YAML tags" in errors_of("a: !!python/object:os.system x\n")[0]
    assert value(read("a: !!str 012\n"), "a").text == "012"


def test_one_document_per_file() -> None:
    assert errors_of("a: 1\n---\nb: 2\n") == ["x.yaml:2:1: error: only one YAML document per file [MF003]"]


def test_syntax_errors_are_positioned() -> None:
    (error,) = errors_of("a: [1, 2\nb: 3\n")
    assert error.startswith("x.yaml:2:")
    assert "YAML syntax" in error and error.endswith("[MF002]")


def test_complex_keys_are_refused() -> None:
    assert "a key must be plain text" in errors_of("? [a, b]\n: 1\n")[0]


def test_empty_document() -> None:
    assert read_yaml("", "x.yaml") == (None, [])
    assert read_yaml("# only a comment\n", "x.yaml") == (None, [])
