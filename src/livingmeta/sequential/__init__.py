"""livingmeta sequential."""
