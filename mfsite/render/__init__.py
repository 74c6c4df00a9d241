"""Render: one planned output -> its bytes.

Pages go through Jinja2 with autoescaping on for every template; the built-in
theme ships in the package and a site's `templates/` folder overrides it file
by file. Nothing here writes a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache, partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
)
from jinja2.loaders import split_template_path
from markupsafe import Markup

from mfsite import fibres
from mfsite.i18n import SOURCE_LANGUAGE, Words
from mfsite.languages import Fallback, Localizer, localized_site
from mfsite.model import Batch, Site, Users, users
from mfsite.plan import FEED, LANGUAGE_KINDS, LINKSET_NAME, SITEMAP, Output, passport_route
from mfsite.render import feeds, jsonld, linkset, passport, qr, status, text
from mfsite.render.labels import LabelFacts, label_context
from mfsite.render.markdown import render_markdown
from mfsite.render.pages import (
    Listing,
    View,
    archive_context,
    batch_context,
    batch_title,
    composition,
    content_context,
    home_context,
    label_composition,
    maker_key,
    same,
)
from mfsite.render.text import care_lines
from mfsite.urls import (
    absolute,
    archive_route,
    batch_route,
    content_route,
    in_language,
    page_route,
    qr_url,
    relative,
    uses_digital_link,
)

if TYPE_CHECKING:
    from mfsite.signing.jws import Signer
    from mfsite.state.cards import Cards
    from mfsite.state.photos import Published

CONTENT_TEMPLATES = {
    "partners": "partner.html",
    "materials": "material.html",
    "stories": "story.html",
    "pages": "page.html",
}
SIMPLE_TEMPLATES = {
    "home": "index.html",
    "404": "404.html",
    "robots": "robots.txt",
    "archive": "archive.html",
}
BATCH_TEMPLATES = {"batch": "batch.html", "redirect": "redirect.html", "label": "label.html"}
# One batch's row in a list, made by the renderer for each batch a list shows (Renderer.rows):
# the list's template uses it though it names it nowhere.
ROW_TEMPLATE = "batch-row.html"
ROWS_OF = {"batch-list.html": ROW_TEMPLATE}
# Which top-level template renders each kind of output (what its signature covers of the theme).
template_for = {**SIMPLE_TEMPLATES, **CONTENT_TEMPLATES, **BATCH_TEMPLATES}


def templates_used(env: Environment, name: str) -> set[str] | None:
    """The template and every template it extends, includes or imports, as far down as they
    go; None where one names another by a variable (then it may use any)."""
    found: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        if current in ROWS_OF:
            pending.append(ROWS_OF[current])
        source, filename, _ = env.loader.get_source(env, current)  # type: ignore[union-attr]
        for child in meta.find_referenced_templates(env.parse(source, current, filename)):
            if child is None:
                return None
            pending.append(child)
    return found


# How a template file is named in messages and in Jinja's frames: a site's override by its path
# in the site, as every other source is; the built-in theme by its path in the package.
OVERRIDES = "templates/"
THEME = "mfsite/theme/templates/"


class TemplateUnreadable(TemplateError):
    """A template file that cannot be read as text: said at its place, as a source file is."""

    def __init__(self, filename: str, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.filename, self.line, self.column = filename, line, column

    def __reduce__(self) -> tuple[type, tuple[str, int, int, str]]:
        return TemplateUnreadable, (self.filename, self.line, self.column, str(self.message))


class _Overrides(FileSystemLoader):
    """The site's templates/ folder. Hidden files are not read there, as nowhere in the site's
    sources (the listing that tells a build what changed leaves them out too).

    Each template's file name, which Jinja gives its syntax errors and its frames, is its path
    in the site (`templates/x.html`), so a mistake is told where the person wrote it."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool]]:
        if any(part.startswith(".") for part in template.split("/")):
            raise TemplateNotFound(template)
        shown = OVERRIDES + template
        try:
            source, _, uptodate = super().get_source(environment, template)
        except TemplateNotFound:
            raise
        except UnicodeDecodeError:
            raise self._not_text(template, shown) from None
        except OSError as exc:  # a file that cannot be opened, or went away while read
            raise TemplateUnreadable(shown, 1, 1, f"cannot read the file: {exc.strerror or exc}") from None
        return source, shown, uptodate

    def _not_text(self, template: str, shown: str) -> TemplateUnreadable:
        """Where the bytes stop being UTF-8, said as `mfsite check` says it of a source file."""
        path = Path(self.searchpath[0], *split_template_path(template))
        try:
            data = path.read_bytes()
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            start = data.rfind(b"\n", 0, exc.start) + 1
            column = len(data[start : exc.start].decode("utf-8", "replace")) + 1  # characters
            message = f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
            return TemplateUnreadable(shown, line, column, message)
        except OSError as exc:
            return TemplateUnreadable(shown, 1, 1, f"cannot read the file: {exc.strerror or exc}")
        return TemplateUnreadable(shown, 1, 1, "not UTF-8 text; save the file as UTF-8")  # (it changed)


class _Theme(PackageLoader):
    """The built-in theme, its templates named by their path in the package."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, _, uptodate = super().get_source(environment, template)
        return source, THEME + template, uptodate


class ThemeEnvironment(Environment):
    """The theme's Jinja environment for one language. `words` says the theme's strings in it,
    for the code that writes sentences for its pages (render.pages, render.journey)."""

    words: Words


def make_environment(site_templates: Path | None, language: str = SOURCE_LANGUAGE) -> ThemeEnvironment:
    """The theme in one language (a BCP 47 tag, the site's `language`): its strings through
    gettext, from the site's catalog over the theme's (mfsite.i18n), and its filters writing
    dates, numbers, units and countries as CLDR says for that language. A site in several
    languages makes one environment per language."""
    loaders: list[BaseLoader] = [_Theme("mfsite", "theme/templates")]
    if site_templates is not None:  # even before the folder exists: watch mode may see it made
        loaders.insert(0, _Overrides(site_templates))
    compiled = _compiled_templates()
    env = ThemeEnvironment(
        loader=ChoiceLoader(loaders),
        bytecode_cache=compiled,
        autoescape=True,  # every template, whatever its file name
        # No stat of every template file at every page: a build's templates stay as loaded,
        # and watch mode empties the cache itself when one changes.
        auto_reload=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The compiled templates do not depend on the language (gettext is looked up as they
        # render), so one bytecode cache serves every language.
        extensions=["jinja2.ext.i18n"],
    )
    # The compiled catalogs are kept beside the compiled templates.
    env.words = words = Words(language, site_templates, Path(compiled.directory) if compiled else None)
    _install_words(env, words)
    env.globals.update(content_route=content_route, archive_route=archive_route)
    env.filters.update(
        markdown=markdown_in_language,
        marked=marked,
        date=partial(text.format_date, language=language),
        country=partial(text.country_name, language=language),
        percent=partial(text.format_percent, language=language),
        km=partial(text.format_km, language=language),
        mm=partial(text.format_mm, language=language),
        fibre=partial(fibres.shown, language=language),
        qc_result=partial(text.qc_result, words=words),
        component=partial(text.component_name, words=words),
    )
    # A text shown in another language than the page's (an untranslated one): said in an attribute.
    env.tests.update(fallback=lambda value: isinstance(value, Fallback))
    return env


def _install_words(env: Environment, words: Words) -> None:
    """gettext for the templates, newstyle: a value is escaped like any other, and a
    translation naming a value its message does not give is an error, not a blank. The
    catalogs are read when a template first says something (Words.catalog)."""
    env.install_gettext_callables(  # type: ignore[attr-defined]  (added by the extension)
        gettext=lambda message: words.catalog.gettext(message),
        ngettext=lambda singular, plural, n: words.catalog.ngettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, message: words.catalog.pgettext(context, message),
        npgettext=lambda context, singular, plural, n: words.catalog.npgettext(context, singular, plural, n),
    )


@cache
def _compiled_templates() -> FileSystemBytecodeCache | None:
    """Jinja's own cache of compiled templates (keyed by each template's source): every build
    process would otherwise compile the theme again, much of a small rebuild. It lives in
    Jinja's per-user private temporary folder, never in the site, which may come from anyone;
    the compiled catalogs are kept there too (mfsite.i18n)."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no safe temporary folder: compile every time
        return None


def marked(value: object) -> object:
    """A text shown in another language than the page's (a Fallback), in an element that says
    which (`<span lang="en">`), so a screen reader reads it with the right voice; any other
    value as it is. For element content: in an attribute or a <title>, print a text plain."""
    if isinstance(value, Fallback):
        return Markup('<span lang="{}">{}</span>').format(value.lang, str(value))
    return value


def markdown_in_language(text: str | None) -> Markup:
    """Markdown as HTML; a Fallback's inside an element that names its language."""
    html = render_markdown(text)
    if isinstance(text, Fallback) and html:
        return Markup('<div lang="{}">{}</div>').format(text.lang, html)
    return html


class Renderer:
    """Each output's bytes. Pages in another language than the default (an output's `lang`)
    are made by a renderer of the site as that language shows it (`in_language`): its texts
    localized, the theme's words in that language; it shares the QR codes."""

    def __init__(
        self,
        site: Site,
        env: ThemeEnvironment,
        symbols: dict[tuple[str, str], qr.QrSymbol] | None = None,
        used_by: Users | None = None,
        parts: feeds.BatchParts | None = None,
        view: View = same,
        photos: Published | None = None,
        cards: Cards | None = None,
        signer: Signer | None = None,
    ) -> None:
        self.site = site
        self.env = env
        self.photos = photos  # where the site shows photos: how each is shown, and its copies
        self.cards = cards  # the batches' share cards
        self.signer = signer  # the passports' key, where they are signed
        self.view = view  # a batch as this renderer's pages show it (in their language)
        self.languages: dict[str, Renderer] = {}
        self.parts = feeds.BatchParts() if parts is None else parts
        self.batches = {b.id: b for b in site.batches}
        # (URL, level) -> code: page, label and images share one; watch mode keeps them across builds.
        self.symbols: dict[tuple[str, str], qr.QrSymbol] = {} if symbols is None else symbols
        self._used_by = used_by
        self.base_path = urlsplit(site.config.base_url or "/").path
        # The last batch's facts: its page and label are rendered one after the other.
        self.last_batch: tuple[Batch, dict[str, object]] | None = None

    @property
    def used_by(self) -> Users:
        """Who names each content file; made on first use (a batch's own files never need it)."""
        if self._used_by is None:
            self._used_by = users(self.site.batches)
        return self._used_by

    def symbol(self, batch: Batch) -> qr.QrSymbol:
        """The batch's QR code, made once per build (page, label and images share it)."""
        config = self.site.config
        key = (qr_url(config, batch), config.qr.error_correction)
        if key not in self.symbols:
            self.symbols[key] = qr.make_symbol(*key)
        return self.symbols[key]

    def label_facts(self, batch: Batch) -> LabelFacts:
        return LabelFacts.of(self.symbol(batch), self.site.config)

    def in_language(self, lang: str) -> Renderer:
        """The renderer of the pages in another of the site's languages, made on first use."""
        if lang not in self.languages:
            site = localized_site(self.site, lang)
            env = make_environment(self.env.words.site_templates, lang)
            view = Localizer(lang, self.site.config.language)
            self.languages[lang] = Renderer(
                site, env, self.symbols, parts=self.parts, view=view, photos=self.photos, cards=self.cards,
                signer=self.signer,
            )  # fmt: skip
        return self.languages[lang]

    def linkset(self, batch: Batch) -> bytes:
        """The batch's GS1 linkset: its page in each language, its passport and its label."""
        config = self.site.config
        base = config.base_url or ""
        route = page_route(config, batch)
        pages = []
        for lang in config.languages:
            renderer = self if lang == config.language else self.in_language(lang)
            title = batch_title(renderer.view(batch), renderer.env.words)
            href = absolute(base, in_language(route, lang, config))
            pages.append(linkset.Link(href, title, "text/html", lang))
        words = self.env.words
        passport_link = linkset.Link(
            absolute(base, passport_route(batch)),
            words.gettext("Digital product passport"),
            "application/json",
        )
        label = linkset.Link(
            absolute(base, batch_route(batch) + "label/"),
            words.gettext("Label for batch %(id)s", id=batch.id),
            "text/html",
        )
        return linkset.linkset(absolute(base, route), pages[0].title, pages, passport_link, label)

    def render(self, output: Output) -> bytes:
        if output.lang and output.lang != self.site.config.language:
            return self.in_language(output.lang).render(output)
        if output.kind.startswith("qr-"):
            symbol = self.symbol(self.batches[output.key])
            if output.kind == "qr-svg":
                return qr.to_svg(symbol, self.site.config.qr).encode()
            return qr.to_png(symbol, self.site.config.qr)
        if output.kind == "passport":
            return passport.render_passport(self.site, self.batches[output.key], self.signer)
        if output.kind == "linkset":
            return self.linkset(self.batches[output.key])
        if output.kind == "context":
            return passport.OWN_CONTEXT.read_bytes()
        if output.kind == "did":
            return passport.render_did_document(self.site, self.signer)
        if output.kind == "status-list":
            return status.render_status_list(self.site, self.signer)
        if output.kind == "nojekyll":
            return b""
        if output.kind == "photo":
            if self.photos is None:  # (the engine gives one wherever a site has photos)
                raise ValueError(f"{output.path}: no photos to make it from")
            return self.photos.copy(output.key, output.path)
        if output.kind == "card":
            if self.cards is None:  # (the engine's renderers have them)
                raise ValueError(f"{output.path}: no cache of share cards to make it in")
            return self.cards.card(self.site, self.batches[output.key])
        if output.kind == "feed":
            return feeds.feed(self.site, self.env.words, self.view)
        if output.kind in feeds.RENDERERS:
            return feeds.RENDERERS[output.kind](self.site, self.used_by, self.parts)
        template, context = self.page(output)
        return self.env.get_template(template).render(context).encode("utf-8")

    def linker(self, output: Output) -> Callable[[str], str]:
        if output.kind == "404":
            # Served at any missing path, so its links start from the base URL's path.
            return lambda target: self.base_path + target
        config = self.site.config
        if output.lang:  # a page in another language links to the pages in it
            return lambda target: relative(in_language(target, output.lang, config), output.route)
        return lambda target: relative(target, output.route)

    def versions(self, output: Output) -> dict[str, object]:
        """The page in each of the site's languages, for the switcher (relative links, each
        language named in itself) and for search engines (hreflang, absolute where the site
        has a base URL); nothing for a site in one language."""
        config = self.site.config
        if len(config.languages) == 1 or output.kind not in LANGUAGE_KINDS:
            return {"versions": [], "alternates": []}
        route = output.route[len(output.lang) + 1 :] if output.lang else output.route
        base = config.base_url
        targets = {lang: in_language(route, lang, config) for lang in config.languages}
        # x-default: the default language's page, the one the printed QR code opens.
        hrefs = {lang: relative(target, output.route) for lang, target in targets.items()}
        versions = [(lang, text.autonym(lang), hrefs[lang], lang == config.language) for lang in targets]
        targets["x-default"], hrefs["x-default"] = route, relative(route, output.route)
        alternates = [(lang, absolute(base, t) if base else hrefs[lang]) for lang, t in targets.items()]
        return {"versions": versions, "alternates": alternates}

    def page(self, output: Output) -> tuple[str, dict[str, object]]:
        site = self.site
        words = self.env.words
        language = site.config.language
        context: dict[str, object] = {
            "site": site.config,
            "pages": site.pages,
            "url": self.linker(output),
            "route": output.route,
            # Absolute URLs need the base URL: without one, no feed (and no sitemap to name).
            "feed": FEED if site.config.base_url else None,
            "sitemap_url": absolute(site.config.base_url, SITEMAP) if site.config.base_url else None,
            "shown": self.photos.shown if self.photos is not None else {},  # photos, by src
            **self.versions(output),
        }
        if output.kind in SIMPLE_TEMPLATES:
            if output.kind == "home":
                context.update(home_context(site, language))
            elif output.kind == "archive":
                context.update(archive_context(site, output.key, language))
            if "listed" in context:
                context.update(self.rows(output, context, kept=output.kind == "archive"))
            return SIMPLE_TEMPLATES[output.kind], context
        if output.kind in CONTENT_TEMPLATES:
            context.update(content_context(site, output.kind, output.key, self.used_by))
            context.update(jsonld.page_context(site, context["item"], words))
            context.update(self.rows(output, context))
            return CONTENT_TEMPLATES[output.kind], context
        batch = self.view(self.batches[output.key])
        if self.last_batch is None or self.last_batch[0] is not batch:
            self.last_batch = batch, batch_context(site, batch, words)
        context.update(self.last_batch[1])
        context.update(
            folder=batch_route(batch),
            canonical=jsonld.url(site.config, page_route(site.config, batch)),
            canonical_route=page_route(site.config, batch),
            page_url=qr_url(site.config, batch),
        )
        if output.kind == "batch":
            context.update(jsonld.page_context(site, batch, words))
            base = site.config.base_url
            context.update(passport=passport_route(batch) if base else None, linkset=None)
            if base and uses_digital_link(site.config, batch):  # (one file, for every language)
                context.update(linkset=absolute(base, page_route(site.config, batch) + LINKSET_NAME))
            return "batch.html", context
        if output.kind == "redirect":
            return "redirect.html", context
        context.update(label_context(site, batch, self.symbol(batch), words), **self.label_languages(batch))
        return "label.html", context

    def rows(self, output: Output, context: dict[str, object], kept: bool = False) -> dict[str, object]:
        """The rows of a page's list of batches (`listed`), each made by ROW_TEMPLATE; and the
        batches themselves, for a site's own list template (pages.Listing). A row sees the
        batch, its maker, the links and photos of its language and nothing of its page, so it
        is one text wherever it is listed at the same depth: a month page's rows are `kept` as
        the batch's parts of that page (feeds.BatchParts), and a rebuild makes the rows of the
        batches that changed only."""
        template = self.env.get_template(ROW_TEMPLATE)
        config, partners = self.site.config, self.site.partners
        shared = {key: context[key] for key in ("site", "url", "shown")}

        def row(batch: Batch) -> str:
            maker, route = partners[batch.maker], page_route(config, batch)
            key = maker_key(maker.id)
            return template.render(shared, batch=self.view(batch), partner=maker, batch_url=route, key=key)

        listed: list[Batch] = context["listed"]  # type: ignore[assignment]
        made = self.parts.of(output.path, listed, row, themed=True) if kept else map(row, listed)
        return {"rows": [Markup(text) for text in made], "batches": Listing(self.site, listed, self.view)}

    def label_languages(self, batch: Batch) -> dict[str, object]:
        """What a label prints in each of `label.languages` (EU 1007/2011 asks for the fibre
        composition in the languages of the country where the garment is sold): the
        composition with each fibre's Annex I name in every language, the care instructions
        once per language. None where the label speaks the site's language only."""
        config = self.site.config
        languages = config.label.languages
        if not languages:
            return {"label_composition": None, "label_care": None}
        speakers = [self if lang == config.language else self.in_language(lang) for lang in languages]
        parts = composition(self.site, batch)
        care = [
            (lang, care_lines(speaker.view(speaker.batches[batch.id]).care, speaker.env.words))
            for lang, speaker in zip(languages, speakers, strict=True)
        ]
        lines = label_composition(parts, languages, [speaker.env.words for speaker in speakers])
        return {"label_composition": lines, "label_care": care}

    def labels_sheet(self, batches: Iterable[Batch], copies: int) -> str:
        """One printable A4 sheet (or several pages of them) for a production run."""
        cards = [
            {
                **batch_context(self.site, batch, self.env.words),
                **label_context(self.site, batch, self.symbol(batch), self.env.words),
                **self.label_languages(batch),
            }
            for batch in batches
            for _ in range(copies)
        ]
        context = {"site": self.site.config, "cards": cards}
        return self.env.get_template("labels.html").render(context)


def template_problem(exc: BaseException, path: str) -> str:
    """`templates/x.html:LINE:COLUMN: error: ...` for a mistake in a template: its syntax, a
    file that is not text, an include of a template that does not exist, or an error while it
    renders (said at the innermost template line it went through), else the output that
    failed and why. One line, never a traceback."""
    what = _one_line(str(exc.message if isinstance(exc, TemplateError) and exc.message else exc))
    where = _where(exc)
    if isinstance(exc, (TemplateSyntaxError, TemplateUnreadable)) and where is not None:
        return f"{where}: error: {what}"  # the file itself: the same on every page
    what = f"{type(exc).__name__}: {what} (while rendering {path})"
    return f"{where}: error: {what}" if where is not None else f"error: {what}"


def _where(exc: BaseException) -> str | None:
    """FILE:LINE:COLUMN in a template, where the error has one."""
    if isinstance(exc, TemplateUnreadable):
        return f"{exc.filename}:{exc.line}:{exc.column}"
    if isinstance(exc, TemplateSyntaxError) and _ours(exc.filename) and exc.lineno:
        return f"{exc.filename}:{exc.lineno}:1"
    found = None
    for filename, line in _template_frames(exc.__traceback__):
        found = f"{filename}:{line}:1"  # the innermost: an include's frame is its includer's
    return found


def _template_frames(tb: TracebackType | None) -> Iterator[tuple[str, int]]:
    """The frames of templates in a traceback, outermost first: those Jinja rewrote to point at
    the template's line, and any it left as compiled code (mapped back to the template here)."""
    while tb is not None:
        frame = tb.tb_frame
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and _ours(template.filename):
            yield template.filename, template.get_corresponding_lineno(tb.tb_lineno)
        elif "__jinja_exception__" in frame.f_globals and _ours(frame.f_code.co_filename):
            yield frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next


def _ours(filename: str | None) -> bool:
    """A template file name our loaders gave: the site's overrides or the theme."""
    return filename is not None and filename.startswith((OVERRIDES, THEME))


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")
