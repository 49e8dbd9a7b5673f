"""livingmeta records."""
