"""Sequential analyses of an accumulating body of evidence (cumulative meta-analysis)."""

from livingmeta.sequential.cumulative import CumulativeResult, cumulative

__all__ = ["CumulativeResult", "cumulative"]
