"""Small file helpers shared by the layers that write files (CLI, records, report)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from livingmeta.errors import ParameterError

__all__ = ["build_folder_atomically", "check_replaceable_folder", "write_atomically"]


def write_atomically(path: Path, text: str) -> None:
    """Write the whole file or nothing (temporary file in the same folder, then rename)."""
    path = Path(path).resolve()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_folder_atomically(target: Path, build: Callable[[Path], object]) -> None:
    """Build a folder beside ``target`` with ``build(folder)`` and rename it into place.

    An existing ``target`` is swapped out only once the new folder is complete; if
    anything fails, ``target`` is left as it was and nothing else remains. The caller
    decides beforehand whether an existing ``target`` may be replaced.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        build(building)
        building.chmod(0o755)  # mkdtemp's 0o700 would hide the folder from other users
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            old.rmdir()
            target.rename(old)
            try:
                building.rename(target)
            except OSError:
                old.rename(target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            building.rename(target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def check_replaceable_folder(target: Path, marker: str, what: str) -> None:
    """Refuse a ``target`` that is a file, or a non-empty folder without ``marker``.

    Only an empty folder or one written earlier by livingmeta (it holds the file
    ``marker``) may be replaced by :func:`build_folder_atomically`: a mistyped path
    never deletes a user's own folder.
    """
    if not target.exists():
        return
    if not target.is_dir():
        raise ParameterError(f"The {what} folder '{target}' exists and is not a folder; "
                             "choose another path.")
    if any(target.iterdir()) and not (target / marker).is_file():
        raise ParameterError(
            f"The folder '{target}' is not empty and holds no earlier livingmeta {what} (no "
            f"{marker} file): refusing to replace it. Choose another folder or empty it.")
