"""QR sizing and codewords with integer arithmetic, giving exactly what the qrcode package gives.

qrcode stays the source of truth for every decision: its `optimal_data_chunks` splits the
data into segments, its tables give the bit limits, length-field sizes and error-correction
blocks, its generator polynomials and GF(256) tables the error correction. Only its slow
inner loops are replaced, which were most of a code's time once the mask was chosen in numpy:
- `best_fit` writes every segment bit by bit into a `BitBuffer` just to count the bits: here
  the count is arithmetic (`best_fit`);
- `create_data` writes them again bit by bit: here they are shifted into one Python int
  (`data_codewords`);
- `create_bytes` divides polynomials of Python lists for the error correction: here one
  table lookup and one XOR per data codeword (`ec_codewords`).
tests/test_qrmask.py checks all of it against qrcode itself.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

import qrcode.base
import qrcode.constants
import qrcode.exceptions
import qrcode.LUT
import qrcode.util
from qrcode.util import MODE_ALPHA_NUM, MODE_NUMBER, QRData

MAX_VERSION = 40

LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
# Value of each alphanumeric character by byte (qrcode's `ALPHA_NUM.find`), for lookups
# without a search.
ALPHA_VALUE = {char: value for value, char in enumerate(qrcode.util.ALPHA_NUM)}


def data_bits(chunk: QRData) -> int:
    """Bits of a segment's data, without its mode and length fields (as `QRData.write`
    writes them: numeric 10 bits per 3 digits and 4 or 7 for the rest, alphanumeric 11
    per 2 characters and 6 for an odd one, anything else 8 per byte)."""
    n = len(chunk)
    if chunk.mode == MODE_NUMBER:
        return 10 * (n // 3) + (0, 4, 7)[n % 3]
    if chunk.mode == MODE_ALPHA_NUM:
        return 11 * (n // 2) + 6 * (n % 2)
    return 8 * n


def best_fit(chunks: Sequence[QRData], error_correction: int) -> int | None:
    """The version qrcode's `QRCode.best_fit` finds for these segments, or None where it
    raises (nothing fits).

    Like qrcode, it counts the bits with the length fields of version 1, takes the first
    version whose capacity holds them and, if that version's length fields are of another
    size (versions 10 and 27 widen them), counts again from there."""
    payload = sum(data_bits(chunk) for chunk in chunks)
    limits = qrcode.util.BIT_LIMIT_TABLE[error_correction]
    start = 1
    while True:
        sizes = qrcode.util.mode_sizes_for_version(start)
        needed = payload + sum(4 + sizes[chunk.mode] for chunk in chunks)
        version = bisect_left(limits, needed, start)
        if version > MAX_VERSION:
            return None
        if qrcode.util.mode_sizes_for_version(version) is sizes:  # qrcode compares with `is` too
            return version
        start = version


@lru_cache(maxsize=4 * MAX_VERSION)
def blocks(version: int, error_correction: int) -> tuple[tuple[int, int], ...]:
    """(data codewords, error-correction codewords) of each block, in qrcode's order."""
    return tuple(
        (block.data_count, block.total_count - block.data_count)
        for block in qrcode.base.rs_blocks(version, error_correction)
    )


def data_codewords(chunks: Sequence[QRData], version: int, error_correction: int) -> bytes:
    """The data codewords `qrcode.util.create_data` makes, before error correction: every
    segment's mode, length and data, the terminator, zero bits to a whole byte, then the
    pad bytes 0xEC and 0x11 in turn."""
    stream = 0  # the bits so far, the first one the most significant
    length = 0  # how many
    for chunk in chunks:
        mode, data = chunk.mode, chunk.data
        width = qrcode.util.length_in_bits(mode, version)
        # BitBuffer.put keeps only the low bits of a number too wide for its field.
        stream = (stream << 4 | mode) << width | (len(data) & ((1 << width) - 1))
        length += 4 + width
        if mode == MODE_NUMBER:
            for i in range(0, len(data), 3):
                digits = data[i : i + 3]
                bits = qrcode.util.NUMBER_LENGTH[len(digits)]
                stream = stream << bits | int(digits)
                length += bits
        elif mode == MODE_ALPHA_NUM:
            pairs = len(data) // 2
            for i in range(0, 2 * pairs, 2):
                stream = stream << 11 | ALPHA_VALUE[data[i]] * 45 + ALPHA_VALUE[data[i + 1]]
            length += 11 * pairs
            if len(data) % 2:
                stream = stream << 6 | ALPHA_VALUE[data[-1]]
                length += 6
        else:
            stream = stream << 8 * len(data) | int.from_bytes(data, "big")
            length += 8 * len(data)

    limit = 8 * sum(data_count for data_count, _ in blocks(version, error_correction))
    if length > limit:
        raise qrcode.exceptions.DataOverflowError(f"{length} bits do not fit in {limit}")
    # Terminator of up to four zero bits, then zero bits to the end of the byte.
    zeros = min(limit - length, 4)
    zeros += -(length + zeros) % 8
    length += zeros
    written = (stream << zeros).to_bytes(length // 8, "big")
    pad = limit // 8 - len(written)
    return written + (b"\xec\x11" * (pad // 2 + 1))[:pad]


@lru_cache(maxsize=32)
def remainder_table(ec_count: int) -> tuple[int, ...]:
    """For each byte f: f times qrcode's generator polynomial of this degree, without its
    leading 1, as one big-endian int of `ec_count` bytes.

    Dividing by the generator then takes one lookup per data codeword: the remainder so far
    shifted by a byte, XOR the row of (its top byte XOR the next codeword)."""
    generator = qrcode.LUT.rsPoly_LUT[ec_count]  # it has every degree qrcode's blocks use
    logs = [qrcode.base.glog(c) if c else None for c in generator[1:]]
    rows = [0]
    for f in range(1, 256):
        log_f = qrcode.base.glog(f)
        row = bytes(0 if lg is None else qrcode.base.gexp(log_f + lg) for lg in logs)
        rows.append(int.from_bytes(row, "big"))
    return tuple(rows)


def ec_codewords(data: bytes, ec_count: int) -> bytes:
    """The Reed–Solomon error-correction codewords of one block: the remainder of
    data·x^ec_count divided by the generator polynomial, as qrcode's `Polynomial.__mod__`
    computes it.

    One difference: qrcode fails (`ValueError: glog(0)`) on a block of only zero bytes;
    here its remainder is zero bytes, which is right (such data, e.g. a run of NUL
    characters, gets a valid symbol instead of an error)."""
    table = remainder_table(ec_count)
    top = 8 * (ec_count - 1)
    keep = (1 << top) - 1  # all but the top byte, which leaves on the shift
    remainder = 0
    for codeword in data:
        remainder = (remainder & keep) << 8 ^ table[codeword ^ remainder >> top]
    return remainder.to_bytes(ec_count, "big")


def interleave(parts: Sequence[bytes]) -> bytes:
    """First byte of every part, then the second of every part and so on, skipping parts
    that are used up (qrcode's order in `create_bytes`)."""
    if len(parts) == 1:  # small symbols have one block
        return parts[0]
    shortest = min(len(part) for part in parts)
    longest = max(len(part) for part in parts)
    head = bytes(chain.from_iterable(zip(*parts, strict=False)))  # zip stops at the shortest
    tail = bytes(part[i] for i in range(shortest, longest) for part in parts if i < len(part))
    return head + tail


def codewords(chunks: Sequence[QRData], version: int, error_correction: int) -> bytes:
    """All codewords of the symbol as `qrcode.util.create_data` returns them: the data of
    every block, interleaved, then the error correction of every block, interleaved."""
    stream = data_codewords(chunks, version, error_correction)
    data_parts = []
    ec_parts = []
    offset = 0
    for data_count, ec_count in blocks(version, error_correction):
        part = stream[offset : offset + data_count]
        offset += data_count
        data_parts.append(part)
        ec_parts.append(ec_codewords(part, ec_count))
    return interleave(data_parts) + interleave(ec_parts)
