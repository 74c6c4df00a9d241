"""Photos: the published copies (upright, sRGB, no metadata, never upscaled, the same bytes every time)
and the share card, with real Pillow on images made here."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import itertools
import random
import re
import struct
import subprocess
import sys
import warnings
import zlib

import numpy as np
import PIL
import pytest
from PIL import Image, ImageDraw, ImageFont, features

from mfsite.photos import (
    CARD_SIZE,
    MAX_BYTES,
    PhotoProblem,
    Processed,
    Shape,
    avif_available,
    brand_base,
    has_gps,
    inspect,
    process,
    recipe_key,
    share_card,
    with_batch_id,
)
from mfsite.photos.card import MARGIN, PRODUCT_LINES, _font, layout
from mfsite.photos.rows import ROW, encode, splice, split

CAMERA = "MfsiteTestCam"
GPS_IFD, ORIENTATION, MAKE, MODEL = 0x8825, 0x0112, 0x010F, 0x0110
RED, BLUE = (220, 30, 30), (30, 40, 220)
LONG_NAME = (
    "Äußerst łódzka čapka ő € aus recycelter Merinowolle, handgestrickt in einer kleinen Werkstatt "
    "am Kanal, mit Ohrenklappen, Bommel und einem Futter aus Bio-Baumwolle für lange Winter"
)


# -- images made for the tests


def picture(width: int, height: int, seed: int = 0) -> Image.Image:
    """Not uniform: a gradient, some noise and shapes, like a photo to an encoder."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.stack([x / width * 255, y / height * 255, (x + y) / (width + height) * 255], axis=-1)
    pixels += rng.normal(0, 8, pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype("uint8"))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        size = int(rng.integers(4, max(5, width // 4)))
        draw.ellipse((x0, y0, x0 + size, y0 + size), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    return image


def camera_exif(orientation: int | None = None, gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = CAMERA, f"{CAMERA} Pro"
    if orientation:
        exif[ORIENTATION] = orientation
    ifd = exif.get_ifd(GPS_IFD)
    ifd[0] = b"\x02\x03\x00\x00"  # GPSVersionID: what a phone writes even with location off
    if gps:
        ifd.update({1: "N", 2: (52.0, 30.0, 1.5), 3: "E", 4: (13.0, 24.0, 2.5)})
    return exif


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>'
    + CAMERA.encode()
    + b"</dc:creator>"
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def sideways() -> bytes:
    """A portrait photo stored on its side (orientation 6: turn it a quarter clockwise to see it),
    with GPS, XMP, a camera and a comment; its stored top left corner is red, so upright it is the
    top right corner."""
    image = picture(1600, 1000)
    ImageDraw.Draw(image).rectangle((0, 0, 200, 200), fill=RED)
    return encoded(image, "JPEG", quality=90, exif=camera_exif(orientation=6), xmp=XMP, comment=CAMERA)


@pytest.fixture(scope="module")
def sideways_processed(sideways: bytes) -> Processed:
    return process(sideways)


def s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)


# Adobe RGB (1998): its primaries adapted to D50 (the ICC's connection space) and its gamma 563/256.
ADOBE_PRIMARIES = np.array(
    [[0.60974, 0.20528, 0.14919], [0.31111, 0.62567, 0.06322], [0.01947, 0.06087, 0.74457]]
)
ADOBE_GAMMA = 563 / 256
XYZ_D50_TO_SRGB = np.array(
    [
        [3.1338561, -1.6168667, -0.4906146],
        [-0.9787684, 1.9161415, 0.0334540],
        [0.0719453, -0.2289914, 1.4052427],
    ]
)


def adobe_rgb_icc() -> bytes:
    """A version 2 matrix/curve ICC profile of Adobe RGB, written byte by byte: Pillow makes only sRGB."""
    text = b"Adobe RGB (1998) for mfsite's tests\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * 8 + b"\0\0\0" + b"\0" * 67
    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, 563)
    red, green, blue = ADOBE_PRIMARIES.T
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(*red)),
        (b"gXYZ", xyz(*green)),
        (b"bXYZ", xyz(*blue)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    start = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", start + len(body), len(data))
        body += data
    header = (
        struct.pack(">I", start + len(body))
        + b"\0" * 4
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 28
        + xyz(0.9642, 1.0, 0.8249)[8:]
        + b"\0" * 48
    )
    return header + struct.pack(">I", len(tags)) + table + body


def adobe_to_srgb(colour: tuple[int, int, int]) -> np.ndarray:
    """The same conversion by the book, without LittleCMS."""
    linear = XYZ_D50_TO_SRGB @ ADOBE_PRIMARIES @ ((np.array(colour) / 255) ** ADOBE_GAMMA)
    linear = np.clip(linear, 0, 1)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055) * 255


def png_claiming(width: int, height: int) -> bytes:
    """A real 1 x 1 PNG whose header (IHDR, with its CRC) says it is width x height."""
    data = bytearray(encoded(Image.new("RGB", (1, 1)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def colour_of(data: bytes) -> tuple[int, int, int]:
    with Image.open(io.BytesIO(data)) as image:
        red, green, blue = image.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    return red, green, blue


def assert_bare(data: bytes, kind: str) -> None:
    """Decodes as `kind`, and carries no EXIF, GPS, XMP, ICC profile or comment."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.format == kind
        assert not image.getexif()
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & image.info.keys()
    assert CAMERA.encode() not in data
    assert not has_gps(data)


# -- the copies


def test_a_sideways_photo_comes_out_upright_and_bare(sideways_processed: Processed) -> None:
    result = sideways_processed
    assert (result.width, result.height) == (1000, 1600)
    kinds = ("avif", "jpeg") if avif_available() else ("jpeg",)
    assert [(c.width, c.height, c.format) for c in result.copies] == [
        (width, height, kind) for width, height in ((480, 768), (960, 1536)) for kind in kinds
    ]
    for copy in result.copies:
        assert_bare(copy.data, copy.format.upper())
        with Image.open(io.BytesIO(copy.data)) as image:
            assert image.size == (copy.width, copy.height)
            corner = image.convert("RGB").crop(
                (copy.width - copy.width // 12, 0, copy.width, copy.width // 12)
            )
            assert colour_of(encoded(corner, "PNG")) == pytest.approx(RED, abs=12)


def test_placeholder_colour_and_preview(sideways_processed: Processed) -> None:
    result = sideways_processed
    assert re.fullmatch("#[0-9a-f]{6}", result.colour)
    assert len(result.preview) < 600
    head, _, payload = result.preview.partition(",")
    assert head in ("data:image/webp;base64", "data:image/jpeg;base64")
    tiny = base64.b64decode(payload)
    with Image.open(io.BytesIO(tiny)) as image:
        assert max(image.size) <= 24 and image.height > image.width  # upright
    assert_bare(tiny, image.format)


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow encodes no AVIF")
def test_avif_copies_decode_as_avif(sideways_processed: Processed) -> None:
    avifs = [copy for copy in sideways_processed.copies if copy.format == "avif"]
    assert avifs
    for copy in avifs:
        assert copy.data[4:12] == b"ftypavif"
        with Image.open(io.BytesIO(copy.data)) as image:
            assert image.format == "AVIF" and image.size == (copy.width, copy.height)
        assert inspect(copy.data) == Shape(copy.width, copy.height, "avif")  # not taken for HEIC


def test_widths_never_above_the_source() -> None:
    wide = process(encoded(picture(1500, 120), "PNG"))
    assert sorted({copy.width for copy in wide.copies}) == [480, 960, 1440]
    assert {copy.height for copy in wide.copies if copy.width == 480} == {38}  # 120 * 480 / 1500
    narrow = process(encoded(picture(300, 200), "JPEG"))
    assert {(copy.width, copy.height) for copy in narrow.copies} == {(300, 200)}
    assert (narrow.width, narrow.height) == (300, 200)


def test_same_bytes_in_same_bytes_out(sideways: bytes, sideways_processed: Processed, tmp_path) -> None:
    assert process(sideways) == sideways_processed
    source = tmp_path / "photo.jpg"
    source.write_bytes(sideways)
    script = (
        "import hashlib, sys\n"
        "from mfsite.photos import process\n"
        "r = process(open(sys.argv[1], 'rb').read())\n"
        "print(hashlib.sha256(b''.join(c.data for c in r.copies)).hexdigest(), r.colour, r.preview)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(source)], capture_output=True, text=True, check=True
    )
    digest = hashlib.sha256(b"".join(copy.data for copy in sideways_processed.copies)).hexdigest()
    assert run.stdout.split() == [digest, sideways_processed.colour, sideways_processed.preview]


def test_an_embedded_profile_is_converted_to_srgb() -> None:
    colour = (150, 120, 90)
    image = Image.new("RGB", (40, 30), colour)
    tagged = process(encoded(image, "PNG", icc_profile=adobe_rgb_icc()))
    untagged = process(encoded(image, "PNG"))
    assert untagged.colour == "#96785a"  # untagged is sRGB: left as it is
    converted = tuple(int(tagged.colour[i : i + 2], 16) for i in (1, 3, 5))
    assert converted == pytest.approx(tuple(adobe_to_srgb(colour)), abs=1.5)
    assert max(abs(a - b) for a, b in zip(converted, colour, strict=True)) > 10
    for copy in tagged.copies:
        assert_bare(copy.data, copy.format.upper())


def test_transparency_is_laid_on_white() -> None:
    image = Image.new("RGBA", (64, 32), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((0, 0, 31, 31), fill=(0, 0, 255, 255))
    result = process(encoded(image, "PNG"))
    jpeg = next(copy for copy in result.copies if copy.format == "jpeg")
    with Image.open(io.BytesIO(jpeg.data)) as copy:
        assert copy.mode == "RGB"
        assert copy.getpixel((56, 16)) == pytest.approx((255, 255, 255), abs=6)
        assert copy.getpixel((8, 16)) == pytest.approx((0, 0, 255), abs=12)


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    grey = Image.fromarray(np.full((16, 16), 32768, dtype=np.uint16))
    assert process(encoded(grey, "PNG")).colour == "#808080"


def test_inspect_reads_the_upright_shape_and_finds_a_file_cut_short(sideways: bytes) -> None:
    shape = inspect(sideways)
    assert (shape.width, shape.height, shape.format) == (1000, 1600, "jpeg")
    turned_png = encoded(picture(30, 20), "PNG", exif=camera_exif(orientation=8))
    assert inspect(turned_png) == Shape(20, 30, "png")
    assert process(turned_png).copies[0].height == 30
    png = encoded(picture(300, 200), "PNG")
    for cut in (png[: len(png) // 2], sideways[: len(sideways) // 2]):
        with pytest.raises(PhotoProblem, match="truncated"):  # told when the file is read, before processing
            inspect(cut)
        with pytest.raises(PhotoProblem, match="truncated"):
            process(cut)


def test_recipe_key_names_the_codecs() -> None:
    key = recipe_key()
    assert key == recipe_key()
    assert f"pillow={PIL.__version__}" in key and f"jpg={features.version('jpg')}" in key
    assert "480, 960, 1440" in key and len(key) < 300


# -- bad files


def bad_files() -> list[tuple[str, bytes, str]]:
    jpeg = encoded(picture(640, 480), "JPEG", quality=90)
    return [
        ("empty", b"", "empty"),
        ("random bytes", random.Random(0).randbytes(4096), "not an image"),
        ("text", b"name: Wool cap\nprice: 49\n" * 20, "not an image"),
        ("truncated JPEG", jpeg[: len(jpeg) // 2], "truncated"),
        ("corrupt JPEG", jpeg[:600] + bytes(len(jpeg) - 600), "corrupt"),
        ("10000 megapixels", png_claiming(100_000, 100_000), "10000 megapixels; the most is 50"),
        ("120 megapixels", png_claiming(12_000, 10_000), "120 megapixels; the most is 50"),
        ("60 megapixels", png_claiming(10_000, 6_000), "60 megapixels; the most is 50"),
        ("too many bytes", b"\xff\xd8\xff" + bytes(MAX_BYTES), "MB; the most is 40 MB"),
        ("BMP", encoded(Image.new("RGB", (8, 8)), "BMP"), "not an image mfsite reads"),
    ]


@pytest.mark.parametrize(("name", "data", "message"), bad_files(), ids=[case[0] for case in bad_files()])
def test_a_bad_file_is_a_photo_problem(name: str, data: bytes, message: str) -> None:
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        with pytest.raises(PhotoProblem, match=message):
            process(data)
        if name not in ("truncated JPEG", "corrupt JPEG"):  # a header tells nothing of what follows it
            with pytest.raises(PhotoProblem, match=message):
                inspect(data)
        with pytest.raises(PhotoProblem, match=message):
            share_card(data, None, "Cap", "Maker", "B1", "Shop", "#336699")
        assert has_gps(data) is False
    assert not warned  # Pillow's DecompressionBombWarning included: the message says it all


@pytest.mark.skipif(importlib.util.find_spec("pillow_heif") is not None, reason="pillow-heif is installed")
def test_heic_without_the_extra_names_it() -> None:
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\0\0\0\0" + b"mif1heic" + bytes(64)
    for read in (process, inspect):
        with pytest.raises(PhotoProblem, match=r"pip install 'mfsite\[heic\]'"):
            read(heic)


# -- GPS in files published as they are


def test_has_gps() -> None:
    image = picture(32, 24)
    assert has_gps(encoded(image, "JPEG", exif=camera_exif()))
    assert has_gps(encoded(image, "PNG", exif=camera_exif()))
    assert has_gps(encoded(image, "WEBP", exif=camera_exif()))
    assert not has_gps(encoded(image, "JPEG", exif=camera_exif(gps=False)))  # a GPS IFD with no position
    assert not has_gps(encoded(image, "JPEG"))
    assert not has_gps(encoded(image, "PNG"))
    xmp_gps = XMP.replace(
        b"</rdf:Description>", b"<exif:GPSLatitude>52,30.0N</exif:GPSLatitude></rdf:Description>"
    )
    assert has_gps(encoded(image, "JPEG", xmp=xmp_gps))
    for garbage in (
        b"",
        b"\xff\xd8\xff\xe1garbage",
        random.Random(1).randbytes(999),
        png_claiming(10**5, 10**5),
    ):
        assert has_gps(garbage) is False


# -- the share card


def card_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_card_without_a_photo() -> None:
    data = share_card(None, None, "Wool cap", "Nähwerk", "B-2026-014", "Kiez Threads", "#f4d35e")
    assert data == share_card(None, None, "Wool cap", "Nähwerk", "B-2026-014", "Kiez Threads", "#f4d35e")
    assert len(data) < 100_000
    image = card_image(data)
    # Baseline, with a restart marker after every row of blocks: the batch's id line is spliced in.
    assert (image.format, image.size) == ("JPEG", CARD_SIZE) and not image.info.get("progressive")
    assert len(split(data).rows) == -(-CARD_SIZE[1] // ROW)
    assert image.getpixel((600, 40)) == pytest.approx((0xF4, 0xD3, 0x5E), abs=4)
    assert_bare(data, "JPEG")
    with pytest.raises(ValueError, match="not a colour"):
        share_card(None, None, "Wool cap", "", "", "", "brand green")


@pytest.mark.parametrize(
    ("product", "maker", "batch_id", "shop"),
    [
        ("Wool cap", "Nähwerk", "B-2026-014", "Kiez Threads"),
        ("Organic Heavy Tee, Black", "Nähwerk Neukölln", "gjpq-ÄÖ", "Shop with descenders: gjpqy"),
        (LONG_NAME, "Nähwerk Kreuzberg " * 8, "B-" + "9" * 80, "Kiez " * 30),  # the id line cut short
        ("Cap", "", "X1", "Kiez Threads"),  # no maker: the id line sits under the name
        ("Cap", "Maker", "X1", ""),  # no shop: the id is the line, alone
    ],
)
def test_a_brand_card_is_its_base_with_the_id_line_spliced_in(
    product: str, maker: str, batch_id: str, shop: str
) -> None:
    base = brand_base(product, maker, shop, "#204060")
    assert base == share_card(None, None, product, maker, "", shop, "#204060")
    card = with_batch_id(base, product, maker, batch_id, shop, "#204060")
    # byte for byte the card drawn whole, with the id on it
    assert card == share_card(None, None, product, maker, batch_id, shop, "#204060")
    if shop:  # (else the base has no line there, and the card is drawn whole)
        drawn, plain = np.asarray(card_image(card), dtype=int), np.asarray(card_image(base), dtype=int)
        differs = np.flatnonzero(np.abs(drawn - plain).max(axis=(1, 2)) > 0)
        id_line = layout(product, maker, batch_id, shop)[-1]
        assert id_line.box[1] - ROW < differs.min() and differs.max() < id_line.box[3] + ROW
    assert_bare(card, "JPEG")


def test_rows_of_a_jpeg_not_made_alike_are_refused() -> None:
    base = brand_base("Cap", "Maker", "Shop", "#204060")
    other = encoded(Image.new("RGB", (CARD_SIZE[0], ROW)), "JPEG")  # no restart markers
    with pytest.raises(ValueError, match="restart markers"):
        split(other)
    narrow = split(encode(Image.new("RGB", (600, ROW)), 75))
    with pytest.raises(ValueError, match="does not fit"):
        splice(split(base), narrow, 3)
    with pytest.raises(ValueError, match="does not fit"):
        splice(split(base), split(encode(Image.new("RGB", (CARD_SIZE[0], 3 * ROW)), 75)), 38)


def test_card_crops_around_the_focus() -> None:
    halves = Image.new("RGB", (800, 200), RED)
    halves.paste(BLUE, (400, 0, 800, 200))
    photo = encoded(halves, "PNG")

    def top_right(focus: tuple[float, float]) -> tuple[int, int, int]:
        card = card_image(share_card(photo, focus, "Cap", "Maker", "B1", "Shop", "#000000"))
        assert card.size == CARD_SIZE
        return colour_of(encoded(card.crop((900, 0, 1200, 200)), "PNG"))

    assert top_right((0, 0.5)) == pytest.approx(RED, abs=10)
    assert top_right((1, 0.5)) == pytest.approx(BLUE, abs=10)
    assert top_right((0.5, 0.5)) != pytest.approx(top_right((0, 0.5)), abs=10)


def test_card_with_a_sideways_photo(sideways: bytes, tmp_path) -> None:
    data = share_card(
        sideways, (0.5, 0.3), LONG_NAME, "Nähwerk Kreuzberg", "B-2026-014", "Kiez Threads", "#000"
    )
    assert len(data) < 100_000
    assert data == share_card(
        sideways, (0.5, 0.3), LONG_NAME, "Nähwerk Kreuzberg", "B-2026-014", "Kiez Threads", "#000"
    )
    assert_bare(data, "JPEG")
    source = tmp_path / "photo.jpg"
    source.write_bytes(sideways)
    script = (
        "import hashlib, sys\n"
        "from mfsite.photos import share_card\n"
        "args = (open(sys.argv[1], 'rb').read(), (0.5, 0.3), sys.argv[2], 'Nähwerk Kreuzberg', 'B-2026-014',"
        " 'Kiez Threads', '#000')\n"
        "print(hashlib.sha256(share_card(*args)).hexdigest())\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(source), LONG_NAME], capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "product",
    [
        LONG_NAME,
        "Donaudampfschifffahrtsgesellschaftskapitänsmützenmanufakturwerkstattsonderedition " * 3,
        "Äußerst łódzka čapka ő €",
    ],
)
def test_card_text_wraps_within_the_card(product: str) -> None:
    lines = layout(product, "Nähwerk Kreuzberg " * 8, "B-2026-014", "Kiez Threads Store " * 6)
    name = [line for line in lines if line.bold]
    assert 1 <= len(name) <= PRODUCT_LINES
    if len(product) > 100:
        assert name[-1].text.endswith("…")
    for line in lines:
        left, top, right, bottom = line.box
        assert left >= MARGIN and right <= CARD_SIZE[0] - MARGIN
        assert top >= 0 and bottom <= CARD_SIZE[1]
    for upper, lower in itertools.pairwise(lines):
        assert upper.box[3] <= lower.box[1]  # no line runs into the next
    # and on the card: nothing drawn in the right margin
    card = card_image(
        share_card(None, None, product, "Nähwerk Kreuzberg " * 8, "B-1", "Kiez " * 30, "#204060")
    )
    margin = np.asarray(card.crop((CARD_SIZE[0] - MARGIN + 12, 0, *CARD_SIZE)), dtype=int)
    assert np.abs(margin - (0x20, 0x40, 0x60)).max() < 24


@pytest.mark.parametrize("bold", [False, True])
def test_the_font_draws_the_letters_of_the_names(bold: bool) -> None:
    font: ImageFont.FreeTypeFont = _font(48, bold)

    def drawn(letter: str) -> Image.Image:
        image = Image.new("L", (80, 80))
        ImageDraw.Draw(image).text((10, 60), letter, fill=255, font=font, anchor="ls")
        return image

    missing = drawn("\u4e00").tobytes()  # no CJK in DejaVu Sans: the empty box (.notdef)
    assert drawn("\u4e01").tobytes() == missing  # which any missing letter draws
    for letter in "äßłčő€ÄŁČŐ":
        image = drawn(letter)
        assert image.getbbox() is not None, letter
        assert image.tobytes() != missing, letter


def test_a_pillow_without_avif_is_told_once_at_the_first_photo() -> None:
    """Where Pillow cannot write AVIF the photos go out as JPEG only: a warning (MF109) says so
    once, at the first photo named, and says how to get AVIF; nothing where AVIF is there or no
    photo is named."""
    from mfsite.diagnostics import Span
    from mfsite.model import Photo
    from mfsite.validate.photos import warn_without_avif

    photos = [
        Photo("yard.jpg", Span("content/stories/yard.md", 4, 8), "The yard"),
        Photo("hoodie.jpg", Span("batches/hd.yaml", 12, 10), "A hoodie"),
        Photo("hoodie-back.jpg", Span("batches/hd.yaml", 15, 10), "Its back"),
    ]
    problems: list = []
    warn_without_avif(photos, avif=False, problems=problems)
    assert [(p.code, p.severity, p.span) for p in problems] == [("MF109", "warning", photos[1].span)]
    assert "JPEG only" in problems[0].message and "pip install --upgrade pillow" in problems[0].message
    for avif, named in ((True, photos), (False, [])):
        quiet: list = []
        warn_without_avif(named, avif=avif, problems=quiet)
        assert quiet == []
    assert avif_available()  # (where a built site has AVIF copies, test_photo_site sees no MF109)
