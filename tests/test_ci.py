"""Publishing from CI: `mfsite init --ci` and `mfsite ci` write a GitHub Actions workflow and a
GitLab CI file that their hosts' schemas accept, and whose own steps, run here in order in a fresh
checkout, publish what a clean build makes; run a second time after one edit, with the cache
restored (copied back, as the cache step would), they write only what changed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from conftest import REPO, mfsite, tree_bytes
from test_cache import written
from test_signing import keygen

from mfsite import __version__

GITHUB_PAGES = "https://kiez.github.example/shop"  # what actions/configure-pages says, without a slash
GITLAB_PAGES = "https://kiez.gitlab.example/shop"  # $CI_PAGES_URL
WORKFLOWS = {"github": ".github/workflows/mfsite.yml", "gitlab": ".gitlab-ci.yml"}
SCHEMAS = {"github": "vendor.github-workflows", "gitlab": "vendor.gitlab-ci"}
INSTALL = 'pip install "$MFSITE_INSTALL"'  # (not run: the mfsite under test stands in for it)


@dataclass
class Job:
    """One run of a host's job, here: the repository checked out into `workspace` (the same path
    each run, as on a CI runner), the cache restored from `store` before and saved after."""

    repo: Path
    workspace: Path
    store: Path
    secrets: dict[str, str] = field(default_factory=dict)
    said: dict[str, str] = field(default_factory=dict)  # each shell step's name -> what it printed

    def env(self, more: dict[str, str]) -> dict[str, str]:
        shims = self.workspace.parent / "bin"
        shims.mkdir(exist_ok=True)
        shim = shims / "mfsite"  # the `mfsite` the install step would put on PATH: this one
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mfsite "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
        base = {k: v for k, v in os.environ.items() if not k.startswith("MFSITE_")}
        return {**base, **more, "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO)}

    def checkout(self) -> None:
        shutil.rmtree(self.workspace, ignore_errors=True)
        shutil.copytree(self.repo, self.workspace)

    def restore(self, paths: list[str]) -> None:
        for path in paths:
            if (self.store / path).is_dir():
                shutil.copytree(self.store / path, self.workspace / path, copy_function=shutil.copy2)

    def save(self, paths: list[str]) -> None:
        for path in paths:
            shutil.rmtree(self.store / path, ignore_errors=True)
            if (self.workspace / path).is_dir():
                shutil.copytree(self.workspace / path, self.store / path, copy_function=shutil.copy2)

    def shell(self, name: str, script: str, env: dict[str, str]) -> None:
        run = subprocess.run(
            ["bash", "-e", "-c", script],
            cwd=self.workspace,
            env=self.env(env),
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, f"step {name!r} failed:\n{run.stdout}\n{run.stderr}"
        self.said[name] = run.stdout + run.stderr


def expression(text: str, outputs: dict[str, dict[str, str]], secrets: dict[str, str]) -> str:
    """GitHub's ${{ }} expressions of the kinds the workflow uses: a step's output, a secret."""

    def value(found: re.Match[str]) -> str:
        words = found[1].split(".")
        if words[0] == "steps" and words[2] == "outputs":
            return outputs[words[1]][words[3]]
        if words[0] == "secrets":
            return secrets.get(words[1], "")
        raise AssertionError(f"an expression the test does not know: {found[0]}")

    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", value, text)


def run_github(job: Job) -> Path:
    """The build job's steps in order; the published folder (the Pages artifact)."""
    workflow = yaml.safe_load((job.repo / WORKFLOWS["github"]).read_text(encoding="utf-8"))
    top = {name: str(value) for name, value in workflow["env"].items()}
    assert top["MFSITE_INSTALL"] == f"mfsite=={__version__}"
    outputs: dict[str, dict[str, str]] = {}
    cached: list[str] = []
    artifact = None
    for step in workflow["jobs"]["build"]["steps"]:
        uses = step.get("uses", "").split("@")[0]
        if uses == "actions/checkout":
            job.checkout()
        elif uses == "actions/setup-python":
            version = tuple(map(int, step["with"]["python-version"].split(".")))
            assert version >= (3, 11)  # (mfsite's least; this Python runs the steps)
        elif uses == "actions/configure-pages":
            outputs[step["id"]] = {"base_url": GITHUB_PAGES}
        elif uses == "actions/cache":
            cached = step["with"]["path"].split()
            job.restore(cached)
        elif uses == "actions/upload-pages-artifact":
            artifact = job.workspace / step["with"]["path"]
        elif step.get("run") == INSTALL:
            continue
        else:
            assert "run" in step, f"a step the test does not know: {step}"
            env = {
                **top,
                **{k: expression(str(v), outputs, job.secrets) for k, v in step.get("env", {}).items()},
            }
            job.shell(step["name"], step["run"], env)
    job.save(cached)  # (the cache action saves once the job is done)
    assert artifact is not None
    return artifact


def run_gitlab(job: Job) -> Path:
    """The pages job's script, line by line as GitLab runs it; the published folder (public)."""
    pages = yaml.safe_load((job.repo / WORKFLOWS["gitlab"]).read_text(encoding="utf-8"))["pages"]
    predefined = {"CI_PAGES_URL": GITLAB_PAGES, "CI_PROJECT_DIR": str(job.workspace)}
    variables = {name: os.path.expandvars(str(value)) for name, value in pages["variables"].items()}
    variables = {name: value.replace("$CI_PAGES_URL", GITLAB_PAGES) for name, value in variables.items()}
    variables = {n: v.replace("$CI_PROJECT_DIR", predefined["CI_PROJECT_DIR"]) for n, v in variables.items()}
    assert variables["MFSITE_INSTALL"] == f"mfsite=={__version__}"
    job.checkout()
    job.restore(pages["cache"]["paths"])
    for number, line in enumerate(pages["script"]):
        if line != INSTALL:
            job.shell(f"script line {number + 1}", line, {**predefined, **variables})
    job.save(pages["cache"]["paths"])
    [published] = pages["artifacts"]["paths"]
    return job.workspace / published


def clean_build(
    repo: Path, base_url: str, folder: Path, env: dict[str, str] | None = None
) -> dict[str, bytes]:
    """What a clean build of the repository's site publishes at that address."""
    site = folder / "site"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(repo, site)
    run = mfsite(
        "build", "--source", site, "--base-url", base_url, "--clean", env={**os.environ, **(env or {})}
    )
    assert run.code == 0, run.err
    return tree_bytes(site / "output")


def rebuild_here(repo: Path, base_url: str, folder: Path, env: dict[str, str] | None = None) -> int:
    """How many files a rebuild after the edit writes on one machine that kept its folder: the
    least a CI run can write (built before the edit, from `folder`'s copy of the repository)."""
    run = mfsite(
        "build", "--source", folder / "site", "--base-url", base_url, env={**os.environ, **(env or {})}
    )
    assert run.code == 0, run.err
    return written(run.out)[0]


def edit_a_batch(repo: Path) -> None:
    batch = sorted((repo / "batches").glob("*.yaml"))[0]
    text = batch.read_text(encoding="utf-8")
    batch.write_text(re.sub(r"quantity: \d+", "quantity: 7", text, count=1), encoding="utf-8")
    assert batch.read_text(encoding="utf-8") != text


@pytest.mark.parametrize("host", ["github", "gitlab"])
def test_the_workflow_passes_its_hosts_schema(tmp_path: Path, host: str) -> None:
    assert mfsite("init", tmp_path / "shop", "--ci", host).code == 0
    workflow = tmp_path / "shop" / WORKFLOWS[host]
    run = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", SCHEMAS[host], str(workflow)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    # and the check finds what it should: a job without its runner
    broken = tmp_path / "broken.yml"
    text = workflow.read_text(encoding="utf-8")
    mistake = ("runs-on: ubuntu-latest\n", "") if host == "github" else ("  script:", "  scripts:")
    broken.write_text(text.replace(*mistake, 1), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", SCHEMAS[host], str(broken)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1, run.stdout


def test_github_steps_publish_a_clean_build_and_then_only_what_changed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    assert mfsite("init", repo, "--ci", "github").code == 0
    key = tmp_path / "keys" / "signing.key"
    public = keygen(key)
    config = repo / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + f"passport:\n  sign: true\n  public_key: {public}\n",
        encoding="utf-8",
    )
    secret = {"MFSITE_SIGNING_KEY": key.read_text(encoding="utf-8")}
    job = Job(repo, tmp_path / "runner" / "work", tmp_path / "cache", secrets=secret)
    published = run_github(job)
    first = written(job.said["Build"])
    assert first[0] > 0 and first[1] == 0
    assert "passports verify" in job.said["Verify the signed passports"]
    assert tree_bytes(published) == clean_build(repo, GITHUB_PAGES + "/", tmp_path / "clean", secret)
    assert (published / "did.json").is_file()  # (signed with the secret: did:web of the Pages address)
    edit_a_batch(repo)
    edit_a_batch(tmp_path / "clean" / "site")
    least = rebuild_here(repo, GITHUB_PAGES + "/", tmp_path / "clean", secret)
    published = run_github(job)
    made, kept = written(job.said["Build"])
    assert made == least and kept > 0  # the edited batch's files and the lists that show it
    assert tree_bytes(published) == clean_build(repo, GITHUB_PAGES + "/", tmp_path / "clean", secret)


def test_gitlab_steps_publish_a_clean_build_and_then_only_what_changed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    assert mfsite("init", repo, "--ci", "gitlab").code == 0
    job = Job(repo, tmp_path / "builds" / "shop", tmp_path / "cache")
    published = run_gitlab(job)
    assert written(job.said["script line 3"])[1] == 0
    assert tree_bytes(published) == clean_build(repo, GITLAB_PAGES + "/", tmp_path / "clean")
    edit_a_batch(repo)
    edit_a_batch(tmp_path / "clean" / "site")
    least = rebuild_here(repo, GITLAB_PAGES + "/", tmp_path / "clean")
    published = run_gitlab(job)
    made, kept = written(job.said["script line 3"])
    assert made == least and kept > 0
    assert tree_bytes(published) == clean_build(repo, GITLAB_PAGES + "/", tmp_path / "clean")


def test_ci_writes_into_an_existing_site_and_never_over_a_file(tmp_path: Path) -> None:
    assert mfsite("init", tmp_path / "shop").code == 0
    site = tmp_path / "shop"
    run = mfsite("ci", "github", "--source", site, "--install", "git+https://example.org/mfsite@v1")
    assert run.code == 0, run.err
    assert "Settings > Pages" in run.out
    workflow = site / WORKFLOWS["github"]
    assert 'MFSITE_INSTALL: "git+https://example.org/mfsite@v1"' in workflow.read_text(encoding="utf-8")
    workflow.write_text("# mine\n", encoding="utf-8")
    run = mfsite("ci", "github", "--source", site)
    assert run.code == 2 and "already exists: mfsite never overwrites it" in run.err
    assert workflow.read_text(encoding="utf-8") == "# mine\n"
    run = mfsite("ci", "gitlab", "--source", site, "--install", 'mfsite"; rm -rf ~')
    assert run.code == 2 and "use pip's words only" in run.err
    assert not (site / WORKFLOWS["gitlab"]).exists()
    run = mfsite("init", tmp_path / "shop", "--ci", "gitlab")
    assert run.code == 2 and "not empty" in run.err


def test_check_speaks_github_annotations(tmp_path: Path) -> None:
    assert mfsite("init", tmp_path / "shop").code == 0
    site = tmp_path / "shop"
    batch = sorted((site / "batches").glob("*.yaml"))[0]
    batch.write_text(
        batch.read_text(encoding="utf-8").replace("quantity:", "quantity: -3 #", 1), encoding="utf-8"
    )
    run = mfsite("check", "--source", site, "--format", "github", cwd=tmp_path)
    assert run.code == 1
    [line] = [line for line in run.out.splitlines() if line.startswith("::error ")]
    assert re.fullmatch(
        rf"::error file=shop/batches/{batch.name},line=\d+,col=\d+,title=MF\d+::quantity: .+", line
    )
    run = mfsite("check", "--source", ".", "--format", "github", cwd=site)
    assert f"::error file=batches/{batch.name}," in run.out
