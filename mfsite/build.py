"""The pipeline, top to bottom: load -> validate -> plan -> render -> publish."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from mfsite.diagnostics import Diagnostic
from mfsite.load.sources import load_sources
from mfsite.model import Site
from mfsite.plan import plan_site
from mfsite.publish import Staging, check_output
from mfsite.render import Renderer, make_environment
from mfsite.validate import validate


@dataclass(slots=True)
class Checked:
    site: Site | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


@dataclass(slots=True)
class BuildReport:
    files: int
    batches: int
    seconds: float


def check_site(source: Path, base_url: str | None = None, need_base_url: bool = False) -> Checked:
    sources, problems = load_sources(source)
    site, more = validate(sources, base_url, need_base_url)
    diagnostics = problems + more
    # A file that could not be read is missing from the model: never build without it.
    if any(d.severity == "error" for d in diagnostics):
        site = None
    return Checked(site, diagnostics)


def build_site(site: Site, source: Path, output: Path) -> BuildReport:
    """Render every planned output into a staging folder and swap it in."""
    started = time.perf_counter()
    check_output(source, output)
    renderer = Renderer(site, make_environment(source / "templates"))
    outputs = plan_site(site)
    staging = Staging(output)
    try:
        for out in outputs:
            if out.kind == "static":
                staging.copy(source / "static" / out.key, out.path)
            else:
                staging.write(out.path, renderer.render(out))
        staging.commit()
    except BaseException:
        staging.discard()
        raise
    return BuildReport(len(outputs), len(site.batches), time.perf_counter() - started)
