"""Checks that a rendered file is the format its extension names."""

from __future__ import annotations

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_image(path, kind):
    head = path.read_bytes()[:64]
    if kind == "png":
        assert head.startswith(PNG_MAGIC)
    elif kind == "svg":
        assert head.lstrip().startswith((b"<?xml", b"<svg"))
    else:
        assert head.startswith(b"%PDF")
