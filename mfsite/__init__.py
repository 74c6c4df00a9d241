"""mfsite: static traceability sites for microfactory production batches."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mfsite")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
