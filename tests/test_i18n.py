"""The theme's words (mfsite.i18n): every shipped catalog speaks every message of the templates
and the code, messages.pot is current, a site's catalog rewords the theme and is refused at its
line when it is broken, and English needs no catalog."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from mfsite.i18n import TEMPLATE, THEME_LOCALE, Words, extract, format_problem, shipped_languages
from mfsite.render import TemplateUnreadable

SHIPPED = shipped_languages()


def english_messages(catalog: Catalog) -> dict[tuple[object, str | None], Message]:
    """A catalog's messages by (msgid, context): a plural's msgid is (singular, plural)."""
    return {(message.id, message.context): message for message in catalog if message.id}


def shipped_catalog(language: str) -> Catalog:
    with (THEME_LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def strings(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def test_the_theme_ships_the_languages_it_promises() -> None:
    assert SHIPPED == ["de", "es", "fr", "it", "nl", "pl"]


def test_messages_pot_is_current() -> None:
    """`python -m mfsite.i18n` has been run since the last change of a message."""
    with TEMPLATE.open("rb") as handle:
        written = set(english_messages(read_po(handle)))
    extracted = set(english_messages(extract()))
    assert len(extracted) > 50
    missing, stale = sorted(extracted - written, key=str), sorted(written - extracted, key=str)
    assert not missing and not stale, (
        f"messages.pot is out of date; run `python -m mfsite.i18n`\n"
        f"  not in messages.pot: {missing}\n  only in messages.pot: {stale}"
    )


def test_every_shipped_catalog_translates_every_message() -> None:
    extracted = english_messages(extract())
    gaps: dict[str, list[str]] = {}
    for language in SHIPPED:
        catalog = shipped_catalog(language)
        for (msgid, context), message in extracted.items():
            found = catalog.get(msgid[0] if isinstance(msgid, tuple) else msgid, context=context)
            forms = catalog.num_plurals if message.pluralizable else 1
            if found is None or found.id != msgid:
                why = "missing"
            elif found.fuzzy:
                why = "fuzzy"
            elif len(strings(found)) != forms or not all(strings(found)):
                why = f"untranslated (needs {forms} non-empty form{'s' * (forms > 1)})"
            else:
                continue
            where = f" [context {context!r}]" if context else ""
            gaps.setdefault(language, []).append(f"{msgid!r}{where}: {why}")
    report = "\n".join(f"{lang} ({len(lines)}):\n  " + "\n  ".join(lines) for lang, lines in gaps.items())
    assert not gaps, f"messages the shipped catalogs do not translate:\n{report}"


def test_no_translation_is_copied_across_catalogs() -> None:
    """A message said the same way in three catalogs or more, and not as in English, is one
    language's words pasted into the others (two may agree: "En stock" in French and
    Spanish)."""
    catalogs = {language: shipped_catalog(language) for language in SHIPPED}
    copied = []
    for msgid, context in english_messages(extract()):
        said: dict[str, list[str]] = {}
        for language, catalog in catalogs.items():
            found = catalog.get(msgid[0] if isinstance(msgid, tuple) else msgid, context=context)
            if found is not None and any(strings(found)) and found.id == msgid:
                said.setdefault(str(found.string), []).append(language)
        copied += [
            f"{msgid!r} is {text!r} in {', '.join(langs)}"
            for text, langs in said.items()
            if len(langs) >= 3 and text != str(msgid)
        ]
    assert not copied, "\n".join(copied)


@pytest.mark.parametrize("language", SHIPPED)
def test_every_shipped_translation_gives_only_its_messages_placeholders(language: str) -> None:
    problems = [
        f"line {message.lineno}: {problem}"
        for message in shipped_catalog(language)
        if message.id and (problem := format_problem(message))
    ]
    assert not problems, "\n".join(problems)


def write_site_catalog(templates: Path, language: str, entries: str) -> Path:
    """templates/locale/<language>.po: a header, then the entries as written."""
    path = templates / "locale" / f"{language}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    path.write_text(header + textwrap.dedent(entries), encoding="utf-8")
    return path


def test_a_site_catalog_rewords_a_theme_string(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write_site_catalog(templates, "de", 'msgid "Pre-order"\nmsgstr "Jetzt vorbestellen"\n')
    assert Words("de").gettext("Pre-order") == "Vorbestellung"  # the theme's wording
    site = Words("de", templates)
    assert site.gettext("Pre-order") == "Jetzt vorbestellen"
    assert site.gettext("In stock") == "Auf Lager"  # not in the site's catalog: the theme's
    # A regional tag uses the site's and the theme's catalogs of its language.
    swiss = Words("de-CH", templates)
    assert swiss.gettext("Pre-order") == "Jetzt vorbestellen"
    assert swiss.gettext("In stock") == "Auf Lager"


def test_a_regional_site_catalog_wins_over_its_languages(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write_site_catalog(templates, "de", 'msgid "Pre-order"\nmsgstr "Jetzt vorbestellen"\n')
    write_site_catalog(templates, "de-CH", 'msgid "In stock"\nmsgstr "An Lager"\n')
    swiss = Words("de-CH", templates)
    assert swiss.gettext("In stock") == "An Lager"
    assert swiss.gettext("Pre-order") == "Jetzt vorbestellen"
    assert Words("de", templates).gettext("In stock") == "Auf Lager"


def test_a_site_catalog_translates_a_language_the_theme_does_not_ship(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write_site_catalog(templates, "sv", 'msgid "In stock"\nmsgstr "I lager"\n')
    swedish = Words("sv", templates)
    assert swedish.gettext("In stock") == "I lager"
    assert swedish.gettext("Pre-order") == "Pre-order"  # neither catalog has it: English


def unreadable(templates: Path, language: str = "de") -> TemplateUnreadable:
    with pytest.raises(TemplateUnreadable) as raised:
        _ = Words(language, templates).catalog
    return raised.value


NOT_UTF8 = 'msgid "In stock"\nmsgstr "Gr\u00fc\u00dfe"\n'.encode("latin-1")


@pytest.mark.parametrize(
    ("entries", "after", "line", "message"),
    [
        (  # a value its message does not give: told at the entry's line
            'msgid "In stock"\nmsgstr "Auf Lager"\n\n'
            '#, python-format\nmsgid "Care"\nmsgstr "Pflege für %(nope)s"\n',
            b"",
            9,
            "the translation of 'Care' names %(nope)s, which its message does not give",
        ),
        (
            'msgid "Care"\nmsgstr "100 % Pflege"\n',
            b"",
            5,
            "the translation of 'Care' has a % that starts no placeholder: write %% for %",
        ),
        (  # as any other file of a site that is not UTF-8 (MF001): the first such byte's line
            'msgid "Care"\nmsgstr "Pflege"\n',
            NOT_UTF8,
            8,
            "not UTF-8 text (byte 0xfc); save the file as UTF-8",
        ),
    ],
    ids=["unknown value", "lone percent", "not UTF-8"],
)
def test_a_broken_site_catalog_is_refused_at_its_line(
    tmp_path: Path, entries: str, after: bytes, line: int, message: str
) -> None:
    templates = tmp_path / "templates"
    path = write_site_catalog(templates, "de", entries)
    path.write_bytes(path.read_bytes() + after)
    error = unreadable(templates)
    assert (error.filename, error.line, error.message) == ("templates/locale/de.po", line, message)


def test_a_broken_site_catalog_is_told_for_a_regional_tag_too(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    write_site_catalog(templates, "de", 'msgid "Care"\nmsgstr "Pflege für %(nope)s"\n')
    assert unreadable(templates, "de-CH").filename == "templates/locale/de.po"


def test_english_is_the_messages_as_written() -> None:
    english = Words("en")
    assert english.gettext("Pre-order") == "Pre-order"
    assert english.gettext("%(distance)s from %(shop)s", distance="5 km", shop="Kiez") == "5 km from Kiez"
    assert english.ngettext("%(count)s sampled", "%(count)s sampled", 1, count=1) == "1 sampled"
    assert english.pgettext("quality check result", "pass") == "pass"
    assert Words("en-GB").gettext("Pre-order") == "Pre-order"


def test_a_language_without_catalogs_is_english() -> None:
    swedish = Words("sv")
    assert swedish.gettext("Pre-order") == "Pre-order"
    assert swedish.gettext("%(distance)s from %(shop)s", distance="5 km", shop="Kiez") == "5 km from Kiez"
    assert swedish.pgettext("garment part", "lining") == "lining"


def test_a_shipped_language_translates_with_values_and_plurals() -> None:
    german = Words("de")
    assert (
        german.gettext("%(distance)s from %(shop)s", distance="5 km", shop="Kiez") == "5 km von Kiez entfernt"
    )
    assert german.ngettext("%(count)s sampled", "%(count)s sampled", 3, count=3) == "3 Stück geprüft"
    assert german.pgettext("garment part", "lining") == "Futter"


def words_in_a_new_process(templates: Path, kept: Path, message: str) -> str:
    """Words("de", templates, kept).gettext(message) as a fresh process says it: nothing
    compiled in memory, only what `kept` holds."""
    code = "import sys; from pathlib import Path; from mfsite.i18n import Words; "
    code += "print(Words('de', Path(sys.argv[1]), Path(sys.argv[2])).gettext(sys.argv[3]))"
    args = [sys.executable, "-c", code, str(templates), str(kept), message]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip()


def test_compiled_catalogs_are_kept_and_a_damaged_one_is_compiled_again(tmp_path: Path) -> None:
    templates, kept = tmp_path / "templates", tmp_path / "kept"
    kept.mkdir()
    write_site_catalog(templates, "de", 'msgid "Pre-order"\nmsgstr "Jetzt vorbestellen"\n')
    assert words_in_a_new_process(templates, kept, "Pre-order") == "Jetzt vorbestellen"
    compiled = sorted(kept.iterdir())
    assert len(compiled) == 2  # the theme's catalog and the site's, nothing half-written beside them
    # A kept catalog is what a later process reads: one that says otherwise is believed...
    other = Catalog(locale="de", domain="messages")
    other.add("Pre-order", "Vorbestellen (kept)")
    other.add("In stock", "Auf Lager (kept)")
    stream = BytesIO()
    write_mo(stream, other)
    for path in compiled:
        path.write_bytes(stream.getvalue())
    assert words_in_a_new_process(templates, kept, "In stock") == "Auf Lager (kept)"
    # ...and a damaged one is compiled again, and kept anew.
    for path in compiled:
        path.write_bytes(b"not a catalog")
    assert words_in_a_new_process(templates, kept, "Pre-order") == "Jetzt vorbestellen"
    assert words_in_a_new_process(templates, kept, "In stock") == "Auf Lager"
    assert sorted(kept.iterdir()) == compiled
    assert all(path.read_bytes()[:4] == b"\xde\x12\x04\x95" for path in compiled)  # (.mo's magic)
    # A catalog edited is another catalog; a broken one is never kept.
    write_site_catalog(templates, "de", 'msgid "Care"\nmsgstr "Pflege für %(nope)s"\n')
    with pytest.raises(TemplateUnreadable):
        _ = Words("de", templates, kept).catalog
    assert sorted(kept.iterdir()) == compiled
