"""What a batch's share card says (state/cards.py keeps the cards, photos/card.py draws them)."""

from __future__ import annotations

from mfsite.model import Batch, Site


def card_texts(site: Site, batch: Batch) -> tuple[str, str, str, str]:
    """Its product, its maker, its id and the shop's name."""
    shop = site.config.shop.name or site.config.title
    return str(batch.product), str(site.partners[batch.partner.id].name), batch.id, shop


def card_alt(site: Site, batch: Batch) -> str:
    """The card's alt text: the main photo's, or what the brand card says."""
    if batch.photos:
        return str(batch.photos[0].alt)
    return " · ".join(text for text in card_texts(site, batch) if text)
