"""site.yaml -> SiteConfig."""

from __future__ import annotations

import colorsys
import ipaddress
import re
from collections.abc import Collection
from decimal import Decimal
from urllib.parse import quote, unquote, urlsplit

from mfsite import codes
from mfsite.diagnostics import Diagnostic, Span
from mfsite.i18n import is_source, theme_catalog_paths
from mfsite.languages import LANGUAGE_TAG, canonical
from mfsite.load.sources import SourceFile
from mfsite.load.yamltree import Node
from mfsite.model import (
    QUIET_ZONE_MAX,
    FeedSettings,
    LabelSettings,
    PassportSettings,
    QrSettings,
    Shop,
    SiteConfig,
    Theme,
)
from mfsite.validate.fields import (
    URL_MAX,
    Converter,
    Fields,
    Problems,
    bad,
    limited_text,
    one_of,
    shorten,
    to_boolean,
    to_coordinates,
    to_decimal,
    to_integer,
    to_text,
    too_long,
)

QR_LEVELS = ("L", "M", "Q", "H")
QR_FORMATS = ("svg", "png")
QUIET_ZONE_MIN = 4
MIN_CONTRAST = 4.5  # WCAG AA for text; QR scanners want at least as much
COLOUR_PATTERN = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
LOGO_SUFFIXES = (".svg", ".png", ".webp", ".jpg", ".jpeg", ".gif", ".avif")
# The theme's grounds (style.css: the light page, the dark cards): text in the brand colour
# must read on them, and on its own tint there (badges, the journey's distances).
LIGHT_GROUND, DARK_GROUND = "#faf7f2", "#211e1b"
LIGHT_CONTRAST, DARK_CONTRAST = 5.0, 6.0
LIGHT_TINT, DARK_TINT = 0x14 / 255, 0x1F / 255  # the tint's alpha, as style.css writes it


# A host name: labels of ASCII letters, digits and inner hyphens (RFC 1123), dot-separated.
HOST_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# What a path may hold as it is (RFC 3986 pchar, "/" and "%" of an escape); the rest is escaped.
PATH_SAFE = "/%:@!$&'()*+,;=-._~"
LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
PUBLIC_KEY = re.compile(r"[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]")  # 32 bytes of base64url, unpadded


class BadBaseUrl(ValueError):
    """Why a base URL is not one a phone opens: the message, without the field's name."""


def normalise_base_url(url: str) -> str:
    """The base URL every QR code starts with, as a phone's camera opens it: http(s), a host,
    a port that exists, a path without dot segments, ending in '/'. What a path cannot hold as
    written (a space, '"', '<', a non-ASCII letter) is percent-encoded; anything else is refused
    with BadBaseUrl. A URL that needs nothing is returned as written, so codes do not change."""
    url = url.strip()
    if len(url) > URL_MAX:
        raise BadBaseUrl(too_long(url, URL_MAX))
    if (odd := CONTROL.search(url)) is not None:
        raise BadBaseUrl(f"'{shorten(url)}' holds U+{ord(odd[0]):04X}, a control character")
    absolute = f"'{shorten(url)}' must be an absolute http(s) URL such as https://shop.example/"
    try:
        parts = urlsplit(url)
    except ValueError:  # brackets that hold no IPv6 address: "https://[shop]/"
        raise BadBaseUrl(absolute) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise BadBaseUrl(absolute)
    if "?" in url or "#" in url:
        raise BadBaseUrl(
            f"'{shorten(url)}' has a query (?) or a fragment (#): every page's address goes on "
            "after the base URL, so it ends with its path"
        )
    if "@" in parts.netloc:
        raise BadBaseUrl(
            f"'{shorten(url)}' has a user name before the host (user@): phones warn about such "
            "addresses or do not open them"
        )
    host = check_host_and_port(parts.netloc)
    path = check_path(parts.path)
    scheme = url[: len(parts.scheme)]  # as written: an upper-case URL makes smaller QR codes
    return f"{scheme}://{host}{path}" if path.endswith("/") else f"{scheme}://{host}{path}/"


def check_host_and_port(netloc: str) -> str:
    """host[:port] as written, when the host is a host name or an IP address and the port exists."""
    host, port = netloc, None
    if (colon := netloc.rfind(":")) > netloc.rfind("]"):  # a colon inside [...] is IPv6's
        host, port = netloc[:colon], netloc[colon + 1 :]
    if port == "":
        raise BadBaseUrl(f"'{shorten(netloc)}' ends with ':' but gives no port; remove the ':'")
    if port is not None and not is_port(port):
        raise BadBaseUrl(f"the port '{shorten(port)}' is not a port: ports are 1 to 65535")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1] if host.endswith("]") else "-")
        except ValueError:
            raise BadBaseUrl(f"'{shorten(host)}' is not an IPv6 address") from None
        return netloc
    if not host.isascii():
        raise BadBaseUrl(f"the host '{shorten(host)}' is not ASCII: {ascii_host_hint(host)}")
    labels = host.split(".")
    if len(host) > 253 or not all(HOST_LABEL.fullmatch(label) for label in labels):
        raise BadBaseUrl(
            f"'{shorten(host)}' is not a host name: use letters, digits and hyphens, "
            "in parts separated by dots (shop.example)"
        )
    if all(label.isdigit() for label in labels):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise BadBaseUrl(f"'{shorten(host)}' is not an IPv4 address") from None
    return netloc


def is_port(text: str) -> bool:
    # isascii(): isdigit() takes "٨٠" (int() reads it) and "²" (int() refuses it); the length
    # first, as int() of thousands of digits raises.
    return text.isascii() and text.isdigit() and len(text) <= 5 and 0 < int(text) <= 65535


def ascii_host_hint(host: str) -> str:
    """How to write an internationalised host name. Not done here: IDNA 2008, which browsers
    follow, and Python's own IDNA 2003 codec disagree on some letters (ß, ς)."""
    try:
        ascii_form = host.encode("idna").decode("ascii")
    except UnicodeError:
        return "write it in its ASCII form (xn--...), as your domain registrar shows it"
    return f"write it in its ASCII form, which is probably '{shorten(ascii_form)}'"


def check_path(path: str) -> str:
    """The path, percent-encoded where it must be; refused when a segment is '.' or '..', which
    browsers resolve away, so the pages would not be where the codes point."""
    for segment in path.split("/"):
        if unquote(segment) in (".", ".."):
            raise BadBaseUrl(
                f"the path '{shorten(path)}' has a '{segment}' segment, which browsers resolve away: "
                "write the path the site is served at"
            )
    return quote(LONE_PERCENT.sub("%25", path), safe=PATH_SAFE)


def read_config(
    source: SourceFile | None,
    base_url: str | None,
    problems: Problems,
    static: Collection[str] | None = None,
    catalogs: Collection[str] = (),
) -> SiteConfig | None:
    """Read site.yaml. `base_url`, when given (--base-url, MFSITE_BASE_URL), wins over the file.

    `static` (the files in static/), when given, is what the theme's logo must name;
    `catalogs`, the languages the site's own theme strings are in (templates/locale/<lang>.po).
    """
    if source is None:
        return None
    fields = Fields.of(source.tree, "", problems, Span(source.path))
    if fields is None:
        return None
    title = fields.get("title", to_text, required=True)
    base_url = read_base_url(fields, base_url, Span(source.path))
    language = fields.get("language", to_language) or "en"
    spans = read_languages(fields, "languages", {language: fields.span("language")})
    languages = tuple(spans)
    shop = read_shop(fields)
    qr = read_qr(fields)
    label = read_label(fields)
    feed = read_feed(fields)
    theme = read_theme(fields, static)
    gs1 = fields.get("gs1_digital_link", to_boolean)
    care_symbols = fields.get("care_symbols", to_boolean)
    passport = read_passport(fields, base_url)
    fields.finish()
    if fields.failed or title is None:
        return None
    warn_untranslated_theme(spans, catalogs, fields.problems)  # (a warning: not a failed read)
    return SiteConfig(
        title=title,
        base_url=base_url,
        language=language,
        languages=languages,
        shop=shop,
        qr=qr,
        label=label,
        feed=feed,
        theme=theme,
        gs1_digital_link=bool(gs1),
        care_symbols=bool(care_symbols),
        passport=passport,
    )


def read_base_url(fields: Fields, given: str | None, site_yaml: Span) -> str | None:
    """The base URL, normalised: `given` (--base-url, MFSITE_BASE_URL) wins over site.yaml's.
    A given one's problems are told at site.yaml:1:1, as MF036 is, naming where it came from."""
    url_node = fields.node_of("base_url")
    if given is not None:
        where, what = site_yaml, "base_url (from --base-url or MFSITE_BASE_URL)"
    elif url_node is not None:
        where, what = url_node.span, "base_url"
        given = limited_text(url_node, what, fields.problems, None)  # normalise_base_url limits it
    if given is None:
        return None
    try:
        return normalise_base_url(given)
    except BadBaseUrl as exc:
        fields.problems.append(Diagnostic(where, codes.BAD_URL, f"{what}: {exc}"))
        return None


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


STANDARD_QUIET_ZONE = "the QR standard asks for 4 modules"


def read_qr(fields: Fields) -> QrSettings:
    defaults = QrSettings()
    qr = fields.mapping("qr")
    if qr is None:
        return defaults
    formats = tuple(qr.list_of("formats", one_of(QR_FORMATS)))
    settings = QrSettings(
        error_correction=qr.get("error_correction", one_of(QR_LEVELS)) or defaults.error_correction,
        formats=formats if qr.node_of("formats") is not None else defaults.formats,
        compact=bool(qr.get("compact", to_boolean)),
        quiet_zone=qr.get("quiet_zone", at_least(QUIET_ZONE_MIN, STANDARD_QUIET_ZONE, QUIET_ZONE_MAX))
        or defaults.quiet_zone,
        dark=qr.get("dark", to_colour) or defaults.dark,
        light=qr.get("light", to_colour) or defaults.light,
        module_px=qr.get("module_px", at_least(1, "a module needs a pixel", 40)) or defaults.module_px,
    )
    if not qr.failed:
        check_contrast(settings, qr)
    qr.finish()
    return settings


def to_colour(node: Node, what: str, problems: Problems) -> str | None:
    text = to_text(node, what, problems)
    if text is None:
        return None
    if not COLOUR_PATTERN.fullmatch(text):
        bad(node, codes.BAD_VALUE, what, f"'{text}' is not a colour; write it as #rrggbb", problems)
        return None
    if len(text) == 4:  # #rgb -> #rrggbb
        text = "#" + "".join(c * 2 for c in text[1:])
    return text.lower()


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2), from #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def check_contrast(settings: QrSettings, qr: Fields) -> None:
    """Cheap phones in bad light need dark modules on a light ground, far apart."""
    dark, light = luminance(settings.dark), luminance(settings.light)
    where = qr.span("dark") if qr.node_of("dark") is not None else qr.span("light")
    if dark >= light:
        message = "qr: the dark colour is lighter than the light one; many scanners cannot read that"
        qr.problems.append(Diagnostic(where, codes.QR_CONTRAST, message))
        return
    ratio = (light + 0.05) / (dark + 0.05)
    if ratio < MIN_CONTRAST:
        message = (
            f"qr: {settings.dark} on {settings.light} has a contrast of {ratio:.1f}:1; "
            f"codes need at least {MIN_CONTRAST:g}:1 to scan reliably"
        )
        qr.problems.append(Diagnostic(where, codes.QR_CONTRAST, message))


def to_language(node: Node, what: str, problems: Problems) -> str | None:
    """A language tag (BCP 47), as mfsite names it (canonical)."""
    if (text := to_text(node, what, problems)) is None:
        return None
    if not LANGUAGE_TAG.fullmatch(text):
        message = f"'{shorten(text)}' is not a BCP 47 language tag (like en or de-CH)"
        bad(node, codes.BAD_LANGUAGE, what, message, problems)
        return None
    return canonical(text)


def read_languages(fields: Fields, key: str, first: dict[str, Span]) -> dict[str, Span]:
    """The languages a list names, each once, after `first` (the default language, whether
    listed or not), with where each is written."""
    found = dict(first)
    for i, node in enumerate(fields.items(key), 1):
        what = fields.name(f"{key}[{i}]")
        lang = to_language(node, what, fields.problems)
        if lang is not None and lang in found and lang not in first:
            bad(node, codes.BAD_LANGUAGE, what, f"'{lang}' is listed twice", fields.problems)
        elif lang is not None:
            found.setdefault(lang, node.span)
    return found


def warn_untranslated_theme(spans: dict[str, Span], catalogs: Collection[str], problems: Problems) -> None:
    """A warning for each language the theme's own words (headings, care instructions, dates'
    months...) would stay English in: mfsite ships none for it, and the site has none."""
    for lang, span in spans.items():
        if is_source(lang) or theme_catalog_paths(lang) or lang in catalogs:
            continue
        message = (
            f"mfsite ships no theme strings in '{lang}': headings, care instructions and the other "
            f"words of the theme stay in English; translate them in templates/locale/{lang}.po, "
            "made from mfsite's messages.pot (see docs/languages.md)"
        )
        problems.append(Diagnostic(span, codes.NO_THEME_STRINGS, message, "warning"))


def read_label(fields: Fields) -> LabelSettings:
    defaults = LabelSettings()
    label = fields.mapping("label")
    if label is None:
        return defaults
    # Any language: a label may have to speak one the site is not published in (a shop selling
    # into Belgium prints French and Dutch); the texts people write then show in the default.
    printed = tuple(read_languages(label, "languages", {}))
    settings = LabelSettings(
        width_mm=label.get("width_mm", positive_mm) or defaults.width_mm,
        height_mm=label.get("height_mm", positive_mm) or defaults.height_mm,
        qr_mm=label.get("qr_mm", positive_mm) or defaults.qr_mm,
        languages=printed,
    )
    if settings.qr_mm > min(settings.width_mm, settings.height_mm):
        message = f"label.qr_mm: a {settings.qr_mm} mm code does not fit on the label"
        label.problems.append(Diagnostic(label.span("qr_mm"), codes.BAD_NUMBER, message))
    label.finish()
    return settings


def read_feed(fields: Fields) -> FeedSettings:
    defaults = FeedSettings()
    feed = fields.mapping("feed")
    if feed is None:
        return defaults
    entries = feed.get("entries", at_least(1, "a feed needs at least one entry"))
    feed.finish()
    return FeedSettings(entries=entries or defaults.entries)


def read_passport(fields: Fields, base_url: str | None) -> PassportSettings:
    passport = fields.mapping("passport")
    if passport is None:
        return PassportSettings()
    sign = bool(passport.get("sign", to_boolean))
    settings = PassportSettings(
        sign=sign,
        key=passport.get("key", to_text),
        public_key=passport.get("public_key", to_public_key),
        retired_keys=tuple(passport.list_of("retired_keys", to_public_key)),
        status_list=bool(passport.get("status_list", to_boolean)),
        span=passport.span("sign"),
    )
    if sign and (base_url is None or not base_url.lower().startswith("https://")):
        message = "passport.sign: signed passports name their issuer by an https base_url (did:web): set one"
        passport.problems.append(Diagnostic(passport.span("sign"), codes.SIGN_WITHOUT_BASE_URL, message))
    if settings.status_list and not sign:
        message = "passport.status_list: the list is a signed credential: set passport.sign: true as well"
        passport.problems.append(Diagnostic(passport.span("status_list"), codes.PASSPORT_STATUS, message))
    passport.finish()
    return settings


def to_public_key(node: Node, what: str, problems: Problems) -> str | None:
    """An Ed25519 public key as JWK's `x` (what `mfsite keygen` prints)."""
    text = to_text(node, what, problems)
    if text is None:
        return None
    if not PUBLIC_KEY.fullmatch(text):
        message = f"{what}: not an Ed25519 public key (43 letters of base64url, as mfsite keygen prints it)"
        problems.append(Diagnostic(node.span, codes.BAD_PUBLIC_KEY, message))
        return None
    return text


def read_theme(fields: Fields, static: Collection[str] | None) -> Theme:
    theme = fields.mapping("theme")
    if theme is None:
        return Theme()
    colour = theme.get("colour", to_colour) or Theme().colour
    logos = {key: theme.get(key, logo_file(static)) for key in ("logo", "logo_dark")}
    theme.finish()
    accent, accent_dark = accents(colour)
    return Theme(colour=colour, **logos, accent=accent, accent_dark=accent_dark)


def logo_file(static: Collection[str] | None) -> Converter[str]:
    def convert(node: Node, what: str, problems: Problems) -> str | None:
        path = to_text(node, what, problems)
        if path is None:
            return None
        if not path.lower().endswith(LOGO_SUFFIXES):
            kinds = ", ".join(s[1:] for s in LOGO_SUFFIXES)
            bad(node, codes.BAD_VALUE, what, f"'{path}' is not an image ({kinds})", problems)
            return None
        if static is not None and path not in static:
            message = f"'{path}' is not a file in static/ (give its path inside static/)"
            bad(node, codes.MISSING_FILE, what, message, problems)
            return None
        return path

    return convert


def accents(colour: str) -> tuple[str, str]:
    """The brand colour as text and links show it: on the light page, and on the dark one."""
    return (
        readable(colour, LIGHT_GROUND, LIGHT_CONTRAST, LIGHT_TINT, darker=True),
        readable(colour, DARK_GROUND, DARK_CONTRAST, DARK_TINT, darker=False),
    )


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def blend(colour: str, alpha: float, ground: str) -> str:
    """The colour at `alpha` painted over the ground, as #rrggbb."""
    mix = (alpha * int(colour[i : i + 2], 16) + (1 - alpha) * int(ground[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c):02x}" for c in mix)


def readable(colour: str, ground: str, ratio: float, tint: float, darker: bool) -> str:
    """The colour, darker (or lighter) in steps of its own hue until text in it reads on `ground`,
    and on a tint of itself (at alpha `tint`) over that ground."""
    h, lightness, s = colorsys.rgb_to_hls(*(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)))
    for _ in range(101):
        rgb = colorsys.hls_to_rgb(h, lightness, s)
        candidate = "#" + "".join(f"{round(c * 255):02x}" for c in rgb)
        tinted = blend(candidate, tint, ground)
        if contrast(candidate, ground) >= ratio and contrast(candidate, tinted) >= MIN_CONTRAST:
            return candidate
        lightness = max(0.0, lightness - 0.01) if darker else min(1.0, lightness + 0.01)
    return "#000000" if darker else "#ffffff"


def positive_mm(node: Node, what: str, problems: Problems) -> Decimal | None:
    value = to_decimal(node, what, problems)
    if value is not None and not 0 < value <= 1000:
        bad(node, codes.BAD_NUMBER, what, f"{value} is not a size in millimetres (1 to 1000)", problems)
        return None
    return value


def at_least(minimum: int, why: str, maximum: int | None = None) -> Converter[int]:
    def convert(node: Node, what: str, problems: Problems) -> int | None:
        value = to_integer(node, what, problems)
        if value is not None and value < minimum:
            bad(node, codes.BAD_NUMBER, what, f"{value} is below {minimum}: {why}", problems)
            return None
        if value is not None and maximum is not None and value > maximum:  # an image must fit in memory
            message = f"{value} is above {maximum}, the most a QR image can use"
            bad(node, codes.BAD_NUMBER, what, message, problems)
            return None
        return value

    return convert
