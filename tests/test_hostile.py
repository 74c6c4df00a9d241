"""Hostile text from the YAML and markdown comes out inert in every page."""

from __future__ import annotations

from pathlib import Path

from conftest import mfsite, write_site
from htmlcheck import parse

PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>"\' onmouseover=alert(3) x="'

HOSTILE = {
    "batches/tee-1.yaml": f"""\
        product: '{PAYLOAD.replace("'", "''")}'
        produced: 2026-11-20
        partner: atelier
        origin:
          place: "<b onclick=alert(4)>Berlin</b>"
          country: DE
        materials:
          - material: cotton
            percent: 100
            component: "<svg onload=alert(5)>"
        care:
          wash: 30
          bleach: no
          tumble: low
          iron: low
          notes: ["<iframe src=javascript:alert(6)>"]
        journey:
          - step: "</li><script>alert(7)</script>"
            place: "javascript:alert(8)"
        qc:
          - check: "<style>body{{display:none}}</style>"
            result: pass
        notes: |
          Hello <script>alert(9)</script> and <img src=x onerror=alert(10)>.
          [click](javascript:alert(11)) [data](data:text/html;base64,PHNjcmlwdD4=)
          <a href="javascript:alert(12)">raw link</a>
          ![img](javascript:alert(13))
        story: drop
        """,
    "content/stories/drop.md": """\
        ---
        title: "<script>alert(14)</script>"
        summary: "\\" onfocus=alert(15) autofocus x=\\""
        ---
        # Story <script>alert(16)</script>

        [vb](vbscript:msgbox(17)) [file](file:///etc/passwd) <div onmouseover="alert(18)">x</div>
        """,
    "content/partners/atelier.md": """\
        ---
        name: "Atelier <img src=x onerror=alert(19)>"
        website: "https://atelier.example/?q=\\"><script>alert(20)</script>"
        ---
        We <b>sew</b>.
        """,
}


def test_hostile_text_comes_out_inert(tmp_path: Path) -> None:
    site = write_site(tmp_path, HOSTILE)
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    pages = list((site / "output").rglob("*.html"))
    assert len(pages) >= 6
    for path in pages:
        page = parse(path)
        for tag, attrs in page.tags:
            assert tag not in ("iframe", "object", "embed"), (path, tag)
            if tag == "script":  # JSON-LD data, which the hostile text must not have closed
                assert attrs == {"type": "application/ld+json"}, (path, attrs)
            assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
            if tag == "style":
                assert attrs == {}, path
        for _tag, _attr, link in page.links:
            assert not link.strip().lower().startswith(("javascript:", "vbscript:", "data:text", "file:")), (
                path,
                link,
            )
    batch_page = parse(site / "output/b/tee-1/index.html").plain
    assert "<script>alert(1)</script>" in batch_page  # shown to the reader as text
    assert "<iframe src=javascript:alert(6)>" in batch_page
    # The only <style> element is the theme's, in the head: the check name stayed text.
    html = (site / "output/b/tee-1/index.html").read_text(encoding="utf-8")
    assert html.count("<style>") == 1
    assert "&lt;style&gt;body{display:none}&lt;/style&gt;" in html
    assert "&lt;svg onload=alert(5)&gt;" in html  # the only <svg> elements are our own drawings


def test_javascript_urls_in_yaml_are_errors(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {"content/partners/atelier.md": "---\nname: Atelier\nwebsite: ' JavaScript:alert(1)'\n---\n"},
    )
    run = mfsite("build", "--source", site)
    assert run.code == 1
    assert (
        "content/partners/atelier.md:3:10: error: website: 'JavaScript:alert(1)' is not a web address"
        in run.err
    )
    assert not (site / "output").exists()
