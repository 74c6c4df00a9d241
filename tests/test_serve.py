"""mfsite serve: HTTP under the base path, live reload pushed, errors shown in the browser."""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from background import Background, get
from conftest import MINI_SITE, write_site


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[Path, Background, str]]:
    site = write_site(tmp_path / "site")
    proc = Background("serve", "--source", site, "--port", "0")
    line = proc.wait_line(lambda text: text.startswith("serving http://"))
    url = re.match(r"serving (\S+)", line)[1]  # type: ignore[index]
    yield site, proc, url
    assert proc.stop() == 0


def test_serves_the_site_under_the_base_path(serving: tuple[Path, Background, str]) -> None:
    site, _, url = serving
    assert url.endswith("/shop/")  # base_url https://mini.example/shop/
    status, body = get(url + "b/tee-1/")
    assert status == 200 and "<h1>Tee</h1>" in body
    assert '<script src="/__mfsite/reload.js"></script>' in body  # live reload, in the response only
    assert "script-src 'self'" in body
    on_disk = (site / "output/b/tee-1/index.html").read_text(encoding="utf-8")
    assert "__mfsite" not in on_disk and "script-src" not in on_disk
    root = url.split("/shop/")[0] + "/"
    assert get(root)[1] == get(url)[1]  # / leads to the base path
    status, body = get(url + "b/no-such-batch/")
    assert status == 404 and "This page is not here" in body
    assert get(root + "elsewhere/")[0] == 404


def test_reload_is_pushed_after_a_change_and_errors_are_shown(serving: tuple[Path, Background, str]) -> None:
    site, proc, url = serving
    host = url.split("//")[1].split("/")[0]
    events = http.client.HTTPConnection(host, timeout=20)
    events.request("GET", "/__mfsite/events")
    stream = events.getresponse()
    assert stream.getheader("Content-Type") == "text/event-stream"
    assert stream.readline() == b": connected\n"
    reloads: list[bytes] = []

    def read_events() -> None:
        while len(reloads) < 2:
            line = stream.readline()
            if not line:
                return
            if line.startswith(b"event: "):
                reloads.append(line)

    reader = threading.Thread(target=read_events, daemon=True)
    reader.start()

    batch = site / "batches/tee-1.yaml"
    batch.write_text("product: [Tee\n", encoding="utf-8")  # broken
    proc.wait_line(lambda line: "keeps the last good build" in line)
    status, body = get(url + "b/tee-1/")
    assert status == 500
    assert "batches/tee-1.yaml:2:1: error: YAML syntax" in body  # the terminal's words, in the browser
    assert "Tee" in (site / "output/b/tee-1/index.html").read_text(encoding="utf-8")  # last good build kept

    batch.write_text(MINI_SITE["batches/tee-1.yaml"].replace("Tee", "Fixed Tee"), encoding="utf-8")
    proc.wait_line(lambda line: "files written" in line)
    reader.join(timeout=20)
    assert reloads == [b"event: reload\n"] * 2  # one for the broken build, one for the fix
    status, body = get(url + "b/tee-1/")
    assert status == 200 and "Fixed Tee" in body
    events.close()
