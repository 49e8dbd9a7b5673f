"""livingmeta plots."""
