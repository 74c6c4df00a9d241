"""mfsite: static traceability sites for microfactory production batches."""

from functools import cache
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mfsite")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"

# The libraries whose versions can change the bytes a build writes, or what it makes of the
# sources (YAML, country codes, GTINs, QR symbols, markdown, escaping).
OUTPUT_LIBRARIES = (
    "jinja2", "markupsafe", "markdown-it-py", "mdurl", "pyyaml", "pycountry", "qrcode", "biip"
)  # fmt: skip


@cache
def dependencies() -> str:
    """mfsite's version and those libraries': part of every signature and cache stamp, and of
    the up-to-date check, so upgrading any of them makes everything anew, as a clean build would."""
    return "; ".join([f"mfsite {__version__}", *(f"{name} {version(name)}" for name in OUTPUT_LIBRARIES)])
