"""livingmeta appraisal."""
