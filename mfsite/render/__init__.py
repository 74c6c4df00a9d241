"""Render: one planned output -> its bytes.

Pages go through Jinja2 with autoescaping on for every template; the built-in
theme ships in the package and a site's `templates/` folder overrides it file
by file. Nothing here writes a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from types import TracebackType
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

from mfsite.model import Batch, Site, Users, users
from mfsite.plan import FEED, SITEMAP, Output, passport_route
from mfsite.render import feeds, jsonld, passport, qr, text
from mfsite.render.labels import LabelFacts, label_context
from mfsite.render.markdown import render_markdown
from mfsite.render.pages import archive_context, batch_context, content_context, home_context
from mfsite.urls import (
    absolute,
    archive_route,
    batch_route,
    content_route,
    page_route,
    qr_url,
    relative,
)

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


def make_environment(site_templates: Path | None) -> Environment:
    loaders: list[BaseLoader] = [_Theme("mfsite", "theme/templates")]
    if site_templates is not None:  # even before the folder exists: watch mode may see it made
        loaders.insert(0, _Overrides(site_templates))
    env = Environment(
        loader=ChoiceLoader(loaders),
        bytecode_cache=_compiled_templates(),
        autoescape=True,  # every template, whatever its file name
        # No stat of every template file at every page: a build's templates stay as loaded,
        # and watch mode empties the cache itself when one changes.
        auto_reload=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(content_route=content_route, archive_route=archive_route)
    env.filters.update(
        markdown=render_markdown,
        date=text.format_date,
        country=text.country_name,
        percent=text.format_percent,
        km=text.format_km,
        mm=text.format_mm,
    )
    return env


@cache
def _compiled_templates() -> FileSystemBytecodeCache | None:
    """Jinja's own cache of compiled templates (keyed by each template's source): every build
    process would otherwise compile the theme again, much of a small rebuild. It lives in
    Jinja's per-user private temporary folder, never in the site, which may come from anyone."""
    try:
        return FileSystemBytecodeCache()
    except (OSError, RuntimeError):  # no safe temporary folder: compile every time
        return None


class Renderer:
    def __init__(
        self,
        site: Site,
        env: Environment,
        symbols: dict[tuple[str, str], qr.QrSymbol] | None = None,
        used_by: Users | None = None,
        parts: feeds.BatchParts | None = None,
    ) -> None:
        self.site = site
        self.env = env
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

    def render(self, output: Output) -> bytes:
        if output.kind.startswith("qr-"):
            symbol = self.symbol(self.batches[output.key])
            if output.kind == "qr-svg":
                return qr.to_svg(symbol, self.site.config.qr).encode()
            return qr.to_png(symbol, self.site.config.qr)
        if output.kind == "passport":
            return passport.render_passport(self.site, self.batches[output.key])
        if output.kind in feeds.RENDERERS:
            return feeds.RENDERERS[output.kind](self.site, self.used_by, self.parts)
        template, context = self.page(output)
        return self.env.get_template(template).render(context).encode("utf-8")

    def linker(self, output: Output) -> Callable[[str], str]:
        if output.kind == "404":
            # Served at any missing path, so its links start from the base URL's path.
            return lambda target: self.base_path + target
        return lambda target: relative(target, output.route)

    def page(self, output: Output) -> tuple[str, dict[str, object]]:
        site = self.site
        context: dict[str, object] = {
            "site": site.config,
            "pages": site.pages,
            "url": self.linker(output),
            "route": output.route,
            # Absolute URLs need the base URL: without one, no feed (and no sitemap to name).
            "feed": FEED if site.config.base_url else None,
            "sitemap_url": absolute(site.config.base_url, SITEMAP) if site.config.base_url else None,
        }
        if output.kind in SIMPLE_TEMPLATES:
            if output.kind == "home":
                context.update(home_context(site))
            elif output.kind == "archive":
                context.update(archive_context(site, output.key, site.by_month[output.key]))
            return SIMPLE_TEMPLATES[output.kind], context
        if output.kind in CONTENT_TEMPLATES:
            context.update(content_context(site, output.kind, output.key, self.used_by))
            context.update(jsonld.page_context(site, context["item"]))
            return CONTENT_TEMPLATES[output.kind], context
        batch = self.batches[output.key]
        if self.last_batch is None or self.last_batch[0] is not batch:
            self.last_batch = batch, batch_context(site, batch)
        context.update(self.last_batch[1])
        context.update(
            folder=batch_route(batch),
            canonical=absolute(site.config.base_url or "", page_route(site.config, batch)),
            canonical_route=page_route(site.config, batch),
            page_url=qr_url(site.config, batch),
        )
        if output.kind == "batch":
            context.update(jsonld.page_context(site, batch))
            context.update(passport=passport_route(batch) if site.config.base_url else None)
            return "batch.html", context
        if output.kind == "redirect":
            return "redirect.html", context
        context.update(label_context(site, batch, self.symbol(batch)))
        return "label.html", context

    def labels_sheet(self, batches: Iterable[Batch], copies: int) -> str:
        """One printable A4 sheet (or several pages of them) for a production run."""
        cards = [
            {**batch_context(self.site, batch), **label_context(self.site, batch, self.symbol(batch))}
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
