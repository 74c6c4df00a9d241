"""Texts in several languages: each text field people write, as the model holds it.

A text field (SPEC.md, "Languages") is written plain, in the default language, or as a map of
language to text; a markdown file is translated by a file beside it. One file is read and
validated before site.yaml says which language is the default, so a map is kept as `Words`
until `resolve`, which leaves the default language's text in the field and the others in the
object's `translations`. `localized` then makes the object as a page in another language shows
it: each text translated, or, where it is not, the default language's text as a `Fallback`,
which the theme marks with its language (`lang`), so screen readers switch voice.

One walk (`rewrite`) names every text field: resolving and localizing both go through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from mfsite import codes
from mfsite.diagnostics import Diagnostic
from mfsite.model import (
    Batch,
    Care,
    JourneyStep,
    Material,
    Page,
    Partner,
    PassportStatus,
    Photo,
    Place,
    QualityCheck,
    Site,
    Story,
    Translation,
    Words,
)

# A language tag (BCP 47): a primary language of two or three letters, then subtags (de-CH).
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")

# The text fields of each model class, and the fields that hold objects with text fields.
TEXTS: dict[type, tuple[str, ...]] = {
    Batch: ("product", "notes"),
    Place: ("place",),
    JourneyStep: ("step", "place"),
    QualityCheck: ("check",),
    Care: ("notes",),
    Partner: ("name", "place", "kind", "body"),
    Material: ("name", "body"),
    Story: ("title", "summary", "image_alt", "body"),
    Page: ("title", "body"),
    Photo: ("alt",),
    PassportStatus: ("reason",),
}
INSIDE: dict[type, tuple[str, ...]] = {
    Batch: ("origin", "care", "journey", "qc", "photos", "status"),
    Partner: ("photo",),
    Material: ("photo",),
    Story: ("photo",),
}

T = TypeVar("T")


class Fallback(str):
    """A text shown on a page in another language than its own: the default language's, where
    no translation was written. `lang` is that language; the theme marks it so."""

    lang: str

    def __new__(cls, text: str, lang: str) -> Fallback:
        made = super().__new__(cls, text)
        made.lang = lang
        return made


def kept(new: str, old: str) -> str:
    """A text made from another (capitalized, say), in the other's language: a Fallback stays one."""
    return Fallback(new, old.lang) if isinstance(old, Fallback) else new


def canonical(tag: str) -> str:
    """A language tag as mfsite names it (folders, `lang`): the language in lower case, a region
    in upper case (de-CH), other subtags as written."""
    first, *rest = tag.split("-")
    return "-".join([first.lower(), *(part.upper() if len(part) == 2 else part for part in rest)])


def rewrite(obj: T, pick: Callable[[str, object], object], where: str = "") -> T:
    """The object with each text field's value replaced by pick(where, value), where names the
    field as messages do ("journey[2].step", counting from 1); the object itself where nothing
    changed."""
    changes: dict[str, object] = {}
    for name in TEXTS.get(type(obj), ()):
        value = getattr(obj, name)
        if isinstance(value, tuple):
            new: object = tuple(pick(f"{where}{name}[{i}]", v) for i, v in enumerate(value, 1))
            if any(a is not b for a, b in zip(new, value, strict=True)):  # type: ignore[call-overload]
                changes[name] = new
        elif value is not None and (new := pick(where + name, value)) is not value:
            changes[name] = new
    for name in INSIDE.get(type(obj), ()):
        value = getattr(obj, name)
        if isinstance(value, tuple):
            new = tuple(rewrite(v, pick, f"{where}{name}[{i}].") for i, v in enumerate(value, 1))
            if any(a is not b for a, b in zip(new, value, strict=True)):  # type: ignore[call-overload]
                changes[name] = new
        elif value is not None and (new := rewrite(value, pick, f"{where}{name}.")) is not value:
            changes[name] = new
    return replace(obj, **changes) if changes else obj  # type: ignore[type-var]


def has_words(obj: object) -> bool:
    """Whether any text field of the object is still a map (Words)."""
    found = False

    def look(_: str, value: object) -> object:
        nonlocal found
        found = found or isinstance(value, Words)
        return value

    rewrite(obj, look)
    return found


def resolve(obj: T, default: str, languages: tuple[str, ...], problems: list[Diagnostic]) -> T:
    """The object with each map (Words) replaced by its default-language text, the others added
    to its translations; a map without the default language, or naming a language the site is
    not published in, is an error where it is written."""
    found: list[Translation] = []

    def pick(where: str, value: object) -> object:
        if not isinstance(value, Words):
            return value
        texts: dict[str, str] = {}
        for (tag, text), key in zip(value.texts, value.keys, strict=True):
            lang = canonical(tag)
            if lang not in languages:
                message = f"{where}: '{tag}' is not one of the site's languages ({', '.join(languages)})"
                hint = "; add it to languages in site.yaml" if len(languages) == 1 else ""
                problems.append(Diagnostic(key, codes.BAD_LANGUAGE, message + hint))
            texts[lang] = text
        if default not in texts:
            message = f"{where}: give the text in the site's default language too ({default}: ...)"
            problems.append(Diagnostic(value.span, codes.NO_DEFAULT_TEXT, message))
            return next(iter(texts.values()))  # (the site is not built: this is never shown)
        found.extend(
            (lang, where, text) for lang, text in texts.items() if lang != default and lang in languages
        )
        return texts[default]

    resolved = rewrite(obj, pick)
    if not found:
        return resolved
    return replace(resolved, translations=(*resolved.translations, *found))  # type: ignore[type-var]


def localized(obj: T, lang: str, default: str) -> T:
    """The object as a page in `lang` shows it: each text in that language where translated,
    else the default language's, as a Fallback (which the theme marks with its language)."""
    table = {where: text for language, where, text in obj.translations if language == lang}  # type: ignore[attr-defined]

    def pick(where: str, value: object) -> object:
        if not isinstance(value, str):
            return value
        translated = table.get(where)
        return translated if translated is not None else Fallback(value, default)

    return rewrite(obj, pick)


class Localizer:
    """Batches as the pages in one language show them, each localized when a page first shows
    it: a build that renders a few pages of a 10,000-batch site localizes a few batches."""

    def __init__(self, lang: str, default: str) -> None:
        self.lang, self.default = lang, default
        self.made: dict[int, tuple[Batch, Batch]] = {}  # id(original) -> (original, localized)

    def __call__(self, batch: Batch) -> Batch:
        found = self.made.get(id(batch))
        if found is None or found[0] is not batch:
            found = self.made[id(batch)] = (batch, localized(batch, self.lang, self.default))
        return found[1]


def localized_site(site: Site, lang: str) -> Site:
    """The site as its pages in `lang` show it (the site itself for the default language): its
    config's `language` is `lang`, its partners, materials, stories and pages localized. Its
    batches are as written: a Localizer makes each as it is shown."""
    default = site.config.language
    if lang == default:
        return site

    def each(found: dict[str, T]) -> dict[str, T]:
        return {key: localized(value, lang, default) for key, value in found.items()}

    return replace(
        site,
        config=replace(site.config, language=lang),  # <html lang>, the feed, JSON-LD and links
        partners=each(site.partners),
        materials=each(site.materials),
        stories=each(site.stories),
        pages=each(site.pages),
    )


def texts_of(obj: object) -> list[str]:
    """Where the object has a text (a field not left empty), as messages name them."""
    found: list[str] = []

    def note(where: str, value: object) -> object:
        if isinstance(value, str) and value:
            found.append(where)
        return value

    rewrite(obj, note)
    return found


def translated_share(site: Site, lang: str) -> tuple[int, int]:
    """(texts translated into `lang`, texts in all) over the site's text fields: what `mfsite
    check` reports for each language."""
    done = total = 0
    content = (
        *site.partners.values(),
        *site.materials.values(),
        *site.stories.values(),
        *site.pages.values(),
    )
    for obj in (*site.batches, *content):
        mine = {where for language, where, _ in obj.translations if language == lang}
        texts = texts_of(obj)
        total += len(texts)
        done += sum(where in mine for where in texts)
    return done, total
