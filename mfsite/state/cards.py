"""Share cards (`b/<id>/og.jpg`), kept in `.mfsite-cache/cards/` between builds.

A batch with photos is shared with its main photo, cropped around its focus, under its product,
maker, batch id and the shop's name. A batch without one is shared with the brand card: the
shop's colour under the same texts. Drawing a card takes a few milliseconds, and one per batch
would add more to a cold build of 10,000 photo-less batches than rendering all their pages; but
the brand card is the same for every batch of one product by one maker except its id line. So
that card is kept without the id (its base), and each batch's card is made from it with only the
id line's rows drawn (photos/card.py), in a fraction of a millisecond, and not kept.

Each photo card and base is kept under a digest of everything it is drawn from (the texts, the
colour, the photo's bytes and focus, mfsite's code and the libraries' versions), so a rebuild draws
only a card whose batch changed what it shows. Those no site batch uses any more are removed at the
end of a build that made or removed a card, once the cache holds more cards than the site has
batches.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path

from mfsite import dependencies, own_digest
from mfsite.model import Batch, Site
from mfsite.render.cards import card_texts
from mfsite.state.store import write_file

CARDS_FOLDER = "cards"


def card_key(site: Site, batch: Batch) -> str:
    """The key of a batch's photo card, or of the base of its brand card (which has no id)."""
    product, maker, batch_id, shop = card_texts(site, batch)
    parts = [dependencies(), own_digest(), site.config.theme.colour, product, maker, shop]
    if batch.photos:
        photo = batch.photos[0]
        parts += [batch_id, site.photos[photo.src].digest, repr(photo.focus)]
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=10).hexdigest()


class Cards:
    """The site's share cards: read from the cache, else drawn and kept there."""

    def __init__(self, state_folder: Path, source: Path) -> None:
        self.folder = state_folder / CARDS_FOLDER
        self.source = source
        self.bases: dict[str, bytes] = {}  # brand card bases this process has: each serves many batches

    def card(self, site: Site, batch: Batch) -> bytes:
        from mfsite.photos import with_batch_id  # (Pillow: imported only to draw)

        key = card_key(site, batch)
        found = self.bases.get(key)
        if found is None:
            try:
                found = (self.folder / f"{key}.jpg").read_bytes()
            except OSError:
                found = self._draw(site, batch)
                with contextlib.suppress(OSError):
                    self.folder.mkdir(parents=True, exist_ok=True)
                write_file(self.folder, f"{key}.jpg", found)  # (whole, or not at all)
        if batch.photos:
            return found
        self.bases[key] = found
        return with_batch_id(found, *card_texts(site, batch), site.config.theme.colour)

    def _draw(self, site: Site, batch: Batch) -> bytes:
        """The photo card, or the brand card's base."""
        from mfsite.photos import brand_base, share_card

        product, maker, batch_id, shop = card_texts(site, batch)
        colour = site.config.theme.colour
        if not batch.photos:
            return brand_base(product, maker, shop, colour)
        photo = batch.photos[0]
        data = (self.source / "photos" / photo.src).read_bytes()
        return share_card(data, photo.focus, product, maker, batch_id, shop, colour)

    def clear(self) -> None:
        """Keep nothing (`--clean`): every card is drawn anew."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def prune(self, site: Site) -> None:
        """Remove the photo cards and bases no batch of the site shows, once there are more
        cards than batches (no site needs more): finding them asks every batch's texts, which
        a batch loaded from the state keeps in its body, and a few cards unused meanwhile cost
        only their room on disk."""
        try:
            names = [entry.name for entry in os.scandir(self.folder) if not entry.name.startswith(".")]
        except OSError:
            return
        if len(names) <= len(site.batches):
            return
        keep = {f"{card_key(site, batch)}.jpg" for batch in _one_per_card(site)}
        for name in names:
            if name not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / name)


def _one_per_card(site: Site) -> list[Batch]:
    """One batch for each card kept: every batch with photos, one of each product and maker without."""
    found: dict[object, Batch] = {}
    for batch in site.batches:
        found.setdefault(batch.id if batch.photos else (str(batch.product), batch.partner.id), batch)
    return list(found.values())
