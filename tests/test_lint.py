"""ruff and mypy are part of the suite (STYLE.md, convention 15), so CI enforces them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)


def test_ruff_is_clean():
    done = _run("ruff", "check", "src", "tests", "benchmarks", "validation")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean_on_src():
    done = _run("mypy", "src")
    assert done.returncode == 0, done.stdout + done.stderr
