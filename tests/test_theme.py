"""The theme's own logic: readable brand colours, the journey's layout, the catalogue filter."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import MINI_SITE, REPO, mfsite, write_site

from mfsite.load.sources import load_sources
from mfsite.model import Theme
from mfsite.render.journey import TEXT_WIDTH, Point, layout, text_width, wrap
from mfsite.render.pages import FILTER_MIN_ROWS, maker_filter, maker_key
from mfsite.validate import validate
from mfsite.validate.config import DARK_GROUND, LIGHT_GROUND, accents, blend, contrast

STYLE = (REPO / "mfsite" / "theme" / "templates" / "style.css").read_text(encoding="utf-8")
DARK_PAPER = "#171513"


def test_the_grounds_the_validator_measures_against_are_the_themes() -> None:
    assert f"--paper: {LIGHT_GROUND};" in STYLE
    assert f"--card: {DARK_GROUND};" in STYLE
    assert f"--paper: {DARK_PAPER};" in STYLE
    # Tints are the accent with an alpha: "14" (8 %) on light, "1f" (12 %) on dark.
    assert (
        "--tint: {{ site.theme.accent }}14;" in STYLE and "--tint: {{ site.theme.accent_dark }}1f;" in STYLE
    )


@pytest.mark.parametrize(
    "colour", ["#a13d1c", "#ffcc00", "#ffffff", "#000000", "#2255ee", "#7fff00", "#808080", "#e63946"]
)
def test_any_brand_colour_is_made_readable_in_both_schemes(colour: str) -> None:
    light, dark = accents(colour)
    assert contrast(light, LIGHT_GROUND) >= 5.0
    assert contrast(dark, DARK_GROUND) >= 6.0 and contrast(dark, DARK_PAPER) >= 6.0
    # Badges and the journey's distances: accent text on the accent's own tint.
    assert contrast(light, blend(light, 0x14 / 255, LIGHT_GROUND)) >= 4.5
    assert contrast(dark, blend(dark, 0x1F / 255, DARK_PAPER)) >= 4.5
    # Buttons and the chosen filter: white on the light accent, the dark page's colour on the dark one.
    assert contrast("#ffffff", light) >= 4.5 and contrast(DARK_PAPER, dark) >= 4.5


def test_a_colour_that_reads_already_is_kept_and_the_default_is_derived_alike() -> None:
    assert accents("#a13d1c")[0] == "#a13d1c"
    default = Theme()
    assert accents(default.colour) == (default.accent, default.accent_dark)


def test_theme_settings_reach_every_page(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "site.yaml": """\
                title: Mini Shop
                base_url: https://mini.example/shop/
                theme:
                  colour: "#ffcc00"
                  logo: mark.png
                  logo_dark: mark-dark.png
                """,
            "static/mark.png": "png",
            "static/mark-dark.png": "png",
        },
    )
    assert mfsite("build", "--source", site).code == 0
    light, dark = accents("#ffcc00")
    for page in (site / "output").rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        if "/label/" in page.as_posix():
            continue
        assert "--brand: #ffcc00;" in html and f"--accent: {light};" in html and f"--accent: {dark};" in html
        assert re.search(
            r'<source srcset="(\.\./)*static/mark-dark\.png" media="\(prefers-color-scheme: dark\)">', html
        )
        assert re.search(r'<img src="(\.\./)*static/mark\.png" alt="" height="36">', html)


def point(title: str, where: tuple[float, float] | None, **extra: object) -> Point:
    return Point(title, extra.get("who"), extra.get("place"), extra.get("when"), where)  # type: ignore[arg-type]


def test_the_journey_measures_only_between_places_it_knows() -> None:
    figure = layout(
        [
            point("Spinning", (59.9, 10.7), place="Oslo, Norway", when=date(2026, 1, 2)),
            point("Dyeing", None, place="Somewhere"),
            point("Knitting", (52.5, 13.4), who="Atelier"),
            Point("The Shop", "Our shop", "Main Street 1", None, (52.5, 13.5), shop=True),
        ]
    )
    assert figure is not None
    assert [s.km for s in figure.stops] == [None, None, None, "6.8 km"]
    assert [leg.km for leg in figure.legs] == [None, None, "6.8 km"]
    assert figure.total_km is None  # one leg unknown: no total that would mislead
    assert [s.shop for s in figure.stops] == [False, False, False, True]
    ys = [s.y for s in figure.stops]
    assert ys == sorted(ys) and figure.height > ys[-1]
    whole = layout([point("A", (52.0, 13.0)), point("B", (52.0, 14.0))])
    assert whole is not None and whole.total_km == "68 km"
    assert layout([]) is None


def test_journey_lines_are_wrapped_to_the_picture() -> None:
    long_word = "Baumwollspinnereiundwebereigesellschaft" * 2
    for kind in ("t", "w", "m"):
        lines = wrap(["Kleine Strickerei am Ende der Straße", "Chemnitz, Saxony, Germany", long_word], kind)
        assert all(text_width(line, kind) <= TEXT_WIDTH for line in lines)
        assert "".join(lines).replace(" · ", "").replace(" ", "") == (
            "KleineStrickereiamEndederStraßeChemnitz,Saxony,Germany" + long_word
        )
    assert wrap(["Plauen, Germany", "30 October 2026"], "m") == ["Plauen, Germany · 30 October 2026"]


def test_journey_text_is_escaped_in_the_picture(tmp_path: Path) -> None:
    journey = """\
        journey:
          - step: "</text><script>alert(1)</script>"
            place: "<tspan onclick='x'>Berlin & co</tspan>"
            country: DE
          - step: sewing
            partner: atelier
        """
    files = {"batches/tee-1.yaml": MINI_SITE["batches/tee-1.yaml"].rstrip(" ") + journey}
    site = write_site(tmp_path, files)
    assert mfsite("build", "--source", site).code == 0
    html = (site / "output" / "b" / "tee-1" / "index.html").read_text(encoding="utf-8")
    svg = html[html.index('<svg class="journey-map"') : html.index("</svg>")]
    assert "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "&lt;tspan onclick=&#39;x&#39;&gt;Berlin &amp; co" in svg
    assert "<script" not in svg and "<tspan" not in svg


def test_the_filter_offers_each_maker_of_the_list() -> None:
    sources, _ = load_sources(REPO)
    site, _ = validate(sources, None, False)
    assert site is not None
    facets = maker_filter(site, site.batches)
    names = [f.label for f in facets]
    counts = [f.count for f in facets]
    assert sum(counts) == len(site.batches) and counts == sorted(counts, reverse=True)
    assert names[0] == "Nähwerk Neukölln"
    # A maker's key is its own, the same on every page (a month page keeps its rows), and safe in CSS.
    assert facets[0].key == maker_key("naehwerk-neukoelln")
    keys = {f.key for f in facets}
    assert len(keys) == len(facets) and all(re.fullmatch("m[0-9a-f]{10}", key) for key in keys)
    assert maker_filter(site, site.batches[: FILTER_MIN_ROWS - 1]) == []
    one_maker = [b for b in site.batches if b.maker == "naehwerk-neukoelln"]
    assert maker_filter(site, one_maker) == []
    # The maker a batch's head names is the one its whole data names.
    assert all(b.maker == b.partner.id for b in site.batches)
