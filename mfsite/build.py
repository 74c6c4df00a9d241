"""The pipeline, top to bottom: load -> validate -> plan -> render -> publish."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mfsite import codes
from mfsite.diagnostics import Diagnostic, SiteErrors, Span
from mfsite.load.sources import load_sources
from mfsite.model import Batch, Site
from mfsite.plan import plan_site
from mfsite.publish import Staging, check_output
from mfsite.render import Renderer, make_environment
from mfsite.render.labels import MIN_MODULE_MM, LabelFacts
from mfsite.render.qr import QrTooLong
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
    qr: dict[str, LabelFacts]  # batch id -> its code's version and printed size
    warnings: list[Diagnostic]


def check_site(source: Path, base_url: str | None = None, need_base_url: bool = False) -> Checked:
    sources, problems = load_sources(source)
    site, more = validate(sources, base_url, need_base_url)
    diagnostics = problems + more
    # A file that could not be read is missing from the model: never build without it.
    if any(d.severity == "error" for d in diagnostics):
        site = None
    return Checked(site, diagnostics)


def qr_facts(
    site: Site, renderer: Renderer, batches: Iterable[Batch]
) -> tuple[dict[str, LabelFacts], list[Diagnostic]]:
    """These batches' QR codes, made once; warnings where a label would print too small."""
    facts: dict[str, LabelFacts] = {}
    warnings = []
    for batch in batches:
        try:
            facts[batch.id] = renderer.label_facts(batch)
        except QrTooLong as exc:
            message = f"base_url: the address of batch '{batch.id}' is too long for a QR code ({exc})"
            raise SiteErrors([Diagnostic(Span("site.yaml"), codes.BAD_URL, message)]) from None
        if facts[batch.id].too_small:
            found = facts[batch.id]
            message = (
                f"the label's QR code prints at {found.module_mm} mm per module (version "
                f"{found.version}, {found.modules} modules in {found.qr_mm} mm); below {MIN_MODULE_MM} mm "
                "phones may fail to scan it: raise label.qr_mm or shorten the address"
            )
            warnings.append(Diagnostic(batch.span, codes.QR_PRINT_SIZE, message, "warning"))
    return facts, warnings


def build_site(site: Site, source: Path, output: Path, strict: bool = False) -> BuildReport:
    """Render every planned output into a staging folder and swap it in."""
    started = time.perf_counter()
    check_output(source, output)
    renderer = Renderer(site, make_environment(source / "templates"))
    facts, warnings = qr_facts(site, renderer, site.batches)
    if strict and warnings:
        raise SiteErrors(warnings)
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
    return BuildReport(len(outputs), len(site.batches), time.perf_counter() - started, facts, warnings)
