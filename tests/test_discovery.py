"""Discovery: JSON-LD, sharing tags, sitemap.xml, feed.xml, batches.json, robots.txt.

XML is read back with a real parser, JSON-LD is expanded with pyld (offline,
with a minimal local schema.org context), and every URL is checked against
the files on disk.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import copy_example, mfsite, tree_bytes, write_site
from htmlcheck import parse, target_file
from PIL import Image, ImageColor
from pyld import jsonld

from mfsite.photos import brand_base, share_card

BASE = "https://shop.example.test/kiez/"
BRAND = "#a13d1c"  # the example's theme colour (site.yaml)
MINI = "https://mini.example/shop/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SDO = "https://schema.org/"
LD_BLOCK = re.compile(r'<script type="application/ld\+json">\n(.*?)\n</script>', re.S)
HOSTILE = "</script><script>alert(1)</script> ]]> <!-- & \"double\" 'single' &amp; \\u003c"


def loader(url: str, options: object = None) -> dict[str, object]:
    """schema.org's context, offline: every term is a schema.org term."""
    assert url.rstrip("/") in ("https://schema.org", "http://schema.org"), url
    document = {"@context": {"@vocab": SDO}}
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


def ld_blocks(page: Path) -> list[str]:
    return LD_BLOCK.findall(page.read_text(encoding="utf-8"))


def expand(page: Path) -> dict[str, object]:
    (block,) = ld_blocks(page)
    assert not set("<>&") & set(block), page  # nothing the HTML parser could read as markup
    (node,) = jsonld.expand(json.loads(block), {"documentLoader": loader})
    return node


def values(node: dict[str, object], term: str) -> list[object]:
    return [v.get("@value", v.get("@id", v)) for v in node.get(SDO + term, [])]  # type: ignore[union-attr]


def yaml_text(text: str) -> str:
    """A YAML single-quoted scalar holding exactly `text`."""
    return "'" + text.replace("'", "''") + "'"


# JSON-LD -----------------------------------------------------------------------------------------


def test_batch_pages_carry_some_products_json_ld(example_build: Path) -> None:
    pages = sorted(example_build.glob("b/*/index.html"))
    assert len(pages) >= 12
    for page in pages:
        node = expand(page)
        assert node["@type"] == [SDO + "SomeProducts"], page
        for term in ("name", "productionDate", "manufacturer", "material", "countryOfOrigin", "subjectOf"):
            assert values(node, term), (page, term)
        (maker,) = node[SDO + "manufacturer"]
        assert maker["@type"] == [SDO + "Organization"]
        assert values(maker, "name")
    node = expand(example_build / "b/tee-2602-a/index.html")  # a batch with a GTIN and certificates
    assert values(node, "gtin") == ["09506000134352"]
    assert SDO + "hasGS1DigitalLink" not in node  # gs1_digital_link is off: that address is not a page
    assert values(node, "productionDate") == ["2026-02-09"]
    certs = node[SDO + "hasCertification"]
    assert {c["@type"][0] for c in certs} == {SDO + "Certification"}
    assert ["GOTS"] in [values(c, "name") for c in certs]
    assert all(values(c, "certificationIdentification") and values(c, "url") for c in certs)
    (passport,) = node[SDO + "subjectOf"]
    assert values(passport, "url") == [f"{BASE}b/tee-2602-a/passport.json"]
    assert (example_build / "b/tee-2602-a/passport.json").is_file()
    no_gtin = expand(example_build / "b/hd-2611-a/index.html")
    assert SDO + "gtin" not in no_gtin


def test_partner_and_story_pages_carry_json_ld(example_build: Path) -> None:
    partners = sorted(example_build.glob("partners/*/index.html"))
    assert partners
    for page in partners:
        node = expand(page)
        assert node["@type"] == [SDO + "Organization"]
        assert node["@id"] == f"{BASE}partners/{page.parent.name}/#organization"
        assert values(node, "name") and values(node, "url") == [f"{BASE}partners/{page.parent.name}/"]
    oslo = expand(example_build / "partners/vevstua-oslo/index.html")
    (address,) = oslo[SDO + "address"]
    assert values(address, "addressCountry") == ["NO"]
    # The batch names the same node as its maker's page.
    beanie = expand(example_build / "b/bn-2610-a/index.html")
    assert beanie[SDO + "manufacturer"][0]["@id"] == oslo["@id"]
    story = expand(example_build / "stories/winter-capsule-2026/index.html")
    assert story["@type"] == [SDO + "Article"]
    assert values(story, "datePublished") == ["2026-09-15"]
    for page in ("index.html", "404.html", "about/index.html", "materials/norwegian-wool/index.html"):
        assert ld_blocks(example_build / page) == [], page


def test_digital_link_is_named_only_where_the_page_lives(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"site.yaml": f"title: Mini\nbase_url: {MINI}\ngs1_digital_link: true\n"})
    with (site / "batches/tee-1.yaml").open("a", encoding="utf-8") as batch:
        batch.write("gtin: 09506000134352\n")
    assert mfsite("build", "--source", site).code == 0
    page = site / "output/01/09506000134352/10/tee-1/index.html"
    node = expand(page)
    assert values(node, "hasGS1DigitalLink") == [f"{MINI}01/09506000134352/10/tee-1/"]
    assert values(node, "url") == values(node, "hasGS1DigitalLink")
    assert ld_blocks(site / "output/b/tee-1/index.html") == []  # the redirect page says nothing


# Sharing -----------------------------------------------------------------------------------------


def meta(page: Path) -> dict[str, str]:
    found = {}
    for tag, attrs in parse(page).tags:
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            found[attrs.get("property") or attrs["name"]] = attrs["content"]  # type: ignore[index]
        if tag == "link" and attrs.get("rel") == "canonical":
            found["canonical"] = attrs["href"]  # type: ignore[assignment]
    return found


def test_batch_and_story_pages_have_sharing_tags(example_build: Path) -> None:
    batch = meta(example_build / "b/hd-2611-a/index.html")
    assert batch["canonical"] == batch["og:url"] == f"{BASE}b/hd-2611-a/"
    assert batch["og:title"] == "Heavyweight Hoodie, Ink · batch HD-2611-A"
    assert batch["og:type"] == "website"
    assert batch["og:site_name"] == "Kiez Threads"
    assert batch["og:description"] == batch["description"]
    # Its share card, drawn from its main photo
    assert batch["twitter:card"] == "summary_large_image"
    assert batch["og:image"] == batch["twitter:image"] == f"{BASE}b/hd-2611-a/og.jpg"
    assert (batch["og:image:width"], batch["og:image:height"]) == ("1200", "630")
    assert batch["og:image:alt"].startswith("Illustration: the ink-blue heavyweight hoodie")
    assert (example_build / "b/hd-2611-a/og.jpg").is_file()
    # No photo: the brand card, in the theme's colour, says what it shows, its batch id too
    tee = meta(example_build / "b/tee-2602-a/index.html")
    assert tee["twitter:card"] == "summary_large_image"
    assert tee["og:image"] == f"{BASE}b/tee-2602-a/og.jpg"
    assert tee["og:image:alt"] == "Organic Heavy Tee, Black · Nähwerk Neukölln · tee-2602-a · Kiez Threads"
    with Image.open(example_build / "b/tee-2602-a/og.jpg") as card:
        assert card.size == (1200, 630)
        assert card.getpixel((600, 40)) == pytest.approx(ImageColor.getrgb(BRAND), abs=4)
    # the card of this batch, id and all: not the base shared by its product and maker
    texts = ("Organic Heavy Tee, Black", "Nähwerk Neukölln", "tee-2602-a", "Kiez Threads")
    published = (example_build / "b/tee-2602-a/og.jpg").read_bytes()
    assert published == share_card(None, None, *texts, BRAND)
    assert published != brand_base(texts[0], texts[1], texts[3], BRAND)
    story = meta(example_build / "stories/a-day-at-naehwerk/index.html")
    assert story["canonical"] == story["og:url"] == f"{BASE}stories/a-day-at-naehwerk/"
    assert story["og:type"] == "article"
    assert story["og:title"] == "A day at Nähwerk Neukölln"
    assert story["og:description"].startswith("Twelve minutes by bike")
    assert story["article:published_time"] == "2026-05-12"


def test_story_image_becomes_an_absolute_og_image(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {"content/stories/drop.md": "---\ntitle: The drop\nimage: photos/drop one.jpg\n---\nA story.\n"},
    )
    (site / "static/photos").mkdir(parents=True)
    (site / "static/photos/drop one.jpg").write_bytes(b"\xff\xd8\xff")
    assert mfsite("build", "--source", site).code == 0
    tags = meta(site / "output/stories/drop/index.html")
    assert tags["og:image"] == tags["twitter:image"] == f"{MINI}static/photos/drop%20one.jpg"
    assert tags["twitter:card"] == "summary_large_image"
    assert target_file(site / "output", tags["og:image"].replace("%20", " "), MINI).is_file()  # type: ignore[union-attr]


def test_every_page_links_the_feed(example_build: Path) -> None:
    pages = [p for p in example_build.rglob("*.html") if "label" not in p.parts]
    assert len(pages) > 30
    for page in pages:
        feeds = [a for t, a in parse(page).tags if t == "link" and a.get("type") == "application/atom+xml"]
        assert len(feeds) == 1 and feeds[0]["rel"] == "alternate", page
        href = feeds[0]["href"] or ""
        if page.name == "404.html":  # served at any address: its links start from the base path
            assert href == "/kiez/feed.xml"
        else:  # a page in another language links that language's feed
            feed = example_build / (
                "de/feed.xml" if page.is_relative_to(example_build / "de") else "feed.xml"
            )
            assert page.parent.joinpath(href).resolve() == feed.resolve(), page


# sitemap.xml, robots.txt ---------------------------------------------------------------------------


def test_sitemap_lists_every_page_and_only_pages(example_build: Path) -> None:
    root = ET.parse(example_build / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    entries = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root}
    assert len(entries) == len(root)  # no duplicates
    for url in entries:
        assert url.startswith(BASE), url
        target = target_file(example_build, url, BASE)
        assert target is not None and target.is_file(), url
        assert "/label/" not in url and not url.endswith("404.html")
    pages = {
        BASE + p.relative_to(example_build).as_posix().removesuffix("index.html")
        for p in example_build.rglob("index.html")
        if "label" not in p.parts
    }
    assert set(entries) == pages  # no redirects or aliases in this example, so: every page
    # Dates from the data, not the clock.
    assert entries[BASE] == "2026-11-20"  # the newest batch
    assert entries[f"{BASE}b/hd-2611-a/"] == "2026-11-20"
    assert entries[f"{BASE}stories/a-day-at-naehwerk/"] == "2026-05-12"
    assert entries[f"{BASE}partners/vevstua-oslo/"] == "2026-10-08"  # its newest batch
    assert entries[f"{BASE}about/"] is None  # free pages have no date
    robots = (example_build / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_sitemap_skips_redirects_and_compact_aliases(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "site.yaml": f"title: Mini\nbase_url: {MINI}\ngs1_digital_link: true\nqr:\n  compact: true\n",
            "batches/tee-2.yaml": batch_yaml("Tee two", "2026-11-21"),
        },
    )
    with (site / "batches/tee-1.yaml").open("a", encoding="utf-8") as batch:
        batch.write("gtin: 09506000134352\n")
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    out = site / "output"
    assert (out / "B/TEE-2/index.html").is_file() and (out / "b/tee-1/index.html").is_file()
    locs = [u.findtext(f"{SITEMAP}loc") for u in ET.parse(out / "sitemap.xml").getroot()]
    assert f"{MINI}01/09506000134352/10/tee-1/" in locs
    assert f"{MINI}b/tee-2/" in locs
    assert f"{MINI}b/tee-1/" not in locs  # a redirect
    assert f"{MINI}B/TEE-2/" not in locs  # the compact alias of b/tee-2/
    index = json.loads((out / "batches.json").read_text(encoding="utf-8"))
    assert [b["url"] for b in index["batches"]] == [f"{MINI}b/tee-2/", f"{MINI}01/09506000134352/10/tee-1/"]


# feed.xml ------------------------------------------------------------------------------------------


def test_feed_is_atom_newest_first(example_build: Path) -> None:
    root = ET.parse(example_build / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Kiez Threads"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == f"{BASE}feed.xml"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(list(example_build.glob("b/*/index.html")))  # fewer than the cap of 50
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert root.findtext(f"{ATOM}updated") == updated[0] == "2026-11-20T00:00:00Z"
    for entry in entries:
        url = entry.findtext(f"{ATOM}id")
        assert url and url.startswith(BASE)
        assert target_file(example_build, url, BASE).is_file()  # type: ignore[union-attr]
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}summary")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", entry.findtext(f"{ATOM}updated") or "")
        alternate = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
        assert [link.get("href") for link in alternate] == [url]


def batch_yaml(product: str, produced: str) -> str:
    return (
        f"product: {product}\nproduced: {produced}\npartner: atelier\n"
        "origin: {place: Berlin, country: DE}\nmaterials: [{material: cotton, percent: 100}]\n"
        "care: {wash: 30, bleach: no, tumble: low, iron: low}\n"
    )


def test_feed_cap_is_configurable(tmp_path: Path) -> None:
    files: dict[str, str | None] = {
        f"batches/b{i}.yaml": batch_yaml(f"Tee {i}", f"2026-0{i}-01") for i in range(1, 6)
    }
    files["site.yaml"] = f"title: Mini\nbase_url: {MINI}\nfeed:\n  entries: 2\n"
    files["batches/tee-1.yaml"] = None
    site = write_site(tmp_path, files)
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    root = ET.parse(site / "output/feed.xml").getroot()
    ids = [e.findtext(f"{ATOM}id") for e in root.findall(f"{ATOM}entry")]
    assert ids == [f"{MINI}b/b5/", f"{MINI}b/b4/"]
    index = json.loads((site / "output/batches.json").read_text(encoding="utf-8"))
    assert len(index["batches"]) == 5  # the cap is the feed's only


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("feed:\n  entries: 0\n", "site.yaml:5:12: error: feed.entries: 0 is below 1"),
        (
            "feed:\n  entires: 5\n",
            "site.yaml:5:3: error: unknown key 'entires' in feed; did you mean 'entries'?",
        ),
    ],
)
def test_bad_feed_settings_are_errors(tmp_path: Path, setting: str, message: str) -> None:
    site = write_site(tmp_path, {"site.yaml": f"title: Mini\nbase_url: {MINI}\n\n{setting}"})
    run = mfsite("check", "--source", site)
    assert run.code == 1
    assert any(line.startswith(message) for line in run.lines), run.lines


# batches.json ------------------------------------------------------------------------------------


def test_batches_json_for_integrations(example_build: Path) -> None:
    index = json.loads((example_build / "batches.json").read_text(encoding="utf-8"))
    assert index["url"] == BASE and index["title"] == "Kiez Threads"
    batches = index["batches"]
    assert len(batches) == len(list(example_build.glob("b/*/index.html")))
    dates = [b["produced"] for b in batches]
    assert dates == sorted(dates, reverse=True)
    for entry in batches:
        assert set(entry) == {"id", "url", "product", "produced", "gtin", "quantity", "partner", "passport"}
        assert entry["url"] == f"{BASE}b/{entry['id'].lower()}/"
        assert target_file(example_build, entry["url"], BASE).is_file()  # type: ignore[union-attr]
        assert target_file(example_build, entry["passport"], BASE).is_file()  # type: ignore[union-attr]
        assert (example_build / "partners" / entry["partner"]["id"] / "index.html").is_file()
        html = (example_build / f"b/{entry['id'].lower()}/index.html").read_text(encoding="utf-8")
        assert f"<h1>{entry['product']}</h1>" in html
    hoodie = next(b for b in batches if b["id"] == "HD-2611-A")
    assert hoodie["partner"] == {"id": "naehwerk-neukoelln", "name": "Nähwerk Neukölln"}
    assert next(b for b in batches if b["id"] == "tee-2602-a")["gtin"] == "09506000134352"


# Hostile text --------------------------------------------------------------------------------------


def test_hostile_names_stay_data_everywhere(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "content/partners/atelier.md": f"---\nname: {yaml_text(HOSTILE)}\ncountry: DE\n---\nWe sew.\n",
            "content/stories/drop.md": f"---\ntitle: {yaml_text(HOSTILE)}\ndate: 2026-11-01\n---\nA story.\n",
        },
    )
    batch = site / "batches/tee-1.yaml"
    batch.write_text(
        batch.read_text(encoding="utf-8").replace("product: Tee", f"product: {yaml_text(HOSTILE)}")
    )
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    out = site / "output"
    # JSON-LD: the block holds no < > &, parses, and gives back the text exactly.
    product = expand(out / "b/tee-1/index.html")
    assert values(product, "name") == [HOSTILE]
    assert values(product[SDO + "manufacturer"][0], "name") == [HOSTILE]  # type: ignore[index]
    assert values(expand(out / "partners/atelier/index.html"), "name") == [HOSTILE]
    assert values(expand(out / "stories/drop/index.html"), "headline") == [HOSTILE]
    for page in out.rglob("*.html"):
        scripts = [a for t, a in parse(page).tags if t == "script"]
        assert all(a == {"type": "application/ld+json"} for a in scripts), page
    # passport.json and batches.json: valid JSON that round-trips the text.
    passport = json.loads((out / "b/tee-1/passport.json").read_text(encoding="utf-8"))
    assert passport["credentialSubject"]["product"]["name"] == HOSTILE
    assert passport["credentialSubject"]["product"]["producedByParty"]["name"] == HOSTILE
    assert passport["credentialSubject"]["product"]["furtherInformation"][0]["linkName"] == HOSTILE
    index = json.loads((out / "batches.json").read_text(encoding="utf-8"))
    assert index["batches"][0]["product"] == HOSTILE
    assert index["batches"][0]["partner"]["name"] == HOSTILE
    # XML parses, and its text is the input.
    entry = ET.parse(out / "feed.xml").getroot().find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}title") == f"{HOSTILE} · batch tee-1"
    assert HOSTILE in (entry.findtext(f"{ATOM}summary") or "")
    assert ET.parse(out / "sitemap.xml").getroot().tag == f"{SITEMAP}urlset"
    # Sharing tags are attributes: escaped by the template, read back intact.
    assert meta(out / "b/tee-1/index.html")["og:title"] == f"{HOSTILE} · batch tee-1"
    assert meta(out / "stories/drop/index.html")["og:title"] == HOSTILE


# Reproducible ------------------------------------------------------------------------------------


def test_source_date_epoch_changes_nothing_when_the_data_has_dates(tmp_path: Path) -> None:
    site = copy_example(tmp_path / "site")
    outputs = []
    for epoch in ("0", "1900000000"):
        env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
        out = tmp_path / f"out-{epoch}"
        assert mfsite("build", "--source", site, "--output", out, env=env).code == 0
        outputs.append(tree_bytes(out))
    assert outputs[0] == outputs[1]
    assert {"feed.xml", "sitemap.xml", "batches.json", "b/hd-2611-a/passport.json"} <= set(outputs[0])


def test_without_dates_the_feed_uses_source_date_epoch(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {"batches/tee-1.yaml": None, "content/stories/drop.md": "---\ntitle: The drop\n---\nA story.\n"},
    )
    updated = []
    for epoch in ("1767225600", "", None):  # 2026-01-01, empty, unset
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        if epoch is not None:
            env["SOURCE_DATE_EPOCH"] = epoch
        run = mfsite("build", "--source", site, env=env)
        assert run.code == 0, run.err
        root = ET.parse(site / "output/feed.xml").getroot()
        assert root.findall(f"{ATOM}entry") == []
        updated.append(root.findtext(f"{ATOM}updated"))
    assert updated == ["2026-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"]


def test_without_a_base_url_there_is_nothing_absolute_to_write(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"site.yaml": "title: Mini\nqr:\n  formats: []\n"})
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    out = site / "output"
    for name in ("feed.xml", "sitemap.xml", "batches.json", "b/tee-1/passport.json"):
        assert not (out / name).exists(), name
    html = (out / "b/tee-1/index.html").read_text(encoding="utf-8")
    assert "application/atom+xml" not in html and "ld+json" not in html and "og:url" not in html
    assert "Sitemap:" not in (out / "robots.txt").read_text(encoding="utf-8")
