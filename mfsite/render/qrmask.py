"""QR mask selection with numpy, giving exactly the mask and matrix the qrcode package gives.

qrcode chooses the mask by drawing the symbol eight times in pure Python and scoring each
drawing with `qrcode.util.lost_point`; that is nearly all the time a code costs. Here the
symbol is drawn once, with mask 0, and the other seven are derived from it: a mask only
flips data cells, so the symbol with mask k is M0 XOR (data cells AND (P0 XOR Pk)). All
eight candidates are then scored at once.

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
import qrcode.util
from numpy.typing import NDArray

Bools = NDArray[np.bool_]

# Per-version (or per-size) constant arrays are cached: there are 40 versions and 32
# format words, so nothing is ever evicted.
CACHED = 64


def size_of(version: int) -> int:
    return version * 4 + 17


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
    """`qrcode.util.lost_point` of each of (k, n, n) symbols, computed together."""
    n = symbols.shape[-1]
    # Rows and columns alike: (k, 2n, n), every line read left to right or top to bottom.
    lines = np.concatenate([symbols, symbols.transpose(0, 2, 1)], axis=1)
    return [
        int(n1) + int(n2) + int(n3) + _balance(int(dark), n)
        for n1, n2, n3, dark in zip(
            _runs(lines), _blocks(symbols), _finder_like(lines), symbols.sum(axis=(1, 2)), strict=True
        )
    ]


def _runs(lines: Bools) -> NDArray[np.int64]:
    """N1: every run of five or more modules of one colour scores its length minus 2.

    A run of length L >= 5 holds L - 4 windows of five equal modules, and windows of
    different runs never touch, so the score is the number of such windows plus 2 for
    each first window of a stretch of them."""
    same = lines[..., 1:] == lines[..., :-1]  # module t+1 equals module t
    same2 = same[..., 1:] & same[..., :-1]
    five = same2[..., 2:] & same2[..., :-2]  # modules t..t+4 are one colour
    first = np.empty_like(five)
    first[..., 0] = five[..., 0]
    np.greater(five[..., 1:], five[..., :-1], out=first[..., 1:])  # five here, not one before
    return five.sum(axis=(1, 2)) + 2 * first.sum(axis=(1, 2))


def _blocks(symbols: Bools) -> NDArray[np.int64]:
    """N2: every 2×2 block of one colour scores 3, overlapping blocks included."""
    top_left = symbols[:, :-1, :-1]
    same = (
        (top_left == symbols[:, :-1, 1:])
        & (top_left == symbols[:, 1:, :-1])
        & (top_left == symbols[:, 1:, 1:])
    )
    return same.sum(axis=(1, 2)) * 3


def _finder_like(lines: Bools) -> NDArray[np.int64]:
    """N3: every 10111010000 or 00001011101 (1 is dark) along a row or down a column
    scores 40. The symbol's edge is not treated as light (qrcode adds no quiet zone)."""
    n = lines.shape[-1]
    light = ~lines
    # core[t]: modules t..t+6 are dark, light, dark, dark, dark, light, dark.
    core = lines[..., 0 : n - 6] & light[..., 1 : n - 5] & lines[..., 2 : n - 4] & lines[..., 3 : n - 3]
    core &= lines[..., 4 : n - 2] & light[..., 5 : n - 1] & lines[..., 6:n]
    light2 = light[..., 1:] & light[..., :-1]
    light4 = light2[..., 2:] & light2[..., :-2]  # modules t..t+3 are light
    windows = n - 10  # 11 modules each
    found = core[..., :windows] & light4[..., 7 : 7 + windows]  # the core, then four light
    found |= light4[..., :windows] & core[..., 4 : 4 + windows]  # four light, then the core
    return found.sum(axis=(1, 2)) * 40


def _balance(dark: int, size: int) -> int:
    """N4: 10 for every whole 5 % the dark share departs from 50 %, in Python floats
    exactly as qrcode's `_lost_point_level4` computes it."""
    percent = float(dark) / (size**2)
    return int(abs(percent * 100 - 50) / 5) * 10


def choose_mask(m0: Bools, version: int, error_correction: int) -> tuple[int, Bools]:
    """The mask qrcode would choose and the final (n, n) symbol with it, from the symbol
    drawn with mask 0 (real format and version information in place)."""
    scores = penalties(candidates(m0, version))
    mask = int(np.argmin(scores))  # the first of equal scores, as qrcode keeps it
    return mask, apply_mask(m0, version, error_correction, mask)


def apply_mask(m0: Bools, version: int, error_correction: int, mask: int) -> Bools:
    """The symbol with mask k and its format information; the always-dark module and the
    version information do not depend on the mask and stay as drawn."""
    symbol = m0 ^ flips_from_mask0(version)[mask]
    rows, cols = format_cells(size_of(version))
    symbol[rows, cols] = format_bits(error_correction, mask)  # broadcast to both copies
    return symbol


def masked_rows(modules: list[list[bool]], version: int, error_correction: int) -> tuple[bytes, ...]:
    """The rows (bytes of 0 and 1) of the final symbol, from qrcode's modules drawn with
    mask 0."""
    _, symbol = choose_mask(np.array(modules, dtype=bool), version, error_correction)
    return tuple(row.tobytes() for row in symbol.view(np.uint8))
