"""livingmeta: living systematic reviews and meta-analysis at metafor's precision."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("livingmeta")
except PackageNotFoundError:  # pragma: no cover - only when run from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
