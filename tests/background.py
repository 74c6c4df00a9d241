"""A long-running mfsite (watch, serve) in a subprocess, with its output read as it comes."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path


class Background:
    def __init__(self, *args: str | Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mfsite", *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.pumps = [
            threading.Thread(target=self._pump, args=(stream,), daemon=True)
            for stream in (self.proc.stdout, self.proc.stderr)
        ]
        for pump in self.pumps:
            pump.start()

    def _pump(self, stream) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def drain(self) -> list[str]:
        while True:
            try:
                self.seen.append(self.lines.get_nowait())
            except queue.Empty:
                return self.seen

    def wait_line(self, predicate: Callable[[str], bool], timeout: float = 20) -> str:
        """The first line from now on that matches."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                # Its output ended (it exited) and every line of it was read: none will come.
                ended = not any(pump.is_alive() for pump in self.pumps) and self.lines.empty()
                assert not ended, f"mfsite exited: {self.drain()}"
                continue
            self.seen.append(line)
            if predicate(line):
                return line
        raise AssertionError(f"no matching line in {timeout} s; saw {self.seen}")

    def stop(self) -> int:
        """Ctrl-C, every line read; no traceback may have been printed."""
        self.end()
        for pump in self.pumps:  # every line it wrote, read to the end of its output
            pump.join(timeout=20)
        self.drain()
        assert not any("Traceback" in line for line in self.seen), self.seen
        return self.proc.returncode

    def end(self) -> None:
        """Ctrl-C, and a kill where that does not end it: however a test ends."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_for(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def get(url: str) -> tuple[int, str]:
    """A served page's status and text (an error status too)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")
