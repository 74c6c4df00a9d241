"""A batch's GS1 linkset (RFC 9264, `application/linkset+json`): with `gs1_digital_link`, the
file `linkset.json` beside the page at the batch's Digital Link address, so that GS1 resolvers
and apps find the page in each language, the passport and the label.

The shape is the one GS1's resolver standard (1.2.0) and its linkset JSON schema ask for: the
anchor is the Digital Link URI the QR code encodes (without the final slash), link types are
full IRIs in GS1's vocabulary, every link has a title, `hreflang` is a list, and there is one
`defaultLink`. GS1 has no link type for a printable label: that one is mfsite's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfsite.render.passport import to_json

GS1 = "https://ref.gs1.org/voc/"
PRINT_LABEL = "https://w3id.org/mfsite/v1/printLabel"  # (GS1's schema: letters, digits, . and / only)


@dataclass(frozen=True, slots=True)
class Link:
    href: str  # absolute
    title: str
    type: str
    lang: str | None = None

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {"href": self.href, "title": self.title, "type": self.type}
        if self.lang:
            found["hreflang"] = [self.lang]
        return found


def linkset(anchor: str, description: str, pages: list[Link], passport: Link, label: Link) -> bytes:
    """`pages`: the batch page in each language, the default first (the resolver's default)."""
    entry: dict[str, object] = {
        "anchor": anchor.rstrip("/"),
        "itemDescription": description,
        GS1 + "defaultLink": [{"href": pages[0].href, "title": pages[0].title}],
        GS1 + "pip": [page.as_json() for page in pages],
        GS1 + "dpp": [passport.as_json()],
        PRINT_LABEL: [label.as_json()],
    }
    return to_json({"linkset": [entry]})
