"""livingmeta report."""
