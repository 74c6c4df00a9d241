"""Watching the sources: a real watchdog observer, debounced into one build at a time.

Editors save in odd ways: vim writes a `4913` probe and a `.swp` file, many
editors write a temporary file and rename it over the original (a `moved`
event with no `modified`), and one save can make a dozen events. So events
only *mark* the site as changed; a single worker thread waits for the burst
to settle, then builds, and a change that arrives during a build queues at
most one more.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

WATCHED_FOLDERS = ("batches", "content", "templates", "static")
WATCHED_FILES = ("site.yaml",)
DEBOUNCE_SECONDS = 0.08
EDITOR_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", "~", ".tmp", ".part", ".crdownload", ".bak")


def is_noise(name: str) -> bool:
    """Editor droppings and temporary files: never a reason to rebuild."""
    return (
        name.startswith((".", "#"))  # hidden files, .#lock files, emacs #autosave#
        or name.endswith(EDITOR_SUFFIXES)
        or name == "4913"  # vim's probe that it may write in the folder
    )


class _Handler(FileSystemEventHandler):
    def __init__(self, root: Path, poke: Callable[[], None]) -> None:
        self.root = root  # absolute, links not resolved
        self.poke = poke
        # A source folder that is a link is watched where it leads: its events come from there.
        self.linked: dict[Path, str] = {}  # real folder -> its name in the site

    def relevant(self, path: str | bytes) -> bool:
        if isinstance(path, bytes):
            path = path.decode(errors="replace")
        full = Path(os.path.abspath(path))
        rel = next(
            (
                Path(name) / full.relative_to(real)
                for real, name in self.linked.items()
                if full.is_relative_to(real)
            ),
            None,
        )
        if rel is None:
            try:
                rel = full.relative_to(self.root)
            except ValueError:
                return False
        parts = rel.parts
        if not parts or any(is_noise(part) for part in parts):
            return False
        return parts[0] in WATCHED_FOLDERS or (len(parts) == 1 and parts[0] in WATCHED_FILES)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reading a file changes nothing
        if event.is_directory and event.event_type == "modified":
            return  # a folder's own time stamp: what changed inside has an event of its own
        paths = [event.src_path, getattr(event, "dest_path", "")]
        if any(p and self.relevant(p) for p in paths):
            self.poke()


class Watcher:
    """Calls `build` after every settled burst of changes, one build at a time.

    Before each build the source folders are watched anew where one was made, replaced (a
    restore, a branch switch) or is a link that now leads elsewhere: a watch follows a folder,
    not its name, and the build that follows reads whatever changed meanwhile."""

    def __init__(self, root: Path, build: Callable[[], object], poll: bool = False) -> None:
        self.root = Path(os.path.abspath(root))
        self.build = build
        self.changed = threading.Event()
        self.stopping = threading.Event()
        self.worker = threading.Thread(target=self._run, name="mfsite-build", daemon=True)
        self.observer: BaseObserver | None = None
        self.polling = poll
        self.fallback_reason: str | None = None
        self.handler = _Handler(self.root, self.changed.set)
        self.watches: dict[str, tuple[tuple[str, int, int], ObservedWatch]] = {}

    def start(self) -> None:
        if not self.polling:
            try:
                self.observer = self._observe(Observer())
            except OSError as exc:  # inotify out of watches or instances, unsupported mounts
                self.fallback_reason = f"cannot watch with inotify ({exc.strerror or exc})"
                self.polling = True
        if self.polling:
            self.observer = self._observe(PollingObserver(timeout=0.5))
        self.worker.start()

    def _observe(self, observer: BaseObserver) -> BaseObserver:
        # The site folder itself only for site.yaml and the source folders' coming and going;
        # the source folders in full. Never the output: a build must not trigger a build.
        self.watches = {}
        observer.schedule(self.handler, str(self.root), recursive=False)
        self._arm(observer)
        observer.start()
        return observer

    def _arm(self, observer: BaseObserver) -> None:
        for name in WATCHED_FOLDERS:
            folder = self.root / name
            now = _identity(folder)
            known = self.watches.get(name)
            if known is not None and known[0] == now:
                continue
            if known is not None:
                with contextlib.suppress(KeyError, OSError):
                    observer.unschedule(known[1])
                del self.watches[name]
                self.handler.linked = {r: n for r, n in self.handler.linked.items() if n != name}
            if now is not None:
                real = Path(now[0])
                if real != folder:
                    self.handler.linked[real] = name
                self.watches[name] = (now, observer.schedule(self.handler, str(real), recursive=True))

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
            if self.observer is not None:
                try:
                    self._arm(self.observer)
                except OSError as exc:  # out of inotify watches: the build still reads everything
                    print(f"mfsite: cannot watch a source folder ({exc.strerror or exc})", file=sys.stderr)
            self.build()

    def stop(self) -> None:
        """Stop watching; a build under way finishes first, so the output stays whole."""
        self.stopping.set()
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
        self.worker.join()


def _identity(folder: Path) -> tuple[str, int, int] | None:
    """Which folder a name stands for now (through a link too); None where there is none."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    return (os.path.realpath(folder), st.st_dev, st.st_ino)
