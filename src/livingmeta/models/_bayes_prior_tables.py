"""Published empirical priors for the heterogeneity of a meta-analysis (data only).

- Turner et al. 2015 (Stat Med 34:984-998, Table IV): log-normal predictive distributions
  for ``tau^2`` of log odds ratios, ``log(tau^2) ~ N(mean, sd^2)``;
- Rhodes et al. 2015 (J Clin Epidemiol 68:52-60, Table 3, medical areas other than
  respiratory and cancer): log-t(5) predictive distributions for ``tau^2`` of standardized
  mean differences, ``(log(tau^2) - location) / scale ~ t_5``.

The values were transcribed from the papers' tables as printed (two decimals) and checked
against the transcription in the bayesmeta R package (``TurnerEtAlParameters``,
``RhodesEtAlParameters``, Röver 2020). The priors built from them are
``turner_prior`` and ``rhodes_prior`` in ``_bayes_priors``.
"""

from __future__ import annotations

from livingmeta.errors import ParameterError

__all__ = [
    "RHODES_ALIASES",
    "RHODES_ANY",
    "RHODES_COMPARISONS",
    "RHODES_OUTCOMES",
    "RHODES_TABLE",
    "TURNER_ANY",
    "TURNER_COMPARISONS",
    "TURNER_OUTCOMES",
    "TURNER_TABLE",
    "rhodes_parameters",
    "turner_parameters",
]

# Turner et al. 2015, Stat Med 34:984-998, Table IV: (mean, sd) of log(tau^2) for log odds
# ratios, by outcome type (rows) and type of comparison (columns, in TURNER_COMPARISONS
# order). "any" is the general (marginal) setting of p. 993.
TURNER_COMPARISONS = ("pharma-vs-placebo", "pharma-vs-pharma", "nonpharma-vs-placebo",
                      "nonpharma-vs-pharma", "nonpharma-vs-nonpharma")
TURNER_TABLE: dict[str, tuple[tuple[float, float], ...]] = {
    "all-cause-mortality": ((-3.95, 1.34), (-4.18, 1.41), (-4.17, 1.55), (-2.92, 1.02),
                            (-3.50, 1.26)),
    "obstetric": ((-3.52, 1.74), (-3.75, 1.79), (-3.74, 1.91), (-2.49, 1.50), (-3.08, 1.68)),
    "cause-specific-mortality": ((-3.71, 1.74), (-3.95, 1.79), (-3.93, 1.91), (-2.68, 1.51),
                                 (-3.27, 1.68)),
    "resource-use": ((-2.34, 1.74), (-2.58, 1.79), (-2.56, 1.91), (-1.31, 1.50),
                     (-1.90, 1.68)),
    "surgical": ((-2.14, 1.74), (-2.37, 1.79), (-2.36, 1.91), (-1.11, 1.50), (-1.69, 1.68)),
    "withdrawals": ((-2.99, 1.74), (-3.23, 1.79), (-3.21, 1.91), (-1.96, 1.51),
                    (-2.55, 1.68)),
    "internal-structure": ((-2.71, 1.74), (-2.94, 1.79), (-2.93, 1.92), (-1.67, 1.51),
                           (-2.26, 1.68)),
    "general-physical-health": ((-2.29, 1.53), (-2.53, 1.58), (-2.51, 1.72), (-1.26, 1.25),
                                (-1.85, 1.46)),
    "adverse-events": ((-1.87, 1.52), (-2.10, 1.58), (-2.10, 1.71), (-0.84, 1.24),
                       (-1.43, 1.45)),
    "infection": ((-2.49, 1.52), (-2.73, 1.58), (-2.71, 1.71), (-1.46, 1.24), (-2.05, 1.45)),
    "signs-symptoms": ((-2.06, 1.51), (-2.29, 1.58), (-2.28, 1.71), (-1.03, 1.24),
                       (-1.61, 1.45)),
    "pain": ((-1.83, 1.52), (-2.06, 1.58), (-2.05, 1.71), (-0.80, 1.25), (-1.38, 1.45)),
    "quality-of-life": ((-2.54, 1.54), (-2.78, 1.60), (-2.77, 1.73), (-1.51, 1.27),
                        (-2.10, 1.47)),
    "mental-health": ((-2.12, 1.53), (-2.35, 1.60), (-2.34, 1.72), (-1.09, 1.27),
                      (-1.67, 1.47)),
    "biological-markers": ((-1.77, 1.52), (-2.00, 1.58), (-1.99, 1.71), (-0.74, 1.24),
                           (-1.33, 1.45)),
    "subjective": ((-2.70, 1.52), (-2.93, 1.58), (-2.92, 1.71), (-1.67, 1.25),
                   (-2.26, 1.45)),
}
TURNER_ANY = (-2.56, 1.74)
TURNER_OUTCOMES = ("any", *TURNER_TABLE)

# Rhodes et al. 2015, J Clin Epidemiol 68:52-60, Table 3 (medical areas other than
# respiratory and cancer): (location, scale) of the t(5) distribution of log(tau^2) for
# standardized mean differences, by outcome type (rows) and comparison (columns, in
# RHODES_COMPARISONS order). "any" is the general setting (beginning of sec. 3.3).
RHODES_COMPARISONS = ("pharma-vs-placebo", "pharma-vs-pharma", "nonpharma")
RHODES_TABLE: dict[str, tuple[tuple[float, float], ...]] = {
    "obstetric": ((-4.13, 2.34), (-4.40, 2.31), (-3.99, 2.11)),
    "resource-use": ((-2.55, 2.73), (-2.83, 2.70), (-2.41, 2.57)),
    "internal-structure": ((-2.43, 2.50), (-2.70, 2.46), (-2.29, 2.32)),
    "general-physical-health": ((-3.16, 2.50), (-3.44, 2.44), (-3.02, 2.27)),
    "signs-symptoms": ((-3.00, 2.50), (-3.27, 2.47), (-2.86, 2.33)),
    "mental-health": ((-2.99, 2.16), (-3.27, 2.14), (-3.85, 1.93)),
    "biological-markers": ((-3.41, 2.83), (-3.68, 2.78), (-3.27, 2.66)),
    "subjective": ((-2.76, 2.58), (-3.03, 2.59), (-2.62, 2.41)),
}
RHODES_ANY = (-3.44, 2.59)
# Rhodes et al. group several outcome types in one category; the members are accepted too.
RHODES_ALIASES = {"pain": "general-physical-health", "adverse-events": "general-physical-health",
                  "quality-of-life": "general-physical-health",
                  "infection": "signs-symptoms"}
RHODES_OUTCOMES = ("any", *RHODES_TABLE, *RHODES_ALIASES)


def _lookup(name: str, outcome: str, comparison: str | None, outcomes: tuple[str, ...],
            comparisons: tuple[str, ...]) -> tuple[str, int]:
    key = outcome.strip().lower()
    if key not in outcomes:
        raise ParameterError(f"The {name} outcome must be one of {{{', '.join(outcomes)}}}. "
                             f"Got {outcome!r}.")
    comp = comparisons[0] if comparison is None else comparison.strip().lower()
    if comp not in comparisons:
        raise ParameterError(f"The {name} comparison must be one of "
                             f"{{{', '.join(comparisons)}}}. Got {comparison!r}.")
    return key, comparisons.index(comp)


def turner_parameters(outcome: str, comparison: str | None) -> tuple[float, float, str]:
    """``(mean, sd, source)`` of ``log(tau^2)`` in Turner et al. 2015 (Table IV).

    Examples
    --------
    >>> turner_parameters(" Pain", "pharma-vs-pharma")[:2]
    (-2.06, 1.58)
    """
    key, col = _lookup("Turner et al.", outcome, comparison, TURNER_OUTCOMES,
                       TURNER_COMPARISONS)
    mu, sd = TURNER_ANY if key == "any" else TURNER_TABLE[key][col]
    where = ("general setting, p. 993" if key == "any"
             else f"{key}, {TURNER_COMPARISONS[col]}, Table IV")
    return mu, sd, f"Turner et al. 2015, Stat Med 34:984-998; {where}"


def rhodes_parameters(outcome: str, comparison: str | None) -> tuple[float, float, str]:
    """``(location, scale, source)`` of the t(5) law of ``log(tau^2)`` in Rhodes et al.
    2015 (Table 3); the members of a grouped category read its row.

    Examples
    --------
    >>> rhodes_parameters("infection", None)[:2]
    (-3.0, 2.5)
    """
    key, col = _lookup("Rhodes et al.", outcome, comparison, RHODES_OUTCOMES,
                       RHODES_COMPARISONS)
    key = RHODES_ALIASES.get(key, key)
    location, scale = RHODES_ANY if key == "any" else RHODES_TABLE[key][col]
    where = ("general setting, sec. 3.3" if key == "any"
             else f"{key}, {RHODES_COMPARISONS[col]}, Table 3")
    return location, scale, f"Rhodes et al. 2015, J Clin Epidemiol 68:52-60; {where}"
