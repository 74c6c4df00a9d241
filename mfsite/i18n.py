"""The theme's words in a site's language: gettext catalogs, and CLDR's data for formats.

English is the source language: the templates and the code are written in it, so an English
page needs no catalog. Every other language's strings come from a Babel catalog shipped in
the package, `theme/locale/<lang>/LC_MESSAGES/messages.po`; a site may reword any string in
its own catalog, `templates/locale/<lang>.po`, the way `templates/` overrides a template: its
messages win, the theme's fill the rest, and what neither has stays in English.

Catalogs are read as .po text (no compiled .mo files to keep in step with them). Reading one
strictly costs a small rebuild in a second language a noticeable part of its time, so each is
compiled once per contents (and mfsite and Babel version), its .mo bytes kept in a private
per-user folder (the one Jinja keeps its compiled templates in), and once per process in memory.

Every message is a format string, in the code as in the templates (Jinja's newstyle gettext):
`%(name)s` is a value, `%%` a percent sign, and a translation that names a value its message
does not give is refused where it is written (`templates/locale/de.po:12:1: error: ...`), not
on some page.

`python -m mfsite.i18n` writes the English template, `theme/locale/messages.pot`, from the
templates and the code (see docs/languages.md).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from functools import cache, cached_property, lru_cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.support import Translations

from mfsite import PACKAGE, dependencies, own_digest

if TYPE_CHECKING:  # (babel.messages is imported where a catalog is compiled: most builds read kept ones)
    from babel.messages.catalog import Catalog, Message

SOURCE_LANGUAGE = "en"
DOMAIN = "messages"
THEME_LOCALE = PACKAGE / "theme" / "locale"
TEMPLATE = THEME_LOCALE / f"{DOMAIN}.pot"
SITE_LOCALE = "locale"  # a site's catalogs: templates/locale/<lang>.po
SHOWN_SITE = "templates/"  # how a site's catalog is named in messages (as render.OVERRIDES)
SHOWN_THEME = "mfsite/"

# Where the theme's strings are, and how Jinja reads them: the same settings as the theme's
# environment (render.make_environment), or trans blocks would extract other whitespace.
TEMPLATES = PACKAGE / "theme" / "templates"
JINJA_OPTIONS = {
    "extensions": "jinja2.ext.i18n",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
    "newstyle_gettext": "true",
}
COMMENT_TAGS = ["Translators:"]
# What a % may start in a message: a named placeholder, or %% for a percent sign.
_FORMAT = re.compile(r"%%|%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def N_(message: str) -> str:
    """Marks an English message where it is written (for extraction); it is translated where
    it is said, with Words.gettext."""
    return message


class CatalogError(Exception):
    """A catalog that cannot be used, said at its place: the path shown, a line, the message."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(message)
        self.path, self.line, self.message = path, line, message


def fallbacks(language: str) -> list[str]:
    """A BCP 47 tag and the shorter tags that stand in for it, most specific first:
    `de-CH` -> `de-CH`, `de`."""
    parts = language.replace("_", "-").split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def is_source(language: str) -> bool:
    """English, in any region: the language the theme is written in."""
    return fallbacks(language)[-1].lower() == SOURCE_LANGUAGE


@cache
def _theme_folders() -> dict[str, Path]:
    """The shipped catalogs by language, keyed as BCP 47 in lower case (`pt_BR` -> `pt-br`)."""
    if not THEME_LOCALE.is_dir():
        return {}
    found = {}
    for folder in sorted(THEME_LOCALE.iterdir()):
        po = folder / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            found[folder.name.replace("_", "-").lower()] = po
    return found


def shipped_languages() -> list[str]:
    """The languages the theme ships strings for, besides English."""
    return sorted(path.parent.parent.name.replace("_", "-") for path in _theme_folders().values())


def theme_catalog_paths(language: str) -> list[Path]:
    """The shipped catalogs a language uses, the most general first (`de`, then `de_CH`)."""
    folders = _theme_folders()
    return [folders[tag.lower()] for tag in reversed(fallbacks(language)) if tag.lower() in folders]


def site_catalog_names(language: str) -> list[str]:
    """The catalogs a site may have for a language, inside its templates folder, the most
    general first: `locale/de.po`, then `locale/de-CH.po`."""
    return [f"{SITE_LOCALE}/{tag}.po" for tag in reversed(fallbacks(language))]


@cache
def cldr_locale(language: str) -> Locale | None:
    """CLDR's data for a language tag, or for the nearest shorter tag CLDR knows; None when it
    knows none of them."""
    for tag in fallbacks(language):
        try:
            return Locale.parse(tag, sep="-")
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return None


class Words:
    """One language's words: the theme's strings as its catalogs say them, for the templates
    and the code alike. Made once per language and build (render.make_environment); the
    catalogs are read on first use, so a broken site catalog is told where a page needs it.

    Every method fills the message's `%(name)s` placeholders from its keyword arguments (the
    count is `num` too, as in Jinja's newstyle gettext) and returns plain text, which the
    templates escape as any other."""

    def __init__(
        self, language: str = SOURCE_LANGUAGE, site_templates: Path | None = None, kept: Path | None = None
    ) -> None:
        self.language = language
        self.site_templates = site_templates
        self.kept = kept  # the private folder compiled catalogs are kept in (None: compile every time)

    def __repr__(self) -> str:
        return f"Words({self.language!r}, {self.site_templates!r})"

    @cached_property
    def catalog(self) -> NullTranslations:
        """The messages in this language: the site's catalogs over the theme's (see
        `translations`), without placeholders filled."""
        try:
            return translations(self.language, self.site_templates, self.kept)
        except CatalogError as exc:
            # Said as a template's own mistake is: at its place, on one line, never a
            # traceback (render.template_problem). Imported here: mfsite.render imports this.
            from mfsite.render import TemplateUnreadable

            raise TemplateUnreadable(exc.path, exc.line, 1, exc.message) from None

    def gettext(self, message: str, /, **params: object) -> str:
        return self.catalog.gettext(message) % params

    def ngettext(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        params.setdefault("num", n)
        return self.catalog.ngettext(singular, plural, n) % params

    def pgettext(self, context: str, message: str, /, **params: object) -> str:
        return self.catalog.pgettext(context, message) % params

    def npgettext(self, context: str, singular: str, plural: str, n: int, /, **params: object) -> str:
        params.setdefault("num", n)
        return self.catalog.npgettext(context, singular, plural, n) % params


def translations(language: str, site_templates: Path | None, kept: Path | None = None) -> NullTranslations:
    """The messages of a language: the site's catalogs (templates/locale/<lang>.po) over the
    theme's, the more specific tag over the more general one; compiled ones kept in `kept`.
    Raises CatalogError for a catalog that cannot be used."""
    site: list[tuple[str, bytes]] = []
    if site_templates is not None:
        for name in site_catalog_names(language):
            try:
                site.append((SHOWN_SITE + name, (site_templates / name).read_bytes()))
            except FileNotFoundError:
                continue
            except OSError as exc:
                message = f"cannot read the file: {exc.strerror or exc}"
                raise CatalogError(SHOWN_SITE + name, 1, message) from None
    return _compiled(language, tuple(site), kept)


@lru_cache(maxsize=32)
def _compiled(language: str, site: tuple[tuple[str, bytes], ...], kept: Path | None) -> NullTranslations:
    """Compiled once per process and catalog contents: every page of a build, in every worker
    process, asks for the same; a rebuild after an edit to a site's catalog reads it anew."""
    theme = [(SHOWN_THEME + path.relative_to(PACKAGE).as_posix(), path.read_bytes(), None)
             for path in theme_catalog_paths(language)]  # fmt: skip
    # A theme catalog is read with its own header's plural rule, a site's with its language's.
    catalogs = theme + [(shown, data, language) for shown, data in site]
    compiled = [_compiled_catalog(data, shown, locale, kept) for shown, data, locale in catalogs]
    if not compiled:
        return NullTranslations()  # English, or a language no catalog speaks: the messages as written
    for later in compiled[1:]:
        compiled[0].merge(later)  # later (the site's, the more specific) wins
    return compiled[0]


def _compiled_catalog(data: bytes, shown: str, language: str | None, kept: Path | None) -> Translations:
    """A fresh gettext object of a catalog (merging changes it), fuzzy and untranslated entries
    left out so that their messages fall back to the next catalog or to English. Its .mo bytes
    are kept in `kept` under a digest of all that shapes them; a kept file that does not read as
    a catalog is compiled again."""
    key = hashlib.blake2b(f"{dependencies()}\0{own_digest()}\0{language}\0".encode(), digest_size=16)
    key.update(data)
    path = kept / f"mfsite-catalog-{key.hexdigest()}.mo" if kept is not None else None
    if path is not None:
        try:
            return Translations(BytesIO(path.read_bytes()), domain=DOMAIN)
        except Exception:  # missing, or damaged in any of the ways gettext finds
            pass
    from babel.messages.mofile import write_mo

    compiled = BytesIO()
    write_mo(compiled, _checked(_parse(data, shown, language), shown))
    if path is not None:  # (whole or not at all; a folder that cannot be written costs speed only)
        from mfsite.state.store import write_file  # (here: the state's modules import this one)

        write_file(path.parent, path.name, compiled.getvalue())
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _parse(data: bytes, shown: str, language: str | None) -> Catalog:
    """A .po file, strictly: a line babel cannot read is an error, not a message skipped."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:  # said at the byte, as any other source file's (MF001)
        line = data[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise CatalogError(shown, line, message) from None
    from babel.messages.pofile import PoFileError, read_po

    locale = cldr_locale(language) if language else None
    try:
        return read_po(BytesIO(data), locale=locale, domain=DOMAIN, charset="utf-8", abort_invalid=True)
    except PoFileError as exc:
        raise CatalogError(shown, getattr(exc, "lineno", 1) or 1, f"not a gettext catalog: {exc}") from None


def _checked(catalog: Catalog, shown: str) -> Catalog:
    for message in catalog:
        if message.id and not message.fuzzy:
            problem = format_problem(message)
            if problem:
                raise CatalogError(shown, message.lineno or 1, problem)
    return catalog


def placeholders(text: str) -> set[str] | None:
    """The names of a format string's placeholders; None where a % starts neither one nor %%."""
    names: set[str] = set()
    rest = _FORMAT.sub(lambda found: names.add(found[1] or "%") or "", text)
    return None if "%" in rest else names - {"%"}


def format_problem(message: Message) -> str | None:
    """Why a translation would fail where it is said, or None: it names a value its message
    does not give, or has a % that is neither a placeholder nor %%."""
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    given = {"num"} if len(ids) > 1 else set()  # a count is always given (newstyle gettext)
    for text in ids:
        given |= placeholders(text) or set()
    for string in filter(None, strings):
        names = placeholders(string)
        if names is None:
            return f"the translation of {ids[0]!r} has a % that starts no placeholder: write %% for %"
        if names - given:
            unknown = min(names - given)
            return f"the translation of {ids[0]!r} names %({unknown})s, which its message does not give"
    return None


def extract() -> Catalog:
    """The theme's English messages, as a catalog template: every string of the templates and
    every message marked in the code (N_, gettext, ngettext, pgettext, npgettext)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir  # only for the catalogs' maintenance

    template = Catalog(
        domain=DOMAIN,
        project="mfsite",
        version=None,
        copyright_holder="mfsite's authors",
        fuzzy=False,
        header_comment=(
            "# The theme's English messages: the template of a new language's catalog.\n"
            "# Written by `python -m mfsite.i18n` from the templates and the code (docs/languages.md).\n#"
        ),
    )
    sources: list[tuple[Path, Iterable[tuple[str, str]], dict[str, str]]] = [
        (TEMPLATES, [("**.html", "jinja2.ext:babel_extract")], JINJA_OPTIONS),
        (PACKAGE, [("**.py", "python")], {}),
    ]
    for folder, method_map, options in sources:
        extracted = extract_from_dir(
            folder,
            method_map,
            options_map={pattern: options for pattern, _ in method_map},
            comment_tags=COMMENT_TAGS,
            strip_comment_tags=True,
        )
        for filename, line, message, comments, context in extracted:
            where = (folder / filename).relative_to(PACKAGE).as_posix()
            template.add(message, None, [(where, line)], auto_comments=comments, context=context)
    return template


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def write_template(path: Path = TEMPLATE) -> None:
    """Writes messages.pot: sorted, without dates, so it changes only when a message does."""
    from babel.messages.pofile import write_po

    catalog = extract()
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, omit_header=False, no_location=False)


if __name__ == "__main__":
    write_template()
    print(f"wrote {TEMPLATE} ({sum(1 for _ in _messages(extract()))} messages)")
