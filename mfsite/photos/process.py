"""Photos turned into the copies a page publishes: upright, sRGB, no metadata, a few widths in AVIF and JPEG.

Plain bytes in, plain data out. Nothing here knows about the site, the engine or the templates; the
caller names the copies (by a hash of the source and `recipe_key()`) and writes them."""

from __future__ import annotations

import base64
import io
import math
import re
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from functools import cache

import PIL
from PIL import Image, ImageCms, ImageOps, JpegImagePlugin, features


@dataclass(frozen=True, slots=True)
class Recipe:
    """How every copy is made. Any change here (or in Pillow or a codec) changes `recipe_key()`, and
    so the names of the copies: a browser or CDN never keeps an old copy under a new recipe."""

    widths: tuple[int, ...] = (480, 960, 1440)
    avif_quality: int = 50
    # 7 takes half the time of the default 6 for a few per cent more bytes; fixed, because the
    # bytes depend on it.
    avif_speed: int = 7
    # The encoder splits the picture differently for each thread count, and so makes other bytes.
    avif_threads: int = 1
    jpeg_quality: int = 78
    jpeg_subsampling: str = "4:2:0"
    # The inline placeholder: its longest side, so that a tall photo's stays as small as a wide one's.
    preview_side: int = 20
    preview_quality: int = 50


RECIPE = Recipe()

# Refused before decoding: a phone photo is 12 to 50 megapixels and a few MB; more is a scan, a
# panorama or a decompression bomb, none of which a product page needs.
MAX_PIXELS = 50_000_000
MAX_BYTES = 40_000_000

# Formats read (a phone's JPEG with a depth map, MPO, opens as JPEG). Pillow reads many more, some
# through other programs (EPS runs Ghostscript): a file dropped into photos/ should not reach them.
_FORMATS = ("JPEG", "PNG", "WEBP", "AVIF", "GIF", "TIFF")
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"heif"})
_HEIF_NEUTRAL_BRANDS = frozenset({b"mif1", b"msf1"})  # used by HEIC and AVIF alike
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_ORIENTATION = 0x0112
_GPS_IFD = 0x8825
_GPS_LATITUDE, _GPS_LONGITUDE = 2, 4
_WHITE = (255, 255, 255)


class PhotoProblem(Exception):
    """A photo that cannot be published, with a message for the person who added it."""


@dataclass(frozen=True, slots=True)
class Shape:
    """A photo as it will be seen: width and height after its EXIF orientation; format in lower case."""

    width: int
    height: int
    format: str


@dataclass(frozen=True, slots=True)
class Copy:
    width: int
    height: int
    format: str  # "avif" or "jpeg"
    data: bytes


@dataclass(frozen=True, slots=True)
class Processed:
    """The copies of one photo, and what a page shows before they arrive."""

    width: int  # of the upright original
    height: int
    copies: tuple[Copy, ...]  # by width, AVIF before JPEG at each
    colour: str  # "#rrggbb": the photo's average colour, for the placeholder's background
    preview: str  # a data: URI of a tiny copy, for a blurred placeholder


def avif_available() -> bool:
    """Whether this Pillow encodes AVIF; without it `process` makes JPEG copies only."""
    return features.check("avif")


def recipe_key() -> str:
    """The recipe and the versions of what carries it out, as a short stable text.

    Part of every copy's name: a new Pillow, libavif, encoder, libjpeg or LittleCMS may make other
    bytes, and then makes new copies rather than mixing old and new ones under one name."""
    recipe = ",".join(str(value) for value in astuple(RECIPE))
    codecs = " ".join(f"{name}={features.version(name)}" for name in ("avif", "jpg", "littlecms2", "webp"))
    return f"photos1 {recipe} pillow={PIL.__version__} {codecs} avif-encoder={_avif_encoder()[1]}"


def inspect(data: bytes) -> Shape:
    """The photo's upright size and format. Its pixels are decoded too (a JPEG at an eighth of its
    size, which is quick), so that a truncated or corrupt file is told where it is named when it is
    added, not found half-way through processing."""
    with _pillow_errors(), _opened(data) as image:
        shape = _shape(image, data)
        if isinstance(image, JpegImagePlugin.JpegImageFile):
            image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
        return shape


def process(data: bytes) -> Processed:
    """The published copies of a photo (see `Processed`); the same bytes always make the same copies."""
    image, shape = decode(data, cover=(max(RECIPE.widths), 1))
    scaled = [_scaled(image, shape, width) for width, _ in copy_sizes(shape.width, shape.height)]
    copies = tuple(copy for picture in scaled for copy in _encoded(picture))
    smallest = scaled[0]
    return Processed(shape.width, shape.height, copies, _average_colour(smallest), _preview(smallest))


def decode(data: bytes, cover: tuple[int, int]) -> tuple[Image.Image, Shape]:
    """The photo upright, in sRGB, as RGB without alpha or metadata, and its upright original shape.

    `cover` is the largest size (width, height) the caller will scale it down to: a JPEG is decoded
    at the smallest of 1/2, 1/4 or 1/8 of its size that still covers it, which decodes a phone photo
    for a 1440 px copy several times faster and in a quarter of the memory."""
    with _pillow_errors(), _opened(data) as image:
        shape = _shape(image, data)
        scale = min(1.0, max(cover[0] / shape.width, cover[1] / shape.height))
        if isinstance(image, JpegImagePlugin.JpegImageFile) and scale < 1:
            image.draft(image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
        profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
        return _bare(_to_srgb(upright, profile)), shape


def has_gps(data: bytes) -> bool:
    """Whether an image file carries GPS coordinates (EXIF's GPS latitude and longitude, or XMP's).

    For files published as they are (static/), to warn that they tell where they were taken.
    Anything unreadable is reported as without: this only ever adds a warning."""
    try:
        with _opened(data) as image:
            gps = image.getexif().get_ifd(_GPS_IFD) if _may_have_exif(image, data) else {}
            if _GPS_LATITUDE in gps and _GPS_LONGITUDE in gps:
                return True
            xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp") or b""
            return (b"GPSLatitude" if isinstance(xmp, bytes) else "GPSLatitude") in xmp
    except Exception:  # garbage in any of the ways Pillow's parsers fail: not ours to report
        return False


# -- reading


_open_lock = threading.Lock()


@contextmanager
def _opened(data: bytes) -> Iterator[Image.Image]:
    """The image, opened (its header read) from bytes that were checked first.

    Pillow only warns of an image between 89 and 179 megapixels; the warning is made an error here,
    under a lock because the warning filters are one for the whole process."""
    if not data:
        raise PhotoProblem("the file is empty")
    if len(data) > MAX_BYTES:
        raise PhotoProblem(f"the file is {len(data) / 1e6:.1f} MB; the most is {MAX_BYTES / 1e6:.0f} MB")
    formats = (*_FORMATS, "HEIF") if _is_heif(data) and _heif_registered() else _FORMATS
    with _open_lock, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=formats)
    with image:
        yield image


def _is_heif(data: bytes) -> bool:
    """HEIC/HEIF by its ISO-BMFF `ftyp` box, which AVIF shares: told apart by the brands."""
    if data[4:8] != b"ftyp" or len(data) < 12:
        return False
    size = int.from_bytes(data[:4], "big")
    major = data[8:12]
    compatible = {data[i : i + 4] for i in range(16, min(size, 64, len(data)) - 3, 4)}
    if major in _HEIF_BRANDS:
        return True
    return major in _HEIF_NEUTRAL_BRANDS and not compatible & _AVIF_BRANDS and bool(compatible & _HEIF_BRANDS)


@cache
def _heif_registered() -> bool:
    try:
        from pillow_heif import register_heif_opener  # an optional extra
    except ImportError:
        raise PhotoProblem("HEIC photos need the optional extra: pip install 'mfsite[heic]'") from None
    register_heif_opener()
    return True


def _shape(image: Image.Image, data: bytes) -> Shape:
    pixels = _pixels(image)
    if pixels > MAX_PIXELS:
        raise PhotoProblem(
            f"the image is {_megapixels(pixels)} megapixels; the most is {_megapixels(MAX_PIXELS)}"
        )
    width, height = image.size
    turned = _may_have_exif(image, data) and image.getexif().get(_ORIENTATION) in (5, 6, 7, 8)
    if turned:  # a quarter turn: width and height swap
        width, height = height, width
    kind = "jpeg" if image.format == "MPO" else (image.format or "unknown").lower()
    return Shape(width, height, kind)


def _may_have_exif(image: Image.Image, data: bytes) -> bool:
    """False for a PNG that surely has no EXIF (nor XMP, where Pillow also looks for an orientation).

    Pillow reads a PNG's eXIf chunk that follows the pixels by decoding them all: reading a header
    would cost a full decode. Most PNGs have none, which a search of the bytes shows at once."""
    if image.format != "PNG" or "exif" in image.info or "XML:com.adobe.xmp" in image.info:
        return True
    return b"eXIf" in data


def _pixels(image: Image.Image) -> int:
    return image.width * image.height


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1e6:.0f}"


# What Pillow raises on a damaged file (the list its own fuzzing tests accept, and some its parsers
# let through). AttributeError or NameError are not among them: a bug here still shows as one.
_READ_ERRORS = (
    OSError,  # "image file is truncated", "broken data stream", ...
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    IndexError,
    KeyError,
    TypeError,
    NotImplementedError,
    OverflowError,
    ZeroDivisionError,
    MemoryError,
)


@contextmanager
def _pillow_errors() -> Iterator[None]:
    """Every way reading a bad file fails, as one PhotoProblem."""
    try:
        yield
    except PhotoProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoProblem(_bomb_message(str(error))) from None
    except Image.UnidentifiedImageError:
        raise PhotoProblem("not an image mfsite reads (JPEG, PNG, WebP, AVIF, HEIC, GIF or TIFF)") from None
    except _READ_ERRORS as error:
        raise PhotoProblem(f"truncated or corrupt image ({error})") from None


def _bomb_message(pillow_message: str) -> str:
    """Pillow refuses before we see the size; its message carries it."""
    most = f"the most is {_megapixels(MAX_PIXELS)}"
    if found := re.search(r"\((\d+) pixels\)", pillow_message):
        return f"the image is {_megapixels(int(found[1]))} megapixels; {most}"
    return f"the image is too large to open safely; {most} megapixels"


# -- colour


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    """RGB in sRGB, any transparency laid on white (a product photo cut out is shown on white)."""
    colours, alpha = _split_alpha(image)
    rgb = _converted(colours, profile)
    if alpha is None:
        return rgb
    flat = Image.new("RGB", rgb.size, _WHITE)
    flat.paste(rgb, mask=alpha)
    return flat


def _split_alpha(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """The colour channels in a mode LittleCMS reads (RGB, L or CMYK), and the alpha apart."""
    if image.mode.startswith("I"):
        # 16-bit grey: convert("L") clips the values at 255 instead of scaling them
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.has_transparency_data:
        grey = image.mode in ("1", "L", "LA", "La")
        with_alpha = image.convert("LA" if grey else "RGBA")
        return with_alpha.convert("L" if grey else "RGB"), with_alpha.getchannel("A")
    if image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    return image, None


def _converted(image: Image.Image, profile: bytes | None) -> Image.Image:
    if profile:
        try:
            return ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                _srgb(),
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a damaged profile, or one for other colours than the pixels': read as sRGB, as browsers do
    return image.convert("RGB")


def _bare(image: Image.Image) -> Image.Image:
    """The pixels without what Pillow carries along in `info` (EXIF with GPS, XMP, the ICC profile,
    comments): the AVIF and JPEG writers copy some of it from there unless told otherwise."""
    image.info = {}
    return image


# -- copies


def copy_sizes(width: int, height: int) -> tuple[tuple[int, int], ...]:
    """The sizes of a photo's copies, from its upright size alone (the plan names the copies before
    any is made): the recipe's widths the photo reaches, never more (one copy at its own width if it
    reaches none), each height from the original's proportions."""
    widths = tuple(w for w in RECIPE.widths if w <= width) or (width,)
    return tuple((w, max(1, round(height * w / width))) for w in widths)


def copy_formats() -> tuple[str, ...]:
    """The formats of each copy, the preferred first."""
    return ("avif", "jpeg") if avif_available() else ("jpeg",)


def _scaled(image: Image.Image, shape: Shape, width: int) -> Image.Image:
    """The upright photo at `width`, its height from the original's proportions (not the decoded
    draft's, which are rounded up)."""
    height = dict(copy_sizes(shape.width, shape.height))[width]
    if image.size == (width, height):
        return image
    # reducing_gap: a box reduction first, then LANCZOS over the last factor of 3; the same result to
    # the eye, several times faster on a large photo.
    return _bare(image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0))


def _encoded(image: Image.Image) -> Iterator[Copy]:
    if avif_available():
        yield Copy(image.width, image.height, "avif", _avif(image))
    yield Copy(image.width, image.height, "jpeg", _jpeg(image))


def _avif(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(
        out,
        "AVIF",
        quality=RECIPE.avif_quality,
        speed=RECIPE.avif_speed,
        max_threads=RECIPE.avif_threads,
        codec=_avif_encoder()[0],
    )
    return out.getvalue()


@cache
def _avif_encoder() -> tuple[str, str | None]:
    """The AVIF encoder, by name, and its version: libaom when built in (the one Pillow's wheels
    carry), so that the bytes do not depend on which other encoders a build happens to have."""
    if not avif_available():
        return "auto", None
    from PIL import AvifImagePlugin  # only where AVIF is built in

    version = AvifImagePlugin.get_codec_version("aom")
    return ("aom", version) if version else ("auto", None)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        quality=RECIPE.jpeg_quality,
        progressive=True,
        optimize=True,
        subsampling=RECIPE.jpeg_subsampling,
    )
    return out.getvalue()


def _average_colour(image: Image.Image) -> str:
    red, green, blue = image.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    return f"#{red:02x}{green:02x}{blue:02x}"


def _preview(image: Image.Image) -> str:
    """A data: URI of a copy a few pixels across, shown blurred and stretched while the photo loads:
    WebP (a third of JPEG's bytes at this size), JPEG where Pillow lacks it."""
    side = RECIPE.preview_side
    scale = side / max(image.size)
    tiny = image.resize(
        (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.Resampling.BOX
    )
    out = io.BytesIO()
    if features.check("webp"):
        tiny.save(out, "WEBP", quality=RECIPE.preview_quality, method=6)
        kind = "webp"
    else:
        tiny.save(out, "JPEG", quality=RECIPE.preview_quality, optimize=True)
        kind = "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(out.getvalue()).decode('ascii')}"
