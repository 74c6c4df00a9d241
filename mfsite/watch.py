"""Watching the sources: a real watchdog observer, debounced into one build at a time.

Editors save in odd ways: vim writes a `4913` probe and a `.swp` file, many
editors write a temporary file and rename it over the original (a `moved`
event with no `modified`), and one save can make a dozen events. So events
only *mark* the site as changed; a single worker thread waits for the burst
to settle, then builds, and a change that arrives during a build queues at
most one more.

The events also say where the changes were: each build is told which source files and
which output files changed since the one before (seen.py), so it stats those rather than
every file. The output folder is watched for that alone; its changes start no build.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from mfsite.load.sources import is_noise
from mfsite.seen import Seen, Watched

WATCHED_FOLDERS = ("batches", "content", "templates", "static", "photos")
WATCHED_FILES = ("site.yaml",)
T = TypeVar("T")
DEBOUNCE_SECONDS = 0.02  # one save's events come within a few ms of each other


class _Notes:
    """What a watch saw since the builder last asked, filled in by the observer's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen = Seen(everything=True)  # (nothing is vouched for until the watch is set)
        self.watched = True  # False: no watch at all (every build looks at everything)

    def note(self, rel: str, folder: bool) -> None:
        with self.lock:
            (self.seen.folders if folder else self.seen.files).add(rel)

    def lost(self) -> None:
        with self.lock:
            self.seen.everything = True

    def take(self) -> Seen:
        with self.lock:
            seen, self.seen = self.seen, Seen()
        return seen if self.watched else Seen(everything=True)


class _Handler(FileSystemEventHandler):
    """Notes each change under a watched folder by its path relative to `root`; `relative`
    says what that is, or None for a change that does not matter."""

    def __init__(self, root: Path, notes: _Notes, poke: Callable[[], None] | None = None) -> None:
        self.root = root  # absolute, links not resolved
        self.notes = notes
        self.poke = poke  # told of every change that matters (the output's changes tell no one)

    def relative(self, path: str | bytes) -> str | None:
        full = _absolute(path)
        return full.relative_to(self.root).as_posix() if full.is_relative_to(self.root) else None

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading a file changes nothing
        if event.event_type == "events_lost":  # the kernel's queue overflowed
            self.notes.lost()
            if self.poke is not None:
                self.poke()
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's own time stamp: what changed inside has an event of its own
        paths = [event.src_path, getattr(event, "dest_path", "")]
        found = [rel for p in paths if p and (rel := self.relative(p)) is not None]
        for rel in found:
            if rel == ".":
                self.notes.lost()  # the watched folder itself moved or went
            else:
                self.notes.note(rel, event.is_directory)
        if found and self.poke is not None:
            self.poke()


class _SourceHandler(_Handler):
    def __init__(self, root: Path, notes: _Notes, poke: Callable[[], None]) -> None:
        super().__init__(root, notes, poke)
        # A source folder that is a link is watched where it leads: its events come from there.
        self.linked: dict[Path, str] = {}  # real folder -> its name in the site

    def relative(self, path: str | bytes) -> str | None:
        """The source a change is to, as the site names it; None where it is not one (the
        output, editor droppings, files beside the sources)."""
        full = _absolute(path)
        linked = (
            Path(name) / full.relative_to(real)
            for real, name in self.linked.items()
            if full.is_relative_to(real)
        )
        rel = next(linked, None)
        if rel is None:
            if not full.is_relative_to(self.root):
                return None
            rel = full.relative_to(self.root)
        parts = rel.parts
        if not parts or any(is_noise(part) for part in parts):
            return None
        if parts[0] in WATCHED_FOLDERS or (len(parts) == 1 and parts[0] in WATCHED_FILES):
            return rel.as_posix()
        return None


class Watcher(Generic[T]):
    """Calls `build` once, then after every settled burst of changes, one build at a time, with
    what the watches saw change in the sources and in the output folder since the build before.

    Before each build the folders are watched anew where one was made, replaced (a restore, a
    branch switch, a whole new output swapped in) or is a link that now leads elsewhere: a
    watch follows a folder, not its name. A folder watched anew vouches for nothing, so that
    build looks at every file."""

    def __init__(
        self, root: Path, build: Callable[[Watched], T], poll: bool = False, output: Path | None = None
    ) -> None:
        self.root = Path(os.path.abspath(root))
        self.output = Path(os.path.abspath(output)) if output is not None else None
        self.build = build
        self.changed = threading.Event()
        self.stopping = threading.Event()
        self.worker = threading.Thread(target=self._run, name="mfsite-build", daemon=True)
        self.observer: BaseObserver | None = None
        self.polling = poll
        self.fallback_reason: str | None = None
        self.sources, self.outputs = _Notes(), _Notes()
        self.handler = _SourceHandler(self.root, self.sources, self.changed.set)
        self.watches: dict[str, tuple[tuple[str, int, int], ObservedWatch]] = {}

    def start(self) -> T:
        """Watch, then build once in this thread (what the watches see from then on goes to the
        next build), then rebuild in a thread of its own; what the first build returned."""
        if not self.polling:
            try:
                self.observer = self._observe(Observer())
            except OSError as exc:  # inotify out of watches or instances, unsupported mounts
                self.fallback_reason = f"cannot watch with inotify ({exc.strerror or exc})"
                self.polling = True
        if self.polling:
            # Polling the output too would stat every file of it twice a second: each build
            # stats them once instead.
            self.outputs.watched = False
            self.observer = self._observe(PollingObserver(timeout=0.5))
        first = self._build()
        self._arm_all()  # an output made by that build is watched now, not at the first save
        self.worker.start()
        return first

    def _observe(self, observer: BaseObserver) -> BaseObserver:
        # The site folder itself only for site.yaml and the source folders' coming and going;
        # the source folders in full. The output apart: its changes never start a build.
        self.watches = {}
        observer.schedule(self.handler, str(self.root), recursive=False)
        self._arm(observer)
        observer.start()
        return observer

    def _arm(self, observer: BaseObserver) -> None:
        for name in WATCHED_FOLDERS:
            self._arm_one(observer, name, self.root / name, self.sources)
        if self.output is not None and self.outputs.watched:
            try:
                self._arm_one(observer, "", self.output, self.outputs)
            except OSError as exc:  # out of inotify watches: every build checks every file
                self.outputs.watched = False
                why = exc.strerror or exc
                print(f"mfsite: cannot watch the output folder ({why}); each rebuild checks every file of it",
                      file=sys.stderr)  # fmt: skip

    def _arm_one(self, observer: BaseObserver, name: str, folder: Path, notes: _Notes) -> None:
        now = _identity(folder)
        known = self.watches.get(name)
        if (known[0] if known is not None else None) == now:
            return  # the same folder, or still none
        notes.lost()  # what happened before the watch was set is not known
        if known is not None:
            with contextlib.suppress(KeyError, OSError):
                observer.unschedule(known[1])
            del self.watches[name]
            self.handler.linked = {r: n for r, n in self.handler.linked.items() if n != name}
        if now is None:
            return
        real = Path(now[0])
        if notes is self.outputs:
            handler: _Handler = _Handler(real, notes)
        else:
            handler = self.handler
            if real != folder:
                self.handler.linked[real] = name
        self.watches[name] = (now, observer.schedule(handler, str(real), recursive=True))

    def _run(self) -> None:
        while not self.stopping.is_set():
            if not self.changed.wait(timeout=0.2):
                continue
            # Let the burst settle: wait until no event arrived for a moment.
            while True:
                self.changed.clear()
                if not self.changed.wait(timeout=DEBOUNCE_SECONDS):
                    break
            if self.stopping.is_set():
                return
            self._build()

    def _build(self) -> T:
        self._arm_all()
        return self.build(Watched(self.sources.take(), self.outputs.take()))

    def _arm_all(self) -> None:
        if self.observer is not None:
            try:
                self._arm(self.observer)
            except OSError as exc:  # out of inotify watches: the build still reads everything
                self.sources.lost()
                print(f"mfsite: cannot watch a source folder ({exc.strerror or exc})", file=sys.stderr)

    def stop(self) -> None:
        """Stop watching; a build under way finishes first, so the output stays whole."""
        self.stopping.set()
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
        if self.worker.ident is not None:  # (started: the first build is done)
            self.worker.join()


def _absolute(path: str | bytes) -> Path:
    """An event's path (bytes where the name is not UTF-8), absolute, links not resolved."""
    return Path(os.path.abspath(path.decode(errors="replace") if isinstance(path, bytes) else path))


def _identity(folder: Path) -> tuple[str, int, int] | None:
    """Which folder a name stands for now (through a link too); None where there is none."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    return (os.path.realpath(folder), st.st_dev, st.st_ino)
