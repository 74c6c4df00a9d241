"""A batch's share card (og.jpg): its photo, or the brand's colour, with the product's name on it.

The text is laid out first (`layout`, plain data: what goes where) and then drawn, so that where it
lands can be checked without reading pixels.

A brand card (no photo) is the same for every batch of one product and maker but for its id line.
It is drawn and encoded once without the id (`brand_base`), and each batch's card is that one with
the rows of its id line drawn and encoded on their own and put in place (`with_batch_id`, through
photos/rows.py): the same bytes as drawing the whole card, in a tenth of the time."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont, ImageOps

from mfsite.photos import rows
from mfsite.plan import CARD_SIZE

MAX_CARD_BYTES = 100_000
MARGIN = 64  # left and right; the text never comes closer to the card's edges
BOTTOM = 52
PRODUCT_SIZES = (64, 56, 50, 44)  # the name shrinks through these before it is cut short
PRODUCT_LINES = 3
MAKER_SIZE = 34
DETAILS_SIZE = 27
ELLIPSIS = "…"
# Tried in turn until the card is small enough: most photos stop at the first.
QUALITIES = tuple(range(85, 9, -5))
FLAT_QUALITY = 75  # text on one colour: crisp enough at the size a card is shown, and small

_FONTS = Path(__file__).resolve().parent.parent / "theme" / "fonts"
_ON_PHOTO = (255, 255, 255)
_SCRIM_ALPHA = 165  # of 255: black under white text, legible over any photo
_SCRIM_FADE = 72  # px over which the scrim fades in above the text, not a hard edge across the photo


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text: drawn with its left end of the baseline at (x, y)."""

    text: str
    x: int
    y: int
    size: int
    bold: bool
    box: tuple[int, int, int, int]  # what it covers on the card: left, top, right, bottom


def share_card(
    photo: bytes | None,
    focus: tuple[float, float] | None,
    product: str,
    maker: str,
    batch_id: str,
    shop: str,
    colour: str,
) -> bytes:
    """The 1200 x 630 JPEG shown where a batch's page is shared (og:image), under 100 KB.

    `photo` fills the card, cropped as CSS `object-position: x% y%` would crop it for `focus` (x, y
    from 0 to 1; the centre when None), so that the card and the page show the same part of it.
    Without a photo the card is `colour` ("#rrggbb"). A photo that cannot be read raises PhotoProblem."""
    lines = layout(product, maker, batch_id, shop)
    if photo is None:
        return rows.encode(_flat(lines, colour, CARD_SIZE[1]), FLAT_QUALITY)
    card = _filled(photo, focus or (0.5, 0.5))
    if lines:
        card = _with_scrim(card, min(line.box[1] for line in lines))
    _draw(card, lines, _ON_PHOTO)
    return _small_jpeg(card)


def brand_base(product: str, maker: str, shop: str, colour: str) -> bytes:
    """The brand card without a batch id: what `with_batch_id` starts from."""
    return share_card(None, None, product, maker, "", shop, colour)


def with_batch_id(base: bytes, product: str, maker: str, batch_id: str, shop: str, colour: str) -> bytes:
    """The brand card of this batch, from its `brand_base`: byte for byte what `share_card` draws,
    with only the rows of blocks under the id line drawn and encoded."""
    lines, unlabelled = layout(product, maker, batch_id, shop), layout(product, maker, "", shop)
    if len(lines) != len(unlabelled) or lines[:-1] != unlabelled[:-1]:
        return share_card(None, None, product, maker, batch_id, shop, colour)  # (no shop: the id is alone)
    first = min(lines[-1].box[1], unlabelled[-1].box[1]) // rows.ROW
    end = -(-max(lines[-1].box[3], unlabelled[-1].box[3]) // rows.ROW)
    top, bottom = first * rows.ROW, end * rows.ROW
    if bottom > CARD_SIZE[1]:
        return share_card(None, None, product, maker, batch_id, shop, colour)  # (the last row is cut short)
    inside = tuple(replace(ln, y=ln.y - top) for ln in lines if ln.box[3] > top and ln.box[1] < bottom)
    strip = rows.encode(_flat(inside, colour, bottom - top), FLAT_QUALITY)
    return rows.splice(rows.split(base), rows.split(strip), first)


def layout(product: str, maker: str, batch_id: str, shop: str) -> tuple[Line, ...]:
    """Where each line of text goes: the product's name (bold, up to 3 lines, smaller if it needs more,
    cut short with an ellipsis if it still does), then the maker, then the batch and the shop; the
    block stands on the card's bottom margin. Empty parts take no line."""
    width = CARD_SIZE[0] - 2 * MARGIN
    blocks: list[tuple[Sequence[str], int, bool]] = []
    if name := _clean(product):
        size, wrapped = _fitted_name(name, width)
        blocks.append((wrapped, size, True))
    if maker := _clean(maker):
        blocks.append(((_shortened(maker, _font(MAKER_SIZE, False), width),), MAKER_SIZE, False))
    if details := " · ".join(part for part in (_clean(batch_id), _clean(shop)) if part):
        blocks.append(((_shortened(details, _font(DETAILS_SIZE, False), width),), DETAILS_SIZE, False))
    return _placed(blocks)


def _placed(blocks: list[tuple[Sequence[str], int, bool]]) -> tuple[Line, ...]:
    """The lines stacked upwards from the bottom margin, each block a little apart from the next."""
    placed: list[Line] = []
    y = CARD_SIZE[1] - BOTTOM
    for texts, size, bold in reversed(blocks):
        font = _font(size, bold)
        _, descent = font.getmetrics()
        y -= descent
        for text in reversed(texts):
            left, top, right, bottom = _extent(text, size, bold)
            placed.append(
                Line(text, MARGIN, y, size, bold, (MARGIN + left, y + top, MARGIN + right, y + bottom))
            )
            y -= round(size * 1.18)
        y -= round(size * 0.3)
    return tuple(reversed(placed))


@lru_cache(maxsize=1024)  # (the lines above the id repeat on every card of a product and maker)
def _extent(text: str, size: int, bold: bool) -> tuple[int, int, int, int]:
    """What the text covers drawn from (0, 0) on its baseline: left, top, right, bottom."""
    return _font(size, bold).getbbox(text, anchor="ls")


@lru_cache(maxsize=256)  # (a site's cards repeat a few products' names)
def _fitted_name(name: str, width: int) -> tuple[int, tuple[str, ...]]:
    """The largest size at which the name takes at most 3 lines; else the smallest, its last line cut."""
    for size in PRODUCT_SIZES:
        wrapped = _wrapped(name, _font(size, True), width)
        if len(wrapped) <= PRODUCT_LINES:
            return size, tuple(wrapped)
    font = _font(PRODUCT_SIZES[-1], True)
    kept = wrapped[: PRODUCT_LINES - 1]
    rest = " ".join(wrapped[PRODUCT_LINES - 1 :])
    return PRODUCT_SIZES[-1], (*kept, _shortened(rest, font, width, always=True))


def _wrapped(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap by drawn width; a word wider than a line is cut where it reaches the edge."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while font.getlength(word) > width:
            cut = _fitting(word, font, width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _fitting(text: str, font: ImageFont.FreeTypeFont, width: int, suffix: str = "") -> int:
    """How many of the text's first characters fit in `width` followed by `suffix` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle] + suffix) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _shortened(text: str, font: ImageFont.FreeTypeFont, width: int, always: bool = False) -> str:
    """The text if it fits, else as much of it as fits followed by an ellipsis (`always`: the
    ellipsis even if it fits, for a text that was already cut)."""
    if not always and font.getlength(text) <= width:
        return text
    if font.getlength(text + ELLIPSIS) <= width:
        return text + ELLIPSIS
    return text[: _fitting(text, font, width, ELLIPSIS)].rstrip() + ELLIPSIS


def _clean(text: str) -> str:
    """One line of composed characters: the fonts are drawn without shaping, which would place a
    separate combining accent badly, and a newline has no place on a card."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@cache
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    """The bundled DejaVu Sans, laid out by Pillow itself rather than by libraqm where present, so that
    the card's bytes do not depend on whether Pillow was built with it (left-to-right text only)."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(_FONTS / name), size, layout_engine=ImageFont.Layout.BASIC)


def _filled(photo: bytes, focus: tuple[float, float]) -> Image.Image:
    from mfsite.photos import decode  # (the photo processing: only for a card over a photo)

    image, _ = decode(photo, cover=CARD_SIZE)
    x, y = (min(1.0, max(0.0, value)) for value in focus)
    return ImageOps.fit(image, CARD_SIZE, Image.Resampling.LANCZOS, centering=(x, y))


def _with_scrim(card: Image.Image, text_top: int) -> Image.Image:
    """Black laid over the card from a little above the text down, fading in over its first pixels."""
    top = max(0, text_top - 28)
    fade_top = max(0, top - _SCRIM_FADE)
    mask = Image.new("L", CARD_SIZE, 0)
    mask.paste(_SCRIM_ALPHA, (0, top, CARD_SIZE[0], CARD_SIZE[1]))
    if top > fade_top:
        ramp = Image.linear_gradient("L").resize((CARD_SIZE[0], top - fade_top), Image.Resampling.BILINEAR)
        mask.paste(ramp.point(lambda value: value * _SCRIM_ALPHA // 255), (0, fade_top))
    return Image.composite(Image.new("RGB", CARD_SIZE, (0, 0, 0)), card, mask)


def _flat(lines: tuple[Line, ...], colour: str, height: int) -> Image.Image:
    """Lines on the brand's colour, on a card or a strip of one `height` high."""
    background = _rgb(colour)
    card = Image.new("RGB", (CARD_SIZE[0], height), background)
    _draw(card, lines, _ink_on(background))
    return card


def _draw(card: Image.Image, lines: tuple[Line, ...], ink: tuple[int, int, int]) -> None:
    draw = ImageDraw.Draw(card)
    for line in lines:
        draw.text((line.x, line.y), line.text, fill=ink, font=_font(line.size, line.bold), anchor="ls")


def _rgb(colour: str) -> tuple[int, int, int]:
    try:
        red, green, blue = ImageColor.getrgb(colour)[:3]
    except ValueError:
        raise ValueError(f"not a colour: {colour!r} (expected #rrggbb)") from None
    return red, green, blue


def _ink_on(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """White or near black, whichever contrasts more with the background (WCAG's relative luminance)."""
    dark = (17, 17, 17)
    lightness = _luminance(background)
    on_white = 1.05 / (lightness + 0.05)  # white's luminance is 1
    on_dark = (lightness + 0.05) / (_luminance(dark) + 0.05)
    return _ON_PHOTO if on_white >= on_dark else dark


def _luminance(colour: tuple[int, int, int]) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _small_jpeg(card: Image.Image) -> bytes:
    """The card as a progressive JPEG at the best quality that stays under MAX_CARD_BYTES (the last
    tried if none does: a photo of pure noise)."""
    for quality in QUALITIES:
        data = _jpeg(card, quality)
        if len(data) <= MAX_CARD_BYTES:
            break
    return data


def _jpeg(card: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    card.save(out, "JPEG", quality=quality, progressive=True, optimize=True, subsampling="4:2:0")
    return out.getvalue()
