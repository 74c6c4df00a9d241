"""Photos: the published copies of a photo and a batch's share card, from bytes; nothing of the site."""

from mfsite.photos.card import CARD_SIZE, brand_base, share_card, with_batch_id
from mfsite.photos.process import (
    MAX_BYTES,
    MAX_PIXELS,
    RECIPE,
    Copy,
    PhotoProblem,
    Processed,
    Recipe,
    Shape,
    avif_available,
    copy_formats,
    copy_sizes,
    decode,
    has_gps,
    inspect,
    process,
    recipe_key,
)

__all__ = [
    "CARD_SIZE",
    "MAX_BYTES",
    "MAX_PIXELS",
    "RECIPE",
    "Copy",
    "PhotoProblem",
    "Processed",
    "Recipe",
    "Shape",
    "avif_available",
    "brand_base",
    "copy_formats",
    "copy_sizes",
    "decode",
    "has_gps",
    "inspect",
    "process",
    "recipe_key",
    "share_card",
    "with_batch_id",
]
