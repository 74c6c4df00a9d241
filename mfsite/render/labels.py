"""The printed batch receipt: what goes on a label, and how big its code prints.

GS1 asks for at least 0.396 mm per module for retail scanning; a code sewn
into a garment meets worse light and cheaper phones, so we warn below 0.4 mm.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mfsite.model import Batch, Site, SiteConfig
from mfsite.render.qr import QrSymbol, inline_svg

MIN_MODULE_MM = Decimal("0.4")


@dataclass(frozen=True, slots=True)
class LabelFacts:
    version: int
    modules: int  # modules per side, without the quiet zone
    qr_mm: Decimal  # printed size, quiet zone included
    module_mm: Decimal

    @classmethod
    def of(cls, symbol: QrSymbol, config: SiteConfig) -> LabelFacts:
        across = symbol.size + 2 * config.qr.quiet_zone
        module = (config.label.qr_mm / across).quantize(Decimal("0.01"))
        return cls(symbol.version, symbol.size, config.label.qr_mm, module)

    @property
    def too_small(self) -> bool:
        return self.module_mm < MIN_MODULE_MM


def label_context(site: Site, batch: Batch, symbol: QrSymbol) -> dict[str, object]:
    config = site.config
    return {
        "label": config.label,
        "qr_facts": LabelFacts.of(symbol, config),
        "qr_svg": inline_svg(symbol, config.qr, f"QR code: {symbol.data}"),
        "shop_name": config.shop.name or config.title,
    }
