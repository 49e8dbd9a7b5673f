"""Tests of livingmeta.plots (layout on the data, smoke renders; no image comparison)."""
