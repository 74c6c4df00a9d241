"""Fibre names of Annex I of Regulation (EU) No 1007/2011: the data file and mfsite.fibres."""

from __future__ import annotations

import pytest

from mfsite import fibres

LANGS = ["en", "de", "fr", "it", "es", "nl", "pl"]
NBSP = "\u00a0"

# The names as the data has them, confirmed or not (the next test says which are confirmed).
NAMES = {
    "cotton": ["cotton", "Baumwolle", "coton", "cotone", "algodón", "katoen", "bawełna"],
    "wool": ["wool", "Wolle", "laine", "lana", "lana", "wol", "wełna"],
    "flax": ["flax", "Flachs", "lin", "lino", "lino", "vlas", "len"],
    "silk": ["silk", "Seide", "soie", "seta", "seda", "zijde", "jedwab"],
    "viscose": ["viscose", "Viskose", "viscose", "viscosa", "viscosa", "viscose", "wiskoza"],
    "elastane": ["elastane", "Elasthan", "élasthanne", "elastan", "elastano", "elastaan", "elastan"],
    "polyester": ["polyester", "Polyester", "polyester", "poliestere", "poliéster", "polyester", "poliester"],
    "polyamide": ["polyamide", "Polyamid", "polyamide", "poliammide", "poliamida", "polyamide", "poliamid"],
    "elastomultiester": [
        "elastomultiester",
        "Elastomultiester",
        "élastomultiester",
        "elastomultiestere",
        "elastomultiéster",
        "elastomultiester",
        "elastowieloester",
    ],
}


@pytest.mark.parametrize("fibre", sorted(NAMES))
def test_names_in_every_language(fibre):
    for lang, expected in zip(LANGS, NAMES[fibre], strict=True):
        name = fibres.lookup(fibre, lang)
        assert name is not None and name.name == expected, (fibre, lang)
        assert name.language == lang
        # annex_name hands out only what is confirmed; with allow_unconfirmed, the candidate.
        assert fibres.annex_name(fibre, lang) == (expected if name.confirmed else None)
        assert fibres.annex_name(fibre, lang, allow_unconfirmed=True) == expected


def test_what_is_confirmed():
    confirmed = [lang for lang in LANGS if fibres.lookup("cotton", lang).confirmed]
    assert confirmed == ["en", "de"]
    assert fibres.lookup("elastane", "de").confirmed
    assert fibres.lookup("elastomultiester", "it").confirmed
    assert fibres.annex_name("glass fibre", "it") == "vetro tessile"
    assert fibres.annex_name("polypropylene/polyamide bicomponent", "it") == (
        "polipropilene/poliammide a due componenti"
    )
    # The German corrigendum (OJ L 120, 5.5.2012): row 26 reads "Polyacryl", not "Seide".
    assert fibres.annex_name("acrylic", "de") == "Polyacryl"
    assert "corrigendum" in fibres.lookup("acrylic", "de").note
    cotton_fr = fibres.lookup("cotton", "fr")
    assert cotton_fr.note and not cotton_fr.sources
    assert fibres.lookup("cotton", "de").sources


def test_numbering_follows_the_regulation():
    rows = {key: fibres.lookup(key, "en").number for key in fibres.fibres()}
    assert rows["wool"] == 1 and rows["cashmere"] == 2 and rows["horsehair"] == 3
    assert rows["cotton"] == 5 and rows["flax"] == 7 and rows["maguey"] == 18
    assert rows["acetate"] == 19 and rows["polyamide or nylon"] == 30 and rows["polyester"] == 35
    assert rows["elastane"] == 43 and rows["glass fibre"] == 44 and rows["elastomultiester"] == 45
    assert rows["elastolefin"] == 46 and rows["melamine"] == 47 and rows["metal"] == 48
    assert rows["polypropylene/polyamide bicomponent"] == 49 and rows["polyacrylate"] == 50
    assert set(rows.values()) == set(range(1, 51))
    tables = {row["key"]: row["table"] for row in fibres.data()["fibres"]}
    assert tables["maguey"] == 1 and tables["acetate"] == 2


def test_matching_accepts_what_the_annex_allows():
    assert fibres.annex_name("  COTTON ", "de") == "Baumwolle"
    assert fibres.match("Polyamide or nylon").fibre == "polyamide or nylon"
    # "polyamide or nylon": the site's choice of name carries over.
    assert fibres.annex_name("polyamide", "de") == "Polyamid"
    assert fibres.annex_name("nylon", "de") == "Nylon"
    assert fibres.annex_name("nylon", "en") == "nylon"
    assert fibres.annex_name("Manila hemp", "en") == "Manila hemp"
    assert fibres.match("Manila hemp").fibre == "abaca"
    assert fibres.match("coconut").fibre == "coir"
    # Row 2: "followed or not by the word 'wool' or 'hair'"; row 48: "'yarn' or 'fibre'".
    assert fibres.match("cashmere wool").fibre == "cashmere"
    assert fibres.match("Mohair hair").fibre == "mohair"
    assert fibres.match("metallised yarn").fibre == "metallised"
    assert fibres.match("cotton wool") is None
    assert fibres.match("polyester fibre") is None
    # German allows "Flachs bzw. Leinen"; English has only "flax": "linen" is not an Annex name.
    assert fibres.lookup("flax", "de").also == ("Leinen",)
    for trade_name in ("linen", "spandex", "lycra", "rayon", "hemp", "bamboo"):
        assert fibres.match(trade_name) is None
        assert fibres.annex_name(trade_name, "en") is None


def test_nearest_names_for_a_warning():
    assert fibres.nearest("coton")[0] == "cotton"
    assert fibres.nearest("polyster")[0] == "polyester"
    assert fibres.nearest("Elasthane")[0] == "elastane"
    assert fibres.nearest("linen")[0] == "flax"
    assert fibres.nearest("hemp")[0] == "true hemp"
    assert fibres.nearest("spandex") == ["elastane"]
    assert fibres.nearest("qwertyuiop") == []
    assert len(fibres.nearest("polyster", n=2)) == 2


def test_unknown_language_falls_back_to_english():
    assert fibres.lookup("cotton", "sv").language == "en"
    assert fibres.annex_name("cotton", "sv") == "cotton"
    assert fibres.phrase("pure", "sv") == "pure"


PHRASES = {
    # key: (texts by language, which are confirmed)
    "100%": (["100 %"] * 7, {"en", "de", "fr", "nl"}),
    "pure": (["pure", "rein", "pur", "puro", "puro", "zuiver", "czysty"], {"en", "de", "fr", "nl"}),
    "all": (["all", "ganz", "tout", "tutto", "todo", "puur", "cały"], {"en", "de", "fr", "nl"}),
    "other fibres": (
        [
            "other fibres",
            "sonstige Fasern",
            "autres fibres",
            "altre fibre",
            "otras fibras",
            "overige vezels",
            "inne włókna",
        ],
        {"en", "nl"},
    ),
    "contains non-textile parts of animal origin": (
        [
            "Contains non-textile parts of animal origin",
            "Enthält nichttextile Teile tierischen Ursprungs",
            "Contient des parties non textiles d'origine animale",
            "Contiene parti non tessili di origine animale",
            "Contiene partes no textiles de origen animal",
            "Bevat niet uit textiel bestaande delen van dierlijke oorsprong",
            "Zawiera nietekstylne części pochodzenia zwierzęcego",
        ],
        {"en", "de", "it", "nl"},
    ),
}


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_fixed_phrases(key):
    texts, confirmed = PHRASES[key]
    for lang, text in zip(LANGS, texts, strict=True):
        assert fibres.phrase(key, lang, allow_unconfirmed=True) == text, (key, lang)
        assert fibres.phrase(key, lang) == (text if lang in confirmed else None), (key, lang)
    articles = {key: entry["article"] for key, entry in fibres.data()["phrases"].items()}
    assert articles == {
        "100%": "7(1)",
        "pure": "7(1)",
        "all": "7(1)",
        "other fibres": "9(2)",
        "contains non-textile parts of animal origin": "12(1)",
    }


def test_unknown_phrase_is_an_error():
    with pytest.raises(KeyError):
        fibres.phrase("organic", "en")


def test_every_entry_has_every_language_or_is_marked_unconfirmed():
    data = fibres.data()
    assert list(data["languages"]) == LANGS
    sources = data["sources"]
    keys = [row["key"] for row in data["fibres"]]
    assert len(keys) == len(set(keys))
    entries = [(row["key"], row["names"]) for row in data["fibres"]]
    entries += [(key, phrase["texts"]) for key, phrase in data["phrases"].items()]
    for key, by_language in entries:
        assert set(by_language) == set(LANGS), key
        for lang, entry in by_language.items():
            text = entry.get("name", entry.get("text"))
            assert isinstance(text, str) and text.strip() == text and text, (key, lang)
            assert isinstance(entry["confirmed"], bool), (key, lang)
            if entry["confirmed"]:
                assert entry["sources"], (key, lang)
                assert all(source in sources for source in entry["sources"]), (key, lang)
            else:
                assert entry["note"], (key, lang)
                assert not entry.get("sources"), (key, lang)
    for lang, meta in data["languages"].items():
        assert meta["status"], lang
        assert all(source in sources for source in meta["confirmed_from"]), lang
    for source in sources.values():
        assert source["url"].startswith(("https://", "http://")) and source["what"]
    assert fibres.unconfirmed("en") == ["metal", "metallic", "metallised", "asbestos", "paper"]
    assert len(fibres.unconfirmed("es")) == len(keys)


def test_the_data_names_its_source():
    source = fibres.data()["source"]
    assert source["celex"] == "02011R1007-20180215"
    assert source["url"] == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:02011R1007-20180215"
    assert "EUR-Lex" in source["publisher"]
    assert "2011/833/EU" in source["licence"]
    assert source["url_by_language"]["de"].endswith("/DE/TXT/?uri=CELEX:02011R1007-20180215")
    assert "1007/2011" in source["act"]


def test_composition_line():
    # SPEC, Languages: "92 % Baumwolle / cotton / coton" (French is not confirmed yet).
    def share(value: object) -> str:
        return f"{value}{NBSP}%"

    line = fibres.composition_line([("cotton", 92)], ["de", "en", "fr"], share, allow_unconfirmed=True)
    assert line == f"92{NBSP}% Baumwolle / cotton / coton"
    # Unconfirmed in French: the English name (validation warns, MF106).
    line = fibres.composition_line([("cotton", 92), ("elastane", 8)], ["de", "en", "fr"], share)
    assert line == f"92{NBSP}% Baumwolle / cotton, 8{NBSP}% Elasthan / elastane"
    # A name the row allows is kept in the other language; one that is no Annex I name, as written.
    line = fibres.composition_line([fibres.Part("Nylon", 80), fibres.Part("Bamboo", 20)], ["en", "de"], share)
    assert line == f"80{NBSP}% nylon / Nylon, 20{NBSP}% Bamboo"
    assert fibres.composition_line([("wool", 100)], [], share) == f"100{NBSP}% wool"
