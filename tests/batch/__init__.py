"""Tests of the batch engine and of its executor (issue 7)."""
