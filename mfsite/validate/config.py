"""site.yaml -> SiteConfig."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from mfsite import codes
from mfsite.diagnostics import Diagnostic, Span
from mfsite.load.sources import SourceFile
from mfsite.model import QrSettings, Shop, SiteConfig
from mfsite.validate.fields import Fields, Problems, one_of, to_boolean, to_coordinates, to_text

LANGUAGE_PATTERN = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
QR_LEVELS = ("L", "M", "Q", "H")
QR_FORMATS = ("svg", "png")


def normalise_base_url(url: str) -> str | None:
    """An absolute http(s) URL ending in '/', or None when it is not one."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if parts.query or parts.fragment or any(c.isspace() for c in url):
        return None
    return url if url.endswith("/") else url + "/"


def read_config(source: SourceFile | None, base_url: str | None, problems: Problems) -> SiteConfig | None:
    """Read site.yaml. `base_url`, when given (--base-url, MFSITE_BASE_URL), wins over the file."""
    if source is None:
        return None
    fields = Fields.of(source.tree, "", problems, Span(source.path))
    if fields is None:
        return None
    title = fields.get("title", to_text, required=True)
    url_node = fields.node_of("base_url")
    if base_url is None and url_node is not None:
        base_url = to_text(url_node, "base_url", problems)
        where = url_node.span
    else:
        where = Span(source.path)
    if base_url is not None:
        normalised = normalise_base_url(base_url)
        if normalised is None:
            message = f"base_url: '{base_url}' must be an absolute http(s) URL such as https://shop.example/"
            problems.append(Diagnostic(where, codes.BAD_URL, message))
        base_url = normalised
    language = fields.get("language", to_text) or "en"
    if not LANGUAGE_PATTERN.fullmatch(language):
        message = f"language: '{language}' is not a BCP 47 language tag (like en or de-CH)"
        problems.append(Diagnostic(fields.span("language"), codes.BAD_LANGUAGE, message))
    shop = read_shop(fields)
    qr = read_qr(fields)
    gs1 = fields.get("gs1_digital_link", to_boolean)
    care_symbols = fields.get("care_symbols", to_boolean)
    fields.finish()
    if fields.failed or title is None:
        return None
    return SiteConfig(
        title=title,
        base_url=base_url,
        language=language,
        shop=shop,
        qr=qr,
        gs1_digital_link=bool(gs1),
        care_symbols=bool(care_symbols),
    )


def read_shop(fields: Fields) -> Shop:
    shop = fields.mapping("shop")
    if shop is None:
        return Shop()
    result = Shop(
        name=shop.get("name", to_text),
        address=shop.get("address", to_text),
        coordinates=shop.get("coordinates", to_coordinates),
    )
    shop.finish()
    return result


def read_qr(fields: Fields) -> QrSettings:
    qr = fields.mapping("qr")
    if qr is None:
        return QrSettings()
    defaults = QrSettings()
    level = qr.get("error_correction", one_of(QR_LEVELS)) or defaults.error_correction
    formats = tuple(qr.list_of("formats", one_of(QR_FORMATS)))
    compact = qr.get("compact", to_boolean)
    qr.finish()
    return QrSettings(
        error_correction=level,
        formats=formats if qr.node_of("formats") is not None else defaults.formats,
        compact=bool(compact),
    )
