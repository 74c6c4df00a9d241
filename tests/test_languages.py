"""A site in two languages, built by the real command line: every page of each language in that
language, linked to the others; labels, feeds and sitemaps as SPEC.md ("Languages") says; and a
site without `languages` exactly as before."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import MINI_SITE, mfsite, tree_bytes, write_site
from htmlcheck import parse

from mfsite.i18n import extract

BASE = "https://mini.example/shop/"
NBSP = "\u00a0"

TWO_LANGUAGES = {
    "site.yaml": """\
        title: Mini Shop
        base_url: https://mini.example/shop/
        language: de
        languages: [de, en]
        label:
          languages: [de, fr, en]
        shop:
          name: Mini Shop
          coordinates: [52.5, 13.4]
        """,
    "content/materials/cotton.md": """\
        ---
        name: {de: Bio-Baumwolle, en: Organic cotton}
        fibre: cotton
        ---
        Weich.
        """,
    "content/materials/cotton.en.md": """\
        ---
        ---
        Soft.
        """,
    "content/stories/drop.md": """\
        ---
        title: Der Drop
        date: 2026-11-01
        ---
        Eine Geschichte.
        """,
    # The mini site's batch, its texts per language, made in March (a month with an umlaut).
    "batches/tee-1.yaml": MINI_SITE["batches/tee-1.yaml"]
    .replace("product: Tee", "product: {de: T-Shirt, en: Tee}")
    .replace("produced: 2026-11-20", "produced: 2026-03-20")
    .replace(
        "story: drop",
        "  notes: [{de: Auf links waschen, en: Wash inside out}]\n"
        "        qc:\n"
        "          - check: Nahtfestigkeit\n"
        "            result: pass\n"
        "        story: drop",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("languages") / "site", TWO_LANGUAGES)
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    return site / "output"


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_each_language_has_its_pages_and_the_printed_code_opens_the_default(built: Path) -> None:
    for page in ["index.html", "b/tee-1/index.html", "partners/atelier/index.html", "about/index.html"]:
        assert (built / page).is_file() and (built / "en" / page).is_file(), page
    # The QR images, labels, passports and lists for machines exist once, at their own paths.
    for once in ["b/tee-1/qr.svg", "b/tee-1/label/index.html", "b/tee-1/passport.json", "batches.json"]:
        assert (built / once).is_file() and not (built / "en" / once).exists(), once
    assert json.loads(text_of(built / "b/tee-1/passport.json"))  # one passport, valid JSON


def test_the_default_page_is_german_through_and_through(built: Path) -> None:
    page = text_of(built / "b/tee-1/index.html")
    assert '<html lang="de">' in page
    assert "<h1>T-Shirt</h1>" in page
    assert "20. März 2026" in page  # CLDR's long date, not the machine's locale
    assert f"100{NBSP}% Baumwolle" in page  # the Annex I name, CLDR's percent
    assert "Maschinenwäsche bei 30" in page and "Auf links waschen" in page
    assert "Nicht bleichen" in page and ">bestanden<" in page
    assert "Woraus es besteht" in page and "Pflegehinweise" in page


def test_the_english_page_is_english_and_marks_what_is_not(built: Path) -> None:
    page = text_of(built / "en/b/tee-1/index.html")
    assert '<html lang="en">' in page
    assert "<h1>Tee</h1>" in page and "20 March 2026" in page
    assert "Machine wash at 30 °C" in page and "Wash inside out" in page
    assert f"100{NBSP}% cotton" in page
    # Not translated: shown in German, inside an element that says so, for screen readers.
    assert '<span lang="de">Nahtfestigkeit</span>' in page
    assert '<span lang="de">Der Drop</span>' in page
    # A translation file's body, and a story without one.
    assert "Soft." in text_of(built / "en/materials/cotton/index.html")
    assert '<div lang="de"><p>Eine Geschichte.</p>' in text_of(built / "en/stories/drop/index.html")


def test_every_page_links_to_its_other_languages(built: Path) -> None:
    for page, other, lang in [
        ("b/tee-1/index.html", "en/b/tee-1/", "en"),
        ("en/b/tee-1/index.html", "b/tee-1/", "de"),
        ("index.html", "en/", "en"),
        ("en/stories/drop/index.html", "stories/drop/", "de"),
    ]:
        parsed = parse(built / page)
        alternates = {
            attrs["hreflang"]: attrs["href"]
            for tag, attrs in parsed.tags
            if tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs
        }
        default = page.removeprefix("en/").removesuffix("index.html")
        assert alternates == {
            "de": BASE + default,
            "en": BASE + "en/" + default,
            "x-default": BASE + default,
        }, page
        # The visible switcher: plain links, each language named in itself.
        switch = [attrs for tag, attrs in parsed.tags if tag == "a" and attrs.get("hreflang") == lang]
        assert len(switch) == 1 and switch[0]["lang"] == lang, page
        target = (built / page).parent / switch[0]["href"] / "index.html"
        assert target.resolve() == (built / other / "index.html").resolve(), page
    assert ">English</a>" in text_of(built / "b/tee-1/index.html")
    assert ">Deutsch</a>" in text_of(built / "en/b/tee-1/index.html")


def test_links_stay_in_their_language(built: Path) -> None:
    page = parse(built / "en/b/tee-1/index.html")
    hrefs = [attrs["href"] for tag, attrs in page.tags if tag == "a" and "href" in attrs]
    assert "../../../en/partners/atelier/" in hrefs
    assert "../../../b/tee-1/label/" in hrefs  # the label exists once


def test_labels_print_composition_and_care_in_every_label_language(built: Path) -> None:
    label = text_of(built / "b/tee-1/label/index.html")
    # French names are not confirmed in mfsite's data: printed in English (with a warning).
    assert f"100{NBSP}% Baumwolle / cotton" in label
    care = re.findall(r'<p class="label-care" lang="(\w+)">([^<]*)</p>', label)
    assert [lang for lang, _ in care] == ["de", "fr", "en"]
    assert care[0][1].startswith("Maschinenwäsche bei 30")
    assert care[2][1].startswith("Machine wash at 30 °C")


def test_feeds_and_sitemap_per_language(built: Path) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    german = ET.parse(built / "feed.xml").getroot()
    english = ET.parse(built / "en/feed.xml").getroot()
    assert german.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    assert english.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert german.findtext(f"{atom}subtitle") == "Neue Chargen von Mini Shop"
    assert english.findtext(f"{atom}entry/{atom}title") == "Tee · batch tee-1"
    assert english.find(f"{atom}entry/{atom}link").get("href") == BASE + "en/b/tee-1/"
    sitemap = ET.parse(built / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locs = [url.findtext("s:loc", namespaces=ns) for url in sitemap.findall("s:url", ns)]
    assert BASE + "b/tee-1/" in locs and BASE + "en/b/tee-1/" in locs
    for url in sitemap.findall("s:url", ns):
        langs = [link.get("hreflang") for link in url.findall("x:link", ns)]
        assert langs == ["de", "en", "x-default"], url.findtext("s:loc", namespaces=ns)


def test_json_ld_says_its_language(built: Path) -> None:
    for page, lang in [("b/tee-1/index.html", "de"), ("en/b/tee-1/index.html", "en")]:
        found = re.search(
            r'<script type="application/ld\+json">\s*(.*?)\s*</script>', text_of(built / page), re.S
        )
        assert found is not None
        data = json.loads(found.group(1))
        assert data["inLanguage"] == lang
        assert data["url"] == BASE + ("en/" if lang == "en" else "") + "b/tee-1/"


def test_check_tells_how_much_each_language_has(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", TWO_LANGUAGES)
    run = mfsite("check", "--source", site)
    assert run.code == 0, run.out + run.err
    assert run.out.splitlines()[0] == (
        "content/materials/cotton.md:3:8: warning: fibre: the Annex I name of 'cotton' in fr is not "
        "confirmed in mfsite's data (docs/fibres.md): labels print it in English there; check it "
        "against the Regulation in that language on EUR-Lex before printing [MF106]"
    )
    found = re.search(r"en: (\d+) of (\d+) texts translated \((\d+) %\); the rest shows in de", run.err)
    assert found is not None, run.err
    done, total = int(found[1]), int(found[2])
    assert 0 < done < total


def english_phrases() -> set[str]:
    """The theme's English messages (templates and code), cut at their values and markup into
    phrases of 8 characters or more: none of them may show on a page in another language."""
    found = set()
    for message in extract():
        text = message.id if isinstance(message.id, str) else message.id[0]
        parts = re.sub(r"%\(\w+\)s|<[^>]+>", "\0", text).split("\0")
        found |= {part.strip(" .,:") for part in parts if len(part.strip(" .,:")) >= 8}
    return found


# Messages a German page may show for another reason: the German word is the same, or the
# example's data names it ("Global Recycled Standard", a certificate).
SAME_IN_GERMAN = {"Material", "Recycled"}


def visible_text(page: Path) -> str:
    return re.sub(r"<style>.*?</style>|<script.*?</script>|<[^>]+>", "\n", text_of(page), flags=re.S)


def assert_no_english_theme_string(pages: list[Path]) -> None:
    phrases = english_phrases()
    assert len(phrases) > 50 and "How to care for it" in phrases
    for page in pages:
        if "/label/" in page.as_posix():
            continue  # a label speaks its label.languages, English among them
        visible = visible_text(page)
        found = [p for p in phrases - SAME_IN_GERMAN if re.search(rf"\b{re.escape(p)}\b", visible)]
        assert not found, (page, found)


def test_no_english_theme_string_on_a_german_page(built: Path) -> None:
    assert_no_english_theme_string([p for p in built.rglob("*.html") if not p.is_relative_to(built / "en")])


def test_no_english_theme_string_on_the_example_shops_german_pages(example_build: Path) -> None:
    pages = sorted((example_build / "de").rglob("*.html"))
    assert len(pages) > 40
    assert_no_english_theme_string(pages)
    # ... and its untranslated batch shows its texts in English, marked so.
    untranslated = text_of(example_build / "de/b/tee-2602-a/index.html")
    assert re.search(r'<h1><span lang="en">[^<]+</span></h1>', untranslated)


SITE_CATALOG = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Care"\nmsgstr "Waschen"\n'
)


def test_a_site_catalog_rewords_the_theme(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", {**TWO_LANGUAGES, "templates/locale/de.po": SITE_CATALOG})
    assert mfsite("build", "--source", site).code == 0
    assert "<dt>Waschen</dt>" in text_of(site / "output/b/tee-1/index.html")
    assert "<dt>Care</dt>" in text_of(site / "output/en/b/tee-1/index.html")


def test_a_broken_site_catalog_is_told_where(tmp_path: Path) -> None:
    catalog = 'msgid ""\nmsgstr ""\n\nmsgid "Care"\nmsgstr "Pflege %(nope)s"\n'
    site = write_site(tmp_path / "site", {**TWO_LANGUAGES, "templates/locale/de.po": catalog})
    run = mfsite("build", "--source", site)
    assert run.code == 1
    assert "templates/locale/de.po:4:1: error: the translation of 'Care' names %(nope)s" in run.err
    assert not (site / "output").exists()  # nothing half-written


def test_not_annex_fibre_and_language_without_theme_strings_warn(tmp_path: Path) -> None:
    files = {
        **TWO_LANGUAGES,
        "site.yaml": TWO_LANGUAGES["site.yaml"].replace("[de, en]", "[de, en, sv]"),
        "content/materials/cotton.md": "---\nname: Cotton\nfibre: organic cotton\n---\n",
        "content/materials/cotton.en.md": None,
    }
    site = write_site(tmp_path / "site", files)
    (site / "content/materials/cotton.en.md").unlink(missing_ok=True)
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    assert (
        "content/materials/cotton.md:3:8: warning: fibre: 'organic cotton' is not a fibre name of EU "
        "Regulation 1007/2011 (Annex I): pages and labels show it as written, untranslated; did you "
        "mean 'cotton'? [MF104]"
    ) in run.lines
    assert any(
        line.startswith("site.yaml:4:21: warning: mfsite ships no theme strings in 'sv'")
        for line in run.lines
    ), run.lines
    assert f"100{NBSP}% organic cotton" in text_of(site / "output/en/b/tee-1/index.html")
    assert (site / "output/sv/b/tee-1/index.html").is_file()
    assert mfsite("build", "--source", site, "--strict").code == 1


def test_a_site_without_languages_has_no_language_folders_or_alternates(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    assert mfsite("build", "--source", site).code == 0
    output = site / "output"
    assert not (output / "en").exists()
    assert "hreflang" not in text_of(output / "b/tee-1/index.html")
    assert "xhtml" not in text_of(output / "sitemap.xml")
    assert MINI_SITE["site.yaml"]  # (the conftest site, unchanged)


@pytest.mark.parametrize(
    ("name", "change", "changed"),
    [
        ("a German text", lambda s: edit(s / "batches/tee-1.yaml", "de: T-Shirt", "de: Hemd"), "Hemd"),
        ("an English text", lambda s: edit(s / "batches/tee-1.yaml", "en: Tee", "en: Shirt"), "Shirt"),
        (
            "a translation file",
            lambda s: edit(s / "content/materials/cotton.en.md", "Soft.", "Softer."),
            None,
        ),
        ("a translation removed", lambda s: (s / "content/materials/cotton.en.md").unlink(), None),
        (
            "a story translated",
            lambda s: (s / "content/stories/drop.en.md").write_text("---\ntitle: The drop\n---\nA story.\n"),
            None,
        ),
        ("a language added", lambda s: edit(s / "site.yaml", "[de, en]", "[de, en, fr]"), None),
        (
            "a site catalog",
            lambda s: write_site(s, {"templates/locale/de.po": SITE_CATALOG}, base={}),
            "<dt>Waschen</dt>",
        ),
        (  # its English is another page's untranslated German: that page is marked as before
            "a batch whose translation another page shows untranslated",
            lambda s: (s / "batches/tee-2.yaml").write_text(
                (s / "batches/tee-1.yaml").read_text().replace("en: Tee", "en: Nahtfestigkeit")
            ),
            None,
        ),
    ],
)
def test_a_rebuild_after_a_language_change_equals_a_clean_build(
    tmp_path: Path, name: str, change: object, changed: str | None
) -> None:
    site = write_site(tmp_path / "site", TWO_LANGUAGES)
    assert mfsite("build", "--source", site).code == 0
    change(site)  # type: ignore[operator]
    assert mfsite("build", "--source", site).code == 0
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns("output", ".mfsite-cache"))
    assert mfsite("build", "--source", clean).code == 0
    assert tree_bytes(site / "output") == tree_bytes(clean / "output"), name
    if changed:
        assert changed in text_of(site / "output/b/tee-1/index.html") + text_of(
            site / "output/en/b/tee-1/index.html"
        )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_site_init_makes_shows_how_to_add_a_language(tmp_path: Path) -> None:
    assert mfsite("init", tmp_path / "shop").code == 0
    site_yaml = tmp_path / "shop/site.yaml"
    edit(site_yaml, "# languages: [en, de]", "languages: [en, de]")
    run = mfsite("build", "--source", tmp_path / "shop")
    assert run.code == 0, run.err
    home = text_of(tmp_path / "shop/output/de/index.html")
    assert '<html lang="de">' in home and ">Alle Chargen<" in home


def digital_link_site(tmp_path: Path) -> Path:
    """The two-language site with GS1 Digital Link on and a batch with a GTIN, built: its output."""
    site_yaml = TWO_LANGUAGES["site.yaml"] + "gs1_digital_link: true\n"
    batch = TWO_LANGUAGES["batches/tee-1.yaml"] + "gtin: 09506000134352\n"
    site = write_site(
        tmp_path / "site", {**TWO_LANGUAGES, "site.yaml": site_yaml, "batches/tee-1.yaml": batch}
    )
    assert mfsite("build", "--source", site).code == 0
    return site / "output"


def test_the_digital_link_page_is_the_default_languages(tmp_path: Path) -> None:
    output, link = digital_link_site(tmp_path), "01/09506000134352/10/tee-1/"
    assert '<html lang="de">' in text_of(output / link / "index.html")
    assert '<html lang="en">' in text_of(output / "en" / link / "index.html")
    assert not (output / "en/b/tee-1").exists()  # the old address's redirect exists once
    script = r'<script type="application/ld\+json">\s*(.*?)\s*</script>'
    found = re.search(script, text_of(output / "en" / link / "index.html"), re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["url"] == BASE + "en/" + link
    assert data["hasGS1DigitalLink"] == BASE + link  # what the printed code opens


def test_a_digital_link_batch_has_its_gs1_linkset(tmp_path: Path) -> None:
    """Beside the page at its Digital Link address, the RFC 9264 linkset GS1 resolvers read: the
    page in each language (titled in it), the passport and the label, linked from both pages."""
    output, link = digital_link_site(tmp_path), "01/09506000134352/10/tee-1/"
    found = json.loads((output / link / "linkset.json").read_text(encoding="utf-8"))
    (entry,) = found["linkset"]
    gs1 = "https://ref.gs1.org/voc/"
    assert entry["anchor"] == BASE + link.rstrip("/")  # the address the printed code opens
    assert entry[gs1 + "defaultLink"] == [{"href": BASE + link, "title": entry[gs1 + "pip"][0]["title"]}]
    pages = {page["hreflang"][0]: page for page in entry[gs1 + "pip"]}
    assert {lang: page["href"] for lang, page in pages.items()} == {
        "de": BASE + link,
        "en": BASE + "en/" + link,
    }
    assert "Charge tee-1" in pages["de"]["title"] and "batch tee-1" in pages["en"]["title"]
    assert entry[gs1 + "dpp"][0]["href"] == BASE + "b/tee-1/passport.json"
    assert entry["https://w3id.org/mfsite/v1/printLabel"][0]["href"] == BASE + "b/tee-1/label/"
    for relation, links in entry.items():  # GS1's rules: IRIs as keys, a title on every link
        if relation not in ("anchor", "itemDescription"):
            assert relation.startswith("https://") and all(item["title"] for item in links), relation
    head = f'<link rel="linkset" type="application/linkset+json" href="{BASE}{link}linkset.json">'
    assert head in text_of(output / link / "index.html") and head in text_of(
        output / "en" / link / "index.html"
    )
