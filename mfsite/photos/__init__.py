"""Photos: the published copies of a photo and a batch's share card, from bytes; nothing of the site."""

from importlib import import_module

# Where each name lives: a part is imported when first asked for (PEP 562), so a rebuild that
# draws one brand card loads Pillow's drawing, not the photo processing (ICC profiles, EXIF).
_PARTS = {
    "card": ("CARD_SIZE", "brand_base", "share_card", "with_batch_id"),
    "process": (
        "MAX_BYTES", "MAX_PIXELS", "RECIPE", "Copy", "PhotoProblem", "Processed", "Recipe", "Shape",
        "avif_available", "copy_formats", "copy_sizes", "decode", "has_gps", "inspect", "process",
        "recipe_key",
    ),
}  # fmt: skip
_PART_OF = {name: part for part, names in _PARTS.items() for name in names}


def __getattr__(name: str) -> object:
    part = _PART_OF.get(name)
    if part is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = import_module(f"{__name__}.{part}")
    # Every name of the part, at once: importing the part set `process` to the module, and the
    # name is the function's.
    globals().update((each, getattr(module, each)) for each in _PARTS[part])
    return globals()[name]


__all__ = sorted(_PART_OF)
