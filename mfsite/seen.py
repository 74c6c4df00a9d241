"""What a watch saw change in a folder since it was last asked.

`mfsite watch` and `serve` hand this to the engine with each rebuild: the engine then stats
only the source files and output files a change may have touched, rather than every one. A
watch that cannot vouch for what it saw (it was set anew, events were lost) says `everything`,
and the engine looks at every file, as `mfsite build` does.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field


@dataclass(slots=True)
class Seen:
    """Paths relative to the watched folder, with forward slashes: files that changed, and
    folders whose whole content is in doubt (made, moved or deleted as one)."""

    files: set[str] = field(default_factory=set)
    folders: set[str] = field(default_factory=set)
    everything: bool = False

    def add(self, other: Seen) -> None:
        self.files |= other.files
        self.folders |= other.folders
        self.everything = self.everything or other.everything

    def covers(self, path: str) -> bool:
        """Whether this path may have changed."""
        return (
            self.everything
            or path in self.files
            or any(path.startswith(f"{folder}/") for folder in self.folders)
        )

    def among(self, paths: Collection[str]) -> Collection[str]:
        """Those of these paths that may have changed."""
        if self.everything:
            return paths
        found = {path for path in self.files if path in paths}
        if self.folders:
            found.update(path for path in paths if self.covers(path))
        return found


@dataclass(slots=True)
class Watched:
    """What the watches saw in the site's sources and in its output folder."""

    sources: Seen
    output: Seen


EVERYTHING = Watched(Seen(everything=True), Seen(everything=True))
