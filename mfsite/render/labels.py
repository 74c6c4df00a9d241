"""The printed batch receipt: what goes on a label, and how big its code prints.

GS1 asks for at least 0.396 mm per module for retail scanning; a code sewn
into a garment meets worse light and cheaper phones, so we warn below 0.4 mm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from mfsite import codes
from mfsite.diagnostics import Diagnostic, SiteErrors, Span
from mfsite.i18n import Words
from mfsite.model import Batch, Site, SiteConfig
from mfsite.render.qr import QrSymbol, QrTooLong, inline_svg, size_of
from mfsite.render.text import ENGLISH

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


def label_context(site: Site, batch: Batch, symbol: QrSymbol, words: Words = ENGLISH) -> dict[str, object]:
    config = site.config
    return {
        "label": config.label,
        "qr_facts": LabelFacts.of(symbol, config),
        "qr_svg": inline_svg(symbol, config.qr, words.gettext("QR code: %(url)s", url=symbol.data)),
        "shop_name": config.shop.name or config.title,
    }


def qr_facts(
    facts_of: Callable[[Batch], LabelFacts], batches: Iterable[Batch]
) -> tuple[dict[str, LabelFacts], list[Diagnostic]]:
    """These batches' QR codes, made once; warnings where a label would print too small."""
    facts: dict[str, LabelFacts] = {}
    warnings = []
    for batch in batches:
        try:
            found = facts[batch.id] = facts_of(batch)
        except QrTooLong as exc:
            message = f"base_url: the address of batch '{batch.id}' is too long for a QR code ({exc})"
            raise SiteErrors([Diagnostic(Span("site.yaml"), codes.BAD_URL, message)]) from None
        if found.too_small:
            warnings.append(too_small(batch, found))
    return facts, warnings


def kept_qr_facts(
    site: Site, versions: dict[str, int], batches: Iterable[Batch]
) -> tuple[dict[str, LabelFacts], list[Diagnostic]]:
    """The facts of codes the output keeps, from their versions in the record: the same, since
    a kept batch has the same address, without a look at the codes."""
    of_version: dict[int, LabelFacts] = {}
    facts: dict[str, LabelFacts] = {}
    warnings = []
    for batch in batches:
        version = versions[batch.id]
        if version not in of_version:
            of_version[version] = LabelFacts.of_version(version, site.config)
        found = facts[batch.id] = of_version[version]
        if found.too_small:
            warnings.append(too_small(batch, found))
    return facts, warnings


def too_small(batch: Batch, found: LabelFacts) -> Diagnostic:
    message = (
        f"the label's QR code prints at {found.module_mm} mm per module (version "
        f"{found.version}, {found.modules} modules in {found.qr_mm} mm); below {MIN_MODULE_MM} mm "
        "phones may fail to scan it: raise label.qr_mm or shorten the address"
    )
    return Diagnostic(batch.span, codes.QR_PRINT_SIZE, message, "warning")
