"""livingmeta review."""
