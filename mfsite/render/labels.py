"""The printed batch receipt: what goes on a label, and how big its code prints.

GS1 asks for at least 0.396 mm per module for retail scanning; a code sewn
into a garment meets worse light and cheaper phones, so we warn below 0.4 mm.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from mfsite.model import Batch, Site, SiteConfig
from mfsite.render.qr import QrSymbol, inline_svg, size_of

MIN_MODULE_MM = Decimal("0.4")


@dataclass(frozen=True, slots=True)
class LabelFacts:
    version: int
    modules: int  # modules per side, without the quiet zone
    qr_mm: Decimal  # printed size, quiet zone included
    module_mm: Decimal

    @staticmethod
    def of(symbol: QrSymbol, config: SiteConfig) -> LabelFacts:
        return LabelFacts.of_version(symbol.version, config)

    @staticmethod
    def of_version(version: int, config: SiteConfig) -> LabelFacts:
        return _facts(version, config.qr.quiet_zone, config.label.qr_mm)

    @property
    def too_small(self) -> bool:
        return self.module_mm < MIN_MODULE_MM


@lru_cache(maxsize=64)
def _facts(version: int, quiet_zone: int, qr_mm: Decimal) -> LabelFacts:
    """The same for every code of a version: a site's codes come in a few versions."""
    size = size_of(version)
    module = (qr_mm / (size + 2 * quiet_zone)).quantize(Decimal("0.01"))
    return LabelFacts(version, size, qr_mm, module)


def label_context(site: Site, batch: Batch, symbol: QrSymbol) -> dict[str, object]:
    config = site.config
    return {
        "label": config.label,
        "qr_facts": LabelFacts.of(symbol, config),
        "qr_svg": inline_svg(symbol, config.qr, f"QR code: {symbol.data}"),
        "shop_name": config.shop.name or config.title,
    }
