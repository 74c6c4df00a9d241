"""Photos in a built site, through the real command line: published only as processed copies,
without metadata, upright; explained where a photo is wrong; processed once and kept."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path
from textwrap import dedent

import pytest
from PIL import Image, ImageDraw

from tests.conftest import MINI_SITE, mfsite, tree_bytes, write_site

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".avif", ".webp")
METADATA = {"xmp", "XML:com.adobe.xmp", "icc_profile", "exif", "comment"}  # as Pillow names them in .info
GPS = {1: "N", 2: (52.0, 29.0, 13.2), 3: "E", 4: (13.0, 25.0, 30.0)}  # a Berlin back yard


def picture(width: int = 1600, height: int = 1200, seed: int = 1) -> Image.Image:
    """Not a flat colour: shapes, so that the encoders have something to keep."""
    image = Image.new("RGB", (width, height), (90 + seed * 20 % 100, 120, 150))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        x, y = (i * 397 * seed) % width, (i * 211 + seed * 37) % height
        draw.ellipse([x, y, x + width // 5, y + height // 6], fill=((i * 50) % 255, (i * 90) % 255, 200))
    return image


def phone_jpeg(upright: Image.Image) -> bytes:
    """As a phone stores a portrait photo: the pixels on their side, EXIF orientation 6 to turn
    them, where it was taken (GPS), the camera, and XMP."""
    exif = Image.Exif()
    exif[0x0112] = 6  # turn 90° clockwise to show
    exif[0x010F], exif[0x0110] = "PhoneMaker", "Phone 12"
    exif[0x8825] = GPS
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description GPSLatitude="52,29N"/></x:xmpmeta>'
    upright.transpose(Image.Transpose.ROTATE_90).save(out, "JPEG", exif=exif, xmp=xmp, quality=85)
    return out.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def bomb_png() -> bytes:
    """A small PNG whose header claims 100,000 x 100,000 pixels."""
    data = bytearray(png_bytes(Image.new("RGB", (8, 8))))
    ihdr = bytearray(data[12:29])  # "IHDR" and its 13 bytes
    ihdr[4:12] = struct.pack(">II", 100_000, 100_000)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


BATCH = MINI_SITE["batches/tee-1.yaml"]  # (indented, as write_site takes it)


def photo_site(root: Path, photos: str, files: dict[str, bytes] | None = None) -> Path:
    """The mini site with `photos:` on its batch, and these files added (bytes)."""
    write_site(root, {"batches/tee-1.yaml": dedent(BATCH) + dedent(photos)})
    for rel, data in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


TWO_PHOTOS = """\
    photos:
      - src: tee/front.jpg
        alt: The tee from the front
        focus: [0.5, 0.3]
      - src: tee/back.png
        alt: The tee from the back
    """


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = photo_site(
        tmp_path_factory.mktemp("photos"),
        TWO_PHOTOS,
        {
            "photos/tee/front.jpg": phone_jpeg(picture(1200, 1600)),
            "photos/tee/back.png": png_bytes(picture(seed=2)),
        },
    )
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    assert "warning" not in run.err  # (no MF109 either: this Pillow writes AVIF, as AVIF copies show)
    return site


def test_every_published_image_is_without_metadata(built: Path) -> None:
    images = [p for p in (built / "output").rglob("*") if p.suffix in IMAGE_SUFFIXES]
    # front: 1200 wide (480, 960); back: 1600 (480, 960, 1440); each in AVIF and JPEG
    assert len([p for p in images if "/img/" in p.as_posix()]) == 10
    for path in images:
        with Image.open(path) as image:
            image.load()
            assert not image.getexif(), path
            assert not image.getexif().get_ifd(0x8825), path
            assert not METADATA & image.info.keys(), path


def test_the_originals_are_never_published(built: Path) -> None:
    originals = {p.read_bytes() for p in (built / "photos").rglob("*") if p.is_file()}
    published = tree_bytes(built / "output")
    assert not originals & set(published.values())
    assert not any(rel.startswith("photos/") for rel in published)


def test_a_photo_taken_sideways_is_published_upright_and_sized_so(built: Path) -> None:
    page = (built / "output" / "b" / "tee-1" / "index.html").read_text()
    hero = re.search(r'<picture class="photo hero">.*?</picture>', page, re.S)
    assert hero is not None
    img = re.search(r"<img [^>]*>", hero[0])[0]  # type: ignore[index]
    assert 'width="1200" height="1600"' in img and 'alt="The tee from the front"' in img
    assert 'fetchpriority="high"' in img and "loading=" not in img
    assert 'type="image/avif"' in hero[0]
    for copy in re.findall(r"img/[\w.-]+\.(?:jpg|avif)", hero[0]):
        with Image.open(built / "output" / copy) as image:
            assert image.height > image.width, copy  # portrait, as the camera was held
    gallery = page[page.index('<ul class="gallery">') :]
    assert 'loading="lazy"' in gallery and 'alt="The tee from the back"' in gallery


def test_the_batch_has_a_share_card(built: Path) -> None:
    card = built / "output" / "b" / "tee-1" / "og.jpg"
    with Image.open(card) as image:
        assert image.format == "JPEG" and image.size == (1200, 630)
    assert card.stat().st_size < 100_000
    page = (built / "output" / "b" / "tee-1" / "index.html").read_text()
    assert '<meta property="og:image" content="https://mini.example/shop/b/tee-1/og.jpg">' in page
    assert '<meta property="og:image:alt" content="The tee from the front">' in page


def test_lists_show_thumbnails_that_load_lazily(built: Path) -> None:
    home = (built / "output" / "index.html").read_text()
    thumb = re.search(r'<picture class="photo thumb">.*?</picture>', home, re.S)
    assert thumb is not None and 'loading="lazy"' in thumb[0]


def test_photo_mistakes_are_each_told_where_they_are_written(tmp_path: Path) -> None:
    site = photo_site(
        tmp_path,
        """\
    photos:
      - src: missing.jpg
        alt: Gone
      - src: notes.jpg
        alt: Not a photo
      - src: bomb.png
        alt: Too large
      - src: cut.jpg
        alt: Cut short
      - src: ok.png
      - src: ok.png
        alt: A fine photo
        focus: [1.5, 0.2]
    """,
        {
            "photos/notes.jpg": b"these are my notes, not a photo",
            "photos/bomb.png": bomb_png(),
            "photos/cut.jpg": phone_jpeg(picture())[:2000],
            "photos/ok.png": png_bytes(picture(300, 200)),
        },
    )
    before = mfsite("build", "--source", write_site(tmp_path / "other"))  # (an output to keep)
    assert before.code == 0
    run = mfsite("build", "--source", site)
    assert run.code == 1
    said = {
        line.split(": error: ")[0]: line.split(": error: ")[1]
        for line in run.err.splitlines()
        if ": error: " in line
    }
    at = "batches/tee-1.yaml"
    assert (
        said[f"{at}:17:10"].startswith("'missing.jpg' is not a file in photos/")
        and "[MF037]" in said[f"{at}:17:10"]
    )
    assert re.match(r"'notes\.jpg' cannot be published: not an image .*\[MF042\]", said[f"{at}:19:10"])
    assert re.match(r"'bomb\.png' cannot be published: .* 10000 megapixels.*\[MF042\]", said[f"{at}:21:10"])
    assert re.match(r"'cut\.jpg' cannot be published: truncated .*\[MF042\]", said[f"{at}:23:10"])
    assert re.match(r"photos\[5\]: give `alt`.*\[MF043\]", said[f"{at}:25:5"])
    assert re.match(r"photos\[6\]\.focus: \[1\.5, 0\.2\] is outside.*\[MF044\]", said[f"{at}:28:12"])
    err = run.err
    assert "build failed: 6 errors" in err
    assert not (site / "output").exists()  # nothing half-written


def test_a_heic_photo_without_the_extra_names_it(tmp_path: Path) -> None:
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\0" * 4 + b"mif1heic"
    listed = "photos:\n  - src: a.heic\n    alt: An iPhone photo\n"
    site = photo_site(tmp_path, listed, {"photos/a.heic": heic})
    run = mfsite("build", "--source", site)
    assert run.code == 1
    assert "pip install 'mfsite[heic]'" in run.err and "[MF042]" in run.err


def test_a_located_image_in_static_is_a_warning_and_fails_strict(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x8825] = GPS
    out = io.BytesIO()
    picture(400, 300).save(out, "JPEG", exif=exif)
    site = photo_site(tmp_path, "", {"static/yard.jpg": out.getvalue()})
    run = mfsite("build", "--source", site)
    assert run.code == 0
    assert "static/yard.jpg:1:1: warning: this image carries GPS coordinates" in run.err
    assert "move it to photos/" in run.err and "[MF108]" in run.err
    published = (site / "output" / "static" / "yard.jpg").read_bytes()
    strict = mfsite("build", "--source", site, "--strict")
    assert strict.code == 1
    assert (site / "output" / "static" / "yard.jpg").read_bytes() == published


def test_a_story_image_in_photos_is_processed(tmp_path: Path) -> None:
    story = """\
        ---
        title: The drop
        date: 2026-11-01
        image: yard.jpg
        image_alt: The yard behind the workshop
        ---
        A story.
        """
    site = photo_site(tmp_path, "", {"photos/yard.jpg": phone_jpeg(picture())})
    write_site(site, {"content/stories/drop.md": story, "batches/tee-1.yaml": BATCH})
    run = mfsite("build", "--source", site)
    assert run.code == 0, run.err
    page = (site / "output" / "stories" / "drop" / "index.html").read_text()
    assert 'alt="The yard behind the workshop"' in page and 'width="1600" height="1200"' in page
    largest = r'<meta property="og:image" content="https://mini\.example/shop/img/yard-\w+-1440\.jpg">'
    assert re.search(largest, page)


def test_one_photo_added_processes_one_photo_and_unused_ones_go(tmp_path: Path) -> None:
    files = {f"photos/p{i}.png": png_bytes(picture(800, 600, seed=i)) for i in range(3)}
    listed = "photos:\n" + "".join(f"  - src: p{i}.png\n    alt: Photo {i}\n" for i in range(3))
    site = photo_site(tmp_path, listed, files)
    assert mfsite("build", "--source", site).code == 0
    cache = site / ".mfsite-cache" / "photos"
    entries = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(entries) == 3
    (site / "photos" / "p3.png").write_bytes(png_bytes(picture(800, 600, seed=3)))
    write_site(site, {"batches/tee-1.yaml": dedent(BATCH) + listed + "  - src: p3.png\n    alt: Photo 3\n"})
    assert mfsite("build", "--source", site).code == 0
    now = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(now) == 4 and all(now[name] == mtime for name, mtime in entries.items())
    write_site(site, {"batches/tee-1.yaml": dedent(BATCH) + "photos:\n  - src: p3.png\n    alt: Photo 3\n"})
    assert mfsite("build", "--source", site).code == 0
    assert {p.name for p in cache.iterdir()} == set(now) - set(entries)
    assert len(list((site / ".mfsite-cache" / "cards").iterdir())) == 1  # the new main photo's card


def test_a_photo_changed_in_place_rebuilds_as_a_clean_build_would(tmp_path: Path) -> None:
    front = phone_jpeg(picture())
    site = photo_site(
        tmp_path / "site",
        TWO_PHOTOS,
        {"photos/tee/front.jpg": front, "photos/tee/back.png": png_bytes(picture(seed=2))},
    )
    assert mfsite("build", "--source", site).code == 0
    (site / "photos" / "tee" / "back.png").write_bytes(png_bytes(picture(seed=5)))  # same name, new photo
    assert mfsite("build", "--source", site).code == 0
    clean = photo_site(
        tmp_path / "clean",
        TWO_PHOTOS,
        {"photos/tee/front.jpg": front, "photos/tee/back.png": png_bytes(picture(seed=5))},
    )
    assert mfsite("build", "--source", clean).code == 0
    assert tree_bytes(site / "output") == tree_bytes(clean / "output")
