"""Is the live output already what this build would make? Then `mfsite build` stops early.

The answer comes from file status alone, reading no file: the status (modification time,
size, inode) of every source file the loader would read and of mfsite's own files, the
versions of mfsite, Python and the libraries that shape the output
(`mfsite.dependencies`), this build's settings, and the status of the output's marker and
of the build manifest. The sources' status is taken before the last successful build read
them, so an edit made while it ran still counts as a change; the output's is taken after
it published. The last build's report (warnings and QR code facts) is kept beside them and
shown again, so both ways read the same.

This is what makes a no-change build of 10,000 batches take a fraction of a second. A
build that changes anything, or `--clean`, goes the whole way, and the build cache
(cache.py, manifest.py) still spares it every file that did not change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from mfsite import dependencies
from mfsite.cache import CACHE_DIR, write_json
from mfsite.diagnostics import Diagnostic, Span
from mfsite.load.sources import StatKey, stat_key
from mfsite.manifest import PACKAGE, digest, manifest_file, package_files
from mfsite.publish import MARKER
from mfsite.render.labels import LabelFacts

LAST_BUILD = "last-build.json"


@dataclass(slots=True)
class LastBuild:
    """What a build reports, kept for a build that finds nothing changed."""

    batches: int
    files: int
    level: str  # the QR codes' error-correction level
    facts: dict[str, LabelFacts]
    warnings: list[Diagnostic]
    written: int = 0  # by the build that made this report; a build that stops early writes none
    removed: int = 0


def sources_print(stats: list[tuple[str, StatKey]], settings: tuple[str, ...]) -> str:
    """The sources' status (load.sources.source_stats, taken before reading them), mfsite's
    own files' status and this build's settings, as one value."""
    own = [f"{p.relative_to(PACKAGE)} {stat_key(p)}" for p in package_files()]
    return digest(dependencies(), *settings, *own, *(f"{rel} {key}" for rel, key in stats))


def output_print(source: Path, output: Path) -> str:
    marker, manifest = stat_key(output / MARKER), stat_key(manifest_file(source, output))
    return digest(str(output.resolve()), str(marker), str(manifest))


def remember(source: Path, output: Path, sources: str, last: LastBuild) -> None:
    # The QR facts by batch as its code's version, and by version (the same for every code of one).
    versions: dict[str, int] = {}
    by_version: dict[int, LabelFacts] = {}
    for batch_id, found in last.facts.items():
        versions[batch_id] = found.version
        by_version.setdefault(found.version, found)
    write_json(
        source,
        LAST_BUILD,
        {
            "sources": sources,
            "output": output_print(source, output),
            "batches": last.batches,
            "files": last.files,
            "level": last.level,
            "versions": versions,
            "facts": {v: [f.modules, str(f.qr_mm), str(f.module_mm)] for v, f in by_version.items()},
            "warnings": [d.as_dict() for d in last.warnings],
        },
    )


def unchanged(source: Path, output: Path, sources: str) -> LastBuild | None:
    """The last build's report, if nothing it depends on changed since; else None."""
    try:
        data = json.loads((source / CACHE_DIR / LAST_BUILD).read_text(encoding="utf-8"))
        if data["sources"] != sources or data["output"] != output_print(source, output):
            return None
        of_version = {
            int(version): LabelFacts(int(version), modules, Decimal(qr_mm), Decimal(module_mm))
            for version, (modules, qr_mm, module_mm) in data["facts"].items()
        }
        facts = {i: of_version[version] for i, version in data["versions"].items()}
        warnings = [
            Diagnostic(Span(d["file"], d["line"], d["column"]), d["code"], d["message"], d["severity"])
            for d in data["warnings"]
        ]
        return LastBuild(data["batches"], data["files"], data["level"], facts, warnings)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # none, or damaged: build
        return None
