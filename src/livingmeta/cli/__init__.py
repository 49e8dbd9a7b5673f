"""livingmeta subpackage."""
