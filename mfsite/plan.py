"""Plan: a valid site -> the list of files the output will hold.

Each `Output` names its path and what renders it, nothing more, so the plan
is cheap to make and easy to compare between builds.
"""

from __future__ import annotations

from dataclasses import dataclass

from mfsite.model import Site
from mfsite.urls import HOME, batch_route, content_route, output_path


@dataclass(frozen=True, slots=True)
class Output:
    path: str  # inside the output folder, forward slashes
    kind: str  # which renderer makes it
    key: str = ""  # what it is about: a batch id, a content stem, a static file
    route: str = ""  # the page's route, for relative links


def page(route: str, kind: str, key: str = "") -> Output:
    return Output(output_path(route), kind, key, route)


def plan_site(site: Site) -> list[Output]:
    outputs = [
        page(HOME, "home"),
        Output("404.html", "404", route="404.html"),
        Output("robots.txt", "robots", route="robots.txt"),
    ]
    for batch in site.batches:
        route = batch_route(batch)
        outputs.append(page(route, "batch", batch.id))
        for fmt in site.config.qr.formats:
            outputs.append(Output(f"{route}qr.{fmt}", f"qr-{fmt}", batch.id, route))
    for kind, items in (
        ("partners", site.partners),
        ("materials", site.materials),
        ("stories", site.stories),
        ("pages", site.pages),
    ):
        for stem in items:
            outputs.append(page(content_route(kind, stem), kind, stem))
    for name in site.static:
        outputs.append(Output(f"static/{name}", "static", name))
    return sorted(outputs, key=lambda o: o.path)
