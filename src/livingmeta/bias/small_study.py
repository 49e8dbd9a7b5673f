"""When are tests for funnel-plot asymmetry informative?

Sterne et al. (2011, BMJ 343:d4002, recommendation 1) advise against tests for funnel
plot asymmetry with fewer than 10 studies: their power is then too low to tell chance
from real asymmetry. Reports use :func:`small_study_informative` to say so plainly.
"""

from __future__ import annotations

from livingmeta.errors import ParameterError

__all__ = ["MIN_STUDIES_FOR_ASYMMETRY_TESTS", "small_study_informative", "uninformative_note"]

MIN_STUDIES_FOR_ASYMMETRY_TESTS = 10


def small_study_informative(k: int) -> bool:
    """Whether k studies are enough for an asymmetry test to be informative (k >= 10).

    Examples
    --------
    >>> small_study_informative(9), small_study_informative(10)
    (False, True)
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ParameterError(f"The 'k' parameter must be an integer >= 0. Got {k!r}.")
    return k >= MIN_STUDIES_FOR_ASYMMETRY_TESTS


def uninformative_note(k: int) -> str | None:
    """The sentence a report shows when k < 10, else None."""
    if small_study_informative(k):
        return None
    return (f"Only {k} studies: tests for funnel-plot asymmetry have too little power to "
            f"be informative with fewer than {MIN_STUDIES_FOR_ASYMMETRY_TESTS} studies "
            "(Sterne et al. 2011, BMJ 343:d4002).")
