"""The numpy mask choice gives exactly what the qrcode package gives: qrcode is the oracle."""

from __future__ import annotations

import random
import string
import time

import numpy as np
import pytest
import qrcode
import qrcode.exceptions
import qrcode.main
import qrcode.util

from mfsite.render import qrmask
from mfsite.render.qr import LEVELS, SEGMENT_THRESHOLDS, make_symbol

VERSIONS = range(1, 41)


def payload(version: int, error_correction: int, seed: int) -> str:
    """Random byte-mode text filling about half of a symbol of this version."""
    capacity = qrcode.util.BIT_LIMIT_TABLE[error_correction][version] // 8
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_lowercase + "/-_.~") for _ in range(max(1, capacity // 2 - 3)))


def fixed_code(version: int, error_correction: int, seed: int) -> qrcode.QRCode:
    code = qrcode.QRCode(version=version, error_correction=error_correction, border=0, mask_pattern=0)
    code.add_data(payload(version, error_correction, seed), optimize=0)
    return code


def drawn(code: qrcode.QRCode, mask: int) -> np.ndarray:
    """qrcode's own final matrix with this mask."""
    code.mask_pattern = mask
    code.make(fit=False)
    return np.array(code.modules, dtype=bool)


def scored(code: qrcode.QRCode, mask: int) -> int:
    """qrcode's own penalty of this mask, on the matrix it scores (`test=True`)."""
    code.makeImpl(True, mask)
    return qrcode.util.lost_point(code.modules)


def qrcode_layout(version: int) -> tuple[np.ndarray, np.ndarray]:
    """(data cells, reserved cells) as qrcode lays them out: its blank symbol leaves data,
    format and version cells empty; `setup_type_info` and `setup_type_number` write the
    last two."""
    code = fixed_code(version, qrcode.constants.ERROR_CORRECT_M, seed=version)
    code.make(fit=False)  # fills precomputed_qr_blanks[version]
    empty = np.array([[m is None for m in row] for row in qrcode.main.precomputed_qr_blanks[version]])
    n = code.modules_count
    code.modules = [[None] * n for _ in range(n)]
    code.setup_type_info(True, 0)
    if version >= 7:
        code.setup_type_number(True)
    reserved = np.array([[m is not None for m in row] for row in code.modules])
    return empty & ~reserved, reserved


@pytest.mark.parametrize("version", VERSIONS)
def test_layout_matches_qrcode(version: int) -> None:
    data, reserved = qrcode_layout(version)
    assert data.shape == (qrmask.size_of(version),) * 2
    assert np.array_equal(qrmask.data_cells(version), data)
    assert np.array_equal(qrmask.reserved_cells(version), reserved)
    assert not (qrmask.function_cells(version) & qrmask.data_cells(version)).any()


@pytest.mark.parametrize("version", VERSIONS)
def test_every_mask_derived_from_mask_0_matches_qrcode(version: int) -> None:
    # Two levels per version, all four across neighbouring versions.
    for level in ("LMQH"[version % 4], "LMQH"[(version + 1) % 4]):
        error_correction = LEVELS[level]
        code = fixed_code(version, error_correction, seed=version * 10 + error_correction)
        m0 = drawn(code, 0)
        assert code.version == version
        for mask in range(8):
            derived = qrmask.apply_mask(m0, version, error_correction, mask)
            assert np.array_equal(derived, drawn(code, mask)), (version, level, mask)
        if version <= 10 or version % 5 == 0:  # pure-Python lost_point is slow on big symbols
            ours = qrmask.penalties(qrmask.candidates(m0, version))
            assert ours == [scored(code, mask) for mask in range(8)], (version, level)


def old_make_symbol(data: str, level: str) -> tuple[qrcode.QRCode, tuple[bytes, ...]]:
    """make_symbol as it was before the numpy mask choice: plain qrcode chooses the mask."""
    best: qrcode.QRCode | None = None
    for threshold in SEGMENT_THRESHOLDS:
        code = qrcode.QRCode(error_correction=LEVELS[level], border=0)
        code.add_data(data, optimize=threshold)
        try:
            code.best_fit()
        except (ValueError, qrcode.exceptions.DataOverflowError):
            continue
        if best is None or code.version < best.version:
            best = code
    assert best is not None
    best.make(fit=False)
    return best, tuple(bytes(bool(m) for m in row) for row in best.get_matrix())


def varied_strings() -> list[tuple[str, str]]:
    rng = random.Random(2026)
    url_chars = string.ascii_letters + string.digits + "-._~/?&=%:"
    cases = []
    for i in range(240):
        level = "LMQH"[i % 4]
        kind = i % 6
        if kind == 0:
            text = f"https://shop.example.test/kiez/batches/b-2026-{rng.randrange(10**5):05d}/"
        elif kind == 1:  # compact upper-case URLs: alphanumeric segments
            text = f"HTTPS://KIEZ-THREADS.EXAMPLE/a-shop-path/B/HD-{rng.randrange(10**4):04d}-A/"
        elif kind == 2:  # GS1 Digital Link: long numeric runs
            text = f"https://mini.example/shop/01/{rng.randrange(10**14):014d}/10/LOT-{i}/"
        elif kind == 3:
            text = "".join(rng.choice(url_chars) for _ in range(rng.randint(1, 60)))
        elif kind == 4:  # long: versions 7 and up
            text = "".join(rng.choice(url_chars) for _ in range(rng.randint(120, 400)))
        else:
            text = "Ünïcödé ✓ " + "".join(rng.choice(url_chars) for _ in range(rng.randint(1, 100)))
        cases.append((text, level))
    return cases


CASES = varied_strings()


def test_cases_reach_large_versions() -> None:
    versions = {make_symbol(text, level).version for text, level in CASES}
    assert min(versions) == 1 and max(versions) >= 15
    assert len([v for v in versions if v >= 7]) >= 8


@pytest.mark.parametrize(("text", "level"), CASES, ids=[f"{i}-{lvl}" for i, (_, lvl) in enumerate(CASES)])
def test_same_mask_and_matrix_as_qrcode(text: str, level: str) -> None:
    code, expected = old_make_symbol(text, level)
    symbol = make_symbol(text, level)
    assert symbol.version == code.version
    assert symbol.modules == expected

    # The same mask, by the same penalties.
    version, error_correction = code.version, code.error_correction
    code.mask_pattern = 0
    m0 = drawn(code, 0)
    theirs = [scored(code, mask) for mask in range(8)]
    ours = qrmask.penalties(qrmask.candidates(m0, version))
    assert ours == theirs
    mask, matrix = qrmask.choose_mask(m0, version, error_correction)
    assert mask == code.best_mask_pattern()
    assert np.array_equal(matrix, np.array([list(row) for row in expected], dtype=bool))


def test_ties_go_to_the_first_mask() -> None:
    equal = np.zeros((8, 21, 21), dtype=bool)
    assert qrmask.penalties(equal) == [qrcode.util.lost_point(equal[0].tolist())] * 8
    assert int(np.argmin(qrmask.penalties(equal))) == 0


def test_cached_arrays_are_read_only() -> None:
    with pytest.raises(ValueError):
        qrmask.data_cells(3)[0, 0] = True
    m0 = np.zeros((29, 29), dtype=bool)
    before = qrmask.flips_from_mask0(3).copy()
    qrmask.apply_mask(m0, 3, LEVELS["M"], 5)[:] = True  # the result is the caller's own
    assert np.array_equal(qrmask.flips_from_mask0(3), before)


def test_timing_report() -> None:
    """Not a check: prints the time per code, old and new (run with -s to see it)."""
    urls = [f"https://shop.example.test/kiez/batches/b-2026-{i:05d}/" for i in range(1, 201)]
    make_symbol(urls[0], "M")  # fill the per-version caches
    start = time.perf_counter()
    for url in urls:
        old_make_symbol(url, "M")
    old = (time.perf_counter() - start) / len(urls)
    start = time.perf_counter()
    for url in urls:
        make_symbol(url, "M")
    new = (time.perf_counter() - start) / len(urls)
    print(f"\nQR per code, {len(urls)} URLs at M: qrcode {old * 1000:.2f} ms, numpy mask {new * 1000:.2f} ms")
