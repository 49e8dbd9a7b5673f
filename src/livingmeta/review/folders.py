"""The review folders shipped with livingmeta: the embedded LDN review and the template
that ``livingmeta init`` copies."""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

from livingmeta.errors import ParameterError

__all__ = ["embedded_review_path", "example_review_path", "write_example_review"]


def _reviews() -> Path:
    return Path(str(files("livingmeta.datasets").joinpath("reviews")))


def embedded_review_path() -> Path:
    """The embedded review: low-dose naltrexone for fibromyalgia (``livingmeta run``).

    >>> (embedded_review_path() / "review.toml").is_file()
    True
    """
    return _reviews() / "ldn-fibromyalgia"


def example_review_path() -> Path:
    """The commented example folder that :func:`write_example_review` copies."""
    return _reviews() / "example"


def write_example_review(path: str | Path) -> Path:
    """Write the small, commented example review folder to ``path`` (``livingmeta init``).

    The example is the BCG vaccine trials (Colditz et al. 1994, public data), laid out
    as a review folder with every file commented.

    Parameters
    ----------
    path : str or path-like
        A folder that does not exist or is empty.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    ParameterError
        ``path`` is a file, or a folder that is not empty (nothing is overwritten).
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ParameterError(f"The 'path' parameter must be a folder; {str(target)!r} is a "
                             "file.")
    if target.is_dir() and any(target.iterdir()):
        raise ParameterError(f"The folder {str(target)!r} is not empty; livingmeta init "
                             "writes only into a new or empty folder.")
    target.mkdir(parents=True, exist_ok=True)
    source = example_review_path()
    for item in sorted(source.rglob("*")):
        rel = item.relative_to(source)
        if item.is_dir():
            (target / rel).mkdir(parents=True, exist_ok=True)
        elif item.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(item, target / rel)
    return target
