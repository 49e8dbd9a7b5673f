"""livingmeta bias."""
