"""QR matrix and mask selection with numpy, giving exactly the mask and matrix the qrcode
package gives.

qrcode places the codewords bit by bit (`map_data`) and chooses the mask by drawing the
symbol eight times in pure Python and scoring each drawing with `qrcode.util.lost_point`.
Here the bits go into the data cells at once, in qrcode's zigzag order precomputed per
version (`placement`), onto a blank symbol whose function patterns qrcode drew (`blank_mask0`).
That gives the symbol with mask 0; the other seven are derived from it: a mask only flips
data cells, so the symbol with mask k is M0 XOR (data cells AND (P0 XOR Pk)). The eight
candidates are then scored with their rows and columns as the bits of Python ints.

Byte-identical output matters (pages and caches must not change), so every detail follows
qrcode 8 rather than only the standard:
- qrcode scores a candidate drawn with `test=True`: the format-information cells, the
  always-dark module and the version-information cells are all light while scoring;
- its penalty is `lost_point` (rules N1 to N4, N3 without the quiet zone, N4 in Python
  floats), and the first mask with the lowest penalty wins.
tests/test_qrmask.py checks all of this against qrcode itself.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import qrcode
import qrcode.util
from numpy.typing import NDArray

from mfsite.render.qr import size_of

Bools = NDArray[np.bool_]

# Per-version (or per-size) constant arrays are cached: there are 40 versions and 32
# format words, so nothing is ever evicted.
CACHED = 64


def _frozen(array: np.ndarray) -> np.ndarray:
    """Cached arrays are shared between calls: make them read-only."""
    array.setflags(write=False)
    return array


@lru_cache(maxsize=CACHED)
def function_cells(version: int) -> Bools:
    """(n, n): every cell that is not a data cell (finders, separators, format and
    version information, timing, alignment patterns)."""
    n = size_of(version)
    cells = np.zeros((n, n), dtype=bool)
    # Finder pattern, separator and format information: three 9×9 (or 9×8, 8×9) blocks.
    cells[0:9, 0:9] = True
    cells[0:9, n - 8 :] = True
    cells[n - 8 :, 0:9] = True
    # Timing patterns.
    cells[6, :] = True
    cells[:, 6] = True
    # Alignment patterns, 5×5 around every pair of centres, except where a centre falls
    # in a finder block (qrcode skips a centre that is already drawn).
    centres = qrcode.util.pattern_position(version)
    for row in centres:
        for col in centres:
            if (row < 9 and col < 9) or (row < 9 and col >= n - 8) or (row >= n - 8 and col < 9):
                continue
            cells[row - 2 : row + 3, col - 2 : col + 3] = True
    cells |= version_cells(version)
    return _frozen(cells)


@lru_cache(maxsize=CACHED)
def data_cells(version: int) -> Bools:
    """(n, n): the cells that carry data (and remainder bits); only these are masked."""
    return _frozen(~function_cells(version))


@lru_cache(maxsize=CACHED)
def version_cells(version: int) -> Bools:
    """(n, n): the two 6×3 version-information blocks (versions 7 and up)."""
    n = size_of(version)
    cells = np.zeros((n, n), dtype=bool)
    if version >= 7:
        cells[0:6, n - 11 : n - 8] = True
        cells[n - 11 : n - 8, 0:6] = True
    return _frozen(cells)


@lru_cache(maxsize=CACHED)
def format_cells(size: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """(rows, cols), each of shape (2, 15): the vertical and the horizontal copy of the
    format information, indexed by bit, as qrcode's `setup_type_info` places them."""
    n = size
    vertical = [(i, 8) if i < 6 else (i + 1, 8) if i < 8 else (n - 15 + i, 8) for i in range(15)]
    horizontal = [(8, n - i - 1) if i < 8 else (8, 7) if i == 8 else (8, 14 - i) for i in range(15)]
    cells = np.array([vertical, horizontal], dtype=np.intp)  # (2, 15, 2)
    return _frozen(cells[..., 0].copy()), _frozen(cells[..., 1].copy())


def dark_module(size: int) -> tuple[int, int]:
    """The module beside the bottom-left finder that is always dark."""
    return size - 8, 8


@lru_cache(maxsize=CACHED)
def reserved_cells(version: int) -> Bools:
    """(n, n): the cells qrcode leaves light while it scores masks (`test=True`)."""
    n = size_of(version)
    cells = version_cells(version).copy()
    rows, cols = format_cells(n)
    cells[rows, cols] = True
    cells[dark_module(n)] = True
    return _frozen(cells)


@lru_cache(maxsize=CACHED)
def mask_patterns(size: int) -> Bools:
    """(8, n, n): where each mask pattern flips a module (i = row, j = column)."""
    i, j = np.indices((size, size))
    patterns = np.stack(
        [
            (i + j) % 2 == 0,
            i % 2 == 0,
            j % 3 == 0,
            (i + j) % 3 == 0,
            (i // 2 + j // 3) % 2 == 0,
            (i * j) % 2 + (i * j) % 3 == 0,
            ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            ((i * j) % 3 + (i + j) % 2) % 2 == 0,
        ]
    )
    return _frozen(patterns)


@lru_cache(maxsize=CACHED)
def flips_from_mask0(version: int) -> Bools:
    """(8, n, n): the cells that change when a symbol drawn with mask 0 gets mask k."""
    patterns = mask_patterns(size_of(version))
    return _frozen(data_cells(version) & (patterns[0] ^ patterns))


@lru_cache(maxsize=CACHED)
def format_bits(error_correction: int, mask: int) -> Bools:
    """(15,): the format information of a level (qrcode's constant) and mask, by bit."""
    bits = qrcode.util.BCH_type_info((error_correction << 3) | mask)
    return _frozen(np.array([(bits >> i) & 1 for i in range(15)], dtype=bool))


def candidates(m0: Bools, version: int) -> Bools:
    """(8, n, n): the symbol under each mask as qrcode scores it, from the symbol drawn
    with mask 0. The flips never touch reserved cells, so clearing those first is enough."""
    return (m0 & ~reserved_cells(version)) ^ flips_from_mask0(version)


def penalties(symbols: Bools) -> list[int]:
    """`qrcode.util.lost_point` of each of (k, n, n) symbols.

    Every rule looks at windows of neighbouring cells along rows and columns (N2 at 2×2
    blocks). Each symbol becomes one Python int, a bit per cell (`_line_bits`); shifted
    right by s, it has cell t+s at bit t, so a rule is an AND of a few shifted copies and
    a bit count: a few operations on ints of about 2n² bits per rule, faster than numpy
    arrays of booleans (many short rows, or one long array)."""
    n = symbols.shape[-1]
    cells, block_starts = _line_masks(n)
    scores = []
    for dark in _line_bits(symbols):
        light = dark ^ cells  # the gaps are neither dark nor light
        scores.append(
            _runs(dark, light)
            + _blocks(dark, light, n + 1, block_starts)
            + _finder_like(dark, light)
            + _balance(dark.bit_count() // 2, n)  # every dark cell is in a row and a column
        )
    return scores


def _line_bits(symbols: Bools) -> list[int]:
    """Per symbol: its rows, then its columns (each read left to right or top to bottom),
    each line followed by one gap cell, as the bits of an int (cell t is bit t, 1 dark).
    A gap is neither dark nor light, so no run or pattern is counted across two lines."""
    k, n = symbols.shape[0], symbols.shape[-1]
    lines = np.zeros((k, 2 * n, n + 1), dtype=bool)
    lines[:, :n, :n] = symbols
    lines[:, n:, :n] = symbols.transpose(0, 2, 1)
    packed = np.packbits(lines.reshape(k, -1), axis=1, bitorder="little")
    return [int.from_bytes(row.tobytes(), "little") for row in packed]


@lru_cache(maxsize=CACHED)
def _line_masks(n: int) -> tuple[int, int]:
    """For `_line_bits` of symbols of size n: (every cell but the gaps, every cell of the
    rows 0 to n-2: where a 2×2 block can start)."""
    width = n + 1
    line = (1 << n) - 1
    cells = sum(line << (i * width) for i in range(2 * n))
    return cells, cells & ((1 << ((n - 1) * width)) - 1)


def _five(cells: int) -> int:
    """Where cells t..t+4 are all set."""
    two = cells & cells >> 1
    four = two & two >> 2
    return four & cells >> 4


def _runs(dark: int, light: int) -> int:
    """N1: every run of five or more modules of one colour scores its length minus 2.

    A run of length L >= 5 holds L - 4 windows of five equal modules, and windows of
    different runs never touch, so the score is the number of such windows plus 2 for
    each first window of a stretch of them."""
    five = _five(dark) | _five(light)
    first = five & ~(five << 1)  # five from t, not from t-1
    return five.bit_count() + 2 * first.bit_count()


def _blocks(dark: int, light: int, width: int, starts: int) -> int:
    """N2: every 2×2 block of one colour scores 3, overlapping blocks included; a row is
    `width` cells long and only the `starts` cells begin a block within the rows."""
    dark_pairs = dark & dark >> 1
    light_pairs = light & light >> 1
    same = (dark_pairs & dark_pairs >> width) | (light_pairs & light_pairs >> width)
    return 3 * (same & starts).bit_count()


def _finder_like(dark: int, light: int) -> int:
    """N3: every 10111010000 or 00001011101 (1 is dark) along a row or down a column
    scores 40. The symbol's edge is not treated as light (qrcode adds no quiet zone)."""
    # core: cells t..t+6 are dark, light, dark, dark, dark, light, dark.
    core = dark & light >> 1 & dark >> 2 & dark >> 3 & dark >> 4 & light >> 5 & dark >> 6
    two = light & light >> 1
    four = two & two >> 2  # cells t..t+3 are light
    found = (core & four >> 7) | (four & core >> 4)  # the core then four light, or the reverse
    return 40 * found.bit_count()


def _balance(dark: int, size: int) -> int:
    """N4: 10 for every whole 5 % the dark share departs from 50 %, in Python floats
    exactly as qrcode's `_lost_point_level4` computes it."""
    percent = float(dark) / (size**2)
    return int(abs(percent * 100 - 50) / 5) * 10


def choose_mask(m0: Bools, version: int, error_correction: int) -> tuple[int, Bools]:
    """The mask qrcode would choose and the final (n, n) symbol with it, from the symbol
    drawn with mask 0 (real format and version information in place)."""
    scores = penalties(candidates(m0, version))
    mask = scores.index(min(scores))  # the first of equal scores, as qrcode keeps it
    return mask, apply_mask(m0, version, error_correction, mask)


def apply_mask(m0: Bools, version: int, error_correction: int, mask: int) -> Bools:
    """The symbol with mask k and its format information; the always-dark module and the
    version information do not depend on the mask and stay as drawn."""
    symbol = m0 ^ flips_from_mask0(version)[mask]
    rows, cols = format_cells(size_of(version))
    symbol[rows, cols] = format_bits(error_correction, mask)  # broadcast to both copies
    return symbol


@lru_cache(maxsize=CACHED)
def placement(version: int) -> NDArray[np.intp]:
    """Flat indices (row * n + column) of the data cells in the order qrcode's `map_data`
    fills them with bits: pairs of columns from the right (column 6, the vertical timing
    pattern, is skipped), the first pair bottom to top, the next top to bottom and so on,
    the right cell of a pair before the left, function cells passed over."""
    n = size_of(version)
    up, down = np.arange(n - 1, -1, -1), np.arange(n)
    pairs = []
    for k, right in enumerate(col if col > 6 else col - 1 for col in range(n - 1, 0, -2)):
        rows = up if k % 2 == 0 else down
        pairs.append(np.stack([rows * n + right, rows * n + right - 1], axis=1).ravel())
    order = np.concatenate(pairs)
    return _frozen(order[data_cells(version).ravel()[order]])


@lru_cache(maxsize=CACHED)
def blank_mask0(version: int) -> Bools:
    """(n * n,): the symbol with mask 0 and all data bits zero. The function patterns,
    version information and always-dark module are taken from one drawing by qrcode itself
    (their source of truth); data cells are where mask 0 flips a zero bit to dark. The
    format information is a placeholder: `apply_mask` writes the final one."""
    code = qrcode.QRCode(version=version, border=0, mask_pattern=0)
    code.makeImpl(False, 0)  # with no data; only its function cells are kept
    drawn = np.array(code.modules, dtype=bool)
    blank = np.where(function_cells(version), drawn, mask_patterns(size_of(version))[0])
    return _frozen(blank.ravel())


def drawn_mask0(codewords: bytes, version: int) -> Bools:
    """(n, n): the symbol qrcode draws with mask 0 for these codewords (data and error
    correction, interleaved: `qrdata.codewords`), format information aside.

    The bits go into the data cells in `placement` order all at once, XOR onto the blank
    symbol; the cells past them (the 0 to 7 remainder bits) keep a zero bit, as in qrcode."""
    n = size_of(version)
    bits = np.unpackbits(np.frombuffer(codewords, dtype=np.uint8)).view(np.bool_)
    m0 = blank_mask0(version).copy()
    m0[placement(version)[: bits.size]] ^= bits
    return m0.reshape(n, n)


def symbol_rows(codewords: bytes, version: int, error_correction: int) -> tuple[bytes, ...]:
    """The rows (bytes of 0 and 1) of the final symbol holding these codewords, with the
    mask qrcode would choose."""
    n = size_of(version)
    _, symbol = choose_mask(drawn_mask0(codewords, version), version, error_correction)
    cells = symbol.view(np.uint8).tobytes()
    return tuple(cells[start : start + n] for start in range(0, n * n, n))
