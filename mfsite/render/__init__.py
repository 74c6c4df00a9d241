"""Render: one planned output -> its bytes.

Pages go through Jinja2 with autoescaping on for every template; the built-in
theme ships in the package and a site's `templates/` folder overrides it file
by file. Nothing here writes a file.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from mfsite.model import Batch, Site
from mfsite.plan import Output
from mfsite.render import qr, text
from mfsite.render.markdown import render_markdown
from mfsite.render.pages import batch_context, content_context, home_context
from mfsite.urls import absolute, batch_route, content_route, relative

CONTENT_TEMPLATES = {
    "partners": "partner.html",
    "materials": "material.html",
    "stories": "story.html",
    "pages": "page.html",
}


def make_environment(site_templates: Path | None) -> Environment:
    loaders = [PackageLoader("mfsite", "theme/templates")]
    if site_templates is not None and site_templates.is_dir():
        loaders.insert(0, FileSystemLoader(site_templates))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,  # every template, whatever its file name
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(content_route=content_route)
    env.filters.update(
        markdown=render_markdown,
        date=text.format_date,
        country=text.country_name,
        percent=text.format_percent,
        km=text.format_km,
    )
    return env


class Renderer:
    def __init__(self, site: Site, env: Environment) -> None:
        self.site = site
        self.env = env
        self.batches = {b.id: b for b in site.batches}
        # Who links to what: built once so a page never scans every batch.
        self.used_by: dict[tuple[str, str], list[Batch]] = defaultdict(list)
        for batch in site.batches:
            for kind_and_id in dict.fromkeys((k, r.id) for k, r in batch.references()):
                self.used_by[kind_and_id].append(batch)
        base_url = site.config.base_url or "/"
        self.base_path = urlsplit(base_url).path

    def render(self, output: Output) -> bytes:
        if output.kind.startswith("qr-"):
            return self.render_qr(output)
        template, context = self.page(output)
        html = self.env.get_template(template).render(context)
        return html.encode("utf-8")

    def qr_url(self, batch: Batch) -> str:
        return absolute(self.site.config.base_url or "", batch_route(batch))

    def render_qr(self, output: Output) -> bytes:
        symbol = qr.make_symbol(self.qr_url(self.batches[output.key]), self.site.config.qr.error_correction)
        return qr.to_svg(symbol) if output.kind == "qr-svg" else qr.to_png(symbol)

    def page(self, output: Output) -> tuple[str, dict[str, object]]:
        site = self.site
        route = output.route
        if output.kind == "404":
            # Served at any missing path, so its links start from the base URL's path.
            def url(target: str) -> str:
                return self.base_path + target
        else:

            def url(target: str) -> str:
                return relative(target, route)

        context: dict[str, object] = {"site": site.config, "pages": site.pages, "url": url, "route": route}
        if output.kind == "home":
            context.update(home_context(site))
            return "index.html", context
        if output.kind == "batch":
            batch = self.batches[output.key]
            context.update(batch_context(site, batch))
            context["page_url"] = self.qr_url(batch)
            return "batch.html", context
        if output.kind in ("partners", "materials", "stories", "pages"):
            context.update(content_context(site, output.kind, output.key, self.used_by))
            return CONTENT_TEMPLATES[output.kind], context
        return {"404": "404.html", "robots": "robots.txt"}[output.kind], context
