"""make_symbol gives exactly what the qrcode package gives: qrcode is the oracle.

The mask choice (qrmask.py), the sizing, codewords and error correction (qrdata.py) and the
placement of the bits (qrmask.placement, qrmask.blank_mask0) are each checked against
qrcode's own functions, and whole symbols against qrcode drawing and masking them itself."""

from __future__ import annotations

import random
import re
import string
import subprocess
import sys

import numpy as np
import pytest
import qrcode
import qrcode.exceptions
import qrcode.LUT
import qrcode.main
import qrcode.util
from conftest import REPO
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, MODE_NUMBER, QRData

from mfsite.render import qr, qrdata, qrmask
from mfsite.render.qr import SEGMENT_THRESHOLDS, make_symbol
from mfsite.render.qrdata import LEVELS

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


# Drawing eight masks with qrcode is slow on large symbols: every version to 20, then two
# (the layout of every version is checked above, the placement of its bits below).
@pytest.mark.parametrize("version", [v for v in VERSIONS if v <= 20 or v % 10 == 0])
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
    kinds = 9  # prime to the four levels: every kind comes at every level
    cases = []
    for i in range(kinds * 36):
        level = "LMQH"[i % 4]
        kind = i % kinds
        if kind == 0:
            text = f"https://shop.example.test/kiez/batches/b-2026-{rng.randrange(10**5):05d}/"
        elif kind == 1:  # compact upper-case URLs: alphanumeric segments
            text = f"HTTPS://KIEZ-THREADS.EXAMPLE/a-shop-path/B/HD-{rng.randrange(10**4):04d}-A/"
        elif kind == 2:  # all upper case: one alphanumeric segment
            text = f"HTTPS://SHOP.EXAMPLE.TEST/KIEZ/B/HD-{rng.randrange(10**4):04d}-{rng.choice('ABC')}/"
        elif kind == 3:  # GS1 Digital Link: long numeric runs
            text = f"https://mini.example/shop/01/{rng.randrange(10**14):014d}/10/LOT-{i}/"
        elif kind == 4:  # numeric runs of many lengths, some long
            runs = [str(rng.randrange(10 ** rng.randint(1, 30))) for _ in range(rng.randint(1, 4))]
            text = "https://id.example/" + "/".join(f"{run}/{rng.choice(['AI', 'x'])}" for run in runs)
        elif kind == 5:
            text = "".join(rng.choice(url_chars) for _ in range(rng.randint(1, 60)))
        elif kind == 6:  # any printable text, white space included
            text = "".join(rng.choice(string.printable) for _ in range(rng.randint(1, 80)))
        elif kind == 7:  # long: versions 7 and up, to about 25
            text = "".join(rng.choice(url_chars) for _ in range(rng.randint(120, 520)))
        else:
            text = "Ünïcödé ✓ " + "".join(rng.choice(url_chars) for _ in range(rng.randint(1, 100)))
        cases.append((text, level))
    return cases


CASES = varied_strings()


def test_cases_reach_large_versions() -> None:
    versions = {make_symbol(text, level).version for text, level in CASES}
    assert min(versions) == 1 and 20 <= max(versions) <= 27
    assert len([v for v in versions if v >= 7]) >= 12


@pytest.mark.parametrize(("text", "level"), CASES, ids=[f"{i}-{lvl}" for i, (_, lvl) in enumerate(CASES)])
def test_same_symbol_as_qrcode(text: str, level: str) -> None:
    code, expected = old_make_symbol(text, level)
    symbol = make_symbol(text, level)
    assert symbol.version == code.version
    assert symbol.modules == expected
    version, chunks, error_correction = qr.fit(text, level)  # and both ways of drawing it
    assert tuple(qr.drawn_with_numpy(chunks, version, error_correction)) == expected
    assert tuple(qr.drawn_by_qrcode(chunks, version, error_correction)) == expected


def test_a_few_codes_are_drawn_without_numpy() -> None:
    """numpy is imported only once a process has drawn more codes than FEW_CODES: a rebuild
    that adds a batch or two does not pay its import."""
    script = (
        "import sys\n"
        "from mfsite.render.qr import FEW_CODES, make_symbol\n"
        "for n in range(FEW_CODES):\n"
        "    make_symbol(f'https://shop.example/b/{n}/', 'M')\n"
        "print('numpy' in sys.modules)\n"
        "make_symbol('https://shop.example/b/one-more/', 'M')\n"
        "print('numpy' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "True"]


# Scoring all eight masks the way qrcode does is slow: every seventh case (7 is prime to
# the 9 kinds and the 4 levels, so all of them are among these).
SCORED = CASES[::7]


@pytest.mark.parametrize(
    ("text", "level"), SCORED, ids=[f"{7 * i}-{lvl}" for i, (_, lvl) in enumerate(SCORED)]
)
def test_same_mask_by_the_same_penalties_as_qrcode(text: str, level: str) -> None:
    code, expected = old_make_symbol(text, level)
    version, error_correction = code.version, code.error_correction
    m0 = drawn(code, 0)
    theirs = [scored(code, mask) for mask in range(8)]
    ours = qrmask.penalties(qrmask.candidates(m0, version))
    assert ours == theirs
    mask, matrix = qrmask.choose_mask(m0, version, error_correction)
    assert mask == theirs.index(min(theirs))  # qrcode keeps the first of the lowest
    assert np.array_equal(matrix, np.array([list(row) for row in expected], dtype=bool))


def test_ties_go_to_the_first_mask() -> None:
    equal = np.zeros((8, 21, 21), dtype=bool)
    assert qrmask.penalties(equal) == [qrcode.util.lost_point(equal[0].tolist())] * 8
    assert int(np.argmin(qrmask.penalties(equal))) == 0


def test_penalties_where_the_lines_meet() -> None:
    """Runs, blocks and finder-like patterns at the edges, where one line ends and the
    next begins (the bit layout of `qrmask.penalties` must not join them)."""
    rng = np.random.default_rng(11)
    for n in (21, 25, 45, 177):
        symbols = rng.random((8, n, n)) < rng.uniform(0.1, 0.9, size=(8, 1, 1))
        symbols[0, :, -6:] = True  # runs and blocks at the right edge
        symbols[1, -6:, :] = False  # at the bottom edge
        symbols[2, 0, :11] = np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool)
        symbols[3, -11:, -1] = np.array([0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1], dtype=bool)
        symbols[4, :, :3] = symbols[4, :, -3:] = True  # end of a row, start of the next
        symbols[5] = np.indices((n, n)).sum(axis=0) % 2 == 0  # checkerboard: no run, no block
        symbols[6] = True
        expected = [qrcode.util.lost_point(symbol.tolist()) for symbol in symbols]
        assert qrmask.penalties(symbols) == expected, n


def test_cached_arrays_are_read_only() -> None:
    with pytest.raises(ValueError):
        qrmask.data_cells(3)[0, 0] = True
    m0 = np.zeros((29, 29), dtype=bool)
    before = qrmask.flips_from_mask0(3).copy()
    qrmask.apply_mask(m0, 3, LEVELS["M"], 5)[:] = True  # the result is the caller's own
    assert np.array_equal(qrmask.flips_from_mask0(3), before)


# Sizing, codewords and placement, step by step against qrcode.

SAMPLES = {  # characters of each mode, cycled to any length
    MODE_NUMBER: b"3141592653589793",
    MODE_ALPHA_NUM: b"HD-2611-A/$%*+.: 0123456789",
    MODE_8BIT_BYTE: "küçük/ü?".encode(),
}


def segment(mode: int, length: int) -> QRData:
    sample = SAMPLES[mode]
    return QRData((sample * (length // len(sample) + 1))[:length], mode=mode, check_data=False)


def qrcode_best_fit(chunks: list[QRData], error_correction: int) -> int | None:
    code = qrcode.QRCode(error_correction=error_correction, border=0)
    for chunk in chunks:
        code.add_data(chunk)
    try:
        return code.best_fit()
    except (ValueError, qrcode.exceptions.DataOverflowError):
        return None


@pytest.mark.parametrize("mode", SAMPLES)
def test_data_bits_as_qrcode_writes_them(mode: int) -> None:
    for length in range(40):
        buffer = qrcode.util.BitBuffer()
        segment(mode, length).write(buffer)
        assert qrdata.data_bits(segment(mode, length)) == len(buffer), length


def fitting_length(mode: int, version: int, sizes_of: int, error_correction: int) -> int:
    """The longest segment of this mode that fits this version, counted with the length
    fields of version `sizes_of` (around these, qrcode's best_fit counts again)."""
    limit = qrcode.util.BIT_LIMIT_TABLE[error_correction][version]
    header = 4 + qrcode.util.length_in_bits(mode, sizes_of)
    low, high = 0, limit  # fits, does not fit
    while high - low > 1:
        middle = (low + high) // 2
        if header + qrdata.data_bits(segment(mode, middle)) <= limit:
            low = middle
        else:
            high = middle
    return low


@pytest.mark.parametrize("level", "LMQH")
def test_best_fit_as_qrcode_where_the_length_fields_widen(level: str) -> None:
    error_correction = LEVELS[level]
    for mode in SAMPLES:
        lengths = set()
        for version, sizes_of in ((9, 9), (10, 9), (10, 10), (26, 26), (27, 26), (27, 27), (40, 40)):
            length = fitting_length(mode, version, sizes_of, error_correction)
            lengths |= {length - 1, length, length + 1}
        for length in sorted(lengths):
            chunks = [segment(mode, length)]
            assert qrdata.best_fit(chunks, error_correction) == qrcode_best_fit(chunks, error_correction)
        assert qrdata.best_fit([segment(mode, max(lengths))], error_correction) is None  # past 40


@pytest.mark.parametrize("level", "LMQH")
def test_best_fit_as_qrcode_for_many_segments(level: str) -> None:
    """Every segment has a length field: many segments near where the fields widen."""
    rng = random.Random(level)
    error_correction = LEVELS[level]
    per_char = {MODE_NUMBER: 10 / 3, MODE_ALPHA_NUM: 5.5, MODE_8BIT_BYTE: 8}
    for _ in range(10):
        modes = [rng.choice(list(SAMPLES)) for _ in range(rng.randint(2, 12))]
        target = qrcode.util.BIT_LIMIT_TABLE[error_correction][rng.choice([9, 10, 26, 27])]
        lengths = [int(target / len(modes) / per_char[mode]) for mode in modes]
        for extra in (-5, -2, 0, 3):
            chunks = [segment(mode, max(1, n + extra)) for mode, n in zip(modes, lengths, strict=True)]
            assert qrdata.best_fit(chunks, error_correction) == qrcode_best_fit(chunks, error_correction)


def filling_segments(version: int, error_correction: int, seed: int) -> list[QRData]:
    """Segments of every mode that fill this version, all of it or most of it."""
    rng = random.Random(seed)
    limit = qrcode.util.BIT_LIMIT_TABLE[error_correction][version]
    target = limit - rng.choice([0, 0, 4, 9, rng.randrange(limit // 3)])
    chunks: list[QRData] = []
    bits = 0
    while True:
        for mode in rng.sample(list(SAMPLES), 3):  # the first mode that still fits
            header = 4 + qrcode.util.length_in_bits(mode, version)
            length = rng.randint(1, max(4, limit // 80))
            while length and bits + header + qrdata.data_bits(segment(mode, length)) > target:
                length -= 1  # shortened until it fits
            if length:
                break
        else:
            return chunks
        chunks.append(segment(mode, length))
        bits += header + qrdata.data_bits(chunks[-1])


@pytest.mark.parametrize("version", VERSIONS)
def test_codewords_as_qrcode_creates_them(version: int) -> None:
    modes = set()
    for level in "LMQH":
        error_correction = LEVELS[level]
        chunks = filling_segments(version, error_correction, seed=version * 4 + error_correction)
        modes |= {chunk.mode for chunk in chunks}
        expected = qrcode.util.create_data(version, error_correction, chunks)
        assert list(qrdata.codewords(chunks, version, error_correction)) == expected, level
    assert modes == set(SAMPLES)


@pytest.mark.parametrize("level", "LMQH")
def test_codewords_as_qrcode_when_the_data_fills_the_symbol(level: str) -> None:
    """Terminator cut short or left out, no pad byte, one pad byte: full small symbols."""
    error_correction = LEVELS[level]
    for version in (1, 2, 5):
        for mode in SAMPLES:
            longest = fitting_length(mode, version, version, error_correction)
            for length in range(max(0, longest - 4), longest + 1):
                chunks = [segment(mode, length)]
                expected = qrcode.util.create_data(version, error_correction, chunks)
                assert list(qrdata.codewords(chunks, version, error_correction)) == expected
    assert list(qrdata.codewords([], 1, error_correction)) == qrcode.util.create_data(1, error_correction, [])


def test_error_correction_as_qrcode_for_every_block() -> None:
    """Every block length and generator degree qrcode uses, on random data."""
    rng = random.Random(5)
    shapes = {block for version in VERSIONS for ec in range(4) for block in qrdata.blocks(version, ec)}
    for data_count, ec_count in sorted(shapes):
        data = [rng.randrange(1, 256)] + [rng.randrange(256) for _ in range(data_count - 1)]
        generator = qrcode.base.Polynomial(qrcode.LUT.rsPoly_LUT[ec_count], 0)
        remainder = list(qrcode.base.Polynomial(data, ec_count) % generator)
        expected = ([0] * ec_count + remainder)[-ec_count:]
        assert list(qrdata.ec_codewords(bytes(data), ec_count)) == expected


def test_a_block_of_zero_bytes() -> None:
    """qrcode fails on it (`ValueError: glog(0)`); here its error correction is zero bytes
    and the symbol is a valid one (zxing-cpp reads the 100 bytes back)."""
    with pytest.raises(ValueError, match="glog"):
        old_make_symbol("\x00" * 100, "H")
    assert qrdata.ec_codewords(bytes(20), 22) == bytes(22)
    assert make_symbol("\x00" * 100, "H").version == 10
    version, chunks, error_correction = qr.fit("\x00" * 100, "H")
    assert qr.drawn_by_qrcode(chunks, version, error_correction) is None  # so make_symbol uses numpy


def test_zero_bytes_as_a_process_first_codes() -> None:
    """A fresh process draws its first codes with qrcode, which fails on a block of zero bytes:
    those, and a batch id of many zeros, still get their code."""
    script = (
        "from mfsite.render.qr import make_symbol\n"
        "print(make_symbol('\\x00' * 100, 'H').version)\n"
        "print(make_symbol('https://shop.example/b/' + '0' * 46, 'H').version)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["10", "5"]


@pytest.mark.parametrize("version", VERSIONS)
def test_placement_as_qrcode_maps_the_data(version: int) -> None:
    """Random codewords drawn by qrcode's `map_data` with mask 0: function patterns,
    version information and remainder bits included."""
    rng = random.Random(version)
    total = sum(block.total_count for block in qrcode.base.rs_blocks(version, LEVELS["M"]))
    data = [rng.randrange(256) for _ in range(total)]
    code = qrcode.QRCode(version=version, error_correction=LEVELS["M"], border=0, mask_pattern=0)
    code.data_cache = data  # qrcode draws these codewords as they are
    code.makeImpl(False, 0)
    assert np.array_equal(qrmask.drawn_mask0(bytes(data), version), np.array(code.modules, dtype=bool))
    order = qrmask.placement(version)
    assert np.array_equal(np.sort(order), np.flatnonzero(qrmask.data_cells(version)))  # each cell once
    assert 0 <= order.size - 8 * total < 8  # and the remainder bits


def test_the_benchmark_runs() -> None:
    """benchmarks/qrmask.py (qrcode's time per code beside make_symbol's), a small round of it,
    so it keeps working; its timings are not judged."""
    run = subprocess.run(
        [sys.executable, REPO / "benchmarks/qrmask.py", "--codes", "3", "--rounds", "1", "--level", "Q"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("QR per code: 3 URLs at level Q; medians of 1 rounds\n"), run.stdout
    row = r"^ +\d+\.\d\dms +\d+\.\d\dms +\d+\.\d\d +\d+\.\d\d$"  # both times, both ratios
    assert re.search(row, run.stdout, re.MULTILINE), run.stdout
