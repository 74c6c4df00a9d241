"""Watching the sources: a real watchdog observer, debounced into one build at a time.

Editors save in odd ways: vim writes a `4913` probe and a `.swp` file, many
editors write a temporary file and rename it over the original (a `moved`
event with no `modified`), and one save can make a dozen events. So events
only *mark* the site as changed; a single worker thread waits for the burst
to settle, then builds, and a change that arrives during a build queues at
most one more.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
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
    def __init__(self, root: Path, poke: Callable[[], None], new_folder: Callable[[Path], None]) -> None:
        self.root = root.resolve()
        self.poke = poke
        self.new_folder = new_folder

    def relevant(self, path: str | bytes) -> bool:
        if isinstance(path, bytes):
            path = path.decode(errors="replace")
        try:
            rel = Path(path).resolve().relative_to(self.root)
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
            if event.is_directory and event.event_type in ("created", "moved"):
                self.new_folder(Path(str(paths[-1] or paths[0])))
            self.poke()


class Watcher:
    """Calls `build` after every settled burst of changes, one build at a time."""

    def __init__(self, root: Path, build: Callable[[], None], poll: bool = False) -> None:
        self.root = root
        self.build = build
        self.changed = threading.Event()
        self.stopping = threading.Event()
        self.worker = threading.Thread(target=self._run, name="mfsite-build", daemon=True)
        self.observer: BaseObserver | None = None
        self.polling = poll
        self.fallback_reason: str | None = None

    def start(self) -> None:
        handler = _Handler(self.root, self.changed.set, self._folder_created)
        self.handler = handler
        if not self.polling:
            try:
                self.observer = self._observe(Observer(), handler)
            except OSError as exc:  # inotify out of watches or instances, unsupported mounts
                self.fallback_reason = f"cannot watch with inotify ({exc.strerror or exc})"
                self.polling = True
        if self.polling:
            self.observer = self._observe(PollingObserver(timeout=0.5), handler)
        self.worker.start()

    def _observe(self, observer: BaseObserver, handler: _Handler) -> BaseObserver:
        # The site folder itself only for site.yaml and new top folders; the
        # source folders in full. Never the output: a build must not trigger a build.
        observer.schedule(handler, str(self.root), recursive=False)
        for name in WATCHED_FOLDERS:
            if (self.root / name).is_dir():
                observer.schedule(handler, str(self.root / name), recursive=True)
        observer.start()
        return observer

    def _folder_created(self, path: Path) -> None:
        """A source folder made after the start (say, templates/): watch it too."""
        is_source_folder = path.parent.resolve() == self.root.resolve() and path.name in WATCHED_FOLDERS
        if is_source_folder and self.observer is not None:
            self.observer.schedule(self.handler, str(path), recursive=True)

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
            self.build()

    def stop(self) -> None:
        """Stop watching; a build under way finishes first, so the output stays whole."""
        self.stopping.set()
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
        self.worker.join()
